"""The reference graph (kubelint/graph.py) and its rules KL201-KL219: each family at exact
positions (caret lines `#   ^` under the column of the line above), the "outside the input"
convention, the closest candidate, related locations, and re-creations of the situations of
kube-linter's cross-object checks (dangling-service, dangling-ingress, dangling-hpa,
dangling-networkpolicy, dangling-networkpolicypeer-podselector, non-existent-service-account,
mismatching-selector, pdb-max-unavailable, pdb-min-available). Written from the situations,
not copied from kube-linter's fixtures."""

import os

import pytest

from kubelint.engine import Settings, run

from .conftest import FIXTURES
from .test_rule_examples import expected_marks


def lint(tmp_path, text, **settings):
    path = tmp_path / "app.yaml"
    path.write_text(text)
    settings.setdefault("select", ["ALL"])
    return run([str(path)], Settings(**settings))


def found(result, code):
    return sorted((f.line, f.column) for f in result.findings if f.code == code)


def messages(result, code):
    return [f.message for f in result.findings if f.code == code]


DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {ns}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
        - name: {name}
          image: nginx:1.27
          ports: [{{name: http, containerPort: 8080}}]
"""


def deploy(name="web", ns="default", replicas=2):
    return DEPLOY.format(name=name, ns=ns, replicas=replicas)


# (id, code, manifest with caret marks, extra settings, substring of the first message)
CASES = [
    # --- KL201: kube-linter dangling-service -------------------------------------------------
    ("dangling-service", "KL201", deploy() + """---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: wbe}
# ^
  ports: [{port: 80, targetPort: http}]
""", {}, "closest: Deployment web (template labels: app=web; `app` is \"web\", not \"wbe\")"),
    ("service-statefulset-pod-name-is-added-by-the-controller", "KL201", """apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: "postgres:16"}]}
---
apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{port: 5432}]
---
apiVersion: v1
kind: Service
metadata: {name: db-0}
spec:
  selector: {app: db, statefulset.kubernetes.io/pod-name: db-0, apps.kubernetes.io/pod-index: "0"}
  ports: [{port: 5432}]
---
# a Deployment's pods get no pod-name label: this one selects nothing
apiVersion: v1
kind: Service
metadata: {name: db-1}
spec:
  selector: {app: web, statefulset.kubernetes.io/pod-name: web-1}
# ^
  ports: [{port: 5432}]
---
""" + deploy(), {}, "`statefulset.kubernetes.io/pod-name` missing"),
    ("service-selects-job-pods-by-job-name", "KL201", """apiVersion: batch/v1
kind: Job
metadata: {name: seed}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: seed, image: "busybox:1.36"}]
---
apiVersion: v1
kind: Service
metadata: {name: seed}
spec:
  selector: {batch.kubernetes.io/job-name: seed}
  ports: [{port: 80}]
""", {}, None),
    # kube-prometheus' Services for scraping the control plane's static pods (kind's e2e
    # cluster, beside a DaemonSet of kube-system): every kubeadm cluster runs them
    ("service-selects-the-clusters-own-pods", "KL201", """apiVersion: apps/v1
kind: DaemonSet
metadata: {name: kube-router, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: kube-router}}
  template:
    metadata: {labels: {k8s-app: kube-router}}
    spec: {containers: [{name: r, image: "cloudnativelabs/kube-router:v2.1"}]}
---
apiVersion: v1
kind: Service
metadata: {name: kube-controller-manager-prometheus-discovery, namespace: kube-system}
spec:
  selector: {component: kube-controller-manager}
  ports: [{name: https-metrics, port: 10257}]
---
apiVersion: v1
kind: Service
metadata: {name: kube-dns-upstream, namespace: kube-system}
spec:
  selector: {k8s-app: kube-dns}
  ports: [{port: 53, protocol: UDP}]
---
# a typo is still one
apiVersion: v1
kind: Service
metadata: {name: kube-scheduler, namespace: kube-system}
spec:
  selector: {component: kube-schedular, tier: control-plane}
# ^
  ports: [{port: 10259}]
""", {}, "Service selector component=kube-schedular, tier=control-plane matches no Pod"),
    ("service-selects-rollout-pods", "KL201", """apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.27"}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web, rollouts-pod-template-hash: 6d8f9c}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: web-typo}
spec:
  selector: {app: wbe}
# ^
  ports: [{port: 80}]
""", {"ignore": ["KL015"]}, "closest: Rollout web"),
    # argo-rollouts' rollout-canary-preview example: an experiment step runs the pods relabelled
    # for a preview Service; a selector no phase matches is still reported
    ("service-selects-rollout-experiment-pods", "KL201", """apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec: {containers: [{name: web, image: "nginx:1.27"}]}
  strategy:
    canary:
      steps:
      - setWeight: 20
      - experiment:
          templates:
          - name: preview
            specRef: canary
            selector: {matchLabels: {app: web-preview}}
            metadata: {labels: {app: web-preview}}
---
apiVersion: v1
kind: Service
metadata: {name: web-preview}
spec:
  selector: {app: web-preview, tier: front}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: web-staging}
spec:
  selector: {app: web-staging}
# ^
  ports: [{port: 80}]
""", {"ignore": ["KL015"]}, "closest: Rollout web"),
    ("service-selects-alertmanager-pods", "KL201", """apiVersion: monitoring.coreos.com/v1
kind: Alertmanager
metadata: {name: main, namespace: monitoring}
spec:
  replicas: 3
---
apiVersion: v1
kind: Service
metadata: {name: alertmanager-main, namespace: monitoring}
spec:
  selector: {app.kubernetes.io/name: alertmanager, alertmanager: main}
  ports: [{port: 9093}]
---
apiVersion: v1
kind: Service
metadata: {name: alertmanager-other, namespace: monitoring}
spec:
  selector: {alertmanager: other}
# ^
  ports: [{port: 9093}]
""", {"ignore": ["KL015"]}, "closest: Alertmanager main"),
    ("pods-elsewhere-are-not-reported", "KL201", """apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
""", {}, None),
    ("namespaces-are-separate", "KL201", deploy(ns="a") + "---\n" + deploy(name="api", ns="b") + """---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: b}
