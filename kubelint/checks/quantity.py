"""resource.Quantity parsing (k8s.io/apimachinery/pkg/api/resource/quantity.go)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, Optional, Tuple

from ..lazyre import LazyRegex

_FORMAT = LazyRegex(r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")
_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1),
            "k": Decimal(10**3), "M": Decimal(10**6), "G": Decimal(10**9), "T": Decimal(10**12),
            "P": Decimal(10**15), "E": Decimal(10**18)}
ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"


def suggest(value: Any) -> Optional[str]:
    """A likely intended spelling: 512MB -> 512Mi or 512M, "1 core" -> 1, 2GiB -> 2Gi."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    m = re.fullmatch(r"([0-9.]+)\s*([KMGTPE])i?B", text, re.I)
    if m:
        unit = m.group(2).upper()
        return f"{m.group(1)}{unit}i (binary) or {m.group(1)}{unit} (decimal)"
    m = re.fullmatch(r"([0-9.]+)\s*(cores?|cpus?|vcpus?)", text, re.I)
    if m:
        return m.group(1)
    m = re.fullmatch(r"([0-9.]+)\s+([A-Za-z]+)", text)
    if m:
        return m.group(1) + m.group(2)
    return None


# Quantities repeat ("100m", "128Mi"): parsed strings are remembered (bounded). Decimals are
# immutable, so sharing the parsed amount is safe.
_PARSED: dict = {}
_PARSED_MAX = 20_000


def parse_quantity(value: Any) -> Tuple[Optional[Decimal], Optional[str]]:
    """(amount, None) or (None, the API server's reason)."""
    if value.__class__ is str:
        found = _PARSED.get(value)
        if found is None:
            if len(_PARSED) >= _PARSED_MAX:
                _PARSED.clear()
            found = _PARSED[value] = _parse(value)
        return found
    return _parse(value)


def _parse(value: Any) -> Tuple[Optional[Decimal], Optional[str]]:
    if isinstance(value, bool):
        return None, ERROR
    if isinstance(value, (int, float)):
        return Decimal(str(value)), None
    if not isinstance(value, str):
        return None, ERROR
    m = _FORMAT.match(value)
    if not m:
        return None, ERROR
    number, suffix = m.groups()
    if number.count(".") > 1 or number.strip("+-") in ("", "."):
        return None, ERROR
    try:
        amount = Decimal(number)
    except InvalidOperation:
        return None, ERROR
    if suffix in _BINARY:
        return amount * _BINARY[suffix], None
    if suffix in _DECIMAL:
        return amount * _DECIMAL[suffix], None
    exp = re.fullmatch(r"[eE]([-+]?[0-9]+)", suffix)
    if exp:
        return amount * Decimal(10) ** int(exp.group(1)), None
    return None, "unable to parse quantity's suffix"
