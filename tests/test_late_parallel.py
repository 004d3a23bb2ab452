"""The cross-object stage shared out between processes (engine._late with --jobs 2): the same
findings and suppressions, in the same order before the report sorts them, as one process --
custom resources whose CRD is in another file first, related locations in other files,
comment directives used by a cross-object finding (and KL090 for one that silences nothing),
Pod Security, the coverage rules, admission policies."""

import os
import pickle
import shutil

from kubelint import engine, parallel
from kubelint.engine import Settings, run

from .conftest import FIXTURES

SUPPRESSED = """apiVersion: apps/v1
kind: Deployment
metadata: {name: quiet}
spec:
  selector: {matchLabels: {app: quiet}}
  template:
    metadata: {labels: {app: quiet}}
    spec:
      containers:
        - name: quiet
          image: nginx:1.27
          # kubelint: disable=KL205
          envFrom: [{configMapRef: {name: no-such-config}}]
---
apiVersion: v1
kind: Service
metadata: {name: lonely}
spec:
  selector: {app: nobody}  # kubelint: disable=KL201
  ports: [{port: 80}]
"""

UNUSED = """apiVersion: v1
kind: ConfigMap
metadata: {name: plain}  # kubelint: disable=KL204
data: {a: b}
"""


def _tree(tmp_path):
    for name in ("graph-demo.yaml", "coverage-demo.yaml", "realistic-app.yaml",
                 "realistic-batch.yaml", "realistic-platform.yaml", "pss/shop.yaml",
                 "pss/every-control.yaml", "crd/widget-crd.yaml", "crd/widgets.yaml",
                 "vap/policies.yaml", "vap/objects.yaml"):
        shutil.copy(os.path.join(FIXTURES, name), tmp_path / name.replace("/", "-"))
    (tmp_path / "suppressed.yaml").write_text(SUPPRESSED)
    (tmp_path / "unused.yaml").write_text(UNUSED)
    for i in range(40):  # a duplicate across files: related location in another file
        (tmp_path / f"quota-{i:02d}.yaml").write_text(
            f"apiVersion: v1\nkind: ResourceQuota\nmetadata: {{name: q{i % 39}}}\n"
            f"spec: {{hard: {{pods: \"{i}\"}}}}\n")


def test_split_cross_object_stage_matches_one_process(tmp_path, monkeypatch):
    _tree(tmp_path)
    monkeypatch.setattr(engine, "LATE_PARALLEL_MIN_OBJECTS", 0)
    split = []
    late_parts, late = engine._late_parts, engine._late
    monkeypatch.setattr(engine, "_late_parts", lambda *a: split.append(late_parts(*a)) or split[-1])
    stages = []
    monkeypatch.setattr(engine, "_late", lambda *a, **k: stages.append(late(*a, **k)) or stages[-1])
    ready = []  # graphs built while the files were linted (forked runs), and used
    graph_of = engine._GraphAhead.graph_of
    monkeypatch.setattr(engine._GraphAhead, "graph_of",
                        lambda self, objects: ready.append(graph_of(self, objects)) or ready[-1])
    settings = dict(select=["ALL", "KL090"], pod_security={"level": "restricted"},
                    rules={"duplicate-object": {"options": {"across-files": True}}})
    one = run([str(tmp_path)], Settings(jobs=1, **settings))
    assert split == [None] and ready == []
    two = run([str(tmp_path)], Settings(jobs=2, **settings))
    assert split[1] is not None and len(split[1]) > 10  # one part per file
    assert len(ready) == 1 and ready[0] is not None
    kept, quiet = stages[0]
    assert stages[1] == stages[0]  # before sorting: the order of one process
    # custom resources validated once their CRD (another file) was read come first
    custom = [i for i, f in enumerate(kept) if f.code in ("KL010", "KL015")]
    assert len(custom) == 9 and custom == list(range(9))
    assert any(f.code.startswith("KL4") for f in kept)  # Pod Security
    assert any(f.code.startswith("KL50") for f in kept)  # the input's admission policies
    assert sorted(f.code for f in quiet) == ["KL201", "KL205"]
    assert any(r.path != f.path for f in kept for r in f.related)  # related in another file
    assert two.findings == one.findings and two.suppressed == one.suppressed
    unused = [(os.path.basename(f.path), f.line) for f in one.findings if f.code == "KL090"]
    assert unused == [("unused.yaml", 3)]
    # every part of the stage in a child: the directives they used count (KL090 only for the
    # unused one), nothing is lost with the child's memory
    real_run = parallel.run

    def all_in_a_child(jobs, tasks, work, *args, **kwargs):
        if "start" in kwargs:  # the per-file stage
            return real_run(jobs, tasks, work, *args, **kwargs)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            data = pickle.dumps([work(t) for t in tasks])
            with os.fdopen(write, "wb") as f:
                f.write(data)
            os._exit(0)
        os.close(write)
        with os.fdopen(read, "rb") as f:
            data = f.read()
        os.waitpid(pid, 0)
        return pickle.loads(data)

    monkeypatch.setattr(parallel, "run", all_in_a_child)
    child = run([str(tmp_path)], Settings(jobs=2, **settings))
    assert stages[2] == stages[0]
    assert child.findings == one.findings and child.suppressed == one.suppressed


