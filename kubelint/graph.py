"""The reference graph of a run: every object indexed once by (group, kind, namespace, name),
every source of pods (Pods, workload templates, well-known custom resources) with the labels
its pods will carry, and a label -> pods index so that a selector is matched against the few
pods that share one of its labels instead of every pod of the namespace. Building it is
linear in the number of objects; the checks in kubelint/checks/references.py query it.

"Outside the input" convention: when the input holds no object at all of the referenced kind
in that namespace, a reference is assumed to point at something deployed separately and is
not reported (each rule's option `report-when-absent` reports it anyway).

Units: what is applied together. Files named on the command line are one unit, as with
`kubectl apply -f a.yaml -f b.yaml`; each rendering (kustomize root, Helm chart) is a unit; a
walked file belongs to its folder's unit, as `kubectl apply -f DIR` applies one folder.
Repositories keep alternatives side by side (install bundles, example variants, overlays), so
a claim that rests on the absence or the conflict of objects needs them in the same unit:
two controllers fighting over pods, or a name missing while the unit has other objects of
that kind. A reference still resolves across units when the referrer's unit has none of the
kind (a repository split by kind). With units, a finding can disappear, never appear.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from .discover import EACH_DOCUMENT
from .model import Pointer
from .namedtuple import NamedTuple

# Kinds without a namespace: their references ignore the referrer's namespace.
CLUSTER_SCOPED = frozenset({
    "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding",
    "CustomResourceDefinition", "StorageClass", "PriorityClass", "IngressClass", "RuntimeClass",
    "CSIDriver", "CSINode", "VolumeAttachment", "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding", "APIService", "CertificateSigningRequest",
    "FlowSchema", "PriorityLevelConfiguration", "ClusterTrustBundle", "IPAddress",
    "ServiceCIDR", "DeviceClass", "VolumeAttributesClass", "StorageVersionMigration",
    "PodSecurityPolicy",
})

# Where built-in kinds keep the template of the pods they create (labels beside the spec).
TEMPLATE_PATHS: Dict[str, Pointer] = {
    "Pod": (),
    "Deployment": ("spec", "template"), "ReplicaSet": ("spec", "template"),
    "StatefulSet": ("spec", "template"), "DaemonSet": ("spec", "template"),
    "Job": ("spec", "template"), "ReplicationController": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}

_JOB_LABELS = ("batch.kubernetes.io/job-name", "job-name", "controller-uid",
               "batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-completion-index")
# Labels a controller adds to the pods it creates (any value): a selector may use them
# although no manifest writes them.
CONTROLLER_LABELS: Dict[str, Tuple[str, ...]] = {
    "Deployment": ("pod-template-hash",),
    "StatefulSet": ("statefulset.kubernetes.io/pod-name", "controller-revision-hash",
                    "apps.kubernetes.io/pod-index"),
    "DaemonSet": ("controller-revision-hash", "pod-template-generation"),
    "Job": _JOB_LABELS,
    "CronJob": _JOB_LABELS,
}

# kind -> (pointer to the template labels, to its metadata, to its pod spec, the labels its
# controller adds): one of each per kind, not per object
_TEMPLATES: Dict[str, Tuple[Pointer, Pointer, Pointer, frozenset, Pointer]] = {
    kind: (base + ("metadata", "labels"), base + ("metadata",), base + ("spec",),
           frozenset(CONTROLLER_LABELS.get(kind, ())), base)
    for kind, base in TEMPLATE_PATHS.items()}

_STS = ("statefulset.kubernetes.io/pod-name", "controller-revision-hash", "apps.kubernetes.io/pod-index")
_PROM_OPERATOR = {"app.kubernetes.io/managed-by": "prometheus-operator",
                  "app.kubernetes.io/instance": "{name}", "app.kubernetes.io/version": "*",
                  **{k: "*" for k in _STS}}
# Custom resources whose operators create pods: "group/Kind" -> where the pods' labels are
# written (`labels`) and what the operator adds (`adds`: "{name}" is the resource's name, "*"
# any value). Users extend it with `pod-label-paths:` in .kubelint.yaml.
POD_LABEL_PATHS: Dict[str, Dict[str, Any]] = {
    "monitoring.coreos.com/Prometheus": {
        "labels": "spec.podMetadata.labels",
        "adds": {**_PROM_OPERATOR, "app.kubernetes.io/name": "prometheus", "prometheus": "{name}",
                 "operator.prometheus.io/name": "{name}", "operator.prometheus.io/shard": "*"}},
    "monitoring.coreos.com/PrometheusAgent": {
        "labels": "spec.podMetadata.labels",
        "adds": {**_PROM_OPERATOR, "app.kubernetes.io/name": "prometheus-agent",
                 "prometheus": "{name}", "operator.prometheus.io/name": "{name}",
                 "operator.prometheus.io/shard": "*"}},
    "monitoring.coreos.com/Alertmanager": {
        "labels": "spec.podMetadata.labels",
        "adds": {**_PROM_OPERATOR, "app.kubernetes.io/name": "alertmanager",
                 "alertmanager": "{name}"}},
    "monitoring.coreos.com/ThanosRuler": {
        "labels": "spec.podMetadata.labels",
        "adds": {**_PROM_OPERATOR, "app.kubernetes.io/name": "thanos-ruler",
                 "thanos-ruler": "{name}"}},
    # an Experiment step runs ReplicaSets of the Rollout's pods relabelled by its templates'
    # metadata (a preview stack behind its own Service)
    "argoproj.io/Rollout": {"labels": "spec.template.metadata.labels",
                            "adds": {"rollouts-pod-template-hash": "*"},
                            "variants": ["spec.strategy.canary.steps.*.experiment.templates.*"
                                         ".metadata.labels"]},
    "apps.kruise.io/CloneSet": {"labels": "spec.template.metadata.labels",
                                "adds": {"controller-revision-hash": "*",
                                         "apps.kruise.io/cloneset-instance-id": "*"}},
    "apps.kruise.io/StatefulSet": {"labels": "spec.template.metadata.labels",
                                   "adds": {k: "*" for k in _STS}},
    "apps.kruise.io/DaemonSet": {"labels": "spec.template.metadata.labels",
                                 "adds": {"controller-revision-hash": "*",
                                          "pod-template-generation": "*"}},
    "keda.sh/ScaledJob": {"labels": "spec.jobTargetRef.template.metadata.labels",
                          "adds": {k: "*" for k in _JOB_LABELS}},
}


# Groups whose custom resources configure other software and make no objects named after
# them: not counted by Graph.operator_made (a ServiceMonitor `web` says nothing of `web-x`)
_CONFIG_GROUPS = frozenset({
    "monitoring.coreos.com", "gateway.networking.k8s.io", "networking.istio.io",
    "security.istio.io", "telemetry.istio.io", "kyverno.io", "constraints.gatekeeper.sh",
    "templates.gatekeeper.sh", "snapshot.storage.k8s.io", "cert-manager.io",
})


def _mappings(data: Any, limit: int = 5000) -> Iterable[dict]:
    """The mappings of a custom resource's data at any depth, `limit` values looked at at most."""
    stack = [data]
    seen = 0
    while stack and seen < limit:
        value = stack.pop()
        seen += 1
        if isinstance(value, dict):
            yield value
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def embeds_pods(data: Any, limit: int = 5000) -> bool:
    """Whether a custom resource holds a pod template (a `containers` list of mappings at any
    depth): its operator may run pods the pod-label table does not describe. Looks at
    `limit` values at most."""
    for value in _mappings(data, limit):
        containers = value.get("containers")
        if isinstance(containers, list) and containers and \
                all(isinstance(c, dict) for c in containers):
            return True
    return False


def injected_ports(data: Any, limit: int = 5000) -> List[Tuple[Any, List[str]]]:
    """(selector, names of the container ports) of each `containers` list that a custom
    resource holds beside a `selector` (Graph.injected_port): a sidecar injector's shape
    (SidecarSet's spec), which a pod template's is not (its containers are under
    template.spec, away from the selector: a ClusterServiceVersion's or a Rollout's pods are
    their own). Looks at `limit` values at most, as embeds_pods."""
    out = []
    for value in _mappings(data, limit):
        containers = value.get("containers") if "selector" in value else None
        names = []
        for c in containers if isinstance(containers, list) else ():
            ports = c.get("ports") if isinstance(c, dict) else None
            for port in ports if isinstance(ports, list) else ():
                if isinstance(port, dict) and isinstance(port.get("name"), str):
                    names.append(port["name"])
        if names:
            out.append((value["selector"], names))
    return out


