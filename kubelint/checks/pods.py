"""Pod specs, wherever they appear (Pods and every workload's template), as
ValidatePodSpec (pkg/apis/core/validation/validation.go) checks them."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Tuple

from ..model import Pointer, Violation, pointer_to_k8s
from .k8s import (POD_SPEC_PATHS, builtin_kind, containers, dns1123_label, env_var_name, get,
                  iana_svc_name, invalid, items, local_descending_path, only_kinds,
                  pod_containers, pod_spec, port_number)

# the checks below read pod specs only (resources(): and PersistentVolumeClaims)
_in_pods = only_kinds(POD_SPEC_PATHS)


def _specs(obj: Any):
    """[(pointer, pod spec)] or []: for checks that keep state across a pod's containers."""
    found = pod_spec(obj)
    return [found] if found else []


@_in_pods
def container_names(obj: Any, ctx: Any) -> List[Violation]:
    """KL110: container names are DNS-1123 labels, unique across all containers of the pod."""
    out: List[Violation] = []
    for base, spec in _specs(obj):
        seen: Dict[str, Pointer] = {}
        for ptr, c in containers(spec, base):
            name = c.get("name")
            if not isinstance(name, str):
                continue  # missing: the schema's required-field finding
            errors = dns1123_label(name)
            if errors:
                out.append(Violation(invalid(pointer_to_k8s(ptr + ("name",)), name, errors), ptr + ("name",)))
            if name in seen:
                out.append(Violation(f"{pointer_to_k8s(ptr + ('name',))}: Duplicate value: \"{name}\" "
                                     f"(also {pointer_to_k8s(seen[name])})", ptr + ("name",),
                                     related=((None, seen[name], "first container with this name"),)))
            else:
                seen[name] = ptr + ("name",)
    return out


# The containers of a Spark pod template file (spark.kubernetes.driver.podTemplateFile: EMR
# on EKS, the Spark operator) and of a Flink one (kubernetes.pod-template-file): the tool
# that reads the template sets their image
_TOOL_IMAGE = frozenset(("spark-kubernetes-driver", "spark-kubernetes-executor", "flink-main-container"))


@_in_pods
def container_image(obj: Any, ctx: Any) -> List[Violation]:
    """KL111: every container (not only in Pods: templates too) needs an image."""
    out: List[Violation] = []
    for ptr, c in pod_containers(obj):
        image = c.get("image")
        # (a name of another type, a mapping, is the schema's finding: not looked up)
        if image is None and isinstance(c.get("name"), str) and c.get("name") in _TOOL_IMAGE \
                and obj.kind == "Pod":
            continue
        if image is None or (isinstance(image, str) and not image.strip()):
            out.append(Violation(f"{pointer_to_k8s(ptr + ('image',))}: Required value", ptr,
                                 at="value", hint="set the container image, e.g. `image: nginx:1.27`"))
        elif isinstance(image, str) and image != image.strip():
            out.append(Violation(f"{pointer_to_k8s(ptr + ('image',))}: Invalid value: \"{image}\": "
                                 "must not have leading or trailing whitespace", ptr + ("image",)))
    return out


