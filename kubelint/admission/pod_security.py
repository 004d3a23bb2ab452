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

from typing import Any, Callable, Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple

from ..checks.k8s import POD_SPEC_PATHS, containers, get, items
from ..model import Pointer, Severity, Violation, pointer_to_k8s

LABEL = "pod-security.kubernetes.io/"
LEVELS = ("privileged", "baseline", "restricted")
Version = Tuple[int, int]


class Issue(NamedTuple):
    """One offending field: where, what was found, and what would pass."""

    pointer: Pointer
    at: str  # "value" or "key"
    problem: str
    fix: str


Check = Callable[[dict, dict, Pointer, Pointer, Version], Iterator[Issue]]


def _sc(obj: Any) -> dict:
    sc = obj.get("securityContext") if isinstance(obj, dict) else None
    return sc if isinstance(sc, dict) else {}


_EMPTY: dict = {}  # read only: the securityContext of an owner without one
_LAST_VIEW: list = [None, None, ()]


def _view(spec: dict, base: Pointer) -> Tuple[Tuple[Pointer, dict, dict], ...]:
    """(pointer, owner, its securityContext or {}) of the pod and then of every container:
    what most controls read, looked up once per pod spec rather than once per control (the
    last pod's is kept: the controls of a pod run one after the other)."""
    last = _LAST_VIEW
    if last[0] is spec and last[1] == base:
        return last[2]
    owners = [(base, spec, _sc(spec) or _EMPTY)]
    for ptr, c in containers(spec, base):
        sc = c.get("securityContext")
        owners.append((ptr, c, sc if sc.__class__ is dict else _sc(c) or _EMPTY))
    found = tuple(owners)
    last[0], last[1], last[2] = spec, base, found
    return found


def _where_missing(ptr: Pointer, c: dict) -> Tuple[Pointer, str]:
    """A required field is missing: point at the securityContext if there is one, else at
    the container's (or pod's) name/spec key."""
    if isinstance(c.get("securityContext"), dict):
        return ptr + ("securityContext",), "key"
    if "name" in c:
        return ptr + ("name",), "key"
    return ptr, "key"


def _name(c: dict) -> str:
    n = c.get("name")
    return f'container "{n}"' if isinstance(n, str) else "container"


def _windows(spec: dict) -> bool:
    return get(spec, ("os", "name")) == "windows"


def _user_namespace(spec: dict) -> bool:
    return spec.get("hostUsers") is False


def _q(value: Any) -> str:
    if value.__class__ is str:  # what json.dumps gives a str, without its Python layers
        from json.encoder import encode_basestring_ascii

        return encode_basestring_ascii(value)
    import json

    return json.dumps(value)


# --- baseline ---------------------------------------------------------------------------------

def windows_host_process(spec: dict, meta: dict, base: Pointer, mbase: Pointer, v: Version) -> Iterator[Issue]:
    for ptr, _, sc in _view(spec, base):
        opts = sc.get("windowsOptions")
        if isinstance(opts, dict) and opts.get("hostProcess") is True:
            yield Issue(ptr + ("securityContext", "windowsOptions", "hostProcess"), "value",
                        "hostProcess=true", "hostProcess: false, or unset")


def host_namespaces(spec: dict, meta: dict, base: Pointer, mbase: Pointer, v: Version) -> Iterator[Issue]:
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field) is True:
            yield Issue(base + (field,), "value", f"{field}=true", f"{field}: false, or unset")


def privileged(spec: dict, meta: dict, base: Pointer, mbase: Pointer, v: Version) -> Iterator[Issue]:
    for ptr, c, sc in _view(spec, base)[1:]:
        if sc.get("privileged") is True:
            yield Issue(ptr + ("securityContext", "privileged"), "value",
                        f"{_name(c)} sets privileged=true", "privileged: false, or unset")


BASELINE_CAPABILITIES = frozenset((
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
    "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"))


def capabilities_baseline(spec: dict, meta: dict, base: Pointer, mbase: Pointer, v: Version) -> Iterator[Issue]:
    for ptr, c, sc in _view(spec, base)[1:]:
        caps = sc.get("capabilities")
        if not isinstance(caps, dict):
            continue
        for j, cap in enumerate(items(caps.get("add"))):
            if cap not in BASELINE_CAPABILITIES:
                yield Issue(ptr + ("securityContext", "capabilities", "add", j), "value",
                            f"{_name(c)} adds non-default capability {_q(cap)}",
                            "only the runtime's default set: " + ", ".join(sorted(BASELINE_CAPABILITIES)))


