"""The cross-object stage asks a check with a `candidates` hook once per run which objects it
can find something in (KL217 duplicates, KL218 colliding node ports, KL211 HPA targets), and
calls it on those only: the findings must be those of calling it on every object."""

import os
import shutil

import pytest

from kubelint import engine
from kubelint.checks import references
from kubelint.engine import Settings, run

from .conftest import FIXTURES


def _service(name, ns, node_port=None, selector="web"):
    port = f", nodePort: {node_port}" if node_port is not None else ""
    return (f"apiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {ns}}}\n"
            f"spec:\n  type: NodePort\n  selector: {{app: {selector}}}\n"
            f"  ports: [{{port: 80{port}}}, {{port: 81, nodePort: 0}}]\n")


def _deploy(name, ns, replicas=2):
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {ns}}}\n"
            f"spec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: {name}}}}}\n"
            f"  template:\n    metadata: {{labels: {{app: {name}}}}}\n"
            f"    spec: {{containers: [{{name: c, image: nginx:1.27}}]}}\n")


def _hpa(name, ns, target, kind="Deployment", api="apps/v1"):
    return (f"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n"
            f"metadata: {{name: {name}, namespace: {ns}}}\n"
            f"spec:\n  scaleTargetRef: {{apiVersion: {api}, kind: {kind}, name: {target}}}\n"
            f"  minReplicas: 1\n  maxReplicas: 3\n")


def _tree(root):
    """Two folders (two units): duplicates, node ports shared within a file, across files of
    one folder and across folders, HPAs with and without replicas on their targets."""
    for folder in ("a", "b"):
        d = root / folder
        d.mkdir()
        docs = [_deploy("web", "shop"), _deploy("web", "shop", replicas=3),  # KL217
                _deploy("api", "shop"), _deploy("api", "shop"),  # identical copies: quiet
                _service("web", "shop", 30080), _service("web-2", "shop", 30080),  # KL218
                _service("solo", "shop", 30090, selector="api"),
                _hpa("web", "shop", "web"), _hpa("api", "other", "api"),
                _deploy("api", "other", replicas=4)]  # KL211
        (d / "app.yaml").write_text("---\n".join(docs))
        # the same nodePort in another file of the folder, and once more in the other folder
        (d / "more.yaml").write_text(_service("more", "shop", 30090 if folder == "a" else 30091)
                                     + "---\n" + _deploy("scaled", "shop")
                                     + "---\n" + _hpa("scaled", "shop", "scaled"))
        (d / "own.yaml").write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: own-{folder}}}\n")
        (d / "cluster.yaml").write_text(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\n"
            "rules: []\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
            "metadata: {name: r}\nrules: [{apiGroups: [''], resources: [pods], verbs: [get]}]\n")
    for name in ("graph-demo.yaml", "realistic-platform.yaml", "realistic-app.yaml"):
        shutil.copy(os.path.join(FIXTURES, name), root / name)


HOOKED = (references.duplicate_object, references.duplicate_node_port,
          references.hpa_replicas_conflict)


@pytest.mark.parametrize("jobs", [1, 2])
def test_candidates_give_the_findings_of_every_object(tmp_path, monkeypatch, jobs):
    _tree(tmp_path)
    monkeypatch.setattr(engine, "LATE_PARALLEL_MIN_OBJECTS", 0)
    settings = dict(select=["ALL"], jobs=jobs,
                    rules={"duplicate-object": {"options": {"across-files": True}}})
    hooked = run([str(tmp_path)], Settings(**settings))
    for fn in HOOKED:
        monkeypatch.delattr(fn, "candidates")
    every = run([str(tmp_path)], Settings(**settings))
    assert hooked.findings == every.findings and hooked.suppressed == every.suppressed
    got = sorted((f.code, os.path.relpath(f.path, tmp_path), f.line) for f in hooked.findings
                 if f.code in ("KL211", "KL217", "KL218"))
    assert got == [
        ("KL211", "a/app.yaml", 5), ("KL211", "a/app.yaml", 15), ("KL211", "a/app.yaml", 85),
        ("KL211", "a/more.yaml", 13), ("KL211", "b/app.yaml", 5), ("KL211", "b/app.yaml", 15),
        ("KL211", "b/app.yaml", 85), ("KL211", "b/more.yaml", 13),
        ("KL217", "a/app.yaml", 3), ("KL217", "a/app.yaml", 13), ("KL217", "a/app.yaml", 23),
        ("KL217", "a/app.yaml", 33), ("KL217", "a/app.yaml", 43), ("KL217", "a/app.yaml", 67),
        ("KL217", "a/cluster.yaml", 8), ("KL217", "b/app.yaml", 3), ("KL217", "b/app.yaml", 13),
        ("KL217", "b/app.yaml", 23), ("KL217", "b/app.yaml", 33), ("KL217", "b/app.yaml", 43),
        ("KL217", "b/app.yaml", 67), ("KL217", "b/cluster.yaml", 8), ("KL217", "b/more.yaml", 3),
        ("KL217", "realistic-platform.yaml", 8),
        ("KL218", "a/app.yaml", 55), ("KL218", "a/more.yaml", 7), ("KL218", "b/app.yaml", 55)], got