@_in_pods
def container_ports(obj: Any, ctx: Any) -> List[Violation]:
    """KL113: port numbers 1-65535, port names IANA service names unique in the container,
    protocol/hostIP/hostPort unique among the regular containers and in each init container."""
    out: List[Violation] = []
    for base, spec in _specs(obj):
        host_ports: Dict[str, Pointer] = {}
        for cptr, c in containers(spec, base):
            ports = c.get("ports")
            if not isinstance(ports, list):
                continue
            init_ports: Dict[str, Pointer] = {}
            names: Dict[str, Pointer] = {}
            for i, port in enumerate(ports):
                if not isinstance(port, dict):
                    continue
                ptr = cptr + ("ports", i)
                for field in ("containerPort", "hostPort"):
                    value = port.get(field)
                    if value is not None and isinstance(value, int) and not port_number(value) \
                            and not (field == "hostPort" and value == 0):
                        out.append(Violation(invalid(pointer_to_k8s(ptr + (field,)), value,
                                                     ["must be between 1 and 65535, inclusive"]), ptr + (field,)))
                name = port.get("name")
                if isinstance(name, str):
                    errors = iana_svc_name(name)
                    if errors:
                        out.append(Violation(invalid(pointer_to_k8s(ptr + ("name",)), name, errors), ptr + ("name",)))
                    elif name in names:
                        out.append(Violation(f"{pointer_to_k8s(ptr + ('name',))}: Duplicate value: \"{name}\"",
                                             ptr + ("name",), related=((None, names[name], "first port with this name"),)))
                    else:
                        names[name] = ptr + ("name",)
                host = port.get("hostPort")
                protocol = port.get("protocol") or "TCP"
                host_ip = port.get("hostIP") or ""
                if port_number(host) and isinstance(protocol, str) and isinstance(host_ip, str):
                    # as the API server's AccumulateUniqueHostPorts: protocol, host IP and
                    # port; the regular containers share them, each init container runs
                    # alone (its ports are checked among its own only)
                    key = f"{protocol}/{host_ip}/{host}"
                    seen = host_ports if cptr[-2] == "containers" else init_ports
                    if key in seen:
                        out.append(Violation(f"{pointer_to_k8s(ptr + ('hostPort',))}: Duplicate value: "
                                             f"\"{key}\" (hostPort {host}/{protocol} is already "
                                             f"{pointer_to_k8s(seen[key])}'s)", ptr + ("hostPort",),
                                             related=((None, seen[key] + ("hostPort",),
                                                       "the first port on this host port"),),
                                             hint="give one of them another hostPort, or drop it: "
                                                  "a Service reaches the pods without one"))
                    else:
                        seen[key] = ptr
    return out


@_in_pods
def volume_mounts(obj: Any, ctx: Any) -> List[Violation]:
    """KL114: volume names unique DNS-1123 labels; every volumeMount names a volume; mount
    paths unique within a container."""
    out: List[Violation] = []
    for base, spec in _specs(obj):
        volumes: Dict[str, None] = {}  # (in order: "did you mean" candidates)
        for i, vol in enumerate(items(spec.get("volumes"))):
            if not isinstance(vol, dict) or not isinstance(vol.get("name"), str):
                continue
            name = vol["name"]
            errors = dns1123_label(name)
            if errors or name in volumes:
                ptr = base + ("volumes", i, "name")
                if errors:
                    out.append(Violation(invalid(pointer_to_k8s(ptr), name, errors), ptr))
                if name in volumes:
                    out.append(Violation(f"{pointer_to_k8s(ptr)}: Duplicate value: \"{name}\"", ptr))
            volumes[name] = None
        # StatefulSet volumeClaimTemplates are volumes too
        if obj.kind == "StatefulSet":
            for tpl in items(get(obj.data, ("spec", "volumeClaimTemplates"))):
                name = get(tpl, ("metadata", "name"))
                if isinstance(name, str):
                    volumes[name] = None
        for cptr, c in containers(spec, base):
            paths: set = set()
            for j, mount in enumerate(items(c.get("volumeMounts"))):
                if not isinstance(mount, dict):
                    continue
                ptr = cptr + ("volumeMounts", j)
                name = mount.get("name")
                if isinstance(name, str) and name not in volumes:
                    from ..identify import close

                    guess = close(name, list(volumes))
                    out.append(Violation(f"{pointer_to_k8s(ptr + ('name',))}: Not found: \"{name}\": no "
                                         "volume of the pod has this name"
                                         + (f"; did you mean \"{guess}\"?" if guess else ""), ptr + ("name",),
                                         hint=None if guess else "define it under spec.volumes"))
                path = mount.get("mountPath")
                if path == "":  # missing altogether: the schema's required-field finding
                    out.append(Violation(f"{pointer_to_k8s(ptr + ('mountPath',))}: Required value",
                                         ptr + ("mountPath",), hint="the absolute path in the container "
                                         "where the volume appears, e.g. /data"))
                elif isinstance(path, str):
                    if path in paths:
                        out.append(Violation(f"{pointer_to_k8s(ptr + ('mountPath',))}: Invalid value: "
                                             f"\"{path}\": must be unique", ptr + ("mountPath",)))
                    paths.add(path)
                for field in ("subPath", "subPathExpr"):
                    sub = mount.get(field)
                    if isinstance(sub, str) and sub:
                        for error in local_descending_path(sub):
                            out.append(Violation(invalid(pointer_to_k8s(ptr + (field,)), sub, [error]),
                                                 ptr + (field,)))
    return out


