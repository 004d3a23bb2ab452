"""GitHub Actions workflow commands: `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::msg`.

Escaping follows actions/toolkit (core/src/command.ts): in the message `%`, CR and LF; in
properties also `:` and `,`. GitHub shows only a limited number of annotations per step and
drops the rest in silence, so every finding is also printed as a plain text line, and a short
Markdown summary is appended to $GITHUB_STEP_SUMMARY when it is set."""

from __future__ import annotations

import os
from typing import Any, List

from ..model import Severity
from . import text

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Any) -> str:
    props = [("file", f.path), ("line", str(f.span.line)), ("col", str(f.span.column)),
             ("endLine", str(f.span.end_line)), ("endColumn", str(f.span.end_column)),
             ("title", f"{f.code} {f.name}")]
    message = f.message + (f"\nhint: {f.hint}" if f.hint else "")
    return (f"::{COMMAND[f.severity]} " + ",".join(f"{k}={escape_property(v)}" for k, v in props)
            + f"::{escape_data(message)}")


def step_summary(result: Any) -> str:
    lines = ["### kubelint", "", text.summary(result), ""]
    if result.findings:
        lines += ["| Location | Severity | Rule | Message |", "| --- | --- | --- | --- |"]
        for f in result.findings[:50]:
            msg = f.message.replace("|", "\\|").replace("\n", " ")
            lines.append(f"| `{f.path}:{f.span.line}:{f.span.column}` | {f.severity.label} | "
                         f"{f.code} {f.name} | {msg} |")
        if len(result.findings) > 50:
            lines.append(f"\n…and {len(result.findings) - 50} more; see the job log.")
    return "\n".join(lines) + "\n"


def render(result: Any, ctx: Any) -> str:
    out: List[str] = [annotation(f) for f in result.findings]
    out += [text.line(f) for f in result.findings]
    out.append(text.summary(result))
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        try:
            with open(summary_file, "a", encoding="utf-8") as fh:
                fh.write(step_summary(result))
        except OSError:
            pass  # the summary is a nicety; the annotations and log lines are what matter
    return "\n".join(out) + "\n"
