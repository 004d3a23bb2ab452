"""Whole data read back from the files (kubelint/reload.py): the cross-object stage keeps most
objects as projections, with their whole data packed only when their own cross rules read more;
any other object's whole data is read back from its file when a rule asks (graph.full_data).
It must be the data the per-file stage had, or nothing: a file changed between the stages
gives no finding that its linted content would not give."""

import os

import pytest

from kubelint import engine, reload
from kubelint.engine import Settings, run

OLD = (1_700_000_000, 1_700_000_000)  # an mtime long before the run (files settled)

# Two identical ConfigMaps (KL217 compares their whole data: nothing lost, no finding), a
# Service whose targetPort no container declares but the container's command line names
# (KL204 reads the Deployment's whole data: no finding)
TEXT = """apiVersion: v1
kind: ConfigMap
metadata: {name: same, namespace: a}
data: {a: "1"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: same, namespace: a}
data: {a: "1"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: tempo, namespace: a}
spec:
  selector: {matchLabels: {app: tempo}}
  template:
    metadata: {labels: {app: tempo}}
    spec:
      containers:
      - name: tempo
        image: grafana/tempo:2.6.0
        args: ["-server.grpc-listen-port=9095"]
        ports: [{containerPort: 3200}]
---
apiVersion: v1
kind: Service
metadata: {name: tempo, namespace: a}
spec:
  selector: {app: tempo}
  ports: [{name: grpc, port: 9095, targetPort: 9095}]
"""
# the same size, and what a naive reading of the changed file would report: the duplicates
# differ (KL217), the port is no longer named (KL204)
CHANGED = TEXT.replace('data: {a: "1"}\n---\napiVersion: apps', 'data: {a: "2"}\n---\napiVersion: apps') \
    .replace("listen-port=9095", "listen-port=9096")
SELECT = ["KL20", "KL21"]  # the reference rules: workloads projected without their data packed


@pytest.fixture
def projected(monkeypatch):
    """Projections even in a small run; the objects each cross stage got, and what was read
    back (kinds)."""
    monkeypatch.setattr(engine, "WHOLE_MAX_BYTES", 0)
    seen = {"objects": [], "read": []}
    late, read = engine._late, reload._read

    def spy_late(linter, sources, outcomes, loaded=None):
        seen["objects"] = [o for out in outcomes for o in out.objects]
        if seen.get("between"):
            seen["between"]()
        return late(linter, sources, outcomes, loaded)

    monkeypatch.setattr(engine, "_late", spy_late)
    monkeypatch.setattr(reload, "_read", lambda obj: seen["read"].append(obj.kind) or read(obj))
    return seen


def _file(tmp_path, text=TEXT, settled=True):
    path = tmp_path / "app.yaml"
    path.write_text(text)
    if settled:
        os.utime(path, OLD)
    return path


def _findings(result):
    return [(f.code, f.line, f.column, f.message) for f in result.findings]


def test_read_back_is_the_data_the_file_had(tmp_path, projected):
    path = _file(tmp_path, TEXT + "---\n# a comment\napiVersion: v1\nkind: ConfigMap\n"
                 "metadata: {name: last, namespace: a}\ndata: {b: '2'}\n")
    run([str(path)], Settings(select=SELECT))
    empty = [o for o in projected["objects"] if o.full == b""]
    assert sorted(o.kind for o in empty) == ["ConfigMap"] * 3 + ["Deployment", "Service"]
    from kubelint.loader import load

    whole = {d.index: d.data for d in load(str(path)).documents}
    for o in empty:
        assert reload.data_of(o) == whole[o.doc]
    # a file changed since: nothing, even when its size and mtime are put back as they were
    # and only the data beyond the projection differs -- then the data is the file's (that
    # cannot be told); a change of the projection is told
    path.write_text(CHANGED)
    reload._memo.clear()
    assert [reload.data_of(o) for o in empty] == [None] * 5
    os.utime(path, OLD)
    reload._memo.clear()
    relabelled = TEXT.replace("{app: tempo}}\n  template", "{app: tempa}}\n  template")
    path.write_text(relabelled + "---\n# a comment\napiVersion: v1\nkind: ConfigMap\n"
                    "metadata: {name: last, namespace: a}\ndata: {b: '2'}\n")
    os.utime(path, OLD)
    deployment = [o for o in empty if o.kind == "Deployment"][0]
    assert reload.data_of(deployment) is None


