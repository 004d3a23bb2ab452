"""A run for the plain text report (engine.run(plain=True)) gives its findings as rows (plain
tuples: path, span, ref, index, item, the head of its text line, line, column, code,
message, severity, the tail of its text line, and its Finding's other fields,
model.ROW_FIELDS): the same findings, in the same order, as a run
for any other report, and the same text; the result cache keeps Findings, whichever run wrote
it."""

from kubelint.engine import Settings, run
from kubelint.formatters import text
from kubelint.model import ROW_FIELDS, ROW_KEY, Finding, Related, Severity, Span, row_finding

from .test_resultcache import _tree

FULL = ["ALL", "security", "reliability", "pod-security"]


class _Ctx:
    color = rich = show_suppressed = show_skipped = False
    sources = None


def _text(result):
    return "".join(text.chunks(result._replace(elapsed=None), _Ctx()))


def _is_row(f):
    return type(f) is tuple and len(f) == ROW_FIELDS


def test_plain_runs_find_what_other_runs_find(tmp_path):
    tree = _tree(tmp_path / "m", n=8)
    for select in ([], FULL):
        plain = run([str(tree)], Settings(select=select, jobs=1), plain=True)
        other = run([str(tree)], Settings(select=select, jobs=1))
        assert plain.findings and all(map(_is_row, plain.findings + plain.suppressed))
        assert list(map(row_finding, plain.findings)) == other.findings
        assert list(map(row_finding, plain.suppressed)) == other.suppressed
        assert all(type(f) is Finding for f in other.findings + other.suppressed)
        assert all(type(row_finding(f)) is Finding for f in plain.findings)
        assert [ROW_KEY(f) for f in plain.findings] == \
            [(f.line, f.column, f.code, f.message) for f in other.findings]
        assert [(f[8], f[10], f[0]) for f in plain.findings] == \
            [(f.code, f.severity, f.path) for f in other.findings]
        assert [f.fingerprint for f in other.findings] == \
            [row_finding(f).fingerprint for f in plain.findings]
        # the rows' text (heads and tails joined) is the text of the Findings (_plain)
        assert _text(plain) == _text(other)


def test_the_result_cache_keeps_findings(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBELINT_CACHE_DIR", str(tmp_path / "cache"))
    tree = _tree(tmp_path / "m", n=8)
    settings = dict(select=FULL, jobs=1, result_cache=True)
    cold = run([str(tree)], Settings(**settings), plain=True)  # writes the entries
    assert all(map(_is_row, cold.findings))
    warm = run([str(tree)], Settings(**settings))  # reads them: per file and the cross stage
    assert warm.findings == list(map(row_finding, cold.findings))
    assert warm.suppressed == list(map(row_finding, cold.suppressed))
    assert all(type(f) is Finding for f in warm.findings + warm.suppressed)
    assert [f.fingerprint for f in warm.findings]  # read by name, as json/sarif/lsp do
    # a warm plain run reads Findings from the cache and makes them rows: the same text
    again = run([str(tree)], Settings(**settings), plain=True)
    assert all(map(_is_row, again.findings)) and _text(again) == _text(cold) == _text(warm)


def test_a_finding_made_a_row_keeps_its_hint_and_related_lines():
    f = Finding("KL218", "node-port-conflict", Severity.ERROR, "m", "a.yaml", Span(3, 5, 3, 9),
                hint="h", related=(Related("b.yaml", Span(7, 2, 7, 4), "first"),))
    row = text.as_row(f)
    assert _is_row(row) and row_finding(row) is f and ROW_KEY(row) == (3, 5, "KL218", "m")
    out: list = []
    text._plain([f], out)
    assert row[5] + row[11] == "".join(out) == (
        "a.yaml:3:5: error: m [KL218 node-port-conflict]\n    hint: h\n"
        "    related: b.yaml:7:2: first\n")


LIST = """apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: a}
  spec:
    selector: {matchLabels: {app: a}}
    template:
      metadata: {labels: {app: a}}
      spec:
        containers:
        - {name: a, image: "nginx:latest"}  # kubelint: disable=KL302
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: b}
  spec:
    selector: {matchLabels: {app: b}}
    template:
      metadata: {labels: {app: b}}
      spec:
        containers:
        - {name: b, image: "nginx:latest"}
"""


def test_rows_of_a_list_keep_its_items_fixes_and_suppressions(tmp_path):
    # a row's Finding (model.row_finding) takes its document index and List item from its
    # position's part and its fix from its Violation's: a fix relative to its item
    (tmp_path / "list.yaml").write_text(LIST)
    # the second document's annotation silences its own finding only (by document index)
    (tmp_path / "two.yaml").write_text(LIST.split("items:\n")[1].replace("\n  ", "\n").replace(
        "- apiVersion", "---\napiVersion").replace(
        "metadata: {name: b}", "metadata: {name: b, annotations: {kubelint.io/ignore: KL302}}"
    ).replace("  # kubelint: disable=KL302", ""))
    plain = run([str(tmp_path)], Settings(select=FULL, jobs=1), plain=True)
    other = run([str(tmp_path)], Settings(select=FULL, jobs=1))
    found = list(map(row_finding, plain.findings))
    assert found == other.findings and list(map(row_finding, plain.suppressed)) == other.suppressed
    assert {f.fix.item for f in found if f.fix is not None and f.path.endswith("list.yaml")} == {0, 1}
    assert [(f.path[-9:], f.code, f.doc) for f in other.suppressed] == \
        [("list.yaml", "KL302", 0), ("/two.yaml", "KL302", 1)]
    assert [(f.path[-9:], f.code, f.doc) for f in other.findings if f.code == "KL302"] == \
        [("list.yaml", "KL302", 0), ("/two.yaml", "KL302", 0)]
    assert _text(plain) == _text(other)
