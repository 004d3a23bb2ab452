"""Custom resources as the API server treats them: which groups are built in, rules matched on
group and kind, null pruning and defaults before validation, API approval of protected groups."""

import os

from kubelint.engine import Settings, run

from .conftest import FIXTURES, lint_text

HERE = os.path.join(FIXTURES, "customres")


def found(result):
    return [(f.code, f.line, f.column, f.message) for f in result.findings]


def test_builtin_iff_the_bundled_schemas_serve_the_group_version():
    result = run([os.path.join(HERE, "identity.yaml")], Settings())
    assert [(f.code, f.line, f.column) for f in result.findings] == [
        ("KL015", 1, 13),   # gateway.networking.k8s.io: a CRD group, not networking.k8s.io
        ("KL015", 7, 13),   # snapshot.storage.k8s.io
        ("KL015", 13, 13),  # certmanager.k8s.io
        ("KL014", 18, 13),  # config/v1: a dotless group never comes from a CRD
        ("KL012", 23, 13),  # core v1beta1
        ("KL014", 29, 7),   # a built-in group: an unknown kind stays an error
        ("KL013", 33, 13),  # removed, not custom
    ]


def test_builtin_rules_do_not_run_on_a_custom_kind_of_the_same_name():
    # serving.knative.dev/v1 Service: no KL123 "spec.ports required", no label check of
    # its pod template (the API server checks only a custom resource's own metadata)
    result = run([os.path.join(HERE, "knative.yaml")], Settings(select=["ALL"]))
    assert [f.code for f in result.findings] == ["KL015"]


def test_the_same_object_in_a_builtin_group_is_checked():
    text = open(os.path.join(HERE, "knative.yaml")).read().replace("serving.knative.dev/v1", "v1")
    codes = {f.code for f in lint_text_result(text).findings}
    assert {"KL010", "KL123"} <= codes


def lint_text_result(text):
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "m.yaml")
        with open(path, "w") as f:
            f.write(text)
        return run([path], Settings())


def test_nulls_pruned_and_defaults_applied_before_validation():
    result = run([HERE + "/appset-crd.yaml", HERE + "/appset.yaml"], Settings())
    assert found(result) == [
        # revision: null is pruned, so it is missing (as the API server says)
        ("KL010", 40, 7, "spec.generators[0].git: missing required field `revision`"),
        ("KL010", 44, 23, 'spec.syncPolicy.applicationsSync: unsupported value "create-or-update": '
                          'supported values: "create-only", "create-update", "create-delete", "sync"; '
                          'did you mean "create-update"?'),
        ("KL010", 49, 13, "spec.template.spec.note: expected string, found integer 5 (unquoted `5` is a number)"),
    ]


def test_prepare_prunes_defaults_and_keeps_the_input():
    from kubelint.custom import prepare

    schema = {"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "a": {"type": "string"}, "b": {"type": "string", "nullable": True},
        "c": {"type": "integer", "default": 3}, "d": {"type": "integer", "default": 4},
        "items": {"type": "array", "items": {"type": "object", "properties": {
            "x": {"type": "string", "default": "dx"}}}}}}}}
    data = {"spec": {"a": None, "b": None, "c": None, "items": [{}, {"x": "y"}]}}
    assert prepare(schema, data) == {"spec": {"b": None, "c": 3, "d": 4,
                                              "items": [{"x": "dx"}, {"x": "y"}]}}
    assert data == {"spec": {"a": None, "b": None, "c": None, "items": [{}, {"x": "y"}]}}
    same = {"spec": {"a": "s", "c": 1, "d": 2}}
    assert prepare(schema, same) is same


CUSTOM_RULE = """\
code: ACME001
name: knative-min-scale
severity: warning
summary: A Knative Service sets a minimum scale.
rationale: Cold starts.
fix: Set autoscaling.knative.dev/min-scale.
kinds: [Service]
groups: [serving.knative.dev]
check:
  schema:
    properties:
      metadata:
        required: [annotations]
examples:
  fail: ["apiVersion: serving.knative.dev/v1\\nkind: Service\\nmetadata: {name: a}\\n"]
  pass: ["apiVersion: serving.knative.dev/v1\\nkind: Service\\nmetadata: {name: a, annotations: {}}\\n"]
"""

WIDGET_RULE = CUSTOM_RULE.replace("ACME001", "ACME002").replace("knative-min-scale", "widget-rule") \
    .replace("kinds: [Service]\ngroups: [serving.knative.dev]\n", "kinds: [Widget]\n")


def test_rules_may_name_groups_and_custom_kinds_keep_working(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "ACME001.yaml").write_text(CUSTOM_RULE)
    (rules / "ACME002.yaml").write_text(WIDGET_RULE)
    text = ("apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: a}\n---\n"
            "apiVersion: v1\nkind: Service\nmetadata: {name: b}\nspec: {ports: [{port: 80}]}\n---\n"
            "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: c}\n")
    result = lint_text(tmp_path, text, rule_dirs=[str(rules)], select=["ACME"])
    # the group-scoped rule hits only the Knative Service; `kinds: [Widget]` (no built-in
    # kind of that name) matches the custom kind in any group
    assert [(f.code, f.line) for f in result.findings] == [("ACME001", 3), ("ACME002", 12)]


def test_api_approval_of_protected_groups(tmp_path):
    crd = open(os.path.join(HERE, "appset-crd.yaml")).read()
    text = crd.replace("argoproj.io", "argoproj.k8s.io")
    assert [(f.code, f.line, f.column) for f in lint_text(tmp_path, text).findings] == [("KL017", 4, 1)]
    approved = text.replace("metadata:\n  name:", "metadata:\n  annotations:\n"
                            "    api-approved.kubernetes.io: unapproved, experimental\n  name:", 1)
    assert lint_text(tmp_path, approved).findings == []
    assert lint_text(tmp_path, crd.replace("argoproj.io", "argoproj.kubernetes.io")) \
        .findings[0].code == "KL017"
