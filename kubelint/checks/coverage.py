"""Selection across kinds, answered by the run's graph (kubelint/graph.py): pods that no
NetworkPolicy selects (KL220) and ServiceMonitors that select no Service (KL221). Both keep
the "outside the input" convention of the reference rules: a namespace with no object of the
other kind in the input is assumed to get it from elsewhere (option `report-when-absent`)."""

from __future__ import annotations

from itertools import islice
from typing import Any, Dict, Iterator, List, Sequence, Set, Tuple

from .. import graph as graphmod
from ..model import Pointer, Violation
from .k8s import get
from .references import _describe_selector, _values

# Policy kinds of CNI plugins that isolate pods too; their selectors are not evaluated, so a
# namespace (or, cluster-wide kinds, the whole input) that has one is not reported.
OTHER_POLICIES = (("cilium.io", "CiliumNetworkPolicy"), ("crd.projectcalico.org", "NetworkPolicy"),
                  ("projectcalico.org", "NetworkPolicy"))
OTHER_CLUSTER_POLICIES = (("cilium.io", "CiliumClusterwideNetworkPolicy"),
                          ("crd.projectcalico.org", "GlobalNetworkPolicy"),
                          ("projectcalico.org", "GlobalNetworkPolicy"))


def _key(obj: Any) -> Tuple[Any, ...]:
    return (obj.path, obj.doc, obj.item)


class _Isolation:
    """Which pod sources some NetworkPolicy selects: each policy's selector is answered by
    the label index once (linear in policies plus the pods they select)."""

    def __init__(self, g: graphmod.Graph) -> None:
        self.whole_ns: Set[str] = set()  # a policy with an empty podSelector: every pod
        self.selected: Set[Tuple[Any, ...]] = set()
        for pol in g.objects_of("networking.k8s.io", "NetworkPolicy"):
            sel = get(pol.data, ("spec", "podSelector"))
            if not isinstance(sel, dict) or not (sel.get("matchLabels") or sel.get("matchExpressions")):
                self.whole_ns.add(pol.namespace)  # {} (or unreadable: no false finding)
                continue
            for p in g.select(pol.namespace, sel):
                self.selected.add(_key(p.obj))
        self.cluster_wide = any(g.objects_of(gr, k) for gr, k in OTHER_CLUSTER_POLICIES)
        self.other: Dict[Any, bool] = {}  # namespace -> it has a policy of another CNI plugin


def _template_metadata(obj: Any, source: Any) -> Pointer:
    """The pod template's metadata (the finding's position), or the nearest thing present."""
    base = graphmod.TEMPLATE_PATHS.get(obj.kind)
    if base is None:  # custom resource: where its pod labels are written
        base = source.pointer[:-2] if source.pointer[-2:] == ("metadata", "labels") else ()
    for ptr in (base + ("metadata",), base, ("metadata",)):
        if ptr and isinstance(get(obj.data, ptr), dict):
            return ptr
    return ("kind",)


