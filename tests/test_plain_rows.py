"""A run for the plain text report (engine.run(plain=True)) gives its findings as rows (plain
tuples: Finding's 12 fields in its order, then its sort key and the head and tail of its
text line, model.ROW_FIELDS): the same findings, in the same order, as a run for
any other report, and the same text; the result cache keeps Findings, whichever run wrote it."""

from kubelint.engine import Settings, run
from kubelint.formatters import text
from kubelint.model import ROW_FIELDS, Finding, Related, Severity, Span

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
        assert [f[:12] for f in plain.findings] == [tuple(f) for f in other.findings]
        assert [f[:12] for f in plain.suppressed] == [tuple(f) for f in other.suppressed]
        assert all(type(f) is Finding for f in other.findings + other.suppressed)
        assert [f[12][:2] for f in plain.findings] == [(f.line, f.column) for f in other.findings]
        assert [f.fingerprint for f in other.findings] == \
            [Finding(*f[:12]).fingerprint for f in plain.findings]
        # the rows' text (heads and tails joined) is the text of the Findings (_plain)
        assert _text(plain) == _text(other)


def test_the_result_cache_keeps_findings(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBELINT_CACHE_DIR", str(tmp_path / "cache"))
    tree = _tree(tmp_path / "m", n=8)
    settings = dict(select=FULL, jobs=1, result_cache=True)
    cold = run([str(tree)], Settings(**settings), plain=True)  # writes the entries
    assert all(map(_is_row, cold.findings))
    warm = run([str(tree)], Settings(**settings))  # reads them: per file and the cross stage
    assert [tuple(f) for f in warm.findings] == [f[:12] for f in cold.findings]
    assert [tuple(f) for f in warm.suppressed] == [f[:12] for f in cold.suppressed]
    assert all(type(f) is Finding for f in warm.findings + warm.suppressed)
    assert [f.fingerprint for f in warm.findings]  # read by name, as json/sarif/lsp do
    # a warm plain run reads Findings from the cache and makes them rows: the same text
    again = run([str(tree)], Settings(**settings), plain=True)
    assert all(map(_is_row, again.findings)) and _text(again) == _text(cold) == _text(warm)


def test_a_finding_made_a_row_keeps_its_hint_and_related_lines():
    f = Finding("KL218", "node-port-conflict", Severity.ERROR, "m", "a.yaml", Span(3, 5, 3, 9),
                hint="h", related=(Related("b.yaml", Span(7, 2, 7, 4), "first"),))
    row = text.as_row(f)
    assert _is_row(row) and row[:12] == tuple(f) and row[12] == (3, 5, "KL218", "m")
    out: list = []
    text._plain([f], out)
    assert row[13] + row[14] == "".join(out) == (
        "a.yaml:3:5: error: m [KL218 node-port-conflict]\n    hint: h\n"
        "    related: b.yaml:7:2: first\n")
