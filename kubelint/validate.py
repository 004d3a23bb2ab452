"""jsonschema-rs errors -> violations written for people.

One violation per problem, at the node it concerns: an unknown field at its key, a wrong type
at the value, a missing required field at the mapping that lacks it. Messages name the field
in Kubernetes notation and say what was expected and what was found; no raw `oneOf` dumps.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterator, List, Optional

from .identify import close, type_name
from .model import Fix, Violation, pointer_to_k8s
from .placeholders import filled, is_placeholder
from .scalars import describe_plain

_MAX_SHOWN = 40


def show(value: Any) -> str:
    """A short rendering of a value: `"3"`, `true`, `a list of 3 items`."""
    if isinstance(value, (dict, list)):
        n = len(value)
        return f"a {type_name(value)} of {n} {'item' if n == 1 else 'items'}"
    text = json.dumps(value, ensure_ascii=False)
    if len(text) > _MAX_SHOWN:
        text = text[: _MAX_SHOWN - 3] + '..."'
    return text


def _types(kind: Any) -> List[str]:
    types = kind.types if isinstance(kind.types, list) else [kind.types]
    names = [str(t).lower().split(".")[-1] for t in types]
    names = ["mapping" if t == "object" else "list" if t == "array" else t for t in names]
    return [t for t in names if t != "null"] or names


def _brace_placeholder(instance: Any, node: Any, pointer) -> bool:
    """A value written `{self.path.k8s}` where a string belongs: YAML reads a flow mapping of
    one key and no value, but it is a single-brace placeholder a program fills in (Python's
    str.format: emissary's test manifests). Only as written in flow style."""
    if not isinstance(instance, dict) or len(instance) != 1 or node is None:
        return False
    (key, value), = instance.items()
    if value is not None or not isinstance(key, str) or _BRACE_NAME.match(key) is None:
        return False
    from .positions import resolve

    target, _, matched = resolve(node, pointer)
    return matched == len(pointer) and getattr(target, "flow_style", False) is True


_BRACE_NAME = re.compile(r"[A-Za-z_][\w.]*(?:\[[\w.\-]*\])*\Z")


def _format_branches(branches: Any) -> bool:
    """Whether a oneOf's branches tell values apart only by `format`."""
    return isinstance(branches, list) and bool(branches) and all(
        isinstance(b, dict) and "format" in b and set(b) <= {"format", "description", "title"}
        for b in branches)


def _source_scalar(node: Any, pointer) -> Optional[Any]:
    if node is None:
        return None
    from .positions import resolve

    target, _, matched = resolve(node, pointer)
    if matched == len(pointer) and target.__class__.__name__ == "ScalarNode":
        return target
    return None


def violations(schema: Any, data: Any, node: Any, written: Any = None) -> Iterator[Violation]:
    """`written`: the object as written, when `data` is what the API server validates
    instead (a custom resource's non-nullable nulls dropped)."""
    try:
        errors = list(schema.validator.iter_errors(data))
    except ValueError as e:  # jsonschema-rs: "Recursion limit reached" on absurd nesting
        yield Violation(f"the object is nested too deeply to be validated ({e})", ())
        return
    for err in errors:
        yield from _explain(schema, err, node, written)


def _written_null(written: Any, ptr: tuple, field: str) -> bool:
    """Whether the object as written has `field` at `ptr`, as null."""
    from .checks.k8s import get

    parent = get(written, ptr)
    return isinstance(parent, dict) and field in parent and parent[field] is None


def _sops_metadata(value: Any) -> bool:
    """Whether a top-level `sops:` is the metadata SOPS writes into a file it encrypts (the
    `*.sops.yaml` Secrets of GitOps repositories, decrypted by sops or Flux before applying)."""
    return isinstance(value, dict) and "mac" in value and ("version" in value or "lastmodified" in value)


def _explain(schema: Any, err: Any, node: Any, written: Any = None) -> Iterator[Violation]:
    kind = err.kind
    name = type(kind).__name__  # e.g. "OneOfNotValid": finer than kind.name ("oneOf")
    ptr = tuple(err.instance_path)
    where = pointer_to_k8s(ptr)
    instance = err.instance
    if name == "AdditionalProperties":
        parent = schema.subschema(list(err.schema_path)[:-1]) or {}
        known = sorted((parent.get("properties") or {}).keys())
        for field in kind.unexpected:
            if field == "sops" and not ptr and _sops_metadata(instance.get(field)):
                continue  # SOPS's own key of an encrypted file: sops and Flux remove it
            guess = close(field, known)
            msg = f"{where}: unknown field `{field}`" if ptr else f"unknown field `{field}`"
            fix = None
            if guess:
                msg += f"; did you mean `{guess}`?"
                if _renamable(instance, field, guess, parent, kind.unexpected):
                    fix = Fix(f"rename `{field}` to `{guess}`", (("rename", ptr + (field,), guess),))
            yield Violation(msg, ptr + (field,), at="key",
                            hint=None if guess else _known_hint(known), fix=fix)
        return
    if name == "Required":
        field = kind.property
        if written is not None and _written_null(written, ptr, field):
            # `spec:` with nothing after it (kubebuilder's samples): null is "not set"
            at = pointer_to_k8s(ptr + (field,))
            yield Violation(f"{at}: required, but written as null (the API server drops a null "
                            f"field that is not nullable, then finds `{field}` missing)",
                            ptr + (field,), at="key", hint=f"give `{field}` a value")
            return
        yield Violation(f"{where}: missing required field `{kind.property}`" if ptr
                        else f"missing required field `{kind.property}`", ptr, at="key")
        return
    if name == "Type":
        expected = _types(kind)
        if "string" in expected and _brace_placeholder(instance, node, ptr):
            return
        if isinstance(instance, str) and instance[:1] == "(" and is_placeholder(instance):
            return  # a Chainsaw expression: its value is a test's (no `$` for the gate)
        found = type_name(instance)
        msg = f"{where}: expected {' or '.join(expected)}, found {found}"
        if not isinstance(instance, (dict, list)) and instance is not None:
            msg += f" {show(instance)}"
        hint = fix = None
        src = _source_scalar(node, ptr)
        if src is not None and "string" in expected and not isinstance(instance, str):
            why = describe_plain(src.value, instance) if not src.style else None
            if why:
                msg += f" ({why})"
                hint = f'quote it: "{src.value}"'
                fix = Fix(f'quote it: "{src.value}"', (("quote", ptr),))
        elif src is not None and isinstance(instance, str) and src.style in ("'", '"') and \
                set(expected) & {"integer", "number", "boolean"}:
            hint = f"remove the quotes: {instance}"
            value = _unquoted(instance, expected)
            if value is not None:
                fix = Fix(f"remove the quotes: {instance}", (("set", ptr, value),))
        yield Violation(msg, ptr, hint=hint, fix=fix)
        return
    if name == "Enum":
        options = list(kind.options)
        shown = ", ".join(show(o) for o in options[:12]) + (", ..." if len(options) > 12 else "")
        msg = f"{where}: unsupported value {show(instance)}: supported values: {shown}"
        if isinstance(instance, str):
            guess = close(instance, [o for o in options if isinstance(o, str)])
            if guess:
                msg += f"; did you mean {show(guess)}?"
        yield Violation(msg, ptr)
        return
    if name == "OneOfMultipleValid":
        # null means "not set" to the API server (the bundled oneOfs both allow it); and
        # `oneOf: [{format: ipv4}, {format: ipv6}]` (antrea's IPPool) is decided by formats,
        # which the API server checks and this does not: both seem to fit, no claim either way
        if instance is not None and not _format_branches(schema.subschema(list(err.schema_path))):
            msg = "fits more than one of the allowed forms (`oneOf`), and must fit exactly one"
            yield Violation(f"{where}: {msg}" if ptr else msg, ptr)
        return
    if name in ("OneOfNotValid", "AnyOf"):
        expected: List[str] = []
        for branch in kind.context:
            for sub in branch:
                if type(sub.kind).__name__ == "Type":
                    expected.extend(t for t in _types(sub.kind) if t not in expected)
        if expected and all(len(b) == 1 and type(b[0].kind).__name__ == "Type" for b in kind.context):
            found = type_name(instance)
            msg = f"{where}: expected {' or '.join(expected)}, found {found}"
            if not isinstance(instance, (dict, list)):
                msg += f" {show(instance)}"
            yield Violation(msg, ptr)
            return
        yield Violation(f"{where}: does not match any allowed form "
                        f"({'; '.join(str(b[0].message) for b in kind.context if b)[:200]})", ptr)
        return
    if name in _COUNTS and isinstance(instance, (dict, list)):
        # jsonschema-rs's sentence starts with the value as JSON: cut at 200 characters, a
        # large mapping left no room for what was wrong (external-secrets' SecretStore
        # `provider`, one provider at most: maxProperties 1)
        yield Violation(f"{where}: {_count_message(name, kind, instance)}" if ptr
                        else _count_message(name, kind, instance), ptr)
        return
    # Bounds, patterns, formats (mostly from CRD schemas): jsonschema-rs's own sentence.
    if isinstance(instance, str) and ("${" in instance or "{{" in instance) and \
            _fits_when_filled(name, kind, instance):
        return
    text = str(err.message)
    if len(text) > 200:
        text = text[:197] + "..."
    yield Violation(f"{where}: {text}" if ptr else text, ptr)


_COUNTS = {"MaxProperties", "MinProperties", "MaxItems", "MinItems", "UniqueItems"}


def _count_message(name: str, kind: Any, instance: Any) -> str:
    """What a mapping's or list's size bound (or uniqueItems) found, without the value."""
    n = len(instance)
    if isinstance(instance, dict):
        fields = ", ".join(f"`{k}`" for k in list(instance)[:6]) + (", ..." if n > 6 else "")
        found = f"has {n} field{'s' if n != 1 else ''}" + (f" ({fields})" if n else "")
        what = "field"
    else:
        found = f"has {n} item{'s' if n != 1 else ''}"
        what = "item"
    if name == "UniqueItems":
        return f"{found}, not all different: each item must be unique"
    limit = kind.limit
    plural = "s" if limit != 1 else ""
    if name.startswith("Max"):
        return f"{found}: at most {limit} {what}{plural} allowed"
    return f"{found}: at least {limit} {what}{plural} required"


def _fits_when_filled(name: str, kind: Any, text: str) -> bool:
    """Whether a string holding a placeholder may pass the bound, pattern or format it
    failed once filled in (cluster-api-provider-aws: `name: cluster-api-provider-aws-${CLUSTER_NAME}a`
    under `^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`): its length and form are unknown, and a pattern
    is tried on the text around the placeholder (`My_${X}` still breaks `^[a-z]...`)."""
    if name in ("MinLength", "MaxLength", "Format"):
        return True
    if name != "Pattern":
        return False
    try:
        return re.search(kind.pattern, filled(text)) is not None
    except (re.error, TypeError):
        return True


def _unquoted(text: str, expected: List[str]) -> Any:
    """The number or boolean a quoted string stands for, if it is exactly one the field takes."""
    from .scalars import resolve_plain

    value = resolve_plain(text) if text and text == text.strip() else None
    if isinstance(value, bool):
        return value if "boolean" in expected and text in ("true", "false") else None
    if isinstance(value, int):
        return value if ("integer" in expected or "number" in expected) and str(value) == text else None
    if isinstance(value, float):
        return value if "number" in expected and json.dumps(value) == text else None
    return None


def _renamable(instance: Any, field: str, guess: str, parent: dict, unexpected: Any) -> bool:
    """A "did you mean" rename is a fix only when it cannot be wrong: the intended field is
    absent, no other unknown field would want the same name, and the value has the type the
    intended field takes (`port: 80` is not renamed to `ports`, which takes a list)."""
    if not isinstance(instance, dict) or guess in instance:
        return False
    known = list((parent.get("properties") or {}).keys())
    if sum(1 for other in unexpected if close(other, known) == guess) != 1:
        return False
    prop = (parent.get("properties") or {}).get(guess)
    if not isinstance(prop, dict):
        return False
    value = instance.get(field)
    types = prop.get("type")
    if types is None:
        if "$ref" in prop or "properties" in prop or "allOf" in prop:
            return isinstance(value, dict)
        return False
    types = types if isinstance(types, list) else [types]
    found = type_name(value)
    names = {"object": "mapping", "array": "list"}
    wanted = {names.get(t, t) for t in types if t != "null"}
    return found in wanted or (found == "integer" and "number" in wanted)


def _known_hint(known: List[str]) -> Optional[str]:
    if not known:
        return "this object takes no fields here"
    if len(known) > 12:
        return None
    return "known fields: " + ", ".join(known)
