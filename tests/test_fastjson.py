"""Reports of many findings are written by fast paths: JSON-like ones without json's
pure-Python indenting encoder (formatters/fastjson.py and the per-finding writers of
json_format, sarif, gitlab), whose text must be byte for byte what json.dumps(indent=2,
ensure_ascii=False) gives for the same data; plain text without the terminal's extras."""

import json
import os

from hypothesis import given, settings, strategies as st

from kubelint.engine import Result
from kubelint.formatters import RenderContext, fastjson, gitlab, json_format, sarif
from kubelint.model import Finding, ObjectRef, Related, Severity, Span
from kubelint.registry import Registry

from .test_hardening import FUZZ

scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
           | st.text())
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=5) | st.integers(), inner, max_size=4),
                      max_leaves=20)


@settings(FUZZ, max_examples=min(FUZZ.max_examples, 200))
@given(value=values)
def test_dumps_is_json_dumps(value):
    assert fastjson.dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_subclasses_and_tuples_as_json_writes_them():
    value = {"s": Severity.ERROR, "t": (1, "a", []), "e": {}, "n": [None, True, 1.5]}
    assert fastjson.dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)


def _result():
    rules = Registry.load().rules
    by = {r.code: r for r in rules}
    obj = ObjectRef("apps/v1", "Deployment", "shop", "wéb \"1\"")

    def f(code, path, line, message, **kw):
        return Finding(code, by[code].name, by[code].severity, message, path,
                       Span(line, 3, line, 9), **kw)

    findings = [
        f("KL010", "a.yaml", 1, "spec: unknown field `x`\nsecond line", obj=obj, pointer="/spec/x",
          hint="did you mean `y`? 100% \u2028 \U0001F600"),
        f("KL004", "a.yaml", 2, "document is a list", obj=None),
        f("KL201", "/elsewhere/b.yaml", 4, "selector matches nothing", obj=obj,
          pointer="/spec/selector",
          related=(Related("a.yaml", Span(7, 1, 7, 5), "Deployment web"),
                   Related("/elsewhere/c.yaml", Span(2, 2, 3, 1), "another"))),
        f("KL013", "<stdin>", 9, "removed API", obj=ObjectRef("extensions/v1beta1", "Ingress", "", "")),
    ]
    suppressed = [f("KL010", "a.yaml", 1, "quiet one", obj=obj, pointer="/spec/z")]
    return Result(findings, suppressed, [], [], rules, 0.0, [("x/compose.yaml", "not a manifest")])


def _same_text(text):
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    return json.loads(text)


def test_json_report_as_json_dumps_writes_it():
    result = _result()
    for shown in (False, True):
        doc = _same_text(json_format.render(result, RenderContext("1.33", show_suppressed=shown)))
        expected = [json_format.finding_dict(f) for f in result.findings]
        if shown:
            expected = sorted(expected + [json_format.finding_dict(f, True) for f in result.suppressed],
                              key=lambda d: (d["path"], d["line"], d["column"], d["code"], d["message"]))
        assert doc["findings"] == expected
    empty = Result([], [], [], [], [])
    assert _same_text(json_format.render(empty, RenderContext("1.33")))["findings"] == []


def test_sarif_report_as_json_dumps_writes_it(monkeypatch):
    result = _result()
    ctx = RenderContext("1.33", root="/repo")
    index = {r.code: i for i, r in enumerate(result.rules)}
    doc = _same_text(sarif.render(result, ctx))
    assert doc["runs"][0]["results"] == [sarif._result(f, index[f.code], ctx.root)
                                         for f in result.findings]
    assert doc["runs"][0]["results"][2]["relatedLocations"][1]["physicalLocation"][
        "artifactLocation"] == {"uri": "/elsewhere/c.yaml"}
    monkeypatch.setattr(sarif, "MAX_RESULTS", 2)  # the most severe kept, in report order
    doc = _same_text(sarif.render(result, ctx))
    assert [r["ruleId"] for r in doc["runs"][0]["results"]] == ["KL013", "KL010"]
    assert _same_text(sarif.render(Result([], [], [], [], []), ctx))["runs"][0]["results"] == []


def test_gitlab_report_as_json_dumps_writes_it():
    result = _result()
    doc = _same_text(gitlab.render(result, RenderContext("1.33", root=os.getcwd())))
    assert [d["location"]["path"] for d in doc] == ["a.yaml", "a.yaml", "/elsewhere/b.yaml", "<stdin>"]


def test_plain_text_lines_as_the_terminal_path_writes_them_without_sources():
    from kubelint.formatters import text

    result = _result()
    plain = text.render(result, RenderContext("1.33", show_skipped=True))
    general = text.render(result, RenderContext("1.33", rich=True, sources=lambda path: None,
                                                show_skipped=True))
    assert plain == general
    assert "    hint: did you mean" in plain and "    related: a.yaml:7:1: Deployment web" in plain


def test_text_pieces_are_the_report_cut_between_lines(monkeypatch, tmp_path, capsys):
    """The CLI writes the text report piece by piece (formatters.chunks); the pieces are the
    whole report's text, cut after a finding's lines."""
    from kubelint import cli
    from kubelint.formatters import chunks, text

    monkeypatch.setattr(text, "_CHUNK", 2)
    result = _result()
    ctx = RenderContext("1.33", show_skipped=True)
    pieces = list(chunks("text")(result, ctx))
    assert len(pieces) == (len(result.findings) + 1) // 2 + 1
    assert all(p.endswith("\n") for p in pieces)
    whole = text.render(result, RenderContext("1.33", rich=True, sources=lambda path: None,
                                              show_skipped=True))
    assert "".join(pieces) == whole
    cli._write(iter(pieces), str(tmp_path / "report.txt"))
    assert (tmp_path / "report.txt").read_text(encoding="utf-8") == whole
    cli._write(iter(pieces), None)
    assert capsys.readouterr().out == whole
    # formats without pieces: their whole text, once
    assert list(chunks("json")(result, ctx)) == [json_format.render(result, ctx)]


def test_a_report_cut_short_by_its_reader_is_not_an_error(tmp_path):
    """`kubelint check | head`: the pipe closes while the pieces are written; exit 1 (there
    are findings), no internal error."""
    import subprocess
    import sys

    doc = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p%d, namespace: ns}\n"
           "spec: {containers: [{name: c, image: nginx}]}\n")
    (tmp_path / "pods.yaml").write_text("---\n".join(doc % i for i in range(300)))
    proc = subprocess.Popen([sys.executable, "-m", "kubelint.fastcli", "check", "--no-cache",
                             "--select", "ALL,security", "--jobs", "1", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline().startswith(str(tmp_path).encode())
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait() == 1
    assert "internal error" not in err
