"""CustomResourceDefinitions -> JSON schemas for their custom resources, and the checks the
API server makes on CRDs themselves (apiextensions-apiserver's validation).

A CRD's `openAPIV3Schema` is OpenAPI v3 with Kubernetes extensions; it becomes JSON Schema:
  nullable: true                          -> the type also admits null
  x-kubernetes-int-or-string: true        -> integer or string
  x-kubernetes-preserve-unknown-fields    -> unknown fields kept (never an error)
  x-kubernetes-embedded-resource: true    -> apiVersion and kind required, metadata allowed
  (pruning) an object with `properties`   -> unknown fields are errors in strict mode, as the
            and none of the above            API server's field validation reports them
apiVersion, kind and metadata are always allowed at the top level.
"""

from __future__ import annotations

import json
import re
import os
from typing import Any, Dict, Iterable, Iterator, List, Optional, Set, Tuple

from .model import Violation

CRD_API = "apiextensions.k8s.io/v1"
TYPES = ("object", "array", "string", "integer", "number", "boolean")


def is_crd(data: Any) -> bool:
    return isinstance(data, dict) and data.get("kind") == "CustomResourceDefinition" and \
        isinstance(data.get("apiVersion"), str) and data["apiVersion"].startswith("apiextensions.k8s.io/")


def to_json_schema(node: Any, strict: bool, top: bool = False, junctor: bool = False) -> Any:
    """`junctor`: inside allOf/anyOf/oneOf/not, whose branches only restrict the values of
    fields declared beside them (structural schemas): they never make a field unknown."""
    if not isinstance(node, dict):
        return node
    out: Dict[str, Any] = {}
    for key, value in node.items():
        if key.startswith("x-kubernetes-") or key in ("nullable", "example", "externalDocs"):
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {k: to_json_schema(v, strict, junctor=junctor) for k, v in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = to_json_schema(value, strict, junctor=junctor)
        elif key == "not" and isinstance(value, dict):
            out[key] = to_json_schema(value, strict, junctor=True)
        elif key in ("allOf", "anyOf", "oneOf") and isinstance(value, list):
            out[key] = [to_json_schema(v, strict, junctor=True) for v in value]
        else:
            out[key] = value
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = out.get("anyOf", []) + [{"type": "integer"}, {"type": "string"}]
    if node.get("nullable") and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    if node.get("x-kubernetes-embedded-resource"):
        props = _properties(out)
        props.setdefault("apiVersion", {"type": "string"})
        props.setdefault("kind", {"type": "string"})
        props["metadata"] = _object_meta(props.get("metadata"))
        out["required"] = sorted(set(out.get("required", [])) | {"apiVersion", "kind"})
    if top:
        props = _properties(out)
        props.setdefault("apiVersion", {"type": "string"})
        props.setdefault("kind", {"type": "string"})
        props["metadata"] = _object_meta(props.get("metadata"))
    if strict and not junctor and "properties" in out and "additionalProperties" not in out and \
            not node.get("x-kubernetes-preserve-unknown-fields"):
        out["additionalProperties"] = False
    return out


def _properties(out: Dict[str, Any]) -> Dict[str, Any]:
    """The schema's properties, for the fields the API server adds: `properties` of another
    type (a list; the CRD's own validation reports it) is replaced, it declares nothing."""
    props = out.get("properties")
    if not isinstance(props, dict):
        props = out["properties"] = {}
    return props


def _object_meta(schema: Any) -> Dict[str, Any]:
    """The metadata schema the API server applies: ObjectMeta's own (checked by the metadata
    rules), with only the CRD's restrictions on `name` and `generateName`, the only ones a
    structural schema may make. anthos-config-management's ConfigManagement CRD lists only
    `name` under metadata: its `namespace` was a false unknown field."""
    props = schema.get("properties") if isinstance(schema, dict) else None
    kept = {k: v for k, v in props.items() if k in ("name", "generateName")} \
        if isinstance(props, dict) else {}
    return {"type": "object", "properties": kept} if kept else {"type": "object"}


_SCHEMALESS: Dict[str, Any] = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}


