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
may differ on them), what PyYAML's newer libyaml accepts in flow collections and kubectl does
not (_flow_check). The caller then loads the file with loader.py's full pass, so results are
identical by construction; positions are composed later, only for documents with findings
(loader.LazyNodes).
"""

from __future__ import annotations

import re
from typing import Any, Callable, List, Optional, Tuple

try:  # PyYAML comes with kubernetes-validate; without its C extension the full pass is used
    from .thirdparty import pyyaml_c

    _c = pyyaml_c()
    _CParser = _c.CParser
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    _CParser = None

from .lazyre import LazyRegex
from .packing import key as _known_key
from .scalars import MERGE_TAG, key_string, resolve_plain, resolve_tagged

_IMPLICIT = "?"  # the tag of a node without an explicit one, as positions.py reads it


class _GiveUp(Exception):
    """Something the full pass must report."""


if _CParser is not None:
    # The composer calls three resolver hooks for every node. Here they are C callables
    # that do not bind to the instance and make nothing: no Python frame, no object per
    # call. `resolve` (node class, value, implicit) is one exception's __init__, which only
    # keeps the arguments until the next call and returns None: the tag of a node without
    # an explicit one (an explicit tag is a str). Slices as before made a slice per node,
    # kept as its tag: 8% of loading's instructions. `descend_resolver` (parent node,
    # index or key node) is an empty dict's get: the parent is hashed, nothing is kept.
    _SINK = BaseException()

    class _Parser(_CParser):  # type: ignore[misc, valid-type]
        """libyaml composer without PyYAML's resolver: scalars are resolved by scalars.py."""

        resolve = _SINK.__init__
        descend_resolver = {}.get  # (parent, index) -> index
        ascend_resolver = tuple  # () -> the empty tuple

    # While the fast pass composes, the composer builds these instead of yaml.nodes' classes:
    # exceptions only because BaseException is the one built-in type whose constructor
    # takes any arguments and keeps them (as .args: tag, value, start mark, end mark,
    # style) without running Python code; 60 ms less per 5,000 documents.
    # Kept trees are read for positions (positions.py) through PyYAML's node interface:
    # properties over .args, each read only where a finding is placed.
    class _Node(BaseException):
        __slots__ = ()
        tag = property(lambda self: _IMPLICIT if self.args[0] is None else self.args[0])
        value = property(lambda self: self.args[1])
        start_mark = property(lambda self: self.args[2])

    class _Scalar(_Node):
        __slots__ = ()
        id = "scalar"
        end_mark = property(lambda self: self.args[3])
        style = property(lambda self: self.args[4])

    class _Sequence(_Node):
        __slots__ = ("end_mark",)  # the composer sets it
        id = "sequence"
        flow_style = property(lambda self: self.args[4])

    class _Mapping(_Node):
        __slots__ = ("end_mark",)
        id = "mapping"
        flow_style = property(lambda self: self.args[4])

    # named as PyYAML's and ruamel's node classes, which code may tell apart by name
    _Scalar.__name__, _Sequence.__name__, _Mapping.__name__ = "ScalarNode", "SequenceNode", "MappingNode"
    _FAST = (_Scalar, _Sequence, _Mapping)
    _PYYAML = (ScalarNode, SequenceNode, MappingNode)  # put back after every use

    def _scalar_args(*args: Any) -> Tuple[Any, ...]:
        return args

    # Unless a flow collection must be checked (_flow_check reads nodes through PyYAML's
    # interface), a scalar is just the composer's arguments, (tag, value, start mark, end
    # mark, style): a tuple frees faster than an exception holding one, and is read without
    # the .args lookup. 5% of loading's instructions on the benchmark corpus; kept trees
    # too (positions.py reads both): composing them with _FAST cost the whole rule set,
    # which keeps a tree for nearly every document, ~1.5% of its run.
    _LEAN = (_scalar_args, _Sequence, _Mapping)