spec:
  selector: {app: web}
# ^
  ports: [{port: 80}]
""", {}, "namespace `b`"),
    # --- KL202: kube-linter dangling-ingress ----------------------------------------------------
    ("dangling-ingress", "KL202", deploy() + """---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Secret
metadata: {name: other-tls}
type: kubernetes.io/tls
stringData: {tls.crt: x, tls.key: y}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  ingressClassName: ngnix
#                   ^
  defaultBackend:
    service: {name: web, port: {name: https}}
#                                     ^
  tls: [{hosts: [a.example.com], secretName: other-tsl}]
#                                            ^
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {name: web2, port: {number: 80}}
#                             ^
""", {}, "spec.ingressClassName refers to IngressClass `ngnix`, which is not in the input; did you mean `nginx`?"),
    ("alb-actions-and-runtime-secrets", "KL202", """apiVersion: v1
kind: Secret
metadata: {name: other}
stringData: {a: b}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  tls: [{hosts: [a.example.com], secretName: made-by-the-app}]
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {name: ssl-redirect, port: {name: use-annotation}}
""", {}, None),
    ("ingress-to-an-external-name-service", "KL202", """apiVersion: v1
kind: Service
metadata: {name: hello}
spec: {type: ExternalName, externalName: hello.default.svc.cluster.local}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {name: hello, port: {number: 80}}
""", {}, None),
    ("runtime-secret-reported-on-request", "KL205", """apiVersion: v1
kind: Secret
metadata: {name: other}
stringData: {a: b}
---
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - name: web
      image: nginx:1.27
      envFrom: [{secretRef: {name: made-by-the-app}}]
#                                  ^
""", {"rules": {"KL205": {"options": {"report-missing-secrets": True}}}}, "Secret `made-by-the-app`"),
    ("identical-duplicates-lose-nothing", "KL217", """apiVersion: v1
kind: ConfigMap
metadata: {name: same}
data: {a: "1"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: same}
data: {a: "1"}
""", {}, None),
    ("ingress-tls-from-certificate", "KL202", """apiVersion: v1
kind: Secret
metadata: {name: other}
stringData: {a: b}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web}
spec:
  secretName: web-tls
  dnsNames: [a.example.com]
  issuerRef: {name: letsencrypt, kind: ClusterIssuer}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  tls: [{hosts: [a.example.com], secretName: web-tls}]
  defaultBackend:
    service: {name: web, port: {number: 80}}
""", {"ignore": ["KL015"]}, None),
    # --- KL203/KL204: Service targetPort -------------------------------------------------------
    ("named-target-port-missing-in-one-selected-pod", "KL203", deploy() + """---
