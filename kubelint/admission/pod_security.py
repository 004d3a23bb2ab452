"""Pod Security Standards as the pod-security admission plugin evaluates them
(k8s.io/pod-security-admission/policy): each control ("check") has versioned implementations;
a level:version selects the baseline checks, or for restricted the restricted checks plus the
baseline checks they do not override. Written from the plugin's documented semantics.

Where a level applies to a pod:
- a Namespace of the input labelled pod-security.kubernetes.io/enforce (-> error),
  warn or audit (-> warning), with the matching *-version label ("latest" or "v1.X");
- else config `pod-security: {level, version, mode}` (namespaces not labelled in the input);
- else the level the user selected rules of (`--select pss-restricted`, a KL42x code...).

Unlike the plugin, which rejects a pod with one message per control, every offending field is
reported where it is, with the value that would pass."""

from __future__ import annotations

from itertools import compress, repeat
from operator import attrgetter, eq
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from ..checks.k8s import containers, get, items, pod_spec
from ..model import _K8S_PATHS, Pointer, Severity, Violation, pointer_to_k8s
from ..namedtuple import NamedTuple

LABEL = "pod-security.kubernetes.io/"
LEVELS = ("privileged", "baseline", "restricted")
Version = Tuple[int, int]


_EMPTY: dict = {}  # read only: the securityContext of an owner without one


def _q(value: Any) -> str:
    if value.__class__ is str:  # what json.dumps gives a str, without its Python layers
        from json.encoder import encode_basestring_ascii

        return encode_basestring_ascii(value)
    import json

    return json.dumps(value)


# --- the controls --------------------------------------------------------------------------
# What the plugin's checks forbid, and the values that pass.

BASELINE_CAPABILITIES = frozenset((
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
    "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"))
APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"
SELINUX_TYPES = frozenset(("", "container_t", "container_init_t", "container_kvm_t"))
SELINUX_TYPES_1_31 = SELINUX_TYPES | {"container_engine_t"}
SECCOMP_TYPES = ("RuntimeDefault", "Localhost")
SYSCTLS = {
    (1, 0): frozenset(("kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
                       "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start")),
    (1, 27): frozenset(("net.ipv4.ip_local_reserved_ports",)),
    (1, 29): frozenset(("net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
                        "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes")),
    (1, 32): frozenset(("net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem")),
    (1, 37): frozenset(("net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat")),
}
ALLOWED_VOLUMES = ("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image",
                   "persistentVolumeClaim", "projected", "secret")
RESTRICTED_VOLUMES = ("hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi",
                      "glusterfs", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile",
                      "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume",
                      "scaleIO", "storageos")

_SAFE: Dict[Version, frozenset] = {}


def safe_sysctls(v: Version) -> frozenset:
    found = _SAFE.get(v)
    if found is None:
        found = frozenset()
        for since, names in SYSCTLS.items():
            if v >= since:
                found = found | names
        _SAFE[v] = found
    return found


# (pointer, at, problem, hint) of one offending field, by rule code, in each control's order
Found = Dict[str, List[Tuple[Pointer, str, str, str]]]

_SC = ("securityContext",)
_HANDLERS = (("livenessProbe",), ("readinessProbe",), ("startupProbe",))
_LIFECYCLE = (("lifecycle", "postStart"), ("lifecycle", "preStop"))
_HOST_ACTIONS = ("httpGet", "tcpSocket")
_CAPS_HINT = "allowed: only the runtime's default set: " + ", ".join(sorted(BASELINE_CAPABILITIES))
_SECCOMP_HINT = "allowed: type: RuntimeDefault or Localhost"
_APPARMOR_HINT = "allowed: type: RuntimeDefault or Localhost, or no appArmorProfile"


def _seccomp(ptr: Pointer, profile: dict) -> Optional[Tuple[Pointer, str, str, str]]:
    """The offending field of a seccompProfile whose type is not allowed, or None."""
    t = profile.get("type")
    if t in SECCOMP_TYPES:
        return None
    if "type" in profile:
        return ptr + ("securityContext", "seccompProfile", "type"), "value", \
            f"seccompProfile.type {_q(t) if t is not None else 'unset'}", _SECCOMP_HINT
    return ptr + ("securityContext", "seccompProfile"), "key", \
        f"seccompProfile.type {_q(t) if t is not None else 'unset'}", _SECCOMP_HINT


def _apparmor(ptr: Pointer, profile: dict) -> Optional[Tuple[Pointer, str, str, str]]:
    t = profile.get("type")
    if t in ("RuntimeDefault", "Localhost"):
        return None
    shown = f"AppArmor profile type {_q(t) if t is not None else 'unset'}"
    if "type" in profile:
        return ptr + ("securityContext", "appArmorProfile", "type"), "value", shown, _APPARMOR_HINT
    return ptr + ("securityContext", "appArmorProfile"), "key", shown, _APPARMOR_HINT