# Plain scalars repeat (keys above all: `name`, `image`; values: `TCP`, `IfNotPresent`), so
# their resolution is memoised per text; bounded, so a 20 MB file of unique names cannot grow
# them without end. Sharing the resolved strings also saves memory. A key is packing.KEYS's
# string when it is one of them (packing.py writes those as references).
_KEYS: dict = {}
_VALUES: dict = {}
_MEMO_MAX = 100_000
_MISSING = object()


def _build(node: Any) -> Any:
    cls = node.__class__
    if cls is _Scalar:
        tag, v, _, _, style = node.args
        if tag is None:
            return v if style else (resolve_plain(v) if v else None)
        if tag[:18] != "tag:yaml.org,2002:":
            raise _GiveUp  # a tag kubectl drops (`!foo`): the full pass reports it (KL007)
        return resolve_tagged(tag, v)
    if cls is _Sequence:
        if node.args[4] and _flow_risk:
            _flow_check(node.args[1])
        return [_mapping(item) if item.__class__ is _Mapping else _build(item) for item in node.args[1]]
    if cls is _Mapping:
        return _mapping(node)
    raise _GiveUp  # yaml.nodes' classes: another thread put them back mid-way


# Whether the text being loaded has a `?` or a `!`, without which _flow_check finds nothing:
# JSON manifests are flow collections throughout (checking them cost 18% more loading).
_flow_risk = True


def _flow_check(items: Any) -> None:
    """Give up on what PyYAML's libyaml (0.2.5+) reads in a flow collection where kubectl's
    YAML reader (and the full pass's libyaml, ruamel's 0.1.x) stops with a syntax error: a
    plain scalar with `?` inside (`[a?b]`: "did not find expected ',' or ']'") and an empty
    key (`[?]`, `[a, ?]`); and tags there (0.2.5 ends a tag at a flow indicator, 0.1.x does
    not). A `:` inside (`[--url=http://x]`) is read as kubectl reads it (checked with kubectl
    1.3x: "http://x:1"), which the full pass cannot: its libyaml stops there (loader.py then
    composes the file with this libyaml and asks refused_in_flow too)."""
    if refused_in_flow(items):
        raise _GiveUp


def refused_in_flow(items: Any) -> bool:
    """Whether a flow collection holds what kubectl refuses and libyaml 0.2.5+ reads (see
    _flow_check). `items`: a flow sequence's nodes or a flow mapping's (key, value) pairs, of
    this module's nodes or ruamel's (both have tag, id, style, value)."""
    for item in items:
        pair = item.__class__ is tuple
        for node in (item if pair else (item,)):
            if node.tag != _IMPLICIT:
                return True
            if node.id == "scalar" and not node.style and (
                    "?" in node.value or pair and not node.value and node is item[0]):
                return True  # (an empty key: 0.2.5 reads `[?]` as a mapping)
    return False


def _mapping(node: Any) -> dict:
    # The hot loop: scalar keys and values resolved inline, as in loader._Builder._mapping.
    if node.args[4] and _flow_risk:
        _flow_check(node.args[1])
    out: dict = {}
    merges = None
    keys, values = _KEYS, _VALUES
    for knode, vnode in node.args[1]:
        if knode.__class__ is not _Scalar:
            raise _GiveUp
        tag, text, _, _, style = knode.args
        if tag is not None:
            if text == "<<" and tag == MERGE_TAG:
                if merges is None:
                    merges = []
                merges.append(vnode)
                continue
            k = resolve_tagged(tag, text)
            if k is None:
                raise _GiveUp  # a null key: the full pass reports it
            k = key_string(k)
        elif style:
            k = _known_key(text)  # (quoted: `"app.kubernetes.io/name": x`)
        else:
            k = keys.get(text)
            if k is None:
                if text == "<<":
                    if merges is None:
                        merges = []
                    merges.append(vnode)
                    continue
                k = resolve_plain(text) if text else None
                if k is None:
                    raise _GiveUp  # a null key (`~`, `null`, empty): the full pass reports it
                k = keys[text] = _known_key(key_string(k))
        if k in out:
            raise _GiveUp  # a duplicate key: the full pass reports it
        if vnode.__class__ is _Scalar:
            vtag, v, _, _, vstyle = vnode.args
            if vtag is None:
                if vstyle:
                    out[k] = v
                else:
                    r = values.get(v, _MISSING)
                    if r is _MISSING:
                        r = values[v] = resolve_plain(v) if v else None
                    out[k] = r
                continue
        elif vnode.__class__ is _Mapping:
            out[k] = _mapping(vnode)  # (not through _build: one call less per nesting level)
            continue
        out[k] = _build(vnode)
    if merges is not None:
        _merge(out, merges, _mapping)
    return out


