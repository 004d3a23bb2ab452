"""The best-practice pack (KL301-KL342; security and reliability), off by default but for
KL342. (Duplicate env names are KL130, which the API server warns about.)

Most of these rules (KL301-KL309, KL311-KL318, KL325-KL329) look at the containers of a pod
spec. They share one walk per object: the engine calls it once for all of them (their checks'
`by_code`), or the first rule to see an object computes every pod-level finding of the pack
and the others read theirs from a one-object memo, so turning on the whole pack costs one
pass over each pod spec, not one per rule."""

from __future__ import annotations

from itertools import repeat
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from ..lazyre import LazyRegex
from ..model import _K8S_PATHS, Fix, Pointer, Violation, pointer_to_k8s
from .k8s import POD_SPEC_PATHS, containers, get, items, pod_spec

LONG_RUNNING = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController")

# Capabilities that are most of root's power (kube-linter's and Polaris's dangerous lists).
DANGEROUS_CAPABILITIES = frozenset((
    "ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "SYS_RAWIO", "SYS_BOOT",
    "SYS_TIME", "DAC_READ_SEARCH", "BPF", "PERFMON", "MAC_ADMIN", "MAC_OVERRIDE", "SYSLOG",
    "NET_RAW", "SYS_RESOURCE", "LINUX_IMMUTABLE"))

# hostPaths that hand the node to the pod: kube-linter's sensitive-host-mounts list, the
# kubelet's and runtimes' state, and the container runtimes' sockets.
SENSITIVE_PATHS = frozenset(("/", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr", "/root",
                             "/var/run", "/run", "/var/lib/kubelet", "/etc/kubernetes",
                             "/var/lib/docker", "/var/lib/containerd"))
SENSITIVE_PREFIXES = ("/etc/kubernetes/", "/var/lib/kubelet/pki", "/root/")
SOCKETS = ("docker.sock", "containerd.sock", "crio.sock", "cri-dockerd.sock")


def sensitive_host_path(path: str) -> Optional[str]:
    norm = "/" + path.strip("/")
    if norm.endswith(SOCKETS):
        return "the container runtime's socket (full control of the node)"
    if norm in SENSITIVE_PATHS or norm.startswith(SENSITIVE_PREFIXES):
        return "the node's system files"
    return None


# Environment variable names that announce a secret (split into words on _ - .).
_SECRET_NAME = LazyRegex(r"(?i)(^|[_.-])(secret|password|passwd|pwd|token|apikey|api[_.-]?key|"
                         r"private[_.-]?key|credentials?|access[_.-]?key)($|[_.-])")
_NOT_SECRET_SUFFIX = LazyRegex(r"(?i)[_.-](file|path|dir|name|names|ref|url|uri|endpoint|id|"
                               r"type|enabled|length|ttl|expiry|header|secret_name|key_name)$")


def _sc(c: Any) -> dict:
    sc = c.get("securityContext") if isinstance(c, dict) else None
    return sc if isinstance(sc, dict) else {}


def windows_pod(spec: dict, pod_sc: dict) -> bool:
    """A pod that runs on Windows nodes: spec.os.name windows, the kubernetes.io/os: windows
    node selector, or a HostProcess pod (Windows only). The Linux-only securityContext fields
    (capabilities, allowPrivilegeEscalation, readOnlyRootFilesystem, runAsUser, runAsGroup) do
    nothing there, and the API server rejects them once spec.os.name is windows: KL306-KL310
    do not ask for them (Pod Security exempts such pods from the same controls from v1.25)."""
    os_ = spec.get("os")
    if os_ is not None and isinstance(os_, dict) and os_.get("name") == "windows":
        return True
    selector = spec.get("nodeSelector")
    if selector is not None and isinstance(selector, dict) and selector.get("kubernetes.io/os") == "windows":
        return True
    opts = pod_sc.get("windowsOptions")
    return opts is not None and isinstance(opts, dict) and opts.get("hostProcess") is True


def _missing_at(ptr: Pointer, c: dict) -> Tuple[Pointer, str]:
    """Where a finding about a missing container field goes: its securityContext if there is
    one, else the container's name."""
    if isinstance(c.get("securityContext"), dict):
        return ptr + ("securityContext",), "key"
    return (ptr + ("name",), "key") if "name" in c else (ptr, "key")


_NO_SC_DICT: dict = {}  # read only: the securityContext of a container without one (low_user_id)


def _int(v: Any) -> Optional[int]:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


_MEMO: List[Any] = [None, None]  # [the last object's data, its findings by rule code]


def pod_findings(obj: Any) -> Dict[str, List[Violation]]:
    """Every pod-spec finding of the pack for one object, by rule code (computed once)."""
    if _MEMO[0] is obj.data:
        return _MEMO[1]
    out: Dict[str, List[Violation]] = {}
    found = pod_spec(obj)
    if found is not None:
        _walk(obj, found[0], found[1], out)
    _MEMO[0], _MEMO[1] = obj.data, out
    return out


_TEXTS: Dict[Tuple[Pointer, str], str] = {}  # _walk's messages with their paths, by (pointer, message)
_SHARED: Dict[Tuple[Any, ...], Violation] = {}  # add()'s Violations without a fix, by what makes them
_new = tuple.__new__  # Violation(...) and Fix(...) without their generated __new__: per finding


def _unsafe_fix(title: str, ops: tuple) -> Fix:
    return _new(Fix, (title, ops, False, None))


# The unsafe fixes that add fields to a container's securityContext: the same few for every
# pod of a run, made once per (title, pointer) and shared (fix.py copies what it inserts).
_ADDED: Dict[Tuple[str, Pointer], Fix] = {}
_DROP_ALL = {"drop": ["ALL"]}
_DROPS = ("ALL", "NET_RAW")
_NO_ESCALATION = {"allowPrivilegeEscalation": False}
_READ_ONLY = {"readOnlyRootFilesystem": True}


def _added(title: str, where: Pointer, entries: dict) -> Fix:
    key = (title, where)
    fix = _ADDED.get(key)
    if fix is None:
        if len(_ADDED) > 10_000:
            _ADDED.clear()
        fix = _ADDED[key] = _unsafe_fix(title, (("add", where, entries),))
    return fix


