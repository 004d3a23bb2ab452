"""ConfigMap and Secret data (ValidateConfigMap, ValidateSecret)."""

from __future__ import annotations

import binascii
from typing import Any, Iterator

from ..model import Violation
from .k8s import config_key, invalid

MAX_SIZE = 1024 * 1024


def config_data(obj: Any, ctx: Any) -> Iterator[Violation]:
    """KL127: keys are valid and unique across data/binaryData (stringData for Secrets),
    Secret data and binaryData values are base64, total size at most 1 MiB."""
    fields = ("data", "binaryData") if obj.kind == "ConfigMap" else ("data", "stringData")
    seen = {}
    size = 0
    for field in fields:
        values = obj.data.get(field)
        if not isinstance(values, dict):
            continue
        for key, value in values.items():
            errors = config_key(key)
            if errors:
                yield Violation(invalid(f"{field}[{key}]", key, errors), (field, key), at="key")
            if key in seen and not (obj.kind == "Secret" and field == "stringData"):
                yield Violation(f"{field}[{key}]: Invalid value: \"{key}\": duplicate of key "
                                f"in {seen[key]}", (field, key), at="key",
                                related=((None, (seen[key], key), "the other key"),))
            seen.setdefault(key, field)
            if not isinstance(value, str):
                continue
            base64 = field == "binaryData" or (obj.kind == "Secret" and field == "data")
            if base64:
                try:
                    size += len(binascii.a2b_base64(_strict(value)))
                except (binascii.Error, ValueError):
                    yield Violation(f"{field}[{key}]: Invalid value: <value omitted>: illegal base64 "
                                    "data", (field, key),
                                    hint="encode with `base64 -w0`, or use `stringData` for plain text"
                                    if obj.kind == "Secret" else "encode with `base64 -w0`")
            else:
                size += len(value.encode())
    if size > MAX_SIZE:
        yield Violation(f"{fields[0]}: Too long: must have at most {MAX_SIZE} bytes (found {size})",
                        (fields[0],), at="key")


def _strict(value: str) -> str:
    """Go's base64.StdEncoding: padding required; it skips CR and LF, nothing else."""
    compact = value.replace("\r", "").replace("\n", "")
    if len(compact) % 4 or any(c not in
                               "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=" for c in compact):
        raise ValueError("not base64")
    return compact
