"""Pod-level fields and security contexts as ValidatePodSpec (pkg/apis/core/validation/
validation.go) checks them, and the warnings the API server returns for pod specs
(warningsForPodSpecAndMeta, pkg/api/pod/warnings.go)."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Tuple

from ..model import Pointer, Violation, pointer_to_k8s
from .k8s import (containers, dns1123_label, dns1123_subdomain, invalid, is_ip, items,
                  local_descending_path, pod_spec)

# ValidatePodSpec: the names a pod spec refers to by format (the objects need not exist).
_POD_NAMES = (("serviceAccountName", dns1123_subdomain), ("hostname", dns1123_label),
              ("subdomain", dns1123_label), ("priorityClassName", dns1123_subdomain),
              ("nodeName", dns1123_subdomain))

_MAX_NAMESERVERS = 3  # MaxDNSNameservers
_MAX_SEARCHES = 32  # MaxDNSSearchPaths
_MAX_ID = 2147483647  # IsValidUserID / IsValidGroupID: 0..math.MaxInt32


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def pod_spec_fields(obj: Any, ctx: Any) -> List[Violation]:
    """KL128: at least one container (validateContainers), dnsConfig when dnsPolicy is None
    (validatePodDNSConfig), activeDeadlineSeconds 1..2^31-1, and the formats of
    serviceAccountName, hostname, subdomain, priorityClassName and nodeName (ValidatePodSpec)."""
    out: List[Violation] = []
    found = pod_spec(obj)
    if found is None:
        return out
    base, spec = found
    where = pointer_to_k8s(base)
    if spec.get("containers") == []:
        out.append(Violation(f"{where}.containers: Required value: a pod needs at least one container",
                             base + ("containers",)))
    policy, config = spec.get("dnsPolicy"), spec.get("dnsConfig")
    if policy == "None":
        if config is None:
            out.append(Violation(f"{where}.dnsConfig: Required value: must provide `dnsConfig` when "
                                 "`dnsPolicy` is None", base + ("dnsPolicy",),
                                 hint="add dnsConfig: {nameservers: [10.0.0.10]}, or use dnsPolicy: ClusterFirst"))
        elif isinstance(config, dict) and not config.get("nameservers"):
            out.append(Violation(f"{where}.dnsConfig.nameservers: Required value: must provide at least "
                                 "one DNS nameserver when `dnsPolicy` is None",
                                 base + ("dnsConfig", "nameservers") if "nameservers" in config
                                 else base + ("dnsConfig",), at="key"))
    if isinstance(config, dict):
        servers = config.get("nameservers")
        if isinstance(servers, list):
            if len(servers) > _MAX_NAMESERVERS:
                out.append(Violation(f"{where}.dnsConfig.nameservers: Invalid value: must not have more "
                                     f"than {_MAX_NAMESERVERS} nameservers", base + ("dnsConfig", "nameservers"), at="key"))
            for i, server in enumerate(servers):
                if isinstance(server, str) and not is_ip(server):
                    ptr = base + ("dnsConfig", "nameservers", i)
                    out.append(Violation(invalid(pointer_to_k8s(ptr), server,
                                                 ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]), ptr))
        searches = config.get("searches")
        if isinstance(searches, list) and len(searches) > _MAX_SEARCHES:
            out.append(Violation(f"{where}.dnsConfig.searches: Invalid value: must not have more than "
                                 f"{_MAX_SEARCHES} search paths", base + ("dnsConfig", "searches"), at="key"))
    for field, fn in _POD_NAMES:
        value = spec.get(field)
        if isinstance(value, str) and value:
            errors = fn(value)
            if errors:
                out.append(Violation(invalid(f"{where}.{field}", value, errors), base + (field,)))
    deadline = spec.get("activeDeadlineSeconds")
    if _int(deadline) and not 1 <= deadline <= _MAX_ID:
        out.append(Violation(invalid(f"{where}.activeDeadlineSeconds", deadline,
                                     [f"must be between 1 and {_MAX_ID}, inclusive"]), base + ("activeDeadlineSeconds",)))
    return out


def _contexts(base: Pointer, spec: dict) -> Iterator[Tuple[Pointer, dict, bool]]:
    """(pointer, securityContext, is the pod's) of the pod and of each container."""
    sc = spec.get("securityContext")
    if isinstance(sc, dict):
        yield base + ("securityContext",), sc, True
    for cptr, c in containers(spec, base):
        sc = c.get("securityContext")
        if isinstance(sc, dict):
            yield cptr + ("securityContext",), sc, False


_PROC_MOUNT: Dict[str, bool] = {}  # Kubernetes version -> procMount validated (1.33+)


def security_context(obj: Any, ctx: Any) -> List[Violation]:
    """KL129: user and group IDs 0..2^31-1 (IsValidUserID, IsValidGroupID); a Localhost
    seccomp/AppArmor profile names its file, other types do not
    (validateSeccompProfileField, validateAppArmorProfileField); privileged containers
    cannot forbid privilege escalation, and procMount Unmasked needs hostUsers: false
    (ValidateSecurityContext)."""
    out: List[Violation] = []
    found = pod_spec(obj)
    if found is None:
        return out
    base, spec = found
    host_users = spec.get("hostUsers") is not False
    # ProcMountType is on by default from 1.33; before, procMount is dropped unvalidated
    proc_mount = _PROC_MOUNT.get(ctx.version)
    if proc_mount is None:
        proc_mount = _PROC_MOUNT[ctx.version] = tuple(int(x) for x in ctx.version.split(".")) >= (1, 33)
    for ptr, sc, pod in _contexts(base, spec):
        # (its path as text only for a finding: almost every context has none)
        for field in ("runAsUser", "runAsGroup") + (("fsGroup",) if pod else ()):
            value = sc.get(field)
            if _int(value) and not 0 <= value <= _MAX_ID:
                out.append(Violation(invalid(f"{pointer_to_k8s(ptr)}.{field}", value,
                                             [f"must be between 0 and {_MAX_ID}, inclusive"]), ptr + (field,)))
        if pod:
            for i, gid in enumerate(items(sc.get("supplementalGroups"))):
                if _int(gid) and not 0 <= gid <= _MAX_ID:
                    out.append(Violation(invalid(f"{pointer_to_k8s(ptr)}.supplementalGroups[{i}]", gid,
                                                 [f"must be between 0 and {_MAX_ID}, inclusive"]),
                                         ptr + ("supplementalGroups", i)))
        for field, what in (("seccompProfile", "seccomp"), ("appArmorProfile", "AppArmor")):
            profile = sc.get(field)
            if not isinstance(profile, dict):
                continue
            kind, local = profile.get("type"), profile.get("localhostProfile")
            pptr = ptr + (field,)
            if kind == "Localhost":
                if local is None:
                    out.append(Violation(f"{pointer_to_k8s(ptr)}.{field}.localhostProfile: Required value: must be set "
                                         f"when {what} type is Localhost", pptr, at="key"))
                elif isinstance(local, str):
                    errors = local_descending_path(local) if field == "seccompProfile" else \
                        (["must not be empty"] if not local.strip() else
                         ["must not be padded with whitespace"] if local != local.strip() else [])
                    for error in errors:
                        out.append(Violation(invalid(f"{pointer_to_k8s(ptr)}.{field}.localhostProfile", local, [error]),
                                             pptr + ("localhostProfile",)))
            elif kind in ("RuntimeDefault", "Unconfined") and local is not None:
                out.append(Violation(f"{pointer_to_k8s(ptr)}.{field}.localhostProfile: Invalid value: can only be set "
                                     f"when {what} type is Localhost", pptr + ("localhostProfile",), at="key"))
        if not pod and sc.get("procMount") == "Unmasked" and host_users and proc_mount:
            out.append(Violation(invalid(f"{pointer_to_k8s(ptr)}.procMount", "Unmasked", ["`hostUsers` must be false to use "
                                                                           "`Unmasked`"]), ptr + ("procMount",),
                                 hint="set spec.hostUsers: false (a user namespace for the pod)"))
        if not pod and sc.get("privileged") is True and sc.get("allowPrivilegeEscalation") is False:
            out.append(Violation(f"{pointer_to_k8s(ptr)}: Invalid value: cannot set `allowPrivilegeEscalation` to false "
                                 "and `privileged` to true", ptr + ("allowPrivilegeEscalation",)))
    return out


def env_sources(obj: Any, ctx: Any) -> List[Violation]:
    """KL131: an env var's valueFrom names exactly one source and comes without a value
    (validateEnvVarValueFrom); an envFrom entry names exactly one of configMapRef and
    secretRef (ValidateEnvFrom)."""
    out: List[Violation] = []
    found = pod_spec(obj)
    if found is None:
        return out
    sources = ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef")
    base, spec = found
    for cptr, c in containers(spec, base):
        for i, env in enumerate(items(c.get("env"))):
            if not isinstance(env, dict) or not isinstance(env.get("valueFrom"), dict):
                continue
            present = [k for k in sources if env["valueFrom"].get(k) is not None]
            if len(present) == 1 and not env.get("value"):
                continue  # (the usual case: its path is made text only for a finding)
            ptr = cptr + ("env", i, "valueFrom")
            where = pointer_to_k8s(ptr)
            if not present:
                out.append(Violation(f"{where}: Invalid value: \"\": must specify one of: `fieldRef`, "
                                     "`resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`", ptr, at="key"))
            elif env.get("value"):
                out.append(Violation(f"{where}: Invalid value: \"\": may not be specified when `value` is not "
                                     "empty", ptr, at="key", hint="keep either value or valueFrom"))
            elif len(present) > 1:
                out.append(Violation(f"{where}: Invalid value: \"\": may not have more than one field specified "
                                     f"at a time (found {', '.join(present)})", ptr, at="key"))
        for i, src in enumerate(items(c.get("envFrom"))):
            if not isinstance(src, dict):
                continue
            present = [k for k in ("configMapRef", "secretRef") if src.get(k) is not None]
            if len(present) != 1:
                ptr = cptr + ("envFrom", i)
                what = "must specify one of: `configMapRef` or `secretRef`" if not present else \
                    "may not have more than one field specified at a time"
                out.append(Violation(f"{pointer_to_k8s(cptr + ('envFrom',))}: Invalid value: \"\": {what}", ptr))
    return out


_APPLY = ("; server-side apply rejects duplicate keys of this list (kubectl apply --server-side "
          "fails), and client-side apply may drop one of them")


def duplicate_list_entries(obj: Any, ctx: Any) -> List[Violation]:
    """KL130 (warning): env vars that hide an earlier definition, and ports that repeat a
    containerPort/protocol (warningsForPodSpecAndMeta): the API server accepts both with a
    warning, and they are duplicate keys of list-maps for server-side apply."""
    out: List[Violation] = []
    found = pod_spec(obj)
    if found is None:
        return out
    base, spec = found
    ports: Dict[Tuple[Any, Any], List[Tuple[Pointer, int, dict]]] = {}
    for cptr, c in containers(spec, base):
        seen = set()
        for i, env in enumerate(items(c.get("env"))):
            name = env.get("name") if isinstance(env, dict) else None
            if not isinstance(name, str):
                continue
            if name in seen:
                ref = f"$({name})"
                value = env.get("value") if isinstance(env.get("value"), str) else ""
                # X: "$(X)suffix" builds on the earlier value: the API server does not warn
                if env.get("valueFrom") is not None or value == ref or ref not in value:
                    ptr = cptr + ("env", i)
                    out.append(Violation(f"{pointer_to_k8s(ptr)}: hides previous definition of \"{name}\", "
                                         "which may be dropped when using apply" + _APPLY, ptr + ("name",)))
            else:
                seen.add(name)
        for i, port in enumerate(items(c.get("ports"))):
            if not isinstance(port, dict) or not _int(port.get("containerPort")):
                continue
            protocol = port.get("protocol") or "TCP"
            if not isinstance(protocol, str):
                continue
            key = (port["containerPort"], protocol)
            others = ports.get(key)
            if others is None:  # (the usual case: the first port of its number and protocol)
                ports[key] = [(cptr, i, port)]
                continue
            ptr = cptr + ("ports", i)
            host_ip, host_port = port.get("hostIP") or "", port.get("hostPort") or 0
            for other_cptr, other_i, other in others:
                other_ptr = other_cptr + ("ports", other_i)
                o_ip, o_port = other.get("hostIP") or "", other.get("hostPort") or 0
                if host_ip == o_ip and host_port == o_port:
                    what = "duplicate"
                elif host_port == 0 or o_port == 0:
                    what = "overlapping"
                elif host_port == o_port and (host_ip == "") != (o_ip == ""):
                    what = "dangerously ambiguous"
                else:
                    continue
                same = other_ptr[:-2] == cptr  # one container's ports are one list-map
                out.append(Violation(f"{pointer_to_k8s(ptr)}: {what} port definition with "
                                     f"{pointer_to_k8s(other_ptr)}" + (_APPLY if same and what == "duplicate" else ""),
                                     ptr + ("containerPort",),
                                     related=((None, other_ptr + ("containerPort",), "the other port"),)))
            others.append((cptr, i, port))
    return out


__all__: List[str] = ["pod_spec_fields", "security_context", "env_sources", "duplicate_list_entries", "is_ip"]
