"""kubelint/cel.py: Kubernetes CEL examples (the patterns of the Kubernetes docs' CRD
validation rules and admission policy pages, and the Kubernetes CEL libraries) evaluated as the
API server evaluates them."""

import pytest

from kubelint import cel

# (expression, self, expected value)
EXAMPLES = [
    ("self.minReplicas <= self.replicas && self.replicas <= self.maxReplicas",
     {"minReplicas": 1, "replicas": 2, "maxReplicas": 3}, True),
    ("'Available' in self.stateCounts", {"stateCounts": {"Available": 1}}, True),
    ("(size(self.list1) == 0) != (size(self.list2) == 0)", {"list1": [1], "list2": []}, True),
    ("!('MY_FIELD' in self.map1) || self.map1['MY_FIELD'].matches('^[a-zA-Z]*$')", {"map1": {"MY_FIELD": "a1"}}, False),
    ("self.envars.filter(e, e.name == 'MY_ENV').all(e, e.value.matches('^[a-zA-Z]*$'))",
     {"envars": [{"name": "MY_ENV", "value": "abc"}]}, True),
    ("has(self.expired) && self.created + self.ttl < self.expired", {"created": 1, "ttl": 1, "expired": 3}, True),
    ("self.widgets.exists(w, w.key == 'x' && w.foo < 10)", {"widgets": [{"key": "x", "foo": 3}]}, True),
    ("type(self) == string ? self == '99%' : self == 42", "99%", True),
    ("self.set1.all(e, !(e in self.set2))", {"set1": [1], "set2": [1]}, False),
    ("self.all(k, k.startsWith('x-'))", {"x-a": 1, "b": 2}, False),
    ("self.?spec.?replicas.orValue(1) >= 1", {"spec": {}}, True),
    ("self.items.exists_one(i, i.primary)", {"items": [{"primary": True}, {"primary": True}]}, False),
    ("duration(self.timeout) <= duration('1h')", {"timeout": "90m"}, False),
    ("timestamp(self.t) > timestamp('2020-01-01T00:00:00Z')", {"t": "2021-01-01T00:00:00Z"}, True),
    # strings (cel-go ext strings)
    ("self.name.lowerAscii() == 'abc' && self.name.upperAscii() == 'ABC'", {"name": "aBc"}, True),
    ("self.image.split(':')", {"image": "nginx:1.27"}, ["nginx", "1.27"]),
    ("self.s.replace('-', '_')", {"s": "a-b-c"}, "a_b_c"),
    ("self.s.indexOf('b') == 1 && self.s.lastIndexOf('b') == 3", {"s": "abcb"}, True),
    ("self.s.substring(1, 3)", {"s": "abcd"}, "bc"),
    ("self.trim()", "  a ", "a"),
    ("['a', 'b'].join(', ')", None, "a, b"),
    ("self.s.charAt(1)", {"s": "xyz"}, "y"),
    # regex
    ("'a1b22'.findAll('[0-9]+')", None, ["1", "22"]),
    ("'abc 123'.find('[0-9]+')", None, "123"),
    # lists
    ("[1, 2, 3].isSorted() && ![2, 1].isSorted()", None, True),
    ("[1, 2, 3].sum() == 6 && [4, 9].max() == 9 && ['b', 'a'].min() == 'a'", None, True),
    ("['x', 'y', 'x'].indexOf('x') == 0 && ['x', 'y', 'x'].lastIndexOf('x') == 2", None, True),
    ("sets.contains([1, 2, 3], [2, 3]) && sets.intersects([1], [1, 5]) && !sets.equivalent([1], [2])", None, True),
    # URLs
    ("url('https://example.com:8443/a/b?x=1').getHost()", None, "example.com:8443"),
    ("url('https://example.com:8443/a').getHostname() == 'example.com' && url('https://example.com:8443/a').getPort() == '8443'", None, True),
    ("isURL('https://example.com/') && !isURL('example.com')", None, True),
    ("url('https://example.com/x?a=1&a=2').getQuery()['a']", None, ["1", "2"]),
    # IP and CIDR
    ("isIP('10.0.0.1') && !isIP('10.0.0.256') && ip('fe80::1').family() == 6", None, True),
    ("cidr('10.0.0.0/8').containsIP('10.1.2.3') && !cidr('10.0.0.0/8').containsIP(ip('11.0.0.1'))", None, True),
    ("cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16') && cidr('10.1.2.3/8').masked().prefixLength() == 8", None, True),
    ("ip('127.0.0.1').isLoopback() && ip('8.8.8.8').isGlobalUnicast() && !isCIDR('10.0.0.0/33')", None, True),
    # quantity
    ("quantity(self.memory).isGreaterThan(quantity('1000Mi'))", {"memory": "1Gi"}, True),
    ("quantity('500m').asApproximateFloat() == 0.5 && quantity('2k').asInteger() == 2000", None, True),
    ("quantity('1').add(quantity('500m')).compareTo(quantity('1500m')) == 0 && !isQuantity('1x')", None, True),
    ("quantity('1.5').isInteger() || quantity('-3').sign() == -1", None, True),
    # format
    ("format.dns1123Label().validate('Web_1').hasValue() && format.named('dns1123Subdomain').validate('a.b') == null", None, True),
    ("!format.dns1123Label().validate(self).hasValue()", "web", True),  # the optional's form
    ("size(self) == 0 || format.dns1123Label().validate(self) == null", "", True),  # Gateway API's
    ("format.dns1123Label().validate(self).value()[0].startsWith('a lowercase RFC 1123 label')", "Web", True),
    # optionals of the format library (format.named, validate) and their operations
    ("format.named('dns1123Label').hasValue() && !format.named('nope').hasValue()", None, True),
    ("format.named('dns1123Label').value().validate(self).hasValue()", "Bad_", True),
    ("format.dns1123Label().validate(self).orValue([]).size() == 0", "ok", True),
    ("format.named('x').orValue(format.dns1123Subdomain()).validate(self) == null", "a.b", True),
    ("self.all(k, !format.dns1123Label().validate(k).hasValue())", ["a", "B"], False),
    # string formatting (ext strings v2), semver, ext lists v3
    ("'%s has %d items, %.2f%%'.format([self.name, 3, 12.345])", {"name": "x"}, "x has 3 items, 12.35%"),
    ("isSemver('1.2.3') && !isSemver('v1.2') && isSemver('v1.2', true)", None, True),
    ("semver('1.2.3-alpha').isLessThan(semver('1.2.3')) && semver('1.10.0').compareTo(semver('1.9.0')) == 1", None, True),
    ("semver(self).major() == 1 && semver(self).patch() == 3", "1.2.3", True),
    ("[3, 1, 1].distinct().sort() == [1, 3] && [1, [2]].flatten() == [1, 2] && lists.range(2) == [0, 1]", None, True),
    ("[1, 2, 3].slice(1, 2) == [2] && [1, 2].reverse() == [2, 1] && 'ab'.reverse() == 'ba'", None, True),
    # cross-type numeric comparisons (cel-go's option, enabled by Kubernetes)
    ("1.5 < 2 && 2 < 2.5 && 1u < 2.0 && 3 >= 2u", None, True),
    ("self.replicas < 2.5", {"replicas": 3}, False),
    ("self.items.all(i, i.weight <= 0.5)", {"items": [{"weight": 0}, {"weight": 1}]}, False),
    # optional types
    ("optional.of(self.a).hasValue() && !optional.none().hasValue()", {"a": 1}, True),
    ("self.?missing.orValue('fallback')", {}, "fallback"),
]


