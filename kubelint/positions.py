"""JSON pointer -> position in the libyaml node tree of a document.

Works on either node tree libyaml gives: ruamel's (the full pass, fixes, rendering) or PyYAML's
(the fast pass, loader.Document.pnode), which mark the same lines and columns; nodes are told
apart by their `id` ("mapping", "sequence", "scalar"), so neither library is imported here.
The fast pass's trees come in two forms (fastload.py): scalars as its exception-based node
class, or (the lean form) as the composer's bare arguments, a tuple (tag, value, start mark,
end mark, style); resolve() gives callers the node class either way.
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

from .loader import is_merge_key, key_of, span_of
from .model import Pointer, Span
from .scalars import MERGE_TAG, key_string, resolve_plain, resolve_tagged

_IMPLICIT = "?"  # the tag both passes' resolvers give untagged nodes


_FAST: Any = None  # (fastload._KEYS, its node classes' scalar and mapping), on first use


def _fast() -> Any:
    global _FAST
    from . import fastload

    _FAST = (fastload._KEYS, getattr(fastload, "_Scalar", None), getattr(fastload, "_Mapping", None))
    return _FAST


def _index(node: Any) -> Tuple[dict, Optional[list]]:
    """{key: (key node, value node)} of a fast-pass mapping node and its merged sources,
    built on the first lookup and kept on the node: a document's findings look up the same
    few mappings (the pod spec, a container) again and again."""
    memo, scalar, mapping = _FAST or _fast()  # the classes the fast pass composes with
    keys: dict = {}
    merges = None
    for knode, vnode in (node.args[1] if node.__class__ is mapping else node.value):
        if knode.__class__ is tuple or knode.__class__ is scalar:
            # its fields as the composer gave them (fastload.py)
            tag, text, _, _, style = knode if knode.__class__ is tuple else knode.args
            if tag is None and not style:  # plain, as fastload._mapping resolves it
                k = memo.get(text)
                if k is None:
                    if text == "<<":
                        merges = (merges or []) + [vnode]
                        continue
                    k = key_string(resolve_plain(text)) if text else "null"
                if k not in keys:
                    keys[k] = (knode, vnode)
                continue
            implicit = tag is None
        elif knode.id == "scalar":  # PyYAML's own node classes
            tag, text, style = knode.tag, knode.value, knode.style
            implicit = tag == _IMPLICIT
        else:
            continue
        if not implicit:
            if text == "<<" and str(tag) == MERGE_TAG:
                merges = (merges or []) + [vnode]
                continue
            k = key_string(resolve_tagged(tag, text))
        elif style:
            k = text
        elif text == "<<":
            merges = (merges or []) + [vnode]
            continue
        else:  # a plain key, as fastload._mapping resolves it (memoised there)
            k = memo.get(text)
            if k is None:
                k = key_string(resolve_plain(text)) if text else "null"
        keys.setdefault(k, (knode, vnode))
    node.kl_index = found = (keys, merges)
    return found


def _child(node: Any, part: Any) -> Tuple[Optional[Any], Optional[Any]]:
    """(key node, value node) of `part` in `node`, or (None, None)."""
    memo, scalar, mapping = _FAST or _fast()
    if node.__class__ is mapping:
        # A fast-pass mapping: its keys compared in place. Most mappings are looked up once or
        # twice per document (a container for its name, its image), which costs less than
        # indexing their keys; any key the loading pass did not memoise as plain (a tag, a
        # merge) and the mapping is indexed after all (below). (A key found before that is
        # the one the index gives: keys are unique in a fast-pass mapping, own keys win.)
        pairs = node.args[1]
        if pairs and pairs[0][0].__class__ is tuple:  # a lean tree: every key a tuple
            for pair in pairs:
                tag, text, _, _, style = pair[0]
                if tag is not None:
                    break
                if style:
                    if text == part:
                        return pair
                    continue
                k = memo.get(text)
                if k is None:
                    break
                if k == part:
                    return pair
            else:
                return None, None
        else:
            for knode, vnode in pairs:
                if knode.__class__ is not scalar:
                    continue  # not a key a pointer names (the fast pass gives up on them anyway)
                tag, text, _, _, style = knode.args
                if tag is not None:
                    break
                if style:
                    if text == part:
                        return knode, vnode
                    continue
                k = memo.get(text)
                if k is None:
                    break
                if k == part:
                    return knode, vnode
            else:
                return None, None
    elif node.__class__ is tuple:  # a lean tree's scalar: nothing below it
        return None, None
    kind = node.id
    if kind == "mapping":
        try:
            keys, merges = node.kl_index
        except AttributeError:
            if hasattr(node, "ctag"):  # ruamel's nodes (slots: no index kept)
                return _ruamel_child(node, part)
            keys, merges = _index(node)
        try:
            found = keys.get(part)
        except TypeError:  # an unhashable part: no such key
            found = None
        if found is not None:
            return found
        for m in merges or ():
            for src in (m.value if m.id == "sequence" else [m]):
                k, v = _child(src, part)
                if v is not None:
                    return k, v
    elif kind == "sequence" and isinstance(part, int):
        items = node.value
        if 0 <= part < len(items):
            return None, items[part]
    return None, None


def _ruamel_child(node: Any, part: Any) -> Tuple[Optional[Any], Optional[Any]]:
    merges = None
    for knode, vnode in node.value:
        if knode.id != "scalar":
            continue
        if is_merge_key(knode):
            merges = (merges or []) + [vnode]
        elif key_of(knode) == part:
            return knode, vnode
    for m in merges or ():
        for src in (m.value if m.id == "sequence" else [m]):
            k, v = _child(src, part)
            if v is not None:
                return k, v
    return None, None


def resolve(node: Any, pointer: Pointer) -> Tuple[Any, Optional[Any], int]:
    """Walk as far as the pointer goes: (deepest node, its key node, parts matched), nodes
    with PyYAML's interface (a lean tree's scalar given as the fast pass's node class)."""
    target, key, matched = _resolve(node, pointer)
    if target.__class__ is tuple:
        target = _node_of(target)
    if key.__class__ is tuple:
        key = _node_of(key)
    return target, key, matched


