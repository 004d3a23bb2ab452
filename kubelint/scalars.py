"""Plain-scalar resolution as kubectl does it.

kubectl reads manifests with sigs.k8s.io/yaml, which decodes with go-yaml v2 (YAML 1.1 rules)
and re-encodes as JSON. So an unquoted scalar means what go-yaml v2's `resolve()` says it means,
not what YAML 1.2 says. The exact table (resolve.go of gopkg.in/yaml.v2):

  text (unquoted, untagged)                                   value
  ----------------------------------------------------------  -------------------------
  y Y yes Yes YES true True TRUE on On ON                     true
  n N no No NO false False FALSE off Off OFF                  false
  "" ~ null Null NULL                                         null
  .inf .Inf .INF +.inf +.Inf +.INF / -.inf -.Inf -.INF        +inf / -inf
  .nan .NaN .NAN                                              nan
  starts with a digit, + or -: Go ParseInt(base 0) after      integer
    removing "_": 42, -7, 0x1F (31), 0o17, 0755 (octal 493),
    0b101 (5), 1_000 (1000)
  otherwise, matching ^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$
    after removing "_": 1.5, 1e3 (1000.0), 08 (8.0: not octal)  float
  starts with ".": Go ParseFloat, e.g. .5                      float
  anything else, timestamps included (go-yaml v2 keeps them     string
    as strings when decoding into interface{})

Quoted scalars and block scalars (| >) are always strings. Explicit tags (!!str, !!int,
!!bool, !!float, !!null) are honoured; any other tag (`!foo 123`) keeps the text as a string,
as go-yaml v2 does.

Keys are converted to JSON object keys the way sigs.k8s.io/yaml does: `yes:` becomes "true",
`1:` becomes "1", `~:` becomes "null".
"""

from __future__ import annotations

import math
import re
from typing import Any, Optional

TRUE = ("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON")
FALSE = ("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF")
NULL = ("", "~", "null", "Null", "NULL")

# Booleans in YAML 1.1 that are plain strings in YAML 1.2 and JSON: the usual surprise.
YAML11_ONLY_BOOLS = frozenset(TRUE + FALSE) - {"true", "True", "TRUE", "false", "False", "FALSE"}

_MAP: dict = {}
_MAP.update((t, True) for t in TRUE)
_MAP.update((t, False) for t in FALSE)
_MAP.update((t, None) for t in NULL)
_MAP.update((t, math.inf) for t in (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"))
_MAP.update((t, -math.inf) for t in ("-.inf", "-.Inf", "-.INF"))
_MAP.update((t, math.nan) for t in (".nan", ".NaN", ".NAN"))

_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_INT64_MIN, _INT64_MAX, _UINT64_MAX = -(2**63), 2**63 - 1, 2**64 - 1
_GO_DIGITS = {16: "0123456789abcdefABCDEF", 8: "01234567", 2: "01", 10: "0123456789"}


def _go_parse_int(text: str) -> Optional[int]:
    """strconv.ParseInt(text, 0, 64), falling back to ParseUint as go-yaml does."""
    sign = 1
    body = text
    if body[:1] in "+-":
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    if not body:
        return None
    base = 10
    low = body[:2].lower()
    if low == "0x":
        base, body = 16, body[2:]
    elif low == "0o":
        base, body = 8, body[2:]
    elif low == "0b":
        base, body = 2, body[2:]
    elif len(body) > 1 and body[0] == "0":
        base, body = 8, body[1:]
    if not body or any(c not in _GO_DIGITS[base] for c in body):
        return None
    value = sign * int(body, base)
    if _INT64_MIN <= value <= (_UINT64_MAX if sign > 0 else _INT64_MAX):
        return value
    return None


def resolve_plain(text: str) -> Any:
    """The value of an unquoted, untagged scalar under kubectl's rules."""
    if text in _MAP:
        return _MAP[text]
    first = text[0]
    if first == ".":
        if _FLOAT.match(text):
            return float(text)
        return text
    if first.isdigit() or first in "+-":
        plain = text.replace("_", "")
        value = _go_parse_int(plain)
        if value is not None:
            return value
        if _FLOAT.match(plain):
            return float(plain)
    return text


# go-yaml v2 (kubectl's) merges on a `<<` key untagged or tagged `!!merge` (ruamel writes
# merge keys so)
MERGE_TAG = "tag:yaml.org,2002:merge"


def resolve_tagged(tag: str, text: str) -> Any:
    """An explicitly tagged scalar (`!!str 3`). Any other tag keeps the text, as go-yaml v2
    (kubectl's reader) does with a tag it cannot resolve: `!foo 123` is the string "123",
    and `rule: !self.contains('*')` (a CEL expression taken for a tag) the empty string
    (`kubectl config view` shows both)."""
    if not tag.startswith("tag:yaml.org,2002:"):
        return text
    short = tag.rsplit(":", 1)[-1]
    if short in ("str", "binary"):
        return text
    if short == "bool":
        v = _MAP.get(text)
        return v if isinstance(v, bool) else text
    if short == "null":
        return None
    if short in ("int", "float"):
        v = resolve_plain(text) if text else text
        return v if isinstance(v, (int, float)) and not isinstance(v, bool) else text
    return resolve_plain(text) if text else None


def key_string(value: Any) -> str:
    """A resolved mapping key as the JSON object key sigs.k8s.io/yaml makes of it."""
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


def describe_plain(text: str, value: Any) -> Optional[str]:
    """Why an unquoted scalar is not the string it looks like, for messages; None if it is."""
    if isinstance(value, str):
        return None
    if isinstance(value, bool):
        if text in YAML11_ONLY_BOOLS:
            return (f"unquoted `{text}` is the boolean {str(value).lower()} in YAML 1.1, "
                    f"which kubectl uses")
        return f"unquoted `{text}` is a boolean"
    if value is None:
        return f"unquoted `{text}` is null" if text else "an empty value is null"
    if isinstance(value, int) and text.lstrip("+-")[:1] == "0" and len(text.lstrip("+-")) > 1 \
            and text.lstrip("+-")[1:2].isdigit():
        return f"unquoted `{text}` is the octal number {value} in YAML 1.1, which kubectl uses"
    return f"unquoted `{text}` is a number"
