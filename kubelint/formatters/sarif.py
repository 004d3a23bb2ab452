"""SARIF 2.1.0 for code scanning (GitHub's upload-sarif and others). Valid against the
official schema (tests/sarif-schema-2.1.0.json); within GitHub's documented limits: at most
25,000 results per run (the most severe kept, the cut reported as a notification), at most
20 tags per rule, 1,000 locations per result."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List
from urllib.parse import quote

from .. import __version__
from ..model import Finding, Severity
from . import relative

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


def render(result: Any, ctx: Any) -> str:
    rules = list(result.rules)
    index = {r.code: i for i, r in enumerate(rules)}
    findings: List[Finding] = list(result.findings)
    notifications = []
    if len(findings) > MAX_RESULTS:
        kept = sorted(findings, key=lambda f: (-f.severity, f.sort_key()))[:MAX_RESULTS]
        notifications.append({"level": "warning", "message": {
            "text": f"{len(findings) - MAX_RESULTS} of {len(findings)} findings left out: GitHub "
                    f"accepts at most {MAX_RESULTS} results per run"}})
        findings = sorted(kept, key=Finding.sort_key)
    results = []
    for f in findings:
        if f.code not in index:  # a finding of a rule enabled for this run only
            continue
        res: Dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": LEVEL[f.severity],
            "message": {"text": f.message + (f"\nhint: {f.hint}" if f.hint else "")},
            "locations": [_location(f.path, f.span, ctx.root)],
            "partialFingerprints": {"kubelint/v1": f.fingerprint},
        }
        if f.related:
            res["relatedLocations"] = [
                dict(_location(r.path, r.span, ctx.root), id=i, message={"text": r.message})
                for i, r in enumerate(f.related[:MAX_RELATED], 1)]
        results.append(res)
    run: Dict[str, Any] = {
        "tool": {"driver": {
            "name": "kubelint", "version": __version__, "semanticVersion": __version__,
            "informationUri": INFORMATION_URI, "rules": [_rule(r) for r in rules]}},
        "automationDetails": {"id": "kubelint/"},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "invocations": [{"executionSuccessful": True,
                         **({"toolExecutionNotifications": notifications} if notifications else {})}],
        "properties": {"kubernetesVersion": ctx.kubernetes_version},
    }
    if ctx.root:
        root = ctx.root.replace(os.sep, "/").rstrip("/") + "/"
        run["originalUriBaseIds"] = {"%SRCROOT%": {"uri": "file://" + _uri(root if root.startswith("/") else "/" + root)}}
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
