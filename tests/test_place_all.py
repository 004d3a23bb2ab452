"""Placing a document's positions at once (batchplace.place_all, Linter._place_missed): the
spans are locate()'s, pointer by pointer, in kept (lean) and composed trees, whatever the
layout of the next document of a kind (the trie's remembered key indexes are only hints)."""

from kubelint import batchplace, engine, loader, positions
from kubelint.engine import Settings, run

DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, "quoted key": x}
spec:
  replicas: 2
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: example/web:1.0
          imagePullPolicy: Always
          ports: [{containerPort: 80}, {containerPort: 22}]
        - {image: "side:1", name: side}
      volumes:
        - name: data
          emptyDir: {}
"""

# the same object, its keys in other orders and places (a hint from DEPLOY points elsewhere)
REORDERED = """kind: Deployment
spec:
  template:
    spec:
      volumes: [{name: data, emptyDir: {}}]
      containers:
        - image: example/web:1.0
          ports:
            - containerPort: 80
          name: web
        - name: side
          imagePullPolicy: IfNotPresent
          image: "side:1"
    metadata: {labels: {app: web}}
  replicas: 2
metadata:
  "name": web
apiVersion: apps/v1
"""


def _pointers(data, base=(), absent=None):
    """The pointers of `data`; `absent` gets pointers one part past them (not there)."""
    out = []
    if isinstance(data, dict):
        for k, v in data.items():
            out.append(base + (k,))
            out += _pointers(v, base + (k,), absent)
        absent.append(base + ("absent",))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.append(base + (i,))
            out += _pointers(v, base + (i,), absent)
        absent.append(base + (len(data),))
    return out


def _docs(tmp_path, text, keep):
    path = tmp_path / "d.yaml"
    path.write_text(text)
    return loader.load(str(path), keep_nodes=keep).documents


def test_place_all_gives_locates_spans(tmp_path):
    for text in (DEPLOY, REORDERED):
        for keep in (True, False):  # a lean kept tree, a tree composed again
            doc = _docs(tmp_path, text, keep)[0]
            absent = []
            there = [(p, at) for p in _pointers(doc.data, (), absent) for at in ("key", "value")]
            out = {}
            batchplace.place_all(doc.pnode, batchplace.trie_of(
                there + [(p, "value") for p in absent]), out)
            fresh = _docs(tmp_path, text, keep)[0].pnode
            # every pointer that is there is placed, where locate() puts it; no other one
            assert set(out) == set(there)
            for key, span in out.items():
                assert span == positions.locate(fresh, *key), key


def test_a_trie_reused_on_another_layout(tmp_path):
    """The trie remembers where each key was in the last document; in a document laid out
    otherwise the key is looked for again, not taken from the remembered place."""
    keys = [(("metadata", "name"), "value"), (("spec", "template", "spec"), "key"),
            (("spec", "template", "spec", "containers", 0, "name"), "key"),
            (("spec", "template", "spec", "containers", 1, "imagePullPolicy"), "value"),
            (("spec", "template", "spec", "containers", 1, "name"), "key")]
    trie = batchplace.trie_of(keys)
    first = {}
    batchplace.place_all(_docs(tmp_path, DEPLOY, True)[0].pnode, trie, first)
    out = {}
    batchplace.place_all(_docs(tmp_path, REORDERED, True)[0].pnode, trie, out)
    fresh = _docs(tmp_path, REORDERED, True)[0].pnode
    assert set(out) == set(keys)
    for key in keys:
        assert out[key] == positions.locate(fresh, *key), key
    # exact positions in REORDERED: `"name": web` (line 17), the second container's policy
    assert out[(("metadata", "name"), "value")] == (17, 11, 17, 14)
    assert out[keys[3]] == (12, 28, 12, 40)
    assert out[keys[4]] == (11, 11, 11, 15)


def _located_alone(monkeypatch):
    """Linter._place_missed as it was: each position located alone."""
    def alone(self, doc, obj, memo, key):
        span = memo[key] = positions.locate(doc.pnode, key[0], key[1])
        return span

    monkeypatch.setattr(engine.Linter, "_place_missed", alone)


def test_findings_placed_at_once_as_one_by_one(tmp_path, monkeypatch):
    """The whole rule set on documents of one kind laid out differently: the same findings at
    the same positions as when each position is located alone."""
    for i, text in enumerate([DEPLOY, REORDERED, DEPLOY.replace("name: web", "name: web2")]):
        (tmp_path / f"f{i}.yaml").write_text(text + "---\n" + REORDERED.replace("web", f"w{i}"))
    settings = Settings(select=["ALL", "security", "reliability", "pod-security"], jobs=1,
                        use_ignore_files=False)

    def report():
        return [(f.path, f.line, f.column, f.span, f.code, f.message)
                for f in run([str(tmp_path)], settings).findings]

    monkeypatch.setattr(engine, "BATCH_AFTER", 0)  # (a run of 6 documents)
    calls = []
    place_all = batchplace.place_all
    monkeypatch.setattr(batchplace, "place_all", lambda *a: calls.append(1) or place_all(*a))
    batched = report()
    assert len(calls) >= 6
    _located_alone(monkeypatch)
    alone = report()
    assert len(batched) > 40
    assert batched == alone