class CRDIndex:
    """{(apiVersion, kind): JSON schema} from every served version of the CRDs seen."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.schemas: Dict[Tuple[str, str], Dict[str, Any]] = {}
        # the openAPIV3Schema as written: pruning, defaults, list types and CEL rules read it
        self.structural: Dict[Tuple[str, str], Dict[str, Any]] = {}
        self._compiled: Dict[Tuple[str, str], Any] = {}
        # the other, different schemas of a kind's version when the input holds several
        # copies of its CRD (releases/cnpg-1.15.0.yaml beside config/crd/bases, minimal and
        # full variants, a test's old copy): the structural schema of each earlier copy,
        # pickled and compressed (kserve's install/ keeps a dozen releases' CRDs: ~140 MB as
        # dicts), read back only when a resource does not fit the last copy
        self.others: Dict[Tuple[str, str], List[bytes]] = {}
        self._compiled_others: Dict[Tuple[str, str], List[Tuple[Any, Dict[str, Any]]]] = {}
        # the kinds' versions with the status subresource: their main endpoint drops `status`
        # before validating (apiextensions-apiserver's PrepareForCreate/PrepareForUpdate)
        self.status_subresource: Set[Tuple[str, str]] = set()

    def add(self, data: Any) -> None:
        if not is_crd(data):
            return
        spec = data.get("spec")
        if not isinstance(spec, dict):
            return
        group = spec.get("group")
        kind = (spec.get("names") or {}).get("kind") if isinstance(spec.get("names"), dict) else None
        if not isinstance(group, str) or not isinstance(kind, str):
            return
        versions = spec.get("versions")
        for version in versions if isinstance(versions, list) else []:
            if not isinstance(version, dict) or version.get("served") is False:
                continue
            schema = (version.get("schema") or {}).get("openAPIV3Schema") \
                if isinstance(version.get("schema"), dict) else None
            name = version.get("name")
            if isinstance(name, str):
                key = (f"{group}/{name}", kind)
                before = self.structural.get(key)
                if not isinstance(schema, dict):
                    # no schema (an apiextensions/v1beta1 CRD's top-level `validation`, not
                    # read: its semantics differ) accepts anything: it says nothing when a
                    # copy with a schema is known (aws-load-balancer-controller's
                    # install_v2_0_0_rc1.yaml beside config/crd/bases)
                    if before is not None:
                        continue
                    schema = _SCHEMALESS
                elif before == _SCHEMALESS:
                    before = None
                if before is not None and before != schema:
                    packed = _pack(before)
                    if packed not in self.others.setdefault(key, []):
                        self.others[key].append(packed)
                self.schemas[key] = to_json_schema(schema, self.strict, top=True)
                self.structural[key] = schema
                subresources = version.get("subresources")
                if isinstance(subresources, dict) and isinstance(subresources.get("status"), dict):
                    self.status_subresource.add(key)
                else:
                    self.status_subresource.discard(key)
                self._compiled.pop(key, None)
                self._compiled_others.pop(key, None)

    def extended(self, crds: Iterable[Any]) -> "CRDIndex":
        """A copy that also knows `crds` (the ones found in the input)."""
        out = CRDIndex(self.strict)
        out.schemas = dict(self.schemas)
        out.structural = dict(self.structural)
        out._compiled = dict(self._compiled)
        out.others = {key: list(found) for key, found in self.others.items()}
        out._compiled_others = dict(self._compiled_others)
        out.status_subresource = set(self.status_subresource)
        for data in crds:
            out.add(data)
        return out

    def knows(self, api_version: str, kind: str) -> bool:
        return (api_version, kind) in self.schemas

    def schema(self, api_version: str, kind: str) -> Optional[Any]:
        key = (api_version, kind)
        if key not in self.schemas:
            return None
        if key not in self._compiled:
            self._compiled[key] = _compile(self.schemas[key])
        return self._compiled[key]

    def alternatives(self, api_version: str, kind: str) -> List[Tuple[Any, Dict[str, Any]]]:
        """(compiled schema, structural) of the other copies of the kind's CRD that differ
        from the one schema() gives, earliest first; compiled on first use."""
        key = (api_version, kind)
        found = self.others.get(key)
        if not found:
            return []
        compiled = self._compiled_others.get(key)
        if compiled is None:
            # (the last _MAX_COPIES copies read: each compiled copy of a large CRD costs ~10 MB,
            # and kserve's install/ holds twenty releases)
            unpacked = [_unpack(packed) for packed in found[-_MAX_COPIES:]
                        if packed != _pack(self.structural[key])]
            compiled = self._compiled_others[key] = [
                (_compile(to_json_schema(structural, self.strict, top=True)), structural)
                for structural in unpacked]
        return compiled


_MAX_COPIES = 6


def _pack(schema: Dict[str, Any]) -> bytes:
    import pickle
    import zlib

    return zlib.compress(pickle.dumps(schema, pickle.HIGHEST_PROTOCOL), 1)


def _unpack(packed: bytes) -> Dict[str, Any]:
    import pickle
    import zlib

    return pickle.loads(zlib.decompress(packed))


def _compile(json_schema: Dict[str, Any]) -> Any:
    from .k8s_schema import Schema

    try:
        return Schema(json_schema)
    except Exception:  # an invalid schema is the CRD's own finding (KL020)
        return None


def schema_dir_lookup(dirs: List[str], api_version: str, kind: str) -> Optional[str]:
    """A schema file for a resource in a kubernetes-json-schema style folder
    (`<kind>-<group prefix>-<version>.json`, `<kind>-<version>.json`) or a CRDs-catalog
    style one (`<group>/<kind>_<version>.json`)."""
    group, _, version = api_version.rpartition("/")
    lower = kind.lower()
    names = [f"{lower}-{group.split('.')[0]}-{version}.json" if group else f"{lower}-{version}.json",
             os.path.join(group, f"{lower}_{version}.json") if group else None,
             f"{lower}-{group.replace('.', '-')}-{version}.json" if group else None]
    for d in dirs:
        for name in filter(None, names):
            path = os.path.join(d, name)
            if os.path.isfile(path):
                return path
    return None


def load_schema_file(path: str) -> Dict[str, Any]:
    with open(path, "rb") as f:
        return json.load(f)


# --- the CRD's own checks (KL020) -------------------------------------------------------------

def check_crd(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL020: what the API server validates on a CustomResourceDefinition itself."""
    from .identify import close

    data = obj.data
    spec = data.get("spec")
    if not isinstance(spec, dict):
        return
    names = spec.get("names") if isinstance(spec.get("names"), dict) else {}
    group, plural = spec.get("group"), names.get("plural")
    name = (data.get("metadata") or {}).get("name") if isinstance(data.get("metadata"), dict) else None
    if isinstance(group, str) and isinstance(plural, str) and isinstance(name, str) and name != f"{plural}.{group}":
        yield Violation(f'metadata.name: Invalid value: "{name}": must be spec.names.plural+"."+spec.group '
                        f'("{plural}.{group}")', ("metadata", "name"))
    if isinstance(plural, str) and plural != plural.lower():
        yield Violation(f'spec.names.plural: Invalid value: "{plural}": must be lower case',
                        ("spec", "names", "plural"))
    versions = spec.get("versions")
    if not isinstance(versions, list):
        return
    storage = [i for i, v in enumerate(versions) if isinstance(v, dict) and v.get("storage") is True]
    if len(storage) != 1:
        yield Violation(f"spec.versions: Invalid value: must have exactly one version marked as storage "
                        f"version (found {len(storage)})", ("spec", "versions"), at="key")
    seen = set()
    for i, version in enumerate(versions):
        if not isinstance(version, dict):
            continue
        vname = version.get("name")
        if isinstance(vname, str):
            if vname in seen:
                yield Violation(f'spec.versions[{i}].name: Duplicate value: "{vname}"',
                                ("spec", "versions", i, "name"))
            seen.add(vname)
        schema = version.get("schema")
        root = schema.get("openAPIV3Schema") if isinstance(schema, dict) else None
        if version.get("served", True) and root is None:
            yield Violation(f"spec.versions[{i}].schema.openAPIV3Schema: Required value: schemas are "
                            "required", ("spec", "versions", i), at="value")
            continue
        if isinstance(root, dict):
            yield from _structural(root, ("spec", "versions", i, "schema", "openAPIV3Schema"), close, True)