def _node_of(scalar: tuple) -> Any:
    """A lean tree's scalar as the fast pass's node class (its arguments are the same)."""
    return ((_FAST or _fast())[1] or _Missing)(*scalar)


def _Missing(*_: Any) -> Any:  # pragma: no cover - without PyYAML's C layer no tree is lean
    raise AssertionError("a lean tree without the fast pass")


def _resolve(node: Any, pointer: Pointer) -> Tuple[Any, Optional[Any], int]:
    """resolve(), a lean tree's scalars as they are (tuples).
    The walks of a document's findings share their beginnings (the pod spec, a container):
    each prefix is walked once, and kept on the root node of the document (as _index keeps
    a mapping's keys on it; ruamel's nodes have no room for it: walked every time)."""
    n = len(pointer)
    if n > 1 and pointer.__class__ is tuple:
        memo = _paths_memo(node)
        if memo is not None:
            parent = pointer[:-1]
            found = memo.get(parent)
            if found is None:
                found = _resolve_prefixes(node, pointer, memo)
            target, key, matched = found
            if matched < n - 1:
                return found
            k, v = _child(target, pointer[-1])
            if v is None:
                return found
            return v, k, n
    key = None
    for depth, part in enumerate(pointer):
        k, v = _child(node, part)
        if v is None:
            return node, key, depth
        node, key = v, k
    return node, key, len(pointer)


def _paths_memo(node: Any) -> Optional[dict]:
    """The walks of a document's pointer prefixes, kept on its root node (None: ruamel's
    nodes have no room for it)."""
    try:
        return node.kl_paths
    except AttributeError:
        try:
            memo = node.kl_paths = {}
        except AttributeError:  # ruamel's nodes (slots)
            return None
        return memo


