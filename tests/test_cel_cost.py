"""KL023: the API server's static cost estimate of CRD validation rules (kubelint.cel_cost)."""

import os

import pytest

from kubelint import cel_cost as C
from kubelint.engine import Settings, run

from .conftest import FIXTURES

HERE = os.path.join(FIXTURES, "celcost")


def _arr(t, n=None):
    s = {"type": "array", "items": t}
    if n is not None:
        s["maxItems"] = n
    return s


def _map(t, n=None):
    s = {"type": "object", "additionalProperties": t}
    if n is not None:
        s["maxProperties"] = n
    return s


def _str(n=None, **kw):
    s = dict({"type": "string"}, **kw)
    if n is not None:
        s["maxLength"] = n
    return s


NUM, BOOL, STR = {"type": "number"}, {"type": "boolean"}, {"type": "string"}
OBJ = {"type": "object", "required": ["required"],
       "properties": {"required": STR, "optional": STR}}

# Expected MaxCost of one rule, from the API server's own table (apiextensions-apiserver
# pkg/apiserver/schema/cel/compilation_test.go TestCostEstimation): schema, rule, cost.
KUBERNETES_ESTIMATES = [
    (_arr(NUM), "self.all(x, true)", 4718591),
    (_arr(NUM, 10), "self.all(x, true)", 32),
    (_arr(STR), "self.all(x, true)", 3145727),
    (_arr(STR, 20), "self.all(x, true)", 62),
    (_arr(BOOL), "self.all(x, true)", 1887437),
    (_arr(_arr(NUM)), "self.all(x, true)", 3145727),
    (_arr(_arr(NUM), 100), "self.all(x, true)", 302),
    (_arr(OBJ), "self.all(x, true)", 555128),
    (_arr(OBJ, 50), "self.all(x, true)", 152),
    (_map(NUM), "self.all(x, true)", 1348169),
    (_map(NUM, 100), "has(self.x)", 0),
    (_map(STR), "self.all(x, true)", 1179647),
    (_map(BOOL), "self.all(x, true)", 943718),
    (_str(), "self.contains('test')", 314574),
    (_str(10), "self.contains('test')", 5),
    (_str(15), "self.startsWith('test')", 2),
    (_str(), 'size(self + "hello") > size("hello")', 314578),
    (_str(4), 'size(self + "hello") > size("hello")', 7),
    (_arr(NUM, 5000), "self[1] == 0.0", 2),
    (_arr(STR), "self[1] == self[1]", 314577),
    (_arr(NUM, 10), "self.all(x, self.all(y, true))", 352),
    (_arr(NUM, 10), "self.all(x, self.all(y, self.all(z, true)))", 3552),
    (_str(), 'self.matches("x")', 314574),
    (_str(50), 'self.matches("x")', 22),
    (_str(), '"".matches("(((((((((())))))))))[0-9]")', 7),
    (_str(100), 'self.matches("")', 1),
    (_map(_str(10), 10), "self.all(x, x.contains(self[x]))", 72),
    (_map(STR), "self.all(x, x.contains(self[x]))", 2752507),
    (_str(0), 'self == "x"', 1),
    (_str(), 'self == "x"', 2),
    (_str(0, format="byte"), 'self == b"x"', 1),
    (_arr(NUM, 3 * 1024 * 2048), "self.all(x, x == 0.0)", 25165826),
    (_arr({"type": "string", "format": "date-time"}), "self.all(x, true)", 428963),
]


@pytest.mark.parametrize("schema,rule,expected", KUBERNETES_ESTIMATES,
                         ids=[f"{i}:{r}" for i, (_, r, _e) in enumerate(KUBERNETES_ESTIMATES)])
def test_estimates_agree_with_the_api_server(schema, rule, expected):
    site = next(C.schema_rules(dict(schema, **{"x-kubernetes-validations": [{"rule": rule}]})))
    assert site.cost.max_cost == expected


# Kubernetes library costs, from apiserver pkg/cel/library/cost_test.go (estimated Max)
LIBRARY_ESTIMATES = [
    ("'ABCDEFGHIJ abcdefghij'.lowerAscii() == 'abcdefghij ABCDEFGHIJ'.lowerAscii()", 9),
    ("strings.quote('ABCDEFGHIJ abcdefghij') == strings.quote('ABCDEFGHIJ abcdefghij')", 11),
    ("'abc 123 def 123'.replace('123', '456', 1)", 3),
    ("'abc 123 def 123'.split(' ', 1)", 3),
    ("'abc 123 def 123'.substring(5, 8)", 2),
    ("'  abc 123 def 123  '.trim()", 2),
    ("'abc 123 def 123'.findAll('123', 1)", 2),
]


@pytest.mark.parametrize("expr,expected", LIBRARY_ESTIMATES)
def test_library_costs_agree_with_the_api_server(expr, expected):
    assert C.estimate(expr, None, 1).max_cost == expected


def test_cardinality_multiplies_bounded_lists_and_falls_back_to_the_request_size():
    spec = {"type": "object", "properties": {
        "bounded": _arr({"type": "object", "properties": {"a": _arr(_str(5, **{
            "x-kubernetes-validations": [{"rule": "self.size() > 1"}]}), 4)}}, 10),
        "unbounded": _arr({"type": "object", "required": ["name"], "properties": {"name": STR},
                           "x-kubernetes-validations": [{"rule": "self.name.size() > 1"}]})}}
    sites = {s.ptr[1]: s.cost for s in C.schema_rules(spec)}
    assert sites["bounded"].cardinality == 40            # 10 x 4
    assert sites["unbounded"].cardinality == 241979      # 3 MiB / (12-byte minimal item + 1)


def test_messages_word_for_word():
    assert C.cost_message("estimated rule cost", 25_000_000, 10_000_000) == (
        "estimated rule cost exceeds budget by factor of 2.5x (try simplifying the rule, or adding "
        "maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)")
    assert "factor of 1.200000x" in C.cost_message("x", 12, 10)
    assert "factor of more than 100x" in C.cost_message("x", 10 ** 10, 10)


def found(paths):
    result = run([os.path.join(HERE, p) for p in paths], Settings(select=["KL023"]))
    return [(f.line, f.column, f.message.split(": Forbidden: ")[1][:60]) for f in result.findings]


def test_rules_over_budget_are_reported_at_the_rule():
    assert found(["costly.yaml"]) == [
        (34, 31, "estimated rule cost exceeds budget by factor of more than 10"),
        (36, 44, "estimated messageExpression cost exceeds budget by factor of"),
        (42, 29, "estimated rule cost exceeds budget by factor of 70.0x (try s"),
    ]


def test_the_total_of_one_schema_is_reported_with_its_largest_contributors():
    assert found(["total.yaml"]) == [
        (16, 9, "x-kubernetes-validations estimated rule cost total for entir"),
        (27, 31, "contributed to estimated rule cost total exceeding cost limi"),
        (28, 31, "contributed to estimated rule cost total exceeding cost limi"),
        (29, 31, "contributed to estimated rule cost total exceeding cost limi"),
        (30, 31, "contributed to estimated rule cost total exceeding cost limi"),
    ]


def test_bounded_rules_and_real_world_crds_are_accepted():
    # Gateway API's HTTPRoute path rules are among the most expensive of real CRDs (5.9M)
    real = os.path.join(FIXTURES, "realworld")
    crds = [os.path.join(real, f) for f in sorted(os.listdir(real)) if f.endswith("-crd.yaml") or f.endswith("-crds.yaml")]
    assert found(["bounded.yaml"]) == []
    assert run(crds, Settings(select=["KL023"])).findings == []