_RELAXED: Dict[str, bool] = {}


@_in_pods
def env_var_names(obj: Any, ctx: Any) -> List[Violation]:
    """KL115: environment variable names (relaxed to printable ASCII but '=' from 1.32, where
    the RelaxedEnvironmentVariableValidation feature gate became beta and on by default;
    GA in 1.34: pkg/features/kube_features.go)."""
    out: List[Violation] = []
    relaxed = _RELAXED.get(ctx.version)
    if relaxed is None:
        relaxed = _RELAXED[ctx.version] = tuple(int(x) for x in ctx.version.split(".")) >= (1, 32)
    for cptr, c in pod_containers(obj):
        for j, env in enumerate(items(c.get("env"))):
            name = env.get("name") if isinstance(env, dict) else None
            if isinstance(name, str):
                errors = env_var_name(name, relaxed)
                if errors:
                    ptr = cptr + ("env", j, "name")
                    out.append(Violation(invalid(pointer_to_k8s(ptr), name, errors), ptr))
    return out


def _other_quantities(obj: Any) -> Iterator[Tuple[Pointer, Any]]:
    """Quantities outside containers: emptyDir size limits, and the storage requests of
    PersistentVolumeClaims and StatefulSet volumeClaimTemplates."""
    found = pod_spec(obj)
    if found is not None:
        for i, vol in enumerate(items(found[1].get("volumes"))):
            if isinstance(vol, dict) and isinstance(vol.get("emptyDir"), dict) and "sizeLimit" in vol["emptyDir"]:
                yield found[0] + ("volumes", i, "emptyDir", "sizeLimit"), vol["emptyDir"]["sizeLimit"]
    kind = builtin_kind(obj)
    if kind == "PersistentVolumeClaim":
        claims = [(("spec",), obj.data.get("spec"))]
    elif kind == "StatefulSet":
        claims = [(("spec", "volumeClaimTemplates", i, "spec"), get(t, ("spec",)))
                  for i, t in enumerate(items(get(obj.data, ("spec", "volumeClaimTemplates"))))]
    else:
        return
    for base, spec in claims:
        for kind in ("requests", "limits"):
            values = get(spec, ("resources", kind))
            if isinstance(values, dict):
                for name, q in values.items():
                    yield base + ("resources", kind, name), q


_QUANTITY: Any = None


def _quantity() -> Any:
    """quantity.py, imported once needed (it loads decimal): not on every call."""
    global _QUANTITY
    if _QUANTITY is None:
        from . import quantity

        _QUANTITY = quantity
    return _QUANTITY


@only_kinds([*POD_SPEC_PATHS, "PersistentVolumeClaim"])
def resources(obj: Any, ctx: Any) -> List[Violation]:
    """KL116: resource quantities parse; requests do not exceed limits."""
    out: List[Violation] = []
    for ptr, q in _other_quantities(obj):
        if q is None:
            continue
        amount, error = _quantity().parse_quantity(q)
        if error:
            guess = _quantity().suggest(q)
            out.append(Violation(invalid(pointer_to_k8s(ptr), q, [error]) + (f"; did you mean {guess}?" if guess else ""),
                                 ptr, hint="quantities look like 500m, 0.5, 2, 128Mi, 1Gi, 1e3"))
        elif amount < 0:
            out.append(Violation(invalid(pointer_to_k8s(ptr), q, ["must be greater than or equal to 0"]), ptr))
    parse_quantity = suggest = None  # (quantity.py, once a container has resources)
    for cptr, c in pod_containers(obj):
        res = c.get("resources")
        if not isinstance(res, dict):
            continue
        if parse_quantity is None:
            quantity = _QUANTITY or _quantity()
            parse_quantity, suggest = quantity.parse_quantity, quantity.suggest
        parsed: Dict[str, Dict[str, Any]] = {"requests": {}, "limits": {}}
        for kind in ("requests", "limits"):
            values = res.get(kind)
            if not isinstance(values, dict):
                continue
            for name, q in values.items():
                if q is None:
                    continue
                amount, error = parse_quantity(q)
                if error is None and amount >= 0:
                    parsed[kind][name] = amount
                    continue
                ptr = cptr + ("resources", kind, name)
                if error:
                    guess = suggest(q)
                    out.append(Violation(invalid(pointer_to_k8s(ptr), q, [error])
                                         + (f"; did you mean {guess}?" if guess else ""), ptr,
                                         hint="quantities look like 500m, 0.5, 2, 128Mi, 1Gi, 1e3"))
                elif amount < 0:
                    out.append(Violation(invalid(pointer_to_k8s(ptr), q, ["must be greater than or equal to 0"]), ptr))
        for name, request in parsed["requests"].items():
            limit = parsed["limits"].get(name)
            if limit is not None and request > limit:
                ptr = cptr + ("resources", "requests", name)
                out.append(Violation(f"{pointer_to_k8s(ptr)}: Invalid value: \"{res['requests'][name]}\": "
                                     f"must be less than or equal to {name} limit of "
                                     f"{res['limits'][name]}", ptr,
                                     related=((None, cptr + ("resources", "limits", name), "the limit"),)))
    return out


