"""GitLab Code Quality report (artifacts:reports:codequality): a JSON array of issues with
description, check_name, fingerprint, severity and location.path / location.lines.begin."""

from __future__ import annotations

from typing import Any, Dict

from ..model import Severity
from . import fastjson, relative

SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "info"}


def render(result: Any, ctx: Any) -> str:
    paths: Dict[str, str] = {}  # relative() per file, not per finding

    def rel(path: str) -> str:
        found = paths.get(path)
        if found is None:
            found = paths[path] = relative(path, ctx.root)
        return found

    issues = [{
        "type": "issue",
        "description": f"{f.message} [{f.code} {f.name}]",
        "check_name": f"{f.code} {f.name}",
        "categories": ["Bug Risk"],
        "fingerprint": f.fingerprint,
        "severity": SEVERITY[f.severity],
        "location": {"path": rel(f.path),
                     "lines": {"begin": f.span.line, "end": f.span.end_line}},
    } for f in result.findings]
    return fastjson.dumps(issues) + "\n"
