"""apiVersion/kind of an object: which schema validates it, or why none does.

A missing schema must never silently pass a removed API: `extensions/v1beta1` is removed, not
unknown. The table follows the Kubernetes deprecated API migration guide.
"""

from __future__ import annotations

from typing import Dict, Iterator, Optional, Tuple

from . import k8s_schema
from .model import Fix, Violation

# apiVersion -> {kind: (release that removed it, replacement apiVersion)}; "*" = every kind.
REMOVED: Dict[str, Dict[str, Tuple[str, str]]] = {
    "extensions/v1beta1": {
        "Deployment": ("1.16", "apps/v1"), "DaemonSet": ("1.16", "apps/v1"),
        "ReplicaSet": ("1.16", "apps/v1"), "NetworkPolicy": ("1.16", "networking.k8s.io/v1"),
        "PodSecurityPolicy": ("1.16", "policy/v1beta1"), "Ingress": ("1.22", "networking.k8s.io/v1")},
    "apps/v1beta1": {"*": ("1.16", "apps/v1")},
    "apps/v1beta2": {"*": ("1.16", "apps/v1")},
    "networking.k8s.io/v1beta1": {"*": ("1.22", "networking.k8s.io/v1")},
    "rbac.authorization.k8s.io/v1alpha1": {"*": ("1.22", "rbac.authorization.k8s.io/v1")},
    "rbac.authorization.k8s.io/v1beta1": {"*": ("1.22", "rbac.authorization.k8s.io/v1")},
    "admissionregistration.k8s.io/v1beta1": {"*": ("1.22", "admissionregistration.k8s.io/v1")},
    "apiextensions.k8s.io/v1beta1": {"*": ("1.22", "apiextensions.k8s.io/v1")},
    "apiregistration.k8s.io/v1beta1": {"*": ("1.22", "apiregistration.k8s.io/v1")},
    "authentication.k8s.io/v1beta1": {"*": ("1.22", "authentication.k8s.io/v1")},
    "authorization.k8s.io/v1beta1": {"*": ("1.22", "authorization.k8s.io/v1")},
    "certificates.k8s.io/v1beta1": {"*": ("1.22", "certificates.k8s.io/v1")},
    "coordination.k8s.io/v1beta1": {"*": ("1.22", "coordination.k8s.io/v1")},
    "scheduling.k8s.io/v1alpha1": {"*": ("1.22", "scheduling.k8s.io/v1")},
    "scheduling.k8s.io/v1beta1": {"*": ("1.22", "scheduling.k8s.io/v1")},
    "storage.k8s.io/v1beta1": {"CSIStorageCapacity": ("1.27", "storage.k8s.io/v1"),
                               "*": ("1.22", "storage.k8s.io/v1")},
    "batch/v2alpha1": {"*": ("1.21", "batch/v1")},
    "batch/v1beta1": {"*": ("1.25", "batch/v1")},
    "discovery.k8s.io/v1beta1": {"*": ("1.25", "discovery.k8s.io/v1")},
    "events.k8s.io/v1beta1": {"*": ("1.25", "events.k8s.io/v1")},
    "autoscaling/v2beta1": {"*": ("1.25", "autoscaling/v2")},
    "autoscaling/v2beta2": {"*": ("1.26", "autoscaling/v2")},
    "policy/v1beta1": {"PodDisruptionBudget": ("1.25", "policy/v1"),
                       "PodSecurityPolicy": ("1.25", "nothing: use Pod Security Admission")},
    "node.k8s.io/v1beta1": {"*": ("1.25", "node.k8s.io/v1")},
    "flowcontrol.apiserver.k8s.io/v1beta1": {"*": ("1.26", "flowcontrol.apiserver.k8s.io/v1")},
    "flowcontrol.apiserver.k8s.io/v1beta2": {"*": ("1.29", "flowcontrol.apiserver.k8s.io/v1")},
    "flowcontrol.apiserver.k8s.io/v1beta3": {"*": ("1.32", "flowcontrol.apiserver.k8s.io/v1")},
}


def _ver(v: str) -> Tuple[int, ...]:
    return tuple(int(x) for x in v.split("."))


def removed(api_version: str, kind: str, target: str) -> Optional[Tuple[str, str]]:
    """(removed in, replacement) if this apiVersion/kind is gone in `target`."""
    kinds = REMOVED.get(api_version) or {}
    entry = kinds.get(kind) or kinds.get("*")
    if entry is None or _ver(entry[0]) > _ver(target):
        return None
    return entry


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
def identify(data: dict, version: str) -> Iterator[Tuple[str, Violation]]:
    """Violations (code, violation) for the apiVersion/kind of `data`; empty if fine."""
    api_version, kind = data.get("apiVersion"), data.get("kind")
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
        return  # a custom resource: its CRD (input, --crd) validates it, else KL015
    served = k8s_schema.index(version)
    kinds = served.get(api_version)
    if kinds is not None and kind in kinds:
        return
    gone = removed(api_version, kind, version)
    if gone is not None:
        fix = None
        canonical = next((k for k in served.get(gone[1], ()) if k.lower() == kind.lower()), None)
        if canonical is not None:
            from .migrate import removed_api_fix

            fix = removed_api_fix(data, api_version, canonical, gone[1])
            if fix is not None and canonical != kind:
                fix = fix._replace(ops=fix.ops + (("set", ("kind",), canonical),))
        yield "KL013", Violation(
            f"{api_version} {kind} was removed in Kubernetes {gone[0]} (target {version}); "
            f"use {gone[1]}", ("apiVersion",), hint=f"apiVersion: {gone[1]}", fix=fix)
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
