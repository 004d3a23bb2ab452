"""packing.py: the whole data the cross-object stage keeps of projected objects, pickled with
the common Kubernetes keys as a shared memo."""

import pickle
import threading

from kubelint import fastload, packing
from kubelint.engine import K8sObject, Linter, Settings

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, "app.kubernetes.io/name": web, custom-label: "x"}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports: [{containerPort: 80, protocol: TCP}, {containerPort: 443, protocol: TCP}]
        env: [{name: A, value: "1"}, {name: B, value: "yes"}]
        resources: {limits: {cpu: 100m, memory: 1.5e2}}
        notAKubernetesField: [null, true, 0x10, -0.0, "ünïcode"]
"""


def _loaded():
    [(_, data, _)] = fastload.load_documents(DEPLOYMENT)
    return data


def _keys(value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _keys(v)
    elif isinstance(value, list):
        for v in value:
            yield from _keys(v)


def test_loaded_keys_are_the_shared_strings():
    data = _loaded()
    known = [k for k in _keys(data) if k in packing.KEYS]
    assert {"apiVersion", "metadata", "containers", "containerPort", "app"} <= set(known)
    # the very objects of KEYS (a pickler's memo goes by identity), built from the text
    assert all(k is packing.KEYS[packing.KEYS.index(k)] for k in known)
    assert packing.key("notAKubernetesField") == "notAKubernetesField"


def test_round_trip_is_exact_and_shares_the_keys():
    data = _loaded()
    blob = packing.dumps(data)
    back = packing.loads(blob)
    assert back == data and repr(back) == repr(data)  # -0.0, types, order
    for k in _keys(back):
        if k in packing.KEYS:
            assert k is packing.KEYS[packing.KEYS.index(k)]
    # the keys are references: smaller than a plain pickle of the same data
    assert len(blob) < 0.8 * len(pickle.dumps(data, pickle.HIGHEST_PROTOCOL))
    # reading the same pickle again (one unpickler is reused) gives the same again
    assert packing.loads(blob) == data and packing.loads(packing.dumps(data)) == data


def test_strings_equal_to_a_key_but_other_objects_still_round_trip():
    # e.g. data built by the full loading pass (ruamel), whose keys are its own strings
    key = "".join(["api", "Version"])
    assert key == "apiVersion" and key is not packing.key("apiVersion")
    data = {key: "v1", "list": [key, {key: [key]}], "shared": {"a": 1}}
    data["again"] = data["shared"]  # a part shared within the object is written twice
    back = packing.loads(packing.dumps(data))
    assert back == data and back["shared"] is not back["again"]


def test_a_cycle_is_not_packed_and_the_object_stays_whole():
    data = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}
    data["data"] = {"self": data}
    assert packing.dumps(data) is None
    assert packing.dumps(_loaded()) is not None  # the pickler is fine afterwards
    linter = Linter(Settings())
    assert linter.slim
    obj = K8sObject("x.yaml", 0, None, data, "default")
    assert linter._kept(obj) is obj  # kept as it is rather than failing
    plain = dict(data, data={"k": "v"})
    kept = linter._kept(K8sObject("x.yaml", 0, None, plain, "default"))
    assert kept.full is not None and packing.loads(kept.full) == plain


def test_threads_pack_and_unpack_at_once():
    data = _loaded()
    errors = []

    def work():
        try:
            for _ in range(300):
                if packing.loads(packing.dumps(data)) != data:
                    errors.append("differs")
        except Exception as e:  # pragma: no cover - what the test looks for
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_outcome_lines_are_kept_flat_and_read_back_as_the_loader_gave_them(tmp_path):
    from array import array

    from kubelint import engine
    from kubelint.loader import load

    path = tmp_path / "two.yaml"
    path.write_text(DEPLOYMENT + "---\n# a comment\n\n" + DEPLOYMENT.replace("web", "api"))
    linter = Linter(Settings())
    source = engine.Source(str(path), str(path))
    outcome = linter.lint(source)
    loaded = load(str(path), 1 << 20)
    second = path.read_text().index("# a comment") + len("# a comment\n\n")
    assert loaded.lines == [(0, 0, 0), (1, 23, second)]
    assert isinstance(outcome.lines, array) and list(outcome.lines) == [0, 0, 0, 1, 23, second]
    # the cross-object stage composes the second document alone from those lines
    node = engine._Reopened(source, outcome.lines, 1 << 20).fast(1, None)
    assert node.start_mark.line == 23


def test_a_small_run_keeps_objects_whole_and_finds_the_same(tmp_path, monkeypatch):
    """Below engine.WHOLE_MAX_BYTES of input the cross-object stage gets whole objects (no
    projection, nothing packed: CPU); above, projections with packed data (memory)."""
    from kubelint import engine

    for i in range(60):  # enough files for two processes
        (tmp_path / f"app-{i:02}.yaml").write_text(
            DEPLOYMENT.replace("web", f"web{i}") + "---\napiVersion: v1\nkind: Service\n"
            f"metadata: {{name: web{i}}}\nspec: {{selector: {{app: {'web' if i % 10 else 'nope'}{i}}}, ports: [{{port: 80}}]}}\n")
    kept = []
    real = engine._late

    def late(linter, sources, outcomes, loaded=None):
        kept.append([o for out in outcomes for o in out.objects])
        return real(linter, sources, outcomes, loaded)

    monkeypatch.setattr(engine, "_late", late)
    results = []
    for limit in (engine.WHOLE_MAX_BYTES, 1000):
        monkeypatch.setattr(engine, "WHOLE_MAX_BYTES", limit)
        for jobs in (1, 2):
            results.append(engine.run([str(tmp_path)], Settings(jobs=jobs)))
    small, large = kept[:2], kept[2:]
    assert all(len(objs) == 120 for objs in kept)
    assert all(o.full is None and "template" in o.data["spec"] for objs in small for o in objs
               if o.kind == "Deployment")
    assert all(o.full is not None and "env" not in o.data["spec"]["template"]["spec"]["containers"][0]
               for objs in large for o in objs if o.kind == "Deployment")
    findings = [r.findings for r in results]
    assert any(f.code == "KL201" for f in findings[0])  # the cross stage finds something
    assert all(f == findings[0] for f in findings)
