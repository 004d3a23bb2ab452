"""Label selectors and the labels they select, shared by the selector checks."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Tuple

from ..model import Pointer


def expression_matches(expr: Any, labels: Dict[str, Any]) -> bool:
    if not isinstance(expr, dict):
        return False
    key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
    if not isinstance(key, str) or not isinstance(values, list):
        return False  # malformed: the schema and label-selector-syntax report it
    if op == "In":
        return key in labels and labels[key] in values
    if op == "NotIn":
        return key not in labels or labels[key] not in values
    if op == "Exists":
        return key in labels
    if op == "DoesNotExist":
        return key not in labels
    return False


def selector_mismatches(selector: Dict[str, Any], labels: Dict[str, Any]) -> Iterator[Tuple[Pointer, str]]:
    """Why a LabelSelector does not select `labels`: (pointer in the selector, reason)."""
    match_labels = selector.get("matchLabels") or {}
    if isinstance(match_labels, dict):
        for k, v in match_labels.items():
            if k not in labels:
                yield ("matchLabels", k), f"label `{k}` is missing"
            elif labels[k] != v:
                yield ("matchLabels", k), f"`{k}` is {_q(labels[k])}, not {_q(v)}"
    exprs = selector.get("matchExpressions")
    if isinstance(exprs, list):
        for i, expr in enumerate(exprs):
            if not expression_matches(expr, labels):
                yield ("matchExpressions", i), f"expression `{describe_expression(expr)}` does not hold"


def describe_expression(expr: Any) -> str:
    if not isinstance(expr, dict):
        return str(expr)
    op = expr.get("operator")
    if op in ("Exists", "DoesNotExist"):
        return f"{expr.get('key')} {op}"
    values = expr.get("values")
    values = ", ".join(str(v) for v in values) if isinstance(values, list) else str(values)
    return f"{expr.get('key')} {op} ({values})"


def _q(v: Any) -> str:
    return f'"{v}"' if isinstance(v, str) else str(v)


def format_map(m: Dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in m.items()) if m else "none"
