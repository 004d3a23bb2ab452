"""A mutation fuzzer for kubelint: bad input must never crash it nor lose other files' findings.

    python tests/fuzzing/fuzz.py --seed 1 --runs 500 [--keep DIR]

A developer tool, not a test (pytest does not collect it; tests/test_fuzz_smoke.py runs a few
fixed cases). Each case is a small folder built from the repository's own inputs -- examples/,
the rules' examples, tests/fixtures, and what kubelint reads beyond plain manifests:
kustomize overlays (bases, patches, generators), a Helm chart (rendered by a stand-in `helm`
the case carries), CRDs with custom resources, ValidatingAdmissionPolicies with CEL,
.kubelint.yaml configs and suppression comments -- with one to four files mutated (bytes,
encodings, YAML structure, Kubernetes-aware). Filler files make the case big enough for
`--jobs 2` to fork, and a sentinel file with a known finding must keep it whatever its
neighbours hold.

kubelint runs twice in a subprocess (`--jobs 1 --no-cache`, then `--jobs 2` with a fresh
cache), writing text, json, sarif and github reports each time, and the case is a problem when:
a traceback or an internal error shows; the exit code is not 0 or 1 (2 is allowed when the
case's config was mutated, with a `kubelint: ...` message); a report differs between the two
runs; an input file is neither named in the report nor counted in its summary; the sentinel's
finding is missing; the SARIF report is not valid against tests/sarif-schema-2.1.0.json; a run
takes longer than the time limit. Each problem case is written to a folder (--keep, default
fuzz-problems/) with the files, the commands and what went wrong, to rerun by hand.

Everything is drawn from random.Random(f"{seed}:{case}"): a seed and a case number replay
the same case (--case N runs just that one)."""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Callable, Dict, List, Optional, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
Files = Dict[str, bytes]  # relative path -> content

# -- seeds: what a case is built from ---------------------------------------------------------


def _read(rel: str) -> bytes:
    with open(os.path.join(ROOT, rel), "rb") as f:
        return f.read()


def _manifests() -> List[Tuple[str, bytes]]:
    """The repository's manifests: examples/, tests/fixtures (YAML and JSON) and every
    example of every rule file (the failing ones hold what each rule reports)."""
    out: List[Tuple[str, bytes]] = []
    for top in ("examples", os.path.join("tests", "fixtures")):
        for folder, dirs, names in os.walk(os.path.join(ROOT, top)):
            dirs.sort()
            for name in sorted(names):
                if name.endswith((".yaml", ".yml", ".json")):
                    rel = os.path.relpath(os.path.join(folder, name), ROOT)
                    out.append((rel, _read(rel)))
    try:
        from ruamel.yaml import YAML
    except ImportError:  # pragma: no cover - kubelint depends on it
        return out
    yaml = YAML(typ="safe")
    for name in sorted(os.listdir(os.path.join(ROOT, "rules"))):
        if not name.endswith(".yaml"):
            continue
        rule = yaml.load(_read(os.path.join("rules", name)))
        examples = rule.get("examples") or {}
        for kind in ("fail", "pass"):
            for i, text in enumerate(examples.get(kind) or []):
                if isinstance(text, str):
                    out.append((f"rules/{name}#{kind}{i}", text.encode()))
    return out


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: 80  # kubelint: disable=KL112
          envFrom:
            - configMapRef: {name: settings}
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - port: 80
      targetPort: 80
