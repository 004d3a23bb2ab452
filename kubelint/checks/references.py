"""References between objects (KL202-KL219), answered by the run's graph (kubelint/graph.py).

Every finding sits at the line of the reference and names the other end as a related
location. A reference to a kind of which the input holds no object at all in that namespace
is assumed to point outside the input and is not reported, unless the rule's option
`report-when-absent` is set.

The checks of the default set that run on every Service, pod or workload (KL201 in
selectors.py, KL203-KL208, KL219) return lists, not generators: a generator made and drained
per call was most of the cost of the many calls that find nothing."""

from __future__ import annotations

import os
import re
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from .. import graph as graphmod
from ..graph import Graph, PodSource, map_misses, selector_misses
from ..model import Pointer, Violation, pointer_to_k8s
from .k8s import CONTAINER_LISTS, containers, get, items, pod_spec, walk
from .labels import format_map

# Secrets that something in the input will create: (group, kind) -> where the Secret's name is.
SECRET_MAKERS: Dict[Tuple[str, str], Pointer] = {
    ("cert-manager.io", "Certificate"): ("spec", "secretName"),
    ("bitnami.com", "SealedSecret"): ("metadata", "name"),
    ("external-secrets.io", "ExternalSecret"): ("spec", "target", "name"),
    ("secrets-store.csi.x-k8s.io", "SecretProviderClass"): (),  # spec.secretObjects[].secretName
}
# Ingress annotations with which cert-manager creates the TLS Secret.
CERT_MANAGER_ANNOTATIONS = ("cert-manager.io/cluster-issuer", "cert-manager.io/issuer",
                            "cert-manager.io/issuer-name", "kubernetes.io/tls-acme")
BUILTIN_PRIORITY_CLASSES = ("system-cluster-critical", "system-node-critical")
BUILTIN_CLUSTER_ROLES = ("cluster-admin", "admin", "edit", "view")
# Roles the API server bootstraps in its own namespaces (besides system:* names).
BUILTIN_ROLES = ("extension-apiserver-authentication-reader",)
# ServiceAccounts the cluster makes in kube-system: one per controller of kube-controller-manager
# (its RBAC bootstrap policy binds `system:controller:<name>` to each), the bootstrap token
# controllers', a cloud-controller-manager's and kubeadm's add-ons' (cluster-api-provider-azure binds azure-file's role to
# `persistent-volume-binder`)
KUBE_SYSTEM_ACCOUNTS = frozenset((
    "attachdetach-controller", "bootstrap-signer", "certificate-controller",
    "clusterrole-aggregation-controller", "cronjob-controller", "daemon-set-controller",
    "deployment-controller", "device-taint-eviction-controller", "disruption-controller",
    "endpoint-controller", "endpointslice-controller", "endpointslicemirroring-controller",
    "ephemeral-volume-controller", "expand-controller", "generic-garbage-collector",
    "horizontal-pod-autoscaler", "job-controller", "legacy-service-account-token-cleaner",
    "namespace-controller", "node-controller", "persistent-volume-binder",
    "pod-garbage-collector", "pv-protection-controller", "pvc-protection-controller",
    "replicaset-controller", "replication-controller", "resource-claim-controller",
    "resourcequota-controller", "root-ca-cert-publisher", "route-controller",
    "selinux-warning-controller", "service-account-controller", "service-cidrs-controller",
    "service-controller", "statefulset-controller", "token-cleaner",
    "ttl-after-finished-controller", "ttl-controller",
    "validatingadmissionpolicy-status-controller",
    "volumeattributesclass-protection-controller", "kube-proxy", "coredns",
    # a cloud-controller-manager's controllers (cloud-provider-openstack's role bindings)
    "cloud-node-controller", "cloud-node-lifecycle-controller", "pvl-controller",
))
WORKLOAD_GROUPS = {"Deployment": "apps", "StatefulSet": "apps", "ReplicaSet": "apps",
                   "DaemonSet": "apps", "ReplicationController": "", "Job": "batch",
                   "CronJob": "batch"}


# --- shared -----------------------------------------------------------------------------------