_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")


# validateProbe: every count and duration is non-negative (0 means "the default").
_PROBE_COUNTS = ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold",
                 "failureThreshold")
_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@_in_pods
def probes(obj: Any, ctx: Any) -> List[Violation]:
    """KL117: each probe (and lifecycle handler) has exactly one handler; ports are numbers
    1-65535 or IANA names; the numeric bounds of validateProbe, validateLivenessProbe and
    validateStartupProbe; no probes on init containers that are not sidecars
    (validateInitContainers)."""
    out: List[Violation] = []
    for cptr, c in pod_containers(obj):
        init = cptr[-2] == "initContainers"
        sidecar = init and c.get("restartPolicy") == "Always"
        for probe in _PROBES:
            p = c.get(probe)
            if not isinstance(p, dict):
                continue
            ptr = cptr + (probe,)
            # (its path as text only for a finding: almost every probe has none)
            if init and not sidecar:
                out.append(Violation(f"{pointer_to_k8s(ptr)}: Forbidden: may not be set for init "
                                     "containers without restartPolicy=Always", ptr, at="key",
                                     hint="move the probe to a regular container, or make this init "
                                          "container a sidecar (restartPolicy: Always)"))
                continue
            if cptr[-2] == "ephemeralContainers":
                out.append(Violation(f"{pointer_to_k8s(ptr)}: Forbidden: cannot be set for an Ephemeral Container",
                                     ptr, at="key"))
                continue
            handlers = 0
            for h in _HANDLERS:
                if p.get(h) is not None:
                    handlers += 1
            if handlers != 1:
                present = [h for h in _HANDLERS if p.get(h) is not None]
                what = "must specify a handler type" if not present else \
                    f"may not specify more than 1 handler type (found {', '.join(present)})"
                out.append(Violation(f"{pointer_to_k8s(ptr)}: {'Required value' if not present else 'Forbidden'}: {what}",
                                     ptr, at="key"))
            handler = p.get("exec")
            if isinstance(handler, dict) and handler.get("command") in (None, []):
                out.append(Violation(f"{pointer_to_k8s(ptr)}.exec.command: Required value", ptr + ("exec",), at="key"))
            # (`v.__class__ is int or _int(v)` is _int(v): no call for a plain int, as most are)
            for field in _PROBE_COUNTS:
                value = p.get(field)
                if value is not None and (value.__class__ is int or _int(value)) and value < 0:
                    out.append(Violation(invalid(f"{pointer_to_k8s(ptr)}.{field}", value,
                                                 ["must be greater than or equal to 0"]), ptr + (field,)))
            success = p.get("successThreshold")
            if success is not None and probe != "readinessProbe" and \
                    (success.__class__ is int or _int(success)) and success > 1:
                # 0 is defaulted to 1 before validation
                out.append(Violation(invalid(f"{pointer_to_k8s(ptr)}.successThreshold", success, ["must be 1"]),
                                     ptr + ("successThreshold",),
                                     hint=f"a {probe} succeeds once: omit successThreshold or set it to 1"))
            grace = p.get("terminationGracePeriodSeconds")
            if grace is not None and (grace.__class__ is int or _int(grace)):
                if probe == "readinessProbe":
                    out.append(Violation(invalid(f"{pointer_to_k8s(ptr)}.terminationGracePeriodSeconds", grace,
                                                 ["must not be set for readinessProbes"]),
                                         ptr + ("terminationGracePeriodSeconds",)))
                elif grace <= 0:
                    out.append(Violation(invalid(f"{pointer_to_k8s(ptr)}.terminationGracePeriodSeconds", grace,
                                                 ["must be greater than 0"]), ptr + ("terminationGracePeriodSeconds",)))
            for h in ("httpGet", "tcpSocket", "grpc"):
                handler = p.get(h)
                port = handler.get("port") if isinstance(handler, dict) else None
                if port is None:
                    continue
                if isinstance(port, str) and h != "grpc":
                    errors = iana_svc_name(port)
                    if errors:
                        pptr = ptr + (h, "port")
                        out.append(Violation(invalid(pointer_to_k8s(pptr), port, errors), pptr))
                elif not 1 <= port <= 65535 if port.__class__ is int else \
                        isinstance(port, int) and not port_number(port):
                    pptr = ptr + (h, "port")
                    out.append(Violation(invalid(pointer_to_k8s(pptr), port,
                                                 ["must be between 1 and 65535, inclusive"]), pptr))
    return out