def _selinux(ptr: Pointer, opts: dict, allowed: frozenset, out: Found) -> None:
    p = ptr + ("securityContext", "seLinuxOptions")
    t = opts.get("type")
    if t is not None and t not in allowed:
        out.setdefault("KL408", []).append((
            p + ("type",), "value", f"seLinuxOptions.type {_q(t)}",
            "allowed: " + ", ".join(sorted(x for x in allowed if x)) + ", or unset"))
    for field in ("user", "role"):
        if opts.get(field) not in (None, ""):
            out.setdefault("KL408", []).append((
                p + (field,), "value", f"seLinuxOptions.{field} is set", "allowed: unset"))


def _profiles(sc: dict, ptr: Pointer, v: Version, k407: bool, k408: bool, k410: bool,
              out: Found) -> None:
    """The AppArmor, SELinux and baseline seccomp controls on one securityContext (the pod's
    or a container's, at `ptr`): the same checks at both levels."""
    if k407:
        profile = sc.get("appArmorProfile")
        if isinstance(profile, dict):
            found = _apparmor(ptr, profile)
            if found is not None:
                out.setdefault("KL407", []).append(found)
    if k408:
        opts = sc.get("seLinuxOptions")
        if isinstance(opts, dict):
            _selinux(ptr, opts, SELINUX_TYPES_1_31 if v >= (1, 31) else SELINUX_TYPES, out)
    if k410:
        profile = sc.get("seccompProfile")
        if isinstance(profile, dict):
            found = _seccomp(ptr, profile)
            if found is not None:
                out.setdefault("KL410", []).append(found)


def _restricted(out: Found, ptr: Pointer, sc: dict, missing: Pointer, who: str, k422: bool,
                k423: bool, k425: bool, k426: bool, pod_non_root: Any, pod_seccomp_unset: bool) -> None:
    """The restricted controls on one container's securityContext `sc` (_EMPTY: none), given
    what the pod sets (its runAsNonRoot; whether its seccompProfile is unset)."""
    if k422:  # allowPrivilegeEscalation
        value = sc.get("allowPrivilegeEscalation")
        if value is None:
            out.setdefault("KL422", []).append((
                missing, "key", f"{who} does not set securityContext.allowPrivilegeEscalation",
                "allowed: allowPrivilegeEscalation: false"))
        elif value is not False:
            out.setdefault("KL422", []).append((
                ptr + ("securityContext", "allowPrivilegeEscalation"), "value",
                f"{who} sets allowPrivilegeEscalation={_q(value)}", "allowed: false"))
    if k423:  # runAsNonRoot
        own = sc.get("runAsNonRoot")
        if own is not None:
            if own is not True:
                out.setdefault("KL423", []).append((
                    ptr + ("securityContext", "runAsNonRoot"), "value",
                    f"{who} sets runAsNonRoot={_q(own)}", "allowed: true"))
        elif pod_non_root is None:  # an explicit false on the pod is reported there
            out.setdefault("KL423", []).append((
                missing, "key", f"neither the pod nor {who} sets securityContext.runAsNonRoot",
                "allowed: runAsNonRoot: true (on the pod or the container)"))
    if k425:  # seccompProfile_restricted
        own = sc.get("seccompProfile")
        if isinstance(own, dict):
            found = _seccomp(ptr, own)
            if found is not None:
                out.setdefault("KL425", []).append(found)
        elif pod_seccomp_unset:
            out.setdefault("KL425", []).append((
                missing, "key", f"neither the pod nor {who} sets securityContext.seccompProfile",
                "allowed: seccompProfile: {type: RuntimeDefault} (on the pod or the container)"))
    if k426:  # capabilities_restricted
        caps = sc.get("capabilities")
        if not isinstance(caps, dict):
            out.setdefault("KL426", []).append((missing, "key", f"{who} does not drop ALL capabilities",
                                                'allowed: capabilities: {drop: ["ALL"]}'))
        else:
            p = ptr + ("securityContext", "capabilities")
            if "ALL" not in items(caps.get("drop")):
                out.setdefault("KL426", []).append((
                    p + (("drop",) if "drop" in caps else ()), "key",
                    f"{who} does not drop ALL capabilities", 'allowed: drop: ["ALL"]'))
            for j, cap in enumerate(items(caps.get("add"))):
                if cap != "NET_BIND_SERVICE":
                    out.setdefault("KL426", []).append((p + ("add", j), "value",
                                                        f"{who} adds capability {_q(cap)}",
                                                        'allowed: only "NET_BIND_SERVICE"'))


def _who(name: Optional[str]) -> str:
    return "container" if name is None else f'container "{name}"'


_PROBE_FIELDS = tuple(zip(_HANDLERS, ("livenessProbe", "readinessProbe", "startupProbe")))
_LIFECYCLE_FIELDS = tuple(zip(_LIFECYCLE, ("postStart", "preStop")))


def _host(out: Found, ptr: Pointer, sub: Pointer, kind: str, host: Any, name: Optional[str]) -> None:
    """KL412: a probe's or lifecycle handler's action at ptr + sub + (kind,) that sets `host`."""
    if isinstance(host, str) and host:
        out.setdefault("KL412", []).append((
            ptr + sub + (kind, "host"), "value", f"{_who(name)} sets {'.'.join(sub)}.{kind}.host {_q(host)}",
            "allowed: unset (the pod's IP)"))