def host_path_volumes(spec: dict, meta: dict, base: Pointer, mbase: Pointer, v: Version) -> Iterator[Issue]:
    for i, vol in enumerate(items(spec.get("volumes"))):
        if isinstance(vol, dict) and vol.get("hostPath") is not None:
            yield Issue(base + ("volumes", i, "hostPath"), "key",
                        f"volume {_q(vol.get('name'))} is a hostPath volume",
                        "another volume type (emptyDir, configMap, a PersistentVolumeClaim...)")


def host_ports(spec: dict, meta: dict, base: Pointer, mbase: Pointer, v: Version) -> Iterator[Issue]:
    for ptr, c in containers(spec, base):
        for j, port in enumerate(items(c.get("ports"))):
            hp = port.get("hostPort") if isinstance(port, dict) else None
            if hp is not None and hp != 0 and not isinstance(hp, bool):
                yield Issue(ptr + ("ports", j, "hostPort"), "value",
                            f"{_name(c)} uses hostPort {hp}", "hostPort: 0, or unset")


APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"


def apparmor(spec: dict, meta: dict, base: Pointer, mbase: Pointer, v: Version) -> Iterator[Issue]:
    for ptr, _, sc in _view(spec, base):
        profile = sc.get("appArmorProfile")
        if isinstance(profile, dict):
            t = profile.get("type")
            if t not in ("RuntimeDefault", "Localhost"):
                at = ("type",) if "type" in profile else ()
                yield Issue(ptr + ("securityContext", "appArmorProfile") + at, "value" if at else "key",
                            f"AppArmor profile type {_q(t) if t is not None else 'unset'}",
                            "type: RuntimeDefault or Localhost, or no appArmorProfile")
    annotations = meta.get("annotations")
    if isinstance(annotations, dict):
        for key, value in annotations.items():
            if isinstance(key, str) and key.startswith(APPARMOR_ANNOTATION) and isinstance(value, str) \
                    and not (value == "" or value == "runtime/default" or value.startswith("localhost/")):
                yield Issue(mbase + ("annotations", key), "value", f"annotation {key}={_q(value)}",
                            '"runtime/default", "localhost/<profile>", or no annotation')


SELINUX_TYPES = frozenset(("", "container_t", "container_init_t", "container_kvm_t"))
SELINUX_TYPES_1_31 = SELINUX_TYPES | {"container_engine_t"}


def selinux(spec: dict, meta: dict, base: Pointer, mbase: Pointer, v: Version) -> Iterator[Issue]:
    allowed = SELINUX_TYPES_1_31 if v >= (1, 31) else SELINUX_TYPES
    for ptr, _, sc in _view(spec, base):
        opts = sc.get("seLinuxOptions")
        if not isinstance(opts, dict):
            continue
        p = ptr + ("securityContext", "seLinuxOptions")
        t = opts.get("type")
        if t is not None and t not in allowed:
            yield Issue(p + ("type",), "value", f"seLinuxOptions.type {_q(t)}",
                        ", ".join(sorted(x for x in allowed if x)) + ", or unset")
        for field in ("user", "role"):
            if opts.get(field) not in (None, ""):
                yield Issue(p + (field,), "value", f"seLinuxOptions.{field} is set", "unset")


def _proc_mount(spec: dict, base: Pointer) -> Iterator[Issue]:
    for ptr, c, sc in _view(spec, base)[1:]:
        pm = sc.get("procMount")
        if pm is not None and pm != "Default":
            yield Issue(ptr + ("securityContext", "procMount"), "value",
                        f"{_name(c)} sets procMount {_q(pm)}", '"Default", or unset')


def proc_mount(spec: dict, meta: dict, base: Pointer, mbase: Pointer, v: Version) -> Iterator[Issue]:
    if v >= (1, 35) and _user_namespace(spec):
        return
    yield from _proc_mount(spec, base)


def proc_mount_restricted(spec: dict, meta: dict, base: Pointer, mbase: Pointer, v: Version) -> Iterator[Issue]:
    yield from _proc_mount(spec, base)


SECCOMP_TYPES = ("RuntimeDefault", "Localhost")


def _seccomp_bad(profile: dict) -> bool:
    return profile.get("type") not in SECCOMP_TYPES


def _seccomp_issue(ptr: Pointer, profile: dict) -> Issue:
    t = profile.get("type")
    at = ("type",) if "type" in profile else ()
    return Issue(ptr + ("securityContext", "seccompProfile") + at, "value" if at else "key",
                 f"seccompProfile.type {_q(t) if t is not None else 'unset'}",
                 "type: RuntimeDefault or Localhost")


