"""A differential mutation engine: change one field of a valid manifest, and compare kubelint's
verdict with the API server's, taken from a table derived from its validation code.

A Row says where to mutate (a path pattern), how (set a value, delete the field, or a
function), on which kinds, and what the API server does with the result: "reject" (an error
response), "warn" (accepted with a warning) or "accept". Every row names the Go function
whose behaviour it encodes, so a disagreement can be settled by reading that function.

Path patterns are tuples of keys; "*" stands for every item of a list and "{pod}" for the
pod spec of the object's kind (spec.template.spec, spec.jobTemplate.spec.template.spec...).
The last key may be absent from the object for a "set" (the field is added); everything
before it must exist, so rows only apply where they make sense.

Only kubelint's API-server families count for the verdict: KL0xx (input and schema) and
KL1xx (what the API server rejects beyond the schema). Cross-object, security and
best-practice rules model no API-server behaviour.
"""

from __future__ import annotations

import copy
import json
import os
import random
from typing import Any, Callable, Dict, Iterator, List, NamedTuple, Optional, Tuple, Union

from kubelint.checks.k8s import POD_SPEC_PATHS

DELETE = object()  # the op that removes the field


class Row(NamedTuple):
    name: str
    path: Tuple[Any, ...]
    op: Any  # a value to set, DELETE, or fn(parent, key) that edits the parent in place
    verdict: Union[str, Callable[[dict, tuple], str]]  # "reject" | "warn" | "accept", or fn(obj, pointer)
    go: str  # the Kubernetes function whose behaviour this row encodes
    code: Optional[str] = None  # the kubelint rule expected to report it (reject/warn)
    kinds: Optional[Tuple[str, ...]] = None  # None: every kind that has the path
    version: Optional[str] = None  # --kubernetes-version for this row (None: newest)


class Case(NamedTuple):
    row: Row
    source: str  # "realistic-app.yaml#6": fixture file and document index
    pointer: Tuple[Any, ...]
    obj: dict  # the mutated object

    def describe(self) -> str:
        where = ".".join(str(p) for p in self.pointer)
        return f"{self.row.name} [{self.row.go}] on {self.obj.get('kind')} {self.source} at {where}"