def _adder(out: Dict[str, List[Violation]]) -> Any:
    """The walk's add(code, message, pointer, at, hint, fix), appending to `out`."""
    def add(code: str, message: str, ptr: Pointer, at: str = "value", hint: Optional[str] = None,
            fix: Optional[Fix] = None) -> None:
        found = out.get(code)
        if found is None:
            found = out[code] = []
        if fix is None:
            # a Violation without a fix is a function of these: the same few for every pod
            # spec of a run (the same hostPath, port, env name at the same place): shared
            key = (ptr, message, at, hint)
            v = _SHARED.get(key)
            if v is None:
                if len(_SHARED) > 20_000:
                    _SHARED.clear()
                v = _SHARED[key] = _new(Violation, (f"{pointer_to_k8s(ptr)}: {message}", ptr, at, (), hint,
                                                    None, None))
            found.append(v)
            return
        # "<k8s path of ptr>: <message>", the same few texts for every pod of a run (the first
        # container's name, its image): made once and shared
        key = (ptr, message)
        text = _TEXTS.get(key)
        if text is None:
            if len(_TEXTS) > 20_000:
                _TEXTS.clear()
            text = _TEXTS[key] = f"{pointer_to_k8s(ptr)}: {message}"
        # Violation(message, pointer, at, related, hint, severity, fix)
        found.append(_new(Violation, (text, ptr, at, (), hint, None, fix)))

    return add


def _walk(obj: Any, base: Pointer, spec: dict, out: Dict[str, List[Violation]]) -> None:
    add = _adder(out)
    pod_sc = _sc(spec)
    long_running = obj.kind in LONG_RUNNING
    # pod level
    if "serviceAccount" in spec:
        add("KL318", "serviceAccount is a deprecated alias of serviceAccountName",
            base + ("serviceAccount",), "key", hint="rename it to serviceAccountName")
    if spec.get("automountServiceAccountToken") is not False:
        # (the same violation for every pod spec at this pointer: made once and shared)
        key = ("KL317", base, "automountServiceAccountToken" in spec)
        v = _SAY.get(key)
        if v is not None:
            _append(out, "KL317", v)
        else:
            if key[2]:
                add("KL317", "the service account token is mounted into every container",
                    base + ("automountServiceAccountToken",))
            else:
                add("KL317", "automountServiceAccountToken is not false: the service account token is "
                    "mounted into every container", base, "key",
                    hint="set automountServiceAccountToken: false unless the pod calls the API")
            _say(key, out["KL317"][-1])
    for i, vol in enumerate(items(spec.get("volumes"))):
        hostpath = vol.get("hostPath") if isinstance(vol, dict) else None
        if hostpath is None:
            continue  # (most volumes)
        path = hostpath.get("path") if isinstance(hostpath, dict) else None
        what = sensitive_host_path(path) if isinstance(path, str) else None
        if what:
            add("KL311", f"hostPath \"{path}\" exposes {what}", base + ("volumes", i, "hostPath", "path"))
    for i, s in enumerate(items(pod_sc.get("sysctls"))):
        name = s.get("name") if isinstance(s, dict) else None
        if isinstance(name, str) and name not in _SAFE_SYSCTLS:
            add("KL313", f"sysctl \"{name}\" is not in the kubelet's safe set; the kubelet refuses the "
                "pod unless it was started with --allowed-unsafe-sysctls", base + ("securityContext", "sysctls", i, "name"))
    # KL303: the pod shares a node namespace; KL304: whether the pod says it runs as non-root
    for field in _HOST_NAMESPACES:
        if spec.get(field) is True:
            _host_namespace(out, base, field)
    pod_level = _non_root(pod_sc)
    # KL342 (run_as_root_contradiction: on by default, its own pass then; in this one when
    # the pack runs too): what a container without its own fields gets from the pod
    pod_nr, pod_user = pod_sc.get("runAsNonRoot"), pod_sc.get("runAsUser")
    pod_contradiction = pod_nr is True and _int(pod_user) == 0
    readiness = obj.kind in _READINESS_KINDS  # KL305
    linux = not windows_pod(spec, pod_sc)  # KL306-KL309: Linux-only fields
    # containers
    nosc = None  # the lists of KL306, KL308 and KL309 (containers without securityContext)
    for ptr, c in containers(spec, base):
        kind = ptr[-2]
        # (the pack's hottest loop: one pass per container of every pod, a few findings each;
        # plain lookups rather than helpers, each field read once)
        sc = c.get("securityContext")
        image = c.get("image")
        # KL301: images pinned to a tag or digest, never `latest` or nothing. Most images have
        # a tag other than latest after the last ":", in the last path segment (its first ":"
        # starts a tag that is not latest either)
        if isinstance(image, str) and "@" not in image:
            _, colon, last = image.rpartition(":")
            if not colon or not last or last == "latest" or "/" in last:
                _unpinned(out, ptr, image)
        if isinstance(sc, dict):  # KL342
            if sc.get("runAsNonRoot", pod_nr) is True and _int(sc.get("runAsUser", pod_user)) == 0:
                _append(out, "KL342", _contradiction(ptr, base, "runAsUser" in sc))
        elif pod_contradiction:
            _append(out, "KL342", _contradiction(ptr, base, False))
        # KL303 and KL304 (nothing to say of an empty securityContext but KL304's)
        if isinstance(sc, dict) and sc:
            if sc.get("privileged") is True:
                _said_at(out, "KL303", ptr, "privileged")
            elif sc.get("allowPrivilegeEscalation") is True:
                _said_at(out, "KL303", ptr, "allowPrivilegeEscalation")
            own = _non_root(sc)
            if own is False or (own is None and not pod_level):
                _runs_as_root(out, ptr, own is None)
        elif not pod_level:
            _runs_as_root(out, ptr, True)
        if kind == "ephemeralContainers":
            continue
        regular = kind == "containers"
        if readiness and regular and c.get("readinessProbe") is None:
            _no_readiness(out, ptr)
        if not linux:
            pass  # (a Windows pod: nothing to ask of capabilities, escalation, the root filesystem)
        elif isinstance(sc, dict):
            _sc_findings(add, ptr, c, sc, True)
        else:
            # no securityContext (most containers): KL306, KL308 and KL309 give the same
            # three violations for every container at this pointer: made once and shared
            named = "name" in c
            three = _NO_SC.get((ptr, named))
            if three is None:
                if len(_NO_SC) > 10_000:
                    _NO_SC.clear()
                made: Dict[str, List[Violation]] = {}
                _sc_findings(_adder(made), ptr, c, _EMPTY, False)
                three = _NO_SC[(ptr, named)] = (made["KL306"][0], made["KL308"][0], made["KL309"][0])
            if nosc is None:
                nosc = (out.setdefault("KL306", []), out.setdefault("KL308", []), out.setdefault("KL309", []))
            nosc[0].append(three[0])
            nosc[1].append(three[1])
            nosc[2].append(three[2])
        cports = c.get("ports")
        declared = _NO_PORTS  # the int containerPorts (KL328)
        if isinstance(cports, list):
            declared = set()
            for j, port in enumerate(cports):
                if not isinstance(port, dict):
                    continue
                hp = port.get("hostPort")
                if hp and isinstance(hp, int) and not isinstance(hp, bool):
                    add("KL312", f"hostPort {hp} binds the port on the node", ptr + ("ports", j, "hostPort"))
                cp = port.get("containerPort")
                if not isinstance(cp, int) or isinstance(cp, bool):
                    continue
                declared.add(cp)
                if cp == 22:
                    add("KL315", "exposes port 22 (SSH): containers are not logged into", ptr + ("ports", j, "containerPort"))
                elif 0 < cp < 1024:
                    add("KL314", f"containerPort {cp} is a privileged port (< 1024): binding it needs root or "
                        "NET_BIND_SERVICE", ptr + ("ports", j, "containerPort"))
        envs = c.get("env")
        if envs and isinstance(envs, list):
            # KL316: whether a name announces a secret (rare), by name (the same few names in
            # every pod), without a bytecode per entry when every entry is a mapping with a
            # name seen before; else (or when one does) entry by entry
            try:
                secretish = list(map(_SECRETISH.get, map(_dict_get, envs, _NAME_KEYS)))
            except TypeError:  # an entry that is not a mapping, a name that is not hashable
                secretish = None
            if secretish is None or True in secretish or None in secretish:
                _secret_values(add, ptr, envs)
        policy = c.get("imagePullPolicy")
        if isinstance(image, str) and "@" not in image and policy != "Always":
            # KL325 and KL326: the same violation for every container at this pointer with
            # this pull policy / this ephemeral-storage request: made once and shared
            key = ("KL325", ptr, policy) if policy is None or policy.__class__ is str else None
            v = _SAY.get(key) if key is not None else None
            if v is not None:
                found = out.get("KL325")
                if found is None:
                    out["KL325"] = [v]
                else:
                    found.append(v)
            else:
                if policy is None:
                    add("KL325", "imagePullPolicy is not Always: a node may run a stale copy of the tag, "
                        "and a cached image skips the pull-secret check", ptr + ("image",),
                        hint="imagePullPolicy: Always (or pin the image by digest)")
                else:
                    add("KL325", f"imagePullPolicy {policy}: a node may run a stale copy of the tag", ptr + ("imagePullPolicy",))
                if key is not None:
                    _say(key, out["KL325"][-1])
        res = c.get("resources")
        if isinstance(res, dict):
            limits = res.get("limits")
            requests = res.get("requests")
        else:
            limits = requests = None
        # KL302: CPU and memory requests and a memory limit
        if not isinstance(limits, dict):
            if not isinstance(requests, dict):
                _no_resources(out, ptr, _EMPTY, _EMPTY)
            else:
                _no_resources(out, ptr, requests, _EMPTY)
        elif "memory" not in limits or ("cpu" not in limits and (
                not isinstance(requests, dict) or "cpu" not in requests)):
            _no_resources(out, ptr, requests if isinstance(requests, dict) else _EMPTY, limits)
        if not isinstance(limits, dict) or "ephemeral-storage" not in limits:
            # (a request left out alone defaults to the limit: no finding)
            key = ("KL326", ptr, isinstance(requests, dict) and "ephemeral-storage" in requests)
            v = _SAY.get(key)
            if v is not None:
                found = out.get("KL326")
                if found is None:
                    out["KL326"] = [v]
                else:
                    found.append(v)
            else:
                add("KL326", "no limits.ephemeral-storage: a container filling its node's disk gets the "
                    "whole node's pods evicted" if key[2]
                    else "no requests.ephemeral-storage or limits.ephemeral-storage: a container filling its "
                    "node's disk gets the whole node's pods evicted", ptr + ("name",), "key",
                    hint="resources: {requests: {ephemeral-storage: 1Gi}, limits: {ephemeral-storage: 2Gi}}")
                _say(key, out["KL326"][-1])
        sidecar = kind == "initContainers" and c.get("restartPolicy") == "Always"
        if regular or sidecar:
            for probe in _PROBES:
                p = c.get(probe)
                if not isinstance(p, dict):
                    continue
                for h in _HANDLERS:
                    if h not in p:
                        continue
                    action = p[h]
                    if not isinstance(action, dict):
                        continue
                    port = action.get("port")
                    if not isinstance(port, int) or isinstance(port, bool):
                        continue  # (a named port, or not a number)
                    if port not in declared:
                        add("KL328", f"{probe} checks port {port}, which the container does not declare "
                            f"in ports", ptr + (probe, h, "port"),
                            hint=f"add {{containerPort: {port}}} to ports, or probe a declared port")
            if long_running and regular:
                live = c.get("livenessProbe")
                if live is None:
                    key = ("KL327", ptr)
                    v = _SAY.get(key)
                    if v is not None:
                        _append(out, "KL327", v)
                    else:
                        add("KL327", "no livenessProbe: a hung process is never restarted", ptr + ("name",), "key",
                            hint="add livenessProbe: {httpGet: {path: /healthz, port: http}}")
                        _say(key, out["KL327"][-1])
                elif isinstance(live, dict) and live == c.get("readinessProbe"):
                    add("KL329", "livenessProbe and readinessProbe are identical: a slow moment restarts "
                        "the container instead of taking it out of the load balancer", ptr + ("livenessProbe",), "key",
                        hint="make the liveness probe more tolerant (higher failureThreshold, another endpoint)")


