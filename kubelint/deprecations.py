"""Removed and deprecated API versions, and what an upgrade to a target version breaks.

Within the bundled Kubernetes versions (1.25 onwards) removals and replacements are derived
from the bundled schema index: an apiVersion/kind served by one version and by none after it
was removed in the next. Only removals before the oldest bundled version and the release
notes' deprecation dates are kept by hand. A replacement is suggested only when the version
in question serves it. identify.py (KL013) and the engine (KL016) call the functions here.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Tuple

from . import k8s_schema
from .model import Violation

PSA = "Pod Security Admission (pod-security.kubernetes.io/* namespace labels)"

# Removed before 1.25, the oldest bundled version: apiVersion -> (removed in, {kind:
# replacement}); a kind removed in another release than its group/version says is in
# OLD_KIND_REMOVED.
# Kinds are listed: a group/version catch-all would claim kinds added to it later
# (networking.k8s.io/v1beta1 ServiceCIDR, storage.k8s.io/v1beta1 VolumeAttributesClass...).
OLD_REMOVALS: Dict[str, Tuple[str, Dict[str, str]]] = {
    "extensions/v1beta1": ("1.16", {
        "Deployment": "apps/v1", "DaemonSet": "apps/v1", "ReplicaSet": "apps/v1",
        "NetworkPolicy": "networking.k8s.io/v1", "PodSecurityPolicy": PSA,
        "Ingress": "networking.k8s.io/v1"}),
    "apps/v1beta1": ("1.16", {k: "apps/v1" for k in ("Deployment", "StatefulSet",
                                                      "ControllerRevision", "ReplicaSet",
                                                      "DaemonSet")}),
    "apps/v1beta2": ("1.16", {k: "apps/v1" for k in ("Deployment", "StatefulSet",
                                                      "ControllerRevision", "ReplicaSet",
                                                      "DaemonSet")}),
    "batch/v2alpha1": ("1.21", {"CronJob": "batch/v1"}),
    "networking.k8s.io/v1beta1": ("1.22", {"Ingress": "networking.k8s.io/v1",
                                           "IngressClass": "networking.k8s.io/v1"}),
    "rbac.authorization.k8s.io/v1alpha1": ("1.22", {k: "rbac.authorization.k8s.io/v1" for k in (
        "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding")}),
    "rbac.authorization.k8s.io/v1beta1": ("1.22", {k: "rbac.authorization.k8s.io/v1" for k in (
        "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding")}),
    "admissionregistration.k8s.io/v1beta1": ("1.22", {
        "MutatingWebhookConfiguration": "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration": "admissionregistration.k8s.io/v1"}),
    "apiextensions.k8s.io/v1beta1": ("1.22", {"CustomResourceDefinition": "apiextensions.k8s.io/v1"}),
    "apiregistration.k8s.io/v1beta1": ("1.22", {"APIService": "apiregistration.k8s.io/v1"}),
    "authentication.k8s.io/v1beta1": ("1.22", {"TokenReview": "authentication.k8s.io/v1"}),
    "authorization.k8s.io/v1beta1": ("1.22", {k: "authorization.k8s.io/v1" for k in (
        "SubjectAccessReview", "LocalSubjectAccessReview", "SelfSubjectAccessReview",
        "SelfSubjectRulesReview")}),
    "certificates.k8s.io/v1beta1": ("1.22", {"CertificateSigningRequest": "certificates.k8s.io/v1"}),
    "coordination.k8s.io/v1beta1": ("1.22", {"Lease": "coordination.k8s.io/v1"}),
    "scheduling.k8s.io/v1alpha1": ("1.22", {"PriorityClass": "scheduling.k8s.io/v1"}),
    "scheduling.k8s.io/v1beta1": ("1.22", {"PriorityClass": "scheduling.k8s.io/v1"}),
    "storage.k8s.io/v1beta1": ("1.22", {k: "storage.k8s.io/v1" for k in (
        "StorageClass", "VolumeAttachment", "CSIDriver", "CSINode")}),
    "batch/v1beta1": ("1.25", {"CronJob": "batch/v1"}),
    "discovery.k8s.io/v1beta1": ("1.25", {"EndpointSlice": "discovery.k8s.io/v1"}),
    "events.k8s.io/v1beta1": ("1.25", {"Event": "events.k8s.io/v1"}),
    "autoscaling/v2beta1": ("1.25", {"HorizontalPodAutoscaler": "autoscaling/v2"}),
    "policy/v1beta1": ("1.25", {"PodDisruptionBudget": "policy/v1", "PodSecurityPolicy": PSA}),
    "node.k8s.io/v1beta1": ("1.25", {"RuntimeClass": "node.k8s.io/v1"}),
}

OLD_KIND_REMOVED: Dict[Tuple[str, str], str] = {("extensions/v1beta1", "Ingress"): "1.22"}

# The release that announced the deprecation, for API versions the bundled versions still
# serve (their removal release is derived). "*": every kind of the group/version.
DEPRECATED_SINCE: Dict[Tuple[str, str], str] = {
    ("autoscaling/v2beta2", "*"): "1.23",
    ("flowcontrol.apiserver.k8s.io/v1beta1", "*"): "1.23",
    ("flowcontrol.apiserver.k8s.io/v1beta2", "*"): "1.26",
    ("flowcontrol.apiserver.k8s.io/v1beta3", "*"): "1.29",
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity"): "1.24",
    ("v1", "ComponentStatus"): "1.19",
}


def _ver(v: str) -> Tuple[int, ...]:
    return tuple(int(x) for x in v.split("."))


def _group(api_version: str) -> str:
    return api_version.split("/", 1)[0] if "/" in api_version else ""


def _stability(api_version: str) -> Tuple[int, int]:
    """v1 > v1beta2 > v1beta1 > v1alpha1: (level, number) to sort by."""
    import re

    m = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", api_version.rsplit("/", 1)[-1])
    if not m:
        return (0, 0)
    level = {"alpha": 1, "beta": 2, None: 3}[m.group(2)]
    return (level * 1000 + int(m.group(1)), int(m.group(3) or 0))


@lru_cache(maxsize=None)
def _history() -> Dict[Tuple[str, str], List[str]]:
    """{(apiVersion, kind): [bundled versions that serve it]}, kept in the prepared cache
    (one file instead of the 13 versions' indexes: ~1.5 ms)."""
    import zlib

    from .cache import cached_json

    stamps = "-".join(k8s_schema._stamp(v, False) for v in k8s_schema.versions())
    rows = cached_json("schemas", f"{zlib.crc32(stamps.encode()):08x}", "history.json",
                       lambda: [[a, k, v] for (a, k), v in _history_of_indexes().items()])
    return {(api_version, kind): served for api_version, kind, served in rows}


def _history_of_indexes() -> Dict[Tuple[str, str], List[str]]:
    out: Dict[Tuple[str, str], List[str]] = {}
    for v in k8s_schema.versions():
        for api_version, kinds in k8s_schema.index(v).items():
            for kind in kinds:
                out.setdefault((api_version, kind), []).append(v)
    return out


def serves(version: str, api_version: str, kind: str) -> bool:
    return kind in k8s_schema.index(version).get(api_version, {})


def removed_in(api_version: str, kind: str) -> Optional[str]:
    """The release that stopped serving apiVersion/kind, or None if the newest bundled
    version serves it (or it never existed)."""
    latest = k8s_schema.latest_version()
    if serves(latest, api_version, kind):
        return None
    served = _history().get((api_version, kind))
    if served:
        versions = k8s_schema.versions()
        return versions[versions.index(served[-1]) + 1]
    old = OLD_REMOVALS.get(api_version)
    if not old or kind not in old[1]:
        return None
    return OLD_KIND_REMOVED.get((api_version, kind), old[0])


def replacement(api_version: str, kind: str, version: str) -> Optional[str]:
    """What to use instead, if `version` serves it: an apiVersion (same group first, then
    the most stable), or a sentence (Pod Security Admission)."""
    old = OLD_REMOVALS.get(api_version)
    hand = old[1].get(kind) if old else None
    if hand is not None and "/" not in hand.split(" ", 1)[0] and " " in hand:
        return hand  # not an API: a sentence
    if hand is not None and serves(version, hand, kind):
        return hand
    group = _group(api_version)
    # a newer version of the same group (never an older one: v1beta2 -> v1beta1 goes
    # backwards), else the kind in another group (extensions -> apps)
    where = [av for av in k8s_schema.kinds_by_lower(version).get(kind.lower(), {}).get(kind, [])
             if av != api_version and (_group(av) != group or _stability(av) > _stability(api_version))]
    if not where:
        return None
    return max(where, key=lambda av: (_group(av) == group, _stability(av)))


def removed(api_version: str, kind: str, version: str) -> Optional[Tuple[str, Optional[str]]]:
    """(release that removed it, replacement served by `version`) when `version` no longer
    serves apiVersion/kind; None when it does or it never existed."""
    if serves(version, api_version, kind):
        return None
    gone = removed_in(api_version, kind)
    if gone is None or _ver(gone) > _ver(version):
        return None
    return gone, replacement(api_version, kind, version)


@lru_cache(maxsize=None)
def _kind_removals() -> Dict[Tuple[str, str], Tuple[str, str]]:
    """{(group, kind): (removed in, last apiVersion)} for kinds no bundled version serves
    any more in that group (PodSecurityPolicy in policy)."""
    out: Dict[Tuple[str, str], Tuple[str, str]] = {}
    for api_version, (when, kinds) in OLD_REMOVALS.items():
        for kind in kinds:
            when = OLD_KIND_REMOVED.get((api_version, kind), OLD_REMOVALS[api_version][0])
            key = (_group(api_version), kind)
            if key not in out or _ver(when) > _ver(out[key][0]):
                out[key] = (when, api_version)
    for (api_version, kind), _ in _history().items():
        when = removed_in(api_version, kind)
        key = (_group(api_version), kind)
        if when is not None and (key not in out or _ver(when) > _ver(out[key][0])):
            out[key] = (when, api_version)
    return out


def kind_removed(api_version: str, kind: str, version: str) -> Optional[Violation]:
    """KL013 for a kind that `version` serves under no apiVersion of its group any more,
    asked for under another version of the group (policy/v1 PodSecurityPolicy)."""
    group = _group(api_version)
    if any(_group(av) == group for av in
           k8s_schema.kinds_by_lower(version).get(kind.lower(), {}).get(kind, [])):
        return None
    found = _kind_removals().get((group, kind))
    if found is None or _ver(found[0]) > _ver(version):
        return None
    use = replacement(found[1], kind, version)
    return Violation(f"{kind} was removed from Kubernetes in {found[0]} (its last version was "
                     f"{found[1]}); {api_version} never served it (target {version})"
                     + (f"; use {use}" if use else ""), ("apiVersion",))


def removal_violation(api_version: str, kind: str, version: str) -> Optional[Violation]:
    """KL013: the apiVersion/kind is not served by `version` because it was removed."""
    gone = removed(api_version, kind, version)
    if gone is None:
        return None
    when, use = gone
    if use is None:
        tail = "; no replacement is served"
    elif "/" in use and " " not in use:
        tail = f"; use {use}"
    else:
        tail = f"; use {use} instead"
    return Violation(f"{api_version} {kind} was removed in Kubernetes {when} (target {version})"
                     + tail, ("apiVersion",),
                     hint=f"apiVersion: {use}" if use and " " not in use else None)


def _since(api_version: str, kind: str) -> Optional[str]:
    return DEPRECATED_SINCE.get((api_version, kind)) or DEPRECATED_SINCE.get((api_version, "*"))


@lru_cache(maxsize=4096)
def deprecations(api_version: str, kind: str, version: str,
                 targets: Tuple[str, ...] = ()) -> Tuple[Violation, ...]:
    """KL016 for an apiVersion/kind that `version` serves: deprecated, removed in a later
    release, or not served by a --target-version. Memoised: called for every object."""
    if not k8s_schema.is_core_group(api_version) or not serves(version, api_version, kind):
        return ()
    out: List[Violation] = []
    since = _since(api_version, kind)
    gone = removed_in(api_version, kind)
    for target in targets:
        if target == version or serves(target, api_version, kind):
            continue
        use = replacement(api_version, kind, target)
        what = f"{api_version} {kind}"
        if gone is not None and _ver(gone) <= _ver(target):
            head = f"{what} is removed in Kubernetes {gone}" + (f" (deprecated since {since})" if since else "")
        else:
            head = f"{what} is not served by Kubernetes {target}"
        both = use is not None and serves(version, use, kind)
        out.append(Violation(
            f"{head}: upgrading to {target} breaks it"
            + (f"; use {use}" + (f", served by {version} and {target}" if both else
                                 f" (served by {target}, not by {version})") if use else
               f"; {target} serves no replacement"), ("apiVersion",),
            hint=f"apiVersion: {use}" if use else None))
    if out or (since is None and gone is None):
        return tuple(out)
    use = replacement(api_version, kind, version)
    if since is not None:
        when = f"since {since}" if _ver(since) <= _ver(version) else f"in {since}"
        message = f"{api_version} {kind} is deprecated {when}" + (
            f" and removed in {gone}" if gone else "")
    else:
        message = f"{api_version} {kind} is removed in Kubernetes {gone}"
    message += f"; use {use}" if use else f"; Kubernetes {version} serves no replacement"
    return (Violation(message, ("apiVersion",), hint=f"apiVersion: {use}" if use else None),)


def check_targets(targets: Sequence[str]) -> Tuple[str, ...]:
    """Normalised --target-version values ("v1.30.2" -> "1.30"); unknown ones raise
    k8s_schema.UnknownVersion (a usage error)."""
    return tuple(dict.fromkeys(k8s_schema.check_version(t) for t in targets))
