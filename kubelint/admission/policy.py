"""ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding evaluated offline, as the API
server's admission plugin would evaluate them on a CREATE of each object of the input.

For every binding whose policy is known (input or --policy), each object of the input is
matched against the policy's matchConstraints and the binding's matchResources (resource
rules with operation CREATE, namespace selector against the input's Namespaces, object
selector), then the policy's matchConditions; its params come from the input (paramRef by
name or selector); its variables and validations are evaluated with the CEL of cel.py.
Binding validationActions Deny -> KL501 (error), Warn and Audit -> KL502 (warning); a
binding that cannot be evaluated (policy or params not in the input) -> KL504 (info); a
policy whose expressions do not compile -> KL503 on the policy.

Not evaluated: `authorizer` (no cluster to ask: expressions using it are skipped with an
info), `oldObject` is null (a create), auditAnnotations. Of what the API server does before
validating admission, only the DefaultTolerationSeconds plugin's tolerations on Pods are
applied (_admitted): other defaults and mutations are not.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple

from ..model import Violation

GROUP = "admissionregistration.k8s.io"
POLICY = "ValidatingAdmissionPolicy"
BINDING = "ValidatingAdmissionPolicyBinding"
KINDS = (POLICY, BINDING)
# CEL variables of admission policies (k8s.io/apiserver/pkg/admission/plugin/cel)
VARIABLES = ("object", "oldObject", "request", "params", "namespaceObject", "variables",
             "authorizer")
NAMESPACE_LABEL = "kubernetes.io/metadata.name"
AT = ("kind",)  # a denied object is reported at its kind


class Outcome(NamedTuple):
    """A finding to report: the rule code, the object it is on, and what."""

    code: str
    target: Any  # engine.K8sObject
    violation: Violation


def is_policy_object(obj: Any) -> bool:
    return obj.kind in KINDS and obj.api_version.startswith(GROUP + "/")


def _spec(obj: Any) -> Dict[str, Any]:
    spec = obj.data.get("spec")
    return spec if isinstance(spec, dict) else {}


def _labels(data: Any) -> Dict[str, Any]:
    meta = data.get("metadata") if isinstance(data, dict) else None
    labels = meta.get("labels") if isinstance(meta, dict) else None
    return labels if isinstance(labels, dict) else {}


def _name(obj: Any) -> str:
    return obj.name or "<unnamed>"


def selects(selector: Any, labels: Dict[str, Any]) -> bool:
    """A LabelSelector: absent or empty selects everything."""
    if not isinstance(selector, dict):
        return True
    from ..checks.labels import selector_mismatches

    return next(iter(selector_mismatches(selector, labels)), None) is None


# --- resources: what a rule's `resources: [deployments]` means --------------------------------

_IRREGULAR = {"Endpoints": "endpoints", "PodMetrics": "pods", "NodeMetrics": "nodes"}


def plural(kind: str) -> str:
    """The resource name of a built-in kind (Ingress -> ingresses, NetworkPolicy ->
    networkpolicies)."""
    if kind in _IRREGULAR:
        return _IRREGULAR[kind]
    low = kind.lower()
    if low.endswith(("s", "x", "ch", "sh")):
        return low + "es"
    if low.endswith("y") and low[-2:-1] not in "aeiou":
        return low[:-1] + "ies"
    return low + "s"


class Resources:
    """Resource name and scope of the kinds in the run: built-in from the kind, custom from
    the CRDs of the input (spec.names.plural, spec.scope)."""

    def __init__(self, objects: Sequence[Any]) -> None:
        self.custom: Dict[Tuple[str, str], Tuple[str, bool]] = {}
        for o in objects:
            if o.kind == "CustomResourceDefinition":
                spec = _spec(o)
                names = spec.get("names") if isinstance(spec.get("names"), dict) else {}
                if isinstance(spec.get("group"), str) and isinstance(names.get("kind"), str):
                    self.custom[(spec["group"], names["kind"])] = (
                        str(names.get("plural") or plural(names["kind"])),
                        spec.get("scope", "Namespaced") != "Cluster")

    def of(self, obj: Any) -> Tuple[str, bool]:
        """(resource, namespaced)."""
        if not obj.builtin:
            found = self.custom.get((obj.group, obj.kind))
            if found is not None:
                return found
        from ..checks.metadata import CLUSTER_SCOPED

        return plural(obj.kind), obj.kind not in CLUSTER_SCOPED


def _listed(values: Any, value: str) -> bool:
    return isinstance(values, list) and ("*" in values or value in values)


def _rule_matches(rule: Any, obj: Any, resource: str, namespaced: bool, exact: bool) -> bool:
    if not isinstance(rule, dict):
        return False
    version = obj.api_version.rpartition("/")[2]
    resources = rule.get("resources")
    if not (isinstance(resources, list) and any(r in ("*", "*/*", resource) for r in resources)):
        return False
    if not _listed(rule.get("operations"), "CREATE") or not _listed(rule.get("apiGroups"), obj.group):
        return False
    if exact and not _listed(rule.get("apiVersions"), version):
        return False
    scope = rule.get("scope", "*")
    if scope == "Cluster" and namespaced or scope == "Namespaced" and not namespaced:
        return False
    names = rule.get("resourceNames")
    return not names or (isinstance(names, list) and obj.name in names)


def matches(resources: Any, obj: Any, where: Tuple[str, bool], ns_labels: Dict[str, Any]) -> bool:
    """matchConstraints / matchResources against `obj` (a CREATE)."""
    if not isinstance(resources, dict):
        return False
    resource, namespaced = where
    exact = resources.get("matchPolicy") == "Exact"
    rules = resources.get("resourceRules")
    if not isinstance(rules, list) or not any(_rule_matches(r, obj, resource, namespaced, exact) for r in rules):
        return False
    excluded = resources.get("excludeResourceRules")
    if isinstance(excluded, list) and any(_rule_matches(r, obj, resource, namespaced, exact) for r in excluded):
        return False
    if obj.kind == "Namespace" and obj.builtin:
        ns_labels = _labels(obj.data)
    if (namespaced or obj.kind == "Namespace") and not selects(resources.get("namespaceSelector"), ns_labels):
        return False
    return selects(resources.get("objectSelector"), _labels(obj.data))


# --- evaluation --------------------------------------------------------------------------------

def _compile(source: Any) -> Any:
    from .. import cel

    return cel.compile(source, VARIABLES)


def policy_problems(policy: Any) -> Iterator[Violation]:
    """KL503: expressions of a policy that do not compile (the API server reports them in the
    policy's status and the policy then denies everything it matches, or ignores it with
    failurePolicy: Ignore)."""
    from .. import cel
    from ..validate import show

    spec = _spec(policy)
    for section, fields in (("matchConditions", ("expression",)), ("variables", ("expression",)),
                            ("validations", ("expression", "messageExpression")),
                            ("auditAnnotations", ("valueExpression",))):
        items = spec.get(section)
        for i, item in enumerate(items if isinstance(items, list) else []):
            for field in fields:
                source = item.get(field) if isinstance(item, dict) else None
                if not isinstance(source, str):
                    continue
                try:
                    _compile(source)
                except cel.CelError as e:
                    yield Violation(f"spec.{section}[{i}].{field}: compilation failed: {show(source)}: {e}",
                                    ("spec", section, i, field))


def evaluate(objects: Sequence[Any], extra: Sequence[Any] = (),
             unit: Optional[Callable[[Any], str]] = None) -> Iterator[Outcome]:
    """Every outcome of the bindings among `objects` and `extra` (from --policy) on `objects`.

    `unit`: an object's unit (graph.py: what is applied together), None when the input is
    one. A repository keeps test cases side by side, each a folder with a policy, its binding
    and the objects it is tried on (kyverno's CLI and conformance tests): there a binding
    binds the policy of its own unit and applies to the objects of its unit. A binding whose
    unit holds nothing its policy matches is a cluster's policy kept apart from the
    applications (a `policies/` folder) and applies to every object of the input, unless
    other units hold bindings of its name (alternatives side by side: test cases whose
    objects are made by a script)."""
    from .. import cel

    if not cel.available():
        return
    everything = list(objects) + list(extra)
    named: Dict[str, List[Any]] = {}
    for o in everything:
        if is_policy_object(o) and o.kind == POLICY:
            named.setdefault(o.name, []).append(o)
    for policy in objects:  # every one of the input, also one whose name another reuses
        if is_policy_object(policy) and policy.kind == POLICY:
            for v in policy_problems(policy):
                yield Outcome("KL503", policy, v)
    bindings = [o for o in everything if is_policy_object(o) and o.kind == BINDING]
    if not bindings:
        return
    given = {id(o) for o in extra}
    homes: Dict[str, set] = {}  # binding name -> the units holding one of that name
    if unit is not None:
        for b in bindings:
            if id(b) not in given:
                homes.setdefault(_name(b), set()).add(unit(b))
    namespaces = {o.name: o for o in objects if o.kind == "Namespace" and o.builtin}
    resources = Resources(everything)
    targets = [o for o in objects if not is_policy_object(o)]
    for binding in bindings:
        spec = _spec(binding)
        wanted = spec.get("policyName")
        if not isinstance(wanted, str):
            continue  # the schema's finding (KL010): nothing to evaluate
        candidates = named.get(wanted) or []
        if not candidates:
            if any(o is binding for o in objects):
                yield Outcome("KL504", binding, Violation(
                    f"ValidatingAdmissionPolicy '{spec.get('policyName')}' is not in the input: "
                    "the binding was not evaluated", ("spec", "policyName"),
                    hint="lint the policy with its binding, or give it with --policy"))
            continue
        if unit is None or id(binding) in given:
            yield from _evaluate_binding(candidates[-1], binding, targets, objects, namespaces,
                                         resources, cel)
            continue
        home = unit(binding)
        policy = _bound(candidates, home, unit, given)
        if policy is None:
            continue  # several of that name in other units: which one it binds cannot be told
        matched: List[bool] = []
        yield from _evaluate_binding(policy, binding, [t for t in targets if unit(t) == home],
                                     objects, namespaces, resources, cel, matched)
        if not matched and homes[_name(binding)] == {home}:
            yield from _evaluate_binding(policy, binding, [t for t in targets if unit(t) != home],
                                         objects, namespaces, resources, cel)


def _bound(candidates: List[Any], home: str, unit: Callable[[Any], str], given: set) -> Optional[Any]:
    """The policy a binding of unit `home` binds among those of its name: the last one of its
    unit (applied last), else one given with --policy, else the only one; None when several
    other units hold one."""
    mine = [p for p in candidates if id(p) not in given and unit(p) == home]
    if mine:
        return mine[-1]
    outside = [p for p in candidates if id(p) in given]
    if outside:
        return outside[-1]
    return candidates[0] if len(candidates) == 1 else None


def _evaluate_binding(policy: Any, binding: Any, targets: Sequence[Any], objects: Sequence[Any],
                      namespaces: Dict[str, Any], resources: Resources, cel: Any,
                      matched: Optional[List[bool]] = None) -> Iterator[Outcome]:
    """`matched` gets an item when the policy's matchConstraints select some target (the
    objects a test case tries the policy on: its binding may exclude them all)."""
    pspec, bspec = _spec(policy), _spec(binding)
    actions = bspec.get("validationActions") if isinstance(bspec.get("validationActions"), list) else []
    code = "KL501" if "Deny" in actions else "KL502" if ("Warn" in actions or "Audit" in actions) else None
    if code is None:
        return
    fail_closed = pspec.get("failurePolicy", "Fail") != "Ignore"
    try:
        conditions = [(c.get("name", str(i)), _compile(c["expression"]))
                      for i, c in enumerate(pspec.get("matchConditions") or []) if isinstance(c, dict)]
        variables = [(v["name"], _compile(v["expression"])) for v in pspec.get("variables") or []
                     if isinstance(v, dict) and isinstance(v.get("name"), str)]
        validations = [(i, v, _compile(v["expression"])) for i, v in enumerate(pspec.get("validations") or [])
                       if isinstance(v, dict)]
    except (cel.CelError, KeyError, TypeError):
        return  # KL503 on the policy says why
    uses_authorizer = any("authorizer" in cel.names_in(p.source)
                          for p in [c for _, c in conditions] + [p for _, _, p in validations])
    params_kind = pspec.get("paramKind") if isinstance(pspec.get("paramKind"), dict) else None
    prefix = (f"ValidatingAdmissionPolicy '{_name(policy)}' with binding '{_name(binding)}' denied request: "
              if code == "KL501" else
              f"Validation failed for ValidatingAdmissionPolicy '{_name(policy)}' with binding "
              f"'{_name(binding)}': ")
    bound = _Bound(policy, binding, pspec, bspec, code, prefix, conditions, variables,
                   validations, fail_closed, uses_authorizer, params_kind)
    state = {"unresolved": False, "stop": False}
    for obj in targets:
        try:
            # (each target on its own: a field of another type than the API's, in the
            # policy, the binding or the object, is the schema's finding, KL010)
            outcomes = list(_on_target(bound, obj, objects, namespaces, resources, cel, matched,
                                       state))
        except (TypeError, AttributeError, ValueError, KeyError):
            continue
        yield from outcomes
        if state["stop"]:
            return


class _Bound(NamedTuple):
    """A policy with one of its bindings, compiled."""

    policy: Any
    binding: Any
    pspec: Dict[str, Any]
    bspec: Dict[str, Any]
    code: str
    prefix: str
    conditions: List[Any]
    variables: List[Any]
    validations: List[Any]
    fail_closed: bool
    uses_authorizer: bool
    params_kind: Optional[Dict[str, Any]]


def _on_target(bound: _Bound, obj: Any, objects: Sequence[Any], namespaces: Dict[str, Any],
               resources: Resources, cel: Any, matched: Optional[List[bool]],
               state: Dict[str, bool]) -> Iterator[Outcome]:
    """The outcomes of one binding on one target; state["stop"]: the binding cannot be
    evaluated offline at all (said once, as KL504)."""
    policy, binding, pspec, bspec, code, prefix = bound[:6]
    params_kind = bound.params_kind
    where = resources.of(obj)
    ns_obj = namespaces.get(obj.namespace) if where[1] else None
    ns_labels = _labels(ns_obj.data) if ns_obj is not None else {NAMESPACE_LABEL: obj.namespace}
    if not matches(pspec.get("matchConstraints"), obj, where, ns_labels):
        return
    if matched is not None and not matched:
        matched.append(True)
    if "matchResources" in bspec and bspec["matchResources"] and \
            not matches(dict(bspec["matchResources"], resourceRules=bspec["matchResources"].get(
                "resourceRules") or [{"apiGroups": ["*"], "apiVersions": ["*"], "resources": ["*"],
                                      "operations": ["*"]}]), obj, where, ns_labels):
        return
    if bound.uses_authorizer:
        if not state["unresolved"]:
            state["unresolved"] = True
            yield Outcome("KL504", binding, Violation(
                f"policy '{_name(policy)}' uses `authorizer`, which needs a cluster: not evaluated",
                ("spec", "policyName")))
        state["stop"] = True
        return
    params_list: List[Any] = [None]
    if params_kind is not None:
        found = _params(params_kind, bspec.get("paramRef"), obj, objects, where[1])
        if found is None:
            if not state["unresolved"]:
                state["unresolved"] = True
                yield Outcome("KL504", binding, Violation(
                    f"no {params_kind.get('kind')} params of the binding are in the input: "
                    "the binding was not evaluated", ("spec", "paramRef"), at="key",
                    hint="lint the params objects with the policy"))
            state["stop"] = True
            return
        if not found:
            ref = bspec.get("paramRef") if isinstance(bspec.get("paramRef"), dict) else {}
            if ref.get("parameterNotFoundAction", "Deny") == "Deny":
                yield Outcome(code, obj, Violation(
                    prefix + "no params found for policy binding with `Deny` parameterNotFoundAction",
                    AT, related=((binding, ("spec", "paramRef"), "the binding's paramRef"),)))
            return
        params_list = found
    for params in params_list:
        yield from _run(policy, binding, obj, params, ns_obj, bound.conditions, bound.variables,
                        bound.validations, bound.fail_closed, code, prefix, cel)


def _params(kind: Dict[str, Any], ref: Any, obj: Any, objects: Sequence[Any], namespaced: bool
            ) -> Optional[List[Any]]:
    """The params objects for `obj`; None when the input has no object of the param kind at
    all (the params live in the cluster: nothing can be said)."""
    candidates = [o for o in objects if o.kind == kind.get("kind") and o.api_version == kind.get("apiVersion")]
    if not candidates:
        return None
    if not isinstance(ref, dict):
        return []
    ns = ref.get("namespace")
    if not isinstance(ns, str) or not ns:
        ns = obj.namespace if namespaced else None
    if ns is not None:
        candidates = [o for o in candidates if o.namespace == ns or "namespace" not in (o.data.get("metadata") or {})]
    if isinstance(ref.get("name"), str):
        return [o.data for o in candidates if o.name == ref["name"]]
    if isinstance(ref.get("selector"), dict):
        return [o.data for o in candidates if selects(ref["selector"], _labels(o.data))]
    return []


def _request(obj: Any, namespaced: bool) -> Dict[str, Any]:
    version = obj.api_version.rpartition("/")[2]
    return {"operation": "CREATE", "kind": {"group": obj.group, "version": version, "kind": obj.kind},
            "resource": {"group": obj.group, "version": version, "resource": plural(obj.kind)},
            "name": obj.name, "namespace": obj.namespace if namespaced else "",
            "userInfo": {"username": "kubelint", "groups": ["system:authenticated"]}, "dryRun": False}


def _run(policy: Any, binding: Any, obj: Any, params: Any, ns_obj: Any, conditions: List[Any],
         variables: List[Any], validations: List[Any], fail_closed: bool, code: str, prefix: str,
         cel: Any) -> Iterator[Outcome]:
    activation: Dict[str, Any] = {
        "object": _admitted(obj), "oldObject": None, "params": params,
        "request": _request(obj, ns_obj is not None),
        "namespaceObject": ns_obj.data if ns_obj is not None else None, "variables": {}}
    for name, program in conditions:
        try:
            if program.run(activation) is not True:
                return  # a match condition is false: the policy does not apply
        except cel.EvalError as e:
            if fail_closed:
                yield Outcome(code, obj, Violation(prefix + f"matchCondition '{name}' failed to evaluate: {e}", AT))
            return
    values: Dict[str, Any] = {}
    for name, program in variables:
        activation["variables"] = values
        try:
            values[name] = program.run(activation)
        except cel.EvalError:
            pass  # an expression that uses it fails with "no such key"
    activation["variables"] = values
    for i, check, program in validations:
        related = ((policy, ("spec", "validations", i, "expression"), "the failed validation"),)
        try:
            ok = program.run(activation)
        except cel.EvalError as e:
            if fail_closed:
                yield Outcome(code, obj, Violation(
                    prefix + f"expression '{check['expression']}' resulted in error: {e}", AT, related=related))
            continue
        if ok is True:
            continue
        yield Outcome(code, obj, Violation(prefix + _message(check, activation, cel), AT, related=related))


# The DefaultTolerationSeconds admission plugin (on by default) runs before validating
# admission and gives every Pod created without them these two tolerations (a policy reading
# `object.spec.tolerations` of a Pod that sets none sees them, not "no such key").
_DEFAULT_TOLERATIONS = ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")


def _admitted(obj: Any) -> Any:
    """The object as validating admission sees it: a Pod with the default tolerations."""
    data = obj.data
    if obj.kind != "Pod" or obj.group or not isinstance(data, dict) or \
            not isinstance(data.get("spec"), dict):
        return data
    spec = data["spec"]
    tolerations = spec.get("tolerations") if isinstance(spec.get("tolerations"), list) else []
    added = []
    for key in _DEFAULT_TOLERATIONS:
        if not any(isinstance(t, dict) and t.get("key", "") in (key, "") and
                   t.get("effect", "") in ("NoExecute", "") for t in tolerations):
            added.append({"key": key, "operator": "Exists", "effect": "NoExecute",
                          "tolerationSeconds": 300})
    if not added:
        return data
    return dict(data, spec=dict(spec, tolerations=list(tolerations) + added))


def _message(check: Dict[str, Any], activation: Dict[str, Any], cel: Any) -> str:
    expr = check.get("messageExpression")
    if isinstance(expr, str):
        try:
            text = _compile(expr).run(activation)
            if isinstance(text, str) and text.strip():
                return text
        except (cel.CelError, cel.EvalError):
            pass
    message = check.get("message")
    if isinstance(message, str) and message:
        return message
    return f"failed expression: {check.get('expression')}"