# --- KL301-KL305 (security.py's rules; their findings come from this walk too) -------------

_HOST_NAMESPACES = ("hostNetwork", "hostPID", "hostIPC")
_READINESS_KINDS = frozenset(("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"))
# Violations that are a function of a pointer and a variant (KL301-KL305): the same for every
# pod spec of a run, made once and shared (Violations are immutable)
_SAID_SEC: Dict[Tuple[Any, ...], Violation] = {}


def _non_root(sc: dict) -> Any:
    """KL304: True/False when a securityContext says whether it runs as root, else None."""
    if sc.get("runAsNonRoot") is True:
        return True
    user = sc.get("runAsUser")
    if isinstance(user, int) and not isinstance(user, bool):
        return user != 0
    return None


def _shared_sec(out: Dict[str, List[Violation]], code: str, key: Tuple[Any, ...], make: Any) -> None:
    v = _SAID_SEC.get(key)
    if v is None:
        if len(_SAID_SEC) > 10_000:
            _SAID_SEC.clear()
        v = _SAID_SEC[key] = make()
    found = out.get(code)
    if found is None:
        out[code] = [v]
    else:
        found.append(v)


def _host_namespace(out: Dict[str, List[Violation]], base: Pointer, field: str) -> None:
    """KL303: the pod shares one of the node's namespaces."""
    _shared_sec(out, "KL303", ("KL303", base, field), lambda: Violation(
        f"{pointer_to_k8s(base + (field,))}: the pod shares the node's "
        f"{field[4:].lower()} namespace", base + (field,), at="key",
        fix=Fix(f"set {field}: false", (("set", base + (field,), False),), safe=False)))


