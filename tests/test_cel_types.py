"""CRD rules are type-checked against their schema, as the API server compiles them: a
selected field the schema does not declare is a compile error (KL020) at the rule."""

import os

from kubelint import cel_cost
from kubelint.engine import Settings, run

from .conftest import FIXTURES


def test_undefined_fields_are_reported_at_the_rule():
    result = run([os.path.join(FIXTURES, "celtypes", "undefined-field.yaml")], Settings(select=["KL020"]))
    assert [(f.line, f.column, f.message.split("compilation failed: ")[1].splitlines()[0])
            for f in result.findings] == [
        (19, 21, "1:5: undefined field 'spce'"),
        (21, 21, "1:25: undefined field 'nmae'"),   # an item of a typed list
    ]
    # not reported: has() of a declared field, metadata at the root, a map's keys
    # (labels.foo), an object keeping unknown fields (extra.anything), an escaped name
    # (my__dash__port), an optional selection (?nope)
    assert result.findings[0].message.endswith(" | self.spce.replicas > 0\n | ....^")


def test_open_and_dynamic_types_are_never_reported():
    schema = {"type": "object", "properties": {
        "port": {"x-kubernetes-int-or-string": True},
        "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
        "raw": {"x-kubernetes-preserve-unknown-fields": True},
        "map": {"type": "object", "additionalProperties": {"type": "object", "properties": {"a": {"type": "string"}}}},
        "odd.name": {"type": "string"},
    }}
    decl = cel_cost.decl_type(schema, True)
    for rule in ["self.port.x == 1", "self.free.anything", "self.raw.x", "self.map.k.a == ''",
                 "self.odd__dot__name == ''", "self.metadata.labels.x == ''", "self.kind == ''"]:
        assert cel_cost.estimate(rule, decl, 1).undefined == [], rule
    for rule, name in [("self.map.k.b == ''", "b"), ("has(self.nope)", "nope"),
                       ("self.map.all(k, self.map[k].zz == '')", "zz")]:
        assert [u.name for u in cel_cost.estimate(rule, decl, 1).undefined] == [name], rule


def test_rule_fields_checked_as_the_api_server_does():
    result = run([os.path.join(FIXTURES, "celtypes", "rule-fields.yaml")], Settings(select=["KL020"]))
    assert [(f.line, f.column, f.message.split("]", 1)[1][1:].split(": ", 1)[1]) for f in result.findings] == [
        (26, 28, 'Invalid value: "size must be\\npositive": must not contain line breaks'),
        (27, 25, "Required value: message must be specified if rule contains line breaks"),
        (31, 38, "Required value: messageExpression must be non-empty if specified"),
        (33, 27, 'Unsupported value: "FieldValueTooLong": supported values: "FieldValueDuplicate", '
                 '"FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"'),
        (35, 30, 'Invalid value: ".sise": must be a valid path'),
        (36, 25, 'Invalid value: "self.size": cel expression must evaluate to a bool'),
        (38, 38, 'Invalid value: "self.size": messageExpression must evaluate to a string'),
    ]


def test_policy_with_a_two_variable_comprehension_is_evaluated(tmp_path):
    path = tmp_path / "vap.yaml"
    path.write_text(POLICY)
    assert run([str(path)], Settings()).findings == []
    path.write_text(POLICY.replace("labels: {a: b}}", "labels: {a: ''}}"))
    assert [(f.code, f.line) for f in run([str(path)], Settings()).findings] == [("KL501", 18)]


POLICY = """apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: labels}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["deployments"]}]
  validations:
    - expression: "object.metadata.labels.all(k, v, v != '')"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: labels}
spec:
  policyName: labels
  validationActions: [Deny]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, labels: {a: b}}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec:
      containers: [{name: c, image: "nginx:1.27"}]
"""
