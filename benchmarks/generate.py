"""Generate a realistic manifest corpus: Deployments with several containers, env, probes,
resources and volumes; Services; ConfigMaps; StatefulSets; Ingresses; CronJobs; RBAC;
comments; and about 5% realistic mistakes. Deterministic for a given seed.

    python benchmarks/generate.py OUT_DIR [--documents 5000] [--files 1000] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import random

MISTAKES = [
    ("replicas: 3", 'replicas: "3"'),                       # type error
    ("imagePullPolicy: IfNotPresent", "imagePulPolicy: IfNotPresent"),  # unknown field
    ("kind: Deployment", "kind: deployment"),               # kind case
    ("apiVersion: apps/v1", "apiVersion: extensions/v1beta1"),  # removed API
    ("value: \"true\"", "value: yes"),                      # YAML 1.1 boolean
    ("nodePort: 30", "nodePort: 80"),                       # node port range (prefix edit)
    ("type: ClusterIP", "type: Clusterip"),                 # enum
]


def deployment(i: int, r: random.Random, service_account: bool = False) -> str:
    # only an app with RBAC objects has its own ServiceAccount to refer to
    sa = f"      serviceAccountName: app-{i}\n" if service_account else ""
    containers = []
    for c in range(r.randint(1, 3)):
        containers.append(f"""        - name: c{c}
          image: registry.example.com/team{i % 17}/app{c}:1.{r.randint(0, 40)}.{r.randint(0, 9)}
          imagePullPolicy: IfNotPresent
          ports:
            - name: http{c}
              containerPort: {8080 + c}
              protocol: TCP
          env:
            - name: LOG_LEVEL
              value: info
            - name: FEATURE_FLAG
              value: "true"
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
          resources:
            requests:
              cpu: {r.choice(['100m', '250m', '0.5'])}
              memory: {r.choice(['128Mi', '256Mi', '1Gi'])}
            limits:
              cpu: "1"
              memory: 1Gi
          readinessProbe:
            httpGet:
              path: /healthz
              port: {8080 + c}
            initialDelaySeconds: 5
            periodSeconds: 10
          livenessProbe:
            tcpSocket:
              port: {8080 + c}
          volumeMounts:
            - name: config
              mountPath: /etc/app
              readOnly: true""")
    return f"""# Deployment for app {i}: owned by team {i % 17}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: ns-{i % 23}
  labels:
    app.kubernetes.io/name: app-{i}
    app.kubernetes.io/part-of: shop
spec:
  replicas: 3
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate: {{maxSurge: 1, maxUnavailable: 0}}
  selector:
    matchLabels:
      app.kubernetes.io/name: app-{i}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: app-{i}
      annotations:
        prometheus.io/scrape: "true"
    spec:
{sa}      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
      containers:
{chr(10).join(containers)}
      volumes:
        - name: config
          configMap:
            name: app-{i}-config
"""


def service(i: int, r: random.Random) -> str:
    node_port = r.random() < 0.3
    name, svc_type = (f"app-{i}", "NodePort") if node_port else (f"app-{i}", "ClusterIP")
    extra = f"      nodePort: {30000 + i % 2700}\n" if node_port else ""
    return f"""apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: ns-{i % 23}
spec:
  type: {svc_type}
  selector:
    app.kubernetes.io/name: app-{i}
  ports:
    - name: http
      port: 80
      targetPort: http0
{extra}"""


def configmap(i: int, r: random.Random) -> str:
    lines = "\n".join(f"    key{k}: value-{r.randint(0, 10**6)}" for k in range(r.randint(3, 10)))
    return f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: app-{i}-config
  namespace: ns-{i % 23}
data:
  app.properties: |
    mode=production
{lines}
"""


