"""Crashes and inconsistencies the mutation fuzzer (tests/fuzzing/fuzz.py) found, each reduced
to its input: the finding it must give instead, at its line and column."""

import os
import shutil
import time

import pytest

from kubelint.engine import Settings, run

from .conftest import FIXTURES, kubelint


def _positions(result, codes=None):
    return [(os.path.basename(f.path), f.code, f.line, f.column) for f in result.findings
            if codes is None or f.code in codes]


def _no_internal_error(result):
    assert [f.message for f in result.findings if "internal error" in f.message] == []


def test_list_map_keys_that_are_not_strings(tmp_path):
    """`x-kubernetes-list-map-keys: [1, 2]`: the list-map check joined the keys as strings and
    raised out of the run (exit 2, the other files' findings lost)."""
    with open(os.path.join(FIXTURES, "kv", "crd.yaml")) as f:
        crd = f.read()
    assert "x-kubernetes-list-map-keys: [port, protocol]" in crd
    (tmp_path / "crd.yaml").write_text(crd.replace("x-kubernetes-list-map-keys: [port, protocol]",
                                                   "x-kubernetes-list-map-keys: [1, 2]"))
    with open(os.path.join(FIXTURES, "kv", "situations.yaml")) as f:
        (tmp_path / "cr.yaml").write_text(f.read())
    result = run([str(tmp_path)], Settings(result_cache=False))
    _no_internal_error(result)
    assert ("crd.yaml", "KL010", 32, 44) in _positions(result)
    assert ("crd.yaml", "KL010", 32, 47) in _positions(result)
    assert ("cr.yaml", "KL022", 53, 14) in _positions(result)  # the set's duplicate, still found


def test_validation_rule_reason_of_another_type(tmp_path):
    """`reason: [1, 2]` in an x-kubernetes-validations rule: an internal error of KL020 (a list
    looked up in a set), the rest of the CRD unchecked."""
    with open(os.path.join(FIXTURES, "celtypes", "rule-fields.yaml")) as f:
        text = f.read()
    assert "reason: FieldValueTooLong" in text
    (tmp_path / "crd.yaml").write_text(text.replace("reason: FieldValueTooLong", "reason: [1, 2]"))
    result = run([str(tmp_path / "crd.yaml")], Settings(select=["KL010", "KL020"], result_cache=False))
    _no_internal_error(result)
    got = _positions(result)
    assert ("crd.yaml", "KL010", 33, 27) in got and ("crd.yaml", "KL020", 33, 27) in got
    reason = [f.message for f in result.findings if f.code == "KL020" and f.line == 33]
    assert reason[0].endswith('.reason: Unsupported value: a list of 2 items: supported values: '
                              '"FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", '
                              '"FieldValueRequired"')


def test_crd_top_level_properties_as_a_list(tmp_path):
    """`properties:` a list at the top of an openAPIV3Schema: making the resource's schema
    (apiVersion, kind, metadata added to its properties) raised out of the run."""
    with open(os.path.join(FIXTURES, "crd", "widget-crd.yaml")) as f:
        crd = f.read()
    assert "          properties:\n            spec:\n" in crd
    (tmp_path / "crd.yaml").write_text(crd.replace("          properties:\n            spec:\n",
                                                   "          properties:\n            - spec:\n", 1))
    with open(os.path.join(FIXTURES, "crd", "widgets.yaml")) as f:
        (tmp_path / "widgets.yaml").write_text(f.read())
    result = run([str(tmp_path)], Settings(result_cache=False))
    _no_internal_error(result)
    assert _positions(result, {"KL010"})[0] == ("crd.yaml", "KL010", 17, 11)


def test_container_name_of_another_type_without_an_image(tmp_path):
    """A container without an image whose name is a mapping: KL111 looked the name up among
    the tools' container names and crashed (an internal error instead of its finding)."""
    (tmp_path / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n"
                                       "  containers:\n    - name: {}\n")
    result = run([str(tmp_path / "pod.yaml")], Settings(result_cache=False))
    _no_internal_error(result)
    assert _positions(result) == [("pod.yaml", "KL111", 7, 7), ("pod.yaml", "KL010", 7, 13)]