def test_line_starts_match_one_newline_at_a_time():
    """loader._line_starts (where the documents of a file placed again start) sums line
    lengths for texts up to its limit and finds newlines one by one above it: the same
    offsets either way, including lines past the end (an empty last document)."""
    import random

    from kubelint import loader

    def one_by_one(text, wanted):
        out, line, pos = [], 0, 0
        for target in wanted:
            while line < target and pos <= len(text):
                pos = text.find("\n", pos) + 1 or len(text) + 1
                line += 1
            out.append(min(pos, len(text)))
        return out

    rng = random.Random(7)
    for _ in range(2000):
        text = "".join(rng.choice(["a", "\n", "bb", "\n\n", "x: y"]) for _ in range(rng.randint(0, 30)))
        wanted = sorted(rng.randint(0, text.count("\n") + 3) for _ in range(rng.randint(0, 6)))
        assert loader._line_starts(text, wanted) == one_by_one(text, wanted), (text, wanted)
    text = "a: b\n---\n" * 200_000  # over the limit
    assert len(text) > loader._SPLIT_LIMIT
    assert loader._line_starts(text, [0, 2, 399_999, 400_000, 400_003]) == \
        one_by_one(text, [0, 2, 399_999, 400_000, 400_003])


def test_the_fast_pass_marks_where_each_document_starts(tmp_path):
    """The fast pass keeps the character offset of each root's line (from its mark), so that
    a file reopened for one document is not scanned line by line: the offsets are those
    _line_starts finds, for texts with comments, indented roots, explicit ends and
    non-ASCII characters (the marks count characters, not bytes); a file whose marks do not
    follow its line breaks (a byte order mark libyaml did not count) is scanned instead, and
    its documents are composed in the same place."""
    from kubelint import loader

    texts = [
        "a: é😀\nb: 1\n---\nc: ü\n",
        "---\n\n  k: v\n...\n---\nz: 1\n",
        "# top\n\nkind: A\n---\n# x\nkind: B  # é\n--- |\n  text\n---\n- 1\n",
        "--- a\n--- b\n",
        "a: 1\n---\n",
    ]
    for text in texts:
        loaded = loader.load_text("f.yaml", text)
        assert loaded.lines is not None, text
        wanted = [line for _, line, _ in loaded.lines]
        assert [start for _, _, start in loaded.lines] == loader._line_starts(text, wanted)
        assert loader._starts_of(text, loaded.lines) == loader._line_starts(text, wanted)
    text = "\ufeffkind: A\n---\n# c\nkind: B\n"
    lines = loader.load_text("f.yaml", text).lines
    b = text.index("kind: B")
    assert [start for _, _, start in lines] == [0, b - 1]  # one short: the BOM not counted
    assert loader._starts_of(text, lines) == [0, b]
    node = loader.reopen(text, lines).fast(1, None)
    assert (node.start_mark.line, node.value[0][1].value) == (3, "B")


def test_the_parts_checked_before_the_fork_each_add_a_kind(monkeypatch):
    from types import SimpleNamespace

    kinds = [["Service", "Deployment"], ["Service"], ["ConfigMap"], ["Deployment", "Role"],
             ["Role"], ["Ingress"]]
    objects, parts = [], []
    for each in kinds:
        parts.append((len(objects), len(objects) + len(each)))
        objects.extend(SimpleNamespace(kind=k) for k in each)
    assert engine._warm_parts(objects, parts) == [0, 2, 3, 5]
    monkeypatch.setattr(engine, "WARM_FILES", 2)
    assert engine._warm_parts(objects, parts) == [0, 2]