apiVersion: v1
kind: Pod
metadata: {name: debug, labels: {app: web}}
spec:
  containers: [{name: debug, image: "busybox:1.36", ports: [{name: htp, containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports:
    - {name: http, port: 80, targetPort: http}
#                                        ^
""", {}, "no container of Pod debug has a port named `http`; did you mean `htp`?"),
    # OpenKruise's guestbook tutorial: a SidecarSet injects its container, with its named
    # port, into the pods it selects; the Service targets that port by name. A port that only
    # a SidecarSet selecting other pods declares is still reported (and so is a pod
    # template's port in a custom resource: tests/test_units.py, the OLM bundle).
    ("named-target-port-of-an-injected-sidecar", "KL203", deploy() + """---
apiVersion: apps.kruise.io/v1alpha1
kind: SidecarSet
metadata: {name: guestbook-sidecar}
spec:
  selector: {matchLabels: {app: web}}
  containers:
    - name: sidecar
      image: openkruise/guestbook:sidecar
      ports: [{name: sidecar-server, containerPort: 4000}]
---
apiVersion: apps.kruise.io/v1alpha1
kind: SidecarSet
metadata: {name: db-sidecar}
spec:
  selector: {matchExpressions: [{key: app, operator: In, values: [db]}]}
  containers:
    - {name: sidecar, image: "db-sidecar:1", ports: [{name: db-side, containerPort: 5000}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports:
    - {name: main, port: 80, targetPort: http}
    - {name: side, port: 4000, targetPort: sidecar-server}
    - {name: other, port: 5000, targetPort: db-side}
#                                           ^
""", {"ignore": ["KL015"]}, "no container of Deployment web has a port named `db-side` (named ports: http)"),
    ("numeric-target-port-undeclared", "KL204", deploy() + """---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports:
    - {port: 80, targetPort: 8081}
#                            ^
    - {name: ok, port: 81, targetPort: 8080}
""", {}, "8081 is not a declared container port of the selected pods (Deployment web; they declare 8080)"),
    # --- KL205: config references -----------------------------------------------------------------
    ("secret-key-missing-and-projected-items", "KL205", """apiVersion: v1
kind: Secret
metadata: {name: db}
type: Opaque
data: {password: aHVudGVyMg==}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web}
data: {a.conf: x}
---
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - name: web
      image: nginx:1.27
      env:
        - name: P
          valueFrom: {secretKeyRef: {name: db, key: pasword}}
#                                                   ^
        - name: Q
          valueFrom: {secretKeyRef: {name: db, key: nope, optional: true}}
  volumes:
    - name: all
      projected:
        sources:
          - configMap:
              name: web
              items: [{key: b.conf, path: b}]
#                           ^
    - name: cfg
      configMap: {name: wbe}
#                       ^
""", {}, "Secret db has no key `pasword`; did you mean `password`?"),
    # longhorn's deploy/backupstores base: `data: {}`, a stub its generated overlay patches
    # (as a Secret with no data at all): its keys are not known, none is claimed missing
    ("secret-stub-with-empty-data", "KL205", """apiVersion: v1
kind: Secret
metadata: {name: cifs-secret}
type: Opaque
data: {}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {}
binaryData: {a.bin: AA==}
---
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - name: web
      image: nginx:1.27
      env:
        - name: U
          valueFrom: {secretKeyRef: {name: cifs-secret, key: CIFS_USERNAME}}
        - name: S
          valueFrom: {configMapKeyRef: {name: settings, key: b.bin}}
#                                                            ^
""", {}, "ConfigMap settings has no key `b.bin`; did you mean `a.bin`?"),
    ("image-pull-secret-of-the-wrong-type", "KL205", """apiVersion: v1
kind: Secret
metadata: {name: registry}
type: Opaque
stringData: {token: x}
---
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  imagePullSecrets: [{name: registry}]
#                           ^
  containers: [{name: web, image: "nginx:1.27"}]
""", {}, "Secret registry is of type `Opaque`, not kubernetes.io/dockerconfigjson"),
    # --- KL206: kube-linter non-existent-service-account -------------------------------------------
    ("non-existent-service-account", "KL206", """apiVersion: v1
kind: ServiceAccount
metadata: {name: builder}
---
""" + deploy().replace("      containers:", "      serviceAccountName: deployer\n      containers:") + """
# kubelint-expect: 14:27
""", {}, "refers to ServiceAccount `deployer`, which is not in the input in namespace `default` (the input has `builder`)"),
    ("service-account-absent-is-assumed-outside", "KL206",
     deploy().replace("      containers:", "      serviceAccountName: deployer\n      containers:"), {}, None),
    ("service-account-absent-reported-on-request", "KL206",
     deploy().replace("      containers:", "      serviceAccountName: deployer\n      containers:")
     + "# kubelint-expect: 10:27\n",
     {"rules": {"KL206": {"options": {"report-when-absent": True}}}}, "`deployer`"),
    # --- KL207, KL208 ----------------------------------------------------------------------------
    ("claim-and-priority-class", "KL207", """apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Pod
metadata: {name: db}
spec:
  priorityClassName: system-node-critical
  containers: [{name: db, image: "postgres:16"}]
  volumes:
    - {name: data, persistentVolumeClaim: {claimName: data-db-0}}
#                                                     ^
""", {}, "PersistentVolumeClaim `data-db-0`"),
    # --- KL209-KL211: kube-linter dangling-hpa ------------------------------------------------------
    ("dangling-hpa", "KL209", deploy() + """---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: StatefulSet, name: web}
  maxReplicas: 3
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: api}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
#                                                               ^
  maxReplicas: 3
""", {}, "refers to Deployment `api`, which is not in the input in namespace `default` (the input has `web`)"),
    ("hpa-resource-request", "KL210", deploy() + """---
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 3
  targetCPUUtilizationPercentage: 70
# kubelint-expect: 21:35
""", {}, "container `web` of Deployment web requests no cpu"),
    ("hpa-and-replicas", "KL211", deploy() + """---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 3
# kubelint-expect: 5:3
""", {}, "HorizontalPodAutoscaler web scales this Deployment"),
    # --- KL212/KL213: kube-linter pdb-max-unavailable, pdb-min-available --------------------------
    ("pdb-selects-nothing", "KL212", deploy() + """---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  maxUnavailable: 1
  selector:
# ^
    matchExpressions: [{key: app, operator: In, values: [api]}]
""", {}, "`app In (api)` does not hold"),
    ("pdb-max-unavailable-zero", "KL213", """apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  maxUnavailable: 0%
#                 ^
  selector: {matchLabels: {app: web}}
""", {}, "spec.maxUnavailable is 0%"),
    ("pdb-min-available-over-two-workloads", "KL213", deploy(replicas=2) + "---\n"
     + deploy(name="web2", replicas=1).replace("app: web2}", "app: web, v: two}").replace("{app: web2}", "{app: web}")
     + """---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 3
#               ^
  selector: {matchLabels: {app: web}}
""", {"ignore": ["KL219"]}, "the pods it selects number 3"),
    ("pdb-min-available-with-hpa-is-not-compared", "KL213", deploy(replicas=2) + """---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 3
  maxReplicas: 5
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 2
  selector: {matchLabels: {app: web}}
""", {"ignore": ["KL211"]}, None),
    # --- KL214: kube-linter dangling-networkpolicy, dangling-networkpolicypeer-podselector --------
    ("dangling-networkpolicy", "KL214", deploy() + """---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web}
spec:
  podSelector: {matchLabels: {app: wbe}}
# ^
  ingress:
    - from:
        - podSelector: {matchLabels: {role: frontend}}
#         ^
        - namespaceSelector: {matchLabels: {team: a}}
          podSelector: {matchLabels: {role: elsewhere}}
  egress:
    - to:
        - podSelector: {}
""", {}, "spec.podSelector {app=wbe} matches no Pod or pod template in namespace `default`"),
    # --- KL215: StatefulSet serviceName -------------------------------------------------------------
    ("statefulset-service-selects-other-pods", "KL215", """apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  clusterIP: None
  selector: {app: database}
  ports: [{port: 5432}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
#              ^
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: "postgres:16"}]}
""", {"ignore": ["KL201"]}, "does not select this StatefulSet's pods (`app` is \"db\", not \"database\")"),
    # --- KL216: RBAC --------------------------------------------------------------------------------
    ("rbac-subjects-of-components-not-installed", "KL216", """apiVersion: v1
kind: ServiceAccount
metadata: {name: kustomize-controller, namespace: flux-system}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: helm-controller, namespace: flux-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crd-controller-flux-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
  - {kind: ServiceAccount, name: kustomize-controller, namespace: flux-system}
  - {kind: ServiceAccount, name: helm-controller, namespace: flux-system}
  - {kind: ServiceAccount, name: image-reflector-controller, namespace: flux-system}
  - {kind: ServiceAccount, name: image-automation-controller, namespace: flux-system}
""", {}, None),
    ("rbac-subjects-the-cluster-makes", "KL216", """apiVersion: v1
kind: ServiceAccount
metadata: {name: csi-azurefile, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: system:azure-cloud-provider-secret-getter}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
  - {kind: ServiceAccount, name: persistent-volume-binder, namespace: kube-system}
  - {kind: ServiceAccount, name: kube-proxy, namespace: kube-system}
  - {kind: ServiceAccount, name: cloud-node-controller, namespace: kube-system}
""", {}, None),
    ("rbac-cluster-role-and-subject-namespace", "KL216", """apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ci, namespace: build}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci}
subjects:
  - {kind: ServiceAccount, name: ci, namespace: build}
  - {kind: ServiceAccount, name: cd, namespace: build}
#                                ^
  - {kind: ServiceAccount, name: cd, namespace: deploy}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-raeder}