def _folder(path: Any) -> str:
    """The folder of a path as the run names it ("" for a bare name or stdin)."""
    return os.path.dirname(path) if isinstance(path, str) else ""


def group_of(api_version: str) -> str:
    """"apps/v1" -> "apps"; "v1" -> "" (the core group)."""
    return api_version.split("/", 1)[0] if "/" in api_version else ""


def _dotted(path: str) -> Pointer:
    return tuple(p for p in path.split(".") if p)


def _get(data: Any, pointer: Pointer) -> Any:
    for part in pointer:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


class PodSource(NamedTuple):
    """Something that makes pods: their labels, labels the controller adds with any value,
    and the pod spec when it is known (None for custom resources without one)."""

    obj: Any
    labels: Dict[str, Any]
    pointer: Pointer  # to the labels (or where they would go)
    any_value: frozenset  # label keys the controller sets to values we cannot know
    spec: Optional[dict]
    spec_pointer: Pointer
    # label overlays the pods carry in some phase (pod-label-paths `variants`): pointer, labels
    variants: Tuple[Tuple[Pointer, Dict[str, Any]], ...] = ()

    @property
    def describe(self) -> str:
        return f"{self.obj.kind} {self.obj.name}" if self.obj.name else self.obj.kind


class Graph:
    """Built once per run over ctx.objects; see the module docstring."""

    def __init__(self, objects: Sequence[Any],
                 extra_pod_paths: Optional[Dict[str, Any]] = None,
                 units: Optional[Dict[str, str]] = None) -> None:
        self.objects = objects
        self.units = units or None  # path -> unit (see the module docstring); None: one unit
        self._kind_units: Dict[Tuple[str, str, str], set] = {}  # units holding such objects
        self._pod_units: Dict[str, set] = {}  # namespace -> units holding pods
        # (group, kind, namespace) -> name -> the object, or a list of them when the name
        # is taken twice (a list and a key tuple per object cost ~8 MB at 50,000 objects)
        self._by_name: Dict[Tuple[str, str, str], Dict[str, Any]] = {}
        # the lists of _by_name (identities taken twice or more), as add() makes them:
        # duplicated() without a pass over every name (50,000 at 50,000 documents, serial
        # before the cross stage's fork)
        self._taken: List[List[Any]] = []
        self._by_kind: Dict[Tuple[str, str, str], List[Any]] = {}
        # (group, kind, namespace) -> what add() fills for it: (its _by_name map, its _by_kind
        # list, its _kind_units set or None without units): one lookup per object, not three
        self._records: Dict[Tuple[str, str, str], Tuple[Dict[str, Any], List[Any], Optional[set]]] = {}
        self._by_gk: Dict[Tuple[str, str], List[Any]] = {}
        self._names: Dict[Tuple[str, str, str], Tuple[List[str], List[str]]] = {}
        self.pods: List[PodSource] = []
        self._pods_by_ns: Dict[str, List[int]] = {}
        self._by_label: Dict[Tuple[str, str, Any], List[int]] = {}
        self._by_key: Dict[Tuple[str, str], List[int]] = {}
        self._variants: Dict[str, List[int]] = {}  # namespace -> pod sources with variants
        # namespace -> units holding custom resources with pod templates the table does not
        # describe (an operator's pods: their labels cannot be known)
        self._opaque: Dict[str, set] = {}
        # the folders of those custom resources' files (nearest_pods)
        self._opaque_folders: set = set()
        # namespace -> names of custom resources an operator may make objects for, named
        # after them (operator_made)
        self._operated: Dict[str, set] = {}
        self._labelled: Dict[Tuple[str, str], "LabelIndex"] = {}
        self._makers: Optional[frozenset] = None  # makes_pods()
        self._injectors: Optional[List[Tuple[Any, List[str]]]] = None  # injected_port()
        # unit -> the texts of its files with a document that could not be read, None when
        # a text is unknown (set by the engine: complete())
        self.incomplete: Dict[str, Optional[List[str]]] = {}
        self._last_map: Tuple[Any, Any, List[PodSource]] = _NO_MAP  # select_map()'s
        # namespace -> _nearest_in()'s answers (path -> its nearest pod, and the first)
        self._nearest: Dict[str, Tuple[Dict[str, Tuple[int, PodSource]], Optional[PodSource]]] = {}
        # (namespace, labels a controller sets) -> their posting lists (_add_pods)
        self._any_lists: Dict[Tuple[str, frozenset], List[List[int]]] = {}
        # (unit, nodePort) -> (the first core Service of the run with it, its port index),
        # and the ids of the Services with a nodePort a Service before them has (KL218's
        # candidates): indexed as Services are added, so that a parallel run's graph built
        # ahead has them (worked out in the cross stage, that was a serial pass over every
        # Service before its fork: ~20 ms at 50,000 documents)
        self.node_ports: Dict[Tuple[str, int], Tuple[Any, int]] = {}
        self.node_port_sharers: set = set()
        table = dict(POD_LABEL_PATHS)
        for key, entry in (extra_pod_paths or {}).items():
            table[key] = {"labels": entry} if isinstance(entry, str) else entry
        self._table = table
        # (apiVersion, kind) -> what add() needs of them (_type)
        self._types: Dict[Tuple[str, str], Tuple[str, bool, Any, Tuple[str, str], bool, bool,
                                                 List[Any]]] = {}
        for obj in objects:
            self.add(obj)

    def add(self, obj: Any) -> None:
        """Index one more object (after those indexed before it): the engine builds the graph
        of a parallel run while the files are linted, in their order. (Runs for every object
        of a run: what depends on the apiVersion and kind alone is worked out once.)"""
        # (apiVersion, kind) as the data has them: the K8sObject properties' checked values
        # are worked out once per pair (_type), not three property calls per object
        data = obj.data
        raw = (data.get("apiVersion"), data.get("kind"))
        try:
            per = self._types.get(raw)
        except TypeError:  # a list or a map there: the properties' values ("")
            raw = (obj.api_version, obj.kind)
            per = self._types.get(raw)
        if per is None:
            per = self._types[raw] = self._type(obj.api_version, obj.kind)
        group, cluster, template, gk, entry, service, same_gk = per
        namespace = obj.namespace
        ns = "" if cluster else namespace
        key = (group, gk[1], ns)
        record = self._records.get(key)
        if record is None:
            record = self._record(key)
        names, same_kind, held = record
        meta = data.get("metadata")  # obj.name, inline
        name = meta.get("name") if isinstance(meta, dict) else None
        if name.__class__ is not str and not isinstance(name, str):
            name = ""
        same = names.get(name)
        if same is None:
            names[name] = obj
        elif isinstance(same, list):
            same.append(obj)
        else:
            names[name] = same = [same, obj]
            self._taken.append(same)
        same_kind.append(obj)
        same_gk.append(obj)
        unit = None
        if held is not None:  # (units: its unit, worked out once for the object's indexes)
            unit = self.units.get(obj.path, "")  # type: ignore[union-attr]
            if unit == EACH_DOCUMENT:
                unit = self.unit(obj)
            held.add(unit)
        if service:
            self._add_node_ports(obj, unit)
        if template is not None:  # _pod_source() of a built-in workload, inline
            labels_at, meta_at, spec_at, adds, base = template
            # _get(data, labels_at) and _get(data, spec_at), the template looked up once
            labels = spec = None
            tmpl = _get(obj.data, base) if base else obj.data
            if isinstance(tmpl, dict):
                spec = tmpl.get("spec")
                meta = tmpl.get("metadata")
                if isinstance(meta, dict):
                    labels = meta.get("labels")
            self._add_pods(_new_pods(PodSource, (
                obj, labels, labels_at, adds, spec if isinstance(spec, dict) else None, spec_at, ()))
                if isinstance(labels, dict) else
                _new_pods(PodSource, (obj, {}, meta_at, adds, spec if isinstance(spec, dict) else None,
                                      spec_at, ())), namespace, unit)
            return
        source = self._pod_source(obj, group, self._table) if entry else None
        custom = not getattr(obj, "builtin", True)
        if source is not None:
            self._add_pods(source, namespace, unit)
        elif custom:  # (a kind of the pod-label table is neither: its pods are known)
            if obj.data.get("kubelint:pods") if "kubelint:stub" in obj.data \
                    else embeds_pods(obj.data):
                self._opaque.setdefault(ns, set()).add(self.unit(obj))
                self._opaque_folders.add(_folder(obj.path))
            if name and group not in _CONFIG_GROUPS:
                self._operated.setdefault(ns, set()).add(name)

    def _type(self, api_version: str, kind: str
              ) -> Tuple[str, bool, Any, Tuple[str, str], bool, bool, List[Any]]:
        """(group, cluster-scoped, the _TEMPLATES entry of a built-in workload, (group,
        kind), whether the pod-label table has an entry, whether a core Service, the
        _by_gk list of (group, kind)) of objects of that apiVersion and kind. (Asked for
        the first object of the pair: a (group, kind) enters _by_gk with its first object.)"""
        group = group_of(api_version)
        template = _TEMPLATES.get(kind) if group in ("", "apps", "batch") else None
        entry = template is None and isinstance(self._table.get(f"{group}/{kind}"), dict)
        gk = (group, kind)
        same_gk = self._by_gk.get(gk)
        if same_gk is None:
            same_gk = self._by_gk[gk] = []
        per = self._types[(api_version, kind)] = (group, kind in CLUSTER_SCOPED, template,
                                                  gk, entry, group == "" and kind == "Service",
                                                  same_gk)
        return per

    def _record(self, key: Tuple[str, str, str]
                ) -> Tuple[Dict[str, Any], List[Any], Optional[set]]:
        """The indexes add() fills for objects of that (group, kind, namespace), made with
        the first of them."""
        names: Dict[str, Any] = {}
        same_kind: List[Any] = []
        self._by_name[key] = names
        self._by_kind[key] = same_kind
        held = None
        if self.units:
            held = self._kind_units[key] = set()
        record = self._records[key] = (names, same_kind, held)
        return record

    def _add_node_ports(self, svc: Any, unit: Optional[str] = None) -> None:
        """node_ports and node_port_sharers with one more core Service (in input order); unit:
        its unit, if known."""
        spec = svc.data.get("spec")
        ports = spec.get("ports") if isinstance(spec, dict) else None
        if not isinstance(ports, list):
            return
        first = self.node_ports
        for i, p in enumerate(ports):
            n = p.get("nodePort") if isinstance(p, dict) else None
            if isinstance(n, int) and not isinstance(n, bool) and n:
                if unit is None:
                    unit = self.unit(svc)
                if first.setdefault((unit, n), (svc, i))[0] is not svc:
                    self.node_port_sharers.add(id(svc))

    # objects -------------------------------------------------------------------------------

    @staticmethod
    def namespace_of(kind: str, namespace: str) -> str:
        return "" if kind in CLUSTER_SCOPED else namespace

    def find(self, group: str, kind: str, namespace: str, name: str) -> List[Any]:
        if not isinstance(name, str):
            return []  # (a mapping or a list in broken input: the schema's KL010 says so)
        # (namespace_of(), inline: one of the most called lookups of the stage)
        names = self._by_name.get((group, kind, "" if kind in CLUSTER_SCOPED else namespace))
        found = names.get(name) if names is not None else None
        return [] if found is None else found if found.__class__ is list else [found]

    def of_kind(self, group: str, kind: str, namespace: str) -> List[Any]:
        """Every object of that kind in that namespace (any namespace for cluster kinds)."""
        return self._by_kind.get((group, kind, self.namespace_of(kind, namespace)), [])

    def names_near(self, group: str, kind: str, namespace: str, name: str,
                   width: int = 6) -> Tuple[List[str], List[str]]:
        """(names of that kind and namespace alphabetically nearest to `name`, and nearest
        by their endings; the first few names): the candidates of a "did you mean". A
        bounded number per lookup, so that many dangling references stay linear."""
        import bisect

        key = (group, kind, self.namespace_of(kind, namespace))
        memo = self._names.get(key)
        if memo is None:
            names = sorted({o.name for o in self._by_kind.get(key, ()) if o.name})
            memo = self._names[key] = (names, sorted(n[::-1] for n in names))
        names, backwards = memo
        near: Dict[str, None] = {}
        i = bisect.bisect_left(names, name)
        for n in names[max(0, i - width): i + width]:
            near[n] = None
        j = bisect.bisect_left(backwards, name[::-1])
        for n in backwards[max(0, j - width): j + width]:
            near[n[::-1]] = None
        return list(near), names[:4]

    # units ---------------------------------------------------------------------------------

    def unit(self, obj: Any) -> str:
        if not self.units:
            return ""
        unit = self.units.get(obj.path, "")
        return unit if unit != EACH_DOCUMENT else f"{obj.path}\0{obj.doc}"

    def same_unit(self, a: Any, b: Any) -> bool:
        return not self.units or self.unit(a) == self.unit(b)

    def applied_together(self, a: Any, b: Any) -> bool:
        """Whether two objects are certainly applied together: one file (a rendering is
        one), files named together, or any two when units are off. Two files side by side in
        a walked folder may be alternatives (a sample's variants) and are not."""
        if a.path == b.path:
            return not self.units or self.units.get(a.path) != EACH_DOCUMENT or a.doc == b.doc
        return not self.units or self.unit(a) == self.unit(b) == ""

    def complete(self, referrer: Any, words: Iterable[Any]) -> bool:
        """Whether what the referrer's unit lacks cannot be in a document of the unit that
        could not be read: no such text holds all of `words` (the name looked for, the label
        values selected). A claim that something is absent rests on it: kubernetes/examples'
        vitess folder has vtgate-service.yaml select the pods of vtgate-controller-template.yaml,
        a `{{replicas}}` template that is no YAML (its KL001 is the finding to fix; "selects
        nothing" beside it was false)."""
        if not self.incomplete:
            return True
        if referrer is None:
            found: Optional[List[str]] = []
            for texts in self.incomplete.values():
                if texts is None:
                    return False
                found += texts  # type: ignore[operator]
        else:
            found = self.incomplete.get(self.unit(referrer), [])
            if found is None:
                return False
        wanted = [w for w in words if isinstance(w, str) and w]
        if not wanted:
            return not found
        return not any(all(w in text for w in wanted) for text in found)

    def kind_in_unit(self, group: str, kind: str, namespace: str, referrer: Any) -> bool:
        """Whether the referrer's unit holds objects of that kind in that namespace."""
        key = (group, kind, self.namespace_of(kind, namespace))
        if not self.units:
            return key in self._by_kind
        return self.unit(referrer) in self._kind_units.get(key, ())

    def resolve(self, group: str, kind: str, namespace: str, name: str,
                referrer: Any) -> Optional[List[Any]]:
        """The objects a reference by name from `referrer` means: those of its unit (of its
        own file, when several files of the unit define it: a file is applied whole), else
        those of other units when its unit holds none of the kind; [] when there is none;
        None when only other units have it while the referrer's unit has others of the kind
        (alternatives side by side: which one is meant cannot be told)."""
        found = self.find(group, kind, namespace, name)
        if not found or not self.units:
            return found
        me = self.unit(referrer)
        mine = [o for o in found if self.unit(o) == me]
        if len(mine) > 1:
            here = referrer.path
            mine = [o for o in mine if o.path == here] or mine
        if mine:
            return mine
        return None if self.kind_in_unit(group, kind, namespace, referrer) else found

    def nearest_pods(self, pods: List["PodSource"], referrer: Any) -> List["PodSource"]:
        """Of the pod sources a selector matched, those of the referrer's own file if any (a
        file is applied whole), else of its folder, else those of its unit if any; none when
        its folder has none but holds a custom resource with a pod template. A walked folder
        of examples or release bundles holds alternatives: kapp-controller's alpha-releases/
        and Kong's examples/ each define the Service and its Deployment per file, and an
        older file's Deployment without the Service's named port is not this Service's pod."""
        if not self.units or not pods:
            return pods
        me = self.unit(referrer)
        mine = [p for p in pods if self.unit(p.obj) == me]
        here = referrer.path
        if mine:
            if any(p.obj.path == here for p in mine):
                return [p for p in mine if p.obj.path == here]
            folder = _folder(here)
            near = [p for p in mine if _folder(p.obj.path) == folder]
            if near:
                return near
        # none in its folder while a custom resource there holds a pod template: its
        # operator's pods are the ones meant (an OLM bundle's Services select the
        # ClusterServiceVersion's deployments, not an example's Deployment elsewhere:
        # jaeger-operator's bundle/manifests)
        if self._opaque_folders and _folder(here) in self._opaque_folders:
            return []
        return mine or pods

    def kinds(self) -> List[str]:
        """The kinds of the run's objects."""
        return [kind for _, kind in self._by_gk]

    def objects_of(self, group: str, kind: str) -> List[Any]:
        """Every object of that kind, in every namespace."""
        return self._by_gk.get((group, kind), [])

    def duplicated(self) -> Iterable[Any]:
        """The objects whose (group, kind, namespace, name) another object of the run has
        (grouped by identity, the identities in the order they were first taken twice)."""
        for found in self._taken:
            yield from found

    def identities(self) -> Iterable[Tuple[Tuple[str, str, str, str], List[Any]]]:
        for (group, kind, ns), names in self._by_name.items():
            for name, found in names.items():
                yield (group, kind, ns, name), found if isinstance(found, list) else [found]

    # pods ----------------------------------------------------------------------------------

    def _pod_source(self, obj: Any, group: str, table: Dict[str, Any]) -> Optional[PodSource]:
        kind = obj.kind
        if group in ("", "apps", "batch") and kind in TEMPLATE_PATHS:
            labels_at, meta_at, spec_at, adds, _ = _TEMPLATES[kind]
            labels = _get(obj.data, labels_at)
            spec = _get(obj.data, spec_at)
            if isinstance(labels, dict):
                return PodSource(obj, labels, labels_at, adds,
                                 spec if isinstance(spec, dict) else None, spec_at)
            return PodSource(obj, {}, meta_at, adds, spec if isinstance(spec, dict) else None,
                             spec_at)
        entry = table.get(f"{group}/{kind}")
        if not isinstance(entry, dict):
            return None
        path = _dotted(str(entry.get("labels") or ""))
        labels = _get(obj.data, path) if path else None
        labels = dict(labels) if isinstance(labels, dict) else {}
        anyv = set()
        for k, v in (entry.get("adds") or {}).items():
            if v == "*":
                anyv.add(k)
            else:
                labels.setdefault(k, str(v).replace("{name}", obj.name))
        spec_pointer: Pointer = ()
        spec = None
        if path[-2:] == ("metadata", "labels"):
            spec_pointer = path[:-2] + ("spec",)
            found = _get(obj.data, spec_pointer)
            spec = found if isinstance(found, dict) and "containers" in found else None
        variants = []
        for pattern in entry.get("variants") or ():
            from .checks.k8s import walk

            for pointer, overlay in walk(obj.data, _dotted(str(pattern))):
                if isinstance(overlay, dict) and overlay:
                    variants.append((pointer, {**labels, **overlay}))
        return PodSource(obj, labels, path if path else ("spec",), frozenset(anyv), spec,
                         spec_pointer, tuple(variants))

    def _add_pods(self, source: PodSource, ns: Optional[str] = None,
                  unit: Optional[str] = None) -> None:
        """Index one more pod source; ns: its object's namespace, unit: its unit, if known."""
        self._last_map = _NO_MAP  # (select_map's answers may change)
        if self._nearest:
            self._nearest.clear()  # (and _nearest_in's)
        i = len(self.pods)
        self.pods.append(source)
        if ns is None:
            ns = source.obj.namespace
        found = self._pods_by_ns.get(ns)
        if found is None:
            self._pods_by_ns[ns] = [i]
        else:
            found.append(i)
        if source.variants:
            self._variants.setdefault(ns, []).append(i)
        units = self.units
        if units:
            held = self._pod_units.get(ns)
            if held is None:
                held = self._pod_units[ns] = set()
            if unit is None:
                unit = units.get(source.obj.path, "")
                if unit == EACH_DOCUMENT:
                    unit = self.unit(source.obj)
            held.add(unit)
        by_label, by_key = self._by_label, self._by_key
        for k, v in source.labels.items():
            key = (ns, k, v)
            try:
                found = by_label.get(key)
            except TypeError:  # an unhashable label value: the schema reports it
                pass
            else:
                if found is None:
                    by_label[key] = [i]
                else:
                    found.append(i)
            found = by_key.get((ns, k))
            if found is None:
                by_key[(ns, k)] = [i]
            else:
                found.append(i)
        anyv = source.any_value
        if anyv:
            # the posting lists of the labels a controller sets, one lookup per namespace and
            # kind of controller (setdefault made two throwaway lists per label and pod)
            lists = self._any_lists.get((ns, anyv))
            if lists is None:
                lists = self._any_lists[(ns, anyv)] = []
                for k in anyv:
                    for index, key in ((by_key, (ns, k)), (by_label, (ns, k, _ANY))):
                        found = index.get(key)
                        if found is None:
                            found = index[key] = []
                        lists.append(found)
            for found in lists:
                found.append(i)

    def pods_in(self, namespace: str) -> List[PodSource]:
        return [self.pods[i] for i in self._pods_by_ns.get(namespace, ())]

    def has_pods(self, namespace: str, referrer: Any = None) -> bool:
        """Whether the namespace has pods in the input (in the referrer's unit, if given)."""
        if referrer is None or not self.units:
            return namespace in self._pods_by_ns
        return self.unit(referrer) in self._pod_units.get(namespace, ())

    def opaque_pods(self, namespace: str, referrer: Any) -> bool:
        """Whether a custom resource of the referrer's unit and namespace may run pods whose
        labels the graph cannot know (embeds_pods)."""
        units = self._opaque.get(namespace)
        return bool(units) and (not self.units or self.unit(referrer) in units)

    def operator_may_run(self, referrer: Any, labels: Any, found: Any) -> bool:
        """Whether the pods `referrer` selects (by the label map `labels`, None for a
        selector with expressions) may be run by an operator for a custom resource of its
        namespace -- one holding a pod template (opaque_pods, in its unit), or one whose name
        a label value carries (operator_made: rook_cluster=rook-ceph, app=rook-ceph-mon) --:
        then "selects nothing" is not claimed, unless the selector is one likely typo away
        from a known template's labels (`found`: closest's answer)."""
        ns = referrer.namespace
        plain = isinstance(labels, dict)
        if not (self.opaque_pods(ns, referrer) or plain and any(
                self.operator_made(referrer, ns, v) for v in labels.values())
                or plain and self.operated(ns) and _operator_managed(labels)
                # `kubectl run mypod` labels its pod run=mypod: a tutorial's selector for a pod
                # it starts by command (inspektor-gadget's docs, Kubernetes Up & Running's)
                or plain and len(labels) == 1 and "run" in labels
                or self.makes_pods(ns)):
            return False
        return not (found and plain and _near_miss(labels, found[0]))

    def makes_pods(self, namespace: str) -> bool:
        """Whether a pod of the namespace runs under a ServiceAccount that RBAC of the input
        lets create pods or workloads there: an operator, whose pods carry labels the input
        does not show (longhorn-manager makes instance-manager and share-manager pods, which
        longhorn's NetworkPolicies select). Worked out on first use: only a claim about to be
        made asks."""
        if self._makers is None:
            self._makers = self._maker_namespaces()
        return namespace in self._makers

    def _maker_namespaces(self) -> frozenset:
        rbac = "rbac.authorization.k8s.io"
        roles = set(_MAKER_ROLES)  # (kind, namespace, name)
        for kind in ("Role", "ClusterRole"):
            for obj in self.objects_of(rbac, kind):
                data = full_data(obj)
                if data is None:
                    return _EVERY  # its file changed during the run: claim nothing
                if isinstance(data, dict) and _makes_pods(data.get("rules")):
                    roles.add((kind, obj.namespace if kind == "Role" else "", obj.name))
        accounts = set()  # (namespace, name) of the ServiceAccounts bound to such a role
        for kind in ("RoleBinding", "ClusterRoleBinding"):
            for obj in self.objects_of(rbac, kind):
                data = full_data(obj)
                if data is None:
                    return _EVERY
                ref = data.get("roleRef") if isinstance(data, dict) else None
                # (a field of another type is the schema's finding: a template's `{x}` is a map)
                if not isinstance(ref, dict) or not isinstance(ref.get("kind"), str) or \
                        not isinstance(ref.get("name"), str) or (
                        ref["kind"], obj.namespace if ref["kind"] == "Role" else "", ref["name"]) not in roles:
                    continue
                own = obj.namespace if kind == "RoleBinding" else None
                subjects = data.get("subjects")
                for subject in subjects if isinstance(subjects, list) else ():
                    if isinstance(subject, dict) and subject.get("kind") == "ServiceAccount":
                        where, name = subject.get("namespace") or own, subject.get("name")
                        if isinstance(where, str) and isinstance(name, str):
                            accounts.add((where, name))
        wanted = {ns for ns, _ in accounts}
        out = set()
        for pod in self.pods:
            ns = pod.obj.namespace
            if ns in wanted and ns not in out:
                if getattr(pod.obj, "full", None) is not None:
                    # a projected workload's pod spec keeps its accounts (SHAPES): its whole
                    # data is not read for them
                    spec = pod.spec
                else:
                    paths = _TEMPLATES.get(pod.obj.kind)
                    spec = _get(pod.obj.data, paths[2] if paths else ("spec",))
                if isinstance(spec, dict):
                    account = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
                    if isinstance(account, str) and (ns, account) in accounts:
                        out.add(ns)
        return frozenset(out)

    def injected_port(self, name: str, pods: List["PodSource"]) -> bool:
        """Whether a custom resource of the run that selects some of `pods` declares a
        container port named `name` among containers it holds beside its selector: a sidecar
        injector's, which adds them, ports and all, to the pods it selects (OpenKruise's
        SidecarSet: its guestbook tutorial's Service targets the injected `sidecar-server`).
        Worked out on first use: only a claim about to be made asks."""
        if self._injectors is None:
            self._injectors = self._find_injectors()
        for selector, names in self._injectors:
            if name in names and (not isinstance(selector, dict) or any(
                    not selector_misses(selector, pod) for pod in pods)):
                return True
        return False

    def _find_injectors(self) -> List[Tuple[Any, List[str]]]:
        found: List[Tuple[Any, List[str]]] = []
        for objs in self._by_gk.values():
            for obj in objs:
                if getattr(obj, "builtin", True):
                    break  # (a kind is built in or not for all its objects)
                if "kubelint:stub" in obj.data:  # (the engine's stub keeps them: engine._stub)
                    found.extend(obj.data.get("kubelint:injects", ()))
                    continue
                data = full_data(obj)
                if data is None:
                    return [(None, _EVERY)]  # its file changed during the run: claim nothing
                found.extend(injected_ports(data))
        return found

    def operated(self, namespace: str) -> bool:
        """Whether the namespace holds a custom resource an operator acts on (operator_made):
        objects may appear there that nothing in the input names."""
        return namespace in self._operated

    def operator_made(self, referrer: Any, namespace: str, name: Any) -> bool:
        """Whether `name` (an object's, or a label value) is what an operator calls what it
        makes for a custom resource of that namespace in the input: the resource's name, or
        that name, a dash and more (rook's CephCluster rook-ceph makes ConfigMap
        rook-ceph-mon-endpoints and pods app=rook-ceph-mgr; Strimzi's Kafka my-cluster,
        Service my-cluster-kafka-bootstrap). Any unit's resource counts: this only keeps
        claims back (rook's monitoring/ folder selects what the CephCluster beside it makes).
        A custom resource's references to names of its own are the user's to create, so
        its own name does not count."""
        names = self._operated.get(namespace)
        if not names or not isinstance(name, str) or not name:
            return False
        own = None if getattr(referrer, "builtin", True) else referrer.name
        end = len(name)
        while end > 0:
            prefix = name[:end]
            if prefix != own and prefix in names:
                return True
            end = name.rfind("-", 0, end)
        return False

    def _posting(self, ns: str, key: Any, value: Any) -> List[int]:
        by_label = self._by_label
        try:
            exact = by_label.get((ns, key, value))
        except TypeError:
            return []
        anyv = by_label.get((ns, key, _ANY))
        # (an index's own list when there is one: callers only read it)
        if anyv is None:
            return exact if exact is not None else []
        return anyv if exact is None else exact + anyv

    def _candidates(self, ns: str, selector: Dict[str, Any], exprs: Sequence[Any] = ()) -> List[int]:
        """Pods that may match: the shortest posting list among the selector's terms."""
        lists = [self._posting(ns, k, v) for k, v in selector.items()]
        for e in exprs:
            if not isinstance(e, dict) or not isinstance(e.get("key"), str):
                continue
            if e.get("operator") == "In" and isinstance(e.get("values"), list):
                found: List[int] = []
                for v in e["values"]:
                    found.extend(self._posting(ns, e["key"], v))
                lists.append(sorted(set(found)))
            elif e.get("operator") == "Exists":
                lists.append(self._by_key.get((ns, e["key"]), []))
        if len(lists) == 1:  # (most selectors: one label)
            return lists[0]
        if not lists:
            return self._pods_by_ns.get(ns, [])
        return min(lists, key=len)

    def select_map(self, namespace: str, selector: Dict[str, Any]) -> List[PodSource]:
        """Pod sources a plain selector map (Service, ReplicationController) selects. (The
        list is the last answer's when asked again for the same selector and namespace, as
        the Service rules do one after the other: callers must not change it.)"""
        last = self._last_map
        if last[0] is selector and last[1] == namespace:
            return last[2]
        pods = self.pods
        found = [pods[i] for i in self._candidates(namespace, selector)
                 if _map_selects(selector, pods[i])] or \
            self._in_variants(namespace, selector, map_misses)
        self._last_map = (selector, namespace, found)  # (keeps `selector` alive: ids stay its)
        return found

    def select(self, namespace: str, selector: Dict[str, Any]) -> List[PodSource]:
        """Pod sources a LabelSelector (matchLabels, matchExpressions) selects; an empty
        selector selects every pod of the namespace."""
        ml = selector.get("matchLabels")
        ml = ml if isinstance(ml, dict) else {}
        exprs = selector.get("matchExpressions")
        exprs = exprs if isinstance(exprs, list) else []
        pods = self.pods
        if not exprs:  # (selector_misses without its messages)
            return [pods[i] for i in self._candidates(namespace, ml, exprs)
                    if _map_selects(ml, pods[i])] or \
                self._in_variants(namespace, selector, selector_misses)
        return [pods[i] for i in self._candidates(namespace, ml, exprs)
                if not selector_misses(selector, pods[i])] or \
            self._in_variants(namespace, selector, selector_misses)

    def _in_variants(self, namespace: str, selector: Dict[str, Any],
                     misses: Callable) -> List[PodSource]:
        """When nothing else matches: the pods a custom resource runs relabelled in some
        phase (an Argo Rollouts experiment), each as a source of its own."""
        out = []
        for i in self._variants.get(namespace, ()):
            source = self.pods[i]
            for pointer, labels in source.variants:
                variant = source._replace(labels=labels, pointer=pointer, variants=())
                if not misses(selector, variant):
                    out.append(variant)
        return out

    def closest(self, namespace: str, selector: Dict[str, Any], near: Any,
                misses=None) -> Optional[Tuple[PodSource, List[str]]]:
        """The pod source of `namespace` nearest to matching `selector` (a map, or a
        LabelSelector with `misses=selector_misses`): fewest differences, then nearest `near`
        (same file first). Looks only at pods sharing a label with the selector, or at the
        first few of the namespace, so that many broken selectors stay linear."""
        misses = misses or map_misses
        terms = selector.get("matchLabels") if misses is selector_misses else selector
        seen: Dict[int, None] = {}
        for k, v in (terms.items() if isinstance(terms, dict) else ()):
            for i in self._posting(namespace, k, v)[:_CLOSEST_LIMIT]:
                seen[i] = None
        if not seen:
            if misses is map_misses and isinstance(terms, dict):
                try:
                    for v in terms.values():
                        hash(v)
                except TypeError:
                    pass  # (an unhashable value may still equal a label: compared below)
                else:
                    # no pod has one of the selector's labels, nor may have it (a controller's
                    # label): all differ equally, so the nearest is the first of near's file
                    # with the lowest document, else the lowest (path, document)
                    found = self._nearest_in(namespace, near.path)
                    return (found, map_misses(selector, found)) if found is not None else None
            for i in self._pods_by_ns.get(namespace, [])[:_CLOSEST_LIMIT]:
                seen[i] = None
        best = None
        if misses is map_misses and isinstance(terms, dict):
            # the same choice, the differences counted rather than described (a selector that
            # matches nothing is compared with up to 200 pods per label): only the chosen
            # pod's are described
            items = list(terms.items())
            pods = self.pods
            for i in seen:
                p = pods[i]
                labels, anyv = p.labels, p.any_value
                n = exact = 0
                for k, v in items:
                    if k in labels and labels[k] == v:
                        exact += 1
                    elif k not in anyv:
                        n += 1
                key = (n, -exact, p.obj.path != near.path, p.obj.path, p.obj.doc)
                if best is None or key < best[0]:
                    best = (key, p, None)
            return (best[1], map_misses(selector, best[1])) if best else None
        for i in seen:
            p = self.pods[i]
            found = misses(selector, p)
            exact = sum(1 for k, v in (terms.items() if isinstance(terms, dict) else ())
                        if k in p.labels and p.labels[k] == v)
            # fewest differences, then most labels equal (not just set by a controller)
            key = (len(found), -exact, p.obj.path != near.path, p.obj.path, p.obj.doc)
            if best is None or key < best[0]:
                best = (key, p, found)
        return (best[1], best[2]) if best else None


    def _nearest_in(self, namespace: str, path: str) -> Optional[PodSource]:
        """closest() among the first pods of the namespace when they all differ equally from
        the selector: the first of `path` with the lowest document, else the first with the
        lowest (path, document). Worked out once per namespace (210 Services selecting nothing
        at 50,000 documents compared 200 pods each)."""
        memo = self._nearest.get(namespace)
        if memo is None:
            by_path: Dict[str, Tuple[int, PodSource]] = {}
            first: Optional[Tuple[Tuple[str, int], PodSource]] = None
            pods = self.pods
            for i in self._pods_by_ns.get(namespace, [])[:_CLOSEST_LIMIT]:
                p = pods[i]
                o = p.obj
                doc = o.doc
                got = by_path.get(o.path)
                if got is None or doc < got[0]:
                    by_path[o.path] = (doc, p)
                if first is None or (o.path, doc) < first[0]:
                    first = ((o.path, doc), p)
            memo = self._nearest[namespace] = (by_path, first[1] if first is not None else None)
        got = memo[0].get(path)
        return got[1] if got is not None else memo[1]

    # labels of other kinds ----------------------------------------------------------------

    def labelled(self, group: str, kind: str) -> "LabelIndex":
        """A (namespace, label, value) index over the metadata.labels of every object of a
        kind (Services for ServiceMonitors), built on first use."""
        memo = self._labelled.get((group, kind))
        if memo is None:
            memo = self._labelled[(group, kind)] = LabelIndex(self.objects_of(group, kind))
        return memo


