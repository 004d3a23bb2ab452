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
    # ValidateJob: the name is the value of the generated job-name label (at most 63 characters)
    ("apiVersion: batch/v1\nkind: Job\nmetadata: {name: " + "j" * 64 + "}\nspec:\n  template:\n"
     "    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: i}]\n", ("KL104", 3, 18),
     "must be no more than 63 characters (it becomes the value of the pods' batch.kubernetes.io/job-name label)"),
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
    # AccumulateUniqueHostPorts: the regular containers share host ports (protocol/hostIP/port)
    (POD.format(extra="      ports: [{containerPort: 80, hostPort: 8080}]\n    - name: proxy\n"
                      "      image: envoyproxy/envoy:v1.31.0\n"
                      "      ports: [{containerPort: 81, hostPort: 8080}]\n"), ("KL113", 12, 45),
     'spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080" (hostPort 8080/TCP is '
     "already spec.containers[0].ports[0]'s)"),
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
    # validateContainers: at least one container
    ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: []\n", ("KL128", 5, 15),
     "spec.containers: Required value"),
    # validatePodDNSConfig: dnsPolicy None needs dnsConfig, with a nameserver
    (POD.format(extra="  dnsPolicy: None\n"), ("KL128", 9, 14),
     "spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"),
    (POD.format(extra="  dnsPolicy: None\n  dnsConfig: {searches: [a.local]}\n"), ("KL128", 10, 3),
     "spec.dnsConfig.nameservers: Required value: must provide at least one DNS nameserver"),
    (POD.format(extra="  dnsConfig: {nameservers: [dns.local]}\n"), ("KL128", 9, 29),
     'spec.dnsConfig.nameservers[0]: Invalid value: "dns.local": must be a valid IP address'),
    # ValidatePodSpec: activeDeadlineSeconds 1..MaxInt32
    (POD.format(extra="  activeDeadlineSeconds: 0\n"), ("KL128", 9, 26),
     "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"),
    # ValidateSecurityContext / validatePodSpecSecurityContext: IsValidUserID, IsValidGroupID
    (POD.format(extra="      securityContext: {runAsUser: -1}\n"), ("KL129", 9, 36),
     "spec.containers[0].securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive"),
    (POD.format(extra="  securityContext:\n    runAsGroup: -5\n"), ("KL129", 10, 17),
     "spec.securityContext.runAsGroup: Invalid value: -5: must be between 0 and 2147483647"),
    (POD.format(extra="  securityContext:\n    fsGroup: -1\n"), ("KL129", 10, 14),
     "spec.securityContext.fsGroup: Invalid value: -1"),
    # validateSeccompProfileField: Localhost needs localhostProfile
    (POD.format(extra="  securityContext:\n    seccompProfile: {type: Localhost}\n"), ("KL129", 10, 5),
     "spec.securityContext.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost"),
    # ValidateSecurityContext: privileged and no privilege escalation
    (POD.format(extra="      securityContext: {privileged: true, allowPrivilegeEscalation: false}\n"), ("KL129", 9, 69),
     "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"),
    # ValidateProcMountType, validateSeccompProfileField, validateAppArmorProfileField: case-sensitive
    (POD.format(extra="      securityContext: {procMount: unmasked}\n"), ("KL112", 9, 36),
     'spec.containers[0].securityContext.procMount: Unsupported value: "unmasked": supported values: '
     '"Default", "Unmasked"; did you mean "Unmasked"?'),
    (POD.format(extra="  securityContext:\n    seccompProfile: {type: runtimeDefault}\n"), ("KL112", 10, 28),
     'spec.securityContext.seccompProfile.type: Unsupported value: "runtimeDefault": supported values: '
     '"Localhost", "RuntimeDefault", "Unconfined"; did you mean "RuntimeDefault"?'),
    (POD.format(extra="      securityContext:\n        appArmorProfile: {type: unconfined}\n"), ("KL112", 10, 33),
     'spec.containers[0].securityContext.appArmorProfile.type: Unsupported value: "unconfined"'),
    # ValidateVolumeMounts: mountPath Required; validateLocalDescendingPath for subPath
    (POD.format(extra="      volumeMounts: [{name: d, mountPath: ''}]\n  volumes: [{name: d, emptyDir: {}}]\n"),
     ("KL114", 9, 43), "spec.containers[0].volumeMounts[0].mountPath: Required value"),
    (POD.format(extra="      volumeMounts: [{name: d, mountPath: /d, subPath: /etc}]\n  volumes: [{name: d, emptyDir: {}}]\n"),
     ("KL114", 9, 56), 'spec.containers[0].volumeMounts[0].subPath: Invalid value: "/etc": must be a relative path'),
    (POD.format(extra="      volumeMounts: [{name: d, mountPath: /d, subPath: a/../../b}]\n  volumes: [{name: d, emptyDir: {}}]\n"),
     ("KL114", 9, 56), "must not contain '..'"),
    # validateProbe: non-negative counts; validateLivenessProbe: successThreshold 1
    (POD.format(extra="      readinessProbe: {tcpSocket: {port: 80}, periodSeconds: -1}\n"), ("KL117", 9, 62),
     "spec.containers[0].readinessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0"),
    (POD.format(extra="      livenessProbe: {tcpSocket: {port: 80}, successThreshold: 3}\n"), ("KL117", 9, 64),
     "spec.containers[0].livenessProbe.successThreshold: Invalid value: 3: must be 1"),
    (POD.format(extra="      startupProbe: {exec: {command: [\"true\"]}, terminationGracePeriodSeconds: 0}\n"), ("KL117", 9, 80),
     "terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0"),
    # validateInitContainers: no probes on init containers unless restartPolicy Always
    (POD.format(extra="  initContainers:\n    - name: init\n      image: busybox:1.36\n"
                      "      readinessProbe: {exec: {command: [\"true\"]}}\n"), ("KL117", 12, 7),
     "spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always"),
    # validateJobSpec: non-negative counts (Jobs and CronJob job templates)
    ("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  backoffLimit: -1\n  template:\n"
     "    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: i}]\n", ("KL121", 5, 17),
     "spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0"),
    ("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: \"0 * * * *\"\n"
     "  jobTemplate:\n    spec:\n      parallelism: -2\n      template:\n        spec:\n          restartPolicy: Never\n"
     "          containers: [{name: c, image: i}]\n", ("KL121", 8, 20),
     "spec.jobTemplate.spec.parallelism: Invalid value: -2: must be greater than or equal to 0"),
    ("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  completions: -1\n  template:\n"
     "    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: i}]\n", ("KL121", 5, 16),
     "spec.completions: Invalid value: -1"),
    # ValidateService: ExternalName has no cluster IP; externalTrafficPolicy only when externally accessible
    (SVC.format(spec="  type: ExternalName\n  externalName: db.example.com\n  clusterIP: 10.0.0.5\n"), ("KL123", 8, 3),
     "spec.clusterIP: Forbidden: may not be set for ExternalName services"),
    (SVC.format(spec="  externalTrafficPolicy: Local\n  ports: [{port: 80}]\n"), ("KL123", 6, 26),
     'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services'),
    (SVC.format(spec="  type: NodePort\n  loadBalancerSourceRanges: [10.0.0.0/8]\n  ports: [{port: 80}]\n"), ("KL123", 7, 3),
     "spec.loadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'"),
    (SVC.format(spec="  type: LoadBalancer\n  healthCheckNodePort: 30001\n  ports: [{port: 80}]\n"), ("KL123", 7, 24),
     "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"),
    (SVC.format(spec="  sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}\n  ports: [{port: 80}]\n"), ("KL123", 6, 3),
     "spec.sessionAffinityConfig: Forbidden: must not be set when session affinity is None"),
    # validateIngressRules: a DNS name, not an IP address; lower case
    ("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec:\n  rules:\n"
     "    - host: 10.0.0.1\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n"
     "            backend: {service: {name: s, port: {number: 80}}}\n",
     ("KL124", 6, 13), 'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address'),
    ("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec:\n  rules:\n"
     "    - host: Shop.Example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n"
     "            backend: {service: {name: s, port: {number: 80}}}\n",
     ("KL124", 6, 13), 'spec.rules[0].host: Invalid value: "Shop.Example.com": a lowercase RFC 1123 subdomain'),
    ("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec:\n  tls:\n"
     "    - hosts: [\"*.Example.com\"]\n      secretName: t\n",
     ("KL124", 6, 15), 'spec.tls[0].hosts[0]: Invalid value: "*.Example.com": a wildcard DNS-1123 subdomain'),
    # warningsForPodSpecAndMeta (warnings): env var hiding an earlier one; duplicate container ports
    (POD.format(extra="      env:\n        - {name: A, value: x}\n        - {name: A, value: z}\n"), ("KL130", 11, 18),
     'spec.containers[0].env[1]: hides previous definition of "A", which may be dropped when using apply; '
     "server-side apply rejects duplicate keys"),
    (POD.format(extra="      ports:\n        - {name: a, containerPort: 80}\n        - {name: b, containerPort: 80}\n"),
     ("KL130", 11, 36), "spec.containers[0].ports[1]: duplicate port definition with spec.containers[0].ports[0]"),
    # ValidatePodSpec: names by format (serviceAccountName, hostname)
    (POD.format(extra="  serviceAccountName: Web_SA\n"), ("KL128", 9, 23),
     'spec.serviceAccountName: Invalid value: "Web_SA": a lowercase RFC 1123 subdomain'),
    (POD.format(extra="  hostname: web.local\n"), ("KL128", 9, 13),
     'spec.hostname: Invalid value: "web.local": a lowercase RFC 1123 label'),
    # ValidatePodSpec: nodeSelector is a label map
    (POD.format(extra="  nodeSelector: {disk: -ssd}\n"), ("KL105", 9, 24),
     'spec.nodeSelector: Invalid value: "-ssd"'),
    # ValidateTolerations: operator values (empty means Equal)
    (POD.format(extra="  tolerations: [{key: k, operator: exists}]\n"), ("KL112", 9, 36),
     'spec.tolerations[0].operator: Unsupported value: "exists": supported values: "Equal", "Exists"; did you mean "Exists"?'),
    # validateEnvVarValueFrom: one source, no value alongside
    (POD.format(extra="      env:\n        - name: A\n          value: x\n          valueFrom: {fieldRef: {fieldPath: metadata.name}}\n"),
     ("KL131", 12, 11), "spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty"),
    (POD.format(extra="      envFrom: [{configMapRef: {name: a}, secretRef: {name: b}}]\n"), ("KL131", 9, 17),
     "spec.containers[0].envFrom: Invalid value: \"\": may not have more than one field specified at a time"),
    # resource.ParseQuantity: emptyDir sizeLimit and volumeClaimTemplates storage are quantities too
    (POD.format(extra="  volumes: [{name: d, emptyDir: {sizeLimit: 1 GB}}]\n"), ("KL116", 9, 45),
     'spec.volumes[0].emptyDir.sizeLimit: Invalid value: "1 GB"'),
    # ValidateService: more type-dependent fields
    (SVC.format(spec="  type: ExternalName\n  externalName: db.example.com\n  ipFamilyPolicy: SingleStack\n"), ("KL123", 8, 3),
     "spec.ipFamilyPolicy: Forbidden: may not be set for ExternalName services"),
    (SVC.format(spec="  type: ExternalName\n  externalName: DB.example.com\n"), ("KL123", 7, 17),
     'spec.externalName: Invalid value: "DB.example.com": a lowercase RFC 1123 subdomain'),
    (SVC.format(spec="  loadBalancerClass: example.com/lb\n  ports: [{port: 80}]\n"), ("KL123", 6, 3),
     "spec.loadBalancerClass: Forbidden: may only be used when `type` is 'LoadBalancer'"),
    (SVC.format(spec="  externalIPs: [203.0.113.300]\n  ports: [{port: 80}]\n"), ("KL123", 6, 17),
     'spec.externalIPs[0]: Invalid value: "203.0.113.300": must be a valid IP address'),
    # validatePodDNSConfig: at most 3 nameservers
    (POD.format(extra="  dnsConfig: {nameservers: [10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4]}\n"), ("KL128", 9, 15),
     "spec.dnsConfig.nameservers: Invalid value: must not have more than 3 nameservers"),
    # validateExecAction: command Required; ephemeral containers have no probes
    (POD.format(extra="      livenessProbe: {exec: {}}\n"), ("KL117", 9, 23),
     "spec.containers[0].livenessProbe.exec.command: Required value"),
    (POD.format(extra="  ephemeralContainers:\n    - name: debug\n      image: busybox:1.36\n"
                      "      readinessProbe: {exec: {command: [cat]}}\n"), ("KL117", 12, 7),
     "spec.ephemeralContainers[0].readinessProbe: Forbidden: cannot be set for an Ephemeral Container"),
    # validateAppArmorProfileField: Localhost needs localhostProfile
    (POD.format(extra="      securityContext:\n        appArmorProfile: {type: Localhost}\n"), ("KL129", 10, 9),
     "spec.containers[0].securityContext.appArmorProfile.localhostProfile: Required value: must be set when AppArmor type is Localhost"),
    # ValidateJobTemplateSpec: the selector is generated
    ("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: \"0 * * * *\"\n"
     "  jobTemplate:\n    spec:\n      selector: {matchLabels: {a: b}}\n      template:\n        spec:\n"
     "          restartPolicy: Never\n          containers: [{name: c, image: i}]\n", ("KL121", 8, 7),
     "spec.jobTemplate.spec.selector: Invalid value: `selector` will be auto-generated"),
    # ValidateRollingUpdateDaemonSet: exactly one of maxSurge/maxUnavailable non-zero, after defaults
    (("apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {a: b}}\n"
     "  updateStrategy: {rollingUpdate: %s}\n  template:\n    metadata: {labels: {a: b}}\n"
     "    spec:\n      containers: [{name: c, image: i}]\n") % "{maxSurge: 1}", ("KL121", 6, 46),
     'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero (unset, it defaults to 1)'),
    (("apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {a: b}}\n"
     "  updateStrategy: {rollingUpdate: %s}\n  template:\n    metadata: {labels: {a: b}}\n"
     "    spec:\n      containers: [{name: c, image: i}]\n") % "{maxUnavailable: 0}", ("KL121", 6, 52),
     "spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"),
    # ValidateSecurityContext: Unmasked /proc only in a user namespace (ProcMountType, on from 1.33)
    (POD.format(extra="      securityContext: {procMount: Unmasked}\n"), ("KL129", 9, 36),
     'spec.containers[0].securityContext.procMount: Invalid value: "Unmasked": `hostUsers` must be false to use `Unmasked`'),
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