# (pointer, has a securityContext, named, name, flags) -> the restricted controls' issues of a
# container without (or with an empty) securityContext
_NO_SC: Dict[Tuple[Any, ...], Tuple[Tuple[str, Tuple[Pointer, str, str, str]], ...]] = {}


def scan(spec: dict, meta: dict, base: Pointer, mbase: Pointer, level: str, v: Version) -> Found:
    """Every control of `level` at version `v` on one pod spec (at `base`; its metadata at
    `mbase`), as the plugin's checks find them. One pass over the pod and its containers for
    all the controls (they read the same few fields: 19 walks cost ~3x this one); a control
    the level or version does not run is skipped by its flag."""
    (k401, k402, k403, k404, k405, k406, k407, k408, k409, k410, k411, k412,
     k421, k422, k423, k424, k425, k426, k427) = _flags(level, v)
    out: Found = {}
    if k422 or k425 or k426:
        os_ = spec.get("os")
        if isinstance(os_, dict) and os_.get("name") == "windows" and v >= (1, 25):
            k422 = k425 = k426 = False  # not applicable to Windows pods
    if (k409 or k423 or k424) and v >= (1, 35) and spec.get("hostUsers") is False:
        k409 = k423 = k424 = False  # a pod in a user namespace
    sc = spec.get("securityContext")
    psc = sc if isinstance(sc, dict) and sc else _EMPTY

    # the pod
    if k401:
        opts = psc.get("windowsOptions")
        if isinstance(opts, dict) and opts.get("hostProcess") is True:  # windowsHostProcess
            out["KL401"] = [(base + ("securityContext", "windowsOptions", "hostProcess"), "value",
                             "hostProcess=true", "allowed: hostProcess: false, or unset")]
    if k402:  # hostNamespaces
        for field in ("hostNetwork", "hostPID", "hostIPC"):
            if spec.get(field) is True:
                out.setdefault("KL402", []).append((base + (field,), "value", f"{field}=true",
                                                    f"allowed: {field}: false, or unset"))
    if k405 or k421:  # hostPathVolumes; restrictedVolumes
        for i, vol in enumerate(items(spec.get("volumes"))):
            if not isinstance(vol, dict):
                continue
            if k405 and vol.get("hostPath") is not None:
                out.setdefault("KL405", []).append((
                    base + ("volumes", i, "hostPath"), "key", f"volume {_q(vol.get('name'))} is a hostPath volume",
                    "allowed: another volume type (emptyDir, configMap, a PersistentVolumeClaim...)"))
            if k421:
                for k in ALLOWED_VOLUMES:  # (a loop, not any(<generator>): once per volume)
                    if vol.get(k) is not None:
                        break
                else:
                    kind = next((k for k in RESTRICTED_VOLUMES if vol.get(k) is not None), None)
                    if kind is None:  # no source at all: defaulted to emptyDir before admission
                        continue
                    out.setdefault("KL421", []).append((
                        base + ("volumes", i, kind), "key",
                        f"volume {_q(vol.get('name'))} uses restricted volume type {_q(kind)}",
                        "allowed: " + ", ".join(ALLOWED_VOLUMES)))
    if psc:
        if k407 or k408 or k410:
            _profiles(psc, base, v, k407, k408, k410, out)
        if k411:
            allowed = safe_sysctls(v)
            for i, s in enumerate(items(psc.get("sysctls"))):
                name = s.get("name") if isinstance(s, dict) else None
                if isinstance(name, str) and name not in allowed:
                    out.setdefault("KL411", []).append((
                        base + ("securityContext", "sysctls", i, "name"), "value",
                        f"sysctl {_q(name)} is not in the safe set of v1.{v[1]}",
                        "allowed: " + ", ".join(sorted(allowed))))
    pod_non_root = psc.get("runAsNonRoot") if k423 else None
    if pod_non_root is not None and pod_non_root is not True:
        out["KL423"] = [(base + ("securityContext", "runAsNonRoot"), "value",
                         f"the pod sets runAsNonRoot={_q(pod_non_root)}", "allowed: true")]
    if k424:
        user = psc.get("runAsUser")
        if user == 0 and not isinstance(user, bool):
            out["KL424"] = [(base + ("securityContext", "runAsUser"), "value",
                             "the pod sets runAsUser=0", "allowed: a non-zero user id, or unset")]
    pod_seccomp = psc.get("seccompProfile") if k425 else None
    pod_seccomp_set = False
    if isinstance(pod_seccomp, dict):
        found = _seccomp(base, pod_seccomp)
        if found is not None:
            out["KL425"] = [found]
        else:
            pod_seccomp_set = True
    pod_seccomp_unset = not pod_seccomp_set and not isinstance(pod_seccomp, dict)

    # each container
    restricted = k422 or k423 or k425 or k426
    # (what the restricted controls on a container without securityContext depend on, besides
    # its pointer and name: the same for every container of the pod)
    nosc_flags = (k422, k423 and pod_non_root is None, k425 and pod_seccomp_unset, k426)
    for ptr, c in containers(spec, base):
        sc = c.get("securityContext")
        has_sc = isinstance(sc, dict)  # (an empty one is no control set, but where they go)
        if not has_sc:
            sc = _EMPTY
        n = c.get("name")
        if n is not None and not isinstance(n, str):
            n = None
        if sc:
            who = "container" if n is None else f'container "{n}"'
            if k401:
                opts = sc.get("windowsOptions")
                if isinstance(opts, dict) and opts.get("hostProcess") is True:
                    out.setdefault("KL401", []).append((
                        ptr + ("securityContext", "windowsOptions", "hostProcess"), "value",
                        "hostProcess=true", "allowed: hostProcess: false, or unset"))
            if k403 and sc.get("privileged") is True:
                out.setdefault("KL403", []).append((ptr + ("securityContext", "privileged"), "value",
                                                    f"{who} sets privileged=true",
                                                    "allowed: privileged: false, or unset"))
            if k404:
                caps = sc.get("capabilities")
                if isinstance(caps, dict):
                    for j, cap in enumerate(items(caps.get("add"))):
                        if cap not in BASELINE_CAPABILITIES:
                            out.setdefault("KL404", []).append((
                                ptr + ("securityContext", "capabilities", "add", j), "value",
                                f"{who} adds non-default capability {_q(cap)}", _CAPS_HINT))
            if k407 or k408 or k410:
                _profiles(sc, ptr, v, k407, k408, k410, out)
            if k409 or k427:
                pm = sc.get("procMount")
                if pm is not None and pm != "Default":
                    out.setdefault("KL409" if k409 else "KL427", []).append((
                        ptr + ("securityContext", "procMount"), "value", f"{who} sets procMount {_q(pm)}",
                        'allowed: "Default", or unset'))
            if k424:
                user = sc.get("runAsUser")
                if user == 0 and not isinstance(user, bool):
                    out.setdefault("KL424", []).append((
                        ptr + ("securityContext", "runAsUser"), "value", f"{who} sets runAsUser=0",
                        "allowed: a non-zero user id, or unset"))
        if k406:  # hostPorts
            for j, port in enumerate(items(c.get("ports"))):
                hp = port.get("hostPort") if isinstance(port, dict) else None
                if hp is not None and hp != 0 and not isinstance(hp, bool):
                    out.setdefault("KL406", []).append((ptr + ("ports", j, "hostPort"), "value",
                                                        f"{_who(n)} uses hostPort {hp}",
                                                        "allowed: hostPort: 0, or unset"))
        if k412:  # hostProbesAndHostLifecycle
            for sub, field in _PROBE_FIELDS:
                handler = c.get(field)
                if handler is None or not isinstance(handler, dict):
                    continue
                for kind in _HOST_ACTIONS:  # (`in`, then [], not get(): most are absent)
                    if kind in handler:
                        action = handler[kind]
                        if isinstance(action, dict) and "host" in action:
                            _host(out, ptr, sub, kind, action["host"], n)
            lifecycle = c.get("lifecycle")
            if lifecycle is not None and isinstance(lifecycle, dict):
                for sub, field in _LIFECYCLE_FIELDS:
                    handler = lifecycle.get(field)
                    if handler is None or not isinstance(handler, dict):
                        continue
                    for kind in _HOST_ACTIONS:
                        if kind in handler:
                            action = handler[kind]
                            if isinstance(action, dict) and "host" in action:
                                _host(out, ptr, sub, kind, action["host"], n)
        if restricted:
            if sc:
                # (where a required field that is not set is reported: the securityContext)
                _restricted(out, ptr, sc, ptr + _SC, who, k422, k423, k425, k426, pod_non_root,
                            pod_seccomp_unset)
            else:
                # no securityContext (most containers): the same few issues for every
                # container with this pointer and name, made once and shared (evaluate()
                # shares their Violations too)
                named = has_sc or "name" in c
                key = (ptr, has_sc, named, n, nosc_flags)
                issues = _NO_SC.get(key)
                if issues is None:
                    if len(_NO_SC) > 10_000:
                        _NO_SC.clear()
                    made: Found = {}
                    # (a required field that is not set is reported at the empty
                    # securityContext, else at the name, or the container)
                    _restricted(made, ptr, _EMPTY, ptr + _SC if has_sc else ptr + ("name",) if named else ptr,
                                _who(n), k422, nosc_flags[1], nosc_flags[2], k426, None, True)
                    issues = _NO_SC[key] = tuple((code, issue) for code, found in made.items()
                                                 for issue in found)
                for code, issue in issues:
                    found = out.get(code)
                    if found is None:
                        out[code] = [issue]
                    else:
                        found.append(issue)

    # the pod's metadata
    if k407:  # appArmorProfile: the annotations it replaced
        annotations = meta.get("annotations")
        if isinstance(annotations, dict):
            for key, value in annotations.items():
                if isinstance(key, str) and key.startswith(APPARMOR_ANNOTATION) and isinstance(value, str) \
                        and not (value == "" or value == "runtime/default" or value.startswith("localhost/")):
                    out.setdefault("KL407", []).append((
                        mbase + ("annotations", key), "value", f"annotation {key}={_q(value)}",
                        'allowed: "runtime/default", "localhost/<profile>", or no annotation'))
    return out