def _unpinned(out: Dict[str, List[Violation]], ptr: Pointer, image: str) -> None:
    """KL301 on an image whose last ":" does not start a plain tag (no tag, latest, a
    registry port...)."""
    name = image.rsplit("/", 1)[-1]
    tag = name.partition(":")[2]
    if (not tag and "$" in name) or (tag and tag != "latest"):
        return  # pinned (`${IMAGE}` (placeholders.py) may hold a tag)
    _shared_sec(out, "KL301", ("KL301", ptr, image), lambda: Violation(
        f"{pointer_to_k8s(ptr + ('image',))}: image \"{image}\" is not pinned "
        f"({'no tag' if not tag else 'the latest tag'}): every restart may run "
        "different code", ptr + ("image",),
        hint="use a version tag (nginx:1.27.2) or a digest (nginx@sha256:...)"))


def _no_resources(out: Dict[str, List[Violation]], ptr: Pointer, requests: dict, limits: dict) -> None:
    """KL302: what a container misses of CPU and memory requests and a memory limit."""
    missing = [f"requests.{r}" for r in ("cpu", "memory") if r not in requests and r not in limits]
    if "memory" not in limits:
        missing.append("limits.memory")
    if missing:
        _shared_sec(out, "KL302", ("KL302", ptr, *missing), lambda: _new(Violation, (
            f"{pointer_to_k8s(ptr)}: no {', '.join(missing)}: the scheduler cannot "
            "place it well and one leak can starve its node", ptr + ("name",), "key", (),
            "set resources.requests (cpu, memory) and resources.limits.memory", None, None)))


def _said_at(out: Dict[str, List[Violation]], code: str, ptr: Pointer, field: str) -> None:
    """KL303: a privileged container, or one that allows privilege escalation."""
    def make() -> Violation:
        at = ptr + ("securityContext", field)
        if field == "privileged":
            return Violation(f"{pointer_to_k8s(at)}: a privileged container is root on the node", at,
                             at="key", fix=Fix("set privileged: false", (("set", at, False),), safe=False))
        return Violation(f"{pointer_to_k8s(at)}: processes may gain more privileges than their parent",
                         at, at="key", fix=Fix("set allowPrivilegeEscalation: false",
                                               (("set", at, False),), safe=False))

    _shared_sec(out, code, (code, ptr, field), make)


def _runs_as_root(out: Dict[str, List[Violation]], ptr: Pointer, unsaid: bool) -> None:
    """KL304: a container that may run as root (`unsaid`: its securityContext says nothing)."""
    def make() -> Violation:
        # the image may need root: a behaviour change, so only with --unsafe-fixes (fix.py
        # copies what it inserts)
        fix = Fix("set securityContext.runAsNonRoot: true on the container",
                  (("add", ptr + ("securityContext",), {"runAsNonRoot": True}),),
                  safe=False) if unsaid else None
        return Violation(f"{pointer_to_k8s(ptr)}: may run as root (set runAsNonRoot: true or a "
                         "non-zero runAsUser on the pod or the container)", ptr + ("name",), at="key",
                         hint="securityContext: {runAsNonRoot: true, runAsUser: 10001}", fix=fix)

    _shared_sec(out, "KL304", ("KL304", ptr, unsaid), make)


def _no_readiness(out: Dict[str, List[Violation]], ptr: Pointer) -> None:
    """KL305: a long-running workload's container without a readinessProbe."""
    _shared_sec(out, "KL305", ("KL305", ptr), lambda: Violation(
        f"{pointer_to_k8s(ptr)}: no readinessProbe: the pod is ready as soon as it starts, "
        "so Services send it traffic and rollouts move on before it can serve", ptr + ("name",), at="key",
        hint="add readinessProbe: {httpGet: {path: /ready, port: http}}"))


def _sc_findings(add: Any, ptr: Pointer, c: dict, sc: dict, has_sc: bool) -> None:
    """KL306-KL309 of one container, from its securityContext `sc` (_EMPTY when it has none)."""
    scp = ptr + ("securityContext",)
    # a privileged container gets every capability whatever `capabilities` says (the runtimes
    # apply add and drop only to unprivileged containers): no drop or add would change it, and
    # KL303 reports the container (KL308 skips it too)
    privileged = sc.get("privileged") is True
    caps = sc.get("capabilities") if not privileged else None
    if not isinstance(caps, dict) or not caps:
        caps = None  # (an empty mapping counts as none, as before)
    drop = list(items(caps.get("drop"))) if caps else []
    # (in any case, as container runtimes and kube-linter read them: `drop: [all]` drops all;
    # Pod Security's restricted level wants `ALL` exactly, and KL426 says so)
    if not privileged and not any(d.__class__ is str and d.upper() in _DROPS for d in drop):
        # unsafe fixes (--unsafe-fixes): a process that needs a capability stops working
        if caps and "drop" in caps:
            where, at = scp + ("capabilities", "drop"), "key"
            fix = _unsafe_fix('add ALL to capabilities.drop',
                              (("set", where, drop + ["ALL"]),)) if isinstance(caps.get("drop"), list) and \
                all(isinstance(d, str) for d in drop) else None
        else:
            where, at = (scp + ("capabilities",), "key") if caps is not None else \
                ((scp, "key") if has_sc else (ptr + ("name",), "key") if "name" in c else (ptr, "key"))
            fix = _added('drop ALL capabilities', scp + ("capabilities",), _DROP_ALL)
        add("KL306", "capabilities are not dropped (neither ALL nor NET_RAW)", where, at,
            hint='securityContext: {capabilities: {drop: ["ALL"]}}', fix=fix)
    if caps:
        for j, cap in enumerate(items(caps.get("add"))):
            if isinstance(cap, str) and cap.upper().removeprefix("CAP_") in DANGEROUS_CAPABILITIES:
                add("KL307", f"adds capability {cap}", scp + ("capabilities", "add", j))
    if sc.get("allowPrivilegeEscalation") is not False and sc.get("privileged") is not True:
        if "allowPrivilegeEscalation" in sc:
            add("KL308", "allowPrivilegeEscalation is not false", scp + ("allowPrivilegeEscalation",),
                fix=_unsafe_fix("set allowPrivilegeEscalation: false",
                                (("set", scp + ("allowPrivilegeEscalation",), False),)))
        else:
            where, at = (scp, "key") if has_sc else (ptr + ("name",), "key") if "name" in c else (ptr, "key")
            add("KL308", "allowPrivilegeEscalation is not set to false: setuid binaries can gain "
                "privileges", where, at, hint="securityContext: {allowPrivilegeEscalation: false}",
                fix=_added("set allowPrivilegeEscalation: false", scp, _NO_ESCALATION))
    if sc.get("readOnlyRootFilesystem") is not True:
        if "readOnlyRootFilesystem" in sc:
            add("KL309", "readOnlyRootFilesystem is not true", scp + ("readOnlyRootFilesystem",),
                fix=_unsafe_fix("set readOnlyRootFilesystem: true",
                                (("set", scp + ("readOnlyRootFilesystem",), True),)))
        else:
            where, at = (scp, "key") if has_sc else (ptr + ("name",), "key") if "name" in c else (ptr, "key")
            add("KL309", "the root filesystem is writable (no readOnlyRootFilesystem: true)", where, at,
                hint="securityContext: {readOnlyRootFilesystem: true}, with emptyDir volumes where "
                     "it writes",
                fix=_added("set readOnlyRootFilesystem: true", scp, _READ_ONLY))