class LabelIndex:
    """Objects of one kind by namespace and by (namespace, label, value)."""

    def __init__(self, objects: Sequence[Any]) -> None:
        self.by_ns: Dict[str, List[Any]] = {}
        self._by_label: Dict[Tuple[str, str, Any], List[Any]] = {}
        self._labels: Dict[int, Dict[str, Any]] = {}
        # namespace -> objects whose labels cannot be read (their file changed during the
        # run): any selector may match them
        self._unknown: Dict[str, List[Any]] = {}
        for obj in objects:
            data = obj.data if getattr(obj, "full", None) is None or \
                _keeps_labels(obj.data.get("kind")) else full_data(obj)
            self.by_ns.setdefault(obj.namespace, []).append(obj)
            if data is None:
                self._unknown.setdefault(obj.namespace, []).append(obj)
                continue
            labels = _get(data, ("metadata", "labels"))
            labels = labels if isinstance(labels, dict) else {}
            self._labels[id(obj)] = labels
            for k, v in labels.items():
                try:
                    self._by_label.setdefault((obj.namespace, k, v), []).append(obj)
                except TypeError:  # unhashable value: the schema reports it
                    pass

    def labels(self, obj: Any) -> Dict[str, Any]:
        return self._labels.get(id(obj), {})

    def select(self, namespace: str, selector: Dict[str, Any]) -> List[Any]:
        """Objects of `namespace` a LabelSelector matches: candidates from the shortest
        posting list of its matchLabels (or the namespace when it has none)."""
        from .checks.labels import expression_matches

        ml = selector.get("matchLabels")
        ml = ml if isinstance(ml, dict) else {}
        exprs = selector.get("matchExpressions")
        exprs = exprs if isinstance(exprs, list) else []
        lists = []
        for k, v in ml.items():
            try:
                lists.append(self._by_label.get((namespace, k, v), []))
            except TypeError:
                return []
        pool = min(lists, key=len) if lists else self.by_ns.get(namespace, [])
        out = []
        for obj in pool:
            labels = self.labels(obj)
            if all(k in labels and labels[k] == v for k, v in ml.items()) and \
                    all(expression_matches(e, labels) for e in exprs):
                out.append(obj)
        return out + self._unknown.get(namespace, [])