@pytest.mark.parametrize("expr,value,expected", EXAMPLES, ids=[e[0][:60] for e in EXAMPLES])
def test_kubernetes_cel_examples(expr, value, expected):
    assert cel.compile(expr).run({"self": value}) == expected


@pytest.mark.parametrize("expr,value,error", [
    ("self.b == 1", {"a": 1}, "no such key: b"),
    ("'x'.charAt(5)", None, "index out of range: 5"),
    ("[].max()", None, "min/max of an empty list"),
    ("quantity('1x')", None, "quantities must match"),
    ("url('not a url')", None, "URL parse error"),
])
def test_evaluation_errors(expr, value, error):
    with pytest.raises(cel.EvalError, match=error):
        cel.compile(expr).run({"self": value})


def test_compile_errors_point_at_the_column():
    with pytest.raises(cel.CelError) as e:
        cel.compile("self.a +")
    assert str(e.value).startswith("1:9: Syntax error")
    with pytest.raises(cel.CelError, match="undeclared reference to 'nosuch'"):
        cel.compile("nosuch(1)")
    with pytest.raises(cel.CelError, match="undeclared reference to 'oldSelf'"):
        cel.compile("self == oldSelf")
    assert cel.compile("self == oldSelf", ("self", "oldSelf")).run({"self": 1, "oldSelf": 1}) is True


def test_compiled_programs_are_cached():
    assert cel.compile("self > 1") is cel.compile("self > 1")


def test_names_in_ignores_string_literals():
    assert "oldSelf" in cel.names_in("self == oldSelf")
    assert "oldSelf" not in cel.names_in("self == 'oldSelf'")


def test_cross_type_comparisons_do_not_hide_other_errors():
    with pytest.raises(cel.CelError) as e:
        cel.compile("1.5 < 2 && nosuch(1)")
    assert str(e.value).startswith("1:18: undeclared reference to 'nosuch'")
    with pytest.raises(cel.CelError, match=r"applied to '\(double, string\)'"):
        cel.compile("1.5 < 'a'")


@pytest.mark.parametrize("expr,value,expected", [
    ("self.all(k, v, v != '')", {"a": "x", "b": ""}, False),
    ("self.exists(i, x, i == 1 && x == 'b')", ["a", "b"], True),
    ("self.existsOne(k, v, v > 1)", {"a": 1, "b": 2, "c": 3}, False),
    ("self.transformList(i, x, x * 2) == [2, 4]", [1, 2], True),
    ("self.transformList(i, x, i > 0, x * 10) == [20]", [1, 2], True),
    ("self.l.all(i, x, self.m.exists(k, v, v == x))", {"l": [1, 2], "m": {"a": 1, "b": 2}}, True),
    ("self.all(k, v, v.all(i, x, x > i))", {"a": [1, 2]}, True),
    ("self.transformMap(k, v, v > 1, v * 10) == {'b': 20}", {"a": 1, "b": 2}, True),
    ("self.transformMap(i, x, x) == {0: 'p', 1: 'q'}", ["p", "q"], True),
    ("self.transformMapEntry(k, v, {v: k}) == {1: 'a'}", {"a": 1}, True),
    ("self.sortBy(x, -x.n).map(x, x.n) == [3, 1]", [{"n": 1}, {"n": 3}], True),
])
def test_two_variable_comprehensions(expr, value, expected):
    # cel-go ext comprehensions (Kubernetes 1.32+) and ext lists sortBy, rewritten on cel.bind,
    # one-variable macros and helper functions
    assert cel.compile(expr).run({"self": value}) is expected


def test_errors_in_rewritten_expressions_have_no_misleading_positions():
    with pytest.raises(cel.CelError) as e:
        cel.compile("self.all(k, v, oops(v))")
    assert str(e.value) == "undeclared reference to 'oops' (in container '')"