def seccomp_baseline(spec: dict, meta: dict, base: Pointer, mbase: Pointer, v: Version) -> Iterator[Issue]:
    for ptr, _, sc in _view(spec, base):
        profile = sc.get("seccompProfile")
        if isinstance(profile, dict) and _seccomp_bad(profile):
            yield _seccomp_issue(ptr, profile)


SYSCTLS = {
    (1, 0): frozenset(("kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
                       "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start")),
    (1, 27): frozenset(("net.ipv4.ip_local_reserved_ports",)),
    (1, 29): frozenset(("net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
                        "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes")),
    (1, 32): frozenset(("net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem")),
    (1, 37): frozenset(("net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat")),
}


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


def sysctls(spec: dict, meta: dict, base: Pointer, mbase: Pointer, v: Version) -> Iterator[Issue]:
    allowed = safe_sysctls(v)
    for i, s in enumerate(items(_view(spec, base)[0][2].get("sysctls"))):
        name = s.get("name") if isinstance(s, dict) else None
        if isinstance(name, str) and name not in allowed:
            yield Issue(base + ("securityContext", "sysctls", i, "name"), "value",
                        f"sysctl {_q(name)} is not in the safe set of v1.{v[1]}",
                        ", ".join(sorted(allowed)))


_LIVENESS, _READINESS, _STARTUP = ("livenessProbe",), ("readinessProbe",), ("startupProbe",)
_POST_START, _PRE_STOP = ("lifecycle", "postStart"), ("lifecycle", "preStop")


def host_probes(spec: dict, meta: dict, base: Pointer, mbase: Pointer, v: Version) -> Iterator[Issue]:
    for ptr, c in containers(spec, base):
        lifecycle = c.get("lifecycle")
        lifecycle = lifecycle if isinstance(lifecycle, dict) else _EMPTY
        for sub, handler in ((_LIVENESS, c.get("livenessProbe")), (_READINESS, c.get("readinessProbe")),
                             (_STARTUP, c.get("startupProbe")), (_POST_START, lifecycle.get("postStart")),
                             (_PRE_STOP, lifecycle.get("preStop"))):
            if not isinstance(handler, dict):
                continue
            for kind in ("httpGet", "tcpSocket"):
                action = handler.get(kind)
                host = action.get("host") if isinstance(action, dict) else None
                if isinstance(host, str) and host:
                    yield Issue(ptr + sub + (kind, "host"), "value",
                                f"{_name(c)} sets {'.'.join(sub)}.{kind}.host {_q(host)}",
                                "unset (the pod's IP)")


# --- restricted -------------------------------------------------------------------------------

ALLOWED_VOLUMES = ("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image",
                   "persistentVolumeClaim", "projected", "secret")
RESTRICTED_VOLUMES = ("hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi",
                      "glusterfs", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile",
                      "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume",
                      "scaleIO", "storageos")


def volume_types(spec: dict, meta: dict, base: Pointer, mbase: Pointer, v: Version) -> Iterator[Issue]:
    allowed = ", ".join(ALLOWED_VOLUMES)
    for i, vol in enumerate(items(spec.get("volumes"))):
        if not isinstance(vol, dict) or any(vol.get(k) is not None for k in ALLOWED_VOLUMES):
            continue
        kind = next((k for k in RESTRICTED_VOLUMES if vol.get(k) is not None), None)
        if kind is None:
            continue  # no source at all: the API server defaults it to emptyDir before admission
        ptr = base + ("volumes", i)
        yield Issue(ptr + (kind,), "key",
                    f"volume {_q(vol.get('name'))} uses restricted volume type {_q(kind)}", allowed)


def privilege_escalation(spec: dict, meta: dict, base: Pointer, mbase: Pointer, v: Version) -> Iterator[Issue]:
    if v >= (1, 25) and _windows(spec):
        return
    for ptr, c, sc in _view(spec, base)[1:]:
        value = sc.get("allowPrivilegeEscalation")
        if value is False:
            continue
        if value is None:
            where, at = _where_missing(ptr, c)
            yield Issue(where, at, f"{_name(c)} does not set securityContext.allowPrivilegeEscalation",
                        "allowPrivilegeEscalation: false")
        else:
            yield Issue(ptr + ("securityContext", "allowPrivilegeEscalation"), "value",
                        f"{_name(c)} sets allowPrivilegeEscalation={_q(value)}", "false")