def _structural(node: Any, ptr: tuple, close: Any, root: bool = False) -> Iterator[Violation]:
    from .model import pointer_to_k8s

    if not isinstance(node, dict):
        return
    t = node.get("type")
    # the path as people read it, only where something is said: formatting it for every node
    # of a deep schema was quadratic (Argo Workflows' 12 MB of CRDs: 6.8 s of 10)
    where = pointer_to_k8s(ptr) if t is None or t not in TYPES or root or \
        "x-kubernetes-validations" in node or "x-kubernetes-list-type" in node else ""
    if t is not None and t not in TYPES:
        guess = close(str(t), TYPES)
        yield Violation(f'{where}.type: Unsupported value: "{t}": supported values: '
                        + ", ".join(f'"{x}"' for x in TYPES) + (f'; did you mean "{guess}"?' if guess else ""),
                        ptr + ("type",))
    elif t is None and not (node.get("x-kubernetes-int-or-string") or node.get("x-kubernetes-preserve-unknown-fields")) \
            and not any(k in node for k in ("allOf", "anyOf", "oneOf", "not")):
        yield Violation(f"{where}.type: Required value: must not be empty for specified object fields "
                        "(structural schema)", ptr, at="key")
    if root and t not in (None, "object"):
        yield Violation(f'{where}.type: Invalid value: "{t}": must be object at the root', ptr + ("type",))
    for key, child in (node.get("properties") or {}).items() if isinstance(node.get("properties"), dict) else ():
        yield from _structural(child, ptr + ("properties", key), close)
    if isinstance(node.get("items"), dict):
        yield from _structural(node["items"], ptr + ("items",), close)
    if isinstance(node.get("additionalProperties"), dict):
        yield from _structural(node["additionalProperties"], ptr + ("additionalProperties",), close)
    yield from _cel_rules(node, ptr, where, root)
    yield from _list_map_keys(node, ptr, where)


