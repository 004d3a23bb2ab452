"""KL3xx: security and operational best practice. Off by default (the API server accepts all
of this); enable with `--select KL3` or `select:` in .kubelint.yaml."""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List, Tuple

from ..model import Fix, Pointer, Violation, pointer_to_k8s
from .k8s import POD_SPEC_PATHS, containers, get, items, only_kinds, pod_spec

# They read the object through pod_spec()/pod_containers() only: nothing in other kinds or in
# custom resources, so the engine leaves them out there (no call per Service, ConfigMap...).
_in_pods = only_kinds(POD_SPEC_PATHS)


def _non_root(sc: dict) -> Any:
    """KL304: True/False when a securityContext says whether it runs as root, else None."""
    if sc.get("runAsNonRoot") is True:
        return True
    user = sc.get("runAsUser")
    if isinstance(user, int) and not isinstance(user, bool):
        return user != 0
    return None


_MEMO: List[Any] = [None, None]  # [the last object's data, its findings by rule code]


def pod_findings(obj: Any) -> Dict[str, List[Violation]]:
    """KL301-KL304 of one object, by rule code: one pass over its containers for the four
    rules (the engine runs an object's rules in a row: the first computes, the others read
    the one-object memo), as the practices pack does."""
    data = obj.data
    if _MEMO[0] is data:
        return _MEMO[1]
    out: Dict[str, List[Violation]] = {}
    found = pod_spec(obj)
    if found is not None:
        _walk(found[0], found[1], out)
    _MEMO[0], _MEMO[1] = data, out
    return out


def _walk(base: Pointer, spec: dict, out: Dict[str, List[Violation]]) -> None:
    # KL303: no privileged containers, no privilege escalation, no host namespaces
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field) is True:
            # (KL301 and KL303: a function of the pointer (and the image): made once and
            # shared, as KL302 and KL304 below)
            key = ("KL303", base, field)
            v = _SAID.get(key)
            if v is None:
                v = _said(key, Violation(
                    f"{pointer_to_k8s(base + (field,))}: the pod shares the node's "
                    f"{field[4:].lower()} namespace", base + (field,), at="key",
                    fix=Fix(f"set {field}: false", (("set", base + (field,), False),), safe=False)))
            out.setdefault("KL303", []).append(v)
    # KL304: containers must not run as root: runAsNonRoot or a non-zero runAsUser, on the
    # pod or on every container
    pod_sc = spec.get("securityContext")
    pod_level = _non_root(pod_sc) if isinstance(pod_sc, dict) else None
    for ptr, c in containers(spec, base):
        # KL301: images pinned to a tag or digest, never `latest` or nothing
        image = c.get("image")
        if isinstance(image, str) and "@" not in image:
            # (most images: a tag other than latest after the last ":", in the last path
            # segment: its first ":" starts a tag that is not latest either)
            _, colon, last = image.rpartition(":")
            if not colon or not last or last == "latest" or "/" in last:
                name = image.rsplit("/", 1)[-1]
                tag = name.partition(":")[2]
                if not (not tag and "$" in name) and (not tag or tag == "latest"):
                    # (`${IMAGE}` (placeholders.py) may hold a tag)
                    key = ("KL301", ptr, image)
                    v = _SAID.get(key)
                    if v is None:
                        v = _said(key, Violation(
                            f"{pointer_to_k8s(ptr + ('image',))}: image \"{image}\" is not pinned "
                            f"({'no tag' if not tag else 'the latest tag'}): every restart may run "
                            "different code", ptr + ("image",),
                            hint="use a version tag (nginx:1.27.2) or a digest (nginx@sha256:...)"))
                    out.setdefault("KL301", []).append(v)
        # KL302: containers declare CPU and memory requests and a memory limit (ephemeral
        # containers may not set resources)
        if ptr[-2] != "ephemeralContainers":
            res = c.get("resources")
            if not isinstance(res, dict):
                res = _EMPTY
            requests = res.get("requests")
            if not isinstance(requests, dict):
                requests = _EMPTY
            limits = res.get("limits")
            if not isinstance(limits, dict):
                limits = _EMPTY
            if "memory" not in limits or ("cpu" not in requests and "cpu" not in limits):
                missing = [f"requests.{r}" for r in ("cpu", "memory") if r not in requests and r not in limits]
                if "memory" not in limits:
                    missing.append("limits.memory")
                if missing:
                    # (a function of the pointer and what is missing: made once and shared)
                    key = ("KL302", ptr, *missing)
                    v = _SAID.get(key)
                    if v is None:
                        v = _said(key, _new(Violation, (
                            f"{pointer_to_k8s(ptr)}: no {', '.join(missing)}: the scheduler cannot "
                            "place it well and one leak can starve its node", ptr + ("name",), "key", (),
                            "set resources.requests (cpu, memory) and resources.limits.memory", None, None)))
                    out.setdefault("KL302", []).append(v)
        sc = c.get("securityContext")
        if not isinstance(sc, dict):
            sc = _EMPTY
        # KL303 (nothing to say without a securityContext)
        if not sc:
            pass
        elif sc.get("privileged") is True:
            key = ("KL303", ptr, "privileged")
            v = _SAID.get(key)
            if v is None:
                at = ptr + ("securityContext", "privileged")
                v = _said(key, Violation(
                    f"{pointer_to_k8s(at)}: a privileged container is root on the node", at, at="key",
                    fix=Fix("set privileged: false", (("set", at, False),), safe=False)))
            out.setdefault("KL303", []).append(v)
        elif sc.get("allowPrivilegeEscalation") is True:
            key = ("KL303", ptr, "allowPrivilegeEscalation")
            v = _SAID.get(key)
            if v is None:
                at = ptr + ("securityContext", "allowPrivilegeEscalation")
                v = _said(key, Violation(
                    f"{pointer_to_k8s(at)}: processes may gain more privileges than their parent", at,
                    at="key", fix=Fix("set allowPrivilegeEscalation: false", (("set", at, False),),
                                      safe=False)))
            out.setdefault("KL303", []).append(v)
        # KL304
        own = _non_root(sc) if sc else None
        if own is False or (own is None and not pod_level):
            # (a function of the pointer and whether the container says anything: made once
            # and shared; fix.py copies what it inserts)
            key = ("KL304", ptr, own is None)
            v = _SAID.get(key)
            if v is None:
                # the image may need root: a behaviour change, so only with --unsafe-fixes
                fix = Fix("set securityContext.runAsNonRoot: true on the container",
                          (("add", ptr + ("securityContext",), {"runAsNonRoot": True}),),
                          safe=False) if own is None else None
                v = _said(key, Violation(
                    f"{pointer_to_k8s(ptr)}: may run as root (set runAsNonRoot: true or a "
                    "non-zero runAsUser on the pod or the container)", ptr + ("name",), at="key",
                    hint="securityContext: {runAsNonRoot: true, runAsUser: 10001}", fix=fix))
            out.setdefault("KL304", []).append(v)