def test_a_check_is_called_on_its_candidates_only(tmp_path, monkeypatch):
    _tree(tmp_path)
    calls = {}

    def counting(fn):
        def check(obj, ctx):
            calls.setdefault(fn.__name__, []).append((os.path.relpath(obj.path, tmp_path), obj.name))
            return fn(obj, ctx)

        check.candidates = fn.candidates
        return check

    for fn in HOOKED:
        monkeypatch.setattr(references, fn.__name__, counting(fn))
    run([str(tmp_path)], Settings(select=["KL211", "KL217", "KL218"], jobs=1))
    dup = calls["duplicate_object"]
    assert ("a/app.yaml", "web") in dup and ("a/cluster.yaml", "r") in dup
    assert ("a/own.yaml", "own-a") not in dup and len(dup) < 60
    assert sorted(calls["duplicate_node_port"]) == [
        ("a/app.yaml", "web-2"), ("a/more.yaml", "more"), ("b/app.yaml", "web-2")]
    hpa = calls["hpa_replicas_conflict"]
    assert ("a/more.yaml", "scaled") in hpa and ("a/app.yaml", "api") in hpa
    assert all(name in ("web", "api", "scaled") for _, name in hpa)


def test_a_failing_hook_leaves_the_check_on_every_object(tmp_path, monkeypatch):
    _tree(tmp_path)
    calls = []
    real = references.duplicate_node_port

    def check(obj, ctx):
        calls.append(obj.name)
        return real(obj, ctx)

    def broken(ctx):
        raise RuntimeError("no candidates")

    monkeypatch.setattr(references, "duplicate_node_port", check)
    plain = run([str(tmp_path)], Settings(select=["KL218"], jobs=1))
    every, calls[:] = calls[:], []
    check.candidates = broken
    result = run([str(tmp_path)], Settings(select=["KL218"], jobs=1))
    assert calls == every and {"solo", "web", "more"} <= set(calls)
    assert result.findings == plain.findings and len(result.findings) == 3


def test_select_map_answers_again_until_pods_are_added():
    """Graph.select_map keeps its last answer (KL201, KL203 and KL204 ask for each Service in
    turn): the same list for the same selector and namespace, a new one once pods are added."""
    from kubelint.engine import K8sObject
    from kubelint.graph import Graph

    def pod(name, app):
        return K8sObject("p.yaml", 0, None, {"apiVersion": "v1", "kind": "Pod", "metadata": {
            "name": name, "labels": {"app": app}}, "spec": {"containers": []}}, "ns")

    g = Graph([pod("a", "web")])
    selector = {"app": "web"}
    first = g.select_map("ns", selector)
    assert [p.obj.name for p in first] == ["a"] and g.select_map("ns", selector) is first
    assert g.select_map("other", selector) == []
    assert [p.obj.name for p in g.select_map("ns", {"app": "web"})] == ["a"]
    g.add(pod("b", "web"))
    assert [p.obj.name for p in g.select_map("ns", {"app": "web"})] == ["a", "b"]
    assert [p.obj.name for p in g.select_map("ns", selector)] == ["a", "b"]


def test_closest_counts_as_it_describes():
    """Graph.closest counts a selector map's differences instead of describing each pod's
    (map_misses): the same pod and the same description as describing them all."""
    import random

    from kubelint.engine import K8sObject
    from kubelint.graph import Graph, map_misses

    rng = random.Random(3)
    keys, values = ["app", "tier", "pod-template-hash", "job-name"], ["a", "b", "c", 1, True]
    kinds = ["Pod", "Deployment", "Job", "StatefulSet"]
    for _ in range(200):
        objects = []
        for i in range(rng.randint(1, 12)):
            labels = {k: rng.choice(values) for k in rng.sample(keys, rng.randint(0, 3))}
            kind = rng.choice(kinds)
            data = {"apiVersion": "v1" if kind == "Pod" else "batch/v1" if kind == "Job" else "apps/v1",
                    "kind": kind, "metadata": {"name": f"o{i}"}}
            template = {"metadata": {"labels": labels}, "spec": {"containers": []}}
            data.update(template if kind == "Pod" else {"spec": {"template": template}})
            objects.append(K8sObject(f"f{rng.randint(0, 2)}.yaml", i, None, data, "ns"))
        g = Graph(objects)
        selector = {k: rng.choice(values) for k in rng.sample(keys, rng.randint(1, 3))}
        near = rng.choice(objects)
        fast = g.closest("ns", selector, near)
        slow = g.closest("ns", selector, near, lambda s, p: map_misses(s, p))
        assert (fast[0].obj, fast[1]) == (slow[0].obj, slow[1]) if slow else fast is None


