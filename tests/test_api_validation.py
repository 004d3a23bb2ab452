"""What the API server rejects beyond the schema: one fixture per check, at an exact
position, with the reason the API server gives. Each case names the Kubernetes validation
function it follows (pkg/apis/*/validation, k8s.io/apimachinery/pkg/util/validation)."""

import pytest

from .conftest import FIXTURES, lint_text, positions

POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:1.27
{extra}"""

SVC = """apiVersion: v1
kind: Service
metadata:
  name: web
spec:
{spec}"""

CASES = [
    # ValidateObjectMeta + NameIsDNSSubdomain
    ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: Db.Password\n", ("KL104", 4, 9),
     'metadata.name: Invalid value: "Db.Password": a lowercase RFC 1123 subdomain'),
    # ValidateNamespaceName: DNS-1123 label (no dots)
    ("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team.a\n", ("KL104", 4, 9),
     "a lowercase RFC 1123 label must consist of"),
    # ValidateServiceName: DNS-1035 label
    (SVC.format(spec="  ports: [{port: 80}]\n").replace("name: web", "name: 9web"), ("KL104", 4, 9),
     "a DNS-1035 label must consist of"),
    # ValidateObjectMeta: name or generateName required
    ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {a: b}\n", ("KL104", 3, 1),
     "metadata.name: Required value: name or generateName is required"),
    # ValidateLabels: IsQualifiedName / IsValidLabelValue
    ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    example.com/a/b: x\n", ("KL105", 6, 5),
     "a qualified name must consist of"),
    ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    v: " + "a" * 64 + "\n", ("KL105", 6, 8),
     "must be no more than 63 characters"),
    # ValidateAnnotations: qualified keys, total size
    ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations:\n    bad key: x\n", ("KL105", 6, 5),
     'metadata.annotations: Invalid value: "bad key"'),
    ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations:\n    a: " + "x" * 262200 + "\n",
     ("KL105", 5, 3), "metadata.annotations: Too long: must have at most 262144 bytes"),
    # ValidateObjectMetaAccessor: the namespace is a DNS-1123 label (ValidateNamespaceName)
    ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: Team-A\n", ("KL104", 5, 14),
     'metadata.namespace: Invalid value: "Team-A": a lowercase RFC 1123 label must consist of'),
    ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: team_a\n", ("KL104", 5, 14),
     'metadata.namespace: Invalid value: "team_a"'),
    ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: " + "a" * 64 + "\n", ("KL104", 5, 14),
     "must be no more than 63 characters"),
    # ValidateCronJobCreate: the name leaves room for the Job suffix
    ("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: " + "c" * 53 + "}\nspec:\n  schedule: \"0 * * * *\"\n"
     "  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n"
     "          containers: [{name: c, image: i}]\n", ("KL104", 3, 18), "must be no more than 52 characters"),
    # cluster-scoped kinds have no namespace (kubectl api-resources --namespaced=false)
    ("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  namespace: b\n", ("KL106", 5, 3),
     "Namespace is cluster-scoped"),
    # ValidateLabelSelectorRequirement
    ("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec:\n  minAvailable: 1\n"
     "  selector:\n    matchExpressions:\n      - {key: app, operator: In}\n", ("KL107", 8, 9),
     "values: Required value: must be specified when `operator` is 'In' or 'NotIn'"),
    # validateContainers: IsDNS1123Label + Duplicate value
    (POD.format(extra="    - name: web\n      image: busybox:1.36\n"), ("KL110", 9, 13), 'Duplicate value: "web"'),
    # validateContainers: image Required value
    (POD.replace("      image: nginx:1.27\n", "      command: [sleep]\n").format(extra=""), ("KL111", 7, 7),
     "spec.containers[0].image: Required value"),
    # validateRestartPolicy / validatePullPolicy / validateDNSPolicy: Unsupported value
    (POD.format(extra="  dnsPolicy: clusterFirst\n"), ("KL112", 9, 14),
     'spec.dnsPolicy: Unsupported value: "clusterFirst": supported values: "ClusterFirstWithHostNet", '
     '"ClusterFirst", "Default", "None"; did you mean "ClusterFirst"?'),
    (SVC.format(spec="  externalTrafficPolicy: local\n  type: NodePort\n  ports: [{port: 80}]\n"), ("KL112", 6, 26),
     'spec.externalTrafficPolicy: Unsupported value: "local"'),
    # validateContainerPorts: IsValidPortNum, IsValidPortName
    (POD.format(extra="      ports:\n        - {name: web--http, containerPort: 80}\n"), ("KL113", 10, 18),
     "must not contain consecutive hyphens"),
    # validateVolumeMounts: Not found
    (POD.format(extra="      volumeMounts: [{name: data, mountPath: /data}]\n"), ("KL114", 9, 29),
     'spec.containers[0].volumeMounts[0].name: Not found: "data"'),
    # validateVolumes: Duplicate value
    (POD.format(extra="  volumes:\n    - {name: a, emptyDir: {}}\n    - {name: a, emptyDir: {}}\n"), ("KL114", 11, 14),
     'spec.volumes[1].name: Duplicate value: "a"'),
    # validateEnv: IsEnvVarName (before 1.32; RelaxedEnvironmentVariableValidation on by default from 1.32)
    (POD.format(extra="      env: [{name: 1ST, value: x}]\n"), None, None),
    # validateResourceRequirements: ValidateResourceQuantityValue, request <= limit
    (POD.format(extra="      resources:\n        limits: {cpu: 1 core}\n"), ("KL116", 10, 23),
     "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'; did you mean 1?"),
    (POD.format(extra="      resources:\n        requests: {memory: 512MB}\n"), ("KL116", 10, 28),
     "did you mean 512Mi (binary) or 512M (decimal)?"),
    (POD.format(extra="      resources:\n        requests: {memory: 2Gi}\n        limits: {memory: 1Gi}\n"),
     ("KL116", 10, 28), 'must be less than or equal to memory limit of 1Gi'),
    # validateProbe / validateHandler: exactly one handler
    (POD.format(extra="      readinessProbe: {initialDelaySeconds: 5}\n"), ("KL117", 9, 7),
     "spec.containers[0].readinessProbe: Required value: must specify a handler type"),
    # ValidateDeployment: template restartPolicy Always
    ("apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {a: b}}\n"
     "  template:\n    metadata: {labels: {a: b}}\n    spec:\n      restartPolicy: Never\n"
     "      containers: [{name: c, image: i}]\n", ("KL120", 9, 22),
     'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'),
    # ValidateRollingUpdateDeployment: maxUnavailable may not be 0 when maxSurge is 0
    ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {a: b}}\n"
     "  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 0}}\n  template:\n    metadata: {labels: {a: b}}\n"
     "    spec:\n      containers: [{name: c, image: i}]\n", ("KL121", 6, 59),
     "may not be 0 when `maxSurge` is 0"),
    # validateScheduleFormat (batch): cron.ParseStandard, TZ in schedule
    ("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: \"TZ=UTC 0 * * * *\"\n"
     "  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n"
     "          containers: [{name: c, image: i}]\n", ("KL122", 5, 13),
     "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"),
    ("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: \"61 * * * *\"\n"
     "  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n"
     "          containers: [{name: c, image: i}]\n", ("KL122", 5, 13), "out of range for the minute field"),
    # cron.ParseStandard (robfig/cron v3): day of week is 0-6
    ("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: \"0 0 * * 7\"\n"
     "  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n"
     "          containers: [{name: c, image: i}]\n", ("KL122", 5, 13), "out of range for the day of week field (0-6)"),
    # ValidateService: port names required with several ports; clusterIP None with NodePort
    (SVC.format(spec="  type: NodePort\n  clusterIP: None\n  ports: [{name: a, port: 80}]\n"), ("KL123", 7, 14),
     "may not be set to 'None' for NodePort services"),
    (SVC.format(spec="  type: ExternalName\n"), ("KL123", 5, 1), "spec.externalName: Required value"),
    # validateHTTPIngressPath: Exact and Prefix paths must be absolute
    ("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec:\n  rules:\n"
     "    - http:\n        paths:\n          - path: shop\n            pathType: Exact\n"
     "            backend: {service: {name: s, port: {number: 80}}}\n",
     ("KL124", 8, 19), 'spec.rules[0].http.paths[0].path: Invalid value: "shop": must be an absolute path'),
    (("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec:\n  defaultBackend:\n"
      "    service: {name: s}\n    resource: {kind: Bucket, name: b}\n"), ("KL124", 5, 3),
     "exactly one of `service` or `resource` must be specified (found both)"),
    # ValidateHorizontalPodAutoscalerSpec
    ("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n"
     "  scaleTargetRef: {kind: Deployment, name: d}\n  minReplicas: 0\n  maxReplicas: 3\n", ("KL125", 6, 16),
     "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1"),
    # ValidatePodDisruptionBudgetSpec: percentage
    ("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec:\n  maxUnavailable: 150%\n",
     ("KL126", 5, 19), "must not be greater than 100%"),
    # ValidateConfigMap: data and binaryData keys overlap; IsConfigMapKey
    ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: x\nbinaryData:\n  a: eA==\n", ("KL127", 7, 3),
     'binaryData[a]: Invalid value: "a": duplicate of key in data'),
    ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  ..hidden: x\n", ("KL127", 5, 3),
     "must not start with '..'"),
    # ValidateSecret: keys each Secret type requires
    ("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/tls\nstringData:\n  tls.crt: x\n",
     ("KL127", 4, 1), "data[tls.key]: Required value: a kubernetes.io/tls Secret needs the key `tls.key`"),
]


@pytest.mark.parametrize("text,where,needle", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_api_server_checks(tmp_path, text, where, needle):
    version = "1.31" if "1ST" in text else None
    result = lint_text(tmp_path, text, kubernetes_version=version)
    if where is None:  # env var names: the rule depends on the version
        assert positions(result) == [("KL115", 9, 20)]
        assert "must not start with a digit" in result.findings[0].message
        assert lint_text(tmp_path, text, kubernetes_version="1.32").findings == []
        return
    got = [(f.code, f.line, f.column, f.message) for f in result.findings]
    assert [g[:3] for g in got] == [where], got
    assert needle in got[0][3], got[0][3]


def test_realistic_application_is_clean(tmp_path):
    """Deployment, Service, Ingress, HPA, PDB, StatefulSet, CronJob, NetworkPolicy, RBAC,
    quoted and unquoted quantities, named ports: no finding at all."""
    result = lint_text(tmp_path, open(f"{FIXTURES}/realistic-app.yaml").read())
    assert result.findings == [], [(f.code, f.line, f.message) for f in result.findings]
    assert result.files[0].objects == 15


STATUS_KINDS = [
    ("apps/v1", "StatefulSet", "spec:\n  selector: {matchLabels: {a: b}}\n  serviceName: s\n  template:\n"
     "    metadata: {labels: {a: b}}\n    spec:\n      containers: [{name: c, image: i}]\n"),
    ("apps/v1", "ReplicaSet", "spec:\n  selector: {matchLabels: {a: b}}\n  template:\n"
     "    metadata: {labels: {a: b}}\n    spec:\n      containers: [{name: c, image: i}]\n"),
    ("apps/v1", "DaemonSet", "spec:\n  selector: {matchLabels: {a: b}}\n  template:\n"
     "    metadata: {labels: {a: b}}\n    spec:\n      containers: [{name: c, image: i}]\n"),
    ("autoscaling/v2", "HorizontalPodAutoscaler",
     "spec:\n  scaleTargetRef: {kind: Deployment, name: d}\n  maxReplicas: 3\n"),
    ("policy/v1", "PodDisruptionBudget", "spec:\n  minAvailable: 1\n"),
]


@pytest.mark.parametrize("api_version,kind,spec", STATUS_KINDS, ids=[k[1] for k in STATUS_KINDS])
def test_status_required_fields_are_not_reported(tmp_path, api_version, kind, spec):
    """The API server ignores `status` on create and update (PrepareForCreate/Update reset
    it): nothing is required under it, at any depth."""
    head = f"apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: x}}\n{spec}"
    for status in ("status: {}\n", "status:\n  conditions: [{type: Ready}]\n"):
        result = lint_text(tmp_path, head + status)
        assert result.findings == [], [(f.code, f.line, f.message) for f in result.findings]
    # its fields keep their types, and unknown fields there are still errors under strict
    lines = head.count("\n")
    result = lint_text(tmp_path, head + "status:\n  observedGeneration: many\n  bogus: 1\n")
    assert [(f.code, f.line, f.column) for f in result.findings] == [
        ("KL010", lines + 2, 23), ("KL010", lines + 3, 3)], [f.message for f in result.findings]
    assert "expected integer, found string" in result.findings[0].message
    assert "unknown field `bogus`" in result.findings[1].message
    assert lint_text(tmp_path, head + "status:\n  bogus: 1\n", strict=False).findings == []


def test_required_fields_outside_status_still_reported(tmp_path):
    """Only `status` is relaxed: a Deployment without a selector is still incomplete."""
    text = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n"
            "    spec:\n      containers: [{name: c, image: i}]\nstatus: {}\n")
    result = lint_text(tmp_path, text)
    assert positions(result) == [("KL010", 4, 1)]
    assert result.findings[0].message == "spec: missing required field `selector`"