# --- the registry -----------------------------------------------------------------------------

class Control(NamedTuple):
    id: str  # the plugin's check ID
    code: str
    level: str
    since: Version
    overrides: Optional[str] = None  # a restricted check replacing a baseline one


CONTROLS: Tuple[Control, ...] = (
    Control("windowsHostProcess", "KL401", "baseline", (1, 0)),
    Control("hostNamespaces", "KL402", "baseline", (1, 0)),
    Control("privileged", "KL403", "baseline", (1, 0)),
    Control("capabilities_baseline", "KL404", "baseline", (1, 0)),
    Control("hostPathVolumes", "KL405", "baseline", (1, 0)),
    Control("hostPorts", "KL406", "baseline", (1, 0)),
    Control("appArmorProfile", "KL407", "baseline", (1, 0)),
    Control("seLinuxOptions", "KL408", "baseline", (1, 0)),
    Control("procMount", "KL409", "baseline", (1, 0)),
    Control("seccompProfile_baseline", "KL410", "baseline", (1, 19)),
    Control("sysctls", "KL411", "baseline", (1, 0)),
    Control("hostProbesAndHostLifecycle", "KL412", "baseline", (1, 34)),
    Control("restrictedVolumes", "KL421", "restricted", (1, 0), "hostPathVolumes"),
    Control("allowPrivilegeEscalation", "KL422", "restricted", (1, 8)),
    Control("runAsNonRoot", "KL423", "restricted", (1, 0)),
    Control("runAsUser", "KL424", "restricted", (1, 23)),
    Control("seccompProfile_restricted", "KL425", "restricted", (1, 19),
            "seccompProfile_baseline"),
    Control("capabilities_restricted", "KL426", "restricted", (1, 22),
            "capabilities_baseline"),
    Control("procMount_restricted", "KL427", "restricted", (1, 35), "procMount"),
)
BY_CODE = {c.code: c for c in CONTROLS}


