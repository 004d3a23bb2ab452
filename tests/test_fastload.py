"""The fast pass of loading (fastload.py) must give exactly what the full pass gives: the same
data, the same documents, and -- composed lazily -- the same positions; where it cannot, it
must give up so that the full pass reports the problem."""

import math
import os

import pytest
from hypothesis import given, settings, strategies as st

from kubelint import fastload, loader

from .conftest import EXAMPLES, FIXTURES
from .test_hardening import FUZZ, SEEDS, to_yaml, values


def _norm(x):
    if isinstance(x, float) and math.isnan(x):
        return ("nan",)
    if isinstance(x, dict):
        return {k: _norm(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_norm(v) for v in x]
    return (type(x).__name__, x)


def _full(text):
    docs, problems = [], []
    with loader.gc_paused():
        loader._compose("f.yaml", text, docs, problems)
    return docs, problems


def _same_as_full_pass(text):
    full, problems = _full(text)
    loaded = loader.load_text("f.yaml", text)
    assert [(d.index, d.item, _norm(d.data)) for d in loaded.documents] == \
        [(d.index, d.item, _norm(d.data)) for d in full]
    assert loaded.problems == problems
    for eager, lazy in zip(full, loaded.documents):
        assert _spans(lazy.node) == _spans(eager.node)
        # the nodes positions are taken from: kept from the fast pass, or composed again
        # from the document's own lines (loader.Document.pnode)
        assert _spans(lazy.pnode) == _spans(eager.node)
        if loaded.lines is not None:
            kept = loader.load_text("f.yaml", text, keep_nodes=True).documents
            assert [_spans(d.pnode) for d in kept] == [_spans(d.node) for d in full]
            again = loader.reopen(text, loaded.lines).fast(lazy.index, lazy.item)
            assert _spans(again) == _spans(eager.node)
    return loaded


def _spans(node):
    """The span of every node of a tree, in order."""
    out = [loader.span_of(node)]
    if node.__class__ is tuple:  # a scalar of a lean tree (fastload._LEAN): (tag, value, marks...)
        return out
    value = node.value
    if isinstance(value, list):
        for item in value:
            for n in (item if node.id == "mapping" else (item,)):
                out.extend(_spans(n))
    return out


CLEAN = [
    "a: yes\nb: no\nc: 0755\nd: 08\ne: 1_000\nf: 0x1F\ng: ~\nh:\ni: .5\nj: -.inf\nk: .nan\n",
    "'quoted': \"1\"\nyes: on\n1: one\n!!str 3: !!int 4\nx: !!bool yes\n",
    "base: &b {x: 1, y: 2}\n",  # an anchor without an alias
    "m:\n  <<: {a: 1, b: 2}\n  a: 3\nn:\n  <<: [{c: 1}, {c: 2, d: 3}]\n",
    "m:\n  !!merge <<: {a: 1, b: 2}\n  a: 3\n",  # a tagged merge key (as ruamel writes them)
    "s: |\n  line one\n  line two\nf: >\n  folded\n  text\nq: 'it''s'\nu: \"\\u00e9\\n\"\n",
    "schedule: \"*/5 * * * *\"\nglob: a*b\ncmd: echo 50%\nurl: http://x/?a=1&b=2\n",
    "---\n---\napiVersion: v1\nkind: ConfigMap\n---\n# only a comment\n---\n[1, 2]\n",
    "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}}\n",
    "k: \u00e9t\u00e9 \U0001F600\nl: [a, {b: c}, [d]]\n",
    "a: 1\r\nb: [2, 3]\r\n---\r\nc: {d: 4}\r\n",  # CR LF: composed from the start, not sliced
    "# head\n--- {a: 1}\n--- [b]\n---\n# comment\n\n  c: |\n    x\n---\n- 1\n- 2\n...\n--- z\n",
    "a: {b: 1}\nc: 2\n---",  # an empty last document marked past the end of the text
]


@pytest.mark.parametrize("text", CLEAN)
def test_fast_pass_is_taken_and_equals_the_full_pass(text):
    assert fastload.load_documents(text) is not None
    _same_as_full_pass(text)


GIVE_UP = [
    "a: 1\na: 2\n",  # duplicate key
    "a: &x [1, 2]\nb: *x\n",  # an alias (expansion is bounded by the full pass)
    "m:\n  <<: [1]\n",  # a merge of a non-mapping
    "? [a]\n: b\n",  # a non-scalar key
    "[a]: b\n", "{a: 1}: b\n",  # non-scalar keys without `?` (composed with _LEAN)
    "x: 1\n<<: {y: 2}\nx: 3\n",  # a duplicate key beside a merge key
    "a: [1\n---\nb: 2\n",  # a syntax error, then a good document
    "%YAML 1.1\n---\na: 1\n",  # a directive
    "y: 1\nyes: 2\n",  # a duplicate key under YAML 1.1 (both are `true`)
    "z: !custom 5\n",  # a tag kubectl drops (KL007)
    # PyYAML's libyaml (0.2.5+) reads these flow collections; kubectl and the full pass's
    # libyaml stop with a syntax error, or end a tag at the flow indicator
    "[a?b]\n", "{a: b?}\n", "args: [x?, y]\n", "[?]\n", "[a, ?]\n", "[!a,b]\n", "{a: !!str 1}\n",
]


@pytest.mark.parametrize("text", GIVE_UP)
def test_fast_pass_gives_up_where_the_full_pass_reports(text):
    assert fastload.load_documents(text) is None
    _same_as_full_pass(text)


def test_list_items_take_the_full_pass():
    text = "apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  apiVersion: v1\n- kind: Pod\n"
    loaded = _same_as_full_pass(text)
    assert [(d.item, loader.span_of(d.node).line) for d in loaded.documents] == [(0, 4), (1, 6)]


def _read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except (UnicodeDecodeError, OSError):
        return None  # the broken-encoding fixtures never reach the YAML layer


def test_real_manifests_load_fast_and_alike():
    texts = SEEDS + [t for root, _, files in os.walk(FIXTURES) for f in sorted(files)
                     if f.endswith((".yaml", ".yml")) and (t := _read(os.path.join(root, f)))]
    fast = 0
    for text in texts:
        fast += fastload.load_documents(text) is not None
        _same_as_full_pass(text)
    assert fast >= len(texts) // 2


@settings(FUZZ, max_examples=min(FUZZ.max_examples, 60))
@given(docs=st.lists(values, min_size=1, max_size=4))
def test_random_streams_load_alike(docs):
    _same_as_full_pass("\n---\n".join(to_yaml(d) for d in docs))


@settings(FUZZ, max_examples=min(FUZZ.max_examples, 60))
@given(text=st.text(alphabet=st.sampled_from(list("ab: -[]{},'\"&*!<>|#?\n\t 1yo")), max_size=60))
def test_random_text_loads_alike(text):
    _same_as_full_pass(text)


def test_positions_come_only_with_findings(tmp_path, monkeypatch):
    """A valid file is never composed into nodes again; a file with a finding composes the
    document with the finding again, once (PyYAML's layer), or takes its positions from the
    nodes the loading pass composed when they were kept (a run where most documents get
    findings)."""
    composed = []
    real, real_fast = loader.LazyNodes._document, loader.LazyNodes.fast
    monkeypatch.setattr(loader.LazyNodes, "_document",
                        lambda self, index: composed.append(("ruamel", index)) or real(self, index))
    monkeypatch.setattr(loader.LazyNodes, "fast",
                        lambda self, index, item: composed.append(("fast", index))
                        or real_fast(self, index, item))
    from kubelint import engine
    from kubelint.engine import Settings, run

    run([os.path.join(EXAMPLES, "pod.yaml")], Settings())
    assert composed == []
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
                   "  - name: c\n    image: x\n    imagePulPolicy: Always\n")
    result = run([str(bad)], Settings())
    assert [(f.code, f.span.line, f.span.column) for f in result.findings if f.code == "KL010"] \
        == [("KL010", 9, 5)]
    assert composed == [("fast", 0)]
    composed.clear()
    real_load = engine.load_source
    monkeypatch.setattr(engine, "load_source", lambda source, size, keep=False: real_load(source, size, True))
    assert run([str(bad)], Settings()).findings == result.findings
    assert composed == []  # the loading pass's own nodes