@_in_pods
def probe_port_names(obj: Any, ctx: Any) -> List[Violation]:
    """KL118: a probe port given by name must be a port name of the same container; the API
    accepts it, and the probe then fails at run time."""
    out: List[Violation] = []
    for cptr, c in pod_containers(obj):
        names = None  # the container's port names, once a probe names a port
        for probe in _PROBES:
            p = c.get(probe)
            if not isinstance(p, dict):
                continue
            for h in ("httpGet", "tcpSocket"):
                handler = p.get(h)
                port = handler.get("port") if isinstance(handler, dict) else None
                if not isinstance(port, str):
                    continue
                if names is None:
                    names = [q.get("name") for q in items(c.get("ports")) if isinstance(q, dict)]
                if port not in names and not iana_svc_name(port):
                    from ..identify import close

                    guess = close(port, [n for n in names if isinstance(n, str)])
                    out.append(Violation(
                             f"{pointer_to_k8s(cptr + (probe, h, 'port'))}: no port named \"{port}\" in "
                             f"this container (ports: {', '.join(n for n in names if isinstance(n, str)) or 'none'})"
                             + (f'; did you mean "{guess}"?' if guess else ""),
                             cptr + (probe, h, "port")))
    return out


_WORKLOAD_RESTART = {
    "Deployment": ("Always",), "ReplicaSet": ("Always",), "StatefulSet": ("Always",),
    "DaemonSet": ("Always",), "ReplicationController": ("Always",),
    "Job": ("OnFailure", "Never"), "CronJob": ("OnFailure", "Never"),
}


def restart_policy(obj: Any, ctx: Any) -> List[Violation]:
    """KL120: a workload's pod template must use the restart policy its controller supports."""
    out: List[Violation] = []
    allowed = _WORKLOAD_RESTART.get(obj.kind)
    found = pod_spec(obj)
    if allowed is None or found is None:
        return out
    base, spec = found
    policy = spec.get("restartPolicy")
    shown = ", ".join(f'"{a}"' for a in allowed)
    if policy is None or policy == "":  # ("" is unset: defaulted to Always too)
        if "Always" not in allowed:  # the default, Always, is invalid for Jobs
            out.append(Violation(f"{pointer_to_k8s(base + ('restartPolicy',))}: Required value: valid "
                                 f"values: {shown} (the default, Always, is not allowed for a {obj.kind})",
                                 base, at="key", hint="add `restartPolicy: OnFailure` or `Never`"))
    elif isinstance(policy, str) and policy not in allowed and policy in ("Always", "OnFailure", "Never"):
        out.append(Violation(f"{pointer_to_k8s(base + ('restartPolicy',))}: Unsupported value: \"{policy}\": "
                             f"supported values: {shown}", base + ("restartPolicy",)))
    return out


__all__: List[str] = ["container_names", "container_image", "container_ports", "volume_mounts",
                      "env_var_names", "resources", "probes", "probe_port_names", "restart_policy"]