class _Every(frozenset):
    """Every namespace (makes_pods when RBAC data cannot be read: nothing is claimed)."""

    def __contains__(self, item: object) -> bool:
        return True


_EVERY = _Every()
_NO_MAP: Tuple[Any, Any, List[Any]] = (None, None, [])  # Graph.select_map has no last answer
_new_pods = tuple.__new__  # PodSource(...) without its generated __new__: one per workload
_ANY = object()  # posting-list marker: the controller sets this label to some value
_CLOSEST_LIMIT = 200


def _q(v: Any) -> str:
    return f'"{v}"' if isinstance(v, str) else str(v)


def _map_selects(selector: Dict[str, Any], pod: PodSource) -> bool:
    """not map_misses(selector, pod), without describing the misses."""
    labels, anyv = pod.labels, pod.any_value
    for k, v in selector.items():
        if k in anyv:
            continue
        if k not in labels or labels[k] != v:
            return False
    return True


def map_misses(selector: Dict[str, Any], pod: PodSource) -> List[str]:
    """Why a selector map does not select the pods of `pod` (empty: it does)."""
    out = []
    for k, v in selector.items():
        if k in pod.any_value:
            continue
        if k not in pod.labels:
            out.append(f"`{k}` missing")
        elif pod.labels[k] != v:
            out.append(f"`{k}` is {_q(pod.labels[k])}, not {_q(v)}")
    return out


