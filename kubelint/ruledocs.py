"""Rule documentation from the rule files: `kubelint rules`, `kubelint explain`, and the
README's rule table (tests/test_docs.py fails when the README is stale)."""

from __future__ import annotations

import json
from typing import List


def render_rules(rules: List, fmt: str) -> str:
    if fmt == "json":
        return json.dumps([{
            "code": r.code, "name": r.name, "severity": r.severity.label, "summary": r.summary,
            "kinds": r.kinds, "groups": getattr(r, "groups", None), "tags": r.tags, "enabled": r.default_enabled, "see-also": r.see_also,
            "options": {k: v.get("default") for k, v in r.options.items()},
        } for r in rules], indent=2) + "\n"
    if fmt == "markdown":
        return markdown_table(rules)
    width = max(len(r.name) for r in rules)
    lines = []
    for r in rules:
        lines.append(f"{r.code}  {r.name:<{width}}  {r.severity.label:<7}  {r.summary}"
                     + ("" if r.default_enabled else "  (off by default)"))
        if r.see_also:  # people moving from kube-linter / kube-score / Polaris find their checks
            lines.append(f"{'':<{len(r.code) + width + 13}}see also: {', '.join(r.see_also)}")
    return "\n".join(lines) + "\n"


def markdown_table(rules: List) -> str:
    rows = ["| Code | Name | Severity | Summary |", "| --- | --- | --- | --- |"]
    for r in rules:
        summary = r.summary.replace("|", "\\|") + ("" if r.default_enabled else " *(off by default)*")
        rows.append(f"| {r.code} | `{r.name}` | {r.severity.label} | {summary} |")
    return "\n".join(rows) + "\n"


def render_explain(rule) -> str:
    out = [f"{rule.code} {rule.name} ({rule.severity.label}"
           + ("" if rule.default_enabled else ", off by default") + ")", "",
           rule.summary, "", "Why:", _indent(rule.rationale), "", "Fix:", _indent(rule.fix)]
    if getattr(rule, "fixable", None):
        out += ["", "Automatic fix: `kubelint check --fix`" + (
            " --unsafe-fixes (it changes behaviour: review it)" if rule.fixable == "unsafe" else "")]
    if rule.kinds or getattr(rule, "groups", None) is not None:
        out += ["", "Applies to: " + applies_to(rule)]
    if rule.tags:
        out += ["", "Tags: " + ", ".join(rule.tags)]
    if rule.see_also:
        out += ["", "See also: " + ", ".join(rule.see_also)]
    if rule.options:
        out += ["", "Options:"]
        out += [f"  {k} (default {json.dumps(v.get('default'))}): {v.get('description', '')}"
                for k, v in rule.options.items()]
    for title, key in (("Fails:", "fail"), ("Passes:", "pass")):
        for text in rule.examples[key]:
            out += ["", title, _indent(text.rstrip("\n"))]
    return "\n".join(out) + "\n"


def applies_to(rule) -> str:
    """What `kinds` (and `groups`) resolve to: a built-in kind name means the groups the
    bundled schemas serve it in; any other name a custom kind of any group."""
    groups = getattr(rule, "groups", None)
    if groups is not None:
        where = ", ".join("core" if g == "" else "any group" if g == "*" else g for g in groups)
        return (", ".join(rule.kinds) if rule.kinds else "every kind") + f" in {where}"
    from .k8s_schema import kinds_by_lower, latest_version

    served = kinds_by_lower(latest_version())
    parts = []
    for kind in rule.kinds:
        versions = served.get(kind.lower(), {}).get(kind)
        parts.append(f"{kind} ({', '.join(versions)})" if versions else f"{kind} (custom, any group)")
    return ", ".join(parts)


def _indent(text: str) -> str:
    return "\n".join("    " + line if line else "" for line in text.strip("\n").splitlines())


def parity_table(rules: List, peers: dict) -> str:
    """The README's parity table: each peer tool's default-on checks -> the kubelint rules whose
    `see-also` names them, with the share covered."""
    out = []
    for tool, checks in peers.items():
        by_check: dict = {}
        for r in rules:
            for ref in r.see_also:
                peer, _, check = ref.partition(":")
                if peer == tool:
                    by_check.setdefault(check, []).append(r)
        covered = sum(1 for c in checks if c in by_check)
        out += [f"**{tool}**: {covered} of its {len(checks)} default-on checks have a kubelint rule "
                f"({100 * covered // len(checks)}%).", "",
                f"| {tool} check | kubelint rule |", "| --- | --- |"]
        for c in checks:
            found = by_check.get(c)
            shown = ", ".join(f"{r.code} `{r.name}`" + ("" if r.default_enabled else "\\*")
                              for r in found) if found else "—"
            out.append(f"| `{c}` | {shown} |")
        out.append("")
    return "\n".join(out)