_CONTROLS_FOR: Dict[Tuple[str, Version], List[Control]] = {}


def controls_for(level: str, version: Version) -> List[Control]:
    """The checks the plugin runs for level:version, baseline ones first (worked out once
    per level and version: every pod asks)."""
    key = (level, version)
    found = _CONTROLS_FOR.get(key)
    if found is None:
        found = _CONTROLS_FOR[key] = _controls_for(level, version)
    return found


def _controls_for(level: str, version: Version) -> List[Control]:
    if level not in ("baseline", "restricted"):
        return []
    active = [c for c in CONTROLS if c.since <= version]
    base = [c for c in active if c.level == "baseline"]
    if level == "baseline":
        return base
    restricted = [c for c in active if c.level == "restricted"]
    overridden = {c.overrides for c in restricted if c.overrides}
    return [c for c in base if c.id not in overridden] + restricted


_FLAGS: Dict[Tuple[str, Version], Tuple[bool, ...]] = {}


def _flags(level: str, version: Version) -> Tuple[bool, ...]:
    """Whether each control (in CONTROLS' order) runs at level:version, for scan()."""
    key = (level, version)
    found = _FLAGS.get(key)
    if found is None:
        on = {c.code for c in controls_for(level, version)}
        found = _FLAGS[key] = tuple(c.code in on for c in CONTROLS)
    return found


# --- which level applies to a pod ---------------------------------------------------------------

class Policy(NamedTuple):
    level: str
    version: Version
    label: str  # "restricted:v1.30" or "restricted:latest", as the API server names it
    severity: Optional[Severity]
    source: str  # why it applies, for the message


def parse_version(text: Any, cluster: Version) -> Tuple[Version, str]:
    """A *-version label: "latest" or "v1.X"; anything else is latest, as the plugin does.
    A version newer than the cluster's is evaluated at the cluster's checks."""
    import re

    m = re.fullmatch(r"v1\.([0-9]|[1-9][0-9]*)", text) if isinstance(text, str) else None
    if m is None:
        return cluster, "latest"
    v = (1, int(m.group(1)))
    return min(v, cluster), f"v1.{v[1]}"


def cluster_version(ctx: Any) -> Version:
    major, minor = ctx.version.split(".")[:2]
    return int(major), int(minor)


MODES = (("enforce", Severity.ERROR), ("warn", Severity.WARNING), ("audit", Severity.WARNING))


def namespace_policies(labels: Dict[str, Any], cluster: Version, namespace: str,
                       defaults: Dict[str, Policy]) -> List[Policy]:
    """The modes a Namespace's labels set, over the defaults (config pod-security), as
    PolicyToEvaluate reads them: an invalid enforce level fails closed to restricted, invalid
    warn/audit levels fail open. Enforce first: its violations are errors."""
    out = dict(defaults)
    for mode, severity in MODES:
        if LABEL + mode not in labels:
            continue
        level = labels[LABEL + mode]
        if level not in LEVELS:
            level = "restricted" if mode == "enforce" else "privileged"
        version, shown = parse_version(labels.get(LABEL + mode + "-version", "latest"), cluster)
        out[mode] = Policy(level, version, f"{level}:{shown}", severity,
                           f'namespace "{namespace}" label {LABEL}{mode}')
    return [out[m] for m, _ in MODES if m in out and out[m].level != "privileged"]