def test_nodes_are_kept_once_most_documents_get_findings(tmp_path, monkeypatch):
    from kubelint.engine import Settings, run

    for i in range(6):
        (tmp_path / f"f{i}.yaml").write_text(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p%d\nspec:\n  containers:\n"
            "  - name: c\n    image: x\n    imagePulPolicy: Always\n" % i)
    kept = []
    real = loader.load_text
    monkeypatch.setattr(loader, "load_text", lambda path, text, keep_nodes=False:
                        kept.append(keep_nodes) or real(path, text, keep_nodes))
    run([str(tmp_path)], Settings(jobs=1))
    assert kept == [False] + [True] * 5  # the first file had a finding in its only document


def test_a_late_document_is_composed_alone(monkeypatch):
    """Positions of document 300 of a long file come from its own lines, not from composing
    the 299 before it; a file of many small flow mappings is not scanned event by event for
    its nesting depth."""
    docs = [f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\ndata: {{k: '{i}'}}\n"
            for i in range(700)]
    text = "---\n".join(docs)
    monkeypatch.setattr(loader, "_Parser", None)
    loader._ruamel()
    made = []
    real = loader._Parser
    monkeypatch.setattr(loader, "_Parser", lambda t: made.append(len(t)) or real(t))
    loaded = loader.load_text("f.yaml", text)
    assert made == []  # neither composed nor depth-scanned
    doc = loaded.documents[300]
    assert loader.span_of(doc.node).line == 300 * 5 + 1
    assert len(made) == 1 and made[0] < 300 * 5 + 200  # padding newlines plus one document
    full, _ = _full(text)
    assert _spans(doc.node) == _spans(full[300].node)


