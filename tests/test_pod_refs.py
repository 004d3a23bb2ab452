"""Pod refs kept with projections (engine.K8sObject.refs, graph.REFS_ENOUGH): in a run that
keeps projections (graph.slim), the per-file stage finds the references of each Pod's,
PodTemplate's and workload's pod spec in its whole data, so that the cross rules that read no
more of it (KL205-KL208, besides KL211, KL215, KL217, KL219 on the projection) do not unpickle
its whole data. The findings, related locations included, must be those of whole objects."""

import pytest

from kubelint import engine, graph, packing
from kubelint.checks.k8s import POD_SPEC_PATHS
from kubelint.checks.references import _find_pod_refs
from kubelint.engine import Settings, run

POD = """  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      serviceAccountName: {sa}
      priorityClassName: {pc}
      imagePullSecrets: [{{name: regcred}}, {{name: plain}}]
      containers:
      - name: app
        image: example/app:1
        env:
        - name: A
          valueFrom: {{configMapKeyRef: {{name: settings, key: colour}}}}
        - name: B
          valueFrom: {{secretKeyRef: {{name: creds, key: pasword}}}}
        - name: C
          valueFrom: {{configMapKeyRef: {{name: absent, key: x, optional: true}}}}
        envFrom:
        - configMapRef: {{name: setings}}
        - secretRef: {{name: kreds}}
      volumes:
      - name: v1
        configMap: {{name: settings, items: [{{key: colour, path: c}}, {{key: size, path: s}}]}}
      - name: v2
        secret: {{secretName: creds}}
      - name: v3
        persistentVolumeClaim: {{claimName: {pvc}}}
      - name: v4
        projected: {{sources: [{{configMap: {{name: setings}}}}, {{secret: {{name: creds}}}}]}}
      - name: v5
        configMap: {{name: kube-root-ca.crt}}
"""

COMMON = """apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {color: red, size: "3"}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {password: x}
---
apiVersion: v1
kind: Secret
metadata: {name: regcred}
type: kubernetes.io/dockerconfigjson
data: {.dockerconfigjson: e30=}
---
apiVersion: v1
kind: Secret
metadata: {name: plain}
data: {a: eA==}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: runner}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000
---
apiVersion: v1
kind: Service
metadata: {name: db}
spec: {selector: {app: db}, ports: [{port: 5432}]}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 3
"""


def workloads() -> str:
    docs = []
    for i, (kind, name, sa, pc, pvc) in enumerate([
            ("Deployment", "web", "runer", "high", "data"),
            ("StatefulSet", "db", "runner", "hihg", "dat"),
            ("DaemonSet", "agent", "nobody", "system-node-critical", "data"),
            ("ReplicaSet", "rs", "default", "low", "gone"),
            ("Job", "once", "runner", "high", "data")]):
        spec = f"  replicas: 2\n  selector: {{matchLabels: {{app: {'web' if kind == 'ReplicaSet' else name}}}}}\n"
        if kind == "StatefulSet":
            spec += "  serviceName: db\n"
        if kind == "Job":
            spec = ""
        docs.append(f"apiVersion: {'batch/v1' if kind == 'Job' else 'apps/v1'}\nkind: {kind}\n"
                    f"metadata: {{name: {name}}}\nspec:\n{spec}"
                    + POD.format(name=name if kind != "ReplicaSet" else "web", sa=sa, pc=pc, pvc=pvc))
    cron = POD.format(name="cron", sa="runner", pc="high", pvc="claim").replace("\n    ", "\n            ")
    docs.append("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly}\nspec:\n"
                "  schedule: '0 1 * * *'\n  jobTemplate:\n    spec:\n      " + cron.strip("\n").replace("  template:", "template:", 1) + "\n")
    body = POD.format(name="bare", sa="runner", pc="high", pvc="data")
    pod = "\n".join(line[4:] for line in body.splitlines()[3:])
    docs.append("apiVersion: v1\nkind: Pod\nmetadata: {name: bare, labels: {app: bare}}\nspec:\n" + pod + "\n")
    docs.append("apiVersion: v1\nkind: PodTemplate\nmetadata: {name: tmpl}\ntemplate:\n"
                + "\n".join(line[2:] for line in body.splitlines()[1:]) + "\n")
    return "---\n".join(docs)


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "common.yaml").write_text(COMMON)
    (tmp_path / "workloads.yaml").write_text(workloads())
    (tmp_path / "more.yaml").write_text(workloads().replace("name: web}", "name: web2}"))
    for i in range(3):  # a few more files, so that -j2 splits the cross stage too
        (tmp_path / f"pad-{i}.yaml").write_text(COMMON.replace("name: ", f"name: p{i}-"))
    return tmp_path


def findings(result):
    return list(result.findings)  # (code, position, message, related locations...)


def test_the_rules_read_kept_pod_refs_instead_of_the_whole_data(tree, monkeypatch):
    monkeypatch.setattr(graph, "SLIM_RULES", frozenset())  # whole objects
    whole = run([str(tree)], Settings(select=["ALL"]))
    monkeypatch.undo()
    codes = {f.code for f in whole.findings}
    assert {"KL205", "KL206", "KL207", "KL208", "KL211", "KL215", "KL219"} <= codes, codes
    assert sum(f.code == "KL205" for f in whole.findings) >= 20

    unpacked = []
    real = packing.loads
    monkeypatch.setattr(engine, "WHOLE_MAX_BYTES", 0)  # projections even in a small run
    monkeypatch.setattr(packing, "loads", lambda blob: unpacked.append(real(blob)) or unpacked[-1])
    for jobs in (1, 2):
        unpacked.clear()
        slim = run([str(tree)], Settings(select=["ALL"], jobs=jobs))
        assert findings(slim) == findings(whole), jobs
        assert slim.suppressed == whole.suppressed
        if jobs == 1:
            # only what rules read whole of other objects is unpickled (the Secrets' types,
            # the ConfigMaps' keys, KL210 the containers of the Deployment the HPA scales);
            # with whole data for the pod specs' references, all 16 pods and workloads
            pods = [(d["kind"], d["metadata"]["name"]) for d in unpacked
                    if d.get("kind") in POD_SPEC_PATHS]
            assert {"Secret", "ConfigMap"} <= {d.get("kind") for d in unpacked}
            assert set(pods) == {("Deployment", "web")} and len(pods) <= 2, pods


def test_kept_refs_are_those_of_the_whole_data(tree, monkeypatch):
    monkeypatch.setattr(engine, "WHOLE_MAX_BYTES", 0)
    kept = []
    real = engine._late

    def late(linter, sources, outcomes, *args, **kwargs):
        kept.extend(o for out in outcomes for o in out.objects)
        return real(linter, sources, outcomes, *args, **kwargs)

    monkeypatch.setattr(engine, "_late", late)
    run([str(tree)], Settings(select=["ALL"], jobs=1))
    with_refs = [o for o in kept if o.refs is not None]
    assert {o.kind for o in with_refs} == {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
                                           "Job", "CronJob", "Pod", "PodTemplate"}
    assert all(o.full is not None for o in with_refs)
    assert all(o.refs is None for o in kept if o.kind not in POD_SPEC_PATHS)
    for o in with_refs:
        whole = graph.whole(o)
        assert list(o.refs) == _find_pod_refs(whole), o.kind
        assert len(o.refs) >= 10
    # a run without the rules that read them does not look for them
    kept.clear()
    run([str(tree)], Settings(select=["KL201", "KL217"], jobs=1))
    assert kept and all(o.refs is None for o in kept)
    assert any(o.full is not None and o.kind == "Deployment" for o in kept)