# --- KL017: API approval of protected groups --------------------------------------------------

APPROVAL = "api-approved.kubernetes.io"
_APPROVAL_PR = "see https://github.com/kubernetes/enhancements/pull/1111"


def protected_group(group: str) -> bool:
    """Groups reserved for Kubernetes community APIs (apihelpers.IsProtectedCommunityGroup)."""
    return group in ("k8s.io", "kubernetes.io") or group.endswith((".k8s.io", ".kubernetes.io"))


def check_api_approval(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL017: a v1 CRD in a protected group needs the api-approved.kubernetes.io annotation
    (a URL of the approving pull request, or a reason starting with "unapproved")."""
    data = obj.data
    spec = data.get("spec")
    group = spec.get("group") if isinstance(spec, dict) else None
    if data.get("apiVersion") != CRD_API or not isinstance(group, str) or not protected_group(group):
        return
    meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    annotations = meta.get("annotations") if isinstance(meta.get("annotations"), dict) else {}
    value = annotations.get(APPROVAL)
    where = f"metadata.annotations[{APPROVAL}]"
    if value is None:
        yield Violation(f'{where}: Required value: protected groups must have approval annotation '
                        f'"{APPROVAL}", {_APPROVAL_PR} (group "{group}")',
                        ("metadata", "annotations") if annotations else ("metadata",)
                        if meta else ("spec", "group"), at="key",
                        hint=f'add the annotation {APPROVAL}: "https://github.com/kubernetes/..." '
                             'or "unapproved, <reason>", or use a group outside *.k8s.io')
        return
    if isinstance(value, str) and value.startswith("unapproved"):
        return
    from urllib.parse import urlparse

    url = urlparse(value) if isinstance(value, str) else None
    if url is None or not url.scheme or not url.netloc:
        yield Violation(f'{where}: Invalid value: "{value}": protected groups must have approval '
                        f'annotation "{APPROVAL}" with either a URL or a reason starting with '
                        f'"unapproved", {_APPROVAL_PR}', ("metadata", "annotations", APPROVAL))


def _cel_rules(node: Dict[str, Any], ptr: tuple, where: str, root: bool = False) -> Iterator[Violation]:
    """What the API server checks on x-kubernetes-validations when the CRD is created: the
    fields of each rule, then every rule compiled with `self` typed by the schema (a field the
    schema does not declare does not compile), a rule must be a bool, a messageExpression a
    string."""
    rules = node.get("x-kubernetes-validations")
    if not isinstance(rules, list):
        return
    from . import cel
    from .validate import show

    for j, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        at = ptr + ("x-kubernetes-validations", j)
        here = f"{where}.x-kubernetes-validations[{j}]"
        source = rule.get("rule")
        message = rule.get("message") if isinstance(rule.get("message"), str) else ""
        if not isinstance(source, str) or not source.strip():
            yield Violation(f"{here}.rule: Required value: rule is not specified",
                            at + ("rule",) if "rule" in rule else at, at="key")
            continue
        if message and not message.strip():
            yield Violation(f"{here}.message: Invalid value: {show(message)}: must be non-empty if specified",
                            at + ("message",))
        elif _NEWLINE.search(message.strip()):
            yield Violation(f"{here}.message: Invalid value: {show(message)}: must not contain line breaks",
                            at + ("message",))
        elif _NEWLINE.search(source.strip()) and not message.strip():
            yield Violation(f"{here}.message: Required value: message must be specified if rule contains "
                            "line breaks", at + ("rule",), hint="add a one-line `message` to the rule")
        expr = rule.get("messageExpression")
        if isinstance(expr, str) and expr and not expr.strip():
            yield Violation(f"{here}.messageExpression: Required value: messageExpression must be non-empty "
                            "if specified", at + ("messageExpression",))
        reason = rule.get("reason")
        # not a string: a list or a mapping cannot be looked up in the set (the schema types it)
        if reason is not None and (not isinstance(reason, str) or reason not in _REASONS):
            yield Violation(f"{here}.reason: Unsupported value: {show(reason)}: supported values: "
                            + ", ".join(f'"{r}"' for r in sorted(_REASONS)), at + ("reason",))
        path = rule.get("fieldPath")
        if isinstance(path, str) and path:
            problem = ("must be non-empty if specified" if not path.strip() else
                       "must not contain line breaks" if _NEWLINE.search(path) else
                       None if _valid_field_path(path, node) else "must be a valid path")
            if problem:
                yield Violation(f"{here}.fieldPath: Invalid value: {show(path)}: {problem}", at + ("fieldPath",))
        if "optionalOldSelf" in rule and "oldSelf" not in cel.names_in(source):
            yield Violation(f"{here}.optionalOldSelf: Invalid value: {show(rule['optionalOldSelf'])}: may not "
                            "be set if oldSelf is not used in rule", at + ("optionalOldSelf",))
        if not cel.available():
            continue
        for key in ("rule", "messageExpression"):
            source = rule.get(key)
            if not isinstance(source, str) or not source.strip():
                continue
            prefix = "compilation failed" if key == "rule" else "messageExpression compilation failed"
            try:
                program = cel.compile(source, ("self", "oldSelf"))
            except cel.CelError as e:
                yield Violation(f"{here}.{key}: Invalid value: {show(source)}: {prefix}: {e}", at + (key,))
                continue
            undefined, kind = _schema_typed(node, source, root)
            if undefined:
                yield Violation(f"{here}.{key}: Invalid value: {show(source)}: {prefix}: {undefined}", at + (key,),
                                hint="the rule's variables are typed by the schema: only declared "
                                     "properties can be selected (use has() on declared ones)")
                continue
            result = program.result_type()
            if result == "DYN" and kind:  # `self.size`: cel-cpp types self as dyn
                result = {"boolean": "BOOL", "bool": "BOOL", "string": "STRING"}.get(kind, kind.upper())
            want = "BOOL" if key == "rule" else "STRING"
            if result not in (want, "DYN"):
                what = "cel expression must evaluate to a bool" if key == "rule" else \
                    "messageExpression must evaluate to a string"
                yield Violation(f"{here}.{key}: Invalid value: {show(source)}: {what}", at + (key,),
                                hint=f"it evaluates to {result.lower()}")


_NEWLINE = re.compile(r"[\n\r]+")
_REASONS = {"FieldValueRequired", "FieldValueForbidden", "FieldValueInvalid", "FieldValueDuplicate"}


def _valid_field_path(path: str, schema: Dict[str, Any]) -> bool:
    """ValidFieldPath: `.a.b['c']` names properties (or keys of a map) the schema declares."""
    tokens: List[str] = []
    i = 0
    while i < len(path):
        c = path[i]
        if c in ".[]":
            tokens.append(c)
            i += 1
        elif c == "'":
            j = i + 1
            while j < len(path) and not (path[j] == "'" and path[j - 1] != "\\"):
                j += 1
            if j >= len(path):
                return False
            tokens.append(path[i:j + 1])
            i = j + 1
        else:
            j = i
            while j < len(path) and path[j] not in ".[]":
                j += 1
            tokens.append(path[i:j])
            i = j
    node: Any = schema
    k = 0
    while k < len(tokens):
        tok = tokens[k]
        if tok == "[":
            if k + 2 >= len(tokens) or tokens[k + 2] != "]":
                return False
            name = tokens[k + 1]
            if len(name) < 2 or name[0] != "'" or name[-1] != "'":
                return False
            name = name[1:-1].replace("\\'", "'")
            k += 3
        elif tok == ".":
            if k + 1 >= len(tokens):
                return False
            name = tokens[k + 1]
            k += 2
        else:
            return False
        if not isinstance(node, dict):
            return False
        if isinstance(node.get("properties"), dict):
            node = node["properties"].get(name)
            if node is None:
                return False
        elif isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]
        elif node.get("additionalProperties") is True:
            return True  # any key of a map without a schema: nothing more to check
        else:
            return False
    return True


def _schema_typed(node: Dict[str, Any], source: str, root: bool) -> Tuple[Optional[str], Optional[str]]:
    """(cel-go's "undefined field" error for a selection the schema does not declare, or None;
    the schema type of the expression when it is a plain field selection, or None). Objects
    that keep unknown fields, maps and int-or-string values are never reported."""
    from . import cel_cost

    decl = cel_cost.decl_type(node, root or bool(node.get("x-kubernetes-embedded-resource")))
    if decl is None:
        return None, None
    rc = cel_cost.estimate(source, decl, 1)
    if rc is None:
        return None, None
    if not rc.undefined:
        return None, rc.result_kind
    first = rc.undefined[0]
    line = source.count("\n", 0, first.pos) + 1
    start = source.rfind("\n", 0, first.pos) + 1
    end = source.find("\n", first.pos)
    text = source[start:end if end >= 0 else len(source)]
    column = first.pos - start + 1
    return f"{line}:{column}: undefined field '{first.name}'\n | {text}\n | {'.' * (column - 1)}^", None


def _list_map_keys(node: Dict[str, Any], ptr: tuple, where: str) -> Iterator[Violation]:
    """x-kubernetes-list-type: map needs key fields that are required or defaulted."""
    if node.get("x-kubernetes-list-type") != "map":
        return
    keys = node.get("x-kubernetes-list-map-keys")
    if not isinstance(keys, list) or not keys:
        yield Violation(f"{where}.x-kubernetes-list-map-keys: Required value: must not be empty if "
                        "x-kubernetes-list-type is map", ptr + ("x-kubernetes-list-type",), at="key")
        return
    items = node.get("items") if isinstance(node.get("items"), dict) else {}
    props = items.get("properties") if isinstance(items.get("properties"), dict) else {}
    required = items.get("required") if isinstance(items.get("required"), list) else []
    for key in keys:
        prop = props.get(key)
        if not isinstance(prop, dict):
            yield Violation(f"{where}.x-kubernetes-list-map-keys: Invalid value: \"{key}\": entries must "
                            "all be names of item properties", ptr + ("x-kubernetes-list-map-keys",), at="key")
        elif key not in required and "default" not in prop:
            yield Violation(f"{where}.items.properties[{key}].default: Required value: this property is in "
                            "x-kubernetes-list-map-keys, so it must have a default or be a required property",
                            ptr + ("items", "properties", key), at="key")


# --- KL023: CEL rule cost limits ---------------------------------------------------------------

def check_cel_cost(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL023: x-kubernetes-validations rules whose estimated cost exceeds the API server's
    budgets (per rule, per messageExpression, and for the whole schema of a version); the
    estimate is kubelint.cel_cost's re-implementation of the API server's model."""
    spec = obj.data.get("spec")
    versions = spec.get("versions") if isinstance(spec, dict) else None
    if not isinstance(versions, list) or "x-kubernetes-validations" not in _flat_keys(versions):
        return
    from . import cel, cel_cost
    from .model import pointer_to_k8s

    for i, version in enumerate(versions):
        schema = version.get("schema") if isinstance(version, dict) else None
        root = schema.get("openAPIV3Schema") if isinstance(schema, dict) else None
        if not isinstance(root, dict) or root.get("type") not in (None, "object"):
            continue
        base = ("spec", "versions", i, "schema", "openAPIV3Schema")
        total, expensive = 0, []
        for site in cel_cost.schema_rules(root, base):
            if cel.available():
                try:
                    cel.compile(site.source, ("self", "oldSelf"))
                except cel.CelError:
                    continue  # KL020 reports it; the API server estimates no cost for it
            rc = site.cost
            # a rule runs once per occurrence of its node; a messageExpression only on failure
            cost = rc.total if site.key == "rule" else rc.max_cost
            if cost > cel_cost.STATIC_ESTIMATED_COST_LIMIT:
                what = "estimated rule cost" if site.key == "rule" else "estimated messageExpression cost"
                per = (f"{rc.max_cost:,} per evaluation x {rc.cardinality:,} possible occurrences"
                       if site.key == "rule" and rc.cardinality != 1 else f"{rc.max_cost:,}")
                yield Violation(f"{pointer_to_k8s(site.ptr)}: Forbidden: "
                                + cel_cost.cost_message(what, cost, cel_cost.STATIC_ESTIMATED_COST_LIMIT),
                                site.ptr, hint=f"estimated cost {per}; the limit is "
                                               f"{cel_cost.STATIC_ESTIMATED_COST_LIMIT:,}")
                continue  # (the API server also counts it in the total: one finding is enough)
            total = min(total + cost, cel_cost.MAXU)
            if cost >= cel_cost.STATIC_ESTIMATED_CRD_COST_LIMIT // 100:
                expensive.append((cost, site.ptr))
        # the total of the rules within their own budget (a rule over budget is reported above)
        if total > cel_cost.STATIC_ESTIMATED_CRD_COST_LIMIT:
            expensive.sort(key=lambda c: -c[0])
            for cost, ptr in expensive[:4]:
                yield Violation(f"{pointer_to_k8s(ptr)}: Forbidden: contributed to estimated rule cost total "
                                "exceeding cost limit for entire OpenAPIv3 schema", ptr,
                                hint=f"estimated cost {cost:,}")
            yield Violation(f"{pointer_to_k8s(base)}: Forbidden: " + cel_cost.cost_message(
                "x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema", total,
                cel_cost.STATIC_ESTIMATED_CRD_COST_LIMIT), base, at="key",
                hint=f"estimated total {total:,}; the limit is {cel_cost.STATIC_ESTIMATED_CRD_COST_LIMIT:,}")


def _flat_keys(value: Any) -> str:
    """A cheap test for a key anywhere below `value` (most CRDs have no CEL rules)."""
    return json.dumps(value, default=str) if value is not None else ""