def test_cross_stage_takes_the_objects_the_graph_built_ahead_indexed():
    from types import SimpleNamespace as NS

    ahead = engine._GraphAhead.__new__(engine._GraphAhead)
    indexed = []
    ahead.graph = NS(add=indexed.append)
    ahead.outcomes, ahead.task_of, ahead.next, ahead.added, ahead.lists = \
        [None] * 3, [0, 1, 2], 0, [], []
    ahead.pod_kinds, ahead.pod_refs, ahead.find_refs = {}, {}, None  # no rule reads pod refs
    outs = [NS(objects=["a", "b"]), NS(objects=[]), NS(objects=["c"])]
    ahead.feed([outs[0], None, None])
    assert ahead.objects_of(outs) is None  # not every file indexed yet
    ahead.feed(outs)
    assert indexed == ["a", "b", "c"]
    assert ahead.objects_of(outs) is ahead.added and ahead.added == ["a", "b", "c"]
    assert ahead.objects_of([outs[0], outs[2]]) is ahead.added  # files without objects
    assert ahead.objects_of([outs[0], NS(objects=["c"])]) is None  # an equal list is not it
    assert ahead.objects_of([outs[0]]) is None


def test_below_the_threshold_two_jobs_run_the_cross_stage_in_one_process(tmp_path, monkeypatch):
    """Between 1,000 and LATE_PARALLEL_MIN_OBJECTS objects (5,000 documents: the benchmark),
    --jobs 2 lints the files in two processes but checks the cross-object stage in this one,
    on the graph built while the files came in: forking for the stage cost copy-on-write
    faults worth what the second process saved. The report is that of one process."""
    _tree(tmp_path)
    for i in range(60):  # 1,200 more objects, each file its own
        (tmp_path / f"configs-{i:02d}.yaml").write_text("".join(
            f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}-{j}}}\n"
            f"data: {{k: v}}\n" for j in range(20)))
    assert engine.LATE_PARALLEL_MIN_OBJECTS > 1300
    forks = []
    fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or fork())
    ready = []
    graph_of = engine._GraphAhead.graph_of
    monkeypatch.setattr(engine._GraphAhead, "graph_of",
                        lambda self, objects: ready.append(graph_of(self, objects)) or ready[-1])
    settings = dict(select=["ALL", "KL090"],
                    rules={"duplicate-object": {"options": {"across-files": True}}})
    one = run([str(tmp_path)], Settings(jobs=1, **settings))
    two = run([str(tmp_path)], Settings(jobs=2, **settings))
    assert sum(r.objects for r in two.files) > 1000
    assert len(forks) == 1  # the per-file stage's child only
    assert len(ready) == 1 and ready[0] is not None
    assert two.findings == one.findings and two.suppressed == one.suppressed
    assert {"KL202", "KL205", "KL090"} <= {f.code for f in two.findings}  # cross-stage ones


def test_two_jobs_find_whole_pods_refs_while_the_files_come_in(tmp_path, monkeypatch):
    """With --jobs 2 this process finds the pod refs of whole objects (KL205's, KL206's...)
    as it indexes the files' objects between its own files (engine._GraphAhead), not in
    the cross-object stage, where nothing else runs; the findings are those of --jobs 1."""
    from kubelint.checks import references

    _tree(tmp_path)
    calls = {"ahead": 0, "stage": 0}
    where = ["ahead"]
    find = references._find_pod_refs

    def counted(obj):
        calls[where[0]] += 1
        return find(obj)

    monkeypatch.setattr(references, "_find_pod_refs", counted)
    late = engine._late

    def stage(*args, **kwargs):
        where[0] = "stage"
        try:
            return late(*args, **kwargs)
        finally:
            where[0] = "ahead"

    monkeypatch.setattr(engine, "_late", stage)
    one = run([str(tmp_path)], Settings(jobs=1))
    assert calls["stage"] > 10 and calls["ahead"] == 0  # --jobs 1: in the stage, as before
    calls.update(ahead=0, stage=0)
    two = run([str(tmp_path)], Settings(jobs=2))
    assert calls["ahead"] > 10 and calls["stage"] == 0
    assert two.findings == one.findings and two.suppressed == one.suppressed
    assert "KL205" in {f.code for f in two.findings}  # one that reads the refs


def test_graph_ahead_is_made_after_the_fork(monkeypatch):
    """_GraphAhead is made before the fork: its units and graph are made by its first
    feed (between this process's files), not in the serial part before the fork."""
    from types import SimpleNamespace as NS

    made = []
    units = engine._units
    monkeypatch.setattr(engine, "_units", lambda *a: made.append(1) or units(*a))
    linter = engine.Linter(Settings())
    sources = [engine.Source("a.yaml", "a.yaml")]
    ahead = engine._GraphAhead(linter, sources, [None], [0])
    assert made == [] and ahead.graph is None and ahead.graph_of([]) is None
    ahead.feed([None])  # nothing in yet: the graph is made all the same
    assert made == [1] and ahead.graph is not None
    ahead.feed([NS(objects=[])])
    assert made == [1] and ahead.objects_of([NS(objects=[])]) == []