#                                                                       ^
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci-view}
subjects: [{kind: ServiceAccount, name: ci, namespace: build}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
""", {}, "subjects[1] refers to ServiceAccount `cd`, which is not in the input in namespace `build`"),
    # --- KL217-KL219 ------------------------------------------------------------------------------
    ("duplicate-object-group-not-version", "KL217", """apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec: {scaleTargetRef: {kind: Deployment, name: web}, maxReplicas: 2}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
#                ^
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, maxReplicas: 2}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: other}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, maxReplicas: 2}
""", {}, "HorizontalPodAutoscaler web in namespace `default` is already defined (this file)"),
    ("duplicate-node-port-across-namespaces", "KL218", """apiVersion: v1
kind: Service
metadata: {name: a, namespace: one}
spec: {type: NodePort, ports: [{port: 80, nodePort: 30080}, {name: b, port: 81, nodePort: 30081}]}
---
apiVersion: v1
kind: Service
metadata: {name: b, namespace: two}
spec:
  type: NodePort
  ports:
    - {port: 80, nodePort: 30081}
#                          ^
""", {}, "30081 is already used by Service one/a"),
    ("overlap-reported-once", "KL219", deploy() + """---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web-canary}
spec:
  selector: {matchLabels: {app: web}}
# ^
  template:
    metadata: {labels: {app: web, track: canary}}
    spec: {containers: [{name: web, image: "nginx:1.27"}]}
""", {}, "also matches the pods of Deployment web"),
]


@pytest.mark.parametrize("name,code,text,settings,needle", CASES, ids=[c[0] for c in CASES])
def test_reference_family(tmp_path, name, code, text, settings, needle):
    result = lint(tmp_path, text, **settings)
    assert found(result, code) == expected_marks(text), \
        [(f.code, f.line, f.column, f.message) for f in result.findings]
    if needle is not None:
        assert needle in messages(result, code)[0], messages(result, code)


def test_finding_names_the_other_end_as_a_related_location(tmp_path):
    text = deploy() + """---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http2}]
"""
    result = lint(tmp_path, text)
    [f] = [f for f in result.findings if f.code == "KL203"]
    assert (f.line, f.column) == (20, 34)
    assert [(r.line if hasattr(r, "line") else r.span.line, r.span.column, r.message) for r in f.related] \
        == [(10, 7, "containers of Deployment web")]


def test_references_across_files_and_parallel_workers(tmp_path):
    """Identity stubs travel back from worker processes: a duplicate in two of 60 files is
    found with --jobs 2 as with --jobs 1, at the same place, with the other file related."""
    for i in range(60):
        (tmp_path / f"f{i:02d}.yaml").write_text(
            f"apiVersion: v1\nkind: ResourceQuota\nmetadata: {{name: c{i % 59}}}\n"
            f"spec: {{hard: {{pods: \"{i}\"}}}}\n")
    across = {"duplicate-object": {"options": {"across-files": True}}}
    for jobs in (1, 2):
        result = run([str(tmp_path)], Settings(jobs=jobs, rules=across))
        assert [(os.path.basename(f.path), f.line, f.column, f.code) for f in result.findings] \
            == [("f59.yaml", 3, 18, "KL217")]
        assert os.path.basename(result.findings[0].related[0].path) == "f00.yaml"
        # by default a duplicate in another file is not reported (folders of alternatives)
        assert run([str(tmp_path)], Settings(jobs=jobs)).findings == []


def test_realistic_platform_is_clean(tmp_path):
    """Every reference resolves, optional ones are missing: no finding at all."""
    result = run([os.path.join(FIXTURES, "realistic-platform.yaml")], Settings())
    assert result.findings == [], [(f.code, f.line, f.message) for f in result.findings]


# Each mutation of the clean platform breaks one reference: exactly that finding.
MUTATIONS = [
    ("key: password}", "key: passwd}", "KL205"),
    ("items: [{key: settings.yaml", "items: [{key: setings.yaml", "KL205"),
    ("imagePullSecrets: [{name: registry}]", "imagePullSecrets: [{name: regsitry}]", "KL205"),
    ("claimName: uploads}", "claimName: upload}", "KL207"),
    ("priorityClassName: business-critical", "priorityClassName: business", "KL208"),
    ("serviceAccountName: api\n      priority", "serviceAccountName: apis\n      priority", "KL206"),
    ("service: {name: api, port: {name: http}}", "service: {name: api, port: {name: web}}", "KL202"),
    ("ingressClassName: nginx", "ingressClassName: traefik", "KL202"),
    ("kind: Deployment, name: api}", "kind: Deployment, name: app}", "KL209"),
    ("- podSelector: {matchLabels: {app: api}}", "- podSelector: {matchLabels: {app: apx}}", "KL214"),
    ("serviceName: cache", "serviceName: cache-primary", "KL215"),
    ("kind: Role, name: api}", "kind: Role, name: ap}", "KL216"),
    ("statefulset.kubernetes.io/pod-name: cache-0}", "pod-template-hash: cache-0}", "KL201"),
    ("{app.kubernetes.io/name: prometheus, prometheus: k8s}",
     "{app.kubernetes.io/name: prometheus, prometheus: main}", "KL201"),
    ("minAvailable: 2", "minAvailable: 3", "KL213"),
]


@pytest.mark.parametrize("before,after,code", MUTATIONS, ids=[m[2] + "-" + m[1][:24] for m in MUTATIONS])
def test_one_broken_reference_in_the_platform(tmp_path, before, after, code):
    text = open(os.path.join(FIXTURES, "realistic-platform.yaml")).read()
    assert text.count(before) == 1
    path = tmp_path / "platform.yaml"
    path.write_text(text.replace(before, after))
    result = run([str(path)], Settings())
    line = text[: text.index(before)].count("\n") + 1
    assert [(f.code, f.line) for f in result.findings] == [(code, line)], \
        [(f.code, f.line, f.message) for f in result.findings]


def test_pod_label_paths_from_the_config(tmp_path):
    """A custom resource of the user's table creates pods: a Service selecting them is fine."""
    (tmp_path / ".kubelint.yaml").write_text(
        "pod-label-paths:\n"
        "  example.com/Runner: {labels: spec.pod.labels, adds: {runner: '{name}', run-id: '*'}}\n"
        "  example.com/Worker: spec.template.metadata.labels\n")
    (tmp_path / "app.yaml").write_text("""apiVersion: example.com/v1
kind: Runner
metadata: {name: ci}
spec:
  pod: {labels: {app: runner}}
---
apiVersion: example.com/v1
kind: Worker
metadata: {name: w}
spec:
  template: {metadata: {labels: {app: worker}}}
---
apiVersion: v1
kind: Service
metadata: {name: runner}
spec:
  selector: {app: runner, runner: ci, run-id: "42"}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: worker}
spec:
  selector: {app: worker}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: other}
spec:
  selector: {app: runner, runner: cd}
  ports: [{port: 80}]
""")
    from .conftest import kubelint

    proc = kubelint("check", "--ignore", "KL015", "app.yaml", cwd=tmp_path)
    text = proc.stdout.decode() + proc.stderr.decode()
    assert proc.returncode == 1, text
    assert "app.yaml:31:3: warning: Service selector app=runner, runner=cd matches no Pod" in text
    assert text.count("[KL201") == 1