def selector_misses(selector: Dict[str, Any], pod: PodSource) -> List[str]:
    """Why a LabelSelector does not select the pods of `pod` (empty: it does)."""
    ml = selector.get("matchLabels")
    out = map_misses(ml, pod) if isinstance(ml, dict) else []
    exprs = selector.get("matchExpressions")
    if not isinstance(exprs, list) or not exprs:
        return out  # (a function-level import costs microseconds: this runs per selector)
    from .checks.labels import describe_expression, expression_matches

    for e in exprs:
        if isinstance(e, dict) and e.get("key") in pod.any_value and e.get("operator") != "DoesNotExist":
            continue  # the controller sets it: In/NotIn/Exists may hold
        if not expression_matches(e, pod.labels):
            out.append(f"`{describe_expression(e)}` does not hold")
    return out


# --- one graph per run ------------------------------------------------------------------------

def of(ctx: Any) -> Graph:
    """The graph of this run's objects, built by the first check that asks and kept in the
    memo all cross-object rules of a run share."""
    shared = getattr(ctx, "shared", None)
    graph = shared.get("graph") if shared is not None else None
    if graph is None or graph.objects is not ctx.objects:
        settings = getattr(ctx, "settings", None)
        graph = Graph(ctx.objects, getattr(settings, "pod_label_paths", None) or None,
                      shared.get("units") if shared is not None else None)
        if shared is not None:
            graph.incomplete = shared.get("incomplete") or {}
            shared["graph"] = graph
    return graph


