"""Fixes (`check --fix`, `--diff`): golden before/after files full of comments, only the fixed
lines change, idempotence, JSON, and every fixable rule's failing examples fixed."""

import difflib
import os
import shutil

import pytest

from kubelint.engine import Linter, Settings
from kubelint.fix import fix_text
from kubelint.registry import Registry

from .conftest import FIXTURES, kubelint

FIX = os.path.join(FIXTURES, "fix")
REGISTRY = Registry.load()
GOLDEN = [("commented.before.yaml", "commented.after.yaml"),
          ("manifest.before.json", "manifest.after.json")]


def _read(name):
    with open(os.path.join(FIX, name), encoding="utf-8", newline="") as f:
        return f.read()


def _changed_lines(before, after):
    """Line numbers (1-based, in `before`) that a diff removes or replaces."""
    out = set()
    sm = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(), autojunk=False)
    for tag, i1, i2, _, _ in sm.get_opcodes():
        if tag != "equal":
            out.update(range(i1 + 1, i2 + 1))
    return out


@pytest.mark.parametrize("before,after", GOLDEN)
def test_golden_fix(tmp_path, before, after):
    target = tmp_path / before.replace(".before", "")
    shutil.copy(os.path.join(FIX, before), target)
    proc = kubelint("check", "--fix", str(target))
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
    assert b"fixed" in proc.stderr
    assert target.read_text(encoding="utf-8") == _read(after)
    # idempotent: a second run changes nothing, --diff agrees
    proc = kubelint("check", "--fix", str(target))
    assert target.read_text(encoding="utf-8") == _read(after)
    proc = kubelint("check", "--diff", str(target))
    assert proc.returncode == 0 and proc.stdout == b""


def test_only_fixed_lines_change():
    before, after = _read("commented.before.yaml"), _read("commented.after.yaml")
    # every comment line of the input is still there, verbatim
    comments = [line for line in before.splitlines() if line.lstrip().startswith("#")]
    assert all(c in after.splitlines() for c in comments)
    assert after.count("\n---\n") == before.count("\n---\n")
    changed = _changed_lines(before, after)
    # exactly the lines holding a fixed node (and nothing else)
    fixed_at = {2, 7, 16, 19, 21, 24, 27, 32, 33, 34, 41, 42, 44, 45, 53, 54, 73, 77, 79, 81}
    assert changed == fixed_at, sorted(changed ^ fixed_at)
    # insertions: the selector (after line 24), pathType (after 42), a template label (after 71)
    sm = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(), autojunk=False)
    inserted = [i1 for tag, i1, i2, j1, j2 in sm.get_opcodes() if tag == "insert"]
    assert inserted == [71], inserted  # the others are parts of replaced blocks


def test_diff_changes_nothing_and_fails(tmp_path):
    target = tmp_path / "m.yaml"
    shutil.copy(os.path.join(FIX, "commented.before.yaml"), target)
    proc = kubelint("check", "--diff", str(target))
    assert proc.returncode == 1
    assert target.read_text(encoding="utf-8") == _read("commented.before.yaml")
    text = proc.stdout.decode()
    assert text.startswith(f"--- {target}\n+++ {target}\n@@ ")
    assert "-  replicas: \"3\"   # quoted\n+  replicas: 3   # quoted\n" in text


def test_stdin_fix_prints_the_fixed_text():
    proc = kubelint("check", "--fix", "--stdin-filename", "x.yaml", "-",
                    input=b"apiVersion: v1\nkind: service  # lower\nmetadata: {name: s}\n"
                          b"spec:\n  ports: [{port: 80, protocol: tcp}]\n")
    assert proc.stdout == (b"apiVersion: v1\nkind: Service  # lower\nmetadata: {name: s}\n"
                           b"spec:\n  ports: [{port: 80, protocol: TCP}]\n")
    assert proc.returncode == 0


