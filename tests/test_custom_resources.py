"""Custom resources as the API server treats them: which groups are built in, rules matched on
group and kind, null pruning and defaults before validation, API approval of protected groups."""

import os

import pytest

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
        # revision: null is pruned, so it is missing (as the API server says): at its key
        ("KL010", 42, 9, "spec.generators[0].git.revision: required, but written as null (the API server drops a null "
                          "field that is not nullable, then finds `revision` missing)"),
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


# --- CEL rules and list semantics (kubectl-validate's CEL and list-map situations) -------------

KV = os.path.join(FIXTURES, "kv")


def test_cel_rules_and_list_types_of_a_crd():
    result = run([os.path.join(KV, "crd.yaml"), os.path.join(KV, "situations.yaml")], Settings())
    assert found(result) == [
        # a rule on a field: at the field, with the rule's message
        ("KL021", 5, 7, 'rate: Invalid value: "integer": rate must be positive'),
        # a rule across fields at the root: at the object
        ("KL021", 7, 1, 'Invalid value: "object": burst must be a multiple of rate'),
        # list-map keys defaulted before the duplicate check (protocol: TCP)
        ("KL022", 22, 5, 'listeners[1]: Duplicate value: {port: 443, protocol: "TCP"}'),
        ("KL022", 34, 5, 'listeners[2]: Duplicate value: {port: 53, protocol: "UDP"}'),
        ("KL022", 53, 14, 'tags[2]: Duplicate value: "a"'),
    ]


def test_rule_reason_field_path_message_expression_and_transition_rules(tmp_path):
    crd = open(os.path.join(KV, "crd.yaml")).read().replace(
        '''            - rule: "!has(self.burst) || self.burst % self.rate == 0"
              message: burst must be a multiple of rate''',
        '''            - rule: "!has(self.burst) || self.burst % self.rate == 0"
              messageExpression: "'burst ' + string(self.burst) + ' is not a multiple of ' + string(self.rate)"
              fieldPath: .burst
              reason: FieldValueForbidden
            - rule: self.rate == oldSelf.rate
              message: rate is immutable''')
    text = crd + "---\napiVersion: demo.example.org/v1\nkind: Throttle\nmetadata: {name: t}\nrate: 4\nburst: 10\n"
    result = lint_text(tmp_path, text)
    assert [(f.code, f.message) for f in result.findings] == [
        ("KL021", "burst: Forbidden: burst 10 is not a multiple of 4")]
    # at the fieldPath (`burst: 10`, the last line), not at the root where the rule sits
    assert (result.findings[0].line, result.findings[0].column) == (len(crd.splitlines()) + 6, 1)


def test_optional_old_self_rules_run_on_create_with_an_empty_optional(tmp_path):
    crd = open(os.path.join(KV, "crd.yaml")).read().replace(
        '''            - rule: "!has(self.burst) || self.burst % self.rate == 0"
              message: burst must be a multiple of rate''',
        '''            - rule: oldSelf.hasValue() || self.rate <= 2
              optionalOldSelf: true
              messageExpression: "'a new throttle starts at rate 2 at most, not ' + string(self.rate) + (oldSelf.hasValue() ? ' (old)' : '')"
            - rule: "!oldSelf.hasValue() || self.rate == oldSelf.value().rate"
              optionalOldSelf: true
              message: rate is immutable
            - rule: self.rate == oldSelf.rate
              message: a plain transition rule (updates only)''')
    text = crd + "---\napiVersion: demo.example.org/v1\nkind: Throttle\nmetadata: {name: t}\nrate: 4\n"
    assert [(f.code, f.message) for f in lint_text(tmp_path, text).findings] == [
        ("KL021", 'Invalid value: "object": a new throttle starts at rate 2 at most, not 4')]
    assert lint_text(tmp_path, text.replace("rate: 4\n", "rate: 2\n")).findings == []
    # optionalOldSelf on a rule without oldSelf: the API server rejects the CRD
    bad = crd.replace("rule: self.rate == oldSelf.rate", "rule: self.rate > 0\n              optionalOldSelf: true")
    assert [f.message.split(": ", 1)[1] for f in lint_text(tmp_path, bad).findings] == [
        "Invalid value: true: may not be set if oldSelf is not used in rule"]


def test_rule_that_fails_to_evaluate_is_reported_unless_the_schema_already_failed(tmp_path):
    crd = open(os.path.join(KV, "crd.yaml")).read()
    text = crd + "---\napiVersion: demo.example.org/v1\nkind: Throttle\nmetadata: {name: t}\nburst: 10\n"
    messages = [f.message for f in lint_text(tmp_path, text).findings]
    assert messages == ['Invalid value: "object": rule evaluation error: !has(self.burst) || '
                        'self.burst % self.rate == 0: no such key: rate']
    broken = text.replace("burst: 10", "burst: ten")
    assert [f.code for f in lint_text(tmp_path, broken).findings] == ["KL010"]