"""


def _kustomize() -> Files:
    return {
        "base/kustomization.yaml": b"resources:\n  - deployment.yaml\n  - service.yaml\n"
                                   b"commonLabels:\n  team: shop\n",
        "base/deployment.yaml": DEPLOYMENT.encode(),
        "base/service.yaml": SERVICE.encode(),
        "overlays/prod/kustomization.yaml": (
            b"resources:\n  - ../../base\nnamePrefix: prod-\nnamespace: prod\n"
            b"images:\n  - name: nginx\n    newTag: \"1.28\"\nreplicas:\n  - name: web\n    count: 3\n"
            b"patches:\n  - path: patch.yaml\n  - target: {kind: Service, name: web}\n"
            b"    patch: |-\n      - op: replace\n        path: /spec/type\n        value: NodePort\n"
            b"configMapGenerator:\n  - name: settings\n    files: [app.properties]\n"
            b"    literals: [MODE=prod]\nsecretGenerator:\n  - name: creds\n    literals: [user=admin]\n"),
        "overlays/prod/patch.yaml": (b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
                                     b"spec:\n  template:\n    spec:\n      containers:\n"
                                     b"        - name: web\n          imagePullPolicy: Always\n"),
        "overlays/prod/app.properties": b"color=blue\nsize=2\n",
        "overlays/dev/kustomization.yaml": b"resources:\n  - ../../base\n  - extra.yaml\nnamespace: dev\n",
        "overlays/dev/extra.yaml": (b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n"
                                    b"data:\n  a: \"1\"\n"),
    }


def _chart() -> Files:
    return {
        "chart/Chart.yaml": b"apiVersion: v2\nname: shop\nversion: 0.1.0\n",
        "chart/values.yaml": b"replicas: 2\nport: 80\nimage: nginx:1.27\n",
        "chart/templates/deployment.yaml": DEPLOYMENT.replace("name: web\n  labels", "name: {{ .Release.Name }}-web\n  labels")
        .replace("replicas: 2", "replicas: {{ .Values.replicas }}").encode(),
        "chart/templates/service.yaml": SERVICE.replace("port: 80", "port: {{ .Values.port }}").encode(),
    }


# Not helm: prints `helm template`'s documented output (each template after `---` and a
# `# Source: CHART/templates/FILE` line), with `{{ ... }}` replaced by a plain word.
HELM_STAND_IN = r'''#!/usr/bin/env python3
import os, re, sys
if len(sys.argv) < 4 or sys.argv[1] != "template":
    sys.exit(2)
chart = sys.argv[3]
meta = open(os.path.join(chart, "Chart.yaml"), "rb").read().decode("utf-8", "replace")
m = re.search(r"^name:\s*(\S+)", meta, re.M)
name = m.group(1) if m else "chart"
tdir = os.path.join(chart, "templates")
for f in sorted(os.listdir(tdir)) if os.path.isdir(tdir) else []:
    text = open(os.path.join(tdir, f), "rb").read().decode("utf-8", "replace")
    text = re.sub(r"\{\{.*?\}\}", "x1", text)
    sys.stdout.write("---\n# Source: %s/templates/%s\n%s\n" % (name, f, text.rstrip("\n")))
'''


def _crd() -> Files:
    return {"crd/widget-crd.yaml": _read("tests/fixtures/crd/widget-crd.yaml"),
            "crd/widgets.yaml": _read("tests/fixtures/crd/widgets.yaml")}


def _vap() -> Files:
    return {"vap/policies.yaml": _read("tests/fixtures/vap/policies.yaml"),
            "vap/objects.yaml": _read("tests/fixtures/vap/objects.yaml")}


CONFIG = b"""\
kubernetes-version: "1.33"
strict: true
select: [ALL, security]
ignore: [KL015]
fail-level: warning
default-namespace: shop
per-file-ignores:
  "legacy/*": [node-port]
rules:
  node-port:
    severity: warning
    options: {min: 30000, max: 32767}
target-versions: ["1.35"]
pod-security: {level: baseline, version: latest, mode: warn}
pod-label-paths:
  example.com/Worker: spec.template.metadata.labels
cross-object-scope: folder
"""

SUPPRESSED = b"""\
# kubelint: disable-file=KL3
apiVersion: v1
kind: Service
metadata:
  name: legacy
  annotations:
    kubelint.io/ignore: "KL201,node-port"
spec:
  type: NodePort  # kubelint: disable=KL101
  selector: {app: nothing}
  ports:
    # kubelint: disable=KL101
    - port: 80
      nodePort: 8080
"""

# The sentinel: in a folder of its own, never mutated; its finding (an unknown field, KL010
# at 8:3) must be in every report, whatever the other files hold.
SENTINEL = b"""\
apiVersion: v1
kind: ConfigMap
metadata:
  name: fuzz-sentinel
  namespace: fuzz-sentinel
data:
  a: "1"
