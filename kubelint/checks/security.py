"""KL3xx: security and operational best practice. Off by default (the API server accepts all
of this); enable with `--select KL3` or `select:` in .kubelint.yaml."""

from __future__ import annotations

from typing import Any, Iterator

from ..model import Fix, Violation, pointer_to_k8s
from .k8s import POD_SPEC_PATHS, containers, get, items, only_kinds, pod_containers, pod_spec

# They read the object through pod_spec()/pod_containers() only: nothing in other kinds or in
# custom resources, so the engine leaves them out there (no call per Service, ConfigMap...).
_in_pods = only_kinds(POD_SPEC_PATHS)


@_in_pods
def image_tag(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL301: images pinned to a tag or digest, never `latest` or nothing."""
    for ptr, c in pod_containers(obj):
        image = c.get("image")
        if not isinstance(image, str) or "@" in image:
            continue
        name = image.rsplit("/", 1)[-1]
        tag = name.partition(":")[2]
        if not tag and "$" in name:
            continue  # `${IMAGE}` (placeholders.py) may hold a tag
        if not tag or tag == "latest":
            yield Violation(f"{pointer_to_k8s(ptr + ('image',))}: image \"{image}\" is not pinned "
                            f"({'no tag' if not tag else 'the latest tag'}): every restart may run "
                            "different code", ptr + ("image",),
                            hint="use a version tag (nginx:1.27.2) or a digest (nginx@sha256:...)")


@_in_pods
def resource_limits(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL302: containers declare CPU and memory requests and a memory limit."""
    for ptr, c in pod_containers(obj):
        if ptr[-2] == "ephemeralContainers":
            continue  # ephemeral containers may not set resources
        res = c.get("resources") if isinstance(c.get("resources"), dict) else {}
        requests = res.get("requests") if isinstance(res.get("requests"), dict) else {}
        limits = res.get("limits") if isinstance(res.get("limits"), dict) else {}
        missing = [f"requests.{r}" for r in ("cpu", "memory") if r not in requests and r not in limits]
        if "memory" not in limits:
            missing.append("limits.memory")
        if missing:
            yield Violation(f"{pointer_to_k8s(ptr)}: no {', '.join(missing)}: the scheduler cannot "
                            "place it well and one leak can starve its node", ptr + ("name",), at="key",
                            hint="set resources.requests (cpu, memory) and resources.limits.memory")


@_in_pods
def privileged(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL303: no privileged containers, no privilege escalation, no host namespaces."""
    found = pod_spec(obj)
    if found is None:
        return
    base, spec = found
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field) is True:
            yield Violation(f"{pointer_to_k8s(base + (field,))}: the pod shares the node's "
                            f"{field[4:].lower()} namespace", base + (field,), at="key",
                            fix=Fix(f"set {field}: false", (("set", base + (field,), False),),
                                    safe=False))
    for ptr, c in containers(spec, base):
        sc = c.get("securityContext") if isinstance(c.get("securityContext"), dict) else {}
        if sc.get("privileged") is True:
            at = ptr + ("securityContext", "privileged")
            yield Violation(f"{pointer_to_k8s(at)}: a privileged "
                            "container is root on the node", at, at="key",
                            fix=Fix("set privileged: false", (("set", at, False),), safe=False))
        elif sc.get("allowPrivilegeEscalation") is True:
            at = ptr + ("securityContext", "allowPrivilegeEscalation")
            yield Violation(f"{pointer_to_k8s(at)}: "
                            "processes may gain more privileges than their parent", at, at="key",
                            fix=Fix("set allowPrivilegeEscalation: false", (("set", at, False),),
                                    safe=False))


@_in_pods
def run_as_non_root(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL304: containers must not run as root: runAsNonRoot or a non-zero runAsUser, on the
    pod or on every container."""
    found = pod_spec(obj)
    if found is None:
        return
    base, spec = found
    pod_sc = spec.get("securityContext") if isinstance(spec.get("securityContext"), dict) else {}

    def non_root(sc: dict) -> Any:
        if sc.get("runAsNonRoot") is True:
            return True
        user = sc.get("runAsUser")
        if isinstance(user, int) and not isinstance(user, bool):
            return user != 0
        return None

    pod_level = non_root(pod_sc)
    for ptr, c in containers(spec, base):
        sc = c.get("securityContext") if isinstance(c.get("securityContext"), dict) else {}
        own = non_root(sc)
        if own is False or (own is None and not pod_level):
            # the image may need root: a behaviour change, so only with --unsafe-fixes
            fix = Fix("set securityContext.runAsNonRoot: true on the container",
                      (("add", ptr + ("securityContext",), {"runAsNonRoot": True}),),
                      safe=False) if own is None else None
            yield Violation(f"{pointer_to_k8s(ptr)}: may run as root (set runAsNonRoot: true or a "
                            "non-zero runAsUser on the pod or the container)", ptr + ("name",), at="key",
                            hint="securityContext: {runAsNonRoot: true, runAsUser: 10001}", fix=fix)


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
            ptr = ("spec", "template", "spec", "containers", i)
            yield Violation(f"{pointer_to_k8s(ptr)}: no readinessProbe: the pod gets traffic as soon "
                            "as it starts, ready or not", ptr + ("name",), at="key",
                            hint="add readinessProbe: {httpGet: {path: /ready, port: http}}")