def _resolve_prefixes(node: Any, pointer: Pointer, memo: dict) -> Tuple[Any, Optional[Any], int]:
    """resolve() of each prefix of `pointer` but the whole, shortest first, from the longest one
    in `memo` (a document's first finding in a container walks down to it; its next ones start
    from there), each kept in `memo`: the prefix of all but the last part is returned."""
    m = len(pointer) - 1 if memo else 1  # (a document's first placement: nothing to look for)
    while m > 1 and pointer[:m - 1] not in memo:
        m -= 1
    # pointer[:m - 1] is in memo (or m == 1: nothing is, start at the root)
    if m > 1:
        found = memo[pointer[:m - 1]]
    else:
        k, v = _child(node, pointer[0])
        found = memo[pointer[:1]] = (node, None, 0) if v is None else (v, k, 1)
        m = 2
    for end in range(m, len(pointer)):
        target, key, matched = found
        if matched == end - 1:  # the walk got this far: one part further
            k, v = _child(target, pointer[end - 1])
            if v is not None:
                found = (v, k, end)
        memo[pointer[:end]] = found
    return found


def locate(node: Any, pointer: Pointer, at: str = "value") -> Span:
    """The span a finding at `pointer` should have.

    at="key": the mapping key of the last part (an unknown field, a selector), falling back to
    the value; at="value": the value node. A pointer that does not exist in the document (a
    missing required field) lands on the deepest node that does: for a mapping, on its key when
    it has one (`spec:`), else on its first line."""
    n = len(pointer)
    if n > 1 and pointer.__class__ is tuple:
        # resolve() and span_of() inline for the common case (a pointer of a tuple into a
        # fast-pass tree, found): placing is a tenth of the whole rule set's extra work
        memo = getattr(node, "kl_paths", None)
        if memo is None:
            memo = _paths_memo(node)
        if memo is not None:
            found = memo.get(pointer[:-1])
            if found is None:
                found = _resolve_prefixes(node, pointer, memo)
            target, key, matched = found
            if matched == n - 1:
                k, v = _child(target, pointer[-1])
                if v is not None:
                    return found_span(k, v, at)
            if key is not None:
                return span_of(key)
            return _value_span(target, None)
    target, key, matched = _resolve(node, pointer)
    if matched == n:
        if at == "key" and key is not None:
            return span_of(key)
        return _value_span(target, key)
    if key is not None:
        return span_of(key)
    return _value_span(target, None)


_span = tuple.__new__  # Span(...) without its generated __new__


def found_span(k: Any, v: Any, at: str) -> Span:
    """locate()'s span of a node found whole: `v` at key `k` (None in a sequence); also
    batchplace's, for the positions it places at once."""
    if at == "key" and k is not None:
        v = k
    if v.__class__ is tuple:  # a lean tree's scalar: its marks in place
        _, _, s, e, _ = v
    elif v.__class__ is (_FAST or _fast())[1]:  # a fast-pass scalar: its args
        _, _, s, e, _ = v.args
    elif v is k:
        return span_of(v)
    else:
        return _value_span(v, k)
    return _span(Span, (s.line + 1, s.column + 1, e.line + 1, e.column + 1))


def _value_span(node: Any, key: Optional[Any]) -> Span:
    if node.__class__ is tuple or node.id == "scalar":  # (a tuple: a lean tree's scalar)
        return span_of(node)
    # A block collection spans many lines; point at its first line only, not its whole body.
    span = span_of(node)
    if key is not None and span.line != span.end_line:
        return span_of(key)
    if span.line != span.end_line:
        first = node.value[0] if node.value else None
        if first is not None:
            first = first[0] if node.id == "mapping" else first  # a (key, value) pair
            f = span_of(first)
            return Span(span.line, span.column, f.end_line, f.end_column)
    return span
