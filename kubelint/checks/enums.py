"""KL112: fields the API server accepts only a fixed set of values for, which the bundled
OpenAPI schemas type as free strings. Values and wording from pkg/apis/core/validation and
pkg/apis/apps/validation (`Unsupported value: "X": supported values: ...`)."""

from __future__ import annotations

from typing import Any, Iterator, List, Tuple

from ..cache import cached_code
from ..identify import close
from ..model import Fix, Violation, pointer_to_k8s
from .k8s import CONTAINER_LISTS, POD_SPEC_PATHS, builtin_kind, only_kinds

PROTOCOLS = ("TCP", "UDP", "SCTP")
_POD = [
    # "" where the API server's defaulting fills in a value before validating (SetDefaults_PodSpec,
    # _Container, _ContainerPort, _HTTPGetAction, _Service, _Deployment...): an empty string
    # is unset (kompose writes `"imagePullPolicy": ""`)
    (("restartPolicy",), ("Always", "OnFailure", "Never", "")),
    (("dnsPolicy",), ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None", "")),
    (("preemptionPolicy",), ("PreemptLowerPriority", "Never")),
]
# validateSeccompProfileField / validateAppArmorProfileField: the type is case-sensitive.
PROFILE_TYPES = ("Localhost", "RuntimeDefault", "Unconfined")
_POD += [
    # ValidateTolerations, validateTaintEffect (an empty operator means Equal, an empty effect all)
    (("tolerations", "*", "operator"), ("Equal", "Exists", "")),
    (("tolerations", "*", "effect"), ("NoSchedule", "PreferNoSchedule", "NoExecute", "")),
    (("securityContext", "seccompProfile", "type"), PROFILE_TYPES),
    (("securityContext", "appArmorProfile", "type"), PROFILE_TYPES),
    (("securityContext", "fsGroupChangePolicy"), ("Always", "OnRootMismatch")),
]
for _list in CONTAINER_LISTS:
    _POD += [
        ((_list, "*", "imagePullPolicy"), ("Always", "IfNotPresent", "Never", "")),
        ((_list, "*", "terminationMessagePolicy"), ("File", "FallbackToLogsOnError", "")),
        ((_list, "*", "ports", "*", "protocol"), PROTOCOLS + ("",)),
        # ValidateProcMountType (from 1.33, see unsupported_value)
        ((_list, "*", "securityContext", "procMount"), ("Default", "Unmasked")),
        ((_list, "*", "securityContext", "seccompProfile", "type"), PROFILE_TYPES),
        ((_list, "*", "securityContext", "appArmorProfile", "type"), PROFILE_TYPES),
    ]
    # validateHTTPGetAction: supportedHTTPSchemes
    for _probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        _POD.append(((_list, "*", _probe, "httpGet", "scheme"), ("HTTP", "HTTPS", "")))

TABLE = {
    "Service": [
        (("spec", "sessionAffinity"), ("ClientIP", "None", "")),
        (("spec", "externalTrafficPolicy"), ("Cluster", "Local", "")),
        (("spec", "internalTrafficPolicy"), ("Cluster", "Local")),
        (("spec", "ipFamilyPolicy"), ("SingleStack", "PreferDualStack", "RequireDualStack")),
        (("spec", "ports", "*", "protocol"), PROTOCOLS + ("",)),
    ],
    "Deployment": [(("spec", "strategy", "type"), ("Recreate", "RollingUpdate", ""))],
    "StatefulSet": [(("spec", "podManagementPolicy"), ("OrderedReady", "Parallel", "")),
                    (("spec", "updateStrategy", "type"), ("RollingUpdate", "OnDelete", ""))],
    "DaemonSet": [(("spec", "updateStrategy", "type"), ("RollingUpdate", "OnDelete", ""))],
    "CronJob": [(("spec", "concurrencyPolicy"), ("Allow", "Forbid", "Replace", ""))],
    "Job": [(("spec", "completionMode"), ("NonIndexed", "Indexed"))],
    "Ingress": [(("spec", "rules", "*", "http", "paths", "*", "pathType"),
                 ("Exact", "Prefix", "ImplementationSpecific"))],
    "PersistentVolumeClaim": [
        (("spec", "accessModes", "*"), ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod")),
        (("spec", "volumeMode"), ("Filesystem", "Block"))],
    "NetworkPolicy": [(("spec", "policyTypes", "*"), ("Ingress", "Egress")),
                      (("spec", "ingress", "*", "ports", "*", "protocol"), PROTOCOLS),
                      (("spec", "egress", "*", "ports", "*", "protocol"), PROTOCOLS)],
}


def _patterns(kind: str) -> Iterator[Tuple[Tuple[Any, ...], Tuple[str, ...]]]:
    yield from TABLE.get(kind, ())
    base = POD_SPEC_PATHS.get(kind)
    if base is not None:
        for pattern, allowed in _POD:
            yield base + pattern, allowed
    if kind == "StatefulSet":
        for pattern, allowed in TABLE["PersistentVolumeClaim"]:
            yield ("spec", "volumeClaimTemplates", "*") + pattern, allowed


# kind, procMount checked -> the kind's patterns as a tree of nodes (the patterns that end
# there, the node of "*", {field: node}): walked once per object (most fields are absent,
# and a shared prefix is looked up once), not once per pattern.
_TREES: dict = {}


def _tree(kind: str, proc_mount: bool) -> Any:
    tree = _TREES.get((kind, proc_mount))
    if tree is None:
        plain: dict = {}  # {field or "*": subtree}, the patterns that end at a node under None
        for i, (pattern, allowed) in enumerate(_patterns(kind)):
            if pattern[-1] == "procMount" and not proc_mount:
                continue
            node = plain
            for head in pattern:
                node = node.setdefault(head, {})
            node.setdefault(None, []).append((i, allowed, frozenset(allowed)))
        tree = _TREES[(kind, proc_mount)] = _compile(plain)
    return tree


def _compile(plain: dict) -> Tuple[Any, Any, Any]:
    fields = {h: _compile(c) for h, c in plain.items() if h is not None and h != "*"}
    return (tuple(plain.get(None, ())), _compile(plain["*"]) if "*" in plain else None,
            fields or None)


def _visit(node: Tuple[Any, Any, Any], value: Any, ptr: Tuple[Any, ...], found: list) -> None:
    """The values at the patterns of `node` that are not allowed, into `found` (in no
    particular order: unsupported_value sorts them). `value` is never None: nothing is
    found under a null."""
    ends, star, fields = node
    for i, allowed, fast in ends:
        if value in fast if value.__class__ is str else value in allowed:
            continue
        found.append((i, ptr, value, allowed))
    if star is not None and isinstance(value, list):
        for j, item in enumerate(value):
            if item is not None:
                _visit(star, item, ptr + (j,), found)
    if fields is not None and isinstance(value, dict):
        for head, child in fields.items():
            item = value.get(head)
            if item is None:
                continue
            if child[1] is None and child[2] is None:  # a field at the end: checked here
                for i, allowed, fast in child[0]:
                    if item in fast if item.__class__ is str else item in allowed:
                        continue
                    found.append((i, ptr + (head,), item, allowed))
            else:
                _visit(child, item, ptr + (head,), found)


# kind, procMount checked -> a function of an object's data: True when _visit would find
# nothing in it (almost every object). Generated from the kind's tree as straight-line code:
# the same walk as _visit without its recursive calls, pointers and tuple unpacking (3x
# faster); an object it does not pass goes through _visit, which says what is wrong. A large
# subtree (a pod spec, a container) is a function of its own, shared by every tree with a
# subtree of that shape: the pod kinds share one pod spec function, and compiling is paid
# once (~1.5 ms for a whole Deployment's tree) rather than per kind.
_CLEAN: dict = {}
_CLEAN_BY_SHAPE: dict = {}
_OWN_FUNCTION = 12  # list items of more nodes than this are a function of their own


def _clean_of(kind: str, proc_mount: bool) -> Any:
    clean = _CLEAN.get((kind, proc_mount))
    if clean is None:
        clean = _CLEAN[(kind, proc_mount)] = _clean_function(_tree(kind, proc_mount))
    return clean


def _shape(node: Tuple[Any, Any, Any]) -> Tuple[Any, Any, Any]:
    """`node` without the pattern numbers (which _clean_lines does not read)."""
    ends, star, fields = node
    return (tuple((allowed, fast) for _, allowed, fast in ends),
            None if star is None else _shape(star),
            None if fields is None else tuple((h, _shape(c)) for h, c in fields.items()))


def _size(node: Tuple[Any, Any, Any]) -> int:
    _, star, fields = node
    return 1 + (0 if star is None else _size(star)) + \
        (0 if fields is None else sum(_size(c) for c in fields.values()))


def _clean_function(node: Tuple[Any, Any, Any]) -> Any:
    shape = _shape(node)
    clean = _CLEAN_BY_SHAPE.get(shape)
    if clean is None:
        consts: dict = {}
        lines = ["def clean(v0):"]
        _clean_lines(node, "v0", 1, lines, consts)
        lines.append("    return True")
        scope = dict(consts)
        # compiled once, then read back in later runs (cache.cached_code)
        exec(cached_code("\n".join(lines), "<KL112>"), scope)  # noqa: S102
        clean = _CLEAN_BY_SHAPE[shape] = scope["clean"]
    return clean


def _clean_lines(node: Tuple[Any, Any, Any], var: str, depth: int, lines: list,
                 consts: dict) -> None:
    """Lines (at `depth` indentation) that return False when a value under `node` in `var`
    is not allowed, as _visit checks it (`var` is never None)."""
    pad = "    " * depth
    ends, star, fields = node
    for _, allowed, fast in ends:
        a, f = f"A{len(consts)}", f"F{len(consts)}"
        consts[a], consts[f] = allowed, fast
        lines.append(f"{pad}if not ({var} in {f} if {var}.__class__ is str else {var} in {a}):")
        lines.append(f"{pad}    return False")
    n = int(var[1:])
    if star is not None:
        item = f"v{n + 1}"
        lines.append(f"{pad}if isinstance({var}, list):")
        lines.append(f"{pad}    for {item} in {var}:")
        lines.append(f"{pad}        if {item} is not None:")
        _child_lines(star, item, depth + 3, lines, consts, True)
        lines.append(f"{pad}            pass")
    if fields is not None:
        lines.append(f"{pad}if isinstance({var}, dict):")
        for head, child in fields.items():
            item = f"v{n + 1}"
            k = f"K{len(consts)}"
            consts[k] = head
            lines.append(f"{pad}    {item} = {var}.get({k})")
            lines.append(f"{pad}    if {item} is not None:")
            _child_lines(child, item, depth + 2, lines, consts, False)
            lines.append(f"{pad}        pass")


def _child_lines(node: Tuple[Any, Any, Any], var: str, depth: int, lines: list,
                 consts: dict, item: bool) -> None:
    """A pod spec (the node with `containers`) and a large list item (a container) are
    called as functions of their own; anything else is inline."""
    fields = node[2]
    if not (fields is not None and "containers" in fields or item and _size(node) > _OWN_FUNCTION):
        _clean_lines(node, var, depth, lines, consts)
        return
    c = f"C{len(consts)}"
    consts[c] = _clean_function(node)
    lines.append(f"{'    ' * depth}if not {c}({var}):")
    lines.append(f"{'    ' * depth}    return False")


_PROC_MOUNT: dict = {}


@only_kinds([*TABLE, *POD_SPEC_PATHS])  # _patterns(): none for other kinds
def unsupported_value(obj: Any, ctx: Any) -> List[Violation]:
    # Before 1.33 the ProcMountType feature gate is off by default and the API server drops
    # procMount before validating (dropDisabledProcMountField): any value passes.
    out: List[Violation] = []
    proc_mount = _PROC_MOUNT.get(ctx.version)
    if proc_mount is None:
        proc_mount = _PROC_MOUNT[ctx.version] = tuple(int(x) for x in ctx.version.split(".")) >= (1, 33)
    found: list = []
    if obj.data is not None:
        kind = builtin_kind(obj)
        if _clean_of(kind, proc_mount)(obj.data):
            return out
        _visit(_tree(kind, proc_mount), obj.data, (), found)
    # in the order of the table, each pattern's values in document order (as walk() gives):
    # a pattern's values are found in document order, whatever the order of the fields
    found.sort(key=lambda f: f[0])
    for _, pointer, value, allowed in found:
        shown = f'"{value}"' if isinstance(value, str) else str(value)
        shown_allowed = [a for a in allowed if a]  # "" (unset) is allowed, never suggested
        msg = (f"{pointer_to_k8s(pointer)}: Unsupported value: {shown}: supported values: "
               + ", ".join(f'"{a}"' for a in shown_allowed))
        guess = close(str(value), shown_allowed)
        fix = None
        if guess:
            msg += f'; did you mean "{guess}"?'
            if isinstance(value, str) and guess.lower() == value.lower():  # only the case is wrong
                fix = Fix(f'write "{guess}"', (("set", pointer, guess),))
        out.append(Violation(msg, pointer, fix=fix))
    return out
