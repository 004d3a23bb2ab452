"""Ingress (pkg/apis/networking/validation)."""

from __future__ import annotations

from typing import Any, Iterator

from ..lazyre import LazyRegex
from ..model import Violation
from ..placeholders import filled
from .k8s import dns1123_subdomain, invalid, is_ip, port_number, walk

_WILDCARD = LazyRegex(r"^\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def _host_errors(host: str) -> list:
    """validateIngressRules / validateIngressTLS: a DNS-1123 subdomain, or `*.` and one;
    never an IP address."""
    errors = []
    if is_ip(host):
        errors.append("must be a DNS name, not an IP address")
    if "*" in host:
        if len(host) > 253:
            errors.append("must be no more than 253 characters")
        if not _WILDCARD.match(host):
            errors.append("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid "
                          "DNS subdomain, which must consist of lower case alphanumeric characters, "
                          "'-' or '.' and end with an alphanumeric character (e.g. '*.example.com')")
    else:
        errors.extend(dns1123_subdomain(host))
    return errors


def _backend(backend: Any, ptr: tuple, where: str) -> Iterator[Violation]:
    if not isinstance(backend, dict):
        return
    has_service, has_resource = backend.get("service") is not None, backend.get("resource") is not None
    if has_service == has_resource:
        yield Violation(f"{where}: Invalid value: exactly one of `service` or `resource` must be "
                        "specified" + (" (found both)" if has_service else ""), ptr, at="key")
        return
    service = backend.get("service")
    if not isinstance(service, dict):
        return
    port = service.get("port")
    if not isinstance(port, dict):
        yield Violation(f"{where}.service.port: Required value", ptr + ("service",), at="key")
        return
    name, number = port.get("name"), port.get("number")
    if (name is None) == (number is None):
        yield Violation(f"{where}.service.port: Invalid value: exactly one of `name` or `number` "
                        "must be specified", ptr + ("service", "port"), at="key")
    elif number is not None and isinstance(number, int) and not port_number(number):
        yield Violation(invalid(f"{where}.service.port.number", number,
                                ["must be between 1 and 65535, inclusive"]), ptr + ("service", "port", "number"))


def ingress_rules(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL124: hosts are lower-case DNS names (wildcards allowed), not IP addresses; paths start
    with '/' for Exact and Prefix, and every backend names exactly one of service/resource and
    a service port by name or number. (A missing pathType is the schema's finding.)"""
    # (a placeholder stands for a valid word, as in names: `kibana.{{YOUR_DOMAIN}}`)
    for ptr, host in walk(obj.data, ("spec", "rules", "*", "host")):
        if isinstance(host, str) and host:
            errors = _host_errors(filled(host))
            if errors:
                yield Violation(invalid(f"spec.rules[{ptr[2]}].host", host, errors), ptr,
                                hint=f'host: "{host.lower()}"' if host.lower() != host and not _host_errors(host.lower())
                                else None)
    for ptr, host in walk(obj.data, ("spec", "tls", "*", "hosts", "*")):
        if isinstance(host, str) and host:
            errors = [e for e in _host_errors(filled(host)) if "IP address" not in e]
            if errors:
                yield Violation(invalid(f"spec.tls[{ptr[2]}].hosts[{ptr[4]}]", host, errors), ptr)
    default = obj.data.get("spec", {}).get("defaultBackend") if isinstance(obj.data.get("spec"), dict) else None
    if default is not None:
        yield from _backend(default, ("spec", "defaultBackend"), "spec.defaultBackend")
    for ptr, path in walk(obj.data, ("spec", "rules", "*", "http", "paths", "*")):
        if not isinstance(path, dict):
            continue
        where = f"spec.rules[{ptr[2]}].http.paths[{ptr[5]}]"
        path_type = path.get("pathType")
        value = path.get("path")
        if isinstance(value, str) and path_type in ("Exact", "Prefix") and not value.startswith("/"):
            yield Violation(invalid(f"{where}.path", value, ["must be an absolute path"]), ptr + ("path",),
                            hint=f'path: "/{value}"')
        yield from _backend(path.get("backend"), ptr + ("backend",), f"{where}.backend")
