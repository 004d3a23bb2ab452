"""The faster forms of per-object checks give exactly what the straightforward ones gave:
each is compared with a reference implementation on generated objects full of bad values."""

import random

from kubelint.checks import enums
from kubelint.checks.k8s import POD_SPEC_PATHS, walk
from kubelint.engine import K8sObject
from kubelint.model import Fix, Violation, pointer_to_k8s
from kubelint.identify import close

KINDS = sorted(set(enums.TABLE) | set(POD_SPEC_PATHS) | {"ConfigMap"})
ODD = ["bad", "tcp", "Always ", "", None, 3, True, 2.5, ["TCP"], {"a": 1}]


def _reference_unsupported_value(obj, version):
    """KL112 as it was written first: every pattern walked on its own."""
    proc_mount = tuple(int(x) for x in version.split(".")) >= (1, 33)
    for pattern, allowed in enums._patterns(obj.kind if obj.builtin else ""):
        if pattern[-1] == "procMount" and not proc_mount:
            continue
        for pointer, value in walk(obj.data, pattern):
            if value is None or value in allowed:
                continue
            shown = f'"{value}"' if isinstance(value, str) else str(value)
            shown_allowed = [a for a in allowed if a]
            msg = (f"{pointer_to_k8s(pointer)}: Unsupported value: {shown}: supported values: "
                   + ", ".join(f'"{a}"' for a in shown_allowed))
            guess = close(str(value), shown_allowed)
            fix = None
            if guess:
                msg += f'; did you mean "{guess}"?'
                if isinstance(value, str) and guess.lower() == value.lower():
                    fix = Fix(f'write "{guess}"', (("set", pointer, guess),))
            yield Violation(msg, pointer, fix=fix)


def _plant(data, pattern, allowed, rnd):
    """Put values (good and bad) at `pattern` in `data`, lists of 0-3 items for "*"."""
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        return  # handled by the caller, which owns the list
    if not isinstance(data, dict):
        return
    if not rest:
        data[head] = rnd.choice(list(allowed) + ODD)
        return
    if rest[0] == "*":
        items = data.get(head)
        if not isinstance(items, list):
            items = data[head] = [] if rnd.random() < 0.8 else rnd.choice(ODD)
        if not isinstance(items, list):
            return
        while len(items) < rnd.randint(0, 3):
            items.append({} if len(rest) > 1 else rnd.choice(list(allowed) + ODD))
        for item in items:
            if len(rest) > 1:
                _plant(item, rest[1:], allowed, rnd)
        return
    child = data.setdefault(head, {} if rnd.random() < 0.95 else rnd.choice(ODD))
    _plant(child, rest, allowed, rnd)


def test_unsupported_value_matches_the_pattern_walk():
    rnd = random.Random(14)
    seen = 0
    for n in range(120):
        kind = rnd.choice(KINDS)
        data = {"apiVersion": "v1", "kind": kind}
        for pattern, allowed in enums._patterns(kind):
            if rnd.random() < 0.6:
                _plant(data, pattern, allowed, rnd)
        obj = K8sObject("x.yaml", 0, None, data, "default", (), n % 7 != 0)
        for version in ("1.32", "1.37"):
            ctx = type("Ctx", (), {"version": version})()
            got = list(enums.unsupported_value(obj, ctx))
            assert got == list(_reference_unsupported_value(obj, version)), (kind, data)
            seen += len(got)
    assert seen > 150  # the generated objects do have many bad values


def test_kl112_clean_function_agrees_with_the_walk():
    """unsupported_value skips _visit when the generated _clean_of function passes the data:
    it must pass exactly the data in which _visit finds nothing (objects mostly clean here,
    each with a few values planted, allowed or not, and odd shapes on the way)."""
    rnd = random.Random(112)
    clean = dirty = 0
    for n in range(3000):
        kind = rnd.choice(KINDS)
        data = {"apiVersion": "v1", "kind": kind}
        patterns = list(enums._patterns(kind))
        for pattern, allowed in rnd.sample(patterns, min(len(patterns), rnd.randint(0, 4))):
            _plant(data, pattern, allowed if rnd.random() < 0.9 else (), rnd)
        for proc_mount in (False, True):
            if kind not in enums.TABLE and kind not in POD_SPEC_PATHS:
                continue
            found: list = []
            enums._visit(enums._tree(kind, proc_mount), data, (), found)
            assert enums._clean_of(kind, proc_mount)(data) is (not found), (kind, proc_mount, data)
            clean += not found
            dirty += bool(found)
    assert clean > 1000 and dirty > 1000


