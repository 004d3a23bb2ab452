"""Code actions: a finding's fix as a quick fix (the same edits `check --fix` makes),
"suppress" with a comment directive or the object's kubelint.io/ignore annotation, "explain
this rule", and fix-all for the document (source.fixAll.kubelint)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ..fix import Edit, edits_for, fix_text
from ..loader import load_text
from ..model import Finding, Fix
from ..suppress import ANNOTATION
from .text import Lines


def _overlaps(a: Dict[str, Any], b: Dict[str, Any]) -> bool:
    def key(p: Dict[str, int]) -> tuple:
        return (p["line"], p["character"])

    return key(a["start"]) <= key(b["end"]) and key(b["start"]) <= key(a["end"])


def _workspace_edit(uri: str, lines: Lines, edits: List[Edit]) -> Dict[str, Any]:
    return {"changes": {uri: [{"range": {"start": lines.at_offset(e.start), "end": lines.at_offset(e.end)},
                               "newText": e.text} for e in edits]}}


def _comment_edit(state: Any, f: Finding) -> Optional[List[Edit]]:
    """`# kubelint: disable=CODE` alone on the line before the finding's line."""
    text = state.text
    lines = text.splitlines(keepends=True)
    if f.span.line - 1 >= len(lines):
        return None
    start = sum(len(line) for line in lines[:f.span.line - 1])
    line = lines[f.span.line - 1]
    indent = line[:len(line) - len(line.lstrip(" "))]
    nl = "\r\n" if line.endswith("\r\n") else "\n"
    return [Edit(start, start, f"{indent}# kubelint: disable={f.code}{nl}")]


def _annotation_edit(state: Any, loaded: Any, f: Finding) -> Optional[List[Edit]]:
    docs = [d for d in loaded.documents if d.index == f.doc]
    if len(docs) != 1 or not isinstance(docs[0].data, dict):
        return None  # a List's items share a document: which item is not known here
    data = docs[0].data
    meta = data.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    current = annotations.get(ANNOTATION) if isinstance(annotations, dict) else None
    if isinstance(current, str) and current.strip():
        op = ("set", ("metadata", "annotations", ANNOTATION), f"{current},{f.code}")
    elif current is None:
        op = ("add", ("metadata", "annotations"), {ANNOTATION: f.code})
    else:
        return None
    fix = Fix("annotate", (op,), True, docs[0].item)
    return edits_for(state.path, state.text, loaded, f._replace(fix=fix))


def code_actions(server: Any, state: Any, params: Dict[str, Any]) -> List[Dict[str, Any]]:
    from .server import EXPLAIN, path_to_uri

    lines = Lines(state.text, server.utf16)
    uri = path_to_uri(state.abspath)
    context = params.get("context") or {}
    only = context.get("only") or []
    fingerprints = {d["data"].get("fingerprint") for d in context.get("diagnostics") or []
                    if isinstance(d.get("data"), dict)}
    findings = server.ws.findings(state)
    if fingerprints:
        hits = [f for f in findings if f.fingerprint in fingerprints]
    else:
        hits = [f for f in findings if _overlaps(lines.range(f.span), params["range"])]
    loaded = state.loaded or load_text(state.path, state.text)
    is_json = state.path.endswith(".json") or state.text.lstrip()[:1] in ("{", "[")
    actions: List[Dict[str, Any]] = []

    def add(title: str, diag: Dict[str, Any], edits: Optional[List[Edit]], preferred: bool = False) -> None:
        if edits:
            actions.append({"title": title, "kind": "quickfix", "diagnostics": [diag],
                            "isPreferred": preferred, "edit": _workspace_edit(uri, lines, edits)})

    if not only or any(k == "quickfix" or k.startswith("quickfix.") for k in only):
        for f in hits:
            diag = server.diagnostic(f, lines)
            if f.fix is not None:
                add(f"{f.fix.title} ({f.code})" + ("" if f.fix.safe else " [unsafe: changes behaviour]"),
                    diag, edits_for(state.path, state.text, loaded, f), preferred=f.fix.safe)
            if not is_json:
                add(f"Suppress {f.code} on this line (comment)", diag, _comment_edit(state, f))
            if f.obj is not None:
                add(f"Suppress {f.code} for this object ({ANNOTATION} annotation)", diag,
                    _annotation_edit(state, loaded, f))
            actions.append({"title": f"Explain {f.code} {f.name}", "kind": "quickfix", "diagnostics": [diag],
                            "command": {"title": f"Explain {f.code}", "command": EXPLAIN,
                                        "arguments": [f.code]}})
    if any(k in ("source", "source.fixAll", "source.fixAll.kubelint") for k in only) or \
            (not only and any(f.fix is not None and f.fix.safe for f in findings)):
        linter = server.ws.linter_for(state)
        after = fix_text(linter, state.path, state.text).after
        if after != state.text:
            actions.append({"title": "Fix all safe kubelint findings", "kind": "source.fixAll.kubelint",
                            "edit": _workspace_edit(uri, lines, [Edit(0, len(state.text), after)])})
    return actions
