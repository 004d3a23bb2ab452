"""Every rule file: valid against the rule schema, unique code and name, and its examples
run: each failing example yields exactly this rule at each marked position, each passing
example yields nothing at all."""

import json
import os
import re

import jsonschema
import pytest

from kubelint.engine import Settings, run
from kubelint.loader import load
from kubelint.registry import Registry

from .conftest import ROOT

RULES_DIR = os.path.join(ROOT, "rules")
RULE_FILES = sorted(f for f in os.listdir(RULES_DIR) if f.endswith(".yaml"))
REGISTRY = Registry.load()

_CARET = re.compile(r"^(\s*)#(\s*)\^")
_EXPECT = re.compile(r"#\s*kubelint-expect:\s*(\d+):(\d+)")


def expected_marks(text):
    """Caret lines (`#   ^` under the column of the line above) and `# kubelint-expect: L:C`."""
    marks = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = _EXPECT.search(line)
        if m:
            marks.append((int(m.group(1)), int(m.group(2))))
            continue
        if _CARET.match(line):
            target = i - 1
            while target >= 0 and _CARET.match(lines[target]):
                target -= 1
            marks.append((target + 1, line.index("^") + 1))
    return sorted(marks)


def test_rule_files_match_schema():
    with open(os.path.join(ROOT, "schemas", "rule.schema.json")) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for fname in RULE_FILES:
        data = load(os.path.join(RULES_DIR, fname)).documents[0].data
        errors = [e.message for e in validator.iter_errors(data)]
        assert not errors, f"{fname}: {errors}"
        assert fname.startswith(data["code"] + "-" + data["name"]), f"{fname}: name the file CODE-name.yaml"


def test_codes_and_names_are_unique():
    codes = [r.code for r in REGISTRY.rules]
    names = [r.name for r in REGISTRY.rules]
    assert len(set(codes)) == len(codes)
    assert len(set(names)) == len(names)


def _cases(kind):
    for rule in REGISTRY.rules:
        for i, text in enumerate(rule.examples[kind]):
            yield pytest.param(rule, text, id=f"{rule.code}-{rule.name}-{kind}{i}")


def _lint(tmp_path, rule, text):
    path = tmp_path / "example.yaml"
    path.write_bytes(text.encode("utf-8"))
    return run([str(path)], Settings(select=["ALL", rule.code]))


@pytest.mark.parametrize("rule,text", list(_cases("fail")))
def test_failing_example(tmp_path, rule, text):
    marks = expected_marks(text)
    assert marks, f"{rule.code}: a failing example must mark where the finding lands"
    result = _lint(tmp_path, rule, text)
    got = sorted((f.line, f.column) for f in result.findings if f.code == rule.code)
    assert got == marks, [(f.code, f.line, f.column, f.message) for f in result.findings]
    others = [f for f in result.findings if f.code != rule.code]
    assert not others, f"the example should show only {rule.code}: {others}"


@pytest.mark.parametrize("rule,text", list(_cases("pass")))
def test_passing_example(tmp_path, rule, text):
    result = _lint(tmp_path, rule, text)
    assert result.findings == [], [(f.code, f.line, f.column, f.message) for f in result.findings]
