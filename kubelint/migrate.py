"""Fixes for removed apiVersions (KL013) where the move is mechanical, following the
Kubernetes deprecated API migration guide. Anything that needs a decision gets no fix."""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

from .model import Fix

# (old apiVersion, kind) pairs whose replacement serves the same fields; "*" = every kind
# of that group/version.
_SAME_SHAPE = {
    ("batch/v1beta1", "CronJob"), ("batch/v2alpha1", "CronJob"),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler"),
    ("networking.k8s.io/v1beta1", "IngressClass"),
    ("rbac.authorization.k8s.io/v1alpha1", "*"), ("rbac.authorization.k8s.io/v1beta1", "*"),
    ("scheduling.k8s.io/v1alpha1", "PriorityClass"), ("scheduling.k8s.io/v1beta1", "PriorityClass"),
    ("coordination.k8s.io/v1beta1", "Lease"),
    ("storage.k8s.io/v1beta1", "StorageClass"), ("storage.k8s.io/v1beta1", "CSIDriver"),
    ("storage.k8s.io/v1beta1", "CSINode"), ("storage.k8s.io/v1beta1", "VolumeAttachment"),
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity"),
    ("node.k8s.io/v1beta1", "RuntimeClass"),
}
_WORKLOADS = ("Deployment", "DaemonSet", "ReplicaSet", "StatefulSet")


def _get(data: Any, *path: Any) -> Any:
    for p in path:
        if isinstance(data, dict):
            data = data.get(p)
        else:
            return None
    return data


def removed_api_fix(data: dict, api_version: str, kind: str, replacement: str) -> Optional[Fix]:
    title = f"move to {replacement}"
    set_version = ("set", ("apiVersion",), replacement)
    if (api_version, kind) in _SAME_SHAPE or (api_version, "*") in _SAME_SHAPE:
        return Fix(title, (set_version,))
    if replacement == "apps/v1" and kind in _WORKLOADS:
        ops: List[Tuple[Any, ...]] = [set_version]
        if _get(data, "spec", "selector") is None:
            labels = _get(data, "spec", "template", "metadata", "labels")
            if not isinstance(labels, dict) or not labels or \
                    not all(isinstance(v, str) for v in labels.values()):
                return None  # apps/v1 needs a selector and there is nothing to build it from
            ops.append(("add", ("spec",), {"selector": {"matchLabels": dict(labels)}}))
        return Fix(title + (" with a selector from the template labels" if len(ops) > 1 else ""),
                   tuple(ops))
    if replacement == "policy/v1" and kind == "PodDisruptionBudget":
        sel = _get(data, "spec", "selector")
        # an empty selector matches no pod in v1beta1 and every pod of the namespace in v1
        if isinstance(sel, dict) and (sel.get("matchLabels") or sel.get("matchExpressions")):
            return Fix(title, (set_version,))
        return None
    if replacement == "networking.k8s.io/v1" and kind == "Ingress":
        return _ingress(data, set_version)
    return None


def _backend(b: Any) -> Optional[dict]:
    """v1beta1 {serviceName, servicePort} -> v1 {service: {name, port: {number|name}}}."""
    if not isinstance(b, dict):
        return None
    if "resource" in b and "serviceName" not in b:
        return b
    name, port = b.get("serviceName"), b.get("servicePort")
    if not isinstance(name, str) or set(b) - {"serviceName", "servicePort"}:
        return None
    if isinstance(port, bool):
        return None
    if isinstance(port, int):
        p: dict = {"number": port}
    elif isinstance(port, str) and port.isdigit():
        p = {"number": int(port)}
    elif isinstance(port, str) and port:
        p = {"name": port}
    else:
        return None
    return {"service": {"name": name, "port": p}}


def _ingress(data: dict, set_version: Tuple[Any, ...]) -> Optional[Fix]:
    ops: List[Tuple[Any, ...]] = [set_version]
    spec = data.get("spec")
    if not isinstance(spec, dict):
        return Fix("move to networking.k8s.io/v1", tuple(ops))
    if "backend" in spec:
        new = _backend(spec["backend"])
        if new is None or "defaultBackend" in spec:
            return None
        ops += [("set", ("spec", "backend"), new), ("rename", ("spec", "backend"), "defaultBackend")]
    for i, rule in enumerate(spec.get("rules") or []):
        paths = _get(rule, "http", "paths")
        if not isinstance(paths, list):
            continue
        for j, path in enumerate(paths):
            if not isinstance(path, dict):
                return None
            at = ("spec", "rules", i, "http", "paths", j)
            if "backend" in path:
                new = _backend(path["backend"])
                if new is None:
                    return None
                if new is not path["backend"]:
                    ops.append(("set", at + ("backend",), new))
            if "pathType" not in path:
                # what v1beta1 did without one; v1 requires the field
                ops.append(("add", at, {"pathType": "ImplementationSpecific"}))
    return Fix("move to networking.k8s.io/v1 with the v1 backend shape", tuple(ops))