def test_a_check_that_cannot_be_imported_is_a_finding_on_each_object(tmp_path):
    """The per-kind dispatch binds each rule's function once; a user rule whose function
    cannot be imported still costs one finding per object, not the run."""
    from kubelint.engine import Settings, run

    rules = tmp_path / "myrules"
    rules.mkdir()
    (rules / "X002-gone.yaml").write_text(
        "code: XX002\nname: gone\nseverity: error\nsummary: s\nrationale: r\nfix: f\n"
        "check: {python: 'kubelint.no_such_module:check'}\nexamples: {fail: [a], pass: [b]}\n")
    (tmp_path / "p.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n"
                                     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y}\n")
    result = run([str(tmp_path / "p.yaml")], Settings(rule_dirs=[str(rules)]))
    found = [(f.code, f.span.line, f.message.split(":")[0]) for f in result.findings if f.code == "XX002"]
    assert found == [("XX002", 1, "internal error in XX002 gone"), ("XX002", 5, "internal error in XX002 gone")]
    assert "cannot be imported" in result.findings[0].message


def test_known_non_manifests_as_one_pattern_match_the_loop():
    """discover.known_non_manifest tries its name patterns as one regular expression; it gives
    the reason of the first pattern that matches, as fnmatchcase over the list did."""
    import fnmatch
    import string

    from kubelint import discover

    discover._NOT_MANIFEST_RE = discover._NOT_MANIFEST_STARTS = None
    assert discover.known_non_manifest("app-0001.yaml") is None
    assert discover._NOT_MANIFEST_RE is None  # compiled only for a name that may match

    def loop(name):
        for pattern, reason in discover.NOT_MANIFESTS:
            if fnmatch.fnmatchcase(name, pattern):
                return reason
        return None

    rnd = random.Random(9)
    names = ["app.yaml", "values.yaml", "Chart.yaml", "docker-compose.yml", "kustomization.yaml"]
    for pattern, _ in discover.NOT_MANIFESTS:
        names += [pattern, pattern.replace("*", "abc"), pattern.replace("*", ""), "x" + pattern,
                  pattern + "x", pattern.upper()]
    alpha = string.ascii_letters + "-_.*?[]\n"
    names += ["".join(rnd.choice(alpha) for _ in range(rnd.randint(0, 12))) + rnd.choice([".yaml", ".yml", ""])
              for _ in range(1000)]
    assert [discover.known_non_manifest(n) for n in names] == [loop(n) for n in names]
    assert sum(loop(n) is not None for n in names) > 50


def test_is_ip_shortcut_matches_parsing():
    """k8s.is_ip answers False without ipaddress for a string with neither a colon nor only
    digits and dots: the same answer as parsing gives, on random strings and IP-like ones."""
    import ipaddress

    from kubelint.checks.k8s import is_ip

    def parsed(value):
        try:
            ipaddress.ip_address(value)
            return True
        except ValueError:
            parts = value.split(".")
            return len(parts) == 4 and all(p.isdigit() and int(p) <= 255 for p in parts)

    rng = random.Random(3)
    samples = ["1.2.3.4", "01.02.03.004", "::1", "fe80::1%eth0", "256.1.1.1", "a.b.c.d", "",
               "...", "1.2.3", "\u0661.2.3.4", "example.com", "1.2.3.4 ", "10.0.0.1a"]
    samples += [".".join(str(rng.randint(0, 270)) for _ in range(rng.randint(3, 5)))
                for _ in range(300)]
    samples += ["".join(rng.choice("0123456789.:abcdefxyz%-_ \u0661/") for _ in range(rng.randint(0, 14)))
                for _ in range(3000)]
    ips = 0
    for value in samples:
        assert is_ip(value) == parsed(value), value
        ips += parsed(value)
    assert ips > 50