def config_policies(ctx: Any, cluster: Version) -> Dict[str, Policy]:
    """Config `pod-security: {level, version, mode}`: the cluster's default for namespaces
    whose labels do not say otherwise (mode enforce by default)."""
    conf = getattr(ctx.settings, "pod_security", None) if ctx.settings is not None else None
    if not conf:
        return {}
    level = conf.get("level", "restricted")
    mode = conf.get("mode", "enforce")
    version, shown = parse_version(conf.get("version", "latest"), cluster)
    severity = dict(MODES)[mode]
    return {mode: Policy(level, version, f"{level}:{shown}", severity,
                         f"config pod-security ({mode})")}


def selected_policies(ctx: Any, cluster: Version) -> List[Policy]:
    level = selected_level(ctx.settings.select if ctx.settings is not None else ())
    if not level:
        return []
    return [Policy(level, cluster, f"{level}:v1.{cluster[1]}", None,
                   "Pod Security rules selected")]


def selected_level(select: Sequence[str]) -> Optional[str]:
    """The level a user asked for by selecting Pod Security rules by tag, code or name
    (not by ALL): restricted if any restricted control is named, else baseline."""
    level = None
    for ref in select:
        ref = ref.strip()
        low, up = ref.lower(), ref.upper()
        if low == "pss-restricted":
            return "restricted"
        if low in ("pss-baseline", "pod-security"):
            level = level or ("restricted" if low == "pod-security" else "baseline")
            continue
        for c in CONTROLS:
            if (up != "ALL" and c.code.startswith(up) and len(up) >= 3) or (
                    low.startswith("pss-") and _rule_names().get(ref) == c.code):
                if c.level == "restricted":
                    return "restricted"
                level = "baseline"
    return level


_NAMES: Dict[str, str] = {}


def _rule_names() -> Dict[str, str]:
    """rule name -> code of the Pod Security rules (from the rule files)."""
    if not _NAMES:
        from ..registry import _builtin_data

        for _, data in _builtin_data():
            if isinstance(data, dict) and data.get("code") in BY_CODE:
                _NAMES[data["name"]] = data["code"]
    return _NAMES


class _RunState(NamedTuple):
    """What decides the policies of a pod, worked out once per run: the labelled Namespaces'
    policies by name, and those of every other namespace."""

    namespaces: Dict[str, List[Policy]]
    fallback: List[Policy]
    # a name several labelled Namespaces of the run have with other labels (alternatives:
    # eks-workshop's pss-psa overlays label `pss` baseline in one, restricted in another):
    # (Namespace, its policies) of each, the pod's own unit's chosen (_policies_of)
    several: Optional[Dict[str, List[Tuple[Any, List[Policy]]]]] = None


def _run_state(ctx: Any) -> Optional[_RunState]:
    """None: no policy applies to any pod of the run (no labelled Namespace, no config
    pod-security, no Pod Security rule selected by name): the default rule set's case, where
    every pod of the run asks."""
    cluster = cluster_version(ctx)
    defaults = config_policies(ctx, cluster)
    index: Dict[str, List[Policy]] = {}
    several: Dict[str, List[Tuple[Any, List[Policy]]]] = {}
    seen: Dict[str, List[Tuple[Any, Dict[str, Any], List[Policy]]]] = {}
    for o in _namespaces(ctx):
        if o.name:
            labels = get(o.data, ("metadata", "labels"))
            labels = labels if isinstance(labels, dict) else {}
            if any(isinstance(k, str) and k.startswith(LABEL) for k in labels):
                policies = namespace_policies(labels, cluster, o.name, defaults)
                mode = {k: v for k, v in labels.items() if isinstance(k, str) and k.startswith(LABEL)}
                seen.setdefault(o.name, []).append((o, mode, policies))
                index[o.name] = policies
    for name, entries in seen.items():
        if any(mode != entries[0][1] for _, mode, _ in entries):
            several[name] = [(o, policies) for o, _, policies in entries]
            del index[name]
    fallback = _fallback(ctx, cluster, defaults)
    if not fallback and not any(index.values()) and not several:
        return None
    return _RunState(index, fallback, several or None)


def _fallback(ctx: Any, cluster: Version, defaults: Dict[str, Policy]) -> List[Policy]:
    """The policies of a pod whose namespace the input does not label: config pod-security's
    (`defaults`, less privileged), else the level the selected Pod Security rules ask for."""
    return [p for p in defaults.values() if p.level != "privileged"] or selected_policies(ctx, cluster)


