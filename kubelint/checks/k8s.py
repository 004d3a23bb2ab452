"""What several checks need: where pod specs live, walking field patterns, and the name and
value formats of Kubernetes' apimachinery validation (k8s.io/apimachinery/pkg/util/validation),
with the API server's own wording."""

from __future__ import annotations

from typing import Any, Callable, Iterator, List, Optional, Tuple

from ..lazyre import LazyRegex
from ..model import Pointer, Violation
from ..placeholders import filled

# Where each kind keeps its pod spec.
POD_SPEC_PATHS = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    "Deployment": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")


def only_kinds(kinds: Any) -> Callable[[Any], Any]:
    """Marks a per-object check that finds nothing in objects of other kinds, nor in custom
    resources (it reads them through pod_spec() or builtin_kind()): the engine leaves it out
    for those once per kind (engine.Linter._checks_for) instead of calling it per object."""
    def mark(fn: Any) -> Any:
        fn.kinds = frozenset(kinds)
        return fn

    return mark


def items(value: Any) -> list:
    """`value` if it is a list, else []: checks iterate what the schema says is a list, and a
    manifest may hold anything there (the schema reports the wrong type)."""
    return value if isinstance(value, list) else []


def get(data: Any, pointer: Pointer) -> Any:
    for part in pointer:
        if data.__class__ is dict or isinstance(data, dict):  # (plain dicts: no call)
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data


def builtin_kind(obj: Any) -> str:
    """The kind of a built-in object; "" for a custom resource, whose `Service` or
    `Deployment` is not the built-in one (knative's serving.knative.dev/v1 Service)."""
    try:
        builtin = obj.builtin
    except AttributeError:  # not a K8sObject: taken as built in
        builtin = True
    return obj.kind if builtin else ""


# The per-object rules run one object at a time, a dozen of them asking for the same pod spec
# and containers: the last answer is kept (with a reference to the data it was computed from,
# which checks never modify, so identity is a safe key).
_LAST_SPEC: list = [None, None, None]
_LAST_CONTAINERS: list = [None, None, ()]


def pod_spec(obj: Any) -> Optional[Tuple[Pointer, dict]]:
    """(pointer, pod spec) of a Pod or a workload's template; None for other kinds and for
    custom resources."""
    data = obj.data
    builtin = getattr(obj, "builtin", True)
    last = _LAST_SPEC
    if last[0] is data and last[1] is builtin:
        return last[2]
    path = POD_SPEC_PATHS.get(builtin_kind(obj))
    found = None
    if path is not None:
        spec = get(data, path)
        found = (path, spec) if isinstance(spec, dict) else None
    last[0], last[1], last[2] = data, builtin, found
    return found


def containers(spec: dict, base: Pointer) -> Tuple[Tuple[Pointer, dict], ...]:
    """(pointer, container) of every init, regular and ephemeral container."""
    last = _LAST_CONTAINERS
    if last[0] is spec and last[1] == base:
        return last[2]
    out = []
    for key in CONTAINER_LISTS:
        items = spec.get(key)
        if isinstance(items, list):
            for i, c in enumerate(items):
                if isinstance(c, dict):
                    out.append((base + (key, i), c))
    found = tuple(out)
    last[0], last[1], last[2] = spec, base, found
    return found


def pod_containers(obj: Any) -> Tuple[Tuple[Pointer, dict], ...]:
    """(pointer, container) of every container of the object's pod spec, if it has one."""
    found = pod_spec(obj)
    return containers(found[1], found[0]) if found is not None else ()


def walk(data: Any, pattern: Tuple[Any, ...], base: Pointer = ()) -> Iterator[Tuple[Pointer, Any]]:
    """Values at `pattern`, where "*" stands for every item of a list, in document order.
    Level by level rather than by recursive generators: most patterns end early (a field
    that is absent), and this is one of the hottest loops of a run."""
    level = [(base, data)]
    for head in pattern:
        if head == "*":
            level = [(ptr + (i,), item) for ptr, value in level if isinstance(value, list)
                     for i, item in enumerate(value)]
        else:
            level = [(ptr + (head,), value[head]) for ptr, value in level
                     if isinstance(value, dict) and head in value]
        if not level:
            break
    return iter(level)


def is_ip(value: str) -> bool:
    """netutils.ParseIPSloppy: IPv4 (leading zeros allowed) or IPv6."""
    if ":" not in value and not value.replace(".", "").isdigit():
        # not IPv6 (no colon), and something other than digits and dots: neither form below
        # (ipaddress raised two exceptions for every host name, ~5 us)
        return False
    import ipaddress  # only when a pod has dnsConfig or an Ingress a host

    try:
        ipaddress.ip_address(value)
        return True
    except ValueError:
        parts = value.split(".")
        return len(parts) == 4 and all(p.isdigit() and int(p) <= 255 for p in parts)


