"""Object metadata, as ValidateObjectMeta (apimachinery/pkg/api/validation/objectmeta.go)
checks it: names, label and annotation keys and values, namespaces."""

from __future__ import annotations

from typing import Any, Iterator, List

from ..model import Violation
from ..placeholders import filled
from ..suppress import METADATA_PATHS
from .k8s import (builtin_kind, dns1035_label, dns1123_label, dns1123_subdomain, get, invalid,
                  known_valid_labels, label_map, only_kinds, path_segment_name,
                  placeholder_key_errors, pod_spec, qualified_name)
from .k8s import _VALID_KEYS

# ValidateObjectMeta's name function per kind; everything else built in is a DNS subdomain.
_NAME_RULES = {
    "Namespace": ("DNS-1123 label", dns1123_label),
    "Service": ("DNS-1035 label", dns1035_label),
    "Role": ("path segment", path_segment_name),
    "ClusterRole": ("path segment", path_segment_name),
    "RoleBinding": ("path segment", path_segment_name),
    "ClusterRoleBinding": ("path segment", path_segment_name),
}

# Built-in kinds without a namespace (kubectl api-resources --namespaced=false).
CLUSTER_SCOPED = frozenset({
    "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding", "StorageClass",
    "CustomResourceDefinition", "PriorityClass", "IngressClass", "RuntimeClass",
    "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding",
    "CSIDriver", "CSINode", "VolumeAttachment", "APIService", "CertificateSigningRequest",
    "ClusterTrustBundle", "ComponentStatus", "FlowSchema", "PriorityLevelConfiguration",
    "DeviceClass", "ResourceSlice", "IPAddress", "ServiceCIDR", "StorageVersion",
    "StorageVersionMigration", "VolumeAttributesClass",
})

TOTAL_ANNOTATION_SIZE = 256 * 1024


def object_name(obj: Any, ctx: Any) -> List[Violation]:
    """KL104: name or generateName, in the format the kind requires; the namespace a
    DNS-1123 label (ValidateObjectMetaAccessor, ValidateNamespaceName)."""
    out: List[Violation] = []
    meta = obj.data.get("metadata")
    if not isinstance(meta, dict):
        meta = {}
    kind = builtin_kind(obj)
    if meta.get("namespace"):
        out.extend(_namespace(kind, meta))
    name, generate = meta.get("name"), meta.get("generateName")
    if not name and not generate:
        out.append(Violation("metadata.name: Required value: name or generateName is required",
                             ("metadata",) if "metadata" in obj.data else (), at="key"))
        return out
    if isinstance(name, str) and name:
        # custom resources: always a subdomain (apiextensions-apiserver's validator)
        what, fn = _NAME_RULES.get(kind, ("DNS-1123 subdomain", dns1123_subdomain))
        errors = fn(filled(name))
        if not errors and kind == "CronJob" and len(name) > _CRONJOB_NAME_MAX:
            errors = [f"must be no more than {_CRONJOB_NAME_MAX} characters"]
            what = f"DNS-1123 subdomain of at most {_CRONJOB_NAME_MAX} characters (each Job " \
                   "gets the name plus an 11-character suffix)"
        if not errors and kind == "Job" and len(name) > 63 and \
                get(obj.data, ("spec", "manualSelector")) is not True:
            # the Job strategy labels the pod template with batch.kubernetes.io/job-name=<name>
            # (PrepareForCreate), and label values have at most 63 characters (ValidateJob)
            errors = ["must be no more than 63 characters (it becomes the value of the pods' "
                      "batch.kubernetes.io/job-name label)"]
            what = "DNS-1123 subdomain of at most 63 characters"
        if errors:
            out.append(Violation(invalid("metadata.name", name, errors), ("metadata", "name"),
                                 hint=f"{obj.kind} names must be a {what}"
                                      + (f"; try {_suggest(name)!r}" if _suggest(name) != name else "")))
    return out


# The controller appends an 11-character suffix (`-<timestamp>`) to a CronJob's name for
# each Job, whose name must fit a 63-character label (ValidateCronJobCreate).
_CRONJOB_NAME_MAX = 52