def _policies_of(state: _RunState, obj: Any, ctx: Any) -> List[Policy]:
    """The policies of a pod whose namespace several labelled Namespaces of the run name:
    its own unit's (its own file's) Namespace's, as a reference by name resolves; the
    default ones when which is meant cannot be told."""
    candidates = state.several.get(obj.namespace) if state.several else None
    if not candidates:
        return state.fallback
    from .. import graph as graphmod

    meant = graphmod.of(ctx).resolve("", "Namespace", "", obj.namespace, obj)
    if meant and len(meant) == 1:
        for namespace, policies in candidates:
            if namespace is meant[0]:
                return policies
    return state.fallback


def _namespaces(ctx: Any) -> List[Any]:
    """The run's objects of kind Namespace, in input order: from the graph's index when the
    cross-object stage has it ready (with --jobs, built while files were linted), else a
    look at every object's kind (~50 ms at 50,000 objects, before the stage's fork)."""
    shared = getattr(ctx, "shared", None)
    graph = shared.get("graph") if shared is not None else None
    if graph is not None and graph.objects is ctx.objects:
        kinds = graph.kinds()  # (group, kind) pairs' kinds: a Namespace of another group?
        if "Namespace" not in kinds:
            return []
        if kinds.count("Namespace") == 1 and graph.objects_of("", "Namespace"):
            return graph.objects_of("", "Namespace")
    objects = ctx.objects
    try:  # o.kind == "Namespace" for each, without a property call per object (only a str
        # equals "Namespace"; the property's "" for another value does not either)
        return list(compress(objects, map(eq, map(dict.get, map(_data, objects), repeat("kind")),
                                          repeat("Namespace"))))
    except TypeError:  # (data that is no dict)
        return [o for o in objects if o.kind == "Namespace"]


_data = attrgetter("data")


def _meta_base(base: Pointer) -> Pointer:
    return base[:-1] + ("metadata",)


_META_BASE: Dict[Pointer, Pointer] = {}  # pod spec path -> its metadata's (a few paths)


def _violation(issue: Tuple[Pointer, str, str, str], tail: str, severity: Optional[Severity],
               known: Tuple[str, Dict[int, Violation], List[Any]]) -> Violation:
    """The Violation of one issue under a policy (its message's `tail`), kept by the issue's
    id in `known` (with the issue, alive) for the pods that share the issue."""
    pointer, at, problem, hint = issue
    shown = _K8S_PATHS.get(pointer) or pointer_to_k8s(pointer)
    # Violation(message, pointer, at, related, hint, severity, fix)
    v = _new(Violation, (f"{shown}: {problem}{tail}", pointer, at, (), hint, severity, None))
    shown_before, alive = known[1], known[2]
    if len(alive) > 2_000:  # (issues made for one pod only come and go)
        shown_before.clear()
        alive.clear()
    shown_before[id(issue)] = v
    alive.append(issue)
    return v


def _meta_of(obj: Any, path: Pointer) -> Tuple[Pointer, dict]:
    """(pointer, mapping) of the metadata beside the pod spec at `path` (_EMPTY: none)."""
    mbase = _META_BASE.get(path)
    if mbase is None:
        mbase = _META_BASE[path] = _meta_base(path)
    try:  # get(obj.data, mbase), inline: its parts are keys
        meta = obj.data
        for part in mbase:
            meta = meta[part]
    except (KeyError, TypeError, IndexError):  # (not there, or a list or scalar on the way)
        meta = _EMPTY
    if not isinstance(meta, dict):
        meta = _EMPTY
    return mbase, meta


_NOTHING: Dict[str, List[Violation]] = {}  # read only
_new = tuple.__new__  # Violation(...) without its generated __new__: one per finding