# (code, pointer, variant) -> the walk's violations that are a function of these alone
# (KL317, KL325, KL326, KL327): the same for every pod spec of a run, made once and shared
_SAY: Dict[Tuple[Any, ...], Violation] = {}


def _say(key: Tuple[Any, ...], v: Violation) -> None:
    if len(_SAY) > 10_000:
        _SAY.clear()
    _SAY[key] = v


def _append(out: Dict[str, List[Violation]], code: str, v: Violation) -> None:
    found = out.get(code)
    if found is None:
        out[code] = [v]
    else:
        found.append(v)


_SECRETISH: Dict[str, bool] = {}  # env name -> whether it announces a secret (KL316)


def _secretish(name: str) -> bool:
    if len(_SECRETISH) > 10_000:
        _SECRETISH.clear()
    found = _SECRETISH[name] = bool(_SECRET_NAME.search(name)) and not _NOT_SECRET_SUFFIX.search(name)
    return found


_dict_get = dict.get
_NAME_KEYS = repeat("name")  # (endless: map() stops at the last entry)


def _secret_values(add: Any, ptr: Pointer, envs: list) -> None:
    """KL316: env entries whose name announces a secret and whose value is a literal."""
    for j, env in enumerate(envs):
        if not isinstance(env, dict):
            continue
        name = env.get("name")
        if isinstance(name, str) and (_SECRETISH.get(name) if name in _SECRETISH else _secretish(name)):
            value = env.get("value")
            if isinstance(value, str) and value.strip() and not _looks_like_reference(value):
                add("KL316", f"env \"{name}\" holds a secret as a literal value: it is stored in the "
                    "manifest and shown by kubectl describe", ptr + ("env", j, "value"),
                    hint="use valueFrom.secretKeyRef")

# (pointer, has a name) -> KL306/KL308/KL309 violations of a container without securityContext
_NO_SC: Dict[Tuple[Pointer, bool], Tuple[Tuple[str, Violation], ...]] = {}
_EMPTY: dict = {}
_NO_PORTS: frozenset = frozenset()
_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
_HANDLERS = ("httpGet", "tcpSocket", "grpc")


def _looks_like_reference(value: str) -> bool:
    """Values that name where a secret is, not the secret: paths, $(VAR) and ${VAR}
    expansions, template placeholders, booleans."""
    v = value.strip()
    return (v.startswith(("/", "$(", "${", "{{", "<", "file:", "vault:", "secret:", "arn:", "projects/"))
            or v.lower() in ("true", "false", "yes", "no", "none", "null", "changeme-in-secret"))


class _Safe:
    """The kubelet's default safe sysctls (those of the newest Pod Security baseline)."""

    def __contains__(self, name: str) -> bool:
        from ..admission.pod_security import safe_sysctls

        return name in safe_sysctls((1, 99))


_SAFE_SYSCTLS = _Safe()


def _by_code(obj: Any, ctx: Any) -> Dict[str, List[Violation]]:
    return pod_findings(obj)


_POD_KINDS = frozenset(POD_SPEC_PATHS)


def _from_walk(code: str):
    def check(obj: Any, ctx: Any) -> List[Violation]:
        return pod_findings(obj).get(code, [])

    check.__name__ = f"kl{code[2:]}"
    check.kinds = _POD_KINDS  # only_kinds: pod_findings() finds nothing in other kinds
    check.by_code = _by_code  # the engine calls the walk once for the pack's rules of an object
    return check


for _code in ("KL301", "KL302", "KL303", "KL304", "KL305", "KL306", "KL307", "KL308", "KL309", "KL311", "KL312", "KL313", "KL314", "KL315", "KL316",
              "KL317", "KL318", "KL325", "KL326", "KL327", "KL328", "KL329"):
    globals()[_code.lower()] = _from_walk(_code)


# --- rules with options or beyond one pod spec ----------------------------------------------

def run_as_root_contradiction(obj: Any, ctx: Any) -> List[Violation]:
    """KL342 (on by default): runAsNonRoot true with an effective runAsUser 0 cannot start.
    Its own pass when the pack is off; with the pack, the pack's walk finds it (by_code: one
    pass over the containers for both)."""
    out: List[Violation] = []
    found = pod_spec(obj)
    if found is None:
        return out
    base, spec = found
    pod_sc = _sc(spec)
    for ptr, c in containers(spec, base):
        sc = _sc(c)
        if sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is True \
                and _int(sc.get("runAsUser", pod_sc.get("runAsUser"))) == 0:
            out.append(_contradiction(ptr, base, "runAsUser" in sc))
    return out


run_as_root_contradiction.by_code = _by_code  # type: ignore[attr-defined]


def _contradiction(ptr: Pointer, base: Pointer, own: bool) -> Violation:
    """KL342 on the container at `ptr` (`own`: its runAsUser is its own, else the pod's)."""
    where = ptr + ("securityContext", "runAsUser") if own else base + ("securityContext", "runAsUser")
    return Violation(f"{pointer_to_k8s(where)}: runAsUser 0 with runAsNonRoot true: the kubelet "
                     "refuses to start the container (CreateContainerConfigError)", where,
                     hint="use a non-zero runAsUser, or drop runAsNonRoot if it must run as root")