def test_selector_matching_uses_the_label_index():
    """A selector is compared with the pods sharing one of its labels, not with every pod of
    the namespace: what keeps 50,000 documents linear."""
    from kubelint.engine import K8sObject
    from kubelint.graph import Graph

    pods = [K8sObject("p.yaml", i, None, {"apiVersion": "v1", "kind": "Pod",
                                         "metadata": {"name": f"p{i}", "labels": {"app": f"a{i}", "tier": "web"}},
                                         "spec": {"containers": []}}, "default") for i in range(2000)]
    g = Graph(pods)
    assert len(g._candidates("default", {"tier": "web", "app": "a7"})) == 1
    assert [p.obj.name for p in g.select_map("default", {"tier": "web", "app": "a7"})] == ["p7"]
    assert g.select("default", {"matchExpressions": [
        {"key": "app", "operator": "In", "values": ["a1", "a2"]}]})[1].obj.name == "p2"


def test_edit_distance_agrees_with_the_full_table():
    """The banded, early-exit distance behind "did you mean" answers like the full
    dynamic-programming table wherever it is within the limit."""
    import random

    from kubelint.checks.references import _distance

    def full(a, b):
        d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
        for i in range(1, len(a) + 1):
            for j in range(1, len(b) + 1):
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
                if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
        return d[-1][-1]

    r = random.Random(7)
    for _ in range(3000):
        a = "".join(r.choice("ab-") for _ in range(r.randint(0, 8)))
        b = "".join(r.choice("ab-") for _ in range(r.randint(0, 8)))
        limit = r.randint(1, 3)
        got, want = _distance(a, b, limit), full(a, b)
        assert (got <= limit) == (want <= limit) and (want > limit or got == want), (a, b, limit)


# --- KL220 non-isolated-pod, KL221 dangling-service-monitor (kube-linter's optional checks) ---

POLICY = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: {name}, namespace: {ns}}}
spec:
  podSelector: {selector}
  policyTypes: [Ingress]
"""


def policy(selector, name="allow", ns="default"):
    return POLICY.format(name=name, ns=ns, selector=selector)


ISOLATION = [
    # a namespace with a policy for the database only: the web Deployment is not covered
    ("uncovered-deployment", policy("{matchLabels: {app: db}}") + "---\n" + deploy("db") + "---\n" + deploy()
     .replace("    metadata: {labels: {app: web}}", "    metadata: {labels: {app: web}}\n#   ^"),
     {}, "the pods of this Deployment are selected by no NetworkPolicy of namespace `default`"),
    ("covered-by-labels", policy("{matchLabels: {app: web}}") + "---\n" + deploy(), {}, None),
    ("covered-by-expression", policy("{matchExpressions: [{key: app, operator: In, values: [db, web]}]}")
     + "---\n" + deploy(), {}, None),
    ("default-deny-covers-all", policy("{}", "deny") + "---\n" + deploy() + "---\n" + deploy("api"), {}, None),
    # a policy of another namespace does not isolate; with no policy here: outside the input
    ("other-namespace-only", policy("{matchLabels: {app: web}}", ns="other") + "---\n" + deploy(), {}, None),
    ("other-namespace-reported-on-request", policy("{matchLabels: {app: web}}", ns="other") + "---\n"
     + deploy().replace("    metadata: {labels: {app: web}}", "    metadata: {labels: {app: web}}\n#   ^"),
     {"rules": {"KL220": {"options": {"report-when-absent": True}}}}, "namespace `default` has none"),
    ("bare-pod", policy("{matchLabels: {app: db}}") + "---\n" + deploy("db") + """---
apiVersion: v1
kind: Pod
metadata: {name: debug, labels: {app: debug}}  # kubelint-expect: 24:1
spec: {containers: [{name: sh, image: "busybox:1.36"}]}
""", {}, "this Pod is selected by no NetworkPolicy"),
    ("cronjob-template", policy("{matchLabels: {app: db}}") + "---\n" + deploy("db") + """---
apiVersion: batch/v1
kind: CronJob
metadata: {name: backup}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        metadata: {labels: {app: backup}}
#       ^
        spec:
          restartPolicy: OnFailure
          containers: [{name: b, image: "busybox:1.36"}]
""", {}, "CronJob"),
    # a kustomize patch of a StatefulSet: no labels, no selector
    ("template-without-labels", policy("{matchLabels: {app: db}}") + "---\n" + deploy("db") + """---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: controller}
spec:
  replicas: 0
  template:
    spec: {containers: [{name: c, image: "busybox:1.36"}]}