def test_annotation_refs_match_the_metadata_paths_walk():
    """suppress.annotation_refs (walked by hand) reads what a walk of METADATA_PATHS reads."""
    from kubelint.suppress import ANNOTATION, METADATA_PATHS, annotation_refs

    def reference(data):
        refs = []
        for path in METADATA_PATHS:
            node = data
            for part in path:
                node = node.get(part) if isinstance(node, dict) else None
            ann = node.get("annotations") if isinstance(node, dict) else None
            value = ann.get(ANNOTATION) if isinstance(ann, dict) else None
            if isinstance(value, str):
                refs.extend(r.strip() for r in value.split(",") if r.strip())
        return tuple(refs)

    rng = random.Random(5)
    odd = [None, 3, "x", ["a"], {}]

    def meta():
        return rng.choice(odd + [{"annotations": rng.choice(odd + [
            {ANNOTATION: rng.choice(odd + ["KL201", " KL101 , node-port-range,", "", " , "])}])}])

    def maybe(value):
        return value if rng.random() < 0.8 else rng.choice(odd)

    for _ in range(3000):
        data = {"metadata": meta()}
        if rng.random() < 0.7:
            spec = data["spec"] = {}
            if rng.random() < 0.6:
                spec["template"] = maybe({"metadata": meta()})
            if rng.random() < 0.5:
                spec["jobTemplate"] = maybe({"spec": maybe({"template": maybe({"metadata": meta()})})})
        elif rng.random() < 0.5:
            data["spec"] = rng.choice(odd)
        assert annotation_refs(data) == reference(data), data


def test_strict_base64_matches_the_character_loop():
    """configdata._strict accepts exactly what a character-by-character alphabet test does."""
    from kubelint.checks.configdata import _BASE64, _strict

    def reference(value):
        compact = value.replace("\r", "").replace("\n", "")
        if len(compact) % 4 or any(c not in _BASE64 for c in compact):
            return None
        return compact

    def strict(value):
        try:
            return _strict(value)
        except ValueError:
            return None

    rng = random.Random(9)
    accepted = 0
    for _ in range(20000):
        value = "".join(rng.choice(_BASE64 + "\r\n -_.\u00e9\x00") if rng.random() < 0.1
                        else rng.choice(_BASE64) for _ in range(rng.randint(0, 12)))
        assert strict(value) == reference(value), value
        accepted += reference(value) is not None
    assert accepted > 1000


def test_known_valid_labels_only_passes_maps_label_map_finds_nothing_in():
    """labels_and_annotations, nodeSelector and label_map skip a map whose keys and values the
    validators found valid before (two set tests): such a map must be one label_map finds
    nothing in, whatever its values (lists, numbers, placeholders, invalid strings)."""
    from kubelint.checks.k8s import known_valid_labels, label_map

    rnd = random.Random(105)
    words = ["app", "app.kubernetes.io/name", "web", "", "-bad", "x" * 64, "${APP}-web",
             "Bad Key", "k8s.io/", "v1.2", 3, True, None, ["a"], {"b": 1}, "a/b/c"]
    passed = 0
    for _ in range(3000):
        labels = {}
        for _ in range(rnd.randint(0, 4)):
            key = rnd.choice(words)
            if not isinstance(key, str):
                continue
            labels[key] = rnd.choice(words)
        found = list(label_map(labels, ("metadata", "labels"), "metadata.labels"))
        if known_valid_labels(labels):
            passed += 1
            assert found == [], labels
    assert passed > 500
    assert not known_valid_labels({"app": ["web"]}) and not known_valid_labels(["app"])


def test_no_check_both_yields_and_returns_its_list():
    """The default per-object checks build and return a list (no generator per call). A
    `yield` added to one of them would make it a generator again whose returned list is
    dropped: every finding collected in it would be lost without an error."""
    import ast
    import pathlib

    import kubelint.checks

    bad = []
    for path in pathlib.Path(kubelint.checks.__file__).parent.glob("*.py"):
        for fn in ast.walk(ast.parse(path.read_text())):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            own = []  # the function's own statements, not those of nested functions

            def visit(node):
                for child in ast.iter_child_nodes(node):
                    if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda,
                                              ast.ClassDef)):
                        own.append(child)
                        visit(child)

            visit(fn)
            yields = any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in own)
            returns = any(isinstance(n, ast.Return) and n.value is not None for n in own)
            if yields and returns:
                bad.append(f"{path.name}:{fn.lineno} {fn.name}")
    assert bad == []