def run_as_non_root(spec: dict, meta: dict, base: Pointer, mbase: Pointer, v: Version) -> Iterator[Issue]:
    if v >= (1, 35) and _user_namespace(spec):
        return
    view = _view(spec, base)
    pod = view[0][2].get("runAsNonRoot")
    if pod is not None and pod is not True:
        yield Issue(base + ("securityContext", "runAsNonRoot"), "value",
                    f"the pod sets runAsNonRoot={_q(pod)}", "true")
    for ptr, c, sc in view[1:]:
        own = sc.get("runAsNonRoot")
        if own is not None:
            if own is not True:
                yield Issue(ptr + ("securityContext", "runAsNonRoot"), "value",
                            f"{_name(c)} sets runAsNonRoot={_q(own)}", "true")
        elif pod is None:  # an explicit false on the pod is reported there
            where, at = _where_missing(ptr, c)
            yield Issue(where, at, f"neither the pod nor {_name(c)} sets securityContext.runAsNonRoot",
                        "runAsNonRoot: true (on the pod or the container)")


def run_as_user(spec: dict, meta: dict, base: Pointer, mbase: Pointer, v: Version) -> Iterator[Issue]:
    if v >= (1, 35) and _user_namespace(spec):
        return
    for ptr, owner, sc in _view(spec, base):
        user = sc.get("runAsUser")
        if user == 0 and not isinstance(user, bool):
            who = "the pod" if owner is spec else _name(owner)
            yield Issue(ptr + ("securityContext", "runAsUser"), "value", f"{who} sets runAsUser=0",
                        "a non-zero user id, or unset")


def seccomp_restricted(spec: dict, meta: dict, base: Pointer, mbase: Pointer, v: Version) -> Iterator[Issue]:
    if v >= (1, 25) and _windows(spec):
        return
    view = _view(spec, base)
    pod = view[0][2].get("seccompProfile")
    pod_set = isinstance(pod, dict) and not _seccomp_bad(pod)
    if isinstance(pod, dict) and not pod_set:
        yield _seccomp_issue(base, pod)
    for ptr, c, sc in view[1:]:
        own = sc.get("seccompProfile")
        if isinstance(own, dict):
            if _seccomp_bad(own):
                yield _seccomp_issue(ptr, own)
        elif not pod_set and not isinstance(pod, dict):
            where, at = _where_missing(ptr, c)
            yield Issue(where, at, f"neither the pod nor {_name(c)} sets securityContext.seccompProfile",
                        "seccompProfile: {type: RuntimeDefault} (on the pod or the container)")


def capabilities_restricted(spec: dict, meta: dict, base: Pointer, mbase: Pointer, v: Version) -> Iterator[Issue]:
    if v >= (1, 25) and _windows(spec):
        return
    for ptr, c, sc in _view(spec, base)[1:]:
        caps = sc.get("capabilities")
        if not isinstance(caps, dict):
            where, at = _where_missing(ptr, c)
            yield Issue(where, at, f"{_name(c)} does not drop ALL capabilities",
                        'capabilities: {drop: ["ALL"]}')
            continue
        p = ptr + ("securityContext", "capabilities")
        if "ALL" not in items(caps.get("drop")):
            yield Issue(p + (("drop",) if "drop" in caps else ()), "key",
                        f"{_name(c)} does not drop ALL capabilities", 'drop: ["ALL"]')
        for j, cap in enumerate(items(caps.get("add"))):
            if cap != "NET_BIND_SERVICE":
                yield Issue(p + ("add", j), "value", f"{_name(c)} adds capability {_q(cap)}",
                            'only "NET_BIND_SERVICE"')


# --- the registry -----------------------------------------------------------------------------

class Control(NamedTuple):
    id: str  # the plugin's check ID
    code: str
    level: str
    since: Version
    check: Check
    overrides: Optional[str] = None  # a restricted check replacing a baseline one