def low_user_id(obj: Any, ctx: Any) -> List[Violation]:
    """KL310: containers run as a user and group id of at least `min-id` (kube-score: 10000),
    so that they never share an id with a user of the node."""
    found = pod_spec(obj)
    if found is None:
        return []
    base, spec = found
    pod_sc = _sc(spec)
    if windows_pod(spec, pod_sc):
        return []  # runAsUser and runAsGroup are Linux ids (Windows pods: runAsUserName)
    minimum = ctx.options.get("min-id", 10000)
    out: List[Violation] = []
    # (a container without securityContext gets the same violations as every other one at
    # its pointer in a pod with these ids: looked up once per container)
    user, group = pod_sc.get("runAsUser", _ABSENT), pod_sc.get("runAsGroup", _ABSENT)
    pod_ids = (user.__class__, user, group.__class__, group, minimum.__class__, minimum)
    for ptr, c in containers(spec, base):
        if ptr[-2] == "ephemeralContainers":
            continue
        sc = c.get("securityContext")
        if not isinstance(sc, dict):
            key = (ptr, "name" in c, pod_ids)
            try:
                both = _NO_IDS.get(key)
            except TypeError:  # a value that is not hashable (the schema reports it)
                both = key = None
            if both is None:
                made: List[Violation] = []
                _ids(ptr, c, _NO_SC_DICT, pod_sc, base, minimum, made)
                both = tuple(made)
                if key is not None:
                    if len(_NO_IDS) > 10_000:
                        _NO_IDS.clear()
                    _NO_IDS[key] = both
            out.extend(both)
            continue
        _ids(ptr, c, sc, pod_sc, base, minimum, out)
    return out


def _ids(ptr: Pointer, c: dict, sc: dict, pod_sc: dict, base: Pointer, minimum: Any,
         out: List[Violation]) -> None:
    """KL310 on one container (its securityContext `sc`, _NO_SC_DICT if none)."""
    for field in _ID_FIELDS:
        own = field in sc
        value = sc.get(field) if own else pod_sc.get(field)
        if not isinstance(value, int) or isinstance(value, bool):
            value = None  # (_int(), inline: twice per container)
        elif value >= minimum:
            continue
        if own or field in pod_sc:
            where: Pointer = (ptr if own else base) + ("securityContext", field)
            out.append(Violation(f"{pointer_to_k8s(where)}: {field} {value} is below {minimum}: it may be a "
                                 "user of the node", where))
        else:
            # the same violation for every container at this pointer (most containers of
            # the corpus get both): made once per (pointer, field, where, minimum)
            key = (ptr, field, sc is not _NO_SC_DICT, "name" in c, minimum.__class__, minimum)
            try:
                v = _NO_ID.get(key)
            except TypeError:  # a minimum that is not hashable: the schema reports it
                v = key = None
            if v is None:
                w, at = _missing_at(ptr, c)
                what = "user (often root)" if field == "runAsUser" else "user's group (often root's)"
                path = _K8S_PATHS.get(ptr) or pointer_to_k8s(ptr)
                # Violation(message, w, at, hint=...) without its generated __new__
                v = _new(Violation, (f"{path}: no {field}: the image's {what} is used", w, at, (),
                                     f"securityContext: {{{field}: {max(minimum, 10001)}}}", None, None))
                if key is not None:
                    if len(_NO_ID) > 10_000:
                        _NO_ID.clear()
                    _NO_ID[key] = v
            out.append(v)


# (pointer, named, the pod's ids and the minimum with their types) -> KL310's violations of a
# container without securityContext
_NO_IDS: Dict[Tuple[Any, ...], Tuple[Violation, ...]] = {}
_ABSENT = object()  # (not set: unlike an explicit null, reported where it is)
_NO_ID: Dict[Tuple[Any, ...], Violation] = {}  # low_user_id's "no runAsUser/runAsGroup" violations
_ID_FIELDS = ("runAsUser", "runAsGroup")


# objects about the namespace they live in: access to it, its quotas and defaults, its traffic
_OF_THE_NAMESPACE = frozenset(("Role", "RoleBinding", "ResourceQuota", "LimitRange", "NetworkPolicy"))


def default_namespace(obj: Any, ctx: Any) -> Sequence[Violation]:
    """KL319: objects deployed to the default namespace."""
    meta = obj.data.get("metadata")  # (every object of a run: its namespace first, plainly)
    ns = meta.get("namespace") if isinstance(meta, dict) else None
    if ns != "default" and (ns is not None or not ctx.options.get("implicit")):
        return ()
    if obj.kind in _OF_THE_NAMESPACE and getattr(obj, "builtin", True):
        return ()
    if ns == "default":
        return [Violation("metadata.namespace: \"default\": objects in the default namespace share it with "
                          "everything deployed without a namespace", ("metadata", "namespace"),
                          hint="use a namespace of its own")]
    elif ns is None and ctx.options.get("implicit") and isinstance(obj.data.get("metadata"), dict):
        return [Violation("metadata: no namespace: kubectl applies it to the current context's namespace, "
                          "usually default", ("metadata",), "key")]
    return ()


_RBAC_KINDS = ("Role", "ClusterRole")


def _rules(obj: Any) -> Iterator[Tuple[Pointer, dict]]:
    for i, r in enumerate(items(obj.data.get("rules"))):
        if isinstance(r, dict):
            yield ("rules", i), r


