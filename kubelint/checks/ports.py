"""Service ports."""

from __future__ import annotations

from typing import Any, Iterator, List

from ..model import Violation
from .k8s import dns1123_label, dns1123_subdomain, iana_svc_name, invalid, is_ip, port_number


def node_ports(obj: Any, ctx: Any) -> List[Violation]:
    """KL101: nodePort within the cluster's range, only where the Service type allows it,
    and unique within the Service."""
    out: List[Violation] = []
    spec = obj.data.get("spec")
    if not isinstance(spec, dict) or not isinstance(spec.get("ports"), list):
        return out
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
        if svc_type == "ExternalName":
            continue  # not validated (ValidateService checks ClusterIP only), never allocated
        if svc_type == "ClusterIP":
            out.append(Violation(f"spec.ports[{i}].nodePort is set on a Service of type {svc_type}: "
                                 "the API server rejects it (`may not be used when type is "
                                 f"'{svc_type}'`)", where, at="key",
                                 hint="set `type: NodePort` or `LoadBalancer`, or remove nodePort"))
            continue
        if node_port != 0 and not low <= node_port <= high:
            out.append(Violation(f"spec.ports[{i}].nodePort {node_port} is outside the node port "
                                 f"range {low}-{high}", where,
                                 hint=f"pick a port in {low}-{high}, or leave nodePort out to let "
                                      "the cluster choose"))
        protocol = port.get("protocol") or "TCP"
        if not isinstance(protocol, str):
            continue  # the schema reports the wrong type
        if node_port and (node_port, protocol) in seen:
            out.append(Violation(f"spec.ports[{i}].nodePort {node_port}/{protocol} duplicates "
                                 f"spec.ports[{seen[(node_port, protocol)]}]: the API server rejects "
                                 "it (`Duplicate value`)", where))
        elif node_port:
            seen[(node_port, protocol)] = i
    return out


def lacks_ports(spec: dict) -> bool:
    """A Service spec without the ports the API server requires: neither ExternalName nor
    headless (clusterIP None), and no `ports` (KL123's "spec.ports: Required value"; a
    walked file named patch holding one is a patch: render.kustomize.partial)."""
    return not spec.get("ports") and spec.get("type") != "ExternalName" and \
        spec.get("clusterIP") != "None"


def service_ports(obj: Any, ctx: Any) -> List[Violation]:
    """KL123: Service ports as ValidateService checks them: names (required when there are
    several, unique, DNS-1123 labels), numbers, targetPorts, duplicates, clusterIP None,
    ExternalName."""
    out: List[Violation] = []
    spec = obj.data.get("spec")
    if not isinstance(spec, dict):
        return out
    svc_type = spec.get("type") or "ClusterIP"
    ports = spec.get("ports")
    headless = spec.get("clusterIP") == "None"
    if svc_type == "ExternalName":
        if not spec.get("externalName"):
            out.append(Violation("spec.externalName: Required value", ("spec",), at="key"))
    elif lacks_ports(spec):
        out.append(Violation("spec.ports: Required value", ("spec", "ports") if "ports" in spec else ("spec",), at="key"))
    if headless and svc_type in ("NodePort", "LoadBalancer"):
        out.append(Violation(f'spec.clusterIP: Invalid value: "None": may not be set to \'None\' for '
                             f"{svc_type} services", ("spec", "clusterIP")))
    out.extend(_type_fields(spec, svc_type))
    if not isinstance(ports, list):
        return out
    names = {}
    pairs = {}
    for i, port in enumerate(ports):
        if not isinstance(port, dict):
            continue
        where = f"spec.ports[{i}]"
        name = port.get("name")
        if len(ports) > 1 and not name:
            out.append(Violation(f"{where}.name: Required value: a Service with several ports must name "
                                 "each one", ("spec", "ports", i), at="value"))
        if isinstance(name, str) and name:
            errors = dns1123_label(name)
            if errors:
                out.append(Violation(invalid(f"{where}.name", name, errors), ("spec", "ports", i, "name")))
            if name in names:
                out.append(Violation(f"{where}.name: Duplicate value: \"{name}\"", ("spec", "ports", i, "name")))
            names.setdefault(name, i)
        number = port.get("port")
        if isinstance(number, int) and not isinstance(number, bool) and not port_number(number):
            out.append(Violation(invalid(f"{where}.port", number, ["must be between 1 and 65535, inclusive"]),
                                 ("spec", "ports", i, "port")))
        target = port.get("targetPort")
        if isinstance(target, str) and target:  # "" is defaulted to the port, like 0
            errors = iana_svc_name(target)
            if errors:
                out.append(Violation(invalid(f"{where}.targetPort", target, errors), ("spec", "ports", i, "targetPort")))
        elif isinstance(target, int) and not isinstance(target, bool) and not port_number(target) \
                and target != 0:  # SetDefaults_Service: a targetPort of 0 becomes the port
            out.append(Violation(invalid(f"{where}.targetPort", target, ["must be between 1 and 65535, inclusive"]),
                                 ("spec", "ports", i, "targetPort")))
        protocol = port.get("protocol") or "TCP"
        if not isinstance(number, int) or not isinstance(protocol, str):
            continue  # wrong types are the schema's findings
        key = (number, protocol)
        if key in pairs:
            out.append(Violation(f"{where}: Duplicate value: port {number}/{protocol} (also spec.ports[{pairs[key]}])",
                                 ("spec", "ports", i), at="value"))
        pairs.setdefault(key, i)
    return out