CONTROLS: Tuple[Control, ...] = (
    Control("windowsHostProcess", "KL401", "baseline", (1, 0), windows_host_process),
    Control("hostNamespaces", "KL402", "baseline", (1, 0), host_namespaces),
    Control("privileged", "KL403", "baseline", (1, 0), privileged),
    Control("capabilities_baseline", "KL404", "baseline", (1, 0), capabilities_baseline),
    Control("hostPathVolumes", "KL405", "baseline", (1, 0), host_path_volumes),
    Control("hostPorts", "KL406", "baseline", (1, 0), host_ports),
    Control("appArmorProfile", "KL407", "baseline", (1, 0), apparmor),
    Control("seLinuxOptions", "KL408", "baseline", (1, 0), selinux),
    Control("procMount", "KL409", "baseline", (1, 0), proc_mount),
    Control("seccompProfile_baseline", "KL410", "baseline", (1, 19), seccomp_baseline),
    Control("sysctls", "KL411", "baseline", (1, 0), sysctls),
    Control("hostProbesAndHostLifecycle", "KL412", "baseline", (1, 34), host_probes),
    Control("restrictedVolumes", "KL421", "restricted", (1, 0), volume_types, "hostPathVolumes"),
    Control("allowPrivilegeEscalation", "KL422", "restricted", (1, 8), privilege_escalation),
    Control("runAsNonRoot", "KL423", "restricted", (1, 0), run_as_non_root),
    Control("runAsUser", "KL424", "restricted", (1, 23), run_as_user),
    Control("seccompProfile_restricted", "KL425", "restricted", (1, 19), seccomp_restricted,
            "seccompProfile_baseline"),
    Control("capabilities_restricted", "KL426", "restricted", (1, 22), capabilities_restricted,
            "capabilities_baseline"),
    Control("procMount_restricted", "KL427", "restricted", (1, 35), proc_mount_restricted, "procMount"),
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


def _run_state(ctx: Any) -> Optional[_RunState]:
    """None: no policy applies to any pod of the run (no labelled Namespace, no config
    pod-security, no Pod Security rule selected by name): the default rule set's case, where
    every pod of the run asks."""
    cluster = cluster_version(ctx)
    defaults = config_policies(ctx, cluster)
    index: Dict[str, List[Policy]] = {}
    for o in _namespaces(ctx):
        if o.name:
            labels = get(o.data, ("metadata", "labels"))
            labels = labels if isinstance(labels, dict) else {}
            if any(isinstance(k, str) and k.startswith(LABEL) for k in labels):
                index[o.name] = namespace_policies(labels, cluster, o.name, defaults)
    fallback = [p for p in defaults.values() if p.level != "privileged"] \
        or selected_policies(ctx, cluster)
    if not fallback and not any(index.values()):
        return None
    return _RunState(index, fallback)


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
    return [o for o in ctx.objects if o.kind == "Namespace"]


def _meta_base(base: Pointer) -> Pointer:
    return base[:-1] + ("metadata",)


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
    path = POD_SPEC_PATHS.get(obj.kind) if getattr(obj, "builtin", True) else None
    spec = get(obj.data, path) if path else None
    if not isinstance(spec, dict):
        return _NOTHING
    policies = state.namespaces.get(obj.namespace)
    if policies is None:
        policies = state.fallback
    if not policies:
        return _NOTHING
    out: Dict[str, List[Violation]] = {}
    shared["pss-last"] = (obj, out)
    mbase = _meta_base(path)
    meta = get(obj.data, mbase)
    meta = meta if isinstance(meta, dict) else {}
    kind = "" if obj.kind == "Pod" else f" (this {obj.kind}'s pods)"
    errors: set = set()  # fields the enforce mode reports: warn/audit do not repeat them
    reported: set = set()
    for policy in policies:
        error = policy.severity == Severity.ERROR
        for control in controls_for(policy.level, policy.version):
            tail = None
            for issue in control.check(spec, meta, path, mbase, policy.version):
                pointer = issue.pointer
                key = (control.code, pointer)
                if key in reported or (not error and pointer in errors):
                    continue
                reported.add(key)
                if error:
                    errors.add(pointer)
                if tail is None:
                    tail = f": violates PodSecurity \"{policy.label}\" ({control.id}){kind}; {policy.source}"
                found = out.get(control.code)
                if found is None:
                    found = out[control.code] = []
                # Violation(message, pointer, at, related, hint, severity, fix)
                found.append(_new(Violation, (
                    f"{pointer_to_k8s(pointer)}: {issue.problem}{tail}", pointer, issue.at, (),
                    f"allowed: {issue.fix}", policy.severity, None)))
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


def _rule(code: str) -> Callable[[Any, Any], List[Violation]]:
    def check(obj: Any, ctx: Any) -> List[Violation]:
        return evaluate(obj, ctx).get(code, [])

    check.__name__ = f"pss_{code}"
    check.idle = _idle  # type: ignore[attr-defined]
    check.by_code = evaluate  # type: ignore[attr-defined]  # one evaluation for all controls' rules
    return check


for _c in CONTROLS:  # the rule files' entry points: kubelint.admission.pod_security:kl401...
    globals()[_c.code.lower()] = _rule(_c.code)
