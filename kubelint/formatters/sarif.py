"""SARIF 2.1.0 for code scanning (GitHub's upload-sarif and others). Valid against the
official schema (tests/sarif-schema-2.1.0.json); within GitHub's documented limits: at most
25,000 results per run (the most severe kept, the cut reported as a notification), at most
20 tags per rule, 1,000 locations per result."""

from __future__ import annotations

import os
from typing import Any, Dict, List
from urllib.parse import quote

from .. import __version__
from ..model import Finding, Severity, Span
from . import fastjson, relative

INFORMATION_URI = "https://github.com/kubelint/kubelint"
MAX_RESULTS = 25_000
MAX_TAGS = 20
MAX_RELATED = 1_000
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(path: str) -> str:
    return quote(path, safe="/:")


def _region(span) -> Dict[str, int]:
    end = max(span.end_column, span.column) if span.end_line == span.line else span.end_column
    return {"startLine": span.line, "startColumn": span.column, "endLine": span.end_line,
            "endColumn": end}


def _location(path: str, span, root) -> Dict[str, Any]:
    rel = relative(path, root)
    artifact: Dict[str, Any] = {"uri": _uri(rel)}
    if not rel.startswith("/") and not rel.startswith("<"):
        artifact["uriBaseId"] = "%SRCROOT%"
    return {"physicalLocation": {"artifactLocation": artifact, "region": _region(span)}}


def _rule(rule) -> Dict[str, Any]:
    markdown = (f"**{rule.summary}**\n\n{rule.rationale}\n\n**Fix:** {rule.fix}\n\n"
                f"Run `kubelint explain {rule.code}` for examples.")
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": f"{rule.summary}\n\n{rule.rationale}\n\nFix: {rule.fix}", "markdown": markdown},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"tags": list(rule.tags)[:MAX_TAGS], "precision": "very-high"},
    }


_RESULTS = fastjson.Encoded("\x00results\x00")  # never in JSON text: NUL is escaped there
_PAD = " " * 8  # results are items of runs[0].results: json.dumps(indent=2) nests them there


def _result_json(f: Finding, rule_index: int, artifact: str, root: Any) -> str:
    """The text json.dumps(indent=2) gives the result of `f` where it sits in the report
    (`artifact`: its artifactLocation, encoded at that depth)."""
    s, span = fastjson.string, f.span
    if not (type(f.message) is str and (f.hint is None or type(f.hint) is str)
            and type(span.line) is type(span.column) is type(span.end_line)
            is type(span.end_column) is int):  # not what the engine makes
        return fastjson.dumps(_result(f, rule_index, root)).replace("\n", "\n" + _PAD)
    region = _region(span)
    p = "\n" + _PAD + "  "
    text = (f'{{{p}"ruleId": {s(f.code)},{p}"ruleIndex": {rule_index},{p}"level": '
            f'{s(LEVEL[f.severity])},{p}"message": {{{p}  "text": '
            f'{s(f.message + (chr(10) + "hint: " + f.hint if f.hint else ""))}{p}}},'
            f'{p}"locations": [{p}  {{{p}    "physicalLocation": {{{p}      "artifactLocation": '
            f'{artifact},{p}      "region": {{{p}        "startLine": {region["startLine"]},'
            f'{p}        "startColumn": {region["startColumn"]},{p}        "endLine": '
            f'{region["endLine"]},{p}        "endColumn": {region["endColumn"]}{p}      }}'
            f'{p}    }}{p}  }}{p}],{p}"partialFingerprints": {{{p}  "kubelint/v1": '
            f'{s(f.fingerprint)}{p}}}')
    if f.related:
        related = _result(f, rule_index, root)["relatedLocations"]
        text += f',{p}"relatedLocations": ' + fastjson.dumps(related).replace("\n", p)
    return text + "\n" + _PAD + "}"


def _result(f: Finding, rule_index: int, root: Any) -> Dict[str, Any]:
    res: Dict[str, Any] = {
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": LEVEL[f.severity],
        "message": {"text": f.message + (f"\nhint: {f.hint}" if f.hint else "")},
        "locations": [_location(f.path, f.span, root)],
        "partialFingerprints": {"kubelint/v1": f.fingerprint},
    }
    if f.related:
        res["relatedLocations"] = [
            dict(_location(r.path, r.span, root), id=i, message={"text": r.message})
            for i, r in enumerate(f.related[:MAX_RELATED], 1)]
    return res


def render(result: Any, ctx: Any) -> str:
    rules = list(result.rules)
    index = {r.code: i for i, r in enumerate(rules)}
    findings: List[Finding] = list(result.findings)
    notifications = []
    if len(findings) > MAX_RESULTS:
        keyed = [(f.sort_key(), f) for f in findings]
        kept = sorted(keyed, key=lambda p: (-p[1].severity, p[0]))[:MAX_RESULTS]
        notifications.append({"level": "warning", "message": {
            "text": f"{len(findings) - MAX_RESULTS} of {len(findings)} findings left out: GitHub "
                    f"accepts at most {MAX_RESULTS} results per run"}})
        findings = [f for _, f in sorted(kept, key=lambda p: p[0])]
    results = []
    artifacts: Dict[str, str] = {}  # path -> its artifactLocation, encoded
    for f in findings:
        if f.code not in index:  # a finding of a rule enabled for this run only
            continue
        artifact = artifacts.get(f.path)
        if artifact is None:
            location = _location(f.path, Span(1, 1, 1, 1), ctx.root)
            artifact = artifacts[f.path] = fastjson.dumps(
                location["physicalLocation"]["artifactLocation"]).replace("\n", "\n" + _PAD + "        ")
        results.append(_result_json(f, index[f.code], artifact, ctx.root))
    run: Dict[str, Any] = {
        "tool": {"driver": {
            "name": "kubelint", "version": __version__, "semanticVersion": __version__,
            "informationUri": INFORMATION_URI, "rules": [_rule(r) for r in rules]}},
        "automationDetails": {"id": "kubelint/"},
        "columnKind": "unicodeCodePoints",
        "results": _RESULTS,  # spliced in below
        "invocations": [{"executionSuccessful": True,
                         **({"toolExecutionNotifications": notifications} if notifications else {})}],
        "properties": {"kubernetesVersion": ctx.kubernetes_version},
    }
    if ctx.root:
        root = ctx.root.replace(os.sep, "/").rstrip("/") + "/"
        run["originalUriBaseIds"] = {"%SRCROOT%": {"uri": "file://" + _uri(root if root.startswith("/") else "/" + root)}}
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [run]}
    head, _, tail = fastjson.dumps(doc).partition(_RESULTS)
    if not results:
        return head + "[]" + tail + "\n"
    # the results are most of the text: joined once, in place of json.dumps's indented list
    return "".join((head, "[\n" + _PAD, (",\n" + _PAD).join(results), "\n      ]", tail, "\n"))
