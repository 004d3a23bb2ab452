"""Differential mutation test: every realistic fixture object, one field changed at a time,
linted by kubelint and compared with what the API server does, from the table below (each row
cites the Kubernetes function it follows: pkg/apis/core/validation/validation.go,
pkg/apis/apps|batch|networking|autoscaling|policy/validation, apimachinery's
pkg/util/validation and pkg/api/validation, pkg/api/pod/warnings.go).

CI runs a fixed sample (every row at least once, seed 0). A campaign runs every case, or a
random sample of another size and seed:
  KUBELINT_MUTATIONS=all python -m pytest tests/test_mutations.py
  KUBELINT_MUTATIONS=400 KUBELINT_MUTATION_SEED=7 python -m pytest tests/test_mutations.py
"""

import os

from .conftest import EXAMPLES, FIXTURES
from .mutation_engine import DELETE, Row, cases, evaluate, load_fixtures, sample

R, A, W = "reject", "accept", "warn"
WORKLOADS = ("Deployment", "StatefulSet", "ReplicaSet", "DaemonSet")
REPLICATED = ("Deployment", "StatefulSet", "ReplicaSet")
RBAC = ("Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding")


def _kind_is(*kinds, then=R, otherwise=A):
    return lambda obj, ptr: then if obj.get("kind") in kinds else otherwise


def _headless(obj, ptr):
    return (obj.get("spec") or {}).get("clusterIP") == "None"


def _add(key, value):
    def op(parent, field):
        if not isinstance(parent.get(field), dict) or key in parent[field]:
            return False
        parent[field][key] = value
    return op


def _append_copy(drop=()):
    """Append a copy of the list's first item, without the keys in `drop`."""
    def op(parent, field):
        items = parent.get(field)
        if not isinstance(items, list) or not items or not isinstance(items[0], dict):
            return False
        items.append({k: v for k, v in items[0].items() if k not in drop})
    return op


def _external_name(parent, field):
    parent[field]["type"], parent[field]["externalName"] = "ExternalName", "db.example.com"


def _unmasked_in_user_namespace(parent, field):
    parent[field] = False
    for c in parent.get("containers", []):
        c.setdefault("securityContext", {})["procMount"] = "Unmasked"


def _parent_of(obj, ptr):
    for part in ptr[:-1]:
        obj = obj[part]
    return obj


def _external_name_node_port(parent, field):
    _external_name(parent, field)
    parent[field]["ports"] = [{"port": 80, "nodePort": 30080}]


def _first_port_named(obj, ptr):
    ports = obj
    for part in ptr:
        ports = ports[part]
    return R if ports[0].get("name") else W


def _not_external(obj, ptr):
    return A if (obj.get("spec") or {}).get("type") in ("NodePort", "LoadBalancer") else R


def _service_verdict(obj, ptr):
    """ValidateService and validateServiceExternalTrafficPolicy on the mutated Service."""
    spec = obj.get("spec") or {}
    kind = spec.get("type") or "ClusterIP"
    ports = spec.get("ports") or []
    bad = (spec.get("clusterIP") == "None" and kind in ("NodePort", "LoadBalancer")) \
        or (kind == "ExternalName" and spec.get("clusterIP")) \
        or (kind == "ClusterIP" and any(p.get("nodePort") for p in ports)) \
        or (spec.get("externalTrafficPolicy") and kind not in ("NodePort", "LoadBalancer")) \
        or (kind != "LoadBalancer" and any(spec.get(f) for f in ("loadBalancerSourceRanges", "loadBalancerClass")))
    return R if bad else A


def _port_copy_verdict(obj, ptr):
    """An unnamed copy of a port: a warning, unless a hostPort makes it a conflict."""
    ports = _parent_of(obj, ptr)[ptr[-1]]
    return R if ports[0].get("hostPort") else W


def _init_clash(obj, ptr):
    spec = _parent_of(obj, ptr[:-2])
    return R if any(c.get("name") == "web" for c in spec.get("containers", [])) else A


def _limit_below_request(obj, ptr):
    """requests.memory: 100Gi is more than any limit in the fixtures: rejected iff a limit is set."""
    container = obj
    for part in ptr[:-3]:
        container = container[part]
    return R if "memory" in ((container.get("resources") or {}).get("limits") or {}) else A


POD_C = ("{pod}", "containers", "*")
PROBE = POD_C + ("readinessProbe",)
LIVE = POD_C + ("livenessProbe",)