def statefulset(i: int, r: random.Random) -> str:
    return f"""apiVersion: v1
kind: Service
metadata:
  name: db-{i}
  namespace: ns-{i % 23}
spec:
  clusterIP: None
  selector: {{app: db-{i}}}
  ports: [{{name: pg, port: 5432}}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db-{i}
  namespace: ns-{i % 23}
spec:
  serviceName: db-{i}
  replicas: 3
  selector:
    matchLabels: {{app: db-{i}}}
  template:
    metadata:
      labels: {{app: db-{i}}}
    spec:
      containers:
        - name: postgres
          image: postgres:16
          ports: [{{containerPort: 5432, name: pg}}]
          volumeMounts: [{{name: data, mountPath: /var/lib/postgresql/data}}]
  volumeClaimTemplates:
    - metadata: {{name: data}}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {{requests: {{storage: 10Gi}}}}
"""


def ingress(i: int, r: random.Random) -> str:
    return f"""apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: app-{i}
  namespace: ns-{i % 23}
  annotations:
    nginx.ingress.kubernetes.io/rewrite-target: /
spec:
  ingressClassName: nginx
  tls:
    - hosts: [app-{i}.example.com]
      secretName: app-{i}-tls
  rules:
    - host: app-{i}.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: app-{i}
                port: {{number: 80}}
"""


def cronjob(i: int, r: random.Random) -> str:
    return f"""apiVersion: batch/v1
kind: CronJob
metadata:
  name: report-{i}
  namespace: ns-{i % 23}
spec:
  schedule: "{r.randint(0, 59)} {r.randint(0, 23)} * * *"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      backoffLimit: 2
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: report
              image: registry.example.com/report:2.1.0
              args: ["--since", "24h"]
"""


def rbac(i: int, r: random.Random) -> str:
    return f"""apiVersion: v1
kind: ServiceAccount
metadata:
  name: app-{i}
  namespace: ns-{i % 23}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: app-{i}
  namespace: ns-{i % 23}
rules:
  - apiGroups: [""]
    resources: [configmaps, secrets]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: app-{i}
  namespace: ns-{i % 23}
subjects:
  - kind: ServiceAccount
    name: app-{i}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: app-{i}
"""


def generate(out: str, documents: int = 5000, files: int = 1000, seed: int = 1) -> int:
    r = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    per_file = max(1, documents // files)
    made = 0
    i = 0
    # An application is a Deployment with its Service and ConfigMap, sometimes more.
    extras = [statefulset, ingress, cronjob, rbac]
    pending: list = []
    for f in range(files):
        docs = []
        count = 0
        while count < per_file and made < documents:
            if not pending:
                extra = r.choice(extras) if r.random() < 0.6 else None
                pending = [(lambda i, r, sa=extra is rbac: deployment(i, r, sa)), service,
                           configmap] + ([extra] if extra else [])
                i += 1
            maker = pending.pop(0)
            text = maker(i, r)
            n = text.count("\n---\n") + 1
            if r.random() < 0.05:
                before, after = r.choice(MISTAKES)
                text = text.replace(before, after, 1)
            docs.append(text)
            count += n
            made += n
        with open(os.path.join(out, f"app-{f:04d}.yaml"), "w") as fh:
            fh.write("---\n".join(docs))
    return made


def small_deployment(i: int, r: random.Random) -> str:
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{i}
  namespace: ns-{i % 23}
  labels: {{app: web-{i}, tier: frontend}}
spec:
  replicas: {r.randint(1, 5)}
  selector:
    matchLabels: {{app: web-{i}}}
  template:
    metadata:
      labels: {{app: web-{i}, tier: frontend}}
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.{r.randint(0, 40)}
          ports: [{{containerPort: 8080}}]
"""


def one_file(path: str, size: int = 20_000_000, seed: int = 1) -> int:
    """One file of `size` bytes (20 MB, under the 20 MiB default limit) of small Deployments, ~1% with a mistake:
    what a `helm template` of a large platform or a `kubectl get -o yaml` dump looks like."""
    r = random.Random(seed)
    written = n = 0
    with open(path, "w") as fh:
        while written < size:
            text = small_deployment(n, r)
            if r.random() < 0.01:
                text = text.replace("replicas: ", 'replicas: "', 1).replace("\n  selector", '"\n  selector', 1)
            text = ("---\n" if n else "") + text
            fh.write(text)
            written += len(text)
            n += 1
    return n


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--documents", type=int, default=5000)
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    print(f"{generate(a.out, a.documents, a.files, a.seed)} documents in {a.out}")
