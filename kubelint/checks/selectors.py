"""Selectors that select nothing: Services without pods, workloads whose selector does not
match their own template."""

from __future__ import annotations

from typing import Any, Iterator, List

from .. import graph
from ..model import Fix, Violation
from ..identify import close
from ..model import pointer_to_k8s
from .k8s import get, invalid, known_valid_labels, label_map, label_value, qualified_name, walk
from .labels import format_map, selector_mismatches

# pods every cluster of kubeadm's lineage (kind, kubespray...) runs in kube-system, which no
# input deploys: its DNS (CoreDNS or kube-dns), kube-proxy, and the control plane's static
# pods (kube-prometheus' Services for scraping kube-controller-manager and kube-scheduler)
_CLUSTER_PODS = ({"k8s-app": "kube-dns"}, {"k8s-app": "kube-proxy"},
                 *({"component": c, "tier": "control-plane"} for c in
                   ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd")))


def service_selects_nothing(obj: Any, ctx: Any) -> List[Violation]:
    """KL201: a Service whose selector matches no Pod or pod template in its namespace.
    Pods come from the run's graph: Pods, workload templates and the custom resources of
    its pod-label table; labels that controllers add to pods (pod-template-hash,
    statefulset.kubernetes.io/pod-name...) match any value."""
    out: List[Violation] = []
    spec = obj.data.get("spec")
    if not isinstance(spec, dict) or spec.get("type") == "ExternalName":
        return out
    selector = spec.get("selector")
    if not isinstance(selector, dict) or not selector:
        return out  # no selector: endpoints are managed by hand
    if obj.namespace == "kube-system" and any(selector.items() <= pods.items() for pods in _CLUSTER_PODS):
        return out  # the cluster's own pods (NodeLocal DNSCache's kube-dns-upstream selects its DNS)
    g = graph.of(ctx)
    if g.select_map(obj.namespace, selector) or not g.complete(obj, selector.values()):
        return out  # (incomplete: a document beside it could not be read, and may hold the pods)
    if not g.has_pods(obj.namespace, obj) and not ctx.options.get("report-when-no-pods", False):
        return out  # nothing in the input (in its unit: graph.py) could match: the pods live elsewhere
    found = g.closest(obj.namespace, selector, obj)
    if g.operator_may_run(obj, selector, found):
        return out
    wanted = format_map(selector)
    message = (f"Service selector {wanted} matches no Pod or pod template in namespace "
               f"`{obj.namespace}` of the input")
    related = ()
    if found is not None:
        best, misses = found
        where = "template labels" if best.obj.kind != "Pod" else "labels"
        message += f"; closest: {best.describe} ({where}: {format_map(best.labels)}; {', '.join(misses)})"
        related = ((best.obj, best.pointer, f"closest candidate: {best.describe}"),)
    out.append(Violation(message, ("spec", "selector"), at="key", related=related,
                         hint="make the selector and the pod labels agree"))
    return out


def selector_matches_template(obj: Any, ctx: Any) -> List[Violation]:
    """KL102: spec.selector of a workload must select its own pod template."""
    out: List[Violation] = []
    spec = obj.data.get("spec")
    if not isinstance(spec, dict):
        return out
    if obj.kind == "Job" and not spec.get("manualSelector"):
        return out  # the API server generates the Job's selector
    selector = spec.get("selector")
    if selector is None:
        return out  # a missing required field is the schema's finding
    labels = get(obj.data, ("spec", "template", "metadata", "labels"))
    labels = labels if isinstance(labels, dict) else {}
    labels_ptr = ("spec", "template", "metadata", "labels") if labels else ("spec", "template")
    if not isinstance(selector, dict):
        return out
    if not (selector.get("matchLabels") or selector.get("matchExpressions")):
        fix = None
        if labels and all(isinstance(v, str) for v in labels.values()) and \
                not set(selector) - {"matchLabels", "matchExpressions"}:
            fix = Fix("select the template's labels",
                      (("add", ("spec", "selector"), {"matchLabels": dict(labels)}),)) \
                if "matchLabels" not in selector else \
                Fix("select the template's labels", (("set", ("spec", "selector", "matchLabels"),
                                                       dict(labels)),))
        out.append(Violation(f"{obj.kind} selector is empty: it would select every pod, and the API "
                             "server rejects it (`empty selector is invalid`)", ("spec", "selector"),
                             at="key", hint="set spec.selector.matchLabels to the template's labels",
                             fix=fix))
        return out
    misses = list(selector_mismatches(selector, labels))
    if misses:
        reasons = "; ".join(reason for _, reason in misses)
        out.append(Violation(
                 f"spec.selector does not match spec.template.metadata.labels ({reasons}): the API "
                 "server rejects it (`selector does not match template labels`)",
                 ("spec", "selector"), at="key",
                 related=((None, labels_ptr, "the template labels"),),
                 hint=f"template labels are: {format_map(labels)}", fix=_label_fix(selector, labels)))
    return out


def _label_fix(selector: dict, labels: dict) -> Any:
    """Add the selector's labels the template lacks, when that is all that is wrong: only
    matchLabels, and no template label with another value (which one is right is not ours to
    decide). The selector is immutable on a live workload; the template is not."""
    wanted = selector.get("matchLabels")
    if set(selector) - {"matchLabels"} or not isinstance(wanted, dict) or not wanted:
        return None
    missing = {}
    for k, v in wanted.items():
        if not isinstance(k, str) or not isinstance(v, str):
            return None
        if k in labels:
            if labels[k] != v:
                return None
        else:
            missing[k] = v
    if not missing:
        return None
    return Fix("add the selector's labels to the template",
               (("add", ("spec", "template", "metadata", "labels"), missing),))


# Where LabelSelectors live, per kind ("*" = every list item).
_SELECTOR_PATHS = {
    "Deployment": [("spec", "selector")], "ReplicaSet": [("spec", "selector")],
    "StatefulSet": [("spec", "selector")], "DaemonSet": [("spec", "selector")],
    "Job": [("spec", "selector")], "PodDisruptionBudget": [("spec", "selector")],
    "NetworkPolicy": [("spec", "podSelector"),
                      ("spec", "ingress", "*", "from", "*", "podSelector"),
                      ("spec", "ingress", "*", "from", "*", "namespaceSelector"),
                      ("spec", "egress", "*", "to", "*", "podSelector"),
                      ("spec", "egress", "*", "to", "*", "namespaceSelector")],
}
_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def label_selector_syntax(obj: Any, ctx: Any) -> List[Violation]:
    """KL107: LabelSelector operators, values and label syntax (ValidateLabelSelector)."""
    out: List[Violation] = []
    for pattern in _SELECTOR_PATHS.get(obj.kind, ()):
        for base, selector in walk(obj.data, pattern):
            if not isinstance(selector, dict):
                continue
            labels = selector.get("matchLabels")
            exprs = selector.get("matchExpressions")
            if not isinstance(exprs, list) and (labels is None or known_valid_labels(labels)):
                continue  # (the usual selector: its path made text only for a finding)
            where = pointer_to_k8s(base)
            out.extend(label_map(labels, base + ("matchLabels",), f"{where}.matchLabels"))
            if not isinstance(exprs, list):
                continue
            for i, expr in enumerate(exprs):
                if not isinstance(expr, dict):
                    continue
                at = base + ("matchExpressions", i)
                here = f"{where}.matchExpressions[{i}]"
                op, values = expr.get("operator"), expr.get("values")
                if op not in _OPERATORS:
                    guess = close(str(op), _OPERATORS)
                    out.append(Violation(f"{here}.operator: Invalid value: \"{op}\": not a valid selector "
                                         f"operator" + (f"; did you mean \"{guess}\"?" if guess else
                                                        f" (use {', '.join(_OPERATORS)})"), at + ("operator",)))
                elif op in ("In", "NotIn") and not values:
                    out.append(Violation(f"{here}.values: Required value: must be specified when `operator` "
                                         "is 'In' or 'NotIn'", at, at="key"))
                elif op in ("Exists", "DoesNotExist") and values:
                    out.append(Violation(f"{here}.values: Forbidden: may not be specified when `operator` "
                                         "is 'Exists' or 'DoesNotExist'", at + ("values",), at="key"))
                key = expr.get("key")
                if isinstance(key, str) and qualified_name(key):
                    out.append(Violation(invalid(f"{here}.key", key, qualified_name(key)), at + ("key",)))
                for j, v in enumerate(values if isinstance(values, list) else []):
                    if isinstance(v, str) and label_value(v):
                        out.append(Violation(invalid(f"{here}.values[{j}]", v, label_value(v)), at + ("values", j)))
    return out
