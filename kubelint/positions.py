"""JSON pointer -> position in the libyaml node tree of a document."""

from __future__ import annotations

from typing import Any, Optional, Tuple

from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .loader import is_merge_key, key_of, span_of
from .model import Pointer, Span


def _child(node: Any, part: Any) -> Tuple[Optional[Any], Optional[Any]]:
    """(key node, value node) of `part` in `node`, or (None, None)."""
    if node.__class__ is MappingNode:
        merges = []
        for knode, vnode in node.value:
            if knode.__class__ is not ScalarNode:
                continue
            if is_merge_key(knode):
                merges.append(vnode)
            elif key_of(knode) == part:
                return knode, vnode
        for m in merges:
            for src in (m.value if m.__class__ is SequenceNode else [m]):
                k, v = _child(src, part)
                if v is not None:
                    return k, v
    elif node.__class__ is SequenceNode and isinstance(part, int) and 0 <= part < len(node.value):
        return None, node.value[part]
    return None, None


def resolve(node: Any, pointer: Pointer) -> Tuple[Any, Optional[Any], int]:
    """Walk as far as the pointer goes: (deepest node, its key node, parts matched)."""
    key = None
    for depth, part in enumerate(pointer):
        k, v = _child(node, part)
        if v is None:
            return node, key, depth
        node, key = v, k
    return node, key, len(pointer)


def locate(node: Any, pointer: Pointer, at: str = "value") -> Span:
    """The span a finding at `pointer` should have.

    at="key": the mapping key of the last part (an unknown field, a selector), falling back to
    the value; at="value": the value node. A pointer that does not exist in the document (a
    missing required field) lands on the deepest node that does: for a mapping, on its key when
    it has one (`spec:`), else on its first line."""
    target, key, matched = resolve(node, pointer)
    if matched == len(pointer):
        if at == "key" and key is not None:
            return span_of(key)
        return _value_span(target, key)
    if key is not None:
        return span_of(key)
    return _value_span(target, None)


def _value_span(node: Any, key: Optional[Any]) -> Span:
    if node.__class__ is ScalarNode:
        return span_of(node)
    # A block collection spans many lines; point at its first line only, not its whole body.
    span = span_of(node)
    if key is not None and span.line != span.end_line:
        return span_of(key)
    if span.line != span.end_line:
        first = node.value[0] if node.value else None
        if first is not None:
            first = first[0] if isinstance(first, tuple) else first
            f = span_of(first)
            return Span(span.line, span.column, f.end_line, f.end_column)
    return span
