"""The fast pass of loading: plain data without ruamel node objects, for files that load
cleanly (most of them).

libyaml composes nodes through PyYAML's C layer (`yaml._yaml.CParser`), whose nodes are plain
Python objects with string tags: measured on the benchmark corpus (5,000 documents), composing
takes 270 ms there against 547 ms with ruamel's C layer, whose nodes build a Tag object each.
Scalars are resolved by kubelint itself (scalars.py, kubectl's YAML 1.1 rules), exactly as the
full pass in loader.py does.

The fast pass gives up -- returns None -- at the first thing that needs the full pass to be
reported exactly: a syntax error, a duplicate key, a non-scalar key, a bad merge, any alias
(their expansion is bounded by the full pass), a %YAML/%TAG directive (the two libyaml copies
may differ on them). The caller then loads the file with loader.py's full pass, so results are
identical by construction; positions are composed later, only for documents with findings
(loader.LazyNodes).
"""

from __future__ import annotations

import re
from typing import Any, List, Optional, Tuple

try:  # PyYAML comes with kubernetes-validate; without its C extension the full pass is used
    from yaml._yaml import CParser as _CParser
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    _CParser = None

from .lazyre import LazyRegex
from .scalars import key_string, resolve_plain, resolve_tagged

_IMPLICIT = "?"


class _GiveUp(Exception):
    """Something the full pass must report."""


if _CParser is not None:
    class _Parser(_CParser):  # type: ignore[misc, valid-type]
        """libyaml composer without PyYAML's resolver: scalars are resolved by scalars.py."""

        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:  # noqa: ARG002
            return _IMPLICIT

        def descend_resolver(self, *args: Any) -> None:
            pass

        def ascend_resolver(self, *args: Any) -> None:
            pass


# Plain scalars repeat (keys above all: `name`, `image`; values: `TCP`, `IfNotPresent`), so
# their resolution is memoised per text; bounded, so a 20 MB file of unique names cannot grow
# them without end. Sharing the resolved strings also saves memory.
_KEYS: dict = {}
_VALUES: dict = {}
_MEMO_MAX = 100_000
_MISSING = object()


def _build(node: Any) -> Any:
    cls = node.__class__
    if cls is ScalarNode:
        if node.tag == _IMPLICIT:
            v = node.value
            return v if node.style else (resolve_plain(v) if v else None)
        return resolve_tagged(node.tag, node.value)
    if cls is SequenceNode:
        return [_build(item) for item in node.value]
    return _mapping(node)


def _mapping(node: Any) -> dict:
    # The hot loop: scalar keys and values resolved inline, as in loader._Builder._mapping.
    out: dict = {}
    merges = None
    keys, values = _KEYS, _VALUES
    for knode, vnode in node.value:
        if knode.__class__ is not ScalarNode:
            raise _GiveUp
        text = knode.value
        if knode.tag != _IMPLICIT:
            k = key_string(resolve_tagged(knode.tag, text))
        elif knode.style:
            k = text
        else:
            k = keys.get(text)
            if k is None:
                if text == "<<":
                    if merges is None:
                        merges = []
                    merges.append(vnode)
                    continue
                k = keys[text] = key_string(resolve_plain(text)) if text else "null"
        if k in out:
            raise _GiveUp  # a duplicate key: the full pass reports it
        if vnode.__class__ is ScalarNode and vnode.tag == _IMPLICIT:
            v = vnode.value
            if vnode.style:
                out[k] = v
            else:
                r = values.get(v, _MISSING)
                if r is _MISSING:
                    r = values[v] = resolve_plain(v) if v else None
                out[k] = r
        else:
            out[k] = _build(vnode)
    if merges is not None:
        # explicit keys win, then the merged mappings in order (go-yaml v2)
        for vnode in merges:
            sources = vnode.value if vnode.__class__ is SequenceNode else [vnode]
            for src in sources:
                if src.__class__ is not MappingNode:
                    raise _GiveUp
                for k, v in _mapping(src).items():
                    out.setdefault(k, v)
    return out


def load_documents(text: str, nodes: Optional[List[Any]] = None
                   ) -> Optional[List[Tuple[int, Any, int]]]:
    """[(document index, data, 0-based line of its root node)] for every document of `text`,
    empty ones included (data None), or None when the full pass is needed. `nodes`: a list
    that gets each document's root node (kept for positions, see loader.Document.pnode)."""
    if _CParser is None or "*" in text and _has_alias(text) or "%" in text and _has_directive(text):
        return None
    if len(_KEYS) > _MEMO_MAX or len(_VALUES) > _MEMO_MAX:
        _KEYS.clear()
        _VALUES.clear()
    parser = _Parser(text)
    out: List[Tuple[int, Any, int]] = []
    try:
        index = 0
        while parser.check_node():
            node = parser.get_node()
            out.append((index, _build(node), node.start_mark.line))
            if nodes is not None:
                nodes.append(node)
            index += 1
    except Exception:  # _GiveUp, libyaml's errors, RecursionError: the full pass reports it
        return None
    finally:
        parser.dispose()
    return out


# libyaml's anchor and alias names are [0-9A-Za-z_-]+
_ALIAS = LazyRegex(r"(?:^|[\s\[{,:?-])\*[0-9A-Za-z_-]", re.M)


def _has_alias(text: str) -> bool:
    # The full pass bounds alias expansion (billion laughs). A `*` inside a scalar (globs, cron
    # schedules) is common, so only a `*` starting a token and followed by a name character counts; a false alarm only costs the
    # full pass.
    return _ALIAS.search(text) is not None


def _has_directive(text: str) -> bool:
    return text.startswith("%") or "\n%" in text


def compose(text: str) -> Any:
    """The node tree of the first document of `text` (libyaml through PyYAML, as the fast
    pass composes it), for positions; None for an empty text."""
    parser = _Parser(text)
    try:
        return parser.get_node() if parser.check_node() else None
    finally:
        parser.dispose()