def test_unsafe_fixes_need_the_flag(tmp_path):
    text = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
            "    - name: c  # main\n      image: busybox:1.36\n"
            "      securityContext:\n        privileged: true\n")
    linter = Linter(Settings(select=["KL303"]))
    assert fix_text(linter, "p.yaml", text).after == text
    fixed = fix_text(linter, "p.yaml", text, unsafe=True).after
    assert fixed == text.replace("privileged: true", "privileged: false")
    linter = Linter(Settings(select=["KL304"]))
    fixed = fix_text(linter, "p.yaml", text, unsafe=True).after
    assert fixed == text + "        runAsNonRoot: true\n"


def test_ambiguous_rename_is_not_fixed():
    # `port: 80` might mean ports: [{containerPort: 80}]: the value does not fit `ports`
    text = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
            "    - name: c\n      image: busybox:1.36\n      port: 80\n")
    res = fix_text(Linter(Settings()), "p.yaml", text)
    assert res.after == text


def test_crlf_and_flow_insert():
    text = ("apiVersion: extensions/v1beta1\r\nkind: Deployment\r\nmetadata: {name: w}\r\n"
            "spec:\r\n  template:\r\n    metadata: {labels: {app: w}}\r\n"
            "    spec: {containers: [{name: w, image: \"nginx:1.27\"}]}\r\n")
    after = fix_text(Linter(Settings()), "w.yaml", text).after
    assert after.startswith("apiVersion: apps/v1\r\n")
    assert after.endswith("    spec: {containers: [{name: w, image: \"nginx:1.27\"}]}\r\n"
                          "  selector:\r\n    matchLabels:\r\n      app: w\r\n")
    assert "\n" not in after.replace("\r\n", "")


def _fixable_cases():
    for rule in REGISTRY.rules:
        if rule.fixable:
            for i, text in enumerate(rule.examples["fail"]):
                yield pytest.param(rule, text, id=f"{rule.code}-fail{i}")


@pytest.mark.parametrize("rule,text", list(_fixable_cases()))
def test_fixable_rule_examples(rule, text):
    """Every fix a failing example offers is applied, and leaves no finding with a fix."""
    linter = Linter(Settings(select=["ALL", rule.code]))
    unsafe = rule.fixable == "unsafe"
    res = fix_text(linter, "example.yaml", text, unsafe=unsafe)
    from kubelint.loader import load_text

    left = linter.lint_loaded("example.yaml", load_text("example.yaml", res.after)).findings
    assert not [f for f in left if f.fix is not None and f.code == rule.code]
    assert not res.unfixable


def test_fixable_rules_fix_an_example_and_others_have_no_fix():
    from kubelint.loader import load_text

    for rule in REGISTRY.rules:
        linter = Linter(Settings(select=["ALL", rule.code]))
        fully_fixed = offers = False
        for text in rule.examples["fail"]:
            found = linter.lint_loaded("e.yaml", load_text("e.yaml", text)).findings
            offers |= any(f.fix is not None for f in found if f.code == rule.code)
            after = fix_text(linter, "e.yaml", text, unsafe=True).after
            left = linter.lint_loaded("e.yaml", load_text("e.yaml", after)).findings
            fully_fixed |= not [f for f in left if f.code == rule.code]
        if rule.fixable:
            assert fully_fixed, f"{rule.code}: no failing example is fixed by --fix"
        else:
            assert not offers, f"{rule.code}: findings carry fixes; say `fixable:` in its rule file"


def test_explain_says_whether_a_rule_fixes_itself():
    proc = kubelint("explain", "KL011")
    assert proc.returncode == 0, proc.stderr
    assert b"Automatic fix: `kubelint check --fix`\n" in proc.stdout
    proc = kubelint("explain", "KL303")
    assert b"--unsafe-fixes (it changes behaviour: review it)" in proc.stdout
    assert b"Automatic fix" not in kubelint("explain", "KL101").stdout


def test_fix_inside_a_list_item():
    text = ("apiVersion: v1\nkind: List\nitems:\n"
            "  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: a}\n"
            "  - apiVersion: v1\n    kind: service   # lower\n    metadata: {name: s}\n"
            "    spec: {ports: [{port: 80, protocol: udp}]}\n")
    after = fix_text(Linter(Settings()), "l.yaml", text).after
    assert after == text.replace("kind: service", "kind: Service").replace("udp", "UDP")