_EMPTY: dict = {}  # read only

# Violations that are a function of a pointer and a variant (KL302, KL304, KL305): the same
# for every pod spec of a run, made once and shared (Violations are immutable)
_SAID: Dict[Tuple[Any, ...], Violation] = {}


def _said(key: Tuple[Any, ...], v: Violation) -> Violation:
    if len(_SAID) > 10_000:
        _SAID.clear()
    _SAID[key] = v
    return v

_new = tuple.__new__  # Violation(...) without its generated __new__: per finding


def _by_code(obj: Any, ctx: Any) -> Dict[str, List[Violation]]:
    return pod_findings(obj)


def _from_walk(code: str, doc: str) -> Callable[[Any, Any], List[Violation]]:
    def check(obj: Any, ctx: Any) -> List[Violation]:
        return pod_findings(obj).get(code, [])

    check.__doc__ = doc
    check.by_code = _by_code  # type: ignore[attr-defined]  # the engine calls the walk once for them
    return _in_pods(check)


image_tag = _from_walk("KL301", "KL301: images pinned to a tag or digest, never `latest` or nothing.")
image_tag.__name__ = "image_tag"
resource_limits = _from_walk("KL302", "KL302: containers declare CPU and memory requests and a "
                             "memory limit.")
resource_limits.__name__ = "resource_limits"
privileged = _from_walk("KL303", "KL303: no privileged containers, no privilege escalation, no "
                        "host namespaces.")
privileged.__name__ = "privileged"
run_as_non_root = _from_walk("KL304", "KL304: containers must not run as root: runAsNonRoot or a "
                             "non-zero runAsUser, on the pod or on every container.")
run_as_non_root.__name__ = "run_as_non_root"


def readiness_probe(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL305: long-running workloads have readiness probes, so Services only send traffic to
    pods that can serve it."""
    if obj.kind not in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"):
        return
    spec = get(obj.data, ("spec", "template", "spec"))
    if not isinstance(spec, dict):
        return
    for i, c in enumerate(items(spec.get("containers"))):
        if isinstance(c, dict) and c.get("readinessProbe") is None:
            v = _SAID.get(("KL305", i))
            if v is None:
                ptr = ("spec", "template", "spec", "containers", i)
                v = _said(("KL305", i), Violation(
                    f"{pointer_to_k8s(ptr)}: no readinessProbe: the pod gets traffic as soon "
                    "as it starts, ready or not", ptr + ("name",), at="key",
                    hint="add readinessProbe: {httpGet: {path: /ready, port: http}}"))
            yield v
