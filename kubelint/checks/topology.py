"""topologySpreadConstraints the scheduler cannot use (kube-score's
pod-topology-spread-constraints): values the API server rejects (KL132, on by default;
ValidateTopologySpreadConstraints in k8s.io/kubernetes pkg/apis/core/validation) and a
constraint without a labelSelector, which counts no pods and so spreads nothing (KL343)."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Tuple

from ..model import Pointer, Violation, pointer_to_k8s
from .k8s import items, pod_spec

ACTIONS = ("DoNotSchedule", "ScheduleAnyway")
NODE_INCLUSION_POLICIES = ("Honor", "Ignore")


def _int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _constraints(obj: Any) -> Iterator[Tuple[int, Pointer, dict]]:
    found = pod_spec(obj)
    if found is None:
        return
    base, spec = found
    for i, c in enumerate(items(spec.get("topologySpreadConstraints"))):
        if isinstance(c, dict):
            yield i, base + ("topologySpreadConstraints", i), c


def topology_spread_rejected(obj: Any, ctx: Any) -> List[Violation]:
    """KL132: each constraint of spec.topologySpreadConstraints (a Pod's or a template's) as
    the API server validates it. Type errors and missing required fields are the schema's
    (KL010): only values of the right type are judged here."""
    out: List[Violation] = []
    seen: Dict[Tuple[str, str], int] = {}
    for i, ptr, c in _constraints(obj):

        def rejected(field: str, problem: str, hint: str, at: str = "value") -> Violation:
            where = ptr + (field,)
            return Violation(f"{pointer_to_k8s(where)}: {problem}: the API server rejects the "
                             "object", where, at, hint=hint)

        skew = c.get("maxSkew")
        if _int(skew) and skew <= 0:
            out.append(rejected("maxSkew", f"{skew} is not greater than zero",
                                "maxSkew: 1 (the largest allowed difference in matching pods between "
                                "two domains)"))
        key = c.get("topologyKey")
        if key == "":
            out.append(rejected("topologyKey", "empty: nodes cannot be put into domains",
                                "topologyKey: topology.kubernetes.io/zone or kubernetes.io/hostname"))
        action = c.get("whenUnsatisfiable")
        if isinstance(action, str) and action not in ACTIONS:
            out.append(rejected("whenUnsatisfiable", f"unsupported value \"{action}\" (expected one of "
                                f"{', '.join(ACTIONS)})", "whenUnsatisfiable: DoNotSchedule or ScheduleAnyway"))
        domains = c.get("minDomains")
        if _int(domains):
            if domains <= 0:
                out.append(rejected("minDomains", f"{domains} is not greater than zero",
                                    "leave minDomains out (it then counts as 1), or set it to 1 or more"))
            elif isinstance(action, str) and action != "DoNotSchedule":
                out.append(rejected("minDomains", f"minDomains can only be used with whenUnsatisfiable "
                                    f"DoNotSchedule, not {action}",
                                    "set whenUnsatisfiable: DoNotSchedule, or leave minDomains out"))
        for field in ("nodeAffinityPolicy", "nodeTaintsPolicy"):
            policy = c.get(field)
            if isinstance(policy, str) and policy not in NODE_INCLUSION_POLICIES:
                out.append(rejected(field, f"unsupported value \"{policy}\" (expected Honor or Ignore)",
                                    f"{field}: Honor or Ignore"))
        if isinstance(key, str) and key and isinstance(action, str) and action in ACTIONS:
            first = seen.setdefault((key, action), i)
            if first != i:
                out.append(rejected("topologyKey", f"a second constraint on {{{key}, {action}}} (the "
                                    f"first is topologySpreadConstraints[{first}])",
                                    "merge the two constraints", at="key"))
    return out


def topology_spread_selector(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL343: a constraint without a labelSelector (accepted, but it spreads nothing)."""
    for _, ptr, c in _constraints(obj):
        if c.get("labelSelector") is None:
            yield Violation(f"{pointer_to_k8s(ptr)}: no labelSelector: the constraint counts no "
                            "pods, so it spreads nothing", ptr,
                            hint="labelSelector: {matchLabels: <the pod template's labels>}")