""", {}, None),
    ("host-network-is-out-of-reach", policy("{matchLabels: {app: db}}") + "---\n" + deploy("db") + "---\n"
     + deploy("agent").replace("    spec:\n      containers:", "    spec:\n      hostNetwork: true\n      containers:"),
     {}, None),
]


@pytest.mark.parametrize("name,text,settings,needle", ISOLATION, ids=[c[0] for c in ISOLATION])
def test_non_isolated_pod(tmp_path, name, text, settings, needle):
    result = lint(tmp_path, text, select=["ALL", "KL220"], **settings)
    assert found(result, "KL220") == expected_marks(text), \
        [(f.code, f.line, f.column, f.message) for f in result.findings]
    if needle is not None:
        assert needle in messages(result, "KL220")[0], messages(result, "KL220")


def test_non_isolated_pod_is_off_by_default(tmp_path):
    text = policy("{matchLabels: {app: db}}") + "---\n" + deploy("db") + "---\n" + deploy()
    assert found(lint(tmp_path, text, select=[]), "KL220") == []
    assert len(found(lint(tmp_path, text, select=["ALL", "KL220"]), "KL220")) == 1


SERVICE = """apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {ns}, labels: {{app.kubernetes.io/name: {name}}}}}
spec:
  selector: {{app: {name}}}
  ports: [{{name: metrics, port: 9090}}]
"""
MONITOR = """apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {{name: {name}, namespace: monitoring}}
spec:
  selector: {selector}
# ^
  endpoints: [{{port: metrics}}]
"""


def monitor(selector, namespaces="", name="web"):
    text = MONITOR.format(name=name, selector=selector)
    return text + (f"  namespaceSelector: {namespaces}\n" if namespaces else "")


def unmarked(text):
    return "\n".join(line for line in text.split("\n") if line != "# ^")


MONITORS = [
    # the selector copies the pods' labels instead of the Service's own
    ("pod-labels-instead-of-service-labels", SERVICE.format(name="web", ns="monitoring")
     + "---\n" + monitor("{matchLabels: {app: web}}"), {},
     "matches no Service in namespace `monitoring` of the input (it has Service web (app.kubernetes.io/name=web))"),
    ("same-namespace", unmarked(SERVICE.format(name="web", ns="monitoring") + "---\n"
                                + monitor("{matchLabels: {app.kubernetes.io/name: web}}")), {}, None),
    ("match-names", unmarked(SERVICE.format(name="web", ns="shop") + "---\n"
                             + monitor("{matchLabels: {app.kubernetes.io/name: web}}", "{matchNames: [shop]}")),
     {}, None),
    ("match-names-wrong-namespace", SERVICE.format(name="web", ns="shop") + "---\n"
     + SERVICE.format(name="api", ns="billing") + "---\n"
     + monitor("{matchLabels: {app.kubernetes.io/name: web}}", "{matchNames: [billing]}"), {},
     "namespace `billing`"),
    # any namespace, or a listed namespace without Services in the input: maybe elsewhere
    ("any-namespace-may-be-elsewhere", unmarked(SERVICE.format(name="web", ns="shop") + "---\n"
                                                + monitor("{matchLabels: {app: istiod}}", "{any: true}")),
     {}, None),
    ("listed-namespace-without-services", unmarked(SERVICE.format(name="web", ns="shop") + "---\n"
     + monitor("{matchLabels: {app: nope}}", "{matchNames: [shop, istio-system]}")), {}, None),
    ("any-namespace-reported-on-request", SERVICE.format(name="web", ns="shop") + "---\n"
     + monitor("{matchLabels: {app: istiod}}", "{any: true}"),
     {"rules": {"KL221": {"options": {"report-when-absent": True}}}}, "matches no Service in any namespace"),
    ("any-namespace", unmarked(SERVICE.format(name="web", ns="shop") + "---\n"
                               + monitor("{matchLabels: {app.kubernetes.io/name: web}}", "{any: true}")),
     {}, None),
    ("expressions", unmarked(SERVICE.format(name="web", ns="monitoring") + "---\n" + monitor(
        "{matchExpressions: [{key: app.kubernetes.io/name, operator: In, values: [web, api]}]}")), {}, None),
    ("expression-fails", SERVICE.format(name="web", ns="monitoring") + "---\n" + monitor(
        "{matchExpressions: [{key: app.kubernetes.io/name, operator: NotIn, values: [web]}]}"), {},
     "{app.kubernetes.io/name NotIn (web)}"),
    # the Service lives in another namespace than the one selected: no Service there at all
    ("outside-the-input", unmarked(SERVICE.format(name="web", ns="shop") + "---\n"
                                   + monitor("{matchLabels: {app.kubernetes.io/name: web}}")), {}, None),
    ("outside-the-input-reported-on-request", SERVICE.format(name="web", ns="shop") + "---\n"
     + monitor("{matchLabels: {app.kubernetes.io/name: web}}"),
     {"rules": {"KL221": {"options": {"report-when-absent": True}}}}, "has none in the input"),
    # rook: the operator of the CephCluster beside it makes the csi-metrics Services
    ("operator-makes-the-services", unmarked(SERVICE.format(name="web", ns="monitoring") + "---\n"
     + monitor("{matchLabels: {app: csi-metrics}}") + "---\napiVersion: ceph.rook.io/v1\n"
     "kind: CephCluster\nmetadata: {name: rook-ceph, namespace: monitoring}\nspec: {}\n"),
     {"ignore": ["KL015"]}, None),
    # a ServiceMonitor, a Certificate... beside it make no Services
    ("config-resources-make-no-services", SERVICE.format(name="web", ns="monitoring") + "---\n"
     + monitor("{matchLabels: {app: csi-metrics}}") + "---\napiVersion: cert-manager.io/v1\n"
     "kind: Certificate\nmetadata: {name: web, namespace: monitoring}\nspec: {}\n",
     {"ignore": ["KL015"]}, "matches no Service in namespace `monitoring`"),
]


@pytest.mark.parametrize("name,text,settings,needle", MONITORS, ids=[c[0] for c in MONITORS])
def test_dangling_service_monitor(tmp_path, name, text, settings, needle):
    result = lint(tmp_path, text, **settings)
    assert found(result, "KL221") == expected_marks(text), \
        [(f.code, f.line, f.column, f.message) for f in result.findings]
    if needle is not None:
        assert needle in messages(result, "KL221")[0], messages(result, "KL221")


def test_service_label_index_looks_at_the_shortest_posting_list():
    from kubelint.graph import LabelIndex

    class Obj:
        def __init__(self, i):
            self.namespace, self.name = "ns", f"s{i}"
            self.data = {"metadata": {"labels": {"tier": "web", "id": str(i)}}}

    index = LabelIndex([Obj(i) for i in range(3000)])
    assert [o.name for o in index.select("ns", {"matchLabels": {"tier": "web", "id": "7"}})] == ["s7"]
    assert index._by_label[("ns", "id", "7")] == index.select("ns", {"matchLabels": {"id": "7"}})
    assert index.select("other", {"matchLabels": {"tier": "web"}}) == []


def test_coverage_demo_of_the_readme(tmp_path):
    """The README's example: both rules, with the other end as a related location."""
    result = run([os.path.join(FIXTURES, "coverage-demo.yaml")], Settings(select=["KL220", "KL221"]))
    got = [(f.code, f.line, f.column, [(r.span.line, r.span.column) for r in f.related])
           for f in result.findings]
    assert got == [("KL220", 14, 5, [(5, 3)]), ("KL221", 33, 3, [(24, 40)])], got


