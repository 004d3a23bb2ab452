"""JSON report, schema version 1 (documented in the README). Deterministic: no timings, so
the output of `--jobs N` is byte-identical to `--jobs 1`."""

from __future__ import annotations

import json
from typing import Any, Dict

from .. import __version__
from ..model import Finding, Severity

SCHEMA_VERSION = 1


def finding_dict(f: Finding, suppressed: bool = False) -> Dict[str, Any]:
    obj = f.obj
    return {
        "code": f.code,
        "name": f.name,
        "severity": f.severity.label,
        "message": f.message,
        "path": f.path,
        "line": f.span.line,
        "column": f.span.column,
        "endLine": f.span.end_line,
        "endColumn": f.span.end_column,
        "object": None if obj is None else {
            "apiVersion": obj.api_version, "kind": obj.kind,
            "namespace": obj.namespace, "name": obj.name},
        "pointer": f.pointer,
        "hint": f.hint,
        "related": [{"path": r.path, "line": r.span.line, "column": r.span.column,
                     "endLine": r.span.end_line, "endColumn": r.span.end_column,
                     "message": r.message} for r in f.related],
        "fingerprint": f.fingerprint,
        "suppressed": suppressed,
    }


def render(result: Any, ctx: Any) -> str:
    counts = {s.label: 0 for s in Severity}
    for f in result.findings:
        counts[f.severity.label] += 1
    findings = [finding_dict(f) for f in result.findings]
    if ctx.show_suppressed:
        findings += [finding_dict(f, True) for f in result.suppressed]
        findings.sort(key=lambda d: (d["path"], d["line"], d["column"], d["code"], d["message"]))
    doc = {
        "version": SCHEMA_VERSION,
        "tool": {"name": "kubelint", "version": __version__},
        "kubernetesVersion": ctx.kubernetes_version,
        "findings": findings,
        "summary": {
            "files": len(result.files),
            "documents": sum(f.documents for f in result.files),
            "objects": result.objects,
            "errors": counts["error"],
            "warnings": counts["warning"],
            "infos": counts["info"],
            "suppressed": len(result.suppressed),
        },
    }
    skipped = getattr(result, "skipped", ()) or ()
    if skipped:  # only walks skip files; the keys are absent otherwise
        doc["summary"]["skipped"] = len(skipped)
        doc["skipped"] = [{"path": path, "reason": reason} for path, reason in skipped]
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
