"""A run for the plain text report (engine.run(plain=True)) gives the findings of the hot path
as plain tuples in Finding's field order (Linter.rows): the same findings, in the same order,
as a run for any other report; and the result cache keeps Findings, whichever run wrote it."""

from kubelint.engine import Settings, run
from kubelint.model import Finding

from .test_resultcache import _tree

FULL = ["ALL", "security", "reliability", "pod-security"]


def test_plain_runs_find_what_other_runs_find(tmp_path):
    tree = _tree(tmp_path / "m", n=8)
    for select in ([], FULL):
        plain = run([str(tree)], Settings(select=select, jobs=1), plain=True)
        other = run([str(tree)], Settings(select=select, jobs=1))
        assert plain.findings == other.findings and plain.suppressed == other.suppressed
        assert all(type(f) is Finding for f in other.findings + other.suppressed)
        kinds = {type(f) for f in plain.findings}
        assert kinds <= {tuple, Finding} and (tuple in kinds) == (select == FULL)
        assert [f.fingerprint for f in other.findings] == \
            [Finding(*f).fingerprint for f in plain.findings]


def test_the_result_cache_keeps_findings(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBELINT_CACHE_DIR", str(tmp_path / "cache"))
    tree = _tree(tmp_path / "m", n=8)
    settings = dict(select=FULL, jobs=1, result_cache=True)
    cold = run([str(tree)], Settings(**settings), plain=True)  # writes the entries
    assert any(type(f) is tuple for f in cold.findings)
    warm = run([str(tree)], Settings(**settings))  # reads them: per file and the cross stage
    assert warm.findings == cold.findings and warm.suppressed == cold.suppressed
    assert all(type(f) is Finding for f in warm.findings + warm.suppressed)
    assert [f.fingerprint for f in warm.findings]  # read by name, as json/sarif/lsp do