BOMB = "".join([f"b{i}: &b{i} [" + ", ".join([f"*b{i - 1}"] * 9) + "]\n" if i else "b0: &b0 [x, x, x, x, x, x, x, x, x]\n"
                for i in range(8)])


@pytest.mark.skipif(not (shutil.which("kubectl") or shutil.which("kustomize")),
                    reason="neither kubectl nor kustomize is on PATH")
def test_alias_bomb_in_a_kustomize_resource_is_not_rendered(tmp_path):
    """An alias bomb in a base's resource: kustomize (which does not bound aliases) ran for
    minutes into the timeout, once per overlay. The loader's KL006, at the file's position,
    naming each root that reads it; the other files' findings are kept."""
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    (tmp_path / "base" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
                                               "data:\n  k: v\n---\n" + BOMB)
    for overlay in ("dev", "prod"):
        (tmp_path / overlay).mkdir()
        (tmp_path / overlay / "kustomization.yaml").write_text("resources: [../base]\n")
    (tmp_path / ".kubelint.yaml").write_text("kustomize: {timeout: 10}\n")
    (tmp_path / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
                                       "  containers: [{name: c, image: nginx:1.27, bogus: 1}]\n")
    start = time.monotonic()
    proc = kubelint("check", "--no-cache", ".", cwd=tmp_path)
    assert time.monotonic() - start < 10
    lines = [l for l in proc.stdout.decode().splitlines() if not l.startswith(" ")]
    assert lines[:3] == [
        "base/cm.yaml:7:1: error: aliases expand this document to 54,481,013 nodes (limit 100,000): "
        "refused, as kubectl refuses alias bombs; dev/kustomization.yaml reads this file, so it was "
        "not rendered [KL006 input-limit]",
        "base/cm.yaml:7:1: error: aliases expand this document to 54,481,013 nodes (limit 100,000): "
        "refused, as kubectl refuses alias bombs; prod/kustomization.yaml reads this file, so it was "
        "not rendered [KL006 input-limit]",
        "pod.yaml:5:45: error: spec.containers[0]: unknown field `bogus` [KL010 schema]"], lines
    assert proc.returncode == 1


@pytest.mark.parametrize("head", ["", "# a comment\n", "---\n", "# a comment\n---\n"])
def test_the_document_with_a_control_character_is_the_one_left_unlinted(tmp_path, head):
    """The document holding the character gets its KL001 and nothing else (a document with a
    syntax error is not linted), the others their own findings, however the file starts."""
    (tmp_path / "c.yaml").write_text(
        head + "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: First}\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Second}\ndata: {k: \"a\x01b\"}\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Third}\n")
    at = head.count("\n")
    result = run([str(tmp_path / "c.yaml")], Settings(result_cache=False))
    assert _positions(result) == [("c.yaml", "KL104", at + 3, 18), ("c.yaml", "KL001", at + 8, 13),
                                  ("c.yaml", "KL104", at + 12, 18)]


def test_control_character_late_in_a_long_stream(tmp_path):
    """A control character past the first 8 KiB of a multi-document file was a KL001 at 1:1
    once per later document, and the documents before it were composed again each time (a
    file of 1,500 documents became 413,598 and took minutes): one KL001 at the character,
    every document linted once."""
    docs = "".join(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: many{j}}}\ndata: {{k: \"{j}\"}}\n"
                   for j in range(300))
    cut = len(docs) * 2 // 3
    (tmp_path / "c.yaml").write_text(docs[:cut] + docs[cut:].replace("apiVersion: v1", "apiVersion:\x01v1", 1))
    result = run([str(tmp_path / "c.yaml")], Settings(result_cache=False))
    assert _positions(result) == [("c.yaml", "KL001", 1007, 12)]
    assert result.objects == 300