ACCEPTED = [
    # SetDefaults_Service: a targetPort of 0 or "" becomes the port before validation
    SVC.format(spec="  ports: [{port: 80, targetPort: 0}, {name: b, port: 81, targetPort: ''}]\n").replace(
        "{port: 80", "{name: a, port: 80"),
    # ValidateService checks nodePort only on ClusterIP Services
    SVC.format(spec="  type: ExternalName\n  externalName: db.example.com\n  ports: [{port: 80, nodePort: 30080}]\n"),
    # ValidateRollingUpdateDeployment caps maxUnavailable at 100%, not maxSurge
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {a: b}}\n"
    "  strategy: {rollingUpdate: {maxSurge: 200%}}\n  template:\n    metadata: {labels: {a: b}}\n"
    "    spec:\n      containers: [{name: c, image: i}]\n",
    # validateTaintEffect(allowEmpty): an empty effect and operator are valid
    POD.format(extra="  tolerations: [{key: k, operator: '', effect: ''}]\n"),
    # warningsForPodSpecAndMeta: X: "$(X)..." builds on the earlier value, no warning
    POD.format(extra="      env:\n        - {name: P, value: /a}\n        - {name: P, value: '$(P):/b'}\n"),
    # procMount Unmasked in a user namespace
    POD.format(extra="      securityContext: {procMount: Unmasked}\n  hostUsers: false\n"),
    # validateLivenessProbe: successThreshold 0 is defaulted to 1
    POD.format(extra="      livenessProbe: {tcpSocket: {port: 80}, successThreshold: 0, periodSeconds: 0}\n"),
]


def test_procmount_follows_the_feature_gate(tmp_path):
    """Before 1.33 the API server drops procMount unvalidated (ProcMountType off by default)."""
    text = POD.format(extra="      securityContext: {procMount: unmasked}\n")
    assert lint_text(tmp_path, text, kubernetes_version="1.32").findings == []
    assert positions(lint_text(tmp_path, text, kubernetes_version="1.33")) == [("KL112", 9, 36)]


@pytest.mark.parametrize("text", ACCEPTED, ids=[f"accepted{i}" for i in range(len(ACCEPTED))])
def test_what_the_api_server_accepts(tmp_path, text):
    result = lint_text(tmp_path, text)
    assert result.findings == [], [(f.code, f.line, f.column, f.message) for f in result.findings]
