"""Loading: kubectl's scalar rules, positions, and every bad input as a finding."""

import math
import time

import pytest

from kubelint.loader import load_bytes
from kubelint.scalars import key_string, resolve_plain

from .conftest import FIXTURES, lint_text, positions


# go-yaml v2's resolve table, as kubectl (sigs.k8s.io/yaml) applies it.
@pytest.mark.parametrize("text,value", [
    ("y", True), ("Y", True), ("yes", True), ("Yes", True), ("YES", True), ("on", True),
    ("On", True), ("ON", True), ("true", True), ("True", True), ("TRUE", True),
    ("n", False), ("N", False), ("no", False), ("No", False), ("NO", False), ("off", False),
    ("Off", False), ("OFF", False), ("false", False), ("False", False), ("FALSE", False),
    ("~", None), ("null", None), ("Null", None), ("NULL", None),
    ("yEs", "yEs"), ("oN", "oN"), ("nO", "nO"),
    ("42", 42), ("-7", -7), ("+1", 1), ("0755", 493), ("0x1F", 31), ("0o17", 15),
    ("0b101", 5), ("1_000", 1000), ("08", 8.0), ("1e3", 1000.0), (".5", 0.5), ("1.10", 1.1),
    ("2001-12-14", "2001-12-14"), ("1.2.3", "1.2.3"), ("-", "-"), ("512Mi", "512Mi"),
])
def test_plain_scalars_resolve_like_kubectl(text, value):
    got = resolve_plain(text)
    assert got == value and type(got) is type(value)


def test_infinity_and_nan():
    assert resolve_plain(".inf") == math.inf and resolve_plain("-.Inf") == -math.inf
    assert math.isnan(resolve_plain(".NaN"))


def test_keys_become_json_strings():
    assert [key_string(resolve_plain(k)) for k in ("yes", "1", "~", "on")] == ["true", "1", "null", "true"]


@pytest.mark.parametrize("body,line,column", [
    ("data:\n  null: x\n  b: y\n", 5, 3), ("data:\n  ~: x\n", 5, 3), ("data:\n  ? \n  : x\n", 5, 4),
    ("data: {?}\n", 4, 9), ("data:\n  !!null '': x\n", 5, 3)])
