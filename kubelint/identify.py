"""apiVersion/kind of an object: which schema validates it, or why none does.

A missing schema must never silently pass a removed API: `extensions/v1beta1` is removed, not
unknown. Removals and their replacements come from deprecations.py.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, Optional, Tuple

from . import k8s_schema
from .model import Fix, Violation


def removed(api_version: str, kind: str, target: str) -> Optional[Tuple[str, Optional[str]]]:
    """(removed in, replacement apiVersion or sentence, or None) if this apiVersion/kind is
    gone in `target` (deprecations.py derives it from the bundled schemas)."""
    global _removal
    if _removal is None:
        from .deprecations import removed as _removal
    return _removal(api_version, kind, target)


_removal: Any = None  # deprecations.removed (a function-level import costs microseconds)


def close(word: str, candidates) -> Optional[str]:
    """The best "did you mean" for `word`: a case-insensitive match first, then edit distance."""
    candidates = list(candidates)
    lower = word.lower()
    for c in candidates:
        if c.lower() == lower and c != word:
            return c
    prefixed = [c for c in candidates if len(word) >= 3 and c.lower().startswith(lower)]
    if len(prefixed) == 1:  # an abbreviation: int -> integer, bool -> boolean
        return prefixed[0]
    import difflib

    match = difflib.get_close_matches(word, candidates, n=1, cutoff=0.75)
    return match[0] if match else None


# Identity outcomes: ("ok", None) validate with the bundled schema; ("custom", None) a
# custom resource (CRDs may know it); ("bad", violation-with-code) stop here.
# (apiVersion, kind, version) found fine: the answer is the same for every object of them
# (most of a run's objects share a handful), so it is worked out once
_FINE: set = set()


def identify(data: dict, version: str) -> Iterator[Tuple[str, Violation]]:
    """Violations (code, violation) for the apiVersion/kind of `data`; empty if fine."""
    api_version, kind = data.get("apiVersion"), data.get("kind")
    if api_version.__class__ is str and kind.__class__ is str and (api_version, kind, version) in _FINE:
        return
    missing = [f for f, v in (("apiVersion", api_version), ("kind", kind)) if v is None or v == ""]
    if missing:
        what = " and ".join(f"`{m}`" for m in missing)
        # `Kind: Pod`, `apiversion: v1`, `api_version: v1`: a misspelt key, not a missing one
        near = {m: [k for k in data if isinstance(k, str) and k != m
                    and k.replace("_", "").replace("-", "").lower() == m.lower()] for m in missing}
        for m in missing:
            for key in near[m]:
                yield "KL005", Violation(f"not a Kubernetes object: missing `{m}`, found `{key}`; "
                                         f"did you mean `{m}`?", (key,), "key",
                                         hint="field names are case-sensitive")
        if any(near.values()):
            return
        yield "KL005", Violation(
            f"not a Kubernetes object: missing {what}", (),
            hint="every manifest needs `apiVersion` and `kind`; exclude non-Kubernetes YAML "
                 "with `exclude:` in .kubelint.yaml")
        return
    for field, value in (("apiVersion", api_version), ("kind", kind)):
        if not isinstance(value, str):
            yield "KL005", Violation(f"`{field}` must be a string, found {type_name(value)}",
                                     (field,))
            return
    if removed(api_version, kind, version) is None and k8s_schema.may_be_custom(api_version, version):
        _FINE.add((api_version, kind, version))
        return  # a custom resource: its CRD (input, --crd) validates it, else KL015
    served = k8s_schema.index(version)
    kinds = served.get(api_version)
    if kinds is not None and kind in kinds:
        _FINE.add((api_version, kind, version))
        return
    gone = removed(api_version, kind, version)
    if gone is not None:
        from .deprecations import removal_violation

        fix = None
        use = gone[1] if gone[1] and " " not in gone[1] else None
        canonical = next((k for k in served.get(use, ()) if k.lower() == kind.lower()), None) \
            if use else None
        if canonical is not None:
            from .migrate import removed_api_fix

            fix = removed_api_fix(data, api_version, canonical, use)
            if fix is not None and canonical != kind:
                fix = fix._replace(ops=fix.ops + (("set", ("kind",), canonical),))
        v = removal_violation(api_version, kind, version)
        if v is not None:
            yield "KL013", v._replace(fix=fix)
            return
    by_lower = k8s_schema.kinds_by_lower(version).get(kind.lower(), {})
    if kind not in by_lower and by_lower:
        canonical = next(iter(by_lower))
        where = by_lower[canonical]
        better = api_version if api_version in where else where[-1]
        ops = (("set", ("kind",), canonical),) + (
            () if better == api_version else (("set", ("apiVersion",), better),))
        yield "KL011", Violation(
            f"unknown kind `{kind}`: kinds are case-sensitive; did you mean `{canonical}`?",
            ("kind",), hint=f"kind: {canonical}" + ("" if better == api_version
                                                  else f" (apiVersion: {better})"),
            fix=Fix(f"write `kind: {canonical}`", ops))
        return
    if kind in by_lower:
        where = by_lower[kind]
        better = _preferred(where)
        yield "KL012", Violation(
            f"apiVersion `{api_version}` does not serve kind {kind}; "
            f"{kind} is served by {', '.join(where)}", ("apiVersion",),
            hint=f"apiVersion: {better}",
            fix=Fix(f"write `apiVersion: {better}`", (("set", ("apiVersion",), better),)))
        return
    from .deprecations import kind_removed

    gone_kind = kind_removed(api_version, kind, version)
    if gone_kind is not None:
        yield "KL013", gone_kind
        return
    if kinds is None:
        groups = sorted(served)
        guess = close(api_version, groups)
        yield "KL014", Violation(
            f"unknown apiVersion `{api_version}` in Kubernetes {version}"
            + (f"; did you mean `{guess}`?" if guess else ""), ("apiVersion",))
        return
    guess = close(kind, kinds)
    yield "KL014", Violation(
        f"unknown kind `{kind}` for apiVersion {api_version}"
        + (f"; did you mean `{guess}`?" if guess else ""), ("kind",))


def _preferred(api_versions) -> str:
    """The GA version if any: apps/v1 over apps/v1beta2."""
    ga = [v for v in api_versions if v.rsplit("/", 1)[-1].rstrip("0123456789") == "v"]
    return (ga or list(api_versions))[-1]


def type_name(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "mapping"
