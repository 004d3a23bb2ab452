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
from typing import Any, Dict, Iterator, Optional, Tuple

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