TABLE = [
    # --- names (ValidateObjectMeta with each kind's name function) -------------------------
    Row("name-underscore", ("metadata", "name"), "My_App", _kind_is(*RBAC, then=A, otherwise=R),
        "ValidateObjectMeta/NameIsDNSSubdomain; RBAC: ValidateRBACName (path segment)", "KL104"),
    Row("name-slash-rbac", ("metadata", "name"), "team/reader", R, "ValidateRBACName: IsValidPathSegmentName",
        "KL104", kinds=RBAC),
    Row("name-dot", ("metadata", "name"), "web.v2", _kind_is("Service", "Namespace"),
        "ValidateServiceName (DNS-1035), ValidateNamespaceName (DNS-1123 label)", "KL104"),
    Row("name-digit-first", ("metadata", "name"), "9web", _kind_is("Service"),
        "ValidateServiceName: IsDNS1035Label", "KL104"),
    Row("name-long-253", ("metadata", "name"), "a" * 253, _kind_is("Service", "Namespace", "CronJob"),
        "NameIsDNSSubdomain (253); DNS labels (63); ValidateCronJobCreate (52)", "KL104",
        kinds=("Deployment", "ConfigMap", "Secret", "Ingress", "HorizontalPodAutoscaler",
               "PodDisruptionBudget", "Service", "Namespace", "CronJob")),
    Row("name-long-254", ("metadata", "name"), "a" * 254, R, "NameIsDNSSubdomain: at most 253", "KL104",
        kinds=("ConfigMap", "Deployment")),
    Row("cronjob-name-52", ("metadata", "name"), "c" * 52, A, "ValidateCronJobCreate: len <= 52", kinds=("CronJob",)),
    Row("cronjob-name-53", ("metadata", "name"), "c" * 53, R, "ValidateCronJobCreate: len <= 52", "KL104",
        kinds=("CronJob",)),
    Row("job-name-63", ("metadata", "name"), "j" * 63, A, "ValidateJob: job-name label value", kinds=("Job",)),
    Row("job-name-64", ("metadata", "name"), "j" * 64, R,
        "ValidateJob/PrepareForCreate: the name is a label value (<= 63)", "KL104", kinds=("Job",)),
    Row("name-delete", ("metadata", "name"), DELETE, R, "ValidateObjectMeta: name or generateName Required",
        "KL104"),
    Row("container-name-upper", POD_C + ("name",), "Web", R, "validateContainerCommon: ValidateDNS1123Label",
        "KL110"),
    Row("container-name-delete", POD_C + ("name",), DELETE, R, "validateContainerCommon: name Required", "KL010"),
    # --- namespaces (ValidateObjectMetaAccessor: ValidateNamespaceName) -------------------------
    *[Row(f"namespace-{label}", ("metadata", "namespace"), value, _kind_is("Namespace", then=A, otherwise=R),
          "ValidateObjectMetaAccessor: ValidateNamespaceName (DNS-1123 label); cluster-scoped: cleared "
          "by BeforeCreate", "KL104")
      for label, value in (("upper", "Team-A"), ("dot", "team.a"), ("underscore", "team_a"), ("long", "a" * 64))],
    Row("namespace-ok", ("metadata", "namespace"), "team-a", A, "ValidateNamespaceName"),
    # --- labels (ValidateLabels: IsQualifiedName, IsValidLabelValue) ------------------------------
    Row("label-key-two-slashes", ("metadata", "labels"), _add("example.com/a/b", "x"), R,
        "ValidateLabelName: IsQualifiedName", "KL105"),
    Row("label-value-dash", ("metadata", "labels"), _add("extra", "-x"), R, "IsValidLabelValue", "KL105"),
    Row("label-value-64", ("metadata", "labels"), _add("extra", "v" * 64), R, "IsValidLabelValue: 63", "KL105"),
    Row("label-value-empty", ("metadata", "labels"), _add("extra", ""), A, "IsValidLabelValue: empty is valid"),
    Row("label-mixed-ok", ("metadata", "labels"), _add("Tier_2.x", "A.b_c"), A, "IsQualifiedName, IsValidLabelValue"),
    Row("label-value-number", ("metadata", "labels", "*"), 1, R, "labels are map[string]string (decoding)", "KL010"),
    Row("template-label-bad", ("spec", "template", "metadata", "labels"), _add("a b", "x"), R,
        "ValidatePodTemplateSpec: ValidateLabels", "KL105"),
    # --- container ports (validateContainerPorts) and their warnings -----------------------------
    Row("container-port-0", POD_C + ("ports", "*", "containerPort"), 0, R, "validateContainerPorts: IsValidPortNum",
        "KL113"),
    Row("container-port-65536", POD_C + ("ports", "*", "containerPort"), 65536, R, "IsValidPortNum", "KL113"),
    Row("container-port-65535", POD_C + ("ports", "*", "containerPort"), 65535, A, "IsValidPortNum"),
    Row("container-port-string", POD_C + ("ports", "*", "containerPort"), "80", R, "containerPort is int32 (decoding)",
        "KL010"),
    Row("port-name-double-dash", POD_C + ("ports", "*", "name"), "web--http", R, "IsValidPortName", "KL113"),
    Row("port-name-16", POD_C + ("ports", "*", "name"), "p" * 16, R, "IsValidPortName: at most 15", "KL113"),
    Row("port-name-digits", POD_C + ("ports", "*", "name"), "8080", R, "IsValidPortName: a letter", "KL113"),
    Row("port-name-ok", POD_C + ("ports", "*", "name"), "web-2", A, "IsValidPortName"),
    Row("port-protocol-lower", POD_C + ("ports", "*", "protocol"), "udp", R, "validateContainerPorts: supportedPortProtocols",
        "KL112"),
    Row("port-protocol-sctp", POD_C + ("ports", "*", "protocol"), "SCTP", A, "supportedPortProtocols"),
    Row("port-duplicate-unnamed", POD_C + ("ports",), _append_copy(drop=("name",)), _port_copy_verdict,
        "warningsForPodSpecAndMeta: duplicate port definition", "KL130"),
    Row("port-duplicate-named", POD_C + ("ports",), _append_copy(), _first_port_named,
        "validateContainerPorts: port names unique (Duplicate value); unnamed: the warning"),
    # --- env (ValidateEnv; warnings) -------------------------------------------------------------
    Row("env-digit-first-1.31", POD_C + ("env", "*", "name"), "1ST", R, "ValidateEnv: IsEnvVarName (gate off)", "KL115",
        version="1.31"),
    Row("env-digit-first-1.32", POD_C + ("env", "*", "name"), "1ST", A,
        "ValidateEnv: IsRelaxedEnvVarName (RelaxedEnvironmentVariableValidation beta, on, in 1.32)", version="1.32"),
    Row("env-space-1.33", POD_C + ("env", "*", "name"), "MY VAR", A, "IsRelaxedEnvVarName", version="1.33"),
    Row("env-equals", POD_C + ("env", "*", "name"), "A=B", R, "IsRelaxedEnvVarName: no '='", "KL115"),
    Row("env-duplicate", POD_C + ("env",), _append_copy(), W,
        "warningsForPodSpecAndMeta: hides previous definition", "KL130"),
    Row("env-value-bool", POD_C + ("env", "*", "value"), True, R, "EnvVar.value is a string (decoding)", "KL010"),
    # --- enums (NotSupported) ----------------------------------------------------------------
    Row("pull-policy-lower", POD_C + ("imagePullPolicy",), "always", R, "validatePullPolicy", "KL112"),
    Row("pull-policy-never", POD_C + ("imagePullPolicy",), "Never", A, "validatePullPolicy"),
    Row("dns-policy-none", ("{pod}", "dnsPolicy"), "None", R, "validatePodDNSConfig: dnsConfig Required", "KL128"),
    Row("dns-policy-default", ("{pod}", "dnsPolicy"), "Default", A, "validateDNSPolicy"),
    Row("restart-never", ("{pod}", "restartPolicy"), "Never", _kind_is(*WORKLOADS),
        "ValidatePodTemplateSpecForReplicaSet/StatefulSet: Always only; Jobs: OnFailure/Never", "KL120"),
    Row("restart-always", ("{pod}", "restartPolicy"), "Always", _kind_is("Job", "CronJob", otherwise=A),
        "validateJobSpec: restartPolicy OnFailure or Never", "KL120"),
    Row("strategy-type-typo", ("spec", "strategy", "type"), "Rolling", R, "ValidateDeploymentStrategy", "KL112"),
    Row("pod-management-lower", ("spec", "podManagementPolicy"), "parallel", R, "ValidateStatefulSetSpec", "KL112",
        kinds=("StatefulSet",)),
    Row("concurrency-lower", ("spec", "concurrencyPolicy"), "forbid", R, "validateConcurrencyPolicy", "KL112",
        kinds=("CronJob",)),
    Row("path-type-lower", ("spec", "rules", "*", "http", "paths", "*", "pathType"), "prefix", R,
        "validateHTTPIngressPath: supportedPathTypes", "KL112"),
    Row("path-type-exact", ("spec", "rules", "*", "http", "paths", "*", "pathType"), "Exact", A,
        "validateHTTPIngressPath"),
    Row("session-affinity-lower", ("spec", "sessionAffinity"), "clientIP", R, "ValidateService", "KL112",
        kinds=("Service",)),
    Row("session-affinity-ok", ("spec", "sessionAffinity"), "ClientIP", A, "ValidateService", kinds=("Service",)),
    Row("service-type-typo", ("spec", "type"), "Nodeport", R, "ValidateService: supportedServiceType", "KL103",
        kinds=("Service",)),
    Row("service-type-nodeport", ("spec", "type"), "NodePort", _service_verdict,
        "ValidateService: clusterIPs[0] may not be 'None' for NodePort", kinds=("Service",)),
    Row("service-external-name", ("spec",), _external_name, _service_verdict,
        "ValidateService: ExternalName may not have clusterIPs", kinds=("Service",)),
    Row("service-etp-local", ("spec", "externalTrafficPolicy"), "Local", _not_external,
        "validateServiceExternalTrafficPolicy: only externally-accessible", "KL123", kinds=("Service",)),
    Row("service-node-port-external-name", ("spec",), _external_name_node_port, _service_verdict,
        "ValidateService: nodePort is only forbidden for ClusterIP", kinds=("Service",)),
    Row("service-lb-ranges", ("spec", "loadBalancerSourceRanges"), ["10.0.0.0/8"], _service_verdict,
        "ValidateService: LoadBalancerSourceRanges only for LoadBalancer", "KL123", kinds=("Service",)),
    Row("seccomp-lower", ("{pod}", "securityContext", "seccompProfile"), {"type": "runtimedefault"}, R,
        "validateSeccompProfileField: NotSupported", "KL112"),
    Row("seccomp-ok", ("{pod}", "securityContext", "seccompProfile"), {"type": "RuntimeDefault"}, A,
        "validateSeccompProfileField"),
    Row("seccomp-localhost-bare", ("{pod}", "securityContext", "seccompProfile"), {"type": "Localhost"}, R,
        "validateSeccompProfileField: localhostProfile Required", "KL129"),
    Row("seccomp-localhost-abs", ("{pod}", "securityContext", "seccompProfile"),
        {"type": "Localhost", "localhostProfile": "/etc/p.json"}, R, "validateLocalDescendingPath", "KL129"),
    Row("procmount-lower", POD_C + ("securityContext",), {"procMount": "unmasked"}, R, "ValidateProcMountType",
        "KL112"),
    Row("procmount-lower-1.32", POD_C + ("securityContext",), {"procMount": "unmasked"}, A,
        "dropDisabledProcMountField: ProcMountType off by default before 1.33", version="1.32"),
    Row("procmount-unmasked", POD_C + ("securityContext",), {"procMount": "Unmasked"}, R,
        "ValidateSecurityContext: `hostUsers` must be false to use `Unmasked`", "KL129"),
    Row("procmount-unmasked-user-ns", ("{pod}", "hostUsers"), _unmasked_in_user_namespace, A,
        "ValidateSecurityContext: Unmasked with hostUsers false"),
    Row("apparmor-lower", POD_C + ("securityContext",), {"appArmorProfile": {"type": "unconfined"}}, R,
        "validateAppArmorProfileField: NotSupported", "KL112"),
    # --- quantities (ValidateResourceQuantityValue, validateResourceRequirements) ----------------
    Row("cpu-words", POD_C + ("resources", "requests", "cpu"), "1 core", R, "resource.ParseQuantity", "KL116"),
    Row("cpu-milli", POD_C + ("resources", "requests", "cpu"), "500m", A, "resource.ParseQuantity"),
    Row("cpu-exponent", POD_C + ("resources", "limits", "cpu"), "1e3", A, "resource.ParseQuantity"),
    Row("memory-mb", POD_C + ("resources", "requests", "memory"), "512MB", R, "resource.ParseQuantity", "KL116"),
    Row("memory-negative", POD_C + ("resources", "requests", "memory"), "-1", R,
        "ValidateResourceQuantityValue: >= 0", "KL116"),
    Row("memory-over-limit", POD_C + ("resources", "requests", "memory"), "100Gi", _limit_below_request,
        "validateResourceRequirements: request <= limit", "KL116"),
    # --- numeric bounds ------------------------------------------------------------------------
    Row("replicas-negative", ("spec", "replicas"), -1, R, "ValidateDeploymentSpec/ValidateStatefulSetSpec: >= 0",
        "KL121", kinds=REPLICATED),
    Row("replicas-zero", ("spec", "replicas"), 0, A, "ValidateNonnegativeField", kinds=REPLICATED),
    Row("replicas-string", ("spec", "replicas"), "3", R, "replicas is int32 (decoding)", "KL010", kinds=REPLICATED),
    Row("history-negative", ("spec", "revisionHistoryLimit"), -1, R, "ValidateDeploymentSpec, ValidateDaemonSetSpec",
        "KL121", kinds=WORKLOADS),
    Row("surge-zero", ("spec", "strategy", "rollingUpdate", "maxSurge"), 0,
        lambda o, p: R if o["spec"]["strategy"]["rollingUpdate"].get("maxUnavailable") in (0, "0%") else A,
        "ValidateRollingUpdateDeployment: not both 0", "KL121"),
    Row("probe-period-negative", PROBE + ("periodSeconds",), -1, R, "validateProbe: ValidateNonnegativeField",
        "KL117"),
    Row("probe-period-zero", PROBE + ("periodSeconds",), 0, A, "validateProbe (0 is defaulted)"),
    Row("probe-timeout-negative", LIVE + ("timeoutSeconds",), -5, R, "validateProbe", "KL117"),
    Row("probe-failure-negative", PROBE + ("failureThreshold",), -1, R, "validateProbe", "KL117"),
    Row("liveness-success-2", LIVE + ("successThreshold",), 2, R, "validateLivenessProbe: must be 1", "KL117"),
    Row("readiness-success-3", PROBE + ("successThreshold",), 3, A, "validateReadinessProbe"),
    Row("readiness-grace", PROBE + ("terminationGracePeriodSeconds",), 10, R,
        "validateReadinessProbe: terminationGracePeriodSeconds not allowed", "KL117"),
    Row("run-as-user-negative", POD_C + ("securityContext",), {"runAsUser": -1}, R, "ValidateSecurityContext: IsValidUserID",
        "KL129"),
    Row("run-as-user-root", POD_C + ("securityContext",), {"runAsUser": 0}, A, "IsValidUserID"),
    Row("run-as-group-huge", POD_C + ("securityContext",), {"runAsGroup": 2147483648}, R, "IsValidGroupID", "KL129"),
    Row("privileged-no-escalation", POD_C + ("securityContext",), {"privileged": True, "allowPrivilegeEscalation": False},
        R, "ValidateSecurityContext: AllowPrivilegeEscalation false with privileged", "KL129"),
    Row("fs-group-negative", ("{pod}", "securityContext", "fsGroup"), -1, R, "validatePodSpecSecurityContext", "KL129"),
    Row("deadline-zero", ("{pod}", "activeDeadlineSeconds"), 0, R, "ValidatePodSpec: 1..MaxInt32", "KL128"),
    Row("grace-negative", ("{pod}", "terminationGracePeriodSeconds"), -1, A,
        "warningsForPodSpecAndMeta: negative grace period is a warning, treated as 1"),
    Row("job-backoff-negative", ("spec", "jobTemplate", "spec", "backoffLimit"), -1, R, "validateJobSpec", "KL121"),
    Row("job-parallelism-negative", ("spec", "jobTemplate", "spec", "parallelism"), -1, R, "validateJobSpec", "KL121"),
    Row("job-completions-negative", ("spec", "jobTemplate", "spec", "completions"), -1, R, "validateJobSpec", "KL121"),
    Row("cron-deadline-negative", ("spec", "startingDeadlineSeconds"), -1, R, "validateCronJobSpec", "KL121",
        kinds=("CronJob",)),
    Row("cron-history-negative", ("spec", "failedJobsHistoryLimit"), -1, R, "validateCronJobSpec", "KL121",
        kinds=("CronJob",)),
    Row("hpa-min-zero", ("spec", "minReplicas"), 0, R, "ValidateHorizontalPodAutoscalerSpec (HPAScaleToZero off)",
        "KL125", kinds=("HorizontalPodAutoscaler",)),
    Row("hpa-min-over-max", ("spec", "minReplicas"), 13, R, "ValidateHorizontalPodAutoscalerSpec", "KL125",
        kinds=("HorizontalPodAutoscaler",)),
    Row("pdb-percent-150", ("spec", "minAvailable"), "150%", R, "ValidatePodDisruptionBudgetSpec", "KL126",
        kinds=("PodDisruptionBudget",)),
    Row("pdb-percent-50", ("spec", "minAvailable"), "50%", A, "ValidatePodDisruptionBudgetSpec",
        kinds=("PodDisruptionBudget",)),
    Row("service-port-0", ("spec", "ports", "*", "port"), 0, R, "validateServicePort: IsValidPortNum", "KL123",
        kinds=("Service",)),
    Row("service-target-0", ("spec", "ports", "*", "targetPort"), 0, A,
        "SetDefaults_Service: targetPort 0 becomes port", kinds=("Service",)),
    Row("service-target-empty", ("spec", "ports", "*", "targetPort"), "", A,
        "SetDefaults_Service: an empty targetPort becomes port", kinds=("Service",)),
    Row("service-target-70000", ("spec", "ports", "*", "targetPort"), 70000, R, "ValidatePortNumOrName", "KL123",
        kinds=("Service",)),
    Row("service-node-port-cluster-ip", ("spec", "ports", "*", "nodePort"), 30080, _service_verdict,
        "ValidateService: nodePort may not be used when type is ClusterIP", "KL101", kinds=("Service",)),
    Row("surge-200", ("spec", "strategy", "rollingUpdate", "maxSurge"), "200%", A,
        "ValidateRollingUpdateDeployment: only maxUnavailable is capped at 100%"),
    Row("unavailable-150", ("spec", "strategy", "rollingUpdate", "maxUnavailable"), "150%", R,
        "ValidateRollingUpdateDeployment: IsNotMoreThan100Percent", "KL121"),
    Row("unavailable-no-percent", ("spec", "strategy", "rollingUpdate", "maxUnavailable"), "5", R,
        "ValidatePositiveIntOrPercent", "KL121"),
    Row("min-ready-negative", ("spec", "minReadySeconds"), -1, R, "ValidateDeploymentSpec: ValidateNonnegativeField",
        "KL121", kinds=("Deployment", "StatefulSet")),
    Row("host-port-0", POD_C + ("ports", "*", "hostPort"), 0, A, "validateContainerPorts: hostPort 0 is unset"),
    Row("host-port-70000", POD_C + ("ports", "*", "hostPort"), 70000, R, "validateContainerPorts: IsValidPortNum",
        "KL113"),
    Row("service-port-name-upper", ("spec", "ports", "*", "name"), "HTTP", R, "validateServicePort: ValidateDNS1123Label",
        "KL123", kinds=("Service",)),
    Row("annotation-key-space", ("metadata", "annotations"), _add("bad key", "x"), R,
        "ValidateAnnotations: IsQualifiedName", "KL105"),
    Row("init-name-clash", ("{pod}", "initContainers", "*", "name"), "web", _init_clash,
        "validateInitContainers: names unique across init and regular containers", "KL110"),
    Row("pvc-storage-space", ("spec", "volumeClaimTemplates", "*", "spec", "resources", "requests", "storage"),
        "20 Gi", R, "resource.ParseQuantity (decoding)", "KL116"),
    Row("empty-dir-size-words", ("{pod}", "volumes", "*", "emptyDir", "sizeLimit"), "1 GB", R,
        "resource.ParseQuantity (decoding)", "KL116"),
    Row("env-value-and-value-from", POD_C + ("env", "*", "valueFrom"),
        _add("configMapKeyRef", {"name": "c", "key": "k"}), R,
        "validateEnvVarValueFrom: may not have more than one field specified at a time", "KL131"),
    Row("service-account-upper", ("{pod}", "serviceAccountName"), "Web", R,
        "ValidatePodSpec: ValidateServiceAccountName (DNS subdomain)", "KL128"),
    Row("hostname-dot", ("{pod}", "hostname"), "web.local", R, "ValidatePodSpec: hostname is a DNS-1123 label", "KL128"),
    Row("node-selector-bad-value", ("{pod}", "nodeSelector"), {"disk": "-ssd"}, R, "ValidatePodSpec: ValidateLabels", "KL105"),
    Row("toleration-empty-effect", ("{pod}", "tolerations"), [{"key": "k", "operator": "Exists", "effect": ""}], A,
        "validateTaintEffect(allowEmpty=true)"),
    Row("env-value-from-empty", POD_C + ("env", "*", "valueFrom"), {}, R,
        "validateEnvVarValueFrom: must specify one of", "KL131"),
    Row("toleration-operator-lower", ("{pod}", "tolerations"), [{"key": "k", "operator": "exists"}], R,
        "ValidateTolerations: NotSupported", "KL112"),
    Row("ds-surge-with-default-unavailable", ("spec", "updateStrategy", "rollingUpdate"), {"maxSurge": 1}, R,
        "ValidateRollingUpdateDaemonSet: exactly one non-zero (maxUnavailable defaults to 1)", "KL121",
        kinds=("DaemonSet",)),
    Row("ds-surge-only", ("spec", "updateStrategy", "rollingUpdate"), {"maxSurge": 1, "maxUnavailable": 0}, A,
        "ValidateRollingUpdateDaemonSet", kinds=("DaemonSet",)),
    Row("ds-unavailable-zero", ("spec", "updateStrategy", "rollingUpdate"), {"maxUnavailable": 0}, R,
        "ValidateRollingUpdateDaemonSet: cannot be 0 when maxSurge is 0", "KL121", kinds=("DaemonSet",)),
    Row("sidecar-probe", ("{pod}", "initContainers", "*", "readinessProbe", "periodSeconds"), 5, A,
        "validateInitContainers: probes allowed on restartPolicy=Always init containers"),
    Row("sidecar-restart-never", ("{pod}", "initContainers", "*", "restartPolicy"), DELETE,
        lambda o, p: R if "readinessProbe" in _parent_of(o, p) else A,
        "validateInitContainers: probes forbidden without restartPolicy=Always", "KL117"),
    Row("dns-none-no-nameservers", ("{pod}", "dnsConfig", "nameservers"), DELETE,
        lambda o, p: R if _parent_of(o, p[:-1]).get("dnsPolicy") == "None" else A,
        "validatePodDNSConfig: a nameserver when dnsPolicy is None", "KL128"),
    Row("dns-nameserver-name", ("{pod}", "dnsConfig", "nameservers", "*"), "dns.local", R,
        "validatePodDNSConfig: IsValidIP", "KL128"),
    Row("lb-health-check", ("spec", "healthCheckNodePort"), 30999,
        lambda o, p: A if o["spec"].get("type") == "LoadBalancer" and o["spec"].get("externalTrafficPolicy") == "Local" else R,
        "validateServiceExternalTrafficPolicy: healthCheckNodePort only for LoadBalancer + Local", kinds=("Service",)),
    Row("lb-to-cluster-ip", ("spec", "type"), "ClusterIP", _service_verdict,
        "validateServiceExternalTrafficPolicy, ValidateService: LoadBalancer-only fields", kinds=("Service",)),
    Row("job-ttl-negative", ("spec", "ttlSecondsAfterFinished"), -1, R, "validateJobSpec", "KL121", kinds=("Job",)),
    Row("job-deadline-negative", ("spec", "activeDeadlineSeconds"), -1, R, "validateJobSpec", "KL121", kinds=("Job",)),
    Row("http-scheme-lower", POD_C + ("livenessProbe", "httpGet", "scheme"), "https", R,
        "validateHTTPGetAction: supportedHTTPSchemes", "KL112"),
    Row("toleration-effect-typo", ("{pod}", "tolerations", "*", "effect"), "NoExec", R,
        "validateTaintEffect: NotSupported", "KL112"),
    # --- cron schedules (validateScheduleFormat: robfig/cron v3 ParseStandard) ------------------
    *[Row(f"cron-{label}", ("spec", "schedule"), value, verdict, "validateScheduleFormat: cron.ParseStandard",
          "KL122" if verdict == R else None, kinds=("CronJob",))
      for label, value, verdict in (("dow-7", "0 0 * * 7", R), ("dow-0", "0 0 * * 0", A), ("minute-60", "60 * * * *", R),
                                    ("names", "0 0 * JAN MON-FRI", A), ("daily", "@daily", A), ("step", "*/15 * * * *", A),
                                    ("seconds", "0 0 0 * * *", R), ("tz", "TZ=UTC 0 * * * *", R))],
    # --- Ingress (validateIngressRules, validateIngressTLS, validateHTTPIngressPath) -------------
    Row("ingress-host-ip", ("spec", "rules", "*", "host"), "10.0.0.1", R, "validateIngressRules: not an IP", "KL124"),
    Row("ingress-host-upper", ("spec", "rules", "*", "host"), "Shop.example.com", R,
        "validateIngressRules: IsDNS1123Subdomain", "KL124"),
    Row("ingress-host-wildcard", ("spec", "rules", "*", "host"), "*.example.com", A,
        "validateIngressRules: IsWildcardDNS1123Subdomain"),
    Row("ingress-tls-host-upper", ("spec", "tls", "*", "hosts", "*"), "*.Example.com", R,
        "validateIngressTLS: IsWildcardDNS1123Subdomain", "KL124"),
    Row("ingress-path-relative", ("spec", "rules", "*", "http", "paths", "*", "path"), "api", R,
        "validateHTTPIngressPath: absolute for Prefix/Exact", "KL124"),
    # --- volumes and mounts (ValidateVolumeMounts, validateLocalDescendingPath) ------------------
    Row("mount-path-empty", POD_C + ("volumeMounts", "*", "mountPath"), "", R, "ValidateVolumeMounts: Required",
        "KL114"),
    Row("mount-path-delete", POD_C + ("volumeMounts", "*", "mountPath"), DELETE, R, "VolumeMount.mountPath required",
        "KL010"),
    Row("sub-path-absolute", POD_C + ("volumeMounts", "*", "subPath"), "/etc", R, "validateLocalDescendingPath",
        "KL114"),
    Row("sub-path-up", POD_C + ("volumeMounts", "*", "subPath"), "../x", R, "validatePathNoBacksteps", "KL114"),
    Row("sub-path-ok", POD_C + ("volumeMounts", "*", "subPath"), "a..b/c", A, "validateLocalDescendingPath"),
    Row("volume-name-upper", ("{pod}", "volumes", "*", "name"), "Config", R, "ValidateVolumes: IsDNS1123Label", "KL114"),
    # --- required fields and types ----------------------------------------------------------------
    Row("image-delete", POD_C + ("image",), DELETE, R, "validateContainerCommon: image Required", "KL111"),
    Row("image-number", POD_C + ("image",), 123, R, "image is a string (decoding)", "KL010"),
    Row("containers-empty", ("{pod}", "containers"), [], R, "validateContainers: Required", "KL128"),
    Row("selector-delete", ("spec", "selector"), DELETE, R, "ValidateDeploymentSpec: selector Required", "KL010",
        kinds=WORKLOADS),
    Row("service-ports-delete", ("spec", "ports"), DELETE, lambda o, p: A if _headless(o, p) else R,
        "ValidateService: ports Required unless headless", kinds=("Service",)),
    Row("schedule-delete", ("spec", "schedule"), DELETE, R, "validateCronJobSpec: schedule Required", "KL010",
        kinds=("CronJob",)),
    Row("hpa-max-delete", ("spec", "maxReplicas"), DELETE, R, "HPA spec.maxReplicas required", "KL010",
        kinds=("HorizontalPodAutoscaler",)),
    # --- status is ignored on create and update (each strategy's PrepareForCreate) ------------------
    Row("status-empty", ("status",), {}, A, "PrepareForCreate resets status",
        kinds=("Deployment", "StatefulSet", "HorizontalPodAutoscaler", "PodDisruptionBudget", "CronJob", "Service")),
    Row("status-conditions", ("status",), {"conditions": [{"type": "Ready"}]}, A, "PrepareForCreate resets status",
        kinds=("Deployment", "StatefulSet", "HorizontalPodAutoscaler", "PodDisruptionBudget")),
    Row("status-wrong-type", ("status",), {"observedGeneration": "x"}, R, "status is still decoded", "KL010",
        kinds=("Deployment", "StatefulSet", "PodDisruptionBudget")),
]