def test_crd_rules_are_compiled_and_list_map_keys_checked(tmp_path):
    crd = open(os.path.join(KV, "crd.yaml")).read().replace("rule: self > 0", "rule: self >") \
        .replace("port: {type: integer, default: 80}", "port: {type: integer}")
    result = lint_text(tmp_path, crd)
    assert [(f.code, f.line, f.column) for f in result.findings] == [("KL020", 25, 25), ("KL020", 36, 19)]
    assert "compilation failed" in result.findings[0].message
    assert "must have a default or be a required property" in result.findings[1].message


# --- real-world custom resources ---------------------------------------------------------------

REAL = os.path.join(FIXTURES, "realworld")
CASES = {  # name: (CRD file, findings of the broken variant)
    "gateway": ("gateway-crds.yaml", [
        ("KL021", 8, 3, "spec.listeners: Invalid value: \"array\": tls must not be specified for "
                        "protocols ['HTTP', 'TCP', 'UDP']"),
        ("KL022", 54, 15, 'spec.rules[0].matches[0].headers[1]: Duplicate value: {name: "x-canary"}'),
        ("KL021", 70, 11, 'spec.rules[2].filters[0]: Invalid value: "object": filter.requestHeaderModifier '
                          'must be specified for RequestHeaderModifier filter.type'),
    ]),
    "knative": ("knative-crd.yaml", [
        ("KL010", 23, 30, 'spec.template.spec.containers[0].ports[0].containerPort: expected integer, '
                          'found string "8080"'),
    ]),
    "prometheus": ("prometheus-crd.yaml", [
        ("KL021", 40, 3, "spec.shardingStrategy: Invalid value: \"object\": topology can only be defined "
                         "when mode is set to 'Topology'"),
    ]),
    "appset": ("appset-crd.yaml", [
        ("KL010", 14, 9, "spec.generators[0].git.revision: required, but written as null (the API server drops a null "
                          "field that is not nullable, then finds `revision` missing)"),
        ("KL010", 32, 29, 'spec.generators[1].scmProvider.gitlab.includeSubgroups: expected boolean, '
                          'found string "yes-please"'),
    ]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_real_world_custom_resources(name):
    crd, broken = CASES[name]
    # every rule selected: no false finding on the real thing (nulls pruned, defaults applied,
    # CEL rules and list-maps of the real CRDs), the finding at its place on the broken variant
    ok = run([os.path.join(REAL, crd), os.path.join(REAL, f"{name}.yaml")], Settings(select=["ALL"]))
    assert found(ok) == []
    bad = run([os.path.join(REAL, crd), os.path.join(REAL, f"{name}-broken.yaml")], Settings(select=["ALL"]))
    assert found(bad) == broken


def test_real_world_without_crds_is_info_only():
    result = run([os.path.join(REAL, f"{name}.yaml") for name in sorted(CASES)], Settings(select=["ALL"]))
    assert {(f.code, f.severity.label) for f in result.findings} == {("KL015", "info")}


def test_explain_states_the_groups_a_rule_applies_to(tmp_path):
    from kubelint.registry import Registry
    from kubelint.ruledocs import applies_to

    registry = Registry.load()
    assert applies_to(registry.get("KL101")) == "Service (v1)"
    assert applies_to(registry.get("KL305")).startswith("Deployment (apps/v1), StatefulSet (apps/v1)")
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "a.yaml").write_text(CUSTOM_RULE)
    (rules / "b.yaml").write_text(WIDGET_RULE)
    user = Registry.load([str(rules)])
    assert applies_to(user.get("ACME001")) == "Service in serving.knative.dev"
    assert applies_to(user.get("ACME002")) == "Widget (custom, any group)"


def test_message_expression_falls_back_to_message_like_the_api_server():
    from kubelint.custom import _message

    check = {"rule": "false", "message": "plain", "messageExpression": "'x'.repeat(1)"}
    assert _message(dict(check, messageExpression="'too long ' + self"), "y" * 6000) == "plain"
    assert _message(dict(check, messageExpression="'two\\nlines'"), None) == "plain"
    assert _message(dict(check, messageExpression="' '"), None) == "plain"
    assert _message(dict(check, messageExpression="'short ' + self"), "y") == "short y"
    assert _message({"rule": "false"}, None) == "failed rule: false"


def _crd(version_schema: str) -> str:
    return ("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
            "metadata: {name: flinkdeployments.flink.example.io}\nspec:\n  group: flink.example.io\n"
            "  names: {kind: FlinkDeployment, plural: flinkdeployments, singular: flinkdeployment,"
            " listKind: FlinkDeploymentList}\n  scope: Namespaced\n  versions:\n  - name: v1beta1\n"
            "    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n"
            "        type: object\n        properties:\n          spec:\n            type: object\n"
            "            properties:\n" + version_schema)


OLD_CRD = _crd("              flinkConfiguration:\n                type: object\n"
               "                additionalProperties: {type: string}\n")
NEW_CRD = _crd("              flinkConfiguration:\n                type: object\n"
               "                x-kubernetes-preserve-unknown-fields: true\n"
               "              mode: {type: string, enum: [native, standalone]}\n")
FLINK = ("apiVersion: flink.example.io/v1beta1\nkind: FlinkDeployment\nmetadata:\n  name: basic\n"
         "spec:\n  flinkConfiguration:\n    taskmanager.numberOfTaskSlots: 2\n")


@pytest.mark.parametrize("order", ["old first", "new first"])
def test_a_resource_is_judged_by_the_copy_of_its_crd_it_fits_best(tmp_path, order):
    """flink-kubernetes-operator, cloudnative-pg's releases/, aws-load-balancer-controller's
    docs/install: several differing copies of one CRD in a walk. Which one the cluster has
    is unknown: a resource that one copy accepts has no finding, whichever was read last."""
    first, second = (OLD_CRD, NEW_CRD) if order == "old first" else (NEW_CRD, OLD_CRD)
    (tmp_path / "a-crd.yaml").write_text(first)
    (tmp_path / "b-crd.yaml").write_text(second)
    (tmp_path / "flink.yaml").write_text(FLINK)
    result = run([str(tmp_path)], Settings())
    assert found(result) == [], found(result)
    # one that no copy accepts: the findings of the copy it fits best (the new one's: 1)
    (tmp_path / "flink.yaml").write_text(FLINK + "  mode: session\n")
    result = run([str(tmp_path)], Settings())
    assert [(code, line, col) for code, line, col, _ in found(result)] == [("KL010", 8, 9)], found(result)
    # with the old copy alone, the old copy's findings
    (tmp_path / "b-crd.yaml").unlink()
    (tmp_path / "a-crd.yaml").write_text(OLD_CRD)
    (tmp_path / "flink.yaml").write_text(FLINK)
    result = run([str(tmp_path)], Settings())
    assert [(code, line, col) for code, line, col, _ in found(result)] == [("KL010", 7, 36)], found(result)


def test_a_crd_copy_without_a_schema_does_not_silence_one_with_a_schema(tmp_path):
    """aws-load-balancer-controller's config/samples: an old apiextensions/v1beta1 install
    bundle (no per-version schema: it accepts anything) beside config/crd/bases. The copy
    with a schema judges the resource, whichever was read last."""
    schemaless = ("apiVersion: apiextensions.k8s.io/v1beta1\nkind: CustomResourceDefinition\n"
                  "metadata: {name: flinkdeployments.flink.example.io}\nspec:\n  group: flink.example.io\n"
                  "  names: {kind: FlinkDeployment, plural: flinkdeployments}\n  scope: Namespaced\n"
                  "  versions:\n  - name: v1beta1\n    served: true\n    storage: true\n")
    for first, second in ((schemaless, OLD_CRD), (OLD_CRD, schemaless)):
        (tmp_path / "a-crd.yaml").write_text(first)
        (tmp_path / "b-crd.yaml").write_text(second)
        (tmp_path / "flink.yaml").write_text(FLINK)
        result = run([str(tmp_path)], Settings())
        assert [(code, line, col) for code, line, col, _ in found(result) if code == "KL010"] == \
            [("KL010", 7, 36)], found(result)


def test_a_oneof_of_formats_is_not_claimed_either_way(tmp_path):
    """antrea's IPPool: `start: {oneOf: [{format: ipv4}, {format: ipv6}], type: string}`. The
    API server checks those formats, so an address fits one branch; they are not checked
    here, and "valid under more than one of the schemas" was a false error. A oneOf whose
    branches differ otherwise is still checked."""
    crd = ("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
           "metadata: {name: ippools.crd.example.io}\nspec:\n  group: crd.example.io\n"
           "  names: {kind: IPPool, plural: ippools, singular: ippool, listKind: IPPoolList}\n"
           "  scope: Cluster\n  versions:\n  - name: v1beta1\n    served: true\n    storage: true\n"
           "    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n"
           "          spec:\n            type: object\n            properties:\n"
           "              start:\n                type: string\n"
           "                oneOf: [{format: ipv4}, {format: ipv6}]\n"
           "              size:\n                type: string\n"
           "                oneOf: [{maxLength: 5}, {minLength: 2}]\n")
    (tmp_path / "crd.yaml").write_text(crd)
    (tmp_path / "pool.yaml").write_text("apiVersion: crd.example.io/v1beta1\nkind: IPPool\n"
                                        "metadata: {name: pool}\nspec:\n  start: \"192.168.78.200\"\n"
                                        "  size: abc\n")
    result = run([str(tmp_path)], Settings())
    assert found(result) == [("KL010", 6, 9, "spec.size: fits more than one of the allowed forms "
                                             "(`oneOf`), and must fit exactly one")], found(result)
