"""JUnit XML as Jenkins and GitLab read it: one testcase per linted file, failing with one
<failure> that lists the file's findings; clean files pass, so every file is accounted for."""

from __future__ import annotations

from typing import Any, Dict, List
from xml.sax.saxutils import escape, quoteattr

from ..model import Finding
from . import text


def render(result: Any, ctx: Any) -> str:
    by_file: Dict[str, List[Finding]] = {f.path: [] for f in result.files}
    for f in result.findings:
        by_file.setdefault(f.path, []).append(f)
    failures = sum(1 for fs in by_file.values() if fs)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuites name="kubelint" tests="{len(by_file)}" failures="{failures}" errors="0">',
           f'  <testsuite name="kubelint" tests="{len(by_file)}" failures="{failures}" errors="0" skipped="0">']
    for path, findings in by_file.items():
        attrs = f"classname={quoteattr('kubelint')} name={quoteattr(path)} file={quoteattr(path)}"
        if not findings:
            out.append(f"    <testcase {attrs}/>")
            continue
        first = findings[0]
        message = f"{len(findings)} finding{'s' if len(findings) != 1 else ''}: {first.message}"
        body = "\n".join(text.line(f) for f in findings)
        out.append(f"    <testcase {attrs}>")
        out.append(f"      <failure message={quoteattr(message)} type={quoteattr(first.code)}>"
                   f"{escape(body)}</failure>")
        out.append("    </testcase>")
    out += ["  </testsuite>", "</testsuites>"]
    return "\n".join(out) + "\n"
