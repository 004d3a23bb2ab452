"""Placing findings: the cross-object stage composes only the documents it places findings in,
from the file's text (loader.reopen), instead of loading the files again; positions, order
and related locations are those of a whole reload, file layouts the fast pass does not take
included (CR LF, a List, a file too large to keep its nodes)."""

import os

from kubelint import engine, loader
from kubelint.engine import Settings, run

APP = """apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {pod-security.kubernetes.io/enforce: restricted}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: example/web:1.0
          securityContext: {allowPrivilegeEscalation: true}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: nothing}
  ports: [{port: 80}]
"""

LIST = """apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: p, namespace: shop}
  spec:
    hostNetwork: true
    containers: [{name: c, image: "x:1"}]
"""


def _files(tmp_path):
    (tmp_path / "app.yaml").write_text(APP)
    (tmp_path / "crlf.yaml").write_bytes(APP.replace("name: web", "name: crlf")
                                         .replace("\n", "\r\n").encode())
    (tmp_path / "list.yaml").write_text(LIST)
    # a Deployment after many documents: later than the first, in a file of its own
    (tmp_path / "long.yaml").write_text("".join(
        f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}, namespace: shop}}\n---\n"
        for i in range(40)) + APP.split("---\n")[1].replace("name: web", "name: late"))
    return [str(tmp_path)]


def _run(paths):
    return run(paths, Settings(select=["ALL", "pod-security", "reliability", "security"], jobs=1))


def test_cross_findings_placed_from_the_text_as_from_a_reload(tmp_path, monkeypatch):
    paths = _files(tmp_path)
    late_loads = []
    real_late, real_load = engine._late, engine.load_source

    def late(*args, **kwargs):
        late_loads.append("start")
        return real_late(*args, **kwargs)

    monkeypatch.setattr(engine, "_late", late)
    monkeypatch.setattr(engine, "load_source", lambda source, size, keep=False: (
        late_loads.append(os.path.basename(source.path)) if late_loads else None)
        or real_load(source, size, keep))
    placed = _run(paths)
    # only the List (the full pass's file) is loaded again
    assert late_loads == ["start", "list.yaml"]
    codes = {(os.path.basename(f.path), f.code) for f in placed.findings}
    assert {("app.yaml", "KL422"), ("crlf.yaml", "KL422"), ("long.yaml", "KL422"),
            ("list.yaml", "KL402"), ("app.yaml", "KL201"), ("app.yaml", "KL333")} <= codes
    late_loads.clear()
    # without the per-file stage's memo of positions: every document composed again
    monkeypatch.setattr(engine, "_late", lambda linter, sources, outcomes, loaded=None: real_late(
        linter, sources, [o._replace(spans=None) for o in outcomes], loaded))
    composed = _run(paths)
    assert placed.findings == composed.findings
    # and as a whole reload of every file gives them
    monkeypatch.setattr(engine, "_Reopened", lambda *args: None)
    reloaded = _run(paths)
    assert placed.findings == reloaded.findings
    assert placed.suppressed == reloaded.suppressed


def test_kept_and_composed_nodes_give_the_same_positions(tmp_path, monkeypatch):
    paths = _files(tmp_path)
    real = engine.load_source
    monkeypatch.setattr(engine, "load_source", lambda source, size, keep=False: real(source, size, True))
    kept = _run(paths)
    monkeypatch.setattr(engine, "load_source", lambda source, size, keep=False: real(source, size, False))
    assert _run(paths).findings == kept.findings
    monkeypatch.setattr(loader, "KEEP_NODES_MAX_TEXT", 0)
    monkeypatch.setattr(engine, "load_source", lambda source, size, keep=False: real(source, size, True))
    assert _run(paths).findings == kept.findings


def test_exact_positions_of_cross_findings(tmp_path):
    (tmp_path / "app.yaml").write_text(APP)
    result = _run([str(tmp_path / "app.yaml")])
    got = {(f.code, f.span.line, f.span.column) for f in result.findings
           if f.code in ("KL422", "KL201", "KL333")}
    # allowPrivilegeEscalation (line 23, its key); the Service's selector (key); the
    # Deployment's name for the missing PodDisruptionBudget
    assert ("KL422", 23, 55) in got
    assert ("KL201", 31, 3) in got
    assert ("KL333", 10, 9) in got


def test_a_file_ending_in_a_bare_document_marker(tmp_path):
    # istio's samples/jwt-server/jwt-server.yaml ends in `---` without a line break: the
    # cross-object stage once placed every finding of such a file at 1:1
    path = tmp_path / "app.yaml"
    path.write_text("""apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: wbe}
  ports: [{port: 80}]
---""")
    default = run([str(path)], Settings(select=["ALL"]))
    assert [(f.code, f.line, f.column) for f in default.findings] == [("KL201", 18, 3)]
    more = run([str(path)], Settings(select=["ALL", "KL331"]))
    assert [(f.code, f.line, f.column) for f in more.findings] == [("KL331", 6, 13), ("KL201", 18, 3)]