def _namespace(kind: str, meta: dict) -> List[Violation]:
    """`kind`: builtin_kind() of the object. (A list, not a generator: this runs for every
    object with a namespace.)"""
    namespace = meta.get("namespace")
    # Cluster-scoped kinds: the API server clears the namespace (KL106 says so). Custom
    # resources: their scope is the CRD's, which this per-object check does not know.
    if not isinstance(namespace, str) or not namespace or not kind or kind in CLUSTER_SCOPED:
        return []
    errors = dns1123_label(namespace)
    if not errors:
        return []
    guess = _suggest(namespace.replace(".", "-"))[:63]
    return [Violation(invalid("metadata.namespace", namespace, errors), ("metadata", "namespace"),
                      hint="namespace names are DNS-1123 labels"
                           + (f"; try {guess!r}" if guess != namespace else ""))]


def _suggest(name: str) -> str:
    out = "".join(c if c.isalnum() or c in "-." else "-" for c in name.lower())
    return out.strip("-.") or name


def labels_and_annotations(obj: Any, ctx: Any) -> List[Violation]:
    """KL105: label keys and values, annotation keys and total size, on the object and on its
    pod template; the pod spec's nodeSelector. Inside a custom resource a `spec.template` is
    not a built-in pod template: the API server checks only the object's own metadata there."""
    out: List[Violation] = []
    found = pod_spec(obj)
    if found is not None:
        selector = found[1].get("nodeSelector")
        if selector is not None and not known_valid_labels(selector):
            out.extend(_node_selector(obj))
    for base, where, labels_ptr, labels_where in \
            _METADATA if getattr(obj, "builtin", True) else _METADATA[:1]:
        meta = obj.data
        for part in base:
            meta = meta.get(part) if isinstance(meta, dict) else None
        if not isinstance(meta, dict):
            continue
        labels = meta.get("labels")
        if labels is not None and not known_valid_labels(labels):
            out.extend(label_map(labels, labels_ptr, labels_where))
        annotations = meta.get("annotations")
        if isinstance(annotations, dict):
            if not _VALID_KEYS.issuperset(annotations):  # (keys found valid before: no call)
                for key in annotations:
                    errors = qualified_name(key)
                    if errors:
                        errors = placeholder_key_errors(key, errors)
                    if errors:
                        out.append(Violation(invalid(f"{where}.annotations", key, errors),
                                             base + ("annotations", key), at="key"))
            chars = 0
            for key, value in annotations.items():
                chars += len(key) + (len(value) if isinstance(value, str) else 0)
            # UTF-8 takes at most 4 bytes a character: encoded only when the limit may be passed
            size = chars if chars * 4 <= TOTAL_ANNOTATION_SIZE else sum(
                len(key.encode()) + (len(value.encode()) if isinstance(value, str) else 0)
                for key, value in annotations.items())
            if size > TOTAL_ANNOTATION_SIZE:
                out.append(Violation(f"{where}.annotations: Too long: must have at most "
                                     f"{TOTAL_ANNOTATION_SIZE} bytes (found {size})", base + ("annotations",), at="key"))
    return out


# METADATA_PATHS with their texts: (path, "spec.template.metadata", labels path, its text)
_METADATA = tuple((base, ".".join(base), base + ("labels",), ".".join(base) + ".labels")
                  for base in METADATA_PATHS)


def _node_selector(obj: Any) -> Iterator[Violation]:
    """ValidatePodSpec: nodeSelector is a label map (ValidateLabels)."""
    found = pod_spec(obj)
    if found is not None:
        base = found[0] + ("nodeSelector",)
        yield from label_map(found[1].get("nodeSelector"), base, ".".join(base))


@only_kinds(CLUSTER_SCOPED)
def cluster_scoped_namespace(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL106: metadata.namespace on a kind that has no namespace."""
    meta = obj.data.get("metadata")
    if builtin_kind(obj) in CLUSTER_SCOPED and isinstance(meta, dict) and meta.get("namespace"):
        yield Violation(f"{obj.kind} is cluster-scoped: metadata.namespace "
                        f"\"{meta['namespace']}\" is ignored or rejected, depending on the client",
                        ("metadata", "namespace"), at="key", hint="remove metadata.namespace")