bogusField: 1
"""
SENTINEL_PATH = "zz-sentinel/sentinel.yaml"
SENTINEL_FINDING = ("KL010", 8, 1)


def _scenario(rng: random.Random, manifests: List[Tuple[str, bytes]]) -> Tuple[str, Files]:
    kind = rng.choice(["plain", "plain", "plain", "kustomize", "chart", "crd", "vap", "config",
                       "suppress"])
    files: Files = {}
    picks = rng.sample(manifests, rng.randint(1, 3))
    for i, (rel, data) in enumerate(picks):
        ext = ".json" if rel.endswith(".json") else ".yaml"
        files[f"m{i}-" + re.sub(r"[^A-Za-z0-9]+", "-", rel.rsplit("/", 1)[-1])[:30] + ext] = data
    if kind == "kustomize":
        files.update(_kustomize())
    elif kind == "chart":
        files.update(_chart())
    elif kind == "crd":
        files.update(_crd())
    elif kind == "vap":
        files.update(_vap())
    elif kind == "config":
        files[".kubelint.yaml"] = CONFIG
        files["legacy/old.yaml"] = SUPPRESSED
    elif kind == "suppress":
        files["legacy/old.yaml"] = SUPPRESSED
    return kind, files


# -- mutations ---------------------------------------------------------------------------------

RETYPES = ["[1, 2]", "{a: b}", "7", "-1", "~", '"x"', "true", "[]", "{}", "''", "0.5", "1e400",
           "99999999999999999999999", "-9223372036854775809", "0x7fffffffffffffff", ".nan", ".inf",
           "[{}]", "[[]]", "{a: [b, {c: d}]}", "!!binary aGVsbG8=", "2001-12-14", "0o777", "=", "<<",
           "[~]", "{~: ~}", "? complex\n: key"]
KNOWN_FIELDS = ["apiVersion", "kind", "metadata", "name", "namespace", "labels", "annotations", "spec",
                "replicas", "selector", "matchLabels", "template", "containers", "image", "ports",
                "containerPort", "port", "targetPort", "nodePort", "protocol", "type", "data",
                "resources", "limits", "requests", "env", "value", "volumes", "securityContext",
                "expression", "rule", "messageExpression", "validations", "versions", "schema",
                "openAPIV3Schema", "properties", "x-kubernetes-validations", "paramRef", "policyName",
                "matchConstraints", "resourceRules", "patches", "path", "resources", "bases",
                "configMapGenerator", "literals", "files", "images", "newTag", "namePrefix", "select",
                "ignore", "rules", "severity", "options", "per-file-ignores", "exclude", "kubelint.io/ignore"]
CEL = ["object.spec.replicas >", "'a' + 1", "has(", "self.all(x, x.all(y, y.all(z, z > 0)))",
       "size(self) < 10 ? self : 1", "9223372036854775807 + 1", "self.matches('[')",
       "(" * 200 + "1" + ")" * 200, "object.spec.containers.map(c, c.image).exists(i, i.startsWith(''))",
       "params.data.missing", "variables.nope", "self == oldSelf", "int('x')", "1 / 0", "\"\\u0000\"",
       "dyn(self).foo.bar", "self.x.y.z.w", "[1,2,3].map(x, [x, x, x]).map(y, y.map(z, [z, z]))",
       "'é😀' + string(self)", "self in [" + ",".join(str(i) for i in range(300)) + "]",
       "object.metadata.name.size() > 5 &&", "true ? 1 : 'x'", "duration('1h') > timestamp('2020')"]
TAGS = ["!!str", "!!int", "!!map", "!!seq", "!!binary", "!!set", "!!omap", "!!python/object:os.system",
        "!custom", "!<tag:example.com,2000:x>", "!!float", "!!null", "!!bool", "!!timestamp"]
TEXT_OPS: List[str] = []  # filled below: names of the text mutations


def _lines(data: bytes) -> List[str]:
    return data.decode("utf-8", "surrogateescape").split("\n")


def _join(lines: List[str]) -> bytes:
    return "\n".join(lines).encode("utf-8", "surrogateescape")


def _value_lines(lines: List[str]) -> List[int]:
    return [i for i, line in enumerate(lines) if re.match(r"\s*(- )?[^#\s][^:]*:( |$)", line)]


def m_flip(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data or b"x")
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)
    return bytes(b)


def m_insert_bytes(rng: random.Random, data: bytes) -> bytes:
    i = rng.randint(0, len(data))
    junk = rng.choice([bytes(rng.randrange(256) for _ in range(rng.randint(1, 16))), b"\x00", b"\xff\xfe",
                       b"\xef\xbb\xbf", b"\r", b"\x85", "\u2028".encode(), b"\x1b[31m", b":", b"- ", b"{",
                       b"[", b"'", b'"', b"&a ", b"*a", b"|", b">", b"%", b"@", b"`", b"\t", b"#"])
    return data[:i] + junk + data[i:]


def m_delete(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    i = rng.randrange(len(data))
    return data[:i] + data[i + rng.randint(1, 64):]


def m_truncate(rng: random.Random, data: bytes) -> bytes:
    return data[:rng.randint(0, len(data))]


def m_duplicate_range(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    i = rng.randrange(len(data))
    j = min(len(data), i + rng.randint(1, 200))
    return data[:j] + data[i:j] + data[j:]


def m_encoding(rng: random.Random, data: bytes) -> bytes:
    text = data.decode("utf-8", "replace")
    op = rng.randrange(9)
    if op == 0:
        return text.encode("utf-16")  # with its BOM
    if op == 1:
        return text.encode(rng.choice(["utf-16-le", "utf-16-be", "utf-32"]))
    if op == 2:
        return b"\xef\xbb\xbf" + data
    if op == 3:
        i = rng.randint(0, len(data))
        return data[:i] + rng.choice([b"\xff", b"\xc3", b"\x80", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80"]) + data[i:]
    if op == 4:
        return data.replace(b"\n", b"\r\n")
    if op == 5:
        return data.replace(b"\n", rng.choice([b"\r", "\u2028".encode(), b"\x85"]), rng.randint(1, 5))
    if op == 6:
        return text.encode("latin-1", "replace") + "é".encode("latin-1")
    if op == 7:
        return data + b"\x00" * rng.randint(1, 8)
    return bytes(rng.randrange(256) for _ in range(rng.randint(1, 2000)))  # a binary file


def m_duplicate_key(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    cands = _value_lines(lines)
    if not cands:
        return data
    i = rng.choice(cands)
    lines.insert(i + 1, lines[i] if rng.random() < 0.5 else lines[i].split(":")[0] + ": dup")
    return _join(lines)


def m_anchor_alias(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    cands = _value_lines(lines)
    if len(cands) < 2:
        return data
    a, b = sorted(rng.sample(cands, 2))
    key, _, value = lines[a].partition(":")
    if rng.random() < 0.3:  # the alias before its anchor, or to no anchor at all
        a, b = b, a
    lines[a] = key + ": &fz" + (value if value.strip() else "")
    kb = lines[b].partition(":")[0]
    lines[b] = kb + ": *fz" if rng.random() < 0.8 else kb + ": *missing"
    return _join(lines)


def m_alias_bomb(rng: random.Random, data: bytes) -> bytes:
    levels = rng.randint(3, 12)
    bomb = ["bomb0: &b0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        bomb.append(f"bomb{i}: &b{i} [" + ", ".join([f"*b{i - 1}"] * 9) + "]")
    lines = _lines(data)
    where = rng.choice([0, len(lines)] + _value_lines(lines)[:1])
    if rng.random() < 0.5:  # inside a ConfigMap's data, where a check may walk it
        bomb = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: bomb}", "data:"] + ["  " + b for b in bomb]
        return _join(lines + ["---"] + bomb)
    return _join(lines[:where] + bomb + lines[where:])


def m_merge_key(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    cands = [i for i in _value_lines(lines) if lines[i].rstrip().endswith(":")]
    if not cands:
        return data
    i = rng.choice(cands)
    indent = len(lines[i]) - len(lines[i].lstrip(" -")) + 2
    merge = rng.choice(["<<: {a: 1}", "<<: [{a: 1}, {b: 2}]", "<<: *nope", "<<: [1, 2]", "<<: 7",
                        "<<: ~", "<<: {<<: {a: 1}}"])
    lines.insert(i + 1, " " * indent + merge)
    return _join(lines)


def m_deep(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    n = rng.choice([50, 500, 999, 1000, 1001, 3000, 20000])
    style = rng.randrange(3)
    if style == 0:
        deep = "deep: " + "[" * n + "]" * n
    elif style == 1:
        deep = "deep: " + "{a: " * n + "1" + "}" * n
    else:
        deep = "deep:\n" + "".join(" " * (i + 1) + "- \n" for i in range(min(n, 1500))) + " " * 1500 + "- x"
    i = rng.randint(0, len(lines))
    return _join(lines[:i] + [deep] + lines[i:])


def m_tag(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    cands = _value_lines(lines)
    if not cands:
        return data
    i = rng.choice(cands)
    key, _, value = lines[i].partition(": ")
    lines[i] = f"{key}: {rng.choice(TAGS)} {value}" if value else lines[i] + " " + rng.choice(TAGS)
    return _join(lines)


def m_split(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    i = rng.randint(0, len(lines))
    lines.insert(i, rng.choice(["---", "...", "--- !!map", "%YAML 1.1\n---", "%TAG ! tag:x,2000:\n---",
                                "--- |\n  text", "---\n---", "--- # comment", "%YAML 2.0\n---"]))
    return _join(lines)


def m_tabs(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    if not lines:
        return data
    i = rng.randrange(len(lines))
    lines[i] = re.sub(r"^( +)", lambda m: "\t" * max(1, len(m.group(1)) // 2), lines[i]) \
        if rng.random() < 0.5 else lines[i].replace(": ", ":\t", 1)
    return _join(lines)


def m_indent(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    if not lines:
        return data
    i = rng.randrange(len(lines))
    lines[i] = " " * rng.randint(0, 6) + lines[i].lstrip() if rng.random() < 0.7 else lines[i][rng.randint(0, 3):]
    return _join(lines)


def m_retype(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    known = [i for i in _value_lines(lines)
             if lines[i].strip(" -").split(":")[0].strip("\"'") in KNOWN_FIELDS]
    cands = known or _value_lines(lines)
    if not cands:
        return data
    i = rng.choice(cands)
    key = lines[i].partition(":")[0]
    value = rng.choice(RETYPES)
    if "\n" in value:
        value = value.replace("\n", "\n" + " " * (len(key) - len(key.lstrip(" -"))))
    # a block below a `key:` line is dropped (a map or list where a scalar is expected, and back)
    j = i + 1
    indent = len(key) - len(key.lstrip(" -"))
    while rng.random() < 0.7 and j < len(lines) and (not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip(" -")) > indent):
        j += 1
    lines[i:j] = [key + ": " + value]
    return _join(lines)


def m_huge(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    i = rng.randint(0, len(lines))
    value = rng.choice(["x" * rng.choice([70_000, 300_000]), "9" * rng.choice([400, 5000]),
                        "[" + "1, " * 30_000 + "1]", "{" + ", ".join(f"k{j}: {j}" for j in range(20_000)) + "}",
                        "\"" + "\\u00e9" * 20_000 + "\"", "|\n" + "  line\n" * 30_000])
    return _join(lines[:i] + ["huge: " + value] + lines[i:])


def m_many_docs(rng: random.Random, data: bytes) -> bytes:
    # (the parallel cross-object stage starts at engine.LATE_PARALLEL_MIN_OBJECTS, 20,000:
    # the --jobs 2 run of most cases lowers it instead, Case.late_min; 20,500 reaches it as is)
    n = rng.choice([200, 1200, 1200, 20_500])
    docs = "".join(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: many{j}, labels: {{app: web}}}}\n"
                   f"data: {{k: \"{j}\"}}\n" for j in range(n))
    return data + b"\n" + docs.encode()


def m_empty(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    cands = [i for i in _value_lines(lines) if lines[i].rstrip().endswith(":")]
    if not cands or rng.random() < 0.2:
        return rng.choice([b"", b"\n", b"---\n", b"{}", b"[]", b"~", b"null\n", b"# only a comment\n", b"--- |\n"])
    i = rng.choice(cands)
    indent = len(lines[i]) - len(lines[i].lstrip(" -"))
    j = i + 1
    while j < len(lines) and (not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip(" -")) > indent):
        j += 1
    lines[i:j] = [lines[i].rstrip() + " " + rng.choice(["{}", "[]", "", "[{}]", "{x: []}"])]
    return _join(lines)


def m_list_for_map(rng: random.Random, data: bytes) -> bytes:
    """A mapping block wrapped in a list item (or a list's items made keys): a list where a map
    is expected, and back."""
    lines = _lines(data)
    cands = [i for i in _value_lines(lines) if lines[i].rstrip().endswith(":") and i + 1 < len(lines)]
    if not cands:
        return data
    i = rng.choice(cands)
    j = i + 1
    if lines[j].lstrip().startswith("- "):
        lines[j] = lines[j].replace("- ", "  ", 1)
    else:
        lines[j] = re.sub(r"^(\s*)", r"\1- ", lines[j], 1)
    return _join(lines)


def m_cel(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    cands = [i for i, line in enumerate(lines)
             if re.match(r"\s*(- )?(expression|rule|messageExpression|message|reason|fieldPath):", line)]
    fragment = rng.choice(CEL)
    if not cands:
        return data
    i = rng.choice(cands)
    key = lines[i].partition(":")[0]
    quoted = json.dumps(fragment) if rng.random() < 0.8 else "'" + fragment.replace("'", "''") + "'"
    lines[i] = key + ": " + quoted
    return _join(lines)


def m_suppression(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    directive = rng.choice(["# kubelint: disable", "# kubelint: disable=", "# kubelint: disable=KL",
                            "# kubelint: disable=KL999,nonsense", "# kubelint: disable-file",
                            "# kubelint: disable-file=KL0", "# kubelint: enable=KL1", "#kubelint:disable=KL010",
                            "# kubelint: disable=KL010 # kubelint: disable=KL010", "# kubelint:"])
    i = rng.randint(0, len(lines))
    if rng.random() < 0.5 and i < len(lines):
        lines[i] += "  " + directive
    else:
        lines.insert(i, directive)
    if rng.random() < 0.3:
        cands = [k for k, line in enumerate(lines) if line.strip() == "metadata:"]
        if cands:
            k = rng.choice(cands)
            lines.insert(k + 1, "  annotations: {kubelint.io/ignore: " + rng.choice(
                ["[KL010]", "7", "''", "'KL,,,'", "{a: b}", "'ALL'", "~"]) + "}")
    return _join(lines)


BYTE_OPS: List[Callable[[random.Random, bytes], bytes]] = [
    m_flip, m_insert_bytes, m_delete, m_truncate, m_duplicate_range, m_encoding]
TEXT_OPS_F: List[Callable[[random.Random, bytes], bytes]] = [
    m_duplicate_key, m_anchor_alias, m_alias_bomb, m_merge_key, m_deep, m_tag, m_split, m_tabs, m_indent,
    m_retype, m_retype, m_retype, m_huge, m_many_docs, m_empty, m_list_for_map, m_cel, m_cel, m_suppression]


def mutate(rng: random.Random, data: bytes, count: int) -> Tuple[bytes, List[str]]:
    applied = []
    for _ in range(count):
        op = rng.choice(TEXT_OPS_F) if rng.random() < 0.75 else rng.choice(BYTE_OPS)
        data = op(rng, data)
        applied.append(op.__name__)
    return data, applied


# -- a case -------------------------------------------------------------------------------------


class Case:
    def __init__(self, seed: int, number: int, manifests: List[Tuple[str, bytes]]) -> None:
        rng = random.Random(f"{seed}:{number}")
        self.seed, self.number = seed, number
        self.kind, scenario = _scenario(rng, manifests)
        self.mutations: List[str] = []
        targets = sorted(scenario)
        for rel in rng.sample(targets, min(len(targets), rng.randint(1, 4))):
            data, ops = mutate(rng, scenario[rel], rng.randint(1, 3))
            scenario[rel] = data
            self.mutations += [f"{rel}: {op}" for op in ops]
        self.config_mutated = any(m.startswith(".kubelint.yaml:") for m in self.mutations)
        self.files: Files = {"case/" + rel: data for rel, data in scenario.items()}
        # enough small files for --jobs 2 to fork (engine.PARALLEL_MIN_FILES is 48)
        for i in range(rng.choice([4, 50, 50, 60])):
            self.files[f"filler/f{i:02d}.yaml"] = (
                f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: filler-{i}\ndata:\n  k: \"{i}\"\n").encode()
        self.files[SENTINEL_PATH] = SENTINEL
        self.chart = self.kind == "chart"
        # The --jobs 2 run's engine.LATE_PARALLEL_MIN_OBJECTS (None: kubelint's own, 20,000):
        # the parallel cross-object stage starts there, far above a case's few hundred objects,
        # so most cases lower it and that stage is compared with --jobs 1's single process.
        # (Drawn apart, so that the files of a seed's cases stay what they were.)
        self.late_min: Optional[int] = random.Random(f"{seed}:{number}:late").choice([None, 0, 0, 0, 2, 40])
        self.late_reached = False  # whether the --jobs 2 run shared the cross-object stage out

    def write(self, folder: str) -> None:
        for rel, data in self.files.items():
            path = os.path.join(folder, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
        if self.chart:
            bin_dir = os.path.join(folder, ".bin")
            os.makedirs(bin_dir, exist_ok=True)
            helm = os.path.join(bin_dir, "helm")
            with open(helm, "w") as f:
                f.write(HELM_STAND_IN.replace("/usr/bin/env python3", sys.executable, 1))
            os.chmod(helm, 0o755)


FORMATS = ("json", "sarif", "github", "text")


def command(jobs: int, out: str) -> List[str]:
    args = [sys.executable, "-P", "-m", "kubelint.fastcli", "check", "--jobs", str(jobs), "--color", "never"]
    if jobs == 1:
        args.append("--no-cache")
    for fmt in FORMATS:
        args += ["-f", fmt, "-o", os.path.join(out, f"report-j{jobs}.{fmt}")]
    return args + ["case", "filler", "zz-sentinel"]


# What `kubelint check` imports (kubelint.cli excepted: fastcli defines it against its
# stand-in for typer in each run): imported once here, each run is a fork of this process
# that calls the real entry point, so a case costs its lint and not ~0.2 s of imports.
_PRELOAD = ("kubelint.engine", "kubelint.fastcli", "kubelint.graph", "kubelint.crd", "kubelint.custom",
            "kubelint.cel", "kubelint.config", "kubelint.admission.policy", "kubelint.admission.pod_security",
            "kubelint.formatters.sarif", "kubelint.formatters.github", "kubelint.formatters.text",
            "kubelint.formatters.json_format", "kubelint.formatters.fastjson", "kubelint.fastload",
            "kubelint.packing", "kubelint.validate", "kubelint.positions", "kubelint.deprecations", "pathspec")


def preload() -> None:
    import importlib

    for name in _PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def _late_hook(late_min: Optional[int], marker: str) -> None:
    """In the process that runs kubelint: the cross-object stage's threshold set to
    `late_min` (None: left alone), and a file written at `marker` when the stage is shared
    out between processes (engine._late_parts returns parts), so that the fuzzer can tell
    how often it reached that path."""
    from kubelint import engine

    if late_min is not None:
        engine.LATE_PARALLEL_MIN_OBJECTS = late_min
    parts_of = engine._late_parts

    def _late_parts(*args, **kwargs):  # type: ignore[no-untyped-def]
        parts = parts_of(*args, **kwargs)
        if parts is not None:
            with open(marker, "w") as f:
                f.write(f"{len(parts)} parts\n")
        return parts

    engine._late_parts = _late_parts


# the interpreter's program in --subprocess mode: _late_hook, then the real entry point
_BOOT = ("import os, sys; sys.path.insert(0, os.environ.pop('KUBELINT_FUZZ_DIR')); "
         "from fuzz import _late_hook; late = os.environ.pop('KUBELINT_FUZZ_LATE_MIN'); "
         "_late_hook(int(late) if late else None, os.environ.pop('KUBELINT_FUZZ_MARKER')); "
         "sys.argv[0] = 'kubelint'; from kubelint import fastcli; fastcli.main()")


def _run_forked(args: List[str], cwd: str, env: Dict[str, str], out: str, jobs: int,
                timeout: float, late_min: Optional[int] = None) -> Tuple[int, bytes, bytes]:
    """`kubelint check ...` (args after the interpreter's `-P -m kubelint.fastcli`) in a fork
    of this process: (exit code, stdout, stderr). An exception that escapes the entry point
    is printed as the traceback an interpreter would print (a problem). `late_min`:
    _late_hook's."""
    stdout, stderr = os.path.join(out, f"stdout-j{jobs}"), os.path.join(out, f"stderr-j{jobs}")
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 70
        try:
            import atexit

            atexit._clear()  # the entry point runs the exit hooks: not this process's (temporary folders)
            os.chdir(cwd)
            os.environ.clear()
            os.environ.update(env)
            for fd, path in ((1, stdout), (2, stderr)):
                os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), fd)
            sys.argv = ["kubelint"] + args
            _late_hook(late_min, os.path.join(out, f"late-parallel-j{jobs}"))
            from kubelint import fastcli

            fastcli.main()  # ends the process itself
            code = 0
        except SystemExit as e:  # typer's path
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            raise subprocess.TimeoutExpired(args, timeout)
        time.sleep(0.005)
    code = os.waitstatus_to_exitcode(status)
    with open(stdout, "rb") as f, open(stderr, "rb") as g:
        return code, f.read(), g.read()