def test_a_null_key_is_refused_as_kubectl_does(tmp_path, body, line, column):
    """sigs.k8s.io/yaml makes JSON of a document: `true: x` becomes "true", but a null key
    has no string and kubectl stops (`unsupported map key of type: <nil>`)."""
    result = lint_text(tmp_path, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n" + body)
    assert positions(result) == [("KL001", line, column)]
    assert "mapping key is null" in result.findings[0].message
    quoted = lint_text(tmp_path, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {"null": x, true: z}\n')
    assert positions(quoted) == []


def test_quoted_and_tagged_scalars_stay_strings():
    loaded = load_bytes("x.yaml", b'a: "yes"\nb: \'0755\'\nc: !!str 3\nd: |\n  no\ne: !!int "7"\n')
    assert loaded.documents[0].data == {"a": "yes", "b": "0755", "c": "3", "d": "no\n", "e": 7}


def test_merge_keys_and_anchors():
    loaded = load_bytes("x.yaml", b"base: &b {a: 1, b: 2}\nderived:\n  <<: *b\n  b: 3\n")
    assert loaded.documents[0].data["derived"] == {"b": 3, "a": 1}
    # tagged `!!merge <<` (ruamel writes merge keys so; emissary's generated knative CRDs):
    # go-yaml v2 merges it too (was an unknown field `<<`); a quoted "<<" is a plain key
    loaded = load_bytes("x.yaml", b"base: &b {a: 1, b: 2}\nderived:\n  !!merge <<: *b\n  b: 3\n"
                                  b"quoted:\n  \"<<\": 1\n")
    assert loaded.documents[0].data["derived"] == {"b": 3, "a": 1}
    assert loaded.documents[0].data["quoted"] == {"<<": 1}


def test_an_anchor_defined_again_is_read_as_kubectl_reads_it(tmp_path):
    # go-yaml takes a redefined anchor, an alias meaning the latest definition before it
    # (knative's eventing-gitlab release reuses `&everything`); libyaml refuses it
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n"
            "  a: &x \"1\"\n  b: *x\n  c: !!str &x \"2\"\n  d: *x\n  e: &x0 \"3\"\n"
            "  f: {g: *x}\n")
    loaded = load_bytes("x.yaml", text.encode())
    assert not loaded.problems
    data = loaded.documents[0].data
    assert data["data"] == {"a": "1", "b": "1", "c": "2", "d": "2", "e": "3", "f": {"g": "2"}}
    # positions after the renamed anchor stay where they are written
    result = lint_text(tmp_path, text + "  h: &x [1]\n---\na: &x 1\nb: *x\n")
    assert positions(result) == [("KL010", 11, 6), ("KL010", 12, 6), ("KL005", 14, 1)]


def test_a_stream_of_json_objects_is_read_object_by_object(tmp_path):
    # `jq '.items[]'` writes objects one after the other; kubectl decodes such a stream
    # (ingress2gateway's fixtures): not a YAML syntax error
    text = ('{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}\n{\n'
            '  "apiVersion": "v1",\n  "kind": "ConfigMap",\n  "metadata": {"name": "B_x"}\n} '
            '{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "c"}, '
            '"spec": {"type": "Nodeport", "ports": [{"port": 80}]}}\n')
    result = lint_text(tmp_path, text, name="s.json")
    assert positions(result) == [("KL104", 5, 24), ("KL103", 6, 87)]
    assert text.splitlines()[5][86:96] == '"Nodeport"'
    assert [d.index for d in load_bytes("s.json", text.encode()).documents] == [0, 1, 2]
    # a broken stream stays a syntax error
    result = lint_text(tmp_path, text.replace('"c"}', '"c"'), name="s.json")
    assert positions(result) == [("KL001", 2, 1)]


def test_an_alias_inside_its_own_anchor_is_refused_as_kubectl_refuses_it(tmp_path):
    # libyaml composes `&a [1, *a]` as a value containing itself; go-yaml refuses it ("anchor
    # 'a' value contains itself"); it was a KL010 "nested too deeply" and, twice in a file, an
    # internal error of KL217 comparing the two
    doc = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  k0: &a [1, *a]\n"
    result = lint_text(tmp_path, doc + "---\n" + doc.replace("[1, *a]", "{b: *a}"))
    assert positions(result) == [("KL001", 6, 7), ("KL001", 13, 7)]
    assert "holds an alias to itself" in result.findings[0].message


def test_a_tag_kubectl_cannot_resolve_keeps_the_text(tmp_path):
    # go-yaml v2 keeps the text of a scalar whose tag it cannot resolve (`kubectl config
    # view` reads `current-context: !foo 123` as "123"; a plain 123 is refused there), and a
    # CEL expression taken for a tag (approver-policy's `rule: !self.contains('*')`) is ""
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: t\ndata:\n  a: !foo 123\n"
            "  b: !self.contains('*')\n  c: !foo true\n  d: !!str 7\n  e: !!int 8\n")
    loaded = load_bytes("x.yaml", text.encode())
    assert loaded.documents[0].data["data"] == {"a": "123", "b": "", "c": "true", "d": "7", "e": 8}
    # kubectl takes them, the `!!int` aside; each dropped tag is a KL007 warning at the tag
    assert positions(lint_text(tmp_path, text)) == [
        ("KL007", 6, 6), ("KL007", 7, 6), ("KL007", 8, 6), ("KL010", 10, 6)]


def test_yes_in_env_value_is_explained(tmp_path):
    result = lint_text(tmp_path, open(f"{FIXTURES}/deployment-errors.yaml").read())
    f = next(f for f in result.findings if f.line == 22)
    assert (f.code, f.column) == ("KL010", 22)
    assert "unquoted `yes` is the boolean true in YAML 1.1" in f.message
    assert f.hint == 'quote it: "yes"'


def test_duplicate_key_syntax_error_and_recovery(tmp_path):
    result = lint_text(tmp_path, open(f"{FIXTURES}/multi.yaml").read())
    assert positions(result) == [("KL003", 8, 3), ("KL001", 14, 1), ("KL011", 16, 7), ("KL013", 20, 13)]
    assert "first defined at line 7" in result.findings[0].message