def _distance(a: str, b: str, limit: int) -> int:
    """Edit distance with transpositions (optimal string alignment); any value above
    `limit` means "too far". Only the diagonal band |i - j| <= limit is computed, and the
    scan stops as soon as a whole row is above the limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    if a == b:
        return 0
    far = limit + 1
    prev2: List[int] = []
    prev = [j if j <= limit else far for j in range(len(b) + 1)]
    for i in range(1, len(a) + 1):
        cur = [far] * (len(b) + 1)
        if i <= limit:
            cur[0] = i
        lo, hi = max(1, i - limit), min(len(b), i + limit)
        for j in range(lo, hi + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
        if min(cur[lo - 1:hi + 1]) > limit:
            return far
        prev2, prev = prev, cur
    return min(prev[-1], far)


def closest(name: str, candidates: Sequence[str]) -> Optional[str]:
    """The candidate a typo of `name` most likely meant: same letters ignoring case, else
    the fewest edits, at most one per four characters (web-confg -> web-config, wbe -> web;
    not app-1 -> app-806)."""
    if not isinstance(name, str):
        return None
    candidates = [c for c in candidates if isinstance(c, str)]  # (broken input: a list for a name)
    lower = name.lower()
    for c in candidates:
        if c.lower() == lower:
            return c
    limit = max(1, len(name) // 4)
    best = None
    for c in candidates:
        d = _distance(name, c, limit)
        if d <= limit and (best is None or d < best[0]):
            best = (d, c)
    return best[1] if best else None


def _names_hint(g: Graph, group: str, kind: str, namespace: str,
                name: str) -> Tuple[str, Optional[Any]]:
    """"; did you mean `x`?" and the object x, or a short list of what exists."""
    near, first = g.names_near(group, kind, namespace, name)
    match = closest(name, near)
    if match:
        return f"; did you mean `{match}`?", g.find(group, kind, namespace, match)[0]
    if not first:
        return "", None
    shown = ", ".join(f"`{n}`" for n in first[:3]) + (", ..." if len(first) > 3 else "")
    return f" (the input has {shown})", None


class _Secrets:
    """Secrets of a namespace: the Secret objects, and the names other objects will create."""

    def __init__(self, g: Graph) -> None:
        self.made: Dict[Tuple[str, str], Any] = {}  # (namespace, name) -> the maker
        for (group, kind), ptr in SECRET_MAKERS.items():
            for obj in g.objects_of(group, kind):
                names = [get(obj.data, ptr)] if ptr else \
                    [get(s, ("secretName",)) for s in items(get(obj.data, ("spec", "secretObjects")))]
                if ptr == ("spec", "target", "name") and not isinstance(names[0], str):
                    names = [obj.name]  # ExternalSecret: the target defaults to its own name
                for n in names:
                    if isinstance(n, str):
                        self.made.setdefault((obj.namespace, n), obj)
        self.namespaces = {ns for ns, _ in self.made}


def _secrets(ctx: Any, g: Graph) -> _Secrets:
    s = ctx.cache.get("secrets")
    if s is None or s[0] is not g:
        s = ctx.cache["secrets"] = (g, _Secrets(g))
    return s[1]


def dangling(ctx: Any, g: Graph, group: str, kind: str, namespace: str, name: Any,
             pointer: Pointer, what: Optional[str], made: Optional[_Secrets] = None, *,
             referrer: Any = None) -> Tuple[Optional[Violation], List[Any]]:
    """(violation or None, the objects found) for a reference by name from `referrer`
    (the graph's units decide which objects it can mean; see graph.py). `what`: the field
    named in the message; None: `pointer` itself (formatted only for a finding: most
    references resolve)."""
    if not isinstance(name, str) or not name:
        return None, []
    found = g.find(group, kind, namespace, name) if referrer is None else \
        g.resolve(group, kind, namespace, name, referrer)
    if found is None:
        return None, []  # only another unit has it, beside others of its own: an alternative
    if found:
        return None, found
    if made is not None and (namespace, name) in made.made:
        return None, []
    if referrer is not None and g.operator_made(referrer, namespace, name):
        return None, []  # an operator makes it for a custom resource beside the referrer
    if not g.complete(referrer, (name,)):
        return None, []  # a document beside the referrer could not be read: it may be there
    others = g.kind_in_unit(group, kind, namespace, referrer) if referrer is not None else \
        bool(g.of_kind(group, kind, namespace))
    claimed = others or (made is not None and namespace in made.namespaces) \
        or ctx.options.get("report-when-absent", False)
    if not claimed and not (referrer is not None and g.of_kind(group, kind, namespace)):
        return None, []  # no such kind here: assumed to live outside the input
    hint, best = _names_hint(g, group, kind, namespace, name)
    if not claimed and best is None:
        # Objects of the kind in other units only (example folders, install bundles side by
        # side) say nothing about this unit, unless the name is a near miss of one of them.
        return None, []
    where = "" if kind in graphmod.CLUSTER_SCOPED else f" in namespace `{namespace}`"
    if kind == "Secret" and best is None and not ctx.options.get("report-missing-secrets", False):
        return None, []  # Secrets are often made at run time: only a likely typo is reported
    related = ((best, ("metadata", "name"), f"{kind} {best.name}"),) if best is not None else ()
    if what is None:
        what = pointer_to_k8s(pointer)
    return Violation(f"{what} refers to {kind} `{name}`, which is not in the input{where}{hint}",
                     pointer, related=related,
                     hint=f"create the {kind} or correct the name"), []


# ConfigMaps the cluster publishes in every namespace: the controller manager's root CA
# bundle (Kubernetes 1.20+), OpenShift's service CA, istiod's mesh root certificate
PUBLISHED_CONFIGMAPS = frozenset({"kube-root-ca.crt", "openshift-service-ca.crt",
                                  "istio-ca-root-cert"})


def _owners(pods: Sequence[Any]) -> str:
    """The first three owners of selected pods, each named once (a folder of examples has a
    Deployment `echo` in several files)."""
    return ", ".join(list(dict.fromkeys(p.describe for p in pods))[:3])


def _keys(obj: Any, fields: Sequence[str]) -> Optional[set]:
    """The keys of a ConfigMap/Secret; None when it declares none (filled in elsewhere: an
    empty `data: {}` is a stub as much as no data at all, e.g. a kustomize base's Secret that
    a generated overlay fills)."""
    keys: set = set()
    declared = False
    for f in fields:
        data = obj.data.get(f)
        if isinstance(data, dict) and data:
            declared = True
            keys.update(data)
    return keys if declared else None


# --- family 1: Ingress ------------------------------------------------------------------------

def ingress_references(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL202: backends -> Service and port; TLS secretName -> Secret; ingressClassName."""
    g = graphmod.of(ctx)
    spec = obj.data.get("spec")
    if not isinstance(spec, dict):
        return
    backends = list(walk(obj.data, ("spec", "rules", "*", "http", "paths", "*", "backend")))
    if isinstance(spec.get("defaultBackend"), dict):
        backends.insert(0, (("spec", "defaultBackend"), spec["defaultBackend"]))
    for ptr, backend in backends:
        svc = backend.get("service") if isinstance(backend, dict) else None
        if not isinstance(svc, dict):
            continue
        if get(svc, ("port", "name")) == "use-annotation":
            continue  # AWS Load Balancer Controller: the name is an action annotation, not a Service
        v, found = dangling(ctx, g, "", "Service", obj.namespace, svc.get("name"),
                            ptr + ("service", "name"), None, referrer=obj)
        if v:
            yield v
        if found and isinstance(svc.get("port"), dict):
            # (a Service's ports are in its projection: graph.SHAPES). Several of that name
            # (alternatives side by side: Kong's examples/ define `goecho` in two files): the
            # referrer's own file's; else a port is missing only when none of them has it
            own = [s for s in found if s.path == obj.path]
            claims = [list(_service_port(s, svc["port"], ptr + ("service", "port")))
                      for s in (own[:1] or found)]
            if all(claims):
                yield from claims[0]
    secrets = _secrets(ctx, g)
    annotations = get(obj.data, ("metadata", "annotations"))
    by_cert_manager = isinstance(annotations, dict) and any(a in annotations for a in CERT_MANAGER_ANNOTATIONS)
    for i, tls in enumerate(items(spec.get("tls"))):
        if isinstance(tls, dict) and not by_cert_manager:
            v, _ = dangling(ctx, g, "", "Secret", obj.namespace, tls.get("secretName"),
                            ("spec", "tls", i, "secretName"), f"spec.tls[{i}].secretName", secrets, referrer=obj)
            if v:
                yield v
    v, _ = dangling(ctx, g, "networking.k8s.io", "IngressClass", obj.namespace,
                    spec.get("ingressClassName"), ("spec", "ingressClassName"), "spec.ingressClassName", referrer=obj)
    if v:
        yield v


def _service_port(service: Any, port: dict, ptr: Pointer) -> Iterator[Violation]:
    if get(service.data, ("spec", "type")) == "ExternalName":
        return  # a DNS name: the Ingress's port is the external host's (minikube's ingress-dns)
    ports = [p for p in items(get(service.data, ("spec", "ports"))) if isinstance(p, dict)]
    number, name = port.get("number"), port.get("name")
    if number is not None:
        have = [p.get("port") for p in ports]
        if number not in have:
            yield Violation(f"{pointer_to_k8s(ptr)}.number: Service {service.name} has no port "
                            f"{number} (ports: {', '.join(str(h) for h in have) or 'none'})",
                            ptr + ("number",), related=((service, ("spec", "ports"), f"ports of Service {service.name}"),),
                            hint=f"use one of the Service's ports")
    elif isinstance(name, str):
        have = [p["name"] for p in ports if isinstance(p.get("name"), str) and p["name"]]
        if name not in have:
            m = [c for c in [closest(name, have)] if c]
            yield Violation(f"{pointer_to_k8s(ptr)}.name: Service {service.name} has no port named "
                            f"`{name}`" + (f"; did you mean `{m[0]}`?" if m else
                                           f" (named ports: {', '.join(have) or 'none'})"),
                            ptr + ("name",), related=((service, ("spec", "ports"), f"ports of Service {service.name}"),))


# --- family 2: Service targetPort ---------------------------------------------------------------

def _service_pods(obj: Any, g: Graph, ctx: Any = None) -> List[PodSource]:
    """The pod sources a Service selects. KL203 and KL204 ask for them one after the other
    (the engine runs an object's cross rules together): the last Service's are kept in
    ctx.shared, as _pod_refs() keeps a pod's references."""
    shared = getattr(ctx, "shared", None)
    last = shared.get("service_pods") if shared is not None else None
    if last is not None and last[0] is obj.data and last[1] is g:
        return last[2]
    spec = obj.data.get("spec")
    if not isinstance(spec, dict) or spec.get("type") == "ExternalName":
        pods: List[PodSource] = []
    else:
        selector = spec.get("selector")
        pods = [] if not isinstance(selector, dict) or not selector else g.nearest_pods(
            [p for p in g.select_map(obj.namespace, selector) if p.spec is not None], obj)
    if shared is not None:
        shared["service_pods"] = (obj.data, g, pods, {})  # (and _ports_of's, by pod)
    return pods


def _ports_of(pod: PodSource, pods: List[PodSource], ctx: Any) -> List[Tuple[Pointer, dict]]:
    """_container_ports(pod) of a pod of `pods`, what _service_pods gave: worked out once for
    KL203 and KL204 (kept with the last Service's pods in ctx.shared; callers must not change
    it)."""
    shared = getattr(ctx, "shared", None)
    last = shared.get("service_pods") if shared is not None else None
    if last is None or last[2] is not pods:
        return _container_ports(pod)
    memo = last[3]
    found = memo.get(id(pod))
    if found is None:
        found = memo[id(pod)] = _container_ports(pod)
    return found


def _container_ports(pod: PodSource) -> List[Tuple[Pointer, dict]]:
    out = []
    for ptr, c in containers(pod.spec, pod.spec_pointer):
        if ptr[-2] == "ephemeralContainers":
            continue
        for i, p in enumerate(items(c.get("ports"))):
            if isinstance(p, dict):
                out.append((ptr + ("ports", i), p))
    return out


def service_target_port(obj: Any, ctx: Any) -> List[Violation]:
    """KL203: a targetPort given by name must be a container port name in every selected pod."""
    out: List[Violation] = []
    named = []  # (index, targetPort) of the ports whose targetPort is a name
    for i, port in enumerate(items(get(obj.data, ("spec", "ports")))):
        target = port.get("targetPort") if isinstance(port, dict) else None
        if isinstance(target, str) and not target.isdigit():
            named.append((i, target))
    if not named:
        return out  # (no pod looked up: numbers are KL204's)
    g = graphmod.of(ctx)
    pods = _service_pods(obj, g, ctx)
    if not pods:
        return out
    for i, target in named:
        for pod in pods:
            names = [p.get("name") for _, p in _ports_of(pod, pods, ctx)]
            if target not in names:
                if g.injected_port(target, pods):
                    break  # (a sidecar injector of the input may add it)
                m = [c for c in [closest(target, [n for n in names if isinstance(n, str)])] if c]
                shown = ", ".join(str(n) for n in names if n) or "none"
                out.append(Violation(f"spec.ports[{i}].targetPort: no container of {pod.describe} has a "
                                     f"port named `{target}`" + (f"; did you mean `{m[0]}`?" if m else
                                                                 f" (named ports: {shown})"),
                                     ("spec", "ports", i, "targetPort"),
                                     related=((pod.obj, pod.spec_pointer + ("containers",),
                                               f"containers of {pod.describe}"),),
                                     hint="name the container port or use its number"))
                break
    return out


def service_target_port_undeclared(obj: Any, ctx: Any) -> List[Violation]:
    """KL204 (info): a numeric targetPort that no selected container declares, when the
    containers declare their ports at all."""
    out: List[Violation] = []
    numbered = []  # (index, port, its target as a number) of the ports with a numeric target
    for i, port in enumerate(items(get(obj.data, ("spec", "ports")))):
        if not isinstance(port, dict):
            continue
        target = port.get("targetPort", port.get("port"))
        if isinstance(target, str) and target.isdigit() or \
                isinstance(target, int) and not isinstance(target, bool):
            numbered.append((i, port, target))
    if not numbered:
        return out  # (no pod looked up: names are KL203's)
    g = graphmod.of(ctx)
    pods = _service_pods(obj, g, ctx)
    if not pods:
        return out
    declared = set()
    for pod in pods:
        ports = _ports_of(pod, pods, ctx)
        if not ports:
            return out  # containers that declare no ports: nothing to compare
        declared.update(p.get("containerPort") for _, p in ports
                        if isinstance(p.get("containerPort"), (int, str)))
    for i, port, target in numbered:
        if isinstance(target, str):
            target = int(target)
        if target in declared:
            continue
        if _listens_on(pods, target):
            continue
        where = ("spec", "ports", i, "targetPort" if "targetPort" in port else "port")
        shown = ", ".join(str(p) for p in sorted(d for d in declared if isinstance(d, int)))
        owners = _owners(pods)
        out.append(Violation(f"{pointer_to_k8s(where)}: {target} is not a declared container port of the "
                             f"selected pods ({owners}; they declare "
                             f"{shown})", where,
                             related=((pods[0].obj, pods[0].spec_pointer + ("containers",),
                                       f"containers of {pods[0].describe}"),),
                             hint="point targetPort at a port the container listens on"))
    return out


def _listens_on(pods: List[PodSource], port: int) -> bool:
    """Whether a selected container names `port` in its command line or environment: every
    kubebuilder scaffold serves metrics on `--metrics-bind-address=:8443` without declaring
    the port; tempo's `-server.grpc-listen-port=9095`. Read only when a finding would follow:
    the whole data of a projected workload is unpickled here."""
    number = re.compile(rf"(?:^|[:=\s]){port}(?:$|[\s,/])")
    for pod in pods:
        data = graphmod.full_data(pod.obj)
        if data is None:
            return True  # its file changed during the run: it may
        spec = get(data, pod.spec_pointer)
        if not isinstance(spec, dict):
            continue
        for _, c in containers(spec, pod.spec_pointer):
            texts = [t for key in ("command", "args") for t in items(c.get(key)) if isinstance(t, str)]
            texts += [e.get("value") for e in items(c.get("env"))
                      if isinstance(e, dict) and isinstance(e.get("value"), str)]
            if any(number.search(t) for t in texts):
                return True
    return False


# --- family 3: pod specs ----------------------------------------------------------------------

def _pod_refs(obj: Any, ctx: Any = None) -> Sequence[Tuple[str, Pointer, Any]]:
    """(what, pointer, value) of every reference in the object's pod spec:
    what is configMapKeyRef, secretKeyRef, configMapRef, secretRef, configMap, secret,
    pvc, serviceAccount, priorityClass, imagePullSecret. A projected object (graph.slim)
    carries them, found in its whole data by the per-file stage (K8sObject.refs). Else worked
    out once per object and run (ctx.shared): five rules ask for them, one after the other
    (the engine runs an object's cross rules together), so only the last object's are kept:
    a memo of every object kept the whole data of every pod (the engine unpickles it for the
    object's rules only)."""
    refs = getattr(obj, "refs", None)
    if refs is not None and obj.full is not None:
        return refs
    shared = getattr(ctx, "shared", None)
    if shared is None:
        return _find_pod_refs(obj)
    data = obj.data
    found = shared.get("pod_refs")
    if found is None or found[0] is not data:
        # found ahead, while the files were linted (engine._GraphAhead), by id of the data of
        # objects kept to the end of the run
        ahead = shared.get("pod_refs_ahead")
        refs = ahead.get(id(data)) if ahead is not None else None
        found = shared["pod_refs"] = (data, _find_pod_refs(obj) if refs is None else refs)
    return found[1]


_KEY_REFS = ("configMapKeyRef", "secretKeyRef")
_FROM_REFS = ("configMapRef", "secretRef")


def _find_pod_refs(obj: Any) -> List[Tuple[str, Pointer, Any]]:
    # (one loop per list, no generator: this runs for every pod and workload of a run)
    found = pod_spec(obj)
    if found is None:
        return []
    base, spec = found
    out: List[Tuple[str, Pointer, Any]] = []
    add = out.append
    get_ = spec.get
    # containers(spec, base), inline: a container's pointer is made only for a reference
    for lkey in CONTAINER_LISTS:
        listed = get_(lkey)
        if listed.__class__ is not list and not isinstance(listed, list):
            continue
        for ci, c in enumerate(listed):
            if c.__class__ is not dict and not isinstance(c, dict):
                continue
            envs = c.get("env")
            if envs.__class__ is list or isinstance(envs, list):
                for i, env in enumerate(envs):
                    vf = env.get("valueFrom") if isinstance(env, dict) else None
                    if vf is not None and isinstance(vf, dict):
                        for key in _KEY_REFS:
                            ref = vf.get(key)
                            if ref is not None and isinstance(ref, dict):
                                add((key, base + (lkey, ci, "env", i, "valueFrom", key), ref))
            efs = c.get("envFrom")
            if efs is not None and isinstance(efs, list):
                for i, ef in enumerate(efs):
                    if isinstance(ef, dict):
                        for key in _FROM_REFS:
                            ref = ef.get(key)
                            if ref is not None and isinstance(ref, dict):
                                add((key, base + (lkey, ci, "envFrom", i, key), ref))
    vols = get_("volumes")
    if isinstance(vols, list):
        for i, vol in enumerate(vols):
            if not isinstance(vol, dict):
                continue
            vptr = base + ("volumes", i)
            if isinstance(vol.get("configMap"), dict):
                add(("configMap", vptr + ("configMap",), vol["configMap"]))
            if isinstance(vol.get("secret"), dict):
                add(("secret", vptr + ("secret",), vol["secret"]))
            if isinstance(vol.get("persistentVolumeClaim"), dict):
                add(("pvc", vptr + ("persistentVolumeClaim", "claimName"),
                     vol["persistentVolumeClaim"].get("claimName")))
            projected = vol.get("projected")
            if projected is not None:
                for j, src in enumerate(items(get(projected, ("sources",)))):
                    if isinstance(src, dict):
                        for key in ("configMap", "secret"):
                            if isinstance(src.get(key), dict):
                                add((key, vptr + ("projected", "sources", j, key), src[key]))
    pulls = get_("imagePullSecrets")
    if isinstance(pulls, list):
        for i, s in enumerate(pulls):
            if isinstance(s, dict):
                add(("imagePullSecret", base + ("imagePullSecrets", i, "name"), s.get("name")))
    for key in ("serviceAccountName", "serviceAccount"):
        if get_(key) is not None:
            add(("serviceAccount", base + (key,), get_(key)))
            break
    if get_("priorityClassName") is not None:
        add(("priorityClass", base + ("priorityClassName",), get_("priorityClassName")))
    return out


def config_references(obj: Any, ctx: Any) -> List[Violation]:
    """KL205: ConfigMaps and Secrets a pod reads (env, envFrom, volumes, projected volumes,
    imagePullSecrets), and the keys it reads from them; `optional: true` references aside."""
    out: List[Violation] = []
    g = graphmod.of(ctx)
    secrets = _secrets(ctx, g)
    for what, ptr, ref in _pod_refs(obj, ctx):
        if what == "imagePullSecret":
            v, found = dangling(ctx, g, "", "Secret", obj.namespace, ref, ptr, None, secrets,
                                referrer=obj)
            if v:
                out.append(v)
            for s in map(graphmod.whole, found[:1]):
                t = s.data.get("type")
                if t not in ("kubernetes.io/dockerconfigjson", "kubernetes.io/dockercfg"):
                    out.append(Violation(f"{pointer_to_k8s(ptr)}: Secret {s.name} is of type `{t or 'Opaque'}`"
                                         ", not kubernetes.io/dockerconfigjson: the kubelet cannot pull with it",
                                         ptr, related=((s, ("type",) if t else ("metadata", "name"), f"Secret {s.name}"),)))
            continue
        if what not in ("configMapKeyRef", "secretKeyRef", "configMapRef", "secretRef", "configMap", "secret"):
            continue
        if ref.get("optional") is True:
            continue
        kind = "ConfigMap" if what.startswith("configMap") else "Secret"
        name_field = "secretName" if what == "secret" else "name"
        name = ref.get(name_field)
        if kind == "ConfigMap" and isinstance(name, str) and name in PUBLISHED_CONFIGMAPS:
            continue
        # what dangling() finds when the name resolves (most references): asked directly
        found = g.resolve("", kind, obj.namespace, name, obj) \
            if name.__class__ is str and name else None
        if not found:
            v, found = dangling(ctx, g, "", kind, obj.namespace, name, ptr + (name_field,),
                                None, secrets if kind == "Secret" else None, referrer=obj)
            if v:
                out.append(v)
            if not found:
                continue
        wanted: List[Tuple[Pointer, Any]] = []
        if what.endswith("KeyRef"):
            wanted.append((ptr + ("key",), ref.get("key")))
        else:
            for j, it in enumerate(items(ref.get("items"))):
                if isinstance(it, dict):
                    wanted.append((ptr + ("items", j, "key"), it.get("key")))
        if not wanted:
            continue  # (the whole ConfigMap or Secret: no key to look up)
        # several of that name (alternatives side by side: calico's manifests/ has eight
        # calico-config ConfigMaps): the referrer's own file's; else a key is missing only
        # when none of them has it
        fields = ("data", "binaryData") if kind == "ConfigMap" else ("data", "stringData")
        own = [c for c in found if c.path == obj.path]
        candidates = [graphmod.whole(c) for c in (own[:1] or found)]
        if None in candidates:
            continue  # a file changed during the run: its keys are not known
        keysets = [_keys(c, fields) for c in candidates]
        if any(k is None for k in keysets):
            continue
        target, keys = candidates[0], keysets[0]
        for kptr, key in wanted:
            if isinstance(key, str) and all(key not in ks for ks in keysets):
                m = [c for c in [closest(key, sorted(k for k in keys if isinstance(k, str)))] if c]
                shown = ", ".join(f"`{k}`" for k in sorted(keys)[:5]) or "none"
                out.append(Violation(f"{pointer_to_k8s(kptr)}: {kind} {target.name} has no key `{key}`"
                                     + (f"; did you mean `{m[0]}`?" if m else f" (keys: {shown})"),
                                     kptr, related=((target, ("data",) if "data" in target.data else ("metadata", "name"),
                                                     f"{kind} {target.name}"),),
                                     hint="add the key, correct its name, or mark the reference `optional: true`"))
    return out


def _simple(ctx: Any, obj: Any, wanted: str, group: str, kind: str,
            skip: Sequence[str] = ()) -> List[Violation]:
    out: List[Violation] = []
    g = None  # (most pods have no such reference: the graph is not even asked for)
    for what, ptr, ref in _pod_refs(obj, ctx):
        if what == wanted and ref not in skip:
            if g is None:
                g = graphmod.of(ctx)
            if ref.__class__ is str and ref and g.resolve(group, kind, obj.namespace, ref, obj):
                continue  # it resolves (dangling()'s first answer, asked directly)
            v, _ = dangling(ctx, g, group, kind, obj.namespace, ref, ptr, None, referrer=obj)
            if v:
                out.append(v)
    return out


def service_account_reference(obj: Any, ctx: Any) -> List[Violation]:
    """KL206: serviceAccountName -> ServiceAccount (`default` always exists)."""
    return _simple(ctx, obj, "serviceAccount", "", "ServiceAccount", ("default",))


def volume_claim_reference(obj: Any, ctx: Any) -> List[Violation]:
    """KL207: persistentVolumeClaim.claimName -> PersistentVolumeClaim."""
    found = _simple(ctx, obj, "pvc", "", "PersistentVolumeClaim")
    if not found:  # (most pods: a list, no generator made and drained per pod)
        return found
    g = graphmod.of(ctx)
    return [v for v in found if not _statefulset_claim(g, obj.namespace, get(obj.data, v.pointer))]


def _statefulset_claim(g: Graph, namespace: str, name: Any) -> bool:
    """Whether `name` is a claim a StatefulSet of the namespace makes from one of its
    volumeClaimTemplates, `<template>-<statefulset>-<ordinal>` (sig-storage-local-static-
    provisioner's local-reader mounts local-vol-local-test-0, StatefulSet local-test's)."""
    head, _, ordinal = name.rpartition("-") if isinstance(name, str) else ("", "", "")
    if not ordinal.isdigit():
        return False
    for sts in g.objects_of("apps", "StatefulSet"):
        if sts.namespace != namespace or not head.endswith("-" + str(sts.name)):
            continue
        template = head[:-len(str(sts.name)) - 1]
        claims = get(graphmod.full_data(sts), ("spec", "volumeClaimTemplates"))
        if isinstance(claims, list) and any(
                isinstance(c, dict) and get(c, ("metadata", "name")) == template for c in claims):
            return True
    return False


def priority_class_reference(obj: Any, ctx: Any) -> List[Violation]:
    """KL208: priorityClassName -> PriorityClass (the two built-in classes aside)."""
    return _simple(ctx, obj, "priorityClass", "scheduling.k8s.io", "PriorityClass",
                   BUILTIN_PRIORITY_CLASSES)


# --- family 4: HorizontalPodAutoscaler ----------------------------------------------------------

def _hpa_target(obj: Any, g: Graph) -> Tuple[Optional[dict], List[Any]]:
    ref = get(obj.data, ("spec", "scaleTargetRef"))
    if not isinstance(ref, dict) or not isinstance(ref.get("kind"), str):
        return None, []
    return ref, g.resolve(_group(ref), ref["kind"], obj.namespace, ref.get("name"), obj) or []


def _group(ref: dict) -> str:
    api_version = ref.get("apiVersion")
    return graphmod.group_of(api_version if isinstance(api_version, str) else "")


def hpa_target(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL209: scaleTargetRef -> the workload it scales."""
    g = graphmod.of(ctx)
    ref, _ = _hpa_target(obj, g)
    if ref is None:
        return
    v, _ = dangling(ctx, g, _group(ref), ref["kind"], obj.namespace, ref.get("name"),
                    ("spec", "scaleTargetRef", "name"), "spec.scaleTargetRef", referrer=obj)
    if v:
        yield v


def hpa_resource_requests(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL210: a Resource/ContainerResource Utilization metric needs that resource's request
    in the target's containers (else the HPA reports `missing request for cpu`)."""
    g = graphmod.of(ctx)
    _, found = _hpa_target(obj, g)
    if not found:
        return
    target = graphmod.whole(found[0])
    ps = pod_spec(target) if target is not None else None
    if ps is None:
        return
    metrics: List[Tuple[Pointer, str, Optional[str]]] = []
    spec = obj.data.get("spec")
    if isinstance(spec, dict) and spec.get("targetCPUUtilizationPercentage") is not None:
        metrics.append((("spec", "targetCPUUtilizationPercentage"), "cpu", None))
    for i, m in enumerate(items(get(obj.data, ("spec", "metrics")))):
        if not isinstance(m, dict):
            continue
        for mtype, field in (("Resource", "resource"), ("ContainerResource", "containerResource")):
            r = m.get(field)
            if m.get("type") != mtype or not isinstance(r, dict):
                continue
            utilization = get(r, ("target", "type")) == "Utilization" or "targetAverageUtilization" in r
            if utilization and isinstance(r.get("name"), str):
                metrics.append(((("spec", "metrics", i, field, "name")), r["name"],
                                r.get("container") if mtype == "ContainerResource" else None))
    base, pspec = ps
    for ptr, resource, only in metrics:
        for key in ("containers",):
            for j, c in enumerate(items(pspec.get(key))):
                if not isinstance(c, dict) or (only is not None and c.get("name") != only):
                    continue
                requests = get(c, ("resources", "requests"))
                if not (isinstance(requests, dict) and resource in requests):
                    cname = c.get("name") or f"#{j}"
                    yield Violation(f"{pointer_to_k8s(ptr)}: the HPA scales on {resource} utilization, but "
                                    f"container `{cname}` of {target.kind} {target.name} requests no "
                                    f"{resource}: utilization cannot be computed", ptr,
                                    related=((target, base + (key, j), f"container {cname}"),),
                                    hint=f"set resources.requests.{resource} in every container")
                    break


def hpa_replicas_conflict(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL211: a workload that an HPA scales also sets spec.replicas."""
    spec = obj.data.get("spec")
    if not isinstance(spec, dict) or spec.get("replicas") is None:
        return
    g = graphmod.of(ctx)
    key = (graphmod.group_of(obj.api_version), obj.kind, obj.namespace, obj.name)
    # (an HPA means its own file's workload when several files define it: envoy gateway's
    # chart test outputs each render the Deployment, one of them with an HPA)
    hpa = next((h for h in _hpas_by_target(ctx, g).get(key, ())
                if g.same_unit(h, obj) and any(t is obj for t in g.resolve(*key, h) or ())), None)
    if hpa is not None:
        yield Violation(f"spec.replicas is set, but HorizontalPodAutoscaler {hpa.name} scales this "
                        f"{obj.kind}: every apply resets the replica count the HPA chose",
                        ("spec", "replicas"), at="key",
                        related=((hpa, ("spec", "scaleTargetRef"), f"HorizontalPodAutoscaler {hpa.name}"),),
                        hint="remove spec.replicas and let the HPA own it")


def _hpa_targets(ctx: Any) -> set:
    """hpa_replicas_conflict's candidates: the objects an HPA's scaleTargetRef names."""
    g = graphmod.of(ctx)
    out = set()
    for group, kind, namespace, name in _hpas_by_target(ctx, g):
        if isinstance(kind, str) and isinstance(name, str):
            out.update(id(o) for o in g.find(group, kind, namespace, name))
    return out


hpa_replicas_conflict.candidates = _hpa_targets  # type: ignore[attr-defined]


def _hpas_by_target(ctx: Any, g: Graph) -> Dict[Tuple[str, str, str, str], List[Any]]:
    memo = ctx.cache.get("hpas")
    if memo is None or memo[0] is not g:
        out: Dict[Tuple[str, str, str, str], List[Any]] = {}
        for hpa in g.objects_of("autoscaling", "HorizontalPodAutoscaler"):
            ref = get(hpa.data, ("spec", "scaleTargetRef"))
            if isinstance(ref, dict):
                key = (graphmod.group_of(str(ref.get("apiVersion") or "")), ref.get("kind"),
                       hpa.namespace, ref.get("name"))
                try:
                    out.setdefault(key, []).append(hpa)
                except TypeError:  # a kind or name that is a list or a map (KL010's)
                    continue
        memo = ctx.cache["hpas"] = (g, out)
    return memo[1]


# --- family 5: PodDisruptionBudget, NetworkPolicy -----------------------------------------------

def _selects_nothing(ctx: Any, g: Graph, obj: Any, selector: Any, ptr: Pointer,
                     what: str) -> Iterator[Violation]:
    if not isinstance(selector, dict):
        return
    if not g.has_pods(obj.namespace):
        if ctx.options.get("report-when-absent", False):
            yield Violation(f"{what} {_describe_selector(selector)} matches no pod: namespace "
                            f"`{obj.namespace}` of the input has none", ptr, at="key")
        return
    if g.select(obj.namespace, selector) or not g.complete(obj, _values(selector)):
        return
    if not g.has_pods(obj.namespace, obj) and not ctx.options.get("report-when-absent", False):
        return  # only other units (folders of alternatives) have pods here
    found = g.closest(obj.namespace, selector, obj, selector_misses)
    plain = selector.get("matchLabels") if not selector.get("matchExpressions") else None
    if g.operator_may_run(obj, plain, found):
        return
    message = (f"{what} {_describe_selector(selector)} matches no Pod or pod template in namespace "
               f"`{obj.namespace}` of the input")
    related = ()
    if found is not None:
        best, misses = found
        message += f"; closest: {best.describe} ({format_map(best.labels)}; {', '.join(misses)})"
        related = ((best.obj, best.pointer, f"closest candidate: {best.describe}"),)
    yield Violation(message, ptr, at="key", related=related,
                    hint="make the selector and the pod labels agree")


def _values(selector: dict) -> List[Any]:
    """The label values a LabelSelector's matchLabels want (for Graph.complete)."""
    labels = selector.get("matchLabels")
    return list(labels.values()) if isinstance(labels, dict) else []


def _describe_selector(selector: dict) -> str:
    from .labels import describe_expression

    parts = []
    ml = selector.get("matchLabels")
    if isinstance(ml, dict):
        parts.extend(f"{k}={v}" for k, v in ml.items())
    parts.extend(describe_expression(e) for e in items(selector.get("matchExpressions")))
    return "{" + ", ".join(parts) + "}"


def pdb_selects_nothing(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL212: a PodDisruptionBudget whose selector matches no pod."""
    selector = get(obj.data, ("spec", "selector"))
    if isinstance(selector, dict) and (selector.get("matchLabels") or selector.get("matchExpressions")):
        yield from _selects_nothing(ctx, graphmod.of(ctx), obj, selector, ("spec", "selector"),
                                    "PodDisruptionBudget selector")


def _percent(value: Any) -> Optional[float]:
    if isinstance(value, str) and value.endswith("%"):
        try:
            return float(value[:-1])
        except ValueError:
            return None
    return None


def pdb_no_eviction(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL213: a budget that allows no voluntary eviction: node drains hang."""
    spec = obj.data.get("spec")
    if not isinstance(spec, dict):
        return
    mu, ma = spec.get("maxUnavailable"), spec.get("minAvailable")
    if mu is not None and (mu == 0 and not isinstance(mu, bool) or _percent(mu) == 0):
        yield Violation(f"spec.maxUnavailable is {mu}: no pod may ever be evicted, so node drains "
                        "and cluster upgrades block on these pods", ("spec", "maxUnavailable"),
                        hint="allow at least one unavailable pod")
        return
    if ma is None:
        return
    if _percent(ma) is not None and _percent(ma) >= 100:
        yield Violation(f"spec.minAvailable is {ma}: no pod may ever be evicted, so node drains "
                        "block on these pods", ("spec", "minAvailable"), hint="use a lower percentage")
        return
    if not isinstance(ma, int) or isinstance(ma, bool):
        return
    selector = spec.get("selector")
    if not isinstance(selector, dict) or not (selector.get("matchLabels") or selector.get("matchExpressions")):
        return
    g = graphmod.of(ctx)
    pods = g.select(obj.namespace, selector)
    total = 0
    hpas = _hpas_by_target(ctx, g)
    for p in pods:
        o = p.obj
        if o.kind not in ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "Pod"):
            return  # replicas not known from the manifest (DaemonSet, Job, custom resources)
        if hpas.get((graphmod.group_of(o.api_version), o.kind, o.namespace, o.name)):
            return  # the HPA decides
        n = 1 if o.kind == "Pod" else get(o.data, ("spec", "replicas"))
        n = 1 if n is None else n
        if not isinstance(n, int) or isinstance(n, bool):
            return
        total += n
    if pods and ma >= total:
        first = pods[0]
        yield Violation(f"spec.minAvailable is {ma}, but the pods it selects number {total} "
                        f"({_owners(pods)}): no pod may ever be evicted",
                        ("spec", "minAvailable"),
                        related=((first.obj, ("spec", "replicas") if first.obj.kind != "Pod" else ("metadata", "name"),
                                  f"{first.describe}"),),
                        hint=f"set minAvailable below {total}, or use maxUnavailable: 1")


def network_policy_selects_nothing(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL214: spec.podSelector, and the podSelector of peers without a namespaceSelector,
    match no pod of the policy's namespace."""
    g = graphmod.of(ctx)
    sel = get(obj.data, ("spec", "podSelector"))
    if isinstance(sel, dict) and (sel.get("matchLabels") or sel.get("matchExpressions")):
        yield from _selects_nothing(ctx, g, obj, sel, ("spec", "podSelector"), "spec.podSelector")
    for pattern in (("spec", "ingress", "*", "from", "*"), ("spec", "egress", "*", "to", "*")):
        for ptr, peer in walk(obj.data, pattern):
            if not isinstance(peer, dict) or "namespaceSelector" in peer:
                continue
            sel = peer.get("podSelector")
            if isinstance(sel, dict) and (sel.get("matchLabels") or sel.get("matchExpressions")):
                yield from _selects_nothing(ctx, g, obj, sel, ptr + ("podSelector",),
                                            pointer_to_k8s(ptr + ("podSelector",)))


# --- family 6: StatefulSet serviceName -----------------------------------------------------------

def statefulset_service(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL215: serviceName -> a headless Service that selects the StatefulSet's pods."""
    g = graphmod.of(ctx)
    name = get(obj.data, ("spec", "serviceName"))
    ptr = ("spec", "serviceName")
    v, found = dangling(ctx, g, "", "Service", obj.namespace, name, ptr, "spec.serviceName", referrer=obj)
    if v:
        yield v
    if not found:
        return
    svc = found[0]  # (its projection has what is read here: graph.SHAPES)
    sspec = svc.data.get("spec") if isinstance(svc.data.get("spec"), dict) else {}
    if sspec.get("clusterIP") != "None":
        yield Violation(f"spec.serviceName: Service {name} is not headless (clusterIP: None): the "
                        "pods get no stable DNS names", ptr,
                        related=((svc, ("spec",), f"Service {name}"),), hint="set clusterIP: None on the Service")
        return
    selector = sspec.get("selector")
    if not isinstance(selector, dict) or not selector:
        return
    mine = [p for p in g.select_map(obj.namespace, selector) if p.obj is obj or
            (p.obj.path, p.obj.doc, p.obj.item) == (obj.path, obj.doc, obj.item)]
    if not mine:
        labels = get(obj.data, ("spec", "template", "metadata", "labels"))
        misses = map_misses(selector, PodSource(obj, labels if isinstance(labels, dict) else {}, (),
                                                frozenset(graphmod.CONTROLLER_LABELS["StatefulSet"]), None, ()))
        yield Violation(f"spec.serviceName: Service {name}'s selector {format_map(selector)} does "
                        f"not select this StatefulSet's pods ({', '.join(misses)})", ptr,
                        related=((svc, ("spec", "selector"), f"selector of Service {name}"),),
                        hint="make the Service's selector match the pod template labels")


# --- family 7: RBAC ------------------------------------------------------------------------------

def rbac_references(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL216: roleRef -> Role/ClusterRole; ServiceAccount subjects -> ServiceAccount."""
    g = graphmod.of(ctx)
    ref = obj.data.get("roleRef")
    if isinstance(ref, dict) and ref.get("kind") in ("Role", "ClusterRole"):
        name = ref.get("name")
        builtin = isinstance(name, str) and (name.startswith("system:") or (
            name in BUILTIN_CLUSTER_ROLES if ref["kind"] == "ClusterRole" else
            name in BUILTIN_ROLES and obj.namespace in ("kube-system", "kube-public")))
        if not builtin:
            v, _ = dangling(ctx, g, "rbac.authorization.k8s.io", ref["kind"], obj.namespace, name,
                            ("roleRef", "name"), "roleRef", referrer=obj)
            if v:
                yield v
    missing, resolved = [], False
    for i, s in enumerate(items(obj.data.get("subjects"))):
        if not isinstance(s, dict) or s.get("kind") != "ServiceAccount" or s.get("name") == "default":
            continue
        ns = s.get("namespace") or (obj.namespace if obj.kind == "RoleBinding" else None)
        if not isinstance(ns, str) or ns == "kube-system" and s.get("name") in KUBE_SYSTEM_ACCOUNTS:
            continue
        v, found = dangling(ctx, g, "", "ServiceAccount", ns, s.get("name"), ("subjects", i, "name"),
                            f"subjects[{i}]", referrer=obj)
        resolved = resolved or bool(found)
        if v:
            missing.append(v)
    for v in missing:
        # A binding whose other subjects exist names the rest for components not installed
        # (Flux's generated crd-controller binding lists the image automation controllers):
        # of those, only a likely typo (a near miss of an existing name) is reported
        if not resolved or v.related:
            yield v


# --- family 8: identity and collisions -----------------------------------------------------------

def duplicate_object(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL217: the same group/kind/namespace/name twice in the input."""
    # It runs for every object of the run, and few have a twin: an object of the run (the
    # engine hands over its projection as it is, graph.PROJECTION_ENOUGH) whose data is not
    # that of a duplicated identity is let go with two set lookups
    memo = ctx.cache.get("duplicates")
    if memo is None or memo[0] is not ctx.objects:
        g = graphmod.of(ctx)
        memo = ctx.cache["duplicates"] = (ctx.objects, {id(o.data) for o in ctx.objects}, {
            id(o.data) for _, same in g.identities() if len(same) > 1 for o in same})
    key = id(obj.data)
    if key in memo[1] and key not in memo[2]:
        return
    if not obj.name or not obj.kind:
        return
    g = graphmod.of(ctx)
    same = g.find(graphmod.group_of(obj.api_version), obj.kind, obj.namespace, obj.name)
    if len(same) < 2:
        return
    if not ctx.options.get("across-files", False):
        # Within one file (or one kustomize/Helm rendering) a duplicate is certainly applied
        # together; across files it is as often a folder of alternatives (install bundles,
        # examples) never applied at once: on real repositories those were most findings.
        same = [o for o in same if o.path == obj.path and g.same_unit(o, obj)]
        if len(same) < 2:
            return
    first = same[0]
    if first is obj or (first.path, first.doc, first.item) == (obj.path, obj.doc, obj.item):
        return  # (the graph holds the projection of the object the engine checks: graph.slim)
    if "kubelint:stub" not in obj.data:
        mine, theirs = graphmod.full_data(obj), graphmod.full_data(first)
        if mine is None or theirs is None or mine == theirs:
            # the same object twice (alternative bundles side by side): nothing is lost; or
            # one that cannot be read back (its file changed during the run): nothing claimed
            return
    where = "" if obj.kind in graphmod.CLUSTER_SCOPED else f" in namespace `{obj.namespace}`"
    at = f"{first.path}" if first.path != obj.path else _same_place(obj.path)
    yield Violation(f"{obj.kind} {obj.name}{where} is already defined ({at}): kubectl apply "
                    "keeps only the last one", ("metadata", "name"),
                    related=((first, ("metadata", "name"), f"first definition of {obj.kind} {obj.name}"),),
                    hint="rename one, or remove the duplicate")


def _same_place(path: str) -> str:
    """How a message names the place both duplicates are in. A rendering's stand-in path is
    its kustomization file (or a chart's templates folder), while the findings move to the
    source files that wrote each object: "this file" would name the wrong one."""
    base = os.path.basename(path)
    if base in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
        return "in the same kustomize build"
    if base == "templates":
        return "in the same chart's output"
    return "this file"


def _duplicates(ctx: Any) -> set:
    """duplicate_object's candidates: the objects whose identity the input holds twice."""
    return {id(o) for o in graphmod.of(ctx).duplicated()}


duplicate_object.candidates = _duplicates  # type: ignore[attr-defined]


def duplicate_node_port(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL218: two Services with the same nodePort (cluster-wide)."""
    g = graphmod.of(ctx)
    first = _node_ports(ctx, g)[0]
    for i, p in enumerate(items(get(obj.data, ("spec", "ports")))):
        n = p.get("nodePort") if isinstance(p, dict) else None
        if not isinstance(n, int) or isinstance(n, bool):
            continue
        owner = first.get((g.unit(obj), n))  # alternatives in other units never meet
        if owner is None or owner[0] is obj or owner[0].ref == obj.ref:
            continue  # the first user, or a duplicate object (KL217 reports it)
        other = owner[0]
        yield Violation(f"spec.ports[{i}].nodePort: {n} is already used by Service "
                        f"{other.namespace}/{other.name}: the API server rejects the second "
                        "(`provided port is already allocated`)", ("spec", "ports", i, "nodePort"),
                        related=((other, ("spec", "ports", owner[1], "nodePort"), f"Service {other.name}"),),
                        hint="pick another nodePort, or leave it out to get a free one")


def _node_ports(ctx: Any, g: Graph) -> Tuple[Dict[Any, Tuple[Any, int]], set]:
    """(unit, nodePort) -> (the first Service of the run that uses it, its port index); and
    the ids of the Services with a nodePort a Service before them uses (the only ones
    duplicate_node_port can report: its candidates)."""
    return g.node_ports, g.node_port_sharers  # (indexed as the graph is built)


def _port_sharers(ctx: Any) -> set:
    """duplicate_node_port's candidates (it runs on built-in Services, which are all among
    the graph's core Services)."""
    return _node_ports(ctx, graphmod.of(ctx))[1]


duplicate_node_port.candidates = _port_sharers  # type: ignore[attr-defined]


_OVERLAP_KINDS = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "ReplicationController")


def overlapping_selectors(obj: Any, ctx: Any) -> List[Violation]:
    """KL219: a workload whose selector also matches another workload's pods."""
    out: List[Violation] = []
    selector = get(obj.data, ("spec", "selector"))
    if not isinstance(selector, dict) or not selector:
        return out
    g = graphmod.of(ctx)
    rc = obj.kind == "ReplicationController"
    if rc:
        pods = g.select_map(obj.namespace, selector)
    elif selector.get("matchLabels") or selector.get("matchExpressions"):
        pods = g.select(obj.namespace, selector)
    else:
        return out
    me = across = None
    for p in pods:
        o = p.obj
        if o is obj:
            continue  # itself (the common case: a workload selects its own template)
        if me is None:
            me = (obj.path, obj.doc, obj.item)
            across = ctx.options.get("across-files", False)
        if o.kind not in _OVERLAP_KINDS or (o.path, o.doc, o.item) == me or o.ref == obj.ref \
                or not (g.applied_together(o, obj) or across and g.same_unit(o, obj)):
            continue  # itself, a duplicate (KL217), or a possible alternative
        # report a mutual overlap once, on the later of the two
        theirs = get(o.data, ("spec", "selector"))
        mutual = isinstance(theirs, dict) and _selects(theirs, o.kind, obj)
        if mutual and (o.path, o.doc, o.item or 0) > (obj.path, obj.doc, obj.item or 0):
            continue
        out.append(Violation(f"spec.selector {_describe(selector, rc)} also matches the pods of {o.kind} "
                             f"{o.name}: what selects by either selector (an autoscaler's metrics, a disruption "
                             "budget, `kubectl -l`) counts both workloads' pods", ("spec", "selector"), at="key",
                             related=((o, p.pointer, f"pod labels of {o.kind} {o.name}"),),
                             hint="give each workload a label of its own and select on it"))
        return out
    return out


def _selects(selector: dict, kind: str, obj: Any) -> bool:
    labels = get(obj.data, ("spec", "template", "metadata", "labels"))
    pod = PodSource(obj, labels if isinstance(labels, dict) else {}, (),
                    frozenset(graphmod.CONTROLLER_LABELS.get(obj.kind, ())), None, ())
    return not (map_misses(selector, pod) if kind == "ReplicationController" else selector_misses(selector, pod))


def _describe(selector: dict, plain: bool) -> str:
    return "{" + format_map(selector) + "}" if plain else _describe_selector(selector)
