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
        if not isinstance(protocol, str):
            continue  # the schema reports the wrong type
        if node_port and (node_port, protocol) in seen:
            yield Violation(f"spec.ports[{i}].nodePort {node_port}/{protocol} duplicates "
                            f"spec.ports[{seen[(node_port, protocol)]}]: the API server rejects "
                            "it (`Duplicate value`)", where)
        elif node_port:
            seen[(node_port, protocol)] = i


def service_ports(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL123: Service ports as ValidateService checks them: names (required when there are
    several, unique, DNS-1123 labels), numbers, targetPorts, duplicates, clusterIP None,
    ExternalName."""
    from .k8s import dns1123_label, iana_svc_name, invalid, port_number

    spec = obj.data.get("spec")
    if not isinstance(spec, dict):
        return
    svc_type = spec.get("type") or "ClusterIP"
    ports = spec.get("ports")
    headless = spec.get("clusterIP") == "None"
    if svc_type == "ExternalName":
        if not spec.get("externalName"):
            yield Violation("spec.externalName: Required value", ("spec",), at="key")
    elif not ports and not headless:
        yield Violation("spec.ports: Required value", ("spec", "ports") if "ports" in spec else ("spec",), at="key")
    if headless and svc_type in ("NodePort", "LoadBalancer"):
        yield Violation(f'spec.clusterIP: Invalid value: "None": may not be set to \'None\' for '
                        f"{svc_type} services", ("spec", "clusterIP"))
    if not isinstance(ports, list):
        return
    names = {}
    pairs = {}
    for i, port in enumerate(ports):
        if not isinstance(port, dict):
            continue
        where = f"spec.ports[{i}]"
        name = port.get("name")
        if len(ports) > 1 and not name:
            yield Violation(f"{where}.name: Required value: a Service with several ports must name "
                            "each one", ("spec", "ports", i), at="value")
        if isinstance(name, str) and name:
            errors = dns1123_label(name)
            if errors:
                yield Violation(invalid(f"{where}.name", name, errors), ("spec", "ports", i, "name"))
            if name in names:
                yield Violation(f"{where}.name: Duplicate value: \"{name}\"", ("spec", "ports", i, "name"))
            names.setdefault(name, i)
        number = port.get("port")
        if isinstance(number, int) and not isinstance(number, bool) and not port_number(number):
            yield Violation(invalid(f"{where}.port", number, ["must be between 1 and 65535, inclusive"]),
                            ("spec", "ports", i, "port"))
        target = port.get("targetPort")
        if isinstance(target, str):
            errors = iana_svc_name(target)
            if errors:
                yield Violation(invalid(f"{where}.targetPort", target, errors), ("spec", "ports", i, "targetPort"))
        elif isinstance(target, int) and not isinstance(target, bool) and not port_number(target):
            yield Violation(invalid(f"{where}.targetPort", target, ["must be between 1 and 65535, inclusive"]),
                            ("spec", "ports", i, "targetPort"))
        protocol = port.get("protocol") or "TCP"
        if not isinstance(number, int) or not isinstance(protocol, str):
            continue  # wrong types are the schema's findings
        key = (number, protocol)
        if key in pairs:
            yield Violation(f"{where}: Duplicate value: port {number}/{protocol} (also spec.ports[{pairs[key]}])",
                            ("spec", "ports", i), at="value")
        pairs.setdefault(key, i)