def test_pyyaml_is_left_as_it_was():
    """The fast pass swaps the node classes of PyYAML's C composer only while it composes."""
    import yaml
    import yaml._yaml as c
    import yaml.nodes

    assert fastload.load_documents("a: {b: [1, x]}\n---\nc: d\n") is not None
    assert fastload.load_documents("a: 1\na: 2\n") is None  # gave up half-way (duplicate key)
    assert (c.ScalarNode, c.SequenceNode, c.MappingNode) == \
        (yaml.nodes.ScalarNode, yaml.nodes.SequenceNode, yaml.nodes.MappingNode)
    assert yaml.load("a: [1, b, {c: null}]", Loader=yaml.CSafeLoader) == {"a": [1, "b", {"c": None}]}


@settings(FUZZ, max_examples=min(FUZZ.max_examples, 150))
@given(st.lists(st.sampled_from(["a", "?", "x?y", "!t", "!!str", "'q r'", '"u?"', "[", "]",
                                 "{", "}", ",", " ", ": ", "\n", "- ", "#", "1"]), max_size=14))
def test_random_flow_collections_load_alike(parts):
    """Flow collections are where the two libyaml copies differ (`?` in plain scalars, empty
    keys, tags ending at flow indicators; `:` inside a plain scalar: see below)."""
    _same_as_full_pass("k: [" + "".join(parts) + "]\n")
    _same_as_full_pass("{" + "".join(parts) + "}\n")


