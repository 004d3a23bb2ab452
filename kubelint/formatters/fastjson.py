"""`json.dumps(value, indent=2, ensure_ascii=False)`, byte for byte, without the standard
library's pure-Python encoder.

With `indent`, json encodes in Python (its C encoder only writes compact output): for reports
of tens of thousands of findings that was a sixth of the run. Here containers are walked by a
plain recursive function and strings go through json's C string encoder. Nested output is the
outer indentation plus the value's own, so a value json would encode differently (a subclass
of int or str, a non-string key, a float) is handed to json itself and its lines shifted.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C version when available
from typing import Any

_str = encode_basestring


class Encoded(str):
    """JSON text already encoded (as by dumps(), at the outermost level), placed as is."""

    __slots__ = ()


def dumps(value: Any) -> str:
    return _encode(value, "")


# A JSON string, as json encodes a str.
string = encode_basestring


def _slow(value: Any, indent: str) -> str:
    # strings are escaped, so the only line breaks in json's output are its own
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + indent)


def _encode(value: Any, indent: str) -> str:
    t = type(value)
    if t is str:
        return _str(value)
    if t is Encoded:
        return value.replace("\n", "\n" + indent) if indent else str(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if t is int:
        return int.__repr__(value)
    if t is dict:
        if not value:
            return "{}"
        inner = indent + "  "
        parts = []
        for k, v in value.items():
            if type(k) is not str:
                return _slow(value, indent)
            tv = type(v)
            if tv is str:
                parts.append(_str(k) + ": " + _str(v))
            elif tv is int:
                parts.append(_str(k) + ": " + int.__repr__(v))
            elif v is None:
                parts.append(_str(k) + ": null")
            else:
                parts.append(_str(k) + ": " + _encode(v, inner))
        return "{\n" + inner + (",\n" + inner).join(parts) + "\n" + indent + "}"
    if t is list or t is tuple:
        if not value:
            return "[]"
        inner = indent + "  "
        return ("[\n" + inner + (",\n" + inner).join([_encode(v, inner) for v in value])
                + "\n" + indent + "]")
    return _slow(value, indent)
