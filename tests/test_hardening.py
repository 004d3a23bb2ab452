"""Hostile and random input: kubelint never raises, never hangs, reports positions inside the
file, and says the same thing twice. The property tests run a fixed example budget here;
for a long campaign: KUBELINT_FUZZ_EXAMPLES=20000 python -m pytest tests/test_hardening.py."""

import os
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kubelint.engine import Settings, run

from .conftest import EXAMPLES, FIXTURES, kubelint

BUDGET = int(os.environ.get("KUBELINT_FUZZ_EXAMPLES", "150"))
# CI runs the same fixed examples every time; a campaign (KUBELINT_FUZZ_EXAMPLES set) explores
# new random ones on each run (add --hypothesis-seed=N to replay one).
FUZZ = settings(max_examples=BUDGET, deadline=None,
                derandomize="KUBELINT_FUZZ_EXAMPLES" not in os.environ,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
SEEDS = [open(os.path.join(EXAMPLES, f)).read() for f in sorted(os.listdir(EXAMPLES))] + [
    open(os.path.join(FIXTURES, f)).read() for f in ("realistic-app.yaml", "crd/widget-crd.yaml",
                                                    "crd/widgets.yaml", "deployment-errors.yaml")]


def lint_bytes(tmp_path, data: bytes, name="fuzz.yaml"):
    path = tmp_path / name
    path.write_bytes(data)
    return run([str(path)], Settings()), data


def assert_sane(result, data: bytes):
    import re

    text = data.decode("utf-8", "replace")
    # Plain files break lines at LF (and CR LF): positions must be exact there. YAML also
    # breaks at a lone CR, NEL, LS and PS, and libyaml does so in some contexts but not in
    # others, so with those characters a position is only required to lie inside the file.
    exotic = bool(re.search("\r(?!\n)|[\x85\u2028\u2029]", text))
    lines = re.split("\r\n|[\r\n\x85\u2028\u2029]" if exotic else "\r?\n", text)
    longest = max(len(line) for line in lines)
    assert len(result.files) == 1
    for f in result.findings:
        assert 1 <= f.span.line <= len(lines) + 1, f
        assert f.span.column >= 1 and f.span.end_line >= f.span.line, f
        if f.span.line <= len(lines):
            width = longest if exotic else len(lines[f.span.line - 1])
            assert f.span.column <= width + 2, f
        assert f.message and f.code.startswith("KL")
        assert "internal error in" not in f.message, f  # a check crashed on this input


# -- random YAML streams ---------------------------------------------------------------------

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=20), st.sampled_from(["yes", "no", "on", "0755", "~", "<<", "*a", "&a x"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=20)


def to_yaml(value, indent=0):
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "\n" + "\n".join(f"{pad}{k!r}: {to_yaml(v, indent + 2)}" for k, v in value.items())
    if isinstance(value, list):
        if not value:
            return "[]"
        return "\n" + "\n".join(f"{pad}- {to_yaml(v, indent + 2)}" for v in value)
    return repr(value) if not isinstance(value, str) else value


@FUZZ
@given(docs=st.lists(values, min_size=1, max_size=4))
def test_random_yaml_streams(tmp_path, docs):
    data = "\n---\n".join(to_yaml(d) for d in docs).encode("utf-8", "surrogatepass")
    result, data = lint_bytes(tmp_path, data)
    assert_sane(result, data)


@FUZZ
@given(data=st.binary(max_size=400))
def test_random_bytes(tmp_path, data):
    result, data = lint_bytes(tmp_path, data)
    assert_sane(result, data)


# -- mutations of real manifests -------------------------------------------------------------

MUTATIONS = ["drop_line", "swap_type", "retype", "retype", "retype", "deep", "huge", "unicode", "alias",
             "tab", "nul", "dup", "truncate"]
RETYPES = ["[1, 2]", "{a: b}", "7", "-1", "~", '"x"', "true", "[]", "{}", "99999999999999999999"]


def mutate(text: str, op: str, where: int) -> str:
    lines = text.split("\n")
    i = where % max(1, len(lines))
    if op == "drop_line":
        del lines[i]
    elif op == "retype":  # another type where the checks expect one: they must not crash
        key, sep, _ = lines[i].partition(": ")
        if sep:
            lines[i] = key + ": " + RETYPES[where % len(RETYPES)]
    elif op == "swap_type":
        lines[i] = lines[i].replace(": ", ": [") + "]" if ": " in lines[i] else lines[i] + ": {}"
    elif op == "deep":
        lines.insert(i, "deep: " + "[" * 300 + "]" * 300)
    elif op == "huge":
        lines.insert(i, "huge: " + "x" * 100_000)
    elif op == "unicode":
        lines[i] = lines[i] + " \u202e\u00e9\U0001F600\ufeff"
    elif op == "alias":
        lines.insert(i, "a: &x [1, 2]\nb: *x\nc: *nope")
    elif op == "tab":
        lines[i] = "\t" + lines[i]
    elif op == "nul":
        lines[i] = lines[i] + "\x00"
    elif op == "dup":
        lines.insert(i, lines[i])
    elif op == "truncate":
        lines = lines[:i]
    return "\n".join(lines)


@FUZZ
@given(seed=st.sampled_from(range(len(SEEDS))), ops=st.lists(
    st.tuples(st.sampled_from(MUTATIONS), st.integers(0, 60)), min_size=1, max_size=4))
def test_mutated_manifests_never_crash_and_are_deterministic(tmp_path, seed, ops):
    text = SEEDS[seed]
    for op, where in ops:
        text = mutate(text, op, where)
    data = text.encode("utf-8")
    first, _ = lint_bytes(tmp_path, data)
    assert_sane(first, data)
    second, _ = lint_bytes(tmp_path, data)
    assert first.findings == second.findings


# -- pathological inputs, each with a time bound ----------------------------------------------

def timed_run(tmp_path, name, data, bound):
    start = time.perf_counter()
    result, _ = lint_bytes(tmp_path, data, name)
    elapsed = time.perf_counter() - start
    assert elapsed < bound, f"{name}: {elapsed:.2f}s"
    return result


def test_one_megabyte_single_line_scalar(tmp_path):
    data = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  blob: " + "x" * 1_000_000 + "\n").encode()
    result = timed_run(tmp_path, "big.yaml", data, 5.0)
    assert result.findings == [] and result.files[0].objects == 1


def test_twenty_thousand_tiny_documents(tmp_path):
    data = "".join(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n" for i in range(20_000)).encode()
    result = timed_run(tmp_path, "many.yaml", data, 30.0)
    assert result.findings == [] and result.files[0].objects == 20_000


def test_three_thousand_level_block_nesting(tmp_path):
    """Block nesting needs one more space per level, so 100,000 levels would be a 5 GB file;
    3,000 levels is 4.5 MB. Refused where it crosses the depth limit."""
    data = ("a:\n" + "".join(" " * i + "- \n" for i in range(1, 3000)) + " " * 3000 + "- x\n").encode()
    result = timed_run(tmp_path, "block.yaml", data, 10.0)
    assert [(f.code, f.line, f.column) for f in result.findings] == [("KL006", 1001, 1001)]


def test_hundred_thousand_level_compact_nesting_is_refused(tmp_path):
    """`- - - … x`: 100,000 levels on one line, where libyaml's composer would crash."""
    data = ("- " * 100_000 + "x\n").encode()
    result = timed_run(tmp_path, "compact.yaml", data, 10.0)
    assert [(f.code, f.line, f.column) for f in result.findings] == [("KL006", 1, 2001)]


def test_unreadable_file_is_a_finding(tmp_path, monkeypatch):
    """Permissions cannot be tested as root; simulate the OSError opening raises (through
    open() or os.open(), whichever the loader uses)."""
    import builtins
    import os

    path = tmp_path / "secret.yaml"
    path.write_text("apiVersion: v1\n")

    def guard(real):
        def guarded(file, *args, **kwargs):
            if str(file) == str(path):
                raise PermissionError(13, "Permission denied")
            return real(file, *args, **kwargs)
        return guarded

    monkeypatch.setattr(builtins, "open", guard(builtins.open))
    monkeypatch.setattr(os, "open", guard(os.open))
    result = run([str(tmp_path)], Settings())
    assert [(f.code, f.message) for f in result.findings] == [("KL002", "cannot read file: Permission denied")]


@pytest.mark.skipif(os.geteuid() != 0, reason="only meaningful when the tests run as root")
def test_chmod_000_as_root_still_reads(tmp_path):
    path = tmp_path / "locked.yaml"
    path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    path.chmod(0)
    assert run([str(path)], Settings()).findings == []


def test_fifo_in_a_directory_does_not_block(tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "ok.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    start = time.perf_counter()
    result = run([str(tmp_path)], Settings())
    assert time.perf_counter() - start < 5
    assert [(f.path.rsplit("/", 1)[-1], f.code) for f in result.findings] == [("pipe.yaml", "KL002")]


def test_fifo_on_stdin(tmp_path):
    fifo = tmp_path / "stdin.fifo"
    os.mkfifo(fifo)
    payload = b"apiVersion: apps/v1\nkind: deployment\nmetadata: {name: x}\n"

    def writer():
        with open(fifo, "wb") as f:
            f.write(payload)

    t = threading.Thread(target=writer)
    t.start()
    import subprocess
    import sys

    with open(fifo, "rb") as stdin:
        proc = subprocess.run([sys.executable, "-m", "kubelint.cli", "check", "-"], stdin=stdin,
                              capture_output=True, timeout=30)
    t.join()
    assert proc.returncode == 1
    assert proc.stdout.decode().startswith("<stdin>:2:7: error: unknown kind `deployment`")


def test_directory_and_broken_symlink_given_explicitly(tmp_path):
    (tmp_path / "d.yaml").mkdir()
    (tmp_path / "link.yaml").symlink_to(tmp_path / "missing.yaml")
    proc = kubelint("check", "link.yaml", "d.yaml", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout.decode().startswith("link.yaml:1:1: error: cannot read file: No such file or directory")


def test_no_writes_besides_the_report(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "m.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: '../../etc/x'}\n")
    before = sorted(os.listdir(work))
    kubelint("check", "m.yaml", "-f", "sarif", cwd=work, env={"KUBELINT_NO_CACHE": "1"})
    assert sorted(os.listdir(work)) == before


def test_jobs_output_is_byte_identical(tmp_path):
    for i in range(60):
        text = SEEDS[i % len(SEEDS)]
        if i % 7 == 0:
            text = text.replace("nginx:1.27", "nginx:1.27\n          imagePulPolicy: Always")
        (tmp_path / f"m{i:02d}.yaml").write_text(text.replace("sample-", f"s{i}-"))
    outs = [kubelint("check", "-f", "json", "--jobs", str(j), ".", cwd=tmp_path).stdout for j in (1, 2)]
    assert outs[0] == outs[1]
    assert b'"code": "KL010"' in outs[0]


def test_jobs_output_is_byte_identical_with_recursive_aliases(tmp_path):
    """A recursive alias makes a cyclic object: a worker must still send it back (whole
    objects are pickled without a memo: a cycle needs one)."""
    for i in range(60):
        text = SEEDS[i % len(SEEDS)].replace("sample-", f"s{i}-")
        if i % 9 == 4:
            text = (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: loop{i}\n"
                    "data: &x\n  b: *x\n---\n" + text)
        (tmp_path / f"m{i:02d}.yaml").write_text(text)
    outs = [kubelint("check", "--no-cache", "-f", "json", "--jobs", str(j), ".", cwd=tmp_path)
            for j in (1, 2)]
    assert outs[0].stdout == outs[1].stdout and outs[0].returncode == outs[1].returncode == 1
    assert outs[0].stdout.count(b'"code": "KL010"') >= 7


def test_cache_survives_corruption(tmp_path):
    env = {"KUBELINT_CACHE_DIR": str(tmp_path / "cache")}
    assert kubelint("check", "examples", env=env).returncode == 0
    for root, _, files in os.walk(tmp_path / "cache"):
        for f in files:
            with open(os.path.join(root, f), "w") as fh:
                fh.write("{not json")
    assert kubelint("check", "examples", env=env).returncode == 0
    proc = kubelint("check", "tests/fixtures/deployment-errors.yaml", env=env)
    assert proc.returncode == 1 and b"did you mean `ports`?" in proc.stdout


def test_nesting_too_deep_for_the_validator_is_a_finding(tmp_path):
    data = ("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {}\nextra: " + "[" * 300 + "]" * 300 + "\n").encode()
    result, _ = lint_bytes(tmp_path, data)
    assert [(f.code, f.line, f.column) for f in result.findings] == [("KL010", 1, 1)]
    assert "nested too deeply to be validated" in result.findings[0].message


def test_fifty_megabyte_file_is_refused_with_a_finding(tmp_path):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as f:
        f.write(b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: huge}\ndata:\n")
        line = b"  k: " + b"x" * 1000 + b"\n"
        for _ in range(50 * 1024):
            f.write(line)
    start = time.perf_counter()
    result = run([str(path)], Settings())
    assert time.perf_counter() - start < 5
    assert [(f.code, f.line, f.column) for f in result.findings] == [("KL006", 1, 1)]
    assert "larger than the 20 MiB limit" in result.findings[0].message


@pytest.mark.parametrize("jobs", [1, 2])
def test_nesting_just_under_the_limit_loads(tmp_path, jobs):
    """990 levels of flow mappings: under the depth limit, so it loads (no RecursionError
    disguised as a syntax error), and the validator's own limit becomes a finding."""
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x%d}\ndata:\n  k: "
            + "{a: " * 990 + "1" + "}" * 990 + "\n")
    for i in range(50 if jobs > 1 else 1):
        (tmp_path / f"d{i:02d}.yaml").write_text(text % i)  # distinct names: no duplicates
    result = run([str(tmp_path)], Settings(jobs=jobs))
    assert {(f.code, f.line, f.column) for f in result.findings} == {("KL010", 1, 1)}
    assert "nested too deeply to be validated" in result.findings[0].message


def test_every_field_of_a_realistic_app_retyped_never_crashes_a_check():
    """Each `key: value` line of the realistic app in turn holds a list, a mapping, a number
    or null: every check must cope with the wrong type (the schema reports it) and never
    crash. Deterministic and exhaustive, where the property tests sample."""
    from kubelint.engine import Linter
    from kubelint.loader import load_text

    linter = Linter(Settings(select=["ALL", "KL3", "KL090"]))
    text = open(os.path.join(FIXTURES, "realistic-app.yaml")).read()
    lines = text.split("\n")
    crashes = []
    for i, line in enumerate(lines):
        key, sep, _ = line.partition(": ")
        if not sep or line.lstrip().startswith("#"):
            continue
        for value in ("[1, 2]", "{a: b}", "7", "~"):
            mutated = "\n".join(lines[:i] + [key + ": " + value] + lines[i + 1:])
            outcome = linter.lint_loaded("app.yaml", load_text("app.yaml", mutated))
            crashes += [(i + 1, value, f.message) for f in outcome.findings if "internal error in" in f.message]
    assert crashes == []


# A name, a port or a key of another type where the cross-object rules read a reference:
# each was an internal error of KL202, KL204 or KL205 (a type fuzz of the fixture's every
# field, session 6); the schema's KL010 is the finding.
RETYPED_REFERENCES = [
    ("Deployment", ("spec", "template", "spec", "volumes", 0, "configMap", "name"), [{"a": 1}]),
    ("Deployment", ("spec", "template", "spec", "containers", 0, "ports", 0, "containerPort"), {"a": "b"}),
    ("Service", ("spec", "ports", 0, "name"), ["x"]),
    ("HorizontalPodAutoscaler", ("spec", "scaleTargetRef", "name"), {"a": "b"}),
]


@pytest.mark.parametrize("kind,path,value", RETYPED_REFERENCES)
def test_references_of_another_type_are_the_schemas_finding(tmp_path, kind, path, value):
    import json

    from ruamel.yaml import YAML

    with open(os.path.join(FIXTURES, "app-references.yaml")) as f:
        docs = list(YAML(typ="safe").load_all(f))
    target = next(d for d in docs if d["kind"] == kind)
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    (tmp_path / "app.yaml").write_text("\n---\n".join(json.dumps(d) for d in docs))
    result = run([str(tmp_path / "app.yaml")], Settings(select=["KL"], result_cache=False))
    assert [f.message for f in result.findings if "internal error" in f.message] == []
    assert any(f.code == "KL010" for f in result.findings)