# --- what the cross-object stage keeps of each object ------------------------------------------
#
# The cross-object stage needs every object of the run, but of most objects only what the
# reference rules read about *other* objects: identity, labels, selectors, ports, the names
# a pod spec refers to. Each kept object of a kind in SHAPES travels back from the workers as
# that projection (a plain dict with the same structure, list positions kept, so checks and
# pointers work unchanged) plus its full data pickled (`K8sObject.full`), which the engine
# unpickles only while a rule checks that object itself, and checks only for a moment
# (whole() below). At 50,000 documents the full data of every object was ~155 MB of small
# dicts; the projections and the pickles are a fraction of it.

_ALL = True
_OMIT = object()  # what a shape's function gives for a field the projection leaves out


# What the Pod Security controls read of a pod (admission/pod_security.scan, at every level and
# version: the projection is enough for them, PSS_ENOUGH): the pod's securityContext, host
# namespaces, os, hostUsers, the volumes that can fail a control, each container's name,
# ports and securityContext, the httpGet/tcpSocket actions of its probes and lifecycle
# handlers that set a host, the pod's AppArmor annotations. Whatever no control can find
# anything in is left out (most pods: no extra volume, probe or annotation in the projection).
# tests/test_graph.py compares scan() on whole pods and on their projections.
VOLUME_TYPES = ("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image",
                "persistentVolumeClaim", "projected", "secret", "hostPath",
                "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi",
                "glusterfs", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "fc",
                "azureFile", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk",
                "portworxVolume", "scaleIO", "storageos")