def _merge(out: dict, merges: List[Any], mapping: Callable[[Any], dict]) -> None:
    """`<<` merge keys into `out`, as go-yaml v2 does: explicit keys win, then the merged
    mappings in order (a merge of a non-mapping: the full pass reports it)."""
    for vnode in merges:
        sources = vnode.args[1] if vnode.__class__ is _Sequence else [vnode]
        for src in sources:
            if src.__class__ is not _Mapping:
                raise _GiveUp
            for k, v in mapping(src).items():
                out.setdefault(k, v)


def _lean_build(node: Any) -> Any:
    """_build over a tree composed with _LEAN (scalars are tuples)."""
    cls = node.__class__
    if cls is tuple:
        tag, v, _, _, style = node
        if tag is None:
            return v if style else (resolve_plain(v) if v else None)
        if tag[:18] != "tag:yaml.org,2002:":
            raise _GiveUp  # (as _build)
        return resolve_tagged(tag, v)
    if cls is _Sequence:
        return [_lean_mapping(item) if item.__class__ is _Mapping else _lean_build(item)
                for item in node.args[1]]
    if cls is _Mapping:
        return _lean_mapping(node)
    raise _GiveUp  # another thread's classes


def _lean_mapping(node: Any) -> dict:
    """_mapping over a tree composed with _LEAN: the same steps, a scalar read as a tuple.
    (No flow collection check: texts that need one are composed with _FAST.)"""
    out: dict = {}
    merges = None
    keys, values, missing = _KEYS, _VALUES, _MISSING
    pairs = node.args[1]
    for knode, vnode in pairs:
        # (a key that is a mapping or a sequence, an exception object, does not unpack: the
        # TypeError gives up as _GiveUp does, without a class test for every key)
        tag, text, _, _, style = knode
        if tag is not None:
            if text == "<<" and tag == MERGE_TAG:
                if merges is None:
                    merges = []
                merges.append(vnode)
                continue
            k = resolve_tagged(tag, text)
            if k is None:
                raise _GiveUp
            k = key_string(k)
        elif style:
            k = _known_key(text)
        else:
            k = keys.get(text)
            if k is None:
                if text == "<<":
                    if merges is None:
                        merges = []
                    merges.append(vnode)
                    continue
                k = resolve_plain(text) if text else None
                if k is None:
                    raise _GiveUp
                k = keys[text] = _known_key(key_string(k))
        cls = vnode.__class__
        if cls is tuple:
            vtag, v, _, _, vstyle = vnode
            if vtag is None:
                if vstyle:
                    out[k] = v
                else:
                    r = values.get(v, missing)
                    if r is missing:
                        r = values[v] = resolve_plain(v) if v else None
                    out[k] = r
                continue
        elif cls is _Mapping:
            out[k] = _lean_mapping(vnode)
            continue
        out[k] = _lean_build(vnode)
    # a duplicate key: one entry fewer than pairs (counted once here rather than tested for
    # every key); the full pass reports it
    if len(out) != len(pairs) and (merges is None or len(out) != len(pairs) - len(merges)):
        raise _GiveUp
    if merges is not None:
        _merge(out, merges, _lean_mapping)
    return out