def rbac_wildcard(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL320: `*` in a rule's verbs or resources grants what does not exist yet too."""
    if not getattr(obj, "builtin", True):
        return  # a custom resource of the same kind name
    for ptr, r in _rules(obj):
        for field in ("verbs", "resources"):
            for j, v in enumerate(items(r.get(field))):
                if v == "*":
                    yield Violation(f"{pointer_to_k8s(ptr + (field, j))}: \"*\" grants every {field[:-1]}, "
                                    "including those added later", ptr + (field, j),
                                    hint=f"list the {field} the subject needs")


def _grants(r: dict, resources: Tuple[str, ...], verbs: Tuple[str, ...]) -> Optional[int]:
    """Index in r.resources of a resource of `resources` granted with one of `verbs`."""
    rv = items(r.get("verbs"))
    if not any(v in verbs for v in rv):
        return None
    groups = items(r.get("apiGroups"))
    if groups and "" not in groups and "*" not in groups:
        return None
    for j, res in enumerate(items(r.get("resources"))):
        if res in resources:
            return j
    return None


def rbac_secrets(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL322: reading secrets (get, list, watch) is reading every credential of the namespace."""
    if not getattr(obj, "builtin", True):
        return  # a custom resource of the same kind name
    for ptr, r in _rules(obj):
        j = _grants(r, ("secrets",), ("get", "list", "watch", "*"))
        if j is not None and not items(r.get("resourceNames")):
            yield Violation(f"{pointer_to_k8s(ptr + ('resources', j))}: grants reading every Secret"
                            + (" of the cluster" if obj.kind == "ClusterRole" else " of the namespace"),
                            ptr + ("resources", j), hint="name the secrets in resourceNames, or mount them")


def rbac_exec(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL323: pods/exec and pods/attach run commands inside any pod the role reaches."""
    if not getattr(obj, "builtin", True):
        return  # a custom resource of the same kind name
    for ptr, r in _rules(obj):
        j = _grants(r, ("pods/exec", "pods/attach"), ("create", "get", "*"))
        if j is not None:
            yield Violation(f"{pointer_to_k8s(ptr + ('resources', j))}: grants {r['resources'][j]}: running "
                            "commands in the pods it reaches, with their service accounts",
                            ptr + ("resources", j))


def cluster_admin_binding(obj: Any, ctx: Any) -> Sequence[Violation]:
    """KL321: a binding to the cluster-admin ClusterRole."""
    if not getattr(obj, "builtin", True):
        return ()  # a custom resource of the same kind name
    ref = obj.data.get("roleRef")
    if isinstance(ref, dict) and ref.get("kind") == "ClusterRole" and ref.get("name") == "cluster-admin":
        return [Violation(f"roleRef.name: binds cluster-admin: full control of "
                          + ("the cluster" if obj.kind == "ClusterRoleBinding" else "the namespace"),
                          ("roleRef", "name"), hint="bind a role with the permissions the subjects need")]
    return ()


def service_exposed(obj: Any, ctx: Any) -> Sequence[Violation]:
    """KL324: LoadBalancer and NodePort Services are reachable from outside the cluster."""
    if not getattr(obj, "builtin", True):
        return ()  # a custom resource of the same kind name
    t = get(obj.data, ("spec", "type"))
    if t in ("LoadBalancer", "NodePort"):
        v = _SAID.get(("KL324", t))  # (one of two: made once and shared)
        if v is None:
            v = _said(("KL324", t), Violation(
                f"spec.type: {t} exposes the Service on "
                + ("an external load balancer" if t == "LoadBalancer" else "every node's address"),
                ("spec", "type"), hint="use ClusterIP behind an Ingress or Gateway"))
        return [v]
    return ()


def cronjob_deadline(obj: Any, ctx: Any) -> Sequence[Violation]:
    """KL335: without startingDeadlineSeconds, a CronJob that missed 100 schedules stops."""
    if not getattr(obj, "builtin", True):
        return ()  # a custom resource of the same kind name
    spec = obj.data.get("spec")
    if isinstance(spec, dict) and spec.get("startingDeadlineSeconds") is None:
        return [_NO_DEADLINE]
    return ()


_NO_DEADLINE = Violation("spec: no startingDeadlineSeconds: after 100 missed schedules (controller "
                         "downtime) the CronJob stops being scheduled", ("spec",), "key",
                         hint="set spec.startingDeadlineSeconds (e.g. 300)")


def job_ttl(obj: Any, ctx: Any) -> Sequence[Violation]:
    """KL336: a standalone Job without ttlSecondsAfterFinished stays (with its pods) forever."""
    if not getattr(obj, "builtin", True):
        return ()  # a custom resource of the same kind name
    spec = obj.data.get("spec")
    if isinstance(spec, dict) and spec.get("ttlSecondsAfterFinished") is None:
        return [Violation("spec: no ttlSecondsAfterFinished: the finished Job and its pods are never "
                          "cleaned up", ("spec",), "key", hint="set spec.ttlSecondsAfterFinished (e.g. 86400)")]
    return ()


def hpa_min_replicas(obj: Any, ctx: Any) -> Sequence[Violation]:
    """KL338: an HPA that may scale to one replica."""
    if not getattr(obj, "builtin", True):
        return ()  # a custom resource of the same kind name
    spec = obj.data.get("spec")
    if not isinstance(spec, dict):
        return ()
    minimum = spec.get("minReplicas", 1)
    if _int(minimum) is not None and minimum < ctx.options.get("min", 2):
        ptr = ("spec", "minReplicas") if "minReplicas" in spec else ("spec",)
        return [Violation(f"{pointer_to_k8s(ptr)}: minReplicas {minimum}: one pod restart is an outage",
                          ptr, "value" if len(ptr) == 2 else "key", hint="minReplicas: 2")]
    return ()


def pdb_policy(obj: Any, ctx: Any) -> Sequence[Violation]:
    """KL339: a PodDisruptionBudget without minAvailable or maxUnavailable."""
    if not getattr(obj, "builtin", True):
        return ()  # a custom resource of the same kind name
    spec = obj.data.get("spec")
    if isinstance(spec, dict) and spec.get("minAvailable") is None and spec.get("maxUnavailable") is None:
        return [Violation("spec: neither minAvailable nor maxUnavailable: the budget protects nothing",
                          ("spec",), "key", hint="set maxUnavailable: 1")]
    return ()


def pdb_unhealthy_eviction(obj: Any, ctx: Any) -> Sequence[Violation]:
    """KL340: unhealthyPodEvictionPolicy unset: pods that never became ready block drains."""
    if not getattr(obj, "builtin", True):
        return ()  # a custom resource of the same kind name
    if tuple(int(x) for x in ctx.version.split(".")) < (1, 27):
        return ()  # beta from 1.27 (alpha before): do not ask for what the cluster may not have
    spec = obj.data.get("spec")
    if isinstance(spec, dict) and spec.get("unhealthyPodEvictionPolicy") is None:
        return [Violation("spec: no unhealthyPodEvictionPolicy: running but never-ready pods count against "
                          "the budget and can block node drains", ("spec",), "key",
                          hint="unhealthyPodEvictionPolicy: AlwaysAllow")]
    return ()


def _replicas(obj: Any) -> int:
    spec = obj.data.get("spec")
    r = spec.get("replicas") if isinstance(spec, dict) else None
    return r if isinstance(r, int) and not isinstance(r, bool) else 1


def anti_affinity(obj: Any, ctx: Any) -> Sequence[Violation]:
    """KL332: replicas of one workload may all land on one node."""
    if not getattr(obj, "builtin", True):
        return ()  # a custom resource of the same kind name
    if obj.kind not in ("Deployment", "StatefulSet"):
        return ()
    replicas = _replicas(obj)
    if replicas < 2:
        return ()
    found = pod_spec(obj)  # (spec.template.spec, asked by the checks before: kept)
    if found is None:
        return ()
    spec = found[1]
    if get(spec, ("affinity", "podAntiAffinity")) or items(spec.get("topologySpreadConstraints")):
        return ()
    v = _SAID.get(("KL332", replicas))  # (an int: _replicas' answer)
    if v is None:
        v = _said(("KL332", replicas), Violation(
            f"spec.template.spec: {replicas} replicas without podAntiAffinity or "
            "topologySpreadConstraints: they may all run on one node", ("spec", "template", "spec"), "key",
            hint="add topologySpreadConstraints over kubernetes.io/hostname, or a preferred podAntiAffinity"))
    return [v]


# The cross rules' violations that depend on one value (a namespace, a replica count): the
# same for every workload of a namespace, made once and shared (Violations are immutable)
_SAID: Dict[Tuple[str, Any], Violation] = {}


def _said(key: Tuple[str, Any], v: Violation) -> Violation:
    if len(_SAID) > 10_000:
        _SAID.clear()
    _SAID[key] = v
    return v


# --- cross-object: HPA, PDB, NetworkPolicy, Service -----------------------------------------

def _in_namespace(ctx: Any, group: str, kind: str, namespace: str) -> List[Any]:
    """The run's objects of group/kind in a namespace, from the reference graph the
    cross-object rules share (group-aware: Calico's `NetworkPolicy` is not the built-in one)."""
    return (_GRAPH or _graph()).of(ctx).of_kind(group, kind, namespace)


_GRAPH: Any = None  # kubelint.graph, imported by the first cross-object check (once, not per call)


def _graph() -> Any:
    global _GRAPH
    from .. import graph

    _GRAPH = graph
    return graph


def _template_labels(obj: Any) -> dict:
    labels = get(obj.data, ("spec", "template", "metadata", "labels"))
    return labels if isinstance(labels, dict) else {}


def _selects(selector: Any, labels: dict) -> bool:
    global _MISMATCHES
    if not isinstance(selector, dict):
        return False
    if _MISMATCHES is None:  # imported once, not per call
        from .labels import selector_mismatches

        _MISMATCHES = selector_mismatches
    return not any(True for _ in _MISMATCHES(selector, labels))


_MISMATCHES: Any = None  # checks.labels.selector_mismatches


def min_replicas(obj: Any, ctx: Any) -> Sequence[Violation]:
    """KL331: a Deployment or StatefulSet with one replica and no HPA scaling it."""
    if not getattr(obj, "builtin", True):
        return ()  # a custom resource of the same kind name
    replicas = _replicas(obj)
    if replicas >= ctx.options.get("min", 2) or replicas == 0:
        return ()  # (replicas: 0 is a workload scaled down on purpose, or scaled by another owner)
    for hpa in _in_namespace(ctx, "autoscaling", "HorizontalPodAutoscaler", obj.namespace):
        ref = get(hpa.data, ("spec", "scaleTargetRef"))
        if isinstance(ref, dict) and ref.get("kind") == obj.kind and ref.get("name") == obj.name:
            return ()
    ptr = ("spec", "replicas") if get(obj.data, ("spec", "replicas")) is not None else ("spec",)
    return [Violation(f"{pointer_to_k8s(ptr)}: {replicas} replica and no HorizontalPodAutoscaler: a "
                      "node drain or a crash is an outage", ptr, "value" if len(ptr) == 2 else "key",
                      hint="replicas: 2 or more, or an HPA with minReplicas >= 2")]


def pdb_missing(obj: Any, ctx: Any) -> Sequence[Violation]:
    """KL333: a replicated Deployment or StatefulSet no PodDisruptionBudget covers."""
    if not getattr(obj, "builtin", True):
        return ()  # a custom resource of the same kind name
    if _replicas(obj) < 2:
        return ()
    pdbs = _in_namespace(ctx, "policy", "PodDisruptionBudget", obj.namespace)
    if pdbs:  # (the labels only when there is a budget to select them)
        labels = _template_labels(obj)
        for pdb in pdbs:
            if _selects(get(pdb.data, ("spec", "selector")), labels):
                return ()
    v = _SAID.get(("KL333", obj.namespace))
    if v is None:
        v = _said(("KL333", obj.namespace), Violation(
            f"metadata.name: no PodDisruptionBudget in namespace \"{obj.namespace}\" selects "
            "its pods: a node drain may evict all replicas at once", ("metadata", "name"),
            hint="add a PodDisruptionBudget with maxUnavailable: 1 selecting the pod labels"))
    return [v]


def network_policy_missing(obj: Any, ctx: Any) -> Sequence[Violation]:
    """KL334: pods no NetworkPolicy selects accept traffic from anywhere."""
    if not getattr(obj, "builtin", True):
        return ()  # a custom resource of the same kind name
    path = POD_SPEC_PATHS.get(obj.kind)
    if path is None or obj.kind == "PodTemplate":
        return ()
    if get(obj.data, path + ("hostNetwork",)) is True:
        return ()  # host-network pods are outside NetworkPolicy's reach (KL220 skips them too)
    policies = _in_namespace(ctx, "networking.k8s.io", "NetworkPolicy", obj.namespace)
    if policies:  # (the labels only when there is a policy to select them)
        labels = get(obj.data, path[:-1] + ("metadata", "labels"))
        labels = labels if isinstance(labels, dict) else {}
        for np in policies:
            if _selects(get(np.data, ("spec", "podSelector")), labels):
                return ()
    v = _SAID.get(("KL334", obj.namespace))
    if v is None:
        v = _said(("KL334", obj.namespace), Violation(
            f"metadata.name: no NetworkPolicy in namespace \"{obj.namespace}\" selects its pods: "
            "they accept traffic from every pod of the cluster", ("metadata", "name"),
            hint="add a NetworkPolicy for these pods (or a default-deny policy for the namespace)"))
    return [v]


def deployment_strategy(obj: Any, ctx: Any) -> Sequence[Violation]:
    """KL337: a Deployment behind a Service that uses the Recreate strategy goes down on every
    rollout."""
    if not getattr(obj, "builtin", True):
        return ()  # a custom resource of the same kind name
    if get(obj.data, ("spec", "strategy", "type")) != "Recreate":
        return ()
    labels = _template_labels(obj)
    for svc in _in_namespace(ctx, "", "Service", obj.namespace):
        sel = get(svc.data, ("spec", "selector"))  # (a projection keeps it: graph.SHAPES)
        if isinstance(sel, dict) and sel and all(labels.get(k) == v for k, v in sel.items()):
            return [Violation(f"spec.strategy.type: Recreate stops every pod before starting new ones: "
                              f"Service {svc.name} has no endpoints during each rollout",
                              ("spec", "strategy", "type"), hint="use RollingUpdate")]
    return ()