def port_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535


# --- formats (k8s.io/apimachinery/pkg/util/validation/validation.go) ---------------------------

_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_LABEL = LazyRegex(rf"^{_LABEL}$")
DNS1123_SUBDOMAIN = LazyRegex(rf"^{_LABEL}(\.{_LABEL})*$")
DNS1035_LABEL = LazyRegex(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_QUALIFIED_NAME = LazyRegex(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = LazyRegex(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_IANA_SVC_NAME = LazyRegex(r"^[-a-z0-9]+$")
_C_IDENTIFIER = LazyRegex(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
_CONFIG_KEY = LazyRegex(r"^[-._a-zA-Z0-9]+$")
_PRINTABLE_NOT_EQUALS = LazyRegex(r"[\x20-\x3c\x3e-\x7e]+\Z")  # printable ASCII but '='



# Names, label keys and values repeat across objects (app.kubernetes.io/name, "web", "TCP"):
# a string found valid is remembered (bounded), so the next check of it is a set lookup.
_VALID_MAX = 50_000


def _remember_valid(fn: Callable[[str], List[str]]) -> Callable[[str], List[str]]:
    valid: set = set()

    def check(value: str) -> List[str]:
        if value in valid:
            return []
        errors = fn(value)
        if errors and ("$" in value or "{{" in value):
            # a placeholder stands for a valid word: only the text around it can be wrong
            # (a volume `${APP}-data`, an externalName `printer.${INTERNAL_DOMAIN}`)
            errors = fn(filled(value))
        if not errors:
            if len(valid) >= _VALID_MAX:
                valid.clear()
            valid.add(value)
        return errors

    check.__name__, check.__doc__ = fn.__name__, fn.__doc__
    check.valid = valid  # type: ignore[attr-defined]  # (known_valid_labels reads it)
    return check


@_remember_valid
def dns1123_label(value: str) -> List[str]:
    errs = []
    if len(value) > 63:
        errs.append("must be no more than 63 characters")
    if not DNS1123_LABEL.match(value):
        errs.append("a lowercase RFC 1123 label must consist of lower case alphanumeric characters "
                    "or '-', and must start and end with an alphanumeric character (e.g. 'my-name')")
    return errs


@_remember_valid
def dns1123_subdomain(value: str) -> List[str]:
    errs = []
    if len(value) > 253:
        errs.append("must be no more than 253 characters")
    if not DNS1123_SUBDOMAIN.match(value):
        errs.append("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                    "characters, '-' or '.', and must start and end with an alphanumeric character "
                    "(e.g. 'example.com')")
    return errs


@_remember_valid
def dns1035_label(value: str) -> List[str]:
    errs = []
    if len(value) > 63:
        errs.append("must be no more than 63 characters")
    if not DNS1035_LABEL.match(value):
        errs.append("a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
                    "start with an alphabetic character, and end with an alphanumeric character "
                    "(e.g. 'my-name')")
    return errs


def path_segment_name(value: str) -> List[str]:
    if value in (".", ".."):
        return [f"may not be '{value}'"]
    bad = [c for c in ("/", "%") if c in value]
    return [f"may not contain '{c}'" for c in bad]


@_remember_valid
def qualified_name(value: str) -> List[str]:
    """A label or annotation key: an optional DNS subdomain prefix and '/', then a name."""
    errs = []
    prefix, slash, name = value.rpartition("/")
    if slash:
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs.extend("prefix part " + e for e in dns1123_subdomain(prefix))
    if not name:
        errs.append("name part must be non-empty")
    else:
        if len(name) > 63:
            errs.append("name part must be no more than 63 characters")
        if not _QUALIFIED_NAME.match(name):
            errs.append("name part must consist of alphanumeric characters, '-', '_' or '.', and "
                        "must start and end with an alphanumeric character (e.g. 'MyName', "
                        "'my.name', or '123-abc')")
    if value.count("/") > 1:
        errs = ["a qualified name must consist of alphanumeric characters, '-', '_' or '.', with "
                "an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
    return errs


@_remember_valid
def label_value(value: str) -> List[str]:
    errs = []
    if len(value) > 63:
        errs.append("must be no more than 63 characters")
    if not _LABEL_VALUE.match(value):
        errs.append("a valid label must be an empty string or consist of alphanumeric characters, "
                    "'-', '_' or '.', and must start and end with an alphanumeric character")
    return errs


_VALID_KEYS: set = qualified_name.valid  # type: ignore[attr-defined]
_VALID_VALUES: set = label_value.valid  # type: ignore[attr-defined]


@_remember_valid
def iana_svc_name(value: str) -> List[str]:
    errs = []
    if len(value) > 15:
        errs.append("must be no more than 15 characters")
    if not _IANA_SVC_NAME.match(value):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if "--" in value:
        errs.append("must not contain consecutive hyphens")
    if not any(c.isalpha() for c in value):
        errs.append("must contain at least one letter (a-z)")
    if value.startswith("-") or value.endswith("-"):
        errs.append("must not begin or end with a hyphen")
    return errs


def env_var_name(value: str, relaxed: bool) -> List[str]:
    """Kubernetes 1.32 relaxed the rule (RelaxedEnvironmentVariableValidation, beta and on
    by default in 1.32, GA in 1.34): any printable ASCII but '='. Before, a C identifier
    that may also contain '-' and '.'."""
    return (_relaxed_env_var_name if relaxed else _env_var_name)(value)


@_remember_valid
def _relaxed_env_var_name(value: str) -> List[str]:
    return _env_var_name_errors(value, True)


@_remember_valid
def _env_var_name(value: str) -> List[str]:
    return _env_var_name_errors(value, False)


def _env_var_name_errors(value: str, relaxed: bool) -> List[str]:
    if relaxed:
        if not _PRINTABLE_NOT_EQUALS.match(value):
            return ["a valid environment variable name must consist only of printable ASCII "
                    "characters other than '='"]
        return []
    if not _C_IDENTIFIER.match(value):
        return ["a valid environment variable name must consist of alphabetic characters, "
                "digits, '_', '-', or '.', and must not start with a digit"]
    return []


def local_descending_path(value: str) -> List[str]:
    """validateLocalDescendingPath: a relative path that never steps up (subPath,
    localhostProfile)."""
    errs = []
    if value.startswith("/"):
        errs.append("must be a relative path")
    if ".." in value.split("/"):  # Go's filepath.ToSlash leaves '\\' alone on Linux
        errs.append("must not contain '..'")
    return errs


def config_key(value: str) -> List[str]:
    errs = []
    if len(value) > 253:
        errs.append("must be no more than 253 characters")
    if not _CONFIG_KEY.match(value):
        errs.append("a valid config key must consist of alphanumeric characters, '-', '_' or '.'")
    if value == ".":
        errs.append("must not be '.'")
    elif value == "..":
        errs.append("must not be '..'")
    elif value.startswith(".."):
        errs.append("must not start with '..'")
    return errs


def known_valid_labels(labels: Any) -> bool:
    """A label map each key and value of which qualified_name and label_value have found
    valid already (most maps, from the second object on): label_map finds nothing in it.
    Two set tests in C rather than two Python calls per label."""
    try:
        return labels.__class__ is dict and _VALID_KEYS.issuperset(labels) and \
            _VALID_VALUES.issuperset(labels.values())
    except TypeError:  # a value that is a list or a map: label_map says nothing of it
        return False


def label_map(labels: Any, base: Pointer, where: str) -> Iterator[Violation]:
    """Violations of a {label key: value} map (metadata.labels, matchLabels) at `base`."""
    if not isinstance(labels, dict) or known_valid_labels(labels):
        return
    for key, value in labels.items():
        errors = qualified_name(key)
        if errors:
            errors = placeholder_key_errors(key, errors)
        if errors:
            yield Violation(invalid(where, key, errors), base + (key,), at="key")
        if isinstance(value, str):
            # (a placeholder stands for a valid word, `${APP}-web`, an Argo Workflows parameter
            # `{{workflow.parameters.ns}}_pod-delete`: _remember_valid's validators fill it in)
            errors = label_value(value)
            if errors:
                yield Violation(invalid(where, value, errors), base + (key,))


def placeholder_key_errors(key: Any, errors: List[str]) -> List[str]:
    """`errors` (qualified_name's, which fills placeholders in) of a label or annotation key,
    none for a key that opens a placeholder its value closes: that is one placeholder,
    `${ROLE/#arn/eks.amazonaws.com/role-arn: arn}`, drone/envsubst's prefix substitution
    writing a whole annotation (cluster-api-provider-aws)."""
    return [] if isinstance(key, str) and key[:2] == "${" and "}" not in key else errors


def invalid(where: str, value: Any, errors: List[str]) -> str:
    """The API server's sentence: `metadata.name: Invalid value: "x": <reasons>`."""
    shown = f'"{value}"' if isinstance(value, str) else str(value)
    return f"{where}: Invalid value: {shown}: {'; '.join(errors)}"