def load_documents(text: str, nodes: Optional[List[Any]] = None,
                   starts: Optional[List[int]] = None) -> Optional[List[Tuple[int, Any, int]]]:
    """[(document index, data, 0-based line of its root node)] for every document of `text`,
    empty ones included (data None), or None when the full pass is needed. `nodes`: a list
    that gets each document's root node (kept for positions, see loader.Document.pnode).
    `starts`: a list that gets the character offset of each root node's line (its mark's
    index less its column)."""
    if _CParser is None or "*" in text and _has_alias(text) or "%" in text and _has_directive(text):
        return None
    if len(_KEYS) > _MEMO_MAX or len(_VALUES) > _MEMO_MAX:
        _KEYS.clear()
        _VALUES.clear()
    global _flow_risk
    _flow_risk = "?" in text or "!" in text
    lean = not _flow_risk
    build = _lean_build if lean else _build
    parser = _Parser(text)
    out: List[Tuple[int, Any, int]] = []
    _c.ScalarNode, _c.SequenceNode, _c.MappingNode = _LEAN if lean else _FAST
    try:
        index = 0
        while parser.check_node():
            node = parser.get_node()
            mark = node[2] if node.__class__ is tuple else node.args[2]
            out.append((index, build(node), mark.line))
            if nodes is not None:
                nodes.append(node)
            if starts is not None:
                starts.append(mark.index - mark.column)
            index += 1
    except Exception:  # _GiveUp, libyaml's errors, RecursionError: the full pass reports it
        return None
    finally:
        _c.ScalarNode, _c.SequenceNode, _c.MappingNode = _PYYAML
        parser.dispose()
    return out


# libyaml's anchor and alias names are [0-9A-Za-z_-]+. The `*` comes first (then looked
# behind): the regex engine jumps from `*` to `*` instead of trying every character (60x).
_ALIAS = LazyRegex(r"\*(?<=[\s\[{,:?-]\*)[0-9A-Za-z_-]")
_ALIAS_FIRST = LazyRegex(r"\*[0-9A-Za-z_-]")


_ANCHOR = LazyRegex(r"&(?<=[\s\[{,:?-]&)[0-9A-Za-z_-]")
_ANCHOR_FIRST = LazyRegex(r"&[0-9A-Za-z_-]")


def _has_alias(text: str) -> bool:
    # The full pass bounds alias expansion (billion laughs). A `*` inside a scalar (globs, cron
    # schedules, `*not*` in a CRD's descriptions) is common, so only a `*` starting a token and
    # followed by a name character counts, and only with an `&` that could start an anchor: an
    # alias without one is an error, which the fast pass gives up on anyway (libyaml: "found
    # undefined alias"). A false alarm only costs the full pass (Argo Workflows' 12 MB of CRDs:
    # 3 s instead of ~0.5).
    # (the `&` first: one memchr, where a text with `*`s but no anchor, cron schedules, was
    # searched for an alias to its end)
    return "&" in text and \
        (_ANCHOR_FIRST.match(text) is not None or _ANCHOR.search(text) is not None) and \
        (_ALIAS_FIRST.match(text) is not None or _ALIAS.search(text) is not None)


def _has_directive(text: str) -> bool:
    return text.startswith("%") or "\n%" in text


def compose(text: str) -> Any:
    """The node tree of the first document of `text` (libyaml through PyYAML, as the fast
    pass composes it), for positions; None for an empty text."""
    parser = _Parser(text)
    _c.ScalarNode, _c.SequenceNode, _c.MappingNode = _FAST
    try:
        return parser.get_node() if parser.check_node() else None
    finally:
        _c.ScalarNode, _c.SequenceNode, _c.MappingNode = _PYYAML
        parser.dispose()
