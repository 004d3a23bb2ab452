"""Custom resources as the API server validates them, beyond their CRD's JSON schema.

apiextensions-apiserver decodes a custom resource, then, before validating it:
  - drops `null` values of fields that are not `nullable` (PruneNonNullableNullsWithoutDefaults)
    and replaces them by the field's `default` when it has one;
  - applies the `default`s of the structural schema to absent fields of objects that exist.
It then validates the OpenAPI schema, the list semantics (`x-kubernetes-list-type`) and the
CEL rules (`x-kubernetes-validations`). `prepare` does the first part on a copy; the checks
of the second part live in `semantics`.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any, Dict, Iterator, List, Optional, Tuple

from .model import Violation

Schema = Dict[str, Any]


def _sub(schema: Optional[Schema], key: str) -> Optional[Schema]:
    """The schema of field `key` of an object with `schema` (properties, then
    additionalProperties)."""
    if not isinstance(schema, dict):
        return None
    props = schema.get("properties")
    if isinstance(props, dict) and isinstance(props.get(key), dict):
        return props[key]
    extra = schema.get("additionalProperties")
    return extra if isinstance(extra, dict) else None


def prepare(schema: Schema, data: Any) -> Any:
    """`data` as the API server validates it: non-nullable nulls pruned (or defaulted),
    schema defaults applied. Returns `data` itself when nothing changes."""
    return _prepare(schema, data, top=True)


def _prepare(schema: Optional[Schema], value: Any, top: bool = False) -> Any:
    if not isinstance(schema, dict):
        return value
    if isinstance(value, dict):
        out: Optional[Dict[str, Any]] = None
        for key, item in value.items():
            if top and key in ("apiVersion", "kind", "metadata"):
                continue  # ObjectMeta is the API server's, not the CRD's
            sub = _sub(schema, key)
            if sub is None:
                continue
            if item is None and not sub.get("nullable"):
                if out is None:
                    out = dict(value)
                if "default" in sub:
                    out[key] = _prepare(sub, copy.deepcopy(sub["default"]))
                else:
                    del out[key]
                continue
            new = _prepare(sub, item)
            if new is not item:
                if out is None:
                    out = dict(value)
                out[key] = new
        props = schema.get("properties")
        if isinstance(props, dict):
            for key, sub in props.items():
                if isinstance(sub, dict) and "default" in sub and key not in value \
                        and not (top and key == "metadata"):
                    if out is None:
                        out = dict(value)
                    out[key] = _prepare(sub, copy.deepcopy(sub["default"]))
        return value if out is None else out
    if isinstance(value, list):
        items = schema.get("items")
        if not isinstance(items, dict):
            return value
        new_items = [_prepare(items, v) for v in value]
        return value if all(a is b for a, b in zip(new_items, value)) else new_items
    return value


def nullable(schema: Optional[Schema]) -> bool:
    return isinstance(schema, dict) and bool(schema.get("nullable"))


def walk(schema: Optional[Schema], value: Any, ptr: Tuple[Any, ...] = ()
         ) -> Iterator[Tuple[Schema, Any, Tuple[Any, ...]]]:
    """(schema, value, pointer) of every value that has a schema, depth first, parents first."""
    if not isinstance(schema, dict):
        return
    yield schema, value, ptr
    if isinstance(value, dict):
        for key, item in value.items():
            if not ptr and key in ("apiVersion", "kind"):
                continue
            sub = _sub(schema, key)
            if sub is not None:
                yield from walk(sub, item, ptr + (key,))
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            yield from walk(schema["items"], item, ptr + (i,))


# --- what the API server checks beyond the OpenAPI schema -----------------------------------

REASONS = {"FieldValueInvalid": "Invalid value", "FieldValueForbidden": "Forbidden",
           "FieldValueRequired": "Required value", "FieldValueDuplicate": "Duplicate value"}


def semantics(schema: Schema, data: Any, *, lists: bool = True, rules: bool = True,
              skip_errors: bool = False) -> Iterator[Tuple[str, Violation]]:
    """(code, violation) for list-type semantics (KL022) and x-kubernetes-validations (KL021)
    of a prepared custom resource. `skip_errors`: do not report rules that fail to evaluate
    (the schema already reported the object broken, and the rule would only repeat it)."""
    for sub, value, ptr in walk(schema, data):
        if lists and isinstance(value, list):
            yield from (("KL022", v) for v in _list_type(sub, value, ptr))
        checks = sub.get("x-kubernetes-validations")
        if rules and isinstance(checks, list) and value is not None and _cel_available():
            yield from (("KL021", v) for v in _validations(sub, checks, value, ptr, skip_errors))


def _cel_available() -> bool:
    from . import cel

    return cel.available()


def _list_type(schema: Schema, value: List[Any], ptr: Tuple[Any, ...]) -> Iterator[Violation]:
    from .model import pointer_to_k8s
    from .validate import show

    kind = schema.get("x-kubernetes-list-type")
    if kind == "set":
        seen: List[Any] = []
        for i, item in enumerate(value):
            if item in seen:
                yield Violation(f"{pointer_to_k8s(ptr + (i,))}: Duplicate value: {show(item)}", ptr + (i,),
                                hint=f"{pointer_to_k8s(ptr)} is a set (x-kubernetes-list-type: set): "
                                     "each value may appear once")
            else:
                seen.append(item)
    elif kind == "map":
        keys = schema.get("x-kubernetes-list-map-keys")
        # keys that are not strings (the CRD's schema reports them) key nothing
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
            return
        seen_keys: Dict[str, int] = {}
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                continue
            key = {k: item.get(k) for k in keys}
            token = json.dumps(key, sort_keys=True, default=str)
            if token in seen_keys:
                shown = ", ".join(f"{k}: {show(v)}" for k, v in key.items())
                yield Violation(f"{pointer_to_k8s(ptr + (i,))}: Duplicate value: {{{shown}}}", ptr + (i,),
                                at="key",
                                hint=f"{pointer_to_k8s(ptr)} is a map keyed by {', '.join(keys)} "
                                     f"(x-kubernetes-list-type: map); item {seen_keys[token]} has the "
                                     "same key")
            else:
                seen_keys[token] = i


def _validations(schema: Schema, checks: List[Any], value: Any, ptr: Tuple[Any, ...],
                 skip_errors: bool) -> Iterator[Violation]:
    from . import cel
    from .model import pointer_to_k8s

    typ = schema.get("type") or ("object" if isinstance(value, dict) else "")
    for check in checks:
        if not isinstance(check, dict) or not isinstance(check.get("rule"), str):
            continue
        rule = check["rule"]
        if "oldSelf" in cel.names_in(rule) and check.get("optionalOldSelf") is not True:
            continue  # a transition rule: the API server runs it on updates only
        try:
            program = cel.compile(_on_create(rule))
        except cel.CelError:
            continue  # the CRD's own finding (KL020)
        target = ptr + field_path(check.get("fieldPath"))
        target_where = pointer_to_k8s(target) + ": " if target else ""
        try:
            ok = program.run({"self": value})
        except cel.EvalError as e:
            if not skip_errors:
                yield Violation(f"{target_where}Invalid value: \"{typ}\": rule evaluation error: "
                                f"{rule}: {e}", target, at="key" if isinstance(value, (dict, list)) else "value")
            continue
        if ok is True:
            continue
        message = _message(check, value) if ok is False else \
            f"rule must evaluate to a bool, found {ok!r}: {rule}"
        reason = REASONS.get(check.get("reason") or "FieldValueInvalid", "Invalid value")
        shown = f'Invalid value: "{typ}": ' if reason == "Invalid value" else f"{reason}: "
        yield Violation(f"{target_where}{shown}{message}", target,
                        at="key" if isinstance(value, (dict, list)) or target != ptr else "value",
                        hint=None if message.endswith(rule) else f"rule: {rule}")


def _on_create(source: str) -> str:
    """A rule with `optionalOldSelf: true` also runs on creates, with `oldSelf` an empty
    optional (there is no old object): bound here as `optional.none()`."""
    from . import cel

    if "oldSelf" not in cel.names_in(source):
        return source
    return f"cel.bind(oldSelf, optional.none(), (\n{source}\n))"


def _message(check: Dict[str, Any], value: Any) -> str:
    from . import cel

    expr = check.get("messageExpression")
    if isinstance(expr, str):
        try:
            text = cel.compile(_on_create(expr)).run({"self": value})
            # the API server falls back to `message` for an empty, multi-line or longer than
            # 5 KiB result (MaxEvaluatedMessageExpressionSizeBytes)
            if isinstance(text, str) and text.strip() and "\n" not in text and len(text.encode()) <= 5 * 1024:
                return text
        except (cel.CelError, cel.EvalError):
            pass  # the API server falls back to `message` too
    message = check.get("message")
    if isinstance(message, str) and message:
        return message
    return f"failed rule: {check['rule']}"


_FIELD_PATH = re.compile(r"\.([A-Za-z_][A-Za-z0-9_-]*)|\['((?:[^'\\]|\\.)*)'\]")


def field_path(path: Any) -> Tuple[Any, ...]:
    """`.spec.ports['http']` -> ("spec", "ports", "http"); invalid paths: ()."""
    if not isinstance(path, str) or not path:
        return ()
    out: List[Any] = []
    pos = 0
    while pos < len(path):
        m = _FIELD_PATH.match(path, pos)
        if not m:
            return ()
        out.append(m.group(1) if m.group(1) is not None else m.group(2).replace("\\'", "'"))
        pos = m.end()
    return tuple(out)