_LB_ONLY = ("loadBalancerSourceRanges", "allocateLoadBalancerNodePorts", "loadBalancerClass")


def _type_fields(spec: dict, svc_type: Any) -> Iterator[Violation]:
    """The fields ValidateService allows only with some types (validateServiceExternalTraffic-
    Policy, validateLoadBalancerClassField, the ExternalName case) or only with ClientIP
    affinity."""
    if not isinstance(svc_type, str):
        return
    if svc_type == "ExternalName":
        for field in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"):
            if spec.get(field) not in (None, "", []):
                yield Violation(f"spec.{field}: Forbidden: may not be set for ExternalName services",
                                ("spec", field), at="key", hint=f"remove {field}: an ExternalName "
                                "Service is a DNS alias (CNAME) and gets no cluster IP")
        name = spec.get("externalName")
        if isinstance(name, str) and name:
            errors = dns1123_subdomain(name[:-1] if name.endswith(".") else name)
            if errors:
                yield Violation(invalid("spec.externalName", name, errors), ("spec", "externalName"))
    ips = spec.get("externalIPs")
    accessible = svc_type in ("NodePort", "LoadBalancer") or (svc_type == "ClusterIP" and bool(ips))
    policy = spec.get("externalTrafficPolicy")
    if policy not in (None, "") and not accessible:
        yield Violation(invalid("spec.externalTrafficPolicy", policy,
                                ["may only be set for externally-accessible services"])
                        + f" (type NodePort or LoadBalancer, or with externalIPs; this one is {svc_type})",
                        ("spec", "externalTrafficPolicy"), hint="remove externalTrafficPolicy, or "
                        "change the type to NodePort or LoadBalancer")
    health = spec.get("healthCheckNodePort")
    if isinstance(health, int) and not isinstance(health, bool) and health != 0 and \
            not (svc_type == "LoadBalancer" and policy == "Local"):
        yield Violation(invalid("spec.healthCheckNodePort", health, [
            "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"]),
            ("spec", "healthCheckNodePort"))
    if svc_type != "LoadBalancer":
        for field in _LB_ONLY:
            if spec.get(field) is not None and spec.get(field) != []:
                yield Violation(f"spec.{field}: Forbidden: may only be used when `type` is "
                                f"'LoadBalancer'", ("spec", field), at="key")
    if spec.get("sessionAffinityConfig") is not None and spec.get("sessionAffinity") in (None, "", "None"):
        yield Violation("spec.sessionAffinityConfig: Forbidden: must not be set when session "
                        "affinity is None", ("spec", "sessionAffinityConfig"), at="key",
                        hint="set sessionAffinity: ClientIP, or remove sessionAffinityConfig")
    for i, ip in enumerate(ips if isinstance(ips, list) else []):
        if isinstance(ip, str) and not is_ip(ip):
            yield Violation(invalid(f"spec.externalIPs[{i}]", ip, [
                "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]), ("spec", "externalIPs", i))