def test_flow_collections_read_as_kubectl_reads_them(tmp_path):
    """kubectl reads `[--url=http://x]` as one string (its YAML reader allows `:` inside a
    plain scalar in a flow collection, as PyYAML's libyaml does; the full pass's libyaml
    does not) and stops at `?` inside one (`[a?b]`), as the full pass reports."""
    from kubelint.engine import Settings, run

    pod = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
           "  - name: c\n    image: nginx:1.25\n    args: [%s]\n")
    path = tmp_path / "pod.yaml"
    path.write_text(pod % "--url=http://x")
    assert fastload.load_documents(pod % "--url=http://x")[0][1]["spec"]["containers"][0][
        "args"] == ["--url=http://x"]
    assert [f.code for f in run([str(path)], Settings()).findings] == []
    path.write_text(pod % "a?b")
    assert fastload.load_documents(pod % "a?b") is None
    result = run([str(path)], Settings())
    assert [(f.code, f.span.line) for f in result.findings] == [("KL001", 9)]
    assert "did not find expected ',' or ']'" in result.findings[0].message


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=" \t\n\r?-*&a_[{,:\u3000x", max_size=40))
def test_quick_scans_find_what_the_plain_patterns_find(text):
    """The alias and deep-line scans are written for speed; they agree with the plain
    multi-line patterns they replace. (An alias needs an anchor: `*not*` in a description
    without any `&name` is no alias.)"""
    import re

    assert fastload._has_alias(text) == (
        bool(re.search(r"(?:^|[\s\[{,:?-])\*[0-9A-Za-z_-]", text, re.M))
        and bool(re.search(r"(?:^|[\s\[{,:?-])&[0-9A-Za-z_-]", text, re.M)))
    for n in (1, 2, 3, 4, 7):
        assert loader._has_deep_line(text, n) == bool(re.search(r"^[ \t?-]{%d,}" % n, text, re.M))
        assert loader._has_run(text, n) == bool(re.search(r"[ \t?-]{%d,}" % n, text))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(" \t?-\nax[{"), st.integers(0, 150)), max_size=12))
def test_quick_scans_agree_on_long_runs_and_brackets(parts):
    """For a large n (the depth limit's), _has_run first looks at every (n // 8)-th character
    and _fewer_openers finds brackets one by one before it counts them: both agree with the
    plain patterns on texts made of long runs."""
    import re

    text = "".join(c * k for c, k in parts)
    for n in (64, 100, 137, 200):
        assert loader._has_run(text, n) == bool(re.search(r"[ \t?-]{%d,}" % n, text))
        assert loader._has_deep_line(text, n) == bool(re.search(r"^[ \t?-]{%d,}" % n, text, re.M))
    openers = text.count("[") + text.count("{")
    for n in (1, 5, 63, 64, 65, 100, 1000):
        assert loader._fewer_openers(text, n) == (openers < n)


def test_full_pass_reads_a_colon_in_a_flow_scalar_as_kubectl(tmp_path):
    """A file that takes the full pass for another reason (an alias, a duplicate key) reads
    `[--url=http://x]` as kubectl does (checked with `kubectl config view`), though the full
    pass's libyaml stops there: its other findings stay where they are, and what kubectl
    refuses in a flow collection (`?` inside a plain scalar) is still a syntax error."""
    from kubelint.engine import Settings, run

    pod = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: &l {app: p}\n"
           "  annotations: *l\nspec:\n  containers:\n  - name: c\n    image: nginx:1.25\n"
           "    args: [--url=http://x, a:b]\n%s")
    path = tmp_path / "pod.yaml"
    path.write_text(pod % "")
    result = run([str(path)], Settings())
    assert [f.code for f in result.findings] == []
    loaded = loader.load(str(path))
    assert loaded.documents[0].data["spec"]["containers"][0]["args"] == ["--url=http://x", "a:b"]
    path.write_text(pod % "    image: nginx:1.26\n")  # a duplicate key: reported at 12:5
    assert [(f.code, f.span.line, f.span.column) for f in run([str(path)], Settings()).findings] \
        == [("KL003", 12, 5)]
    path.write_text(pod % "    command: [a?b]\n")
    assert [(f.code, f.span.line) for f in run([str(path)], Settings()).findings] == [("KL001", 11)]


def test_emphasis_in_descriptions_is_no_alias():
    """Argo Workflows' CRDs: `will *not* be used` in a description, and no anchor anywhere.
    The fast pass takes such a file (it gave up on it, and the full pass took 3 s for 12 MB);
    an alias with its anchor still goes to the full pass."""
    crd = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n"
           "  doc: |\n    this will *not* be used\n  other: a *b\n")
    assert fastload.load_documents(crd) is not None
    assert fastload.load_documents(crd + "  x: &a y\n  z: *a\n") is None


