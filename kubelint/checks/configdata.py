"""ConfigMap and Secret data (ValidateConfigMap, ValidateSecret)."""

from __future__ import annotations

import binascii
from typing import Any, Iterator, List

from ..model import Violation
from ..placeholders import is_placeholder
from .k8s import config_key, invalid

MAX_SIZE = 1024 * 1024
# ValidateSecret: keys each built-in Secret type requires (in data or stringData).
SECRET_KEYS = {
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/ssh-auth": ("ssh-privatekey",),
}


def config_data(obj: Any, ctx: Any) -> List[Violation]:
    """KL127: keys are valid and unique across data/binaryData (stringData for Secrets),
    Secret data and binaryData values are base64, total size at most 1 MiB."""
    out: List[Violation] = []
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
                out.append(Violation(invalid(f"{field}[{key}]", key, errors), (field, key), at="key"))
            if key in seen and not (obj.kind == "Secret" and field == "stringData"):
                out.append(Violation(f"{field}[{key}]: Invalid value: \"{key}\": duplicate of key "
                                     f"in {seen[key]}", (field, key), at="key",
                                     related=((None, (seen[key], key), "the other key"),)))
            seen.setdefault(key, field)
            if not isinstance(value, str):
                continue
            base64 = field == "binaryData" or (obj.kind == "Secret" and field == "data")
            if base64:
                try:
                    size += len(binascii.a2b_base64(_strict(value)))
                except (binascii.Error, ValueError):
                    if is_placeholder(value.strip()):
                        continue  # karmada's `tls.crt: |` + `${ca_crt}`, filled in by a script
                    out.append(Violation(f"{field}[{key}]: Invalid value: <value omitted>: illegal base64 "
                                         "data", (field, key),
                                         hint="encode with `base64 -w0`, or use `stringData` for plain text"
                                         if obj.kind == "Secret" else "encode with `base64 -w0`"))
            else:
                size += len(value.encode())
    if obj.kind == "Secret":
        out.extend(_secret_type(obj, seen))
    if size > MAX_SIZE:
        out.append(Violation(f"{fields[0]}: Too long: must have at most {MAX_SIZE} bytes (found {size})",
                             (fields[0],), at="key"))
    return out


_BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="


def _strict(value: str) -> str:
    """Go's base64.StdEncoding: padding required; it skips CR and LF, nothing else."""
    compact = value.replace("\r", "").replace("\n", "")
    # lstrip leaves nothing iff every character is of the alphabet (in C, not a generator
    # step per character of a certificate)
    if len(compact) % 4 or compact.lstrip(_BASE64):
        raise ValueError("not base64")
    return compact


def _secret_type(obj: Any, keys: dict) -> Iterator[Violation]:
    secret_type = obj.data.get("type")
    if not isinstance(secret_type, (str, type(None))):
        return  # the schema reports the wrong type
    where = ("type",) if "type" in obj.data else ()
    for key in SECRET_KEYS.get(secret_type, ()):
        if key not in keys:
            yield Violation(f"data[{key}]: Required value: a {secret_type} Secret needs the key "
                            f"`{key}`", where, at="key")
    if secret_type == "kubernetes.io/basic-auth" and "username" not in keys and "password" not in keys:
        yield Violation("data: Required value: a kubernetes.io/basic-auth Secret needs `username` "
                        "or `password`", where, at="key")
    if secret_type == "kubernetes.io/service-account-token":
        annotations = (obj.data.get("metadata") or {}).get("annotations") \
            if isinstance(obj.data.get("metadata"), dict) else None
        if not isinstance(annotations, dict) or not annotations.get("kubernetes.io/service-account.name"):
            yield Violation("metadata.annotations[kubernetes.io/service-account.name]: Required value",
                            where, at="key")
