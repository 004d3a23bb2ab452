"""Service ports."""

from __future__ import annotations

from typing import Any, Iterator

from ..model import Violation


def node_ports(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL101: nodePort within the cluster's range, only where the Service type allows it,
    and unique within the Service."""
    spec = obj.data.get("spec")
    if not isinstance(spec, dict) or not isinstance(spec.get("ports"), list):
        return
    low, high = ctx.options.get("min", 30000), ctx.options.get("max", 32767)
    svc_type = spec.get("type") or "ClusterIP"
    seen = {}
    for i, port in enumerate(spec["ports"]):
        if not isinstance(port, dict):
            continue
        node_port = port.get("nodePort")
        if node_port is None or isinstance(node_port, bool) or not isinstance(node_port, int):
            continue
        where = ("spec", "ports", i, "nodePort")
        if svc_type in ("ClusterIP", "ExternalName"):
            yield Violation(f"spec.ports[{i}].nodePort is set on a Service of type {svc_type}: "
                            "the API server rejects it (`may not be used when type is "
                            f"'{svc_type}'`)", where, at="key",
                            hint="set `type: NodePort` or `LoadBalancer`, or remove nodePort")
            continue
        if node_port != 0 and not low <= node_port <= high:
            yield Violation(f"spec.ports[{i}].nodePort {node_port} is outside the node port "
                            f"range {low}-{high}", where,
                            hint=f"pick a port in {low}-{high}, or leave nodePort out to let "
                                 "the cluster choose")
        protocol = port.get("protocol") or "TCP"
        if node_port and (node_port, protocol) in seen:
            yield Violation(f"spec.ports[{i}].nodePort {node_port}/{protocol} duplicates "
                            f"spec.ports[{seen[(node_port, protocol)]}]: the API server rejects "
                            "it (`Duplicate value`)", where)
        elif node_port:
            seen[(node_port, protocol)] = i