def non_isolated_pod(obj: Any, ctx: Any) -> Sequence[Violation]:
    """KL220: the pods of a Pod / workload / operator resource that no NetworkPolicy of
    their namespace selects."""
    g = graphmod.of(ctx)
    memo = ctx.cache.get("isolation")
    if memo is None or memo[0] is not g:
        sources = {_key(p.obj): p for p in g.pods}
        memo = ctx.cache["isolation"] = (g, _Isolation(g), sources)
    iso, sources = memo[1], memo[2]
    key = _key(obj)
    source = sources.get(key)
    if source is None or source.spec is not None and source.spec.get("hostNetwork") is True:
        return ()  # not a pod source; host-network pods are outside NetworkPolicy's reach
    if not source.labels and obj.kind in graphmod.TEMPLATE_PATHS and obj.kind != "Pod":
        return ()  # a template without labels: a patch or fragment (a real one needs them)
    ns = obj.namespace
    if ns in iso.whole_ns or key in iso.selected or iso.cluster_wide:
        return ()
    other = iso.other.get(ns)
    if other is None:  # (once per namespace, not per pod)
        other = iso.other[ns] = any(g.of_kind(gr, k, ns) for gr, k in OTHER_POLICIES)
    if other:
        return ()
    policies = g.of_kind("networking.k8s.io", "NetworkPolicy", ns)
    if not ctx.options.get("report-when-absent", False) and (
            not policies or not g.kind_in_unit("networking.k8s.io", "NetworkPolicy", ns, obj)):
        # no policy of the namespace applied with these pods (their unit: graph.py): the
        # policies are managed elsewhere; another folder's are not these pods' (a kubebuilder
        # config/network-policy beside test/e2e workloads in the implicit default namespace)
        return ()
    ptr = _template_metadata(obj, source)
    pod = obj.kind == "Pod"
    subject = "this Pod is" if pod else f"the pods of this {obj.kind} are"
    they = "it accepts" if pod else "they accept"
    if not policies:
        if ctx.options.get("report-when-absent", False):
            return [Violation(f"{subject} selected by no NetworkPolicy: namespace `{ns}` has none "
                              f"in the input, so {they} traffic from anywhere", ptr, at="key",
                              hint="add a NetworkPolicy (a default-deny `podSelector: {}` and "
                                   "allow rules) to the namespace")]
        return ()
    names = ", ".join(f"`{p.name}`" for p in policies[:3]) + (", ..." if len(policies) > 3 else "")
    first = policies[0]
    return [Violation(f"{subject} selected by no NetworkPolicy of namespace `{ns}` (the input has "
                      f"{names}), so {they} traffic from anywhere", ptr, at="key",
                      related=((first, ("spec", "podSelector"), f"NetworkPolicy {first.name}"),),
                      hint="add its labels to a policy's podSelector, or add a default-deny policy "
                           "(`podSelector: {}`) to the namespace")]


def dangling_service_monitor(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL221: a ServiceMonitor whose selector / namespaceSelector matches no Service."""
    sel = get(obj.data, ("spec", "selector"))
    if not isinstance(sel, dict):
        return
    g = graphmod.of(ctx)
    index = g.labelled("", "Service")
    nss = get(obj.data, ("spec", "namespaceSelector"))
    nss = nss if isinstance(nss, dict) else {}
    names = nss.get("matchNames")
    if nss.get("any") is True:
        namespaces: List[str] = sorted(index.by_ns)
        where = "any namespace"
    elif isinstance(names, list) and names:
        namespaces = [n for n in names if isinstance(n, str)]
        where = "namespace " + ", ".join(f"`{n}`" for n in namespaces)
    else:
        namespaces = [obj.namespace]
        where = f"namespace `{obj.namespace}`"
    # the first few Services of those namespaces, for the message (not all: many monitors over
    # many Services stay linear)
    present = list(islice((s for ns in namespaces for s in index.by_ns.get(ns, ())), 4))
    # `any: true` may reach namespaces the input does not have, and so may a listed namespace
    # without a Service in the input: the Services are assumed to be deployed separately
    outside = nss.get("any") is True or any(ns not in index.by_ns for ns in namespaces)
    if outside and not ctx.options.get("report-when-absent", False):
        return
    if not present:
        yield Violation(f"spec.selector {_describe_selector(sel)} matches no Service: {where} "
                        "has none in the input", ("spec", "selector"), at="key")
        return
    if any(index.select(ns, sel) for ns in namespaces) or not g.complete(obj, _values(sel)):
        return
    if not any(g.kind_in_unit("", "Service", ns, obj) for ns in namespaces) \
            and not ctx.options.get("report-when-absent", False):
        return  # the Services are in other units (folders of alternatives): see graph.py
    if any(g.operated(ns) for ns in namespaces):
        # Services an operator makes for a custom resource there, by the resource's name
        # (rook-ceph-exporter) or not (rook's csi-metrics): what a ServiceMonitor most often
        # selects in such a namespace, with labels the input does not show
        return
    shown = ", ".join(f"Service {s.name} ({_labels(index.labels(s))})" for s in present[:3])
    shown += ", ..." if len(present) > 3 else ""
    first = present[0]
    yield Violation(f"spec.selector {_describe_selector(sel)} matches no Service in {where} of "
                    f"the input (it has {shown}): Prometheus scrapes nothing for it",
                    ("spec", "selector"), at="key",
                    related=((first, ("metadata", "labels") if index.labels(first) else ("metadata", "name"),
                              f"labels of Service {first.name}"),),
                    hint="select on the Service's own metadata.labels (not the pod labels of its "
                         "spec.selector), and check spec.namespaceSelector")


def _labels(labels: Dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in labels.items()) or "no labels"