def test_projections_give_the_same_findings(tmp_path, monkeypatch):
    """The cross-object stage keeps projections of most objects (graph.slim) and unpickles
    an object's whole data only while it is checked: every cross rule must find exactly what
    it finds on whole objects. Every case of this file, the mutated platforms and the
    fixtures with references, in one run (so they also meet each other), with every rule, with
    and without projections, with a Pod Security level so the PSS rules read pod specs."""
    import shutil

    from kubelint import graph

    texts = [c[2] for c in CASES] + [c[1] for c in ISOLATION + MONITORS]
    platform = open(os.path.join(FIXTURES, "realistic-platform.yaml")).read()
    texts += [platform.replace(before, after) for before, after, _ in MUTATIONS]
    # read of another object's field only through its projection: replicas of selected pods
    texts.append(deploy("big", "budget", replicas=3) + """---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: big, namespace: budget}
spec: {minAvailable: 2, selector: {matchLabels: {app: big}}}
""")
    texts.append(MAKERS)
    for i, text in enumerate(texts):
        (tmp_path / f"case-{i:03}.yaml").write_text(text)
    for name in ("graph-demo.yaml", "coverage-demo.yaml", "realistic-app.yaml",
                 "realistic-batch.yaml", "realistic-platform.yaml", "pss/shop.yaml",
                 "pss/every-control.yaml"):
        shutil.copy(os.path.join(FIXTURES, name), tmp_path / name.replace("/", "-"))
    # files not modified in the seconds before the run: the whole data of objects whose own
    # rules read no more than their projection is read back from them if asked (reload.py)
    for path in tmp_path.iterdir():
        os.utime(path, (1_700_000_000, 1_700_000_000))
    from kubelint import engine, reload

    slimmed = []
    real = graph.slim
    reloaded = []
    read_back = reload._read
    packed = []  # kinds whose whole data the per-file stage packed (K8sObject.full)
    from kubelint import packing

    dumps = packing.dumps

    def both(**settings):
        slimmed.clear()
        reloaded.clear()
        settings.setdefault("select", ["ALL"])
        monkeypatch.setattr(graph, "SLIM_RULES", frozenset())
        whole = run([str(tmp_path)], Settings(**settings))
        assert not slimmed
        monkeypatch.undo()
        monkeypatch.setattr(engine, "WHOLE_MAX_BYTES", 0)  # projections even in a small run
        monkeypatch.setattr(graph, "slim", lambda kind, data, table=None: slimmed.append(kind) or real(kind, data, table))
        monkeypatch.setattr(reload, "_read", lambda obj: reloaded.append(obj.kind) or read_back(obj))
        monkeypatch.setattr(packing, "dumps", lambda data: packed.append(data.get("kind")) or dumps(data))
        packed.clear()
        slim = run([str(tmp_path)], Settings(**settings))
        if settings.get("jobs", 1) == 1:  # (workers count in their own processes)
            assert {"Deployment", "Service", "ConfigMap", "Secret"} <= set(slimmed)
        return whole, slim

    for settings, codes, back in (
            ({}, 20, {"ConfigMap", "Secret"}),
            ({"pod_security": {"level": "restricted"}, "jobs": 2}, 20, None),
            # the reference rules alone: workloads are projected without their data packed,
            # and read back for an HPA's target (KL210), a port named in a command line
            # (KL203), a duplicate compared with its twin (KL217)
            ({"select": ["KL20", "KL21"]}, 12, {"ConfigMap", "Deployment", "Secret"}),
            # (read back in both processes: a worker's outcomes carry their files' mtimes)
            ({"select": ["KL20", "KL21"], "jobs": 2}, 12, None),
            # the default rule set: the Pod Security rules (a Namespace labelled in
            # pss-shop.yaml; a level for every other namespace) check pods on their
            # projections (graph.PSS_ENOUGH): no pod kind's whole data is packed for them, in
            # this process or a worker
            ({"select": []}, 14, set()),
            ({"select": [], "pod_security": {"level": "restricted"}}, 20, set()),
            ({"select": [], "pod_security": {"level": "baseline", "version": "v1.23"},
              "jobs": 2}, 14, None)):
        whole, slim = both(**settings)
        cross = [f for f in whole.findings if f.code.startswith(("KL2", "KL33", "KL4"))]
        # (the cases share one folder: a Service reads its own file's pods and Services first)
        assert len(cross) > 75 and len({f.code for f in cross}) >= codes
        assert slim.findings == whole.findings
        assert slim.suppressed == whole.suppressed
        if back is not None:
            assert back <= set(reloaded), sorted(set(reloaded))
        if settings.get("select") == [] and settings.get("jobs", 1) == 1:
            pss = [f for f in slim.findings if f.code.startswith("KL4")]
            pods = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob",
                    "ReplicaSet", "PodTemplate"}
            assert len(pss) > 40 and packed and not pods & set(packed), sorted(set(packed))