def evaluate(obj: Any, ctx: Any) -> Dict[str, List[Violation]]:
    """Violations of every control for one object, by rule code: computed once per object for
    all the Pod Security rules, which the engine runs on an object one after the other (they
    share ctx.shared: the last object's result is kept there, and the run's policies)."""
    shared = ctx.shared
    if shared is None:
        shared = {}
    last = shared.get("pss-last")
    if last is not None and last[0] is obj:
        return last[1]
    state = _state(ctx, shared)
    if state is None:
        return _NOTHING
    found = pod_spec(obj)  # (the pack's and KL301-KL304's walks asked already: kept)
    if found is None:
        return _NOTHING
    path, spec = found
    policies = state.namespaces.get(obj.namespace)
    if policies is None:
        policies = state.fallback if state.several is None else _policies_of(state, obj, ctx)
    if not policies:
        return _NOTHING
    out: Dict[str, List[Violation]] = {}
    shared["pss-last"] = (obj, out)
    mbase, meta = _meta_of(obj, path)
    # the scans the per-file stage made of this very pod spec (_foresee), by level
    carried = shared.get("foreseen")
    if carried:
        carried = carried.pop(id(spec), None)
        if carried is not None:
            carried = carried[2] if carried[0] is spec and carried[1] is meta else None
    # (policy, kind) -> code -> (the messages' tail, {id(issue): its Violation}, the issues):
    # the issues scan() shares across pods (containers without securityContext) give the
    # same Violations, made once (one per run: a policy is an object of this run's state);
    # the list keeps each issue alive while its id is a key, so an id is never another's
    made = shared.get("pss-made")
    if made is None:
        made = shared["pss-made"] = {}
    okind = obj.kind
    multi = len(policies) > 1
    if multi:
        errors: set = set()  # fields the enforce mode reports: warn/audit do not repeat them
        reported: set = set()
        scans: Dict[Tuple[str, Version], Found] = {}
    for policy in policies:
        severity = policy.severity
        if multi:
            error = severity is Severity.ERROR
            at_level = (policy.level, policy.version)
            found = scans.get(at_level)
            if found is None:
                found = carried.get(at_level) if carried else None
                if found is None:
                    found = scan(spec, meta, path, mbase, policy.level, policy.version)
                scans[at_level] = found
        else:
            found = carried.get((policy.level, policy.version)) if carried else None
            if found is None:
                found = scan(spec, meta, path, mbase, policy.level, policy.version)
        by_code = made.get((id(policy), okind))
        if by_code is None:
            by_code = made[(id(policy), okind)] = {}
        for code, issues in found.items():
            known = by_code.get(code)
            if known is None:
                kind = "" if okind == "Pod" else f" (this {okind}'s pods)"
                known = by_code[code] = (
                    f": violates PodSecurity \"{policy.label}\" ({BY_CODE[code].id}){kind}; {policy.source}", {}, [])
            tail, shown_before, alive = known
            if not multi:  # (the usual case: every issue is reported; most were seen before)
                # (each code once in `found`: a new list; the hits without a bytecode each)
                try:
                    out[code] = list(map(shown_before.__getitem__, map(id, issues)))
                except KeyError:
                    out[code] = [shown_before.get(id(issue)) or _violation(issue, tail, severity, known)
                                 for issue in issues]
                continue
            violations = None
            for issue in issues:
                pointer = issue[0]
                if multi:  # (one policy reports each field once)
                    key = (code, pointer)
                    if key in reported or (not error and pointer in errors):
                        continue
                    reported.add(key)
                    if error:
                        errors.add(pointer)
                if violations is None:
                    violations = out.get(code)
                    if violations is None:
                        violations = out[code] = []
                violations.append(shown_before.get(id(issue)) or _violation(issue, tail, severity, known))
    return out


def _idle(ctx: Any) -> bool:
    """True when no pod of the run can get a Pod Security finding (no policy applies: the
    default rule set's case): the engine then leaves these rules out for the run instead of
    asking them about every pod (engine._late)."""
    return ctx.shared is not None and _state(ctx, ctx.shared) is None


def _state(ctx: Any, shared: Dict[str, Any]) -> Optional[_RunState]:
    """_run_state(), worked out once per run (kept in the rules' shared dict)."""
    try:
        return shared["pss-state"]
    except KeyError:
        state = shared["pss-state"] = _run_state(ctx)
        return state


def _foresee(ctx: Any) -> Optional[Callable[[Any], Any]]:
    """Where this run's findings on a pod will go, as far as its own file tells: a function
    of a pod's object giving the (pointer, at) of what scan() finds at the levels that apply
    to every namespace the input does not label (config pod-security; Pod Security rules
    selected, as `--select ALL,pod-security` does). The per-file stage places them while the
    document's nodes are at hand (engine.Linter.lint_loaded), so that the cross-object stage
    does not compose the document again for them: with few per-file findings it composed
    almost every pod's document again (+38% of a 5,000-document run). None when no level
    applies to every namespace (the default rule set; pods of labelled Namespaces only).
    The scans are kept in ctx.shared when the engine gives one (the same objects reach the
    cross-object stage: engine.Linter._foreseen), by id of the pod spec with the spec and
    its metadata (alive, and compared there by identity): evaluate() takes them rather than
    scanning each of these pods a second time."""
    cluster = cluster_version(ctx)
    fallback = _fallback(ctx, cluster, config_policies(ctx, cluster))
    levels = list(dict.fromkeys((p.level, p.version) for p in fallback))
    if not levels:
        return None
    kept = ctx.shared

    def where(obj: Any) -> Any:
        found = pod_spec(obj)
        if found is None:
            return ()
        path, spec = found
        mbase, meta = _meta_of(obj, path)
        wanted: Dict[Tuple[Pointer, str], None] = {}
        scans = {}
        for level, version in levels:
            scans[(level, version)] = got = scan(spec, meta, path, mbase, level, version)
            for issues in got.values():
                for issue in issues:
                    wanted[issue[:2]] = None
        if kept is not None:
            kept[id(spec)] = (spec, meta, scans)
        return wanted

    return where


def _rule(code: str) -> Callable[[Any, Any], List[Violation]]:
    def check(obj: Any, ctx: Any) -> List[Violation]:
        return evaluate(obj, ctx).get(code, [])

    check.__name__ = f"pss_{code}"
    check.idle = _idle  # type: ignore[attr-defined]
    check.by_code = evaluate  # type: ignore[attr-defined]  # one evaluation for all controls' rules
    check.foresee = _foresee  # type: ignore[attr-defined]  # positions placed in the per-file stage
    return check


for _c in CONTROLS:  # the rule files' entry points: kubelint.admission.pod_security:kl401...
    globals()[_c.code.lower()] = _rule(_c.code)