_ALLOWED_VOLUMES = VOLUME_TYPES[:9]  # (pod_security.ALLOWED_VOLUMES)
APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"


def _pss_volumes(volumes: Any, table: Dict[Any, Any]) -> Any:
    """The volumes a control can report (hostPath; a restricted type and no allowed one), as
    {name, type: True...}, at their positions (None for the others); _OMIT when none is."""
    if not isinstance(volumes, list):
        return _OMIT  # (the controls read no volume then)
    out: List[Any] = []
    some = False
    for vol in volumes:
        # (a volume of an allowed type, or of no type: defaulted to emptyDir, fails nothing
        # unless it is a hostPath too)
        if not isinstance(vol, dict) or vol.get("hostPath") is None and (
                _typed(vol, _ALLOWED_VOLUMES) or not _typed(vol, VOLUME_TYPES)):
            out.append(None)
            continue
        kept = {"name": vol["name"]} if "name" in vol else {}
        for k in VOLUME_TYPES:
            if vol.get(k) is not None:
                kept[k] = True
        out.append(kept)
        some = True
    return out if some else _OMIT


def _typed(vol: dict, types: Tuple[str, ...]) -> bool:
    for k in types:  # (a loop, not any(<generator>))
        if vol.get(k) is not None:
            return True
    return False


def _pss_actions(handler: Any, table: Dict[Any, Any]) -> Any:
    """A probe's or lifecycle handler's httpGet/tcpSocket actions that set a host."""
    if not isinstance(handler, dict):
        return _OMIT
    out = {}
    for kind in ("httpGet", "tcpSocket"):
        if kind in handler:
            action = handler[kind]
            if isinstance(action, dict) and "host" in action:
                out[kind] = {"host": action["host"]}
    return out or _OMIT


def _pss_lifecycle(lifecycle: Any, table: Dict[Any, Any]) -> Any:
    if not isinstance(lifecycle, dict):
        return _OMIT
    out = {}
    for field in ("postStart", "preStop"):
        found = _pss_actions(lifecycle.get(field), table)
        if found is not _OMIT:
            out[field] = found
    return out or _OMIT


def _pss_annotations(annotations: Any, table: Dict[Any, Any]) -> Any:
    if not isinstance(annotations, dict):
        return _OMIT
    out = {k: v for k, v in annotations.items()
           if isinstance(k, str) and k.startswith(APPARMOR_ANNOTATION)}
    return out or _OMIT


_CONTAINER = {"name": _ALL, "ports": _ALL, "securityContext": _ALL, "livenessProbe": _pss_actions,
              "readinessProbe": _pss_actions, "startupProbe": _pss_actions,
              "lifecycle": _pss_lifecycle}
# (the accounts: Graph._maker_namespaces)
_POD_SPEC = {"hostNetwork": _ALL, "hostPID": _ALL, "hostIPC": _ALL, "hostUsers": _ALL,
             "os": _ALL, "securityContext": _ALL, "volumes": _pss_volumes,
             "containers": [_CONTAINER], "initContainers": [_CONTAINER],
             "ephemeralContainers": [_CONTAINER], "serviceAccountName": _ALL,
             "serviceAccount": _ALL}
_POD_META = {"labels": _ALL, "annotations": _pss_annotations}
_TEMPLATE = {"metadata": _POD_META, "spec": _POD_SPEC}
_WORKLOAD = {"spec": {"replicas": _ALL, "selector": _ALL, "template": _TEMPLATE}}
# kind -> what the graph and other objects' checks read of it often (besides apiVersion,
# kind, name, namespace): pod labels, selectors, container ports. Every other read of another
# object's data in checks/references.py, selectors.py, coverage.py and the pack's cross rules
# (practices.py) goes through whole() / full_data(), which unpickle it for that moment;
# tests/test_graph.py runs every cross rule with and without projections.
SHAPES: Dict[str, Dict[str, Any]] = {
    **{k: _WORKLOAD for k in ("Deployment", "ReplicaSet", "DaemonSet", "Job",
                              "ReplicationController")},
    # KL215 reads the StatefulSet's serviceName
    "StatefulSet": {"spec": {**_WORKLOAD["spec"], "serviceName": _ALL}},
    "CronJob": {"spec": {"jobTemplate": {"spec": {"template": _TEMPLATE}}}},
    "Pod": {"metadata": _POD_META, "spec": _POD_SPEC},
    "PodTemplate": {"template": _TEMPLATE},
    "HorizontalPodAutoscaler": {"spec": {"scaleTargetRef": _ALL}},
    "PodDisruptionBudget": {"spec": {"selector": _ALL}},
    "NetworkPolicy": {"spec": {"podSelector": _ALL}},
    # what the Service rules read of the Service they check (PROJECTION_ENOUGH), KL218 of
    # every Service, KL215 of a StatefulSet's Service (headless: clusterIP None)
    # (and its labels: what a ServiceMonitor selects, LabelIndex)
    "Service": {"metadata": {"labels": _ALL},
                "spec": {"type": _ALL, "selector": _ALL, "ports": _ALL, "clusterIP": _ALL}},
    # identity only: what is read of them goes through whole()/full_data()
    **{k: {} for k in ("ConfigMap", "Secret", "Ingress", "ServiceAccount", "Role",
                       "ClusterRole", "RoleBinding", "ClusterRoleBinding", "PersistentVolumeClaim",
                       "PriorityClass", "IngressClass")},
}
# Cross rules whose reads of other objects SHAPES covers; a run with any other cross rule
# (a user's rule, a rule without `sees`) keeps whole objects as before.
SLIM_RULES = frozenset(
    [f"KL{n}" for n in range(201, 222)] + ["KL331", "KL333", "KL334", "KL337"] +
    [f"KL{n}" for n in list(range(401, 413)) + list(range(421, 428))])
# The Pod Security rules read of the pod they check only what its projection keeps (_POD_SPEC,
# _POD_META: every kind they check is in SHAPES with them): no Deployment, StatefulSet,
# CronJob... has its whole data packed or unpickled for them.
PSS_ENOUGH = frozenset(f"KL{n}" for n in list(range(401, 413)) + list(range(421, 428)))
# Cross rules that read of the object they check only what its projection keeps (KL217 its
# identity, graph.full_data() for more; the Service rules a Service's type, selector and
# ports; KL211 a workload's replicas, KL215 a StatefulSet's serviceName and pod labels, KL219
# a workload's selector and pod labels): the engine does not unpickle the whole data of an
# object that only these check (every ConfigMap, ServiceAccount, Role... for KL217, every
# Service).
PROJECTION_ENOUGH = frozenset(["KL201", "KL203", "KL204", "KL211", "KL215", "KL217", "KL218",
                               "KL219"]) | PSS_ENOUGH