# An operator's account (Role that creates pods, bound to the ServiceAccount its Deployment runs
# under): the Service that selects nothing in its namespace is not reported (Graph.makes_pods),
# the one in a namespace without such an account is. The account is read of the Deployment's
# projection (graph.SHAPES keeps serviceAccountName).
MAKERS = """apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: maker, namespace: op}
rules: [{apiGroups: [""], resources: [pods], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: maker, namespace: op}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: maker}
subjects: [{kind: ServiceAccount, name: operator, namespace: op}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: operator, namespace: op}
""" + "".join(f"""---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: operator, namespace: {ns}}}
spec:
  selector: {{matchLabels: {{app: operator}}}}
  template:
    metadata: {{labels: {{app: operator}}}}
    spec:
      serviceAccountName: operator
      containers: [{{name: c, image: "op:1.0"}}]
---
apiVersion: v1
kind: Service
metadata: {{name: made, namespace: {ns}}}
spec:
  selector: {{app: made-by-the-operator}}
  ports: [{{port: 80}}]
""" for ns in ("op", "plain"))


def test_projections_share_only_equal_parts_of_the_same_types():
    """graph.slim shares equal label maps and ports between projections: never a value that
    only compares equal (True and 1, 0.0 and -0.0, 1 and 1.0)."""
    from kubelint.graph import slim

    table: dict = {}

    def ports(value):
        data = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"a": "b"}},
                "spec": {"containers": [{"name": "c", "ports": [{"containerPort": value}]}]}}
        return slim("Pod", data, table)

    first, same = ports(80), ports(80)
    assert first["spec"]["containers"][0]["ports"] is same["spec"]["containers"][0]["ports"]
    assert first["metadata"]["labels"] is same["metadata"]["labels"]
    assert first is not same and first["metadata"] is not same["metadata"]
    for a, b in ((True, 1), (0.0, -0.0), (1, 1.0), ("80", 80)):
        pa, pb = ports(a), ports(b)
        got = pb["spec"]["containers"][0]["ports"][0]["containerPort"]
        assert type(got) is type(b) and repr(got) == repr(b), (a, b)
        assert pa["spec"]["containers"][0]["ports"] is not pb["spec"]["containers"][0]["ports"]


def test_duplicated_lists_every_object_of_an_identity_taken_twice():
    from kubelint.engine import K8sObject
    from kubelint.graph import Graph

    def obj(kind, name, ns="a", api="v1"):
        return K8sObject("f.yaml", 0, None, {"apiVersion": api, "kind": kind,
                                             "metadata": {"name": name}}, ns)

    rbac = "rbac.authorization.k8s.io/v1"
    objects = [obj("ConfigMap", "x"), obj("ConfigMap", "y"), obj("ConfigMap", "x", "b"),
               obj("Secret", "x"), obj("ConfigMap", "x"), obj("Role", "r", api=rbac),
               obj("ConfigMap", "x"), obj("Role", "r", api=rbac)]
    at = {id(o): i for i, o in enumerate(objects)}  # (equal tuples: by identity)
    g = Graph(objects)
    assert [at[id(o)] for o in g.duplicated()] == [0, 4, 6, 5, 7]
    later = Graph(())
    for o in objects[:5]:  # built as the files come in (a parallel run's graph built ahead)
        later.add(o)
    assert [at[id(o)] for o in later.duplicated()] == [0, 4]


def test_pod_security_finds_the_same_on_a_pod_projection():
    """The Pod Security controls read of a pod only what its projection keeps (graph.SHAPES,
    PSS_ENOUGH): scan() gives the same on every pod of the fixtures, whole and projected, at
    both levels and the versions where controls come or change; odd values included."""
    import glob

    import yaml

    from kubelint import graph
    from kubelint.admission.pod_security import APPARMOR_ANNOTATION, ALLOWED_VOLUMES, \
        RESTRICTED_VOLUMES, scan
    from kubelint.checks.k8s import POD_SPEC_PATHS, get

    # every volume type the controls name is one the projection keeps
    assert set(graph.VOLUME_TYPES) == set(ALLOWED_VOLUMES + RESTRICTED_VOLUMES)
    assert graph._ALLOWED_VOLUMES == ALLOWED_VOLUMES
    assert graph.APPARMOR_ANNOTATION == APPARMOR_ANNOTATION
    pods = []
    for path in sorted(glob.glob(os.path.join(FIXTURES, "**", "*.yaml"), recursive=True)):
        try:
            pods += [d for d in yaml.safe_load_all(open(path, encoding="utf-8"))
                     if isinstance(d, dict) and d.get("kind") in POD_SPEC_PATHS]
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
    odd = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "odd", "annotations": {
        APPARMOR_ANNOTATION + "a": "unconfined", APPARMOR_ANNOTATION + "b": 5, 7: "x", "o": "y"}},
        "spec": {"os": {"name": "windows"}, "hostUsers": False, "hostPID": True,
                 "volumes": [{"name": "a", "hostPath": None, "nfs": {}}, {"name": {"x": 1}, "gitRepo": 0},
                             {"name": "c", "configMap": None, "quobyte": {}}, "x", {"name": "e"}],
                 "containers": [{"name": "c", "readinessProbe": {"httpGet": {"host": "h"}, "exec": {}},
                                 "lifecycle": {"preStop": {"tcpSocket": {"host": "10.0.0.1"}}, "postStart": "x"},
                                 "startupProbe": None, "livenessProbe": {"tcpSocket": "x"},
                                 "ports": [{"hostPort": 80}]}, "x"],
                 "initContainers": [{"securityContext": {"privileged": True, "procMount": "Unmasked"}}]}}
    pods.append(odd)
    assert len(pods) > 25
    differs = 0
    for data in pods:
        kind = data["kind"]
        path = POD_SPEC_PATHS[kind]
        meta = path[:-1] + ("metadata",)
        projected = graph.slim(kind, data)
        spec, pspec = get(data, path), get(projected, path)
        if not isinstance(spec, dict):
            continue
        wmeta, pmeta = get(data, meta), get(projected, meta)
        differs += projected != data
        for level in ("baseline", "restricted"):
            for minor in (0, 19, 22, 25, 30, 31, 34, 35, 40):
                assert scan(spec, wmeta if isinstance(wmeta, dict) else {}, path, meta, level, (1, minor)) == \
                    scan(pspec, pmeta if isinstance(pmeta, dict) else {}, path, meta, level, (1, minor)), \
                    (data, level, minor)
    assert differs > 15  # (the projections leave things out)
    assert scan(odd["spec"], odd["metadata"], ("spec",), ("metadata",), "restricted", (1, 34))