FIXTURE_FILES = [os.path.join(FIXTURES, "realistic-app.yaml"), os.path.join(FIXTURES, "realistic-batch.yaml")] + [
    os.path.join(EXAMPLES, f) for f in sorted(os.listdir(EXAMPLES)) if f.endswith(".yaml")]

_SETTING = os.environ.get("KUBELINT_MUTATIONS", "")
BUDGET = None if _SETTING == "all" else int(_SETTING) if _SETTING else 240
SEED = int(os.environ.get("KUBELINT_MUTATION_SEED", "0"))


def test_table_rows_are_distinct_and_cited():
    names = [row.name for row in TABLE]
    assert len(names) == len(set(names))
    assert all(row.go and row.verdict for row in TABLE)


def test_every_row_applies_somewhere():
    """A row that matches no fixture tests nothing: the fixtures must cover the table."""
    fixtures = load_fixtures(FIXTURE_FILES)
    covered = {case.row.name for case in cases(fixtures, TABLE)}
    assert [row.name for row in TABLE if row.name not in covered] == []


def test_mutations_agree_with_the_api_server(tmp_path):
    fixtures = load_fixtures(FIXTURE_FILES)
    selected = sample(cases(fixtures, TABLE), BUDGET, SEED)
    problems = evaluate(selected, fixtures, str(tmp_path))
    assert problems == [], f"{len(problems)} of {len(selected)} mutations disagree:\n" + "\n".join(problems)


def test_engine_detects_a_disagreement(tmp_path):
    """The engine itself: a row whose verdict is wrong on purpose must be reported."""
    fixtures = load_fixtures([os.path.join(FIXTURES, "realistic-app.yaml")])
    wrong = [Row("wrong-on-purpose", ("spec", "replicas"), -1, A, "none", kinds=("Deployment",)),
             Row("wrong-code", ("spec", "replicas"), -1, R, "none", "KL999", kinds=("Deployment",))]
    problems = evaluate(cases(fixtures, wrong), fixtures, str(tmp_path))
    assert len(problems) == 2
    assert "the API server would accept, kubelint says reject (KL121" in problems[0]
    assert "not by KL999" in problems[1]