# Cross rules that read of the Pod, PodTemplate or workload they check only its identity and
# its pod spec's references (references._pod_refs), which the per-file stage finds in its
# whole data and keeps with the projection (K8sObject.refs): ~16,000 Deployments, CronJobs and
# StatefulSets not unpickled at 50,000 documents.
REFS_ENOUGH = frozenset(["KL205", "KL206", "KL207", "KL208"])
_IDENTITY = {"apiVersion": _ALL, "kind": _ALL, "metadata": {"name": _ALL, "namespace": _ALL}}


def _merge(a: Dict[str, Any], b: Dict[str, Any]) -> Dict[str, Any]:
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if isinstance(out.get(k), dict) and isinstance(v, dict) else v
    return out


_FULL_SHAPES = {kind: _merge(_IDENTITY, shape) for kind, shape in SHAPES.items()}


def _keeps_labels(kind: Any) -> bool:
    """Whether the projection of that kind keeps metadata.labels (LabelIndex reads them)."""
    shape = _FULL_SHAPES.get(kind) if isinstance(kind, str) else None
    return shape is not None and shape["metadata"].get("labels") is _ALL


_SCALARS = (str, int, float, bool, type(None))


def _shared(value: Any, key: Any, table: Dict[Any, Any]) -> Any:
    """`value` (a mapping or list of a projection), or an equal one kept earlier under `key`
    (_freeze's): label maps, selectors and ports repeat across objects (and a selector its
    template's labels), so projections share them. Only for projections, which nothing
    changes; types are part of the key (True is not 1)."""
    try:
        found = table.get(key)
    except TypeError:  # an unhashable key (a mapping as a key): kept as it is
        return value
    if found is None:
        if len(table) >= _SHARED_LIMIT:
            table.clear()  # (what is shared stays shared)
        # (the ids in a key are of shared parts that `value` holds: alive as long as it is)
        found = table[key] = value
    return found


def _part(v: Any) -> Any:
    # floats by their text: -0.0 == 0.0, and messages show which one was written
    return (repr(v) if isinstance(v, float) else v) if isinstance(v, _SCALARS) else id(v)


_SHARED_LIMIT = 200_000


def _project(value: Any, shape: Dict[str, Any], table: Dict[Any, Any]) -> Any:
    """The fields of mapping `value` that `shape` names (value's order), each projected by
    its shape: _ALL, [item shape] or a mapping shape. One loop per mapping, no call for a
    field `shape` does not name: this runs for every object the cross stage keeps."""
    if not isinstance(value, dict):
        return value  # a wrong type is kept as it is: the checks see what they saw before
    out = {}
    for k, v in value.items():
        sub = shape.get(k)
        if sub is None:
            continue
        if sub is _ALL:
            cls = v.__class__
            out[k] = _freeze(v, table) if cls is dict or cls is list or isinstance(v, (dict, list)) \
                else v
        elif sub.__class__ is list:
            out[k] = [_project(x, sub[0], table) for x in v] if isinstance(v, list) else v
        elif sub.__class__ is dict:
            out[k] = _project(v, sub, table)
        else:  # a function of the value (what Pod Security reads): _OMIT leaves it out
            v = sub(v, table)
            if v is not _OMIT:
                out[k] = v
    return out


def _freeze(value: Any, table: Dict[Any, Any]) -> Any:
    """A copy of `value` made of shared parts (small values only: deep ones as they are).
    The key of _shared() is built in the same loop as the copy: most parts are label maps
    of strings, and a call per value cost more than the copy."""
    if isinstance(value, dict):
        if len(value) > 32:
            return value
        copy = {}
        key: List[Any] = ["d"]
        for k, v in value.items():
            cls = v.__class__
            if cls is str or cls is int or cls is bool or v is None:
                key.append((k, cls, v))
            else:
                if cls is dict or cls is list or isinstance(v, (dict, list)):
                    v = _freeze(v, table)
                key.append((k, type(v), _part(v)))
            copy[k] = v
        return _shared(copy, tuple(key), table)
    if isinstance(value, list):
        if len(value) > 32:
            return value
        copy = []
        key = ["l"]
        for v in value:
            cls = v.__class__
            if cls is str or cls is int or cls is bool or v is None:
                key.append((cls, v))
            else:
                if cls is dict or cls is list or isinstance(v, (dict, list)):
                    v = _freeze(v, table)
                key.append((type(v), _part(v)))
            copy.append(v)
        return _shared(copy, tuple(key), table)
    return value


def slim(kind: str, data: dict, table: Optional[Dict[Any, Any]] = None) -> Optional[dict]:
    """The projection of a built-in object's data that the cross stage keeps, or None when
    the whole object is kept (kinds not in SHAPES: Namespaces, CRDs, policies...). `table`:
    the parts shared between projections (per process)."""
    shape = _FULL_SHAPES.get(kind)
    if shape is None:
        return None
    return _project(data, shape, {} if table is None else table)


def whole(obj: Any) -> Any:
    """`obj` with its whole data (itself when it was kept whole); None when that data cannot
    be known (full_data)."""
    full = getattr(obj, "full", None)
    if full is None:
        return obj
    data = full_data(obj)
    return None if data is None else obj._replace(data=data, full=None)


def full_data(obj: Any) -> Any:
    """The whole data of a kept object: unpickled when it was projected with its data packed,
    read back from its file when it was projected without (`full` empty: reload.py). None
    when it cannot be read back as it was (the file changed during the run): every reader
    then claims nothing that rests on it. The one way to another object's whole data."""
    full = getattr(obj, "full", None)
    if full is None:
        return obj.data
    if full:
        from .packing import loads

        return loads(full)
    from .reload import data_of

    return data_of(obj)


# What lets a controller make pods: create on pods, or on the workloads that make them.
# The default ClusterRoles that allow it, which inputs bind without defining.
_POD_MAKING = {"": {"pods"}, "apps": {"deployments", "replicasets", "statefulsets", "daemonsets"},
               "batch": {"jobs", "cronjobs"}}
_MAKER_ROLES = {("ClusterRole", "", name) for name in ("cluster-admin", "admin", "edit")}


def _makes_pods(rules: Any) -> bool:
    for rule in rules if isinstance(rules, list) else ():
        if not isinstance(rule, dict):
            continue
        verbs, groups, resources = (rule.get(k) if isinstance(rule.get(k), list) else []
                                    for k in ("verbs", "apiGroups", "resources"))
        if "create" not in verbs and "*" not in verbs:
            continue
        for group in groups:
            if not isinstance(group, str):
                continue  # (the schema reports it)
            wanted = set().union(*_POD_MAKING.values()) if group == "*" else _POD_MAKING.get(group)
            if wanted and ("*" in resources or wanted.intersection(r for r in resources if isinstance(r, str))):
                return True
    return False


# `app.kubernetes.io/managed-by` values of tools that apply what the input shows
_APPLYING_TOOLS = frozenset(("Helm", "helm", "Tiller", "kustomize", "Kustomize", "kubectl",
                             "argocd", "ArgoCD", "flux", "Flux", "skaffold", "timoni", "Timoni"))


def _operator_managed(labels: Dict[str, Any]) -> bool:
    """Whether a selector asks for pods an operator manages, by the recommended label
    (scylla-operator's NetworkPolicies select `app.kubernetes.io/managed-by: scylla-operator`,
    the pods it runs for the ScyllaCluster beside them)."""
    value = labels.get("app.kubernetes.io/managed-by")
    return isinstance(value, str) and bool(value) and value not in _APPLYING_TOOLS


def _near_miss(selector: dict, pod: Any) -> bool:
    """A selector one label value away from a pod source's, that value a likely typo."""
    from .identify import close

    wrong = [(v, pod.labels.get(k)) for k, v in selector.items()
             if k not in pod.any_value and pod.labels.get(k) != v]
    return len(wrong) == 1 and all(isinstance(x, str) for x in wrong[0]) and \
        close(wrong[0][0], [wrong[0][1]]) is not None