def test_tabs(tmp_path):
    result = lint_text(tmp_path, open(f"{FIXTURES}/tabs.yaml", "rb").read())
    assert positions(result) == [("KL001", 4, 1)]
    assert "tab" in result.findings[0].message


def test_latin1_is_a_positioned_finding(tmp_path):
    result = lint_text(tmp_path, open(f"{FIXTURES}/latin1.yaml", "rb").read())
    assert positions(result) == [("KL002", 4, 12)]
    assert "0xE9" in result.findings[0].message


def test_binary_file(tmp_path):
    result = lint_text(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert [f.code for f in result.findings] == ["KL002"]
    assert "binary" in result.findings[0].message


def test_utf8_bom_and_utf16(tmp_path):
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bom\n"
    assert lint_text(tmp_path, b"\xef\xbb\xbf" + text.encode()).findings == []
    assert lint_text(tmp_path, text.encode("utf-16")).findings == []


def test_not_an_object_and_missing_type_meta(tmp_path):
    result = lint_text(tmp_path, "- a\n- b\n---\njust a string\n---\nfoo: bar\n---\n")
    assert positions(result) == [("KL004", 1, 1), ("KL004", 4, 1), ("KL005", 6, 1)]


def test_empty_documents_are_ignored(tmp_path):
    result = lint_text(tmp_path, "---\n---\n# only a comment\n---\n")
    assert result.findings == [] and result.files[0].objects == 0


def test_list_items_are_positioned(tmp_path):
    result = lint_text(tmp_path, open(f"{FIXTURES}/list.yaml").read())
    assert positions(result) == [("KL010", 14, 17)]
    assert result.files[0].objects == 2


def test_json_manifest(tmp_path):
    result = lint_text(tmp_path, open(f"{FIXTURES}/manifest.json").read(), name="m.json")
    assert positions(result) == [("KL010", 7, 75)]
    assert "did you mean `stdin`?" in result.findings[0].message


BILLION_LAUGHS = """apiVersion: v1
kind: ConfigMap
metadata: {name: lol}
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_billion_laughs_is_refused_fast(tmp_path):
    start = time.perf_counter()
    result = lint_text(tmp_path, BILLION_LAUGHS)
    assert time.perf_counter() - start < 1.0
    assert positions(result) == [("KL006", 1, 1)]
    assert "aliases expand" in result.findings[0].message


@pytest.mark.parametrize("depth", [10_000, 100_000])
def test_deep_nesting_is_refused_not_a_crash(tmp_path, depth):
    start = time.perf_counter()
    result = lint_text(tmp_path, "a: " + "[" * depth + "]" * depth + "\n")
    assert time.perf_counter() - start < 5.0
    assert [f.code for f in result.findings] == ["KL006"]
    assert result.findings[0].line == 1


def test_file_size_limit(tmp_path):
    from kubelint.engine import Settings, run

    path = tmp_path / "big.yaml"
    path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n"
                    + "".join(f"  k{i}: v\n" for i in range(20000)))
    result = run([str(path)], Settings(max_file_size=64 * 1024))
    assert [(f.code, f.line) for f in result.findings] == [("KL006", 1)]
    assert "limit" in result.findings[0].message


def test_bad_inputs_in_a_directory_keep_good_files_findings(tmp_path):
    """Every bad input beside good files: each one a finding, the good files still linted."""
    from kubelint.engine import NOT_A_MANIFEST, Settings, run

    (tmp_path / "good.yaml").write_text(open(f"{FIXTURES}/deployment-errors.yaml").read())
    (tmp_path / "binary.yaml").write_bytes(b"\x00\x01\x02")
    (tmp_path / "latin1.yaml").write_bytes(open(f"{FIXTURES}/latin1.yaml", "rb").read())
    (tmp_path / "syntax.yaml").write_text("apiVersion: v1\na: [\n")
    (tmp_path / "syntax-other.yaml").write_text("a: [\n")  # no apiVersion/kind: skipped
    (tmp_path / "bomb.yaml").write_text(BILLION_LAUGHS)
    (tmp_path / "deep.yaml").write_text("[" * 5000 + "]" * 5000)
    (tmp_path / "notk8s.yaml").write_text("services:\n  web:\n    image: nginx\n")
    (tmp_path / "halfk8s.yaml").write_text("kind: Pod\nmetadata: {name: x}\n")
    (tmp_path / "listkind.yaml").write_text("apiVersion: v1\nkind: [Config]\nclusters: []\n")
    (tmp_path / "dir.yaml").mkdir()
    (tmp_path / "broken-link.yaml").symlink_to(tmp_path / "nowhere.yaml")
    result = run([str(tmp_path)], Settings())
    by_file = {}
    for f in result.findings:
        by_file.setdefault(f.path.rsplit("/", 1)[-1], []).append(f.code)
    assert by_file["good.yaml"] == ["KL010"] * 4
    assert by_file["binary.yaml"] == ["KL002"]
    assert by_file["latin1.yaml"] == ["KL002"]
    assert by_file["syntax.yaml"] == ["KL001"]
    assert by_file["bomb.yaml"] == ["KL006"]
    assert by_file["deep.yaml"] == ["KL006"]
    assert by_file["halfk8s.yaml"] == ["KL005"]
    assert by_file["listkind.yaml"] == ["KL005"]
    assert [(p.rsplit("/", 1)[-1], why) for p, why in result.skipped] == [
        ("notk8s.yaml", NOT_A_MANIFEST), ("syntax-other.yaml", NOT_A_MANIFEST)]
    assert by_file["broken-link.yaml"] == ["KL002"]
    reported = sorted(f.path.rsplit("/", 1)[-1] for f in result.files)
    assert reported == sorted(["good.yaml", "binary.yaml", "latin1.yaml", "syntax.yaml", "bomb.yaml",
                               "deep.yaml", "halfk8s.yaml", "listkind.yaml", "broken-link.yaml"])


def test_helm_templates_get_a_hint(tmp_path):
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  {{- range .Values.keys }}\n  a: b\n  {{- end }}\n"
    result = lint_text(tmp_path, text)
    assert positions(result) == [("KL001", 6, 5)]  # libyaml stops after `{{-`
    assert "helm template" in result.findings[0].hint


def test_binary_position_counts_characters_not_bytes(tmp_path):
    """Found by the property tests: a NUL after multi-byte characters."""
    result = lint_text(tmp_path, "apiVersion: é😀\x00\n".encode("utf-8"))
    assert positions(result) == [("KL002", 1, 15)]


def test_a_document_with_a_mapping_key_gets_only_the_syntax_finding(tmp_path):
    # `{{name}}` (a template placeholder) is a flow mapping used as a key: kubectl refuses the
    # file ("invalid map key"); schema and rule findings on that document would only mislead.
    # The next document is linted as usual.
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{name}}\ndata:\n  a: '1'\n"
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n")
    result = lint_text(tmp_path, text)
    assert positions(result) == [("KL001", 4, 10), ("KL104", 11, 9)]
    assert result.objects == 2


def test_read_bytes_reads_whole_files_and_bounds_them(tmp_path, monkeypatch):
    from kubelint import loader

    for size in (0, 1, 4095, 4096, 65537):
        p = tmp_path / f"f{size}.yaml"
        data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
        p.write_bytes(data)
        assert loader.read_bytes(str(p)) == (data, None)
        assert loader.read_bytes(str(p), max_size=size) == (data, None)
        if size:
            raw, problem = loader.read_bytes(str(p), max_size=size - 1)
            assert raw == b"" and problem.code == "KL006"
    # a file that grew after its stat: read on to the end, and still bounded
    p = tmp_path / "grown.yaml"
    p.write_bytes(b"a" * 10_000)
    real_stat = loader.os.stat

    class Smaller:
        def __init__(self, st):
            self.st_mode, self.st_size = st.st_mode, 100

    monkeypatch.setattr(loader.os, "stat", lambda path: Smaller(real_stat(path)))
    assert loader.read_bytes(str(p)) == (b"a" * 10_000, None)
    assert loader.read_bytes(str(p), max_size=5_000)[1].code == "KL006"


def test_read_fd_reads_on_after_a_short_read():
    import os

    from kubelint.loader import _read_fd

    r, w = os.pipe()
    try:
        for part in (b"abc", b"defg", b"h"):
            os.write(w, part)
        os.close(w)
        w = -1
        assert _read_fd(r, 100, -1) == b"abcdefgh"  # a pipe gives what is there, then EOF
    finally:
        os.close(r)
        if w >= 0:
            os.close(w)
