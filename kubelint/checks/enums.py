"""KL112: fields the API server accepts only a fixed set of values for, which the bundled
OpenAPI schemas type as free strings. Values and wording from pkg/apis/core/validation and
pkg/apis/apps/validation (`Unsupported value: "X": supported values: ...`)."""

from __future__ import annotations

from typing import Any, Iterator, Tuple

from ..identify import close
from ..model import Fix, Violation, pointer_to_k8s
from .k8s import CONTAINER_LISTS, POD_SPEC_PATHS, builtin_kind, walk

PROTOCOLS = ("TCP", "UDP", "SCTP")
_POD = [
    (("restartPolicy",), ("Always", "OnFailure", "Never")),
    (("dnsPolicy",), ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")),
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
        ((_list, "*", "imagePullPolicy"), ("Always", "IfNotPresent", "Never")),
        ((_list, "*", "terminationMessagePolicy"), ("File", "FallbackToLogsOnError")),
        ((_list, "*", "ports", "*", "protocol"), PROTOCOLS),
        # ValidateProcMountType (from 1.33, see unsupported_value)
        ((_list, "*", "securityContext", "procMount"), ("Default", "Unmasked")),
        ((_list, "*", "securityContext", "seccompProfile", "type"), PROFILE_TYPES),
        ((_list, "*", "securityContext", "appArmorProfile", "type"), PROFILE_TYPES),
    ]
    # validateHTTPGetAction: supportedHTTPSchemes
    for _probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        _POD.append(((_list, "*", _probe, "httpGet", "scheme"), ("HTTP", "HTTPS")))

TABLE = {
    "Service": [
        (("spec", "sessionAffinity"), ("ClientIP", "None")),
        (("spec", "externalTrafficPolicy"), ("Cluster", "Local")),
        (("spec", "internalTrafficPolicy"), ("Cluster", "Local")),
        (("spec", "ipFamilyPolicy"), ("SingleStack", "PreferDualStack", "RequireDualStack")),
        (("spec", "ports", "*", "protocol"), PROTOCOLS),
    ],
    "Deployment": [(("spec", "strategy", "type"), ("Recreate", "RollingUpdate"))],
    "StatefulSet": [(("spec", "podManagementPolicy"), ("OrderedReady", "Parallel")),
                    (("spec", "updateStrategy", "type"), ("RollingUpdate", "OnDelete"))],
    "DaemonSet": [(("spec", "updateStrategy", "type"), ("RollingUpdate", "OnDelete"))],
    "CronJob": [(("spec", "concurrencyPolicy"), ("Allow", "Forbid", "Replace"))],
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


def unsupported_value(obj: Any, ctx: Any) -> Iterator[Violation]:
    # Before 1.33 the ProcMountType feature gate is off by default and the API server drops
    # procMount before validating (dropDisabledProcMountField): any value passes.
    proc_mount = tuple(int(x) for x in ctx.version.split(".")) >= (1, 33)
    for pattern, allowed in _patterns(builtin_kind(obj)):
        if pattern[-1] == "procMount" and not proc_mount:
            continue
        for pointer, value in walk(obj.data, pattern):
            if value is None or value in allowed:
                continue
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
            yield Violation(msg, pointer, fix=fix)