def load_fixtures(paths: List[str]) -> List[Tuple[str, dict]]:
    """(source, object) of every object in the given manifest files."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    out = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for i, doc in enumerate(yaml.load_all(f)):
                if isinstance(doc, dict) and doc.get("kind"):
                    out.append((f"{os.path.basename(path)}#{i}", json.loads(json.dumps(doc))))
    return out


def _expand(data: Any, pattern: Tuple[Any, ...], kind: str, base: Tuple[Any, ...] = ()) -> Iterator[Tuple[Any, ...]]:
    if len(pattern) == 1:
        if pattern[0] == "*":
            if isinstance(data, list):
                yield from (base + (i,) for i in range(len(data)))
            elif isinstance(data, dict):
                yield from (base + (k,) for k in data)
        elif isinstance(data, dict):
            yield base + (pattern[0],)
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*" and isinstance(data, dict):  # every value of a map (labels, requests)
        for key, item in data.items():
            yield from _expand(item, rest, kind, base + (key,))
        return
    if head == "{pod}":
        pod = POD_SPEC_PATHS.get(kind)
        if pod is not None:
            yield from _expand(data, pod + rest, kind, base)
    elif head == "*":
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield from _expand(item, rest, kind, base + (i,))
    elif isinstance(data, dict) and head in data:
        yield from _expand(data[head], rest, kind, base + (head,))


def _parent(obj: Any, pointer: Tuple[Any, ...]) -> Any:
    for part in pointer[:-1]:
        obj = obj[part]
    return obj


def mutate(obj: dict, pointer: Tuple[Any, ...], op: Any) -> Optional[dict]:
    """A mutated deep copy, or None when the op does not apply (e.g. deleting a missing key)."""
    out = copy.deepcopy(obj)
    parent, key = _parent(out, pointer), pointer[-1]
    if op is DELETE:
        if isinstance(parent, dict) and key in parent:
            del parent[key]
        elif isinstance(parent, list) and isinstance(key, int):
            del parent[key]
        else:
            return None
    elif callable(op):
        if op(parent, key) is False:
            return None
    else:
        if isinstance(parent, dict) and parent.get(key, object()) == op:
            return None  # already that value: not a mutation
        parent[key] = copy.deepcopy(op)
    return out


def cases(fixtures: List[Tuple[str, dict]], rows: List[Row]) -> List[Case]:
    out = []
    for row in rows:
        for source, obj in fixtures:
            kind = obj.get("kind", "")
            if row.kinds is not None and kind not in row.kinds:
                continue
            for pointer in _expand(obj, row.path, kind):
                mutated = mutate(obj, pointer, row.op)
                if mutated is not None:
                    out.append(Case(row, source, pointer, mutated))
    return out


def sample(all_cases: List[Case], budget: Optional[int], seed: int) -> List[Case]:
    """`budget` cases chosen with `seed`, every row represented first; all when budget is None."""
    if budget is None or budget >= len(all_cases):
        return list(all_cases)
    rng = random.Random(seed)
    by_row: Dict[str, List[Case]] = {}
    for case in all_cases:
        by_row.setdefault(case.row.name, []).append(case)
    chosen = [rng.choice(group) for group in by_row.values()]
    rest = [c for c in all_cases if c not in chosen]
    rng.shuffle(rest)
    return chosen + rest[: max(0, budget - len(chosen))]


def _api_findings(result: Any) -> Dict[str, List[Any]]:
    by_path: Dict[str, List[Any]] = {}
    for f in result.findings:
        if f.code.startswith(("KL0", "KL1")) and f.code != "KL090":
            by_path.setdefault(f.path, []).append(f)
    return by_path


def evaluate(selected: List[Case], fixtures: List[Tuple[str, dict]], folder: str) -> List[str]:
    """Lint every case in one engine run per Kubernetes version; the disagreements, as
    sentences (empty when kubelint agrees with the table everywhere)."""
    from kubelint.engine import Settings, run

    problems = []
    versions = sorted({c.row.version or "" for c in selected})
    for version in versions:
        group = [c for c in selected if (c.row.version or "") == version]
        paths, baseline_paths = [], {}
        for source, obj in fixtures:
            path = os.path.join(folder, f"base-{version}-{len(baseline_paths)}.yaml")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(obj, f, indent=1)
            baseline_paths[source] = path
        for i, case in enumerate(group):
            path = os.path.join(folder, f"case-{version}-{i}.yaml")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(case.obj, f, indent=1)
            paths.append(path)
        settings = Settings(kubernetes_version=version or None)
        found = _api_findings(run(list(baseline_paths.values()) + paths, settings))
        for case, path in zip(group, paths):
            base = {(f.code, f.message) for f in found.get(baseline_paths[case.source], [])}
            new = [f for f in found.get(path, []) if (f.code, f.message) not in base]
            errors = [f for f in new if f.severity.label == "error"]
            warnings = [f for f in new if f.severity.label == "warning"]
            expected = case.row.verdict(case.obj, case.pointer) if callable(case.row.verdict) \
                else case.row.verdict
            got = "reject" if errors else "warn" if warnings else "accept"
            if expected == "accept" and got == "warn":
                got = "accept"  # accepted either way; kubelint may add advice (e.g. KL106)
            shown = "; ".join(f"{f.code} {f.message}" for f in new)[:400]
            crashed = [f for f in new if "internal error in" in f.message]
            if crashed:  # a check raised: never a verdict
                problems.append(f"{case.describe()}: a check crashed ({crashed[0].message})")
                continue
            if got != expected:
                problems.append(f"{case.describe()}: the API server would {expected}, kubelint says "
                                f"{got}" + (f" ({shown})" if shown else ""))
            elif got != "accept" and case.row.code and case.row.code not in {f.code for f in new}:
                problems.append(f"{case.describe()}: {got} as expected, but not by {case.row.code} "
                                f"({shown})")
    return problems