@pytest.mark.parametrize("text", CLEAN + GIVE_UP)
def test_lean_scalars_load_as_the_node_classes_do(text, monkeypatch):
    """Without `?`/`!` (no flow collection to check), scalars are composed as plain tuples
    (fastload._LEAN), trees kept or not: the same data, the same give-ups as with the node
    classes."""
    with monkeypatch.context() as m:  # the node classes throughout
        m.setattr(fastload, "_LEAN", fastload._FAST)
        m.setattr(fastload, "_lean_build", fastload._build)
        classic = fastload.load_documents(text, nodes=[])
    roots = []
    lean_build = fastload._lean_build
    monkeypatch.setattr(fastload, "_lean_build", lambda node: roots.append(node) or lean_build(node))
    lean = fastload.load_documents(text)
    kept: list = []
    again = fastload.load_documents(text, nodes=kept)
    assert (again is None) == (lean is None)
    if lean:
        assert [(i, _norm(d), line) for i, d, line in again] == \
            [(i, _norm(d), line) for i, d, line in lean]
        assert len(kept) == len(lean)
    assert (lean is None) == (classic is None)
    if lean is not None:
        assert [(i, _norm(d), line) for i, d, line in lean] == \
            [(i, _norm(d), line) for i, d, line in classic]
    if lean and "?" not in text and "!" not in text:
        assert roots  # the lean pass was taken


def _pointers(data, prefix=()):
    """Every pointer into `data`, and one missing child below each mapping and sequence."""
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _pointers(v, prefix + (k,))
        yield prefix + ("no-such-key",)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _pointers(v, prefix + (i,))
        yield prefix + (len(data),)


LEAN_PLACES = CLEAN + [
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n"
    "    spec:\n      containers:\n        - name: c\n          image: x\n"
    "          args: [--a, \"b\"]\n          env:\n          - {name: A, value: '1'}\n"
    "        -\n          name: d\n  replicas: 3\n  'quoted': x\n  8080: port\n",
    "- a\n- [b, c]\n- {d: e}\n- - f\n  - g\n",
    "plain\n",  # a document that is one scalar
]


@pytest.mark.parametrize("text", LEAN_PLACES)
def test_lean_kept_trees_place_as_the_node_classes_and_ruamel(text):
    """A kept tree's scalars are tuples (fastload._LEAN): every position placed in it
    (positions.locate, at the key and at the value, found or missing) is the one placed in
    the tree of the node classes (composed again, as for documents not kept) and in
    ruamel's; resolve() gives node classes, never a tuple."""
    from kubelint import positions

    loaded = loader.load_text("f.yaml", text, keep_nodes=True)
    full, _ = _full(text)
    assert loaded.lines is not None and len(full) == len(loaded.documents)
    for lean_doc, eager in zip(loaded.documents, full):
        lean = lean_doc.pnode
        composed = loader.reopen(text, loaded.lines).fast(lean_doc.index, lean_doc.item)
        if "?" not in text and "!" not in text:
            assert any(n.__class__ is tuple for n in _nodes(lean))  # the lean form was kept
        for pointer in _pointers(lean_doc.data):
            for at in ("key", "value"):
                want = positions.locate(eager.node, pointer, at)
                assert positions.locate(composed, pointer, at) == want, (pointer, at)
                assert positions.locate(lean, pointer, at) == want, (pointer, at)
                assert positions.locate(lean, list(pointer), at) == want, (pointer, at)
            target, key, matched = positions.resolve(lean, pointer)
            e_target, e_key, e_matched = positions.resolve(eager.node, pointer)
            assert matched == e_matched
            assert target.__class__ is not tuple and key.__class__ is not tuple
            assert target.id == e_target.id and loader.span_of(target) == loader.span_of(e_target)
            if target.id == "scalar":
                assert (target.value, target.style) == (e_target.value, e_target.style)
                assert target.__class__.__name__ == "ScalarNode"


def _nodes(node):
    yield node
    if node.__class__ is not tuple and isinstance(node.value, list):
        for item in node.value:
            for n in (item if node.id == "mapping" else (item,)):
                yield from _nodes(n)
