"""Crashes and inconsistencies the mutation fuzzer (tests/fuzzing/fuzz.py) found, each reduced
to its input: the finding it must give instead, at its line and column."""

import os

from kubelint.engine import Settings, run

from .conftest import FIXTURES


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