def test_closest_when_no_pod_shares_a_selector_label_is_the_compared_one():
    """When no pod of the namespace has (or may have) one of the selector's labels, Graph.closest
    takes its answer from a per-namespace memo (_nearest_in) instead of comparing the first 200
    pods one by one: the same pod (same file first, then lowest path and document, the first of
    equals), also once pods are added after it answered."""
    import random

    from kubelint.engine import K8sObject
    from kubelint.graph import Graph, map_misses

    rng = random.Random(5)
    used = 0
    for _ in range(150):
        objects = []
        for i in range(rng.randint(0, 15)):
            kind = rng.choice(["Pod", "Deployment", "Job"])
            labels = {k: rng.choice(["a", "b"]) for k in rng.sample(["app", "tier"], rng.randint(0, 2))}
            data = {"apiVersion": "v1" if kind == "Pod" else "batch/v1" if kind == "Job" else "apps/v1",
                    "kind": kind, "metadata": {"name": f"o{i}"}}
            template = {"metadata": {"labels": labels}, "spec": {"containers": []}}
            data.update(template if kind == "Pod" else {"spec": {"template": template}})
            # documents out of order, files interleaved, the same (path, document) twice
            objects.append(K8sObject(f"f{rng.randint(0, 3)}.yaml", rng.randint(0, 4), None, data,
                                     rng.choice(["ns", "ns", "other"])))
        g = Graph(objects[: len(objects) // 2])
        for o in objects[len(objects) // 2:]:
            near = rng.choice(objects) if objects else K8sObject("f0.yaml", 0, None, {}, "ns")
            selector = rng.choice([{"app": "zz"}, {"zone": "x", "app": "q"}, {}, {"app": ["x"]}])
            fast = g.closest("ns", selector, near)
            slow = g.closest("ns", selector, near, lambda s, p: map_misses(s, p))
            assert (fast[0].obj, fast[1]) == (slow[0].obj, slow[1]) if slow else fast is None
            used += fast is not None and "ns" in g._nearest
            g.add(o)  # (the memo is dropped with each pod added)
    assert used > 50


def test_an_hpa_with_a_list_for_a_kind_breaks_no_other_object(tmp_path):
    """An HorizontalPodAutoscaler whose scaleTargetRef kind is a list is the schema's
    finding; KL211 indexed it by that kind and failed (an internal error on every workload)."""
    (tmp_path / "app.yaml").write_text(
        _deploy("web", "shop") + "---\n" + _hpa("web", "shop", "web") + "---\n"
        + _hpa("odd", "shop", "web", kind="[Deployment]"))
    result = run([str(tmp_path / "app.yaml")], Settings(select=["KL211"]))
    assert [(f.code, f.line, f.message[:40]) for f in result.findings] == [
        ("KL211", 5, "spec.replicas is set, but HorizontalPodA")]


def test_an_hpa_whose_target_name_or_api_version_is_no_string_is_the_schemas_finding(tmp_path):
    """A mapping for scaleTargetRef.name (or a list for its apiVersion) was an internal error
    in KL209 and KL210 (an unhashable name looked up in the graph); now only KL010 says so."""
    text = (_deploy("web", "shop") + "---\n" + _hpa("odd", "shop", "web").replace(
        "name: web", "name: {a: b}") + "---\n" +
        _hpa("odd2", "shop", "web").replace("apiVersion: apps/v1", "apiVersion: [apps/v1]"))
    assert "name: {a: b}" in text and "apiVersion: [apps/v1]" in text
    (tmp_path / "app.yaml").write_text(text)
    result = run([str(tmp_path / "app.yaml")], Settings(select=["KL"]))
    assert [f for f in result.findings if "internal error" in f.message] == []
    assert sorted(f.code for f in result.findings if f.code == "KL010") == ["KL010", "KL010"]