def test_same_findings_with_the_data_read_back(tmp_path, projected, monkeypatch):
    path = _file(tmp_path)
    slim = run([str(path)], Settings(select=SELECT))
    assert {"ConfigMap", "Deployment"} <= set(projected["read"])  # KL217, KL204
    monkeypatch.setattr(engine, "WHOLE_MAX_BYTES", 1 << 30)
    whole = run([str(path)], Settings(select=SELECT))
    assert _findings(slim) == _findings(whole)
    assert not [f for f in whole.findings if f.code in ("KL203", "KL204", "KL217")]


def test_a_file_changed_between_the_stages_gives_no_false_finding(tmp_path, projected):
    path = _file(tmp_path)
    projected["between"] = lambda: path.write_text(CHANGED)  # the same size, a new mtime
    got = run([str(path)], Settings(select=SELECT))
    assert {"ConfigMap", "Deployment"} <= set(projected["read"])
    assert not [f for f in got.findings if f.code in ("KL203", "KL204", "KL217")], _findings(got)
    # (what the changed file gives, read from the start: both)
    del projected["between"]
    _file(tmp_path, CHANGED)
    assert {"KL204", "KL217"} <= {f.code for f in run([str(path)], Settings(select=SELECT)).findings}


def test_files_modified_just_before_the_run_keep_their_data(tmp_path, projected):
    path = _file(tmp_path, settled=False)
    run([str(path)], Settings(select=SELECT))
    assert projected["objects"] and all(o.full for o in projected["objects"] if o.full is not None)
    assert not projected["read"]


def test_stdin_keeps_its_data(tmp_path, projected):
    run(["-"], Settings(select=SELECT), stdin=TEXT.encode())
    assert all(o.full for o in projected["objects"] if o.full is not None)


def test_a_warm_run_reads_back_from_the_file_as_it_is_now(tmp_path, projected, monkeypatch):
    monkeypatch.setenv("KUBELINT_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "in"
    folder.mkdir()
    path = _file(folder)
    cold = run([str(path)], Settings(select=SELECT, result_cache=True))
    assert projected["read"]
    projected["read"].clear()
    projected["between"] = lambda: path.write_text(CHANGED)
    # the cross stage's own cache is keyed by every file's bytes: a later change is not in it
    monkeypatch.setattr(engine, "_late_cached", lambda linter, sources, outcomes, keys:
                        engine._late(linter, sources, outcomes))
    linted = []
    lint = engine.Linter.lint
    monkeypatch.setattr(engine.Linter, "lint", lambda self, *a: linted.append(a) or lint(self, *a))
    warm = run([str(path)], Settings(select=SELECT, result_cache=True))
    assert not linted  # (from the cache)
    assert any(o.full == b"" for o in projected["objects"])  # (the cached outcome's objects)
    assert not [f for f in warm.findings if f.code in ("KL203", "KL204", "KL217")], _findings(warm)
    del projected["between"]
    _file(folder)
    again = run([str(path)], Settings(select=SELECT, result_cache=True))
    assert projected["read"]
    assert _findings(again) == _findings(cold)


def test_a_text_not_as_long_as_its_bytes_keeps_its_data(tmp_path, projected, monkeypatch):
    """A byte order mark (or another encoding) makes the text shorter than the file: its
    offsets are not the file's, and its objects keep their data packed."""
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + CHANGED.encode())
    os.utime(path, OLD)
    slim = run([str(path)], Settings(select=SELECT))
    assert all(o.full for o in projected["objects"] if o.full is not None)
    monkeypatch.setattr(engine, "WHOLE_MAX_BYTES", 1 << 30)
    whole = run([str(path)], Settings(select=SELECT))
    assert {"KL204", "KL217"} <= {f.code for f in whole.findings}
    assert _findings(slim) == _findings(whole)