FORK = hasattr(os, "fork")


def _env(folder: str, jobs: int) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBELINT_", "GITHUB_"))}
    env["KUBELINT_CACHE_DIR"] = os.path.join(folder, f".cache-j{jobs}")
    env["PATH"] = os.pathsep.join([os.path.join(folder, ".bin"), env.get("PATH", "")])
    env["NO_COLOR"] = "1"
    return env


_SARIF_VALIDATOR = None


def _sarif_errors(report: str) -> List[str]:
    global _SARIF_VALIDATOR
    if _SARIF_VALIDATOR is None:
        import jsonschema

        with open(os.path.join(ROOT, "tests", "sarif-schema-2.1.0.json")) as f:
            _SARIF_VALIDATOR = jsonschema.Draft7Validator(json.load(f))
    try:
        doc = json.loads(report)
    except ValueError as e:
        return [f"sarif report is not JSON: {e}"]
    return [f"sarif: {e.message[:200]} at {list(e.absolute_path)}" for e in _SARIF_VALIDATOR.iter_errors(doc)][:3]


def _children_cpu() -> float:
    """CPU seconds of this process's children that ended and were waited for."""
    import resource

    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


_TIME = re.compile(r"\(\d+(\.\d+)?m?s\)")


def check_case(case: Case, folder: str, timeout: float) -> List[str]:
    """Runs kubelint on the case's folder twice; the problems found (none: all is well)."""
    problems: List[str] = []
    out = os.path.join(folder, ".reports")
    os.makedirs(out, exist_ok=True)
    runs = {}
    for jobs in (1, 2):
        start = time.monotonic()
        cpu_start = _children_cpu()
        late_min = case.late_min if jobs == 2 else None
        marker = os.path.join(out, f"late-parallel-j{jobs}")
        if os.path.exists(marker):
            os.remove(marker)  # (a folder checked again)
        try:
            if FORK:
                returncode, out_b, err_b = _run_forked(command(jobs, out)[4:], folder, _env(folder, jobs),
                                                       out, jobs, timeout, late_min)
            else:
                env = _env(folder, jobs)
                env.update(KUBELINT_FUZZ_DIR=os.path.dirname(os.path.abspath(__file__)),
                           KUBELINT_FUZZ_LATE_MIN="" if late_min is None else str(late_min),
                           KUBELINT_FUZZ_MARKER=marker)
                proc = subprocess.run([sys.executable, "-P", "-c", _BOOT] + command(jobs, out)[4:],
                                      cwd=folder, env=env, capture_output=True, timeout=timeout)
                returncode, out_b, err_b = proc.returncode, proc.stdout, proc.stderr
        except subprocess.TimeoutExpired:
            problems.append(f"--jobs {jobs}: no answer within {timeout:.0f} s")
            continue
        elapsed = time.monotonic() - start
        cpu = _children_cpu() - cpu_start
        stderr = err_b.decode("utf-8", "replace")
        stdout = out_b.decode("utf-8", "replace")
        reports = {}
        for fmt in FORMATS:
            try:
                with open(os.path.join(out, f"report-j{jobs}.{fmt}"), "rb") as f:
                    reports[fmt] = f.read().decode("utf-8", "replace")
            except OSError:
                reports[fmt] = None
        runs[jobs] = (returncode, stderr, reports, elapsed)
        if jobs == 2:
            case.late_reached = os.path.exists(marker)
        # (CPU seconds, of the run and the processes it waited for: the wall clock of a
        # campaign at nice 19 beside busy processes says more about them, 70-100 s for cases
        # that take 3 s alone; a run that hangs without working meets the timeout)
        if cpu > timeout / 2:
            problems.append(f"--jobs {jobs}: took {cpu:.1f} s of CPU ({elapsed:.1f} s)")
        if "Traceback" in stderr or "Traceback" in stdout:
            problems.append(f"--jobs {jobs}: traceback: {stderr.strip().splitlines()[-1] if stderr.strip() else stdout[-300:]}")
        if "internal error" in stderr and "Traceback" not in stderr:
            problems.append(f"--jobs {jobs}: {stderr.strip()[:300]}")
        if returncode == 2 and case.config_mutated and stderr.startswith("kubelint: ") \
                and "internal error" not in stderr and "Traceback" not in stderr:
            continue  # a deliberate bad config: exit 2 and what is wrong, no reports to compare
        if returncode not in (0, 1):
            problems.append(f"--jobs {jobs}: exit code {returncode}: {stderr.strip()[:300]}")
            continue
        for fmt, text in reports.items():
            if text is None:
                problems.append(f"--jobs {jobs}: no {fmt} report")
            elif "internal error" in text and fmt == "json":  # (the same in every format)
                line = next(l for l in text.splitlines() if "internal error" in l)
                problems.append(f"--jobs {jobs}: internal error in the report: {line.strip()[:300]}")
        if reports.get("json") is not None:
            problems += [f"--jobs {jobs}: {p}" for p in _check_json(case, reports["json"])]
        if reports.get("sarif") is not None:
            problems += [f"--jobs {jobs}: {p}" for p in _sarif_errors(reports["sarif"])]
    if len(runs) == 2:
        (rc1, err1, rep1, _), (rc2, err2, rep2, _) = runs[1], runs[2]
        if rc1 != rc2:
            problems.append(f"exit codes differ: --jobs 1 {rc1}, --jobs 2 {rc2}")
        for fmt in FORMATS:
            a, b = rep1.get(fmt), rep2.get(fmt)
            if fmt in ("text", "github") and a and b:  # their summary line holds the time
                a, b = _TIME.sub("(T)", a), _TIME.sub("(T)", b)
            if a != b:
                problems.append(f"the {fmt} reports of --jobs 1 and --jobs 2 differ")
    return problems


