"""JSON report, schema version 1 (documented in the README). Deterministic: no timings, so
the output of `--jobs N` is byte-identical to `--jobs 1`."""

from __future__ import annotations

from typing import Any, Dict

from .. import __version__
from ..model import Finding, Severity
from . import fastjson

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


_LABELS = {s: fastjson.string(s.label) for s in Severity}


def finding_json(f: Finding, suppressed: bool = False, pad: str = "") -> str:
    """fastjson.dumps(finding_dict(f, suppressed)), written out (a report may hold tens of
    thousands of findings); `pad`: the indentation of the lines after the first, as where
    json.dumps(indent=2) nests it."""
    s, span, obj, hint = fastjson.string, f.span, f.obj, f.hint
    if not (type(f.message) is type(f.path) is type(f.code) is type(f.name) is type(f.pointer)
            is str and (hint is None or type(hint) is str)
            and type(span.line) is type(span.column) is type(span.end_line)
            is type(span.end_column) is int
            and (obj is None or type(obj.api_version) is type(obj.kind) is type(obj.namespace)
                 is type(obj.name) is str)):  # not what the engine makes
        return fastjson.dumps(finding_dict(f, suppressed)).replace("\n", "\n" + pad)
    p = "\n" + pad + "  "
    return (f'{{{p}"code": {s(f.code)},{p}"name": {s(f.name)},{p}"severity": '
            f'{_LABELS[f.severity]},{p}"message": {s(f.message)},{p}"path": {s(f.path)},'
            f'{p}"line": {span.line},{p}"column": {span.column},{p}"endLine": {span.end_line},'
            f'{p}"endColumn": {span.end_column},{p}"object": '
            + ("null" if obj is None else
               f'{{{p}  "apiVersion": {s(obj.api_version)},{p}  "kind": {s(obj.kind)},'
               f'{p}  "namespace": {s(obj.namespace)},{p}  "name": {s(obj.name)}{p}}}')
            + f',{p}"pointer": {s(f.pointer)},{p}"hint": '
            + ("null" if hint is None else s(hint))
            + f',{p}"related": '
            + (fastjson.dumps(finding_dict(f)["related"]).replace("\n", p) if f.related else "[]")
            + f',{p}"fingerprint": {s(f.fingerprint)},{p}"suppressed": '
            + ("true" if suppressed else "false") + "\n" + pad + "}")


_FINDINGS = fastjson.Encoded("\x00findings\x00")  # never in JSON text: NUL is escaped there


def render(result: Any, ctx: Any) -> str:
    counts = {s.label: 0 for s in Severity}
    for f in result.findings:
        counts[f.severity.label] += 1
    if ctx.show_suppressed:
        both = [(f, False) for f in result.findings] + [(f, True) for f in result.suppressed]
        both.sort(key=lambda p: (p[0].path, p[0].span.line, p[0].span.column, p[0].code,
                                 p[0].message))
        findings = [finding_json(f, quiet, "    ") for f, quiet in both]
    else:
        findings = [finding_json(f, False, "    ") for f in result.findings]
    doc = {
        "version": SCHEMA_VERSION,
        "tool": {"name": "kubelint", "version": __version__},
        "kubernetesVersion": ctx.kubernetes_version,
        "findings": _FINDINGS,  # spliced in below
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
    head, _, tail = fastjson.dumps(doc).partition(_FINDINGS)
    if not findings:
        return head + "[]" + tail + "\n"
    # the findings are most of the text: joined once, in place of json.dumps's indented list
    return "".join((head, "[\n    ", ",\n    ".join(findings), "\n  ]", tail, "\n"))
