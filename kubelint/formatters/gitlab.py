"""GitLab Code Quality report (artifacts:reports:codequality): a JSON array of issues with
description, check_name, fingerprint, severity and location.path / location.lines.begin."""

from __future__ import annotations

import json
from typing import Any

from ..model import Severity
from . import relative

SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "info"}


def render(result: Any, ctx: Any) -> str:
    issues = [{
        "type": "issue",
        "description": f"{f.message} [{f.code} {f.name}]",
        "check_name": f"{f.code} {f.name}",
        "categories": ["Bug Risk"],
        "fingerprint": f.fingerprint,
        "severity": SEVERITY[f.severity],
        "location": {"path": relative(f.path, ctx.root),
                     "lines": {"begin": f.span.line, "end": f.span.end_line}},
    } for f in result.findings]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