def _in_render(rel: str, case: Case) -> bool:
    """Files kubelint reads through a kustomize root or a chart (not walked one by one)."""
    return rel.startswith(("case/base/", "case/overlays/", "case/chart/"))


def _check_json(case: Case, report: str) -> List[str]:
    try:
        doc = json.loads(report)
    except ValueError as e:
        return [f"json report is not JSON: {e}"]
    problems = []
    findings = doc.get("findings", [])
    named = {f.get("path") for f in findings}
    for f in findings:
        named.update(r.get("path") for r in f.get("related") or [])
    skipped = {s.get("path") for s in doc.get("skipped", [])}
    summary = doc.get("summary", {})
    walked = [rel for rel in case.files if rel.endswith((".yaml", ".yml", ".json"))
              and not _in_render(rel, case) and os.path.basename(rel) != ".kubelint.yaml"]
    if not (b"exclude" in case.files.get("case/.kubelint.yaml", b"")):
        missing = [rel for rel in walked if rel not in named and rel not in skipped]
        # the files neither named nor skipped must be in the summary's count of linted files
        linted = summary.get("files", 0)
        unnamed_linted = len([rel for rel in walked if rel not in skipped])
        if linted < unnamed_linted:
            problems.append(f"summary counts {linted} files but {unnamed_linted} were linted "
                            f"(not named: {missing[:5]})")
    if not any((f.get("path"), f.get("code"), f.get("line")) == (SENTINEL_PATH, SENTINEL_FINDING[0], SENTINEL_FINDING[1])
               for f in findings):
        problems.append(f"the sentinel's {SENTINEL_FINDING[0]} at {SENTINEL_PATH}:{SENTINEL_FINDING[1]} is missing")
    for f in findings:
        if not isinstance(f.get("line"), int) or f["line"] < 1 or f.get("column", 0) < 1:
            problems.append(f"finding without a position: {f.get('path')} {f.get('code')} {f.get('line')}:{f.get('column')}")
            break
    return problems


def keep(case: Case, folder: str, problems: List[str], keep_dir: str) -> str:
    dest = os.path.join(keep_dir, f"seed{case.seed}-case{case.number}")
    if os.path.exists(dest):
        shutil.rmtree(dest)
    shutil.copytree(folder, dest, symlinks=True, ignore=shutil.ignore_patterns(".cache-j*"))
    with open(os.path.join(dest, "PROBLEMS.txt"), "w") as f:
        f.write(f"seed {case.seed} case {case.number} ({case.kind})\n")
        f.write("mutations:\n" + "".join(f"  {m}\n" for m in case.mutations))
        f.write("problems:\n" + "".join(f"  {p}\n" for p in problems))
        f.write("replay: python tests/fuzzing/fuzz.py --seed %d --case %d\n" % (case.seed, case.number))
        f.write("by hand, in this folder: PATH=$PWD/.bin:$PATH kubelint check --jobs 1 case filler zz-sentinel\n")
    return dest


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--case", type=int, default=None, help="run only this case of the seed")
    parser.add_argument("--start", type=int, default=0, help="first case number")
    parser.add_argument("--keep", default="fuzz-problems", help="folder for problem cases")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per kubelint run")
    parser.add_argument("--subprocess", action="store_true",
                        help="run each kubelint in a new interpreter (default: a fork of this one)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    global FORK
    FORK = FORK and not args.subprocess
    if FORK:
        preload()
    manifests = _manifests()
    numbers = [args.case] if args.case is not None else range(args.start, args.start + args.runs)
    problems_total = 0
    reached = 0
    started = time.monotonic()
    for done, n in enumerate(numbers):
        if done and done % 100 == 0:
            print(f"... {done} cases, {problems_total} with problems ({time.monotonic() - started:.0f} s)",
                  file=sys.stderr, flush=True)
        case = Case(args.seed, n, manifests)
        with tempfile.TemporaryDirectory(prefix="kubelint-fuzz-") as folder:
            case.write(folder)
            problems = check_case(case, folder, args.timeout)
            reached += case.late_reached
            if problems:
                problems_total += 1
                dest = keep(case, folder, problems, args.keep)
                print(f"seed {args.seed} case {n} ({case.kind}): {len(problems)} problem(s), kept in {dest}",
                      file=sys.stderr)
                for p in problems:
                    print(f"  {p}", file=sys.stderr)
            elif args.verbose:
                late = "parallel" if case.late_reached else f"one process (threshold {case.late_min})"
                print(f"seed {args.seed} case {n} ({case.kind}): ok, cross stage {late}  "
                      f"{'; '.join(case.mutations)[:150]}", file=sys.stderr)
    print(f"runs: {len(numbers)}, problems: {problems_total} ({time.monotonic() - started:.0f} s, seed {args.seed}); "
          f"the parallel cross-object stage ran in {reached}")
    return 1 if problems_total else 0


if __name__ == "__main__":
    sys.exit(main())
