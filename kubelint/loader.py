"""Files -> Documents with positions. Every problem becomes a finding; nothing raises.

Two passes. The fast pass (fastload.py) builds plain data without node objects; most files
take only that one. The full pass here uses ruamel's C composer (libyaml) for nodes with marks,
then builds plain dicts/lists with kubectl's scalar rules (see scalars.py) and reports every
loading problem; it runs for the files the fast pass gives up on, and lazily (LazyNodes) for
the documents that get findings, whose positions are looked up by JSON pointer in the node
tree (positions.py). ruamel is imported only when the full pass runs.
"""

from __future__ import annotations

import gc
import json
import os
import re
import stat
import sys
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional, Tuple

from .lazyre import LazyRegex
from .model import Span
from .namedtuple import NamedTuple
from .scalars import MERGE_TAG, key_string, resolve_plain, resolve_tagged

# Deeper than any real manifest (CRD schemas reach ~60); the C composer recurses without a
# bound and crashes the process near 100,000 levels, so depth is checked before composing.
MAX_DEPTH = 1000
# Alias expansion beyond this many nodes in one document is refused (billion laughs,
# CVE-2019-11253); kubectl refuses such documents too.
MAX_ALIAS_EXPANSION = 100_000
DEFAULT_MAX_FILE_SIZE = 20 * 1024 * 1024

_IMPLICIT = "?"  # tag our resolver gives untagged nodes; explicit tags start with "!" or "tag:"

# Building data recurses two Python frames per level (build -> _mapping, or build -> the
# generator of a sequence); leave room for the caller and the validators above it.
_RECURSION_LIMIT = 3 * MAX_DEPTH + 1000
if sys.getrecursionlimit() < _RECURSION_LIMIT:
    sys.setrecursionlimit(_RECURSION_LIMIT)


# ruamel's node classes and our parser, bound by _ruamel() when the full pass first runs: a run
# whose files all load through the fast pass without findings never imports ruamel (~21 ms).
MappingNode: Any = None
ScalarNode: Any = None
SequenceNode: Any = None
_Parser: Any = None


def _ruamel() -> None:
    global MappingNode, ScalarNode, SequenceNode, _Parser
    if _Parser is not None:
        return
    from _ruamel_yaml import CParser
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode  # noqa: F811

    class Parser(_NoResolver, CParser):
        """libyaml composer without ruamel's Python resolver: we resolve scalars ourselves."""

    _Parser = Parser


class _NoResolver:
    """The resolver hooks libyaml's composers call, doing nothing: every untagged node gets
    _IMPLICIT and scalars.py resolves it (mixed into the C parsers)."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:  # noqa: ARG002
        return _IMPLICIT

    def descend_resolver(self, *args: Any) -> None:
        pass

    def ascend_resolver(self, *args: Any) -> None:
        pass


class Problem(NamedTuple):
    """A loader finding before the engine gives it a rule identity."""

    code: str
    message: str
    span: Span
    doc: int = 0
    hint: Optional[str] = None


# Plain classes with __slots__ rather than dataclasses: defining a dataclass costs ~0.3 ms
# of start-up each, and a one-file run is mostly start-up.
class Document:
    __slots__ = ("path", "index", "data", "_node", "item", "_nodes", "_pnode", "spans")

    def __init__(self, path: str, index: int, data: Any, node: Any = None,
                 item: Optional[int] = None, nodes: Optional["LazyNodes"] = None,
                 pnode: Any = None, spans: Optional[dict] = None) -> None:
        self.path = path
        self.index = index  # position of the YAML document in the file
        self.data = data
        self._node = node
        self.item = item  # index in the items of a `kind: List`
        self._nodes = nodes  # composes `_node` on first use (fast pass)
        self._pnode = pnode  # the fast pass's own node tree, kept for positions
        # {(pointer, at): Span} placed in this document so far (engine.Linter.place), when
        # kept for the cross-object stage; None: not memoised
        self.spans = spans

    @property
    def node(self) -> Any:
        """The ruamel node of `data`, for positions: composed only when asked for, so files
        without findings never build node trees. None once pickled."""
        if self._node is None and self._nodes is not None:
            self._node = self._nodes.node(self.index, self.item)
            self._nodes = None
        return self._node

    @node.setter
    def node(self, value: Any) -> None:
        self._node = value
        self._nodes = None

    @property
    def pnode(self) -> Any:
        """A node tree of `data` for positions only (positions.py), libyaml's either way: the
        ruamel node when there is one, else the fast pass's PyYAML node (kept, or composed
        from the document's own lines), which costs half as much to compose. Not for fixes
        or rendering, which need ruamel's nodes (`node`)."""
        if self._node is not None:
            return self._node
        if self._pnode is None:
            if self._nodes is None:
                return None
            self._pnode = self._nodes.fast(self.index, self.item)
        return self._pnode

    def __getstate__(self) -> tuple:
        # libyaml nodes don't pickle; positions are looked up again where needed
        return (self.path, self.index, self.data, None, self.item)

    def __setstate__(self, state: tuple) -> None:
        self.path, self.index, self.data, self._node, self.item = state
        self._nodes = None
        self._pnode = None
        self.spans = None


class _Nowhere:
    """Stands for a node that could not be composed: positions fall back to line 1."""

    class _Mark:
        line = column = 0

    start_mark = end_mark = _Mark()
    value: Any = ()
    id = "nowhere"  # not a collection for positions.py


class LazyNodes:
    """The ruamel nodes of a file that loaded through the fast pass, composed on demand.

    Requests come in document order while a file is linted, so one parser moves forward,
    keeping no node it was not asked for; an earlier document restarts it. Memory stays that
    of one document even for a 20 MB file."""

    __slots__ = ("text", "_parser", "_next", "_all", "_lines", "_starts")

    def __init__(self, text: str, lines: Optional[List[Tuple[int, int, int]]] = None) -> None:
        self.text = text
        self._parser: Any = None
        self._next = 0  # index of the document the parser composes next
        # Every document's node, once a request came out of order: the cross-object stage
        # asks rule by rule, and for the other end of a finding, so restarting the parser
        # for each request made it quadratic (50 documents, 21 findings: 0.9 s). Only where
        # documents cannot be composed alone (see _alone).
        self._all: Optional[List[Any]] = None
        # [(document index, line of its root node, character offset of that line)] in order,
        # when documents can be composed alone from their own lines (see _alone)
        self._lines = lines if lines and _sliceable(text, lines) else None
        # character offset of each root's line: the fast pass's (from the root's mark), checked
        # to follow a line break; else found from the text (a scan of every line)
        self._starts: Optional[List[int]] = None

    def fast(self, index: int, item: Optional[int]) -> Any:
        """The node of document `index` composed as the fast pass composes it (PyYAML's
        libyaml layer, half the cost of ruamel's), for positions only; ruamel's node where
        documents cannot be composed alone."""
        if self._lines is None or item is not None:
            return self.node(index, item)
        return _fast_node(self._slice, index)

    def node(self, index: int, item: Optional[int]) -> Any:
        with gc_paused():
            try:
                node = self._document(index)
            except Exception:  # the fast pass loaded it, so this is not expected
                node = None
        if node is None:
            return _Nowhere()
        if item is not None:
            items = next((v for k, v in node.value if k.value == "items"), None)
            node = items.value[item] if items is not None else _Nowhere()
        return node

    def _document(self, index: int) -> Any:
        if self._lines is not None:
            return self._alone(index)  # any order, one document's cost and memory each
        if self._all is not None:
            return self._all[index] if 0 <= index < len(self._all) else None
        if self._parser is not None and index < self._next or self._parser is None and self._next:
            self.close()
            _ruamel()
            parser = _Parser(self.text)
            try:
                self._all = []
                while parser.check_node():
                    self._all.append(parser.get_node())
            finally:
                parser.dispose()
            return self._all[index] if 0 <= index < len(self._all) else None
        if self._parser is None or index < self._next:
            self.close()
            _ruamel()
            self._parser = _Parser(self.text)
            self._next = 0
        parser = self._parser
        while parser.check_node():
            node = parser.get_node()
            self._next += 1
            if self._next - 1 == index:
                return node
        self.close()
        return None

    def _alone(self, index: int) -> Any:
        """Compose one document from its own lines, padded with newlines so marks keep their
        real line numbers: a document with a finding near the end of a 20 MB file does not
        cost composing all those before it. YAML documents are independent once directives
        are ruled out (the fast pass refuses them), and a document's root node starts on a
        line of its own, after the previous document's last line."""
        text = self._slice(index)
        if text is None:
            return None
        _ruamel()
        parser = _Parser(text)
        try:
            return parser.get_node() if parser.check_node() else None
        finally:
            parser.dispose()

    def _slice(self, index: int) -> Optional[str]:
        """Document `index`'s own lines, after as many newlines as lines before them."""
        import bisect

        lines = self._lines
        assert lines is not None
        at = bisect.bisect_left(lines, (index, -1))
        if at == len(lines) or lines[at][0] != index:
            return None
        starts = self._starts
        if starts is None:
            starts = self._starts = _starts_of(self.text, lines)
        end = starts[at + 1] if at + 1 < len(lines) else len(self.text)
        return "\n" * lines[at][1] + self.text[starts[at]:end]

    def close(self) -> None:
        if self._parser is not None:
            self._parser.dispose()
            self._parser = None


def _fast_node(slice_of: Any, index: int) -> Any:
    """The fast pass's node of the document whose own lines `slice_of(index)` gives (see
    LazyNodes._slice), or _Nowhere."""
    from .fastload import compose

    with gc_paused():
        try:
            text = slice_of(index)
            node = compose(text) if text is not None else None
        except Exception:  # the fast pass loaded it, so this is not expected
            node = None
    return node if node is not None else _Nowhere()


def alone_in_file(path: str, lines: Any, index: int) -> Any:
    """The fast pass's node of document `index` of the file at `path`, composed from that
    document's bytes alone, read from the file without the rest of it; None when the file
    cannot be read that way. `lines`: the file's Loaded.lines flat (index, root line, offset
    of that line, ...), followed by the length of its text when that text was its bytes
    (ASCII, no byte order mark) and sliceable: lines broken at LF only, where each root's line
    starts where the fast pass marked it (LazyNodes._slice, _starts_of). The file must still
    be a regular file of that length; the byte before the document must be a line break (as
    _starts_of checks it). Positions are those of LazyNodes.fast on the whole text: reopening
    the file whole (reading, decoding and scanning ~40 KB for one document of a 50-document
    file) was most of the cost of placing a finding in a file that has no finding of its own."""
    count = len(lines) // 3
    at = 0
    while at < count and lines[3 * at] != index:
        at += 1
    found = document_text(path, lines, at)
    if found is None:
        return None
    line, text = found
    return _fast_node(lambda _: "\n" * line + text, index)


def document_text(path: str, lines: Any, at: int, mtime: Optional[int] = None
                  ) -> Optional[Tuple[int, str]]:
    """(root line, text) of the document of entry `at` of `lines` (alone_in_file's), read
    from the file at `path` without the rest of it; None when the file is no longer a regular
    file of the text's length (and, given `mtime`, of that mtime_ns before and after the
    read: reload.py), the byte before the document is no line break, or it is not ASCII."""
    count = len(lines) // 3
    if len(lines) != 3 * count + 1 or not 0 <= at < count:
        return None
    size = lines[-1]
    line, start = lines[3 * at + 1], lines[3 * at + 2]
    end = lines[3 * at + 5] if at + 1 < count else size
    first = start - 1 if start else 0
    if not 0 <= first <= end <= size:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not _unchanged(os.fstat(fd), size, mtime):
            return None  # changed since it was linted
        raw = os.pread(fd, end - first, first)
        if mtime is not None and not _unchanged(os.fstat(fd), size, mtime):
            return None
    except OSError:
        return None
    finally:
        os.close(fd)
    if len(raw) != end - first or start and raw[:1] != b"\n":
        return None
    try:
        return line, raw[1 if start else 0:].decode("ascii")
    except UnicodeDecodeError:
        return None


def _unchanged(st: Any, size: int, mtime: Optional[int]) -> bool:
    return stat.S_ISREG(st.st_mode) and st.st_size == size and (mtime is None or st.st_mtime_ns == mtime)


def simple_text(text: str, lines: List[Tuple[int, int, int]]) -> bool:
    """Whether `text` is its file's bytes and LazyNodes can slice it (alone_in_file)."""
    return text.isascii() and _sliceable(text, lines)


def _starts_of(text: str, lines: List[Tuple[int, int, int]]) -> List[int]:
    """The character offset of each document's root line: those the fast pass took from the
    roots' marks, once checked to follow the right number of line breaks (str.count in C, no
    string per line: the cross-object stage reopens a file for one document, often a file
    with no finding of its own, ~0.2 ms each at 50 documents), else _line_starts."""
    at, line_at = 0, 0
    count = text.count
    for _, line, start in lines:
        if not (start == line == 0 or 0 < start <= len(text) and text[start - 1] == "\n"
                and at <= start and count("\n", at, start) == line - line_at):
            return _line_starts(text, [line for _, line, _ in lines])
        at, line_at = start, line
    return [start for _, _, start in lines]


def _line_starts(text: str, wanted: List[int]) -> List[int]:
    """Character offsets where the (ascending, 0-based) lines `wanted` start: one scan, so
    requests in any order (the cross-object stage asks rule by rule) stay linear."""
    if len(text) <= _SPLIT_LIMIT:
        # the lengths of all lines, summed in C: a find() per line was ~0.5 ms for a file of
        # 50 documents, once per file the cross-object stage places a finding in
        from itertools import accumulate

        ends = list(accumulate(map(len, text.split("\n"))))  # ends[k]: chars before line k+1's \n
        # line t starts after t newlines: the lengths of lines 0..t-1 plus t; a line past the
        # last newline is marked at the end (an empty last document, `...\n---`)
        return [min(ends[t - 1] + t, len(text)) if 0 < t <= len(ends) else
                0 if t <= 0 else len(text) for t in wanted]
    out = []
    line, pos = 0, 0
    find = text.find
    for target in wanted:
        while line < target and pos <= len(text):
            pos = find("\n", pos) + 1 or len(text) + 1
            line += 1
        # an empty last document's root is marked past the end of a text without a final
        # newline (`...\n---`)
        out.append(min(pos, len(text)))
    return out


# above this many characters, lines are found one by one (a list of every line of a 20 MB
# file would cost tens of MB)
_SPLIT_LIMIT = 1 << 20


def _sliceable(text: str, lines: List[Tuple[int, int, int]]) -> bool:
    """Lines are counted at LF only (libyaml also breaks at CR, NEL, LS, PS), and every
    document's root must start on a later line than the previous one's."""
    if "\r" in text or not text.isascii() and (
            "\x85" in text or "\u2028" in text or "\u2029" in text):
        return False
    return all(a[1] < b[1] for a, b in zip(lines, lines[1:]))


class Loaded:
    __slots__ = ("path", "text", "documents", "problems", "skipped", "lines")

    def __init__(self, path: str, text: Optional[str], documents: List[Document],
                 problems: List[Problem], skipped: Optional[str] = None,
                 lines: Optional[List[Tuple[int, int, int]]] = None) -> None:
        self.path = path
        self.text = text
        self.documents = documents
        self.problems = problems
        self.skipped = skipped
        # [(document index, 0-based line of its root, character offset of that line)] of a
        # file the fast pass loaded: the cross-object stage composes single documents again
        # from these (see reopen())
        self.lines = lines


def key_of(knode: Any) -> str:
    """The JSON object key a scalar key node becomes."""
    if knode.ctag.suffix == _IMPLICIT:
        if knode.style or not knode.value:
            return knode.value if knode.style else "null"
        return key_string(resolve_plain(knode.value))
    return key_string(resolve_tagged(knode.tag, knode.value))


def is_merge_key(knode: Any) -> bool:
    return knode.__class__ is ScalarNode and knode.value == "<<" and (
        knode.ctag.suffix == _IMPLICIT and not knode.style or str(knode.tag) == MERGE_TAG)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Building many small acyclic containers: the cyclic GC would cost ~2/3 of the time
    (measured: composing 5,000 documents 3.5 s with it, 1.1 s without)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def span_of(node: Any) -> Span:
    if node.__class__ is tuple:  # a scalar of the fast pass's lean trees (fastload._LEAN)
        _, _, s, e, _ = node
    else:
        s, e = node.start_mark, node.end_mark
    # tuple.__new__: Span(...) without its generated __new__ (a finding's position is looked
    # up tens of thousands of times in a large report)
    return _tuple_new(Span, (s.line + 1, s.column + 1, e.line + 1, e.column + 1))


_tuple_new = tuple.__new__


def _size(n: int) -> str:
    """20971520 -> "20 MiB", 2048 -> "2 KiB", 1500 -> "1500 bytes"."""
    for unit, factor in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if n >= factor and n % factor == 0:
            return f"{n // factor} {unit}"
    return f"{n} bytes"


def _point(line: int, col: int) -> Span:
    return Span(line, col, line, col + 1)


# --- bytes -> text ---------------------------------------------------------------------------

# YAML's line breaks (CR LF, CR, LF, NEL, LS, PS): libyaml counts lines with them, so the
# positions kubelint computes itself must too.
_LINE_BREAK = LazyRegex("\r\n|[\r\n\x85\u2028\u2029]")


def _byte_position(raw: bytes, offset: int) -> Tuple[int, int]:
    """1-based line and column (in characters, as everywhere else) of a byte offset."""
    prefix = raw[:offset].decode("utf-8", "replace")
    last = 0
    line = 1
    for m in _LINE_BREAK.finditer(prefix):
        line += 1
        last = m.end()
    return line, len(prefix) - last + 1


def decode(raw: bytes) -> Tuple[Optional[str], Optional[Problem]]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return raw.decode("utf-16"), None
        except UnicodeDecodeError:
            return None, Problem("KL002", "file starts with a UTF-16 byte order mark but is not "
                                 "valid UTF-16", _point(1, 1))
    nul = raw.find(b"\x00", 0, 8192)
    if nul >= 0:
        line, col = _byte_position(raw, nul)
        return None, Problem("KL002", "binary file (NUL byte): not a YAML or JSON manifest",
                             _point(line, col))
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as e:
        line, col = _byte_position(raw, e.start)
        return None, Problem(
            "KL002",
            f"file is not valid UTF-8: byte 0x{raw[e.start]:02X} at line {line}, column {col}",
            _point(line, col),
            hint="Kubernetes manifests must be UTF-8; re-save the file as UTF-8 "
                 "(was it written as Latin-1 or Windows-1252?)")


# --- nesting depth, checked before libyaml composes -----------------------------------------

def _has_deep_line(text: str, n: int) -> bool:
    """A line starting with n indentation/indicator characters. Not "^" with re.M: the regex
    engine tries that at every character (3x slower than looking for the line breaks)."""
    if not _has_run(text, n):
        return False  # (the scan below tries every line: 9 ms per 5,000 documents)
    return re.match(r"[ \t?-]{%d}" % n, text) is not None \
        or re.search(r"\n[ \t?-]{%d}" % n, text) is not None


_RUN = LazyRegex(r"[ \t?-]*")


# A run of n characters of [ \t?-] holds at least _SAMPLED positions in a row of every
# (n // _SAMPLED)-th character: the sample, taken by one slice, is searched for them first.
_SAMPLED = 8
_SAMPLED_RUN = LazyRegex(r"[ \t?-]{%d}" % _SAMPLED)


def _has_run(text: str, n: int) -> bool:
    """Whether `text` has n characters of [ \t?-] in a row, anywhere (which a line starting
    with n of them has). Any n positions in a row hold exactly one of n-1, 2n-1, 3n-1...:
    only the runs through those are measured. For a large n, most texts are cleared first by
    a sample of every (n // 8)-th character (19 -> 11 M instructions per 5,000 documents)."""
    if n >= 8 * _SAMPLED:
        step = n // _SAMPLED
        if _SAMPLED_RUN.search(text[step - 1::step]) is None:
            return False
    run = _RUN.match
    for i in range(n - 1, len(text), n):
        if text[i] in " \t?-":
            end = run(text, i).end()
            if end - i >= n or end >= n and run(text, end - n, i).end() == i:
                return True
    return False


# Up to this many brackets are found one by one (str.find: memchr); counting them all reads
# every character (str.count: 54 M instructions per 5,000 documents, 4.4 MB; found: 14 M).
_FOUND_ONE_BY_ONE = 64


def _fewer_openers(text: str, n: int) -> bool:
    """Whether `text` holds fewer than n opening brackets (`[`, `{`)."""
    found = 0
    for opener in "[{":
        at = text.find(opener)
        while at >= 0:
            found += 1
            if found >= _FOUND_ONE_BY_ONE:
                return text.count("[") + text.count("{") < n
            at = text.find(opener, at + 1)
    return found < n


def _shallow(text: str) -> bool:
    """A cheap proof that no document nests MAX_DEPTH levels: every level needs an opening
    bracket or a leading indentation/indicator character. Brackets are counted per document
    (a flow collection cannot span a `---` line), so a 20 MB file of small documents with
    flow mappings need not be scanned event by event."""
    if _fewer_openers(text, MAX_DEPTH):
        return not _has_deep_line(text, MAX_DEPTH)
    flow = 0
    start = 0
    for m in _DOC_START.finditer(text):
        flow = max(flow, text.count("[", start, m.start()) + text.count("{", start, m.start()))
        start = m.start()
    flow = max(flow, text.count("[", start) + text.count("{", start))
    if flow >= MAX_DEPTH:
        return False
    return not _has_deep_line(text, MAX_DEPTH - flow)


def _depth_problem(text: str) -> Optional[Problem]:
    if _shallow(text):
        return None
    _ruamel()
    parser = _Parser(text)
    depth = 0
    try:
        while True:
            ev = parser.get_event()
            name = ev.__class__.__name__
            if name in ("MappingStartEvent", "SequenceStartEvent"):
                depth += 1
                if depth > MAX_DEPTH:
                    m = ev.start_mark
                    return Problem("KL006", f"nesting deeper than {MAX_DEPTH} levels: refused "
                                   "(no Kubernetes object nests this deep)",
                                   _point(m.line + 1, m.column + 1))
            elif name in ("MappingEndEvent", "SequenceEndEvent"):
                depth -= 1
            elif name == "StreamEndEvent":
                return None
    except Exception:  # syntax errors are reported by the real parse, at their position
        return None
    finally:
        parser.dispose()


# --- nodes -> plain data -------------------------------------------------------------------

class _Builder:
    def __init__(self, doc: int) -> None:
        self.doc = doc
        self.problems: List[Problem] = []
        self.seen: dict = {}
        self.aliased = False

    def build(self, node: Any) -> Any:
        cls = node.__class__
        if cls is ScalarNode:
            # ctag.suffix, not .tag: the .tag property formats a Tag object on every access
            if node.ctag.suffix == _IMPLICIT:
                return node.value if node.style else (resolve_plain(node.value) if node.value else None)
            value = resolve_tagged(node.tag, node.value)
            if not node.tag.startswith("tag:yaml.org,2002:"):
                self.problems.append(_dropped_tag(node, value, self.doc))
            return value
        key = id(node)
        if key in self.seen:
            self.aliased = True
            return self.seen[key]
        if cls is SequenceNode:
            out: Any = []
            self.seen[key] = out
            build = self.build
            out.extend(build(item) for item in node.value)
            return out
        out = {}
        self.seen[key] = out
        self._mapping(node, out)
        return out

    def _mapping(self, node: Any, out: dict) -> None:
        # The hot loop of loading: scalar keys and values are resolved inline.
        merges = []
        for knode, vnode in node.value:
            kcls = knode.__class__
            if kcls is ScalarNode and knode.ctag.suffix == _IMPLICIT:
                text = knode.value
                if knode.style:
                    k = text
                elif text == "<<":
                    merges.append(vnode)
                    continue
                else:
                    k = resolve_plain(text) if text else None
                    if k is None:
                        self.problems.append(_null_key(knode, self.doc))
                        continue
                    k = key_string(k)
            elif kcls is ScalarNode:
                if is_merge_key(knode):
                    merges.append(vnode)  # `!!merge <<: *base` (ruamel writes merges so)
                    continue
                k = resolve_tagged(knode.tag, knode.value)
                if k is None:
                    self.problems.append(_null_key(knode, self.doc))
                    continue
                k = key_string(k)
            else:
                self.problems.append(Problem(
                    "KL001", "a mapping key must be a scalar, not a "
                    f"{'list' if kcls is SequenceNode else 'mapping'}",
                    span_of(knode), self.doc))
                continue
            if k in out:  # only explicit keys are in `out` yet: merges come after
                first = next(kn for kn, _ in node.value
                             if kn.__class__ is ScalarNode and key_of(kn) == k)
                self.problems.append(Problem(
                    "KL003", f"duplicate key `{k}` (first defined at line "
                    f"{first.start_mark.line + 1}): kubectl rejects the document",
                    span_of(knode), self.doc,
                    hint="remove one of the two; YAML does not merge repeated keys"))
                continue
            if vnode.__class__ is ScalarNode and vnode.ctag.suffix == _IMPLICIT:
                v = vnode.value
                out[k] = v if vnode.style else (resolve_plain(v) if v else None)
            else:
                out[k] = self.build(vnode)
        # `<<: *base` merge keys (go-yaml v2 supports them): explicit keys win, then the
        # merged mappings in order.
        for vnode in merges:
            sources = vnode.value if vnode.__class__ is SequenceNode else [vnode]
            for src in sources:
                if src.__class__ is not MappingNode:
                    self.problems.append(Problem("KL001", "a merge key `<<` needs a mapping or a "
                                                 "list of mappings", span_of(src), self.doc))
                    continue
                merged = self.build(src)
                for k, v in merged.items():
                    out.setdefault(k, v)


def _dropped_tag(node: Any, value: Any, doc: int) -> Problem:
    """KL007: a scalar's tag that kubectl drops, keeping the text (scalars.resolve_tagged)."""
    tag = str(node.tag)
    what = f"the string {json.dumps(value)}" if value else "the empty string"
    hint = f"remove the tag `{tag}`" if node.style or tag[:1] != "!" else \
        f"quote it: \"{tag}{' ' + node.value if node.value else ''}\""
    return Problem("KL007", f"`{tag}` is a YAML tag, which kubectl drops: the value is {what}",
                   span_of(node), doc, hint)


def _null_key(knode: Any, doc: int) -> Problem:
    # sigs.k8s.io/yaml turns a document into JSON, whose keys are strings: true and 1 become
    # "true" and "1", but a null key has no string (checked with kubectl 1.3x)
    return Problem("KL001", "a mapping key is null (`~`, `null` or empty): kubectl refuses the "
                   "document (`unsupported map key of type: <nil>`)", span_of(knode), doc,
                   hint='quote the key (`"null"`) or remove the entry')


class _Recursive(Exception):
    """A node that holds an alias to itself (`k: &a [1, *a]`): libyaml composes it, go-yaml
    refuses it ("anchor 'a' value contains itself")."""

    def __init__(self, node: Any) -> None:
        super().__init__()
        self.node = node


def _expanded_size(node: Any, memo: dict) -> int:
    key = id(node)
    size = memo.get(key)
    if size is not None:
        if size < 0:
            raise _Recursive(node)
        return size
    if node.__class__ is ScalarNode:
        return 1
    memo[key] = -1  # (being expanded: met again below itself, it contains itself)
    if node.__class__ is SequenceNode:
        size = 1 + sum(_expanded_size(n, memo) for n in node.value)
    else:
        size = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    memo[key] = size
    return size


# --- syntax errors --------------------------------------------------------------------------

_DOC_START = LazyRegex(r"^---(?=[ \t]|$)", re.M)


def _syntax_problem(exc: Exception, doc: int, text: str) -> Tuple[Problem, int]:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else 1
    col = mark.column + 1 if mark is not None else 1
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    cmark = getattr(exc, "context_mark", None)
    message = f"YAML syntax error: {problem}"
    if context and cmark is not None and cmark is not mark:
        message += f" ({context} at line {cmark.line + 1}, column {cmark.column + 1})"
    hint = None
    at = getattr(mark, "index", None)
    if "\t" in problem or (at is not None and 0 <= at < len(text) and text[at] == "\t"):
        message = "YAML syntax error: a tab character; YAML indentation must use spaces"
        hint = "replace tabs with spaces"
    elif "{{" in text and "}}" in text:
        hint = ("this looks like a Helm or Go template: lint the rendered output "
                "(`helm template . | kubelint check -`) or exclude the templates folder")
    return Problem("KL001", message, _point(line, col), doc, hint), line


# --- the loader -----------------------------------------------------------------------------

def read(path: str, max_size: int = DEFAULT_MAX_FILE_SIZE) -> Tuple[Optional[str], Optional[Problem]]:
    raw, problem = read_bytes(path, max_size)
    if problem is not None:
        return None, problem
    return decode(raw)


# (path, mtime_ns, size) of the file read_bytes() read last, as stat gave them before reading: the
# cross-object stage reads a document back only from a file still as it was (reload.py)
LAST_READ: Tuple[Optional[str], Optional[int], int] = (None, None, -1)


def read_bytes(path: str, max_size: int = DEFAULT_MAX_FILE_SIZE
               ) -> Tuple[bytes, Optional[Problem]]:
    """A regular file's bytes, up to `max_size`; anything else is a problem."""
    global LAST_READ
    try:
        st = os.stat(path)
        mode = st.st_mode
    except OSError as e:
        return b"", Problem("KL002", f"cannot read file: {e.strerror or e}", _point(1, 1))
    # (taken before the bytes: a later write changes it)
    LAST_READ = (path, getattr(st, "st_mtime_ns", None), st.st_size)
    if stat.S_ISDIR(mode):
        return b"", Problem("KL002", "is a directory, not a file", _point(1, 1))
    if not stat.S_ISREG(mode):
        # a FIFO or a device would block the run or never end
        return b"", Problem("KL002", "not a regular file (FIFO, socket or device): not read",
                            _point(1, 1))
    try:
        # os.open/os.read: open() builds a FileIO and a BufferedReader and asks isatty() (an
        # ioctl) and fstat for its buffer size: twice the CPU of this for a 4 KB manifest
        fd = os.open(path, os.O_RDONLY)
        try:
            # ask for what the file holds (plus one byte, to notice a file that grew past the
            # limit): read(max_size + 1) allocated a 20 MiB buffer for every file
            raw = _read_fd(fd, min(st.st_size, max_size) + 1, st.st_size)
            if len(raw) > st.st_size and len(raw) <= max_size:
                # it grew since stat: read on, bounded
                raw += _read_fd(fd, max_size + 1 - len(raw), -1)
        finally:
            os.close(fd)
    except IsADirectoryError:
        return b"", Problem("KL002", "is a directory, not a file", _point(1, 1))
    except OSError as e:
        return b"", Problem("KL002", f"cannot read file: {e.strerror or e}", _point(1, 1))
    if len(raw) > max_size:
        return b"", Problem("KL006", f"file is larger than the {_size(max_size)} "
                            "limit: not read", _point(1, 1),
                            hint="raise `max-file-size` in .kubelint.yaml if this is intended")
    return raw, None


def _read_fd(fd: int, n: int, size: int) -> bytes:
    """Up to `n` bytes from `fd`: until n or the end of the file, as a buffered read(n)
    gives them. `size`: the length stat gave, where the end is expected (-1: unknown), so
    that a file read whole needs no second read to see its end."""
    data = os.read(fd, n)
    if len(data) >= n or not data or len(data) == size:
        return data
    parts = [data]
    got = len(data)
    while got < n:
        more = os.read(fd, n - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def load_text(path: str, text: str, keep_nodes: bool = False) -> Loaded:
    problems: List[Problem] = []
    documents: List[Document] = []
    depth = _depth_problem(text)
    if depth is not None:
        return Loaded(path, text, [], [depth], skipped="too deep")
    lines: List[Tuple[int, int, int]] = []
    if not gc.isenabled():  # (a run pauses it throughout: engine.run)
        if not _fast(path, text, documents, lines, keep_nodes):
            _compose(path, text, documents, problems)
            lines = None  # type: ignore[assignment]
        return Loaded(path, text, documents, problems, lines=lines)
    with gc_paused():
        if not _fast(path, text, documents, lines, keep_nodes):
            _compose(path, text, documents, problems)
            lines = None  # type: ignore[assignment]
    return Loaded(path, text, documents, problems, lines=lines)


# The fast pass's node trees are kept for positions (Document.pnode) when the caller expects
# most documents to get findings (keep_nodes; engine.Linter decides from the files before) and
# the file has at most this many characters: composing a document again for its findings cost
# as much as loading it. Not by default: trees kept until the file is linted are freed cold,
# which cost a run with few findings 2% (5-document files) to 20% (50-document files).
KEEP_NODES_MAX_TEXT = 256 * 1024


def _fast(path: str, text: str, documents: List[Document], lines: List[Tuple[int, int, int]],
          keep_nodes: bool = False) -> bool:
    """The fast pass (fastload.py): data only, nodes later and only where positions are
    needed. False when the file needs the full pass (anything it would report)."""
    from .fastload import load_documents

    kept: Optional[List[Any]] = [] if keep_nodes and len(text) <= KEEP_NODES_MAX_TEXT else None
    starts: List[int] = []
    loaded = load_documents(text, kept, starts)
    if loaded is None:
        return False
    lines.extend([(index, line, start) for (index, _, line), start in zip(loaded, starts)])
    nodes = LazyNodes(text, lines)
    out = []
    for index, data, _ in loaded:
        if data is None:
            continue  # an empty document
        if data.__class__ is dict:
            kind = data.get("kind")
            if kind.__class__ is str and kind.endswith("List") and isinstance(data.get("items"), list):
                return False  # a List's items need their nodes to know where they come from
        # (positional: keywords cost a tenth of a microsecond each, for every document)
        out.append(Document(path, index, data, None, None, nodes,
                            kept[index] if kept is not None else None))
    documents.extend(out)
    return True


def reopen(text: str, lines: List[Tuple[int, int, int]]) -> "LazyNodes":
    """The nodes of a file the fast pass loaded earlier (`lines`: its Loaded.lines), composed
    only for documents whose positions are asked for: the cross-object stage places findings
    with Document(path, index, data, item=item, nodes=reopen(...)) without loading the
    file's data again."""
    return LazyNodes(text, lines)


# what YAML's reader refuses (outside its printable set: C0 controls but tab, LF and CR, DEL,
# C1 controls but NEL, surrogates, U+FFFE and U+FFFF)
_UNPRINTABLE = LazyRegex("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


# text before a file's first `---` that opens no document: blank lines, comments, directives
_NO_CONTENT = LazyRegex(r"(?:[ \t]*(?:[#%][^\n]*)?(?:\n|\Z))*\Z")


def _unprintable(text: str, problems: List[Problem]) -> str:
    """`text` with every character YAML's reader refuses made a space, the first one a
    KL001 at its position. libyaml reads ahead of what it parses and reports such a
    character at the start of the text: going on document by document after it gave a
    KL001 at 1:1 for every later document, and composed the documents before the character
    again each time (the fuzzer's case: 1,500 documents became 413,598)."""
    found = _UNPRINTABLE.search(text)
    if found is None:
        return text
    at = found.start()
    line = text.count("\n", 0, at)
    column = at - text.rfind("\n", 0, at)
    # its document's index, as composing counts them (the engine lints no document with a
    # KL001): one per `---` before it, less the first when only comments precede that one
    starts = [m.start() for m in _DOC_START.finditer(text, 0, at)]
    doc = len(starts)
    if starts and _NO_CONTENT.match(text, 0, starts[0]) is not None:
        doc -= 1
    problems.append(Problem("KL001", f"YAML syntax error: unacceptable character #x{ord(text[at]):04x}: "
                            "control characters are not allowed", _point(line + 1, column), doc,
                            "remove it (or, in a value, write it as an escape in double quotes: "
                            "\"\\x01\")"))
    return _UNPRINTABLE.sub(" ", text)


def _compose(path: str, text: str, documents: List[Document], problems: List[Problem]) -> None:
    _ruamel()
    text = _unprintable(text, problems)
    colon = _compose_with(_Parser, path, text, documents, problems)
    if problems and _JSON_STREAM in problems[0].message and text.lstrip()[:1] == "{" and \
            _compose_json_stream(path, text, documents, problems):
        return
    if any(p.code == "KL001" and _REUSED_ANCHOR in p.message for p in problems):
        renamed = _rename_reused_anchors(text)
        if renamed is not None:
            del documents[:], problems[:]
            text = renamed
            colon = _compose_with(_Parser, path, text, documents, problems)
    if not colon:
        return
    # ruamel's libyaml (0.1.x) stops at a `:` inside a plain scalar of a flow collection
    # (`args: [--url=http://x]`), which kubectl reads as one string, as libyaml 0.2.x does:
    # the file is composed again by PyYAML's libyaml, building the same ruamel nodes, and that
    # reading is kept when it has no syntax error and nothing kubectl refuses in a flow
    # collection (what 0.2.x accepts beyond kubectl: fastload._flow_check)
    newer = _newer_parser()
    if newer is None:
        return
    module, parser_class = newer
    docs: List[Document] = []
    found: List[Problem] = []
    saved = module.ScalarNode, module.SequenceNode, module.MappingNode
    module.ScalarNode, module.SequenceNode, module.MappingNode = ScalarNode, SequenceNode, MappingNode
    try:
        colon = _compose_with(parser_class, path, text, docs, found)
    finally:
        module.ScalarNode, module.SequenceNode, module.MappingNode = saved
    if colon or any(p.code == "KL001" for p in found) or any(
            _refused_in_flow(d.node) for d in docs):
        return
    documents[:] = docs
    problems[:] = found


# JSON objects one after the other (`jq '.items[]'` writes them so) are a stream kubectl reads
# object by object (its YAMLOrJSONDecoder decodes JSON with a stream decoder); YAML sees one
# document with text after it
_JSON_STREAM = "did not find expected <document start>"


def _compose_json_stream(path: str, text: str, documents: List[Document],
                         problems: List[Problem]) -> bool:
    """Compose each JSON value of a stream of several as a document of its own, at its own
    lines and columns; False (nothing changed) when `text` is no such stream."""
    import json

    decoder = json.JSONDecoder()
    pieces = []
    at, end = 0, len(text)
    try:
        while True:
            while at < end and text[at] in " \t\r\n":
                at += 1
            if at == end:
                break
            if text[at] != "{":
                return False
            _, stop = decoder.raw_decode(text, at)
            pieces.append((at, stop))
            at = stop
    except ValueError:
        return False
    if len(pieces) < 2:
        return False
    docs: List[Document] = []
    found: List[Problem] = []
    for index, (start, stop) in enumerate(pieces):
        line_start = text.rfind("\n", 0, start) + 1
        pad = "\n" * text.count("\n", 0, start) + " " * (start - line_start)
        mine: List[Document] = []
        theirs: List[Problem] = []
        _compose_with(_Parser, path, pad + text[start:stop], mine, theirs)
        for doc in mine:
            doc.index = index
        docs.extend(mine)
        found.extend(p._replace(doc=index) for p in theirs)
    documents[:] = docs
    problems[:] = found
    return True


# libyaml's composers refuse an anchor defined twice in a document; kubectl's YAML reader
# (go-yaml) takes it, an alias meaning the latest definition before it, as YAML 1.2 says
# (knative's eventing-gitlab release: `verbs: &everything` on several rules)
_REUSED_ANCHOR = "found duplicate anchor"
_ANCHOR_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-"


def _rename_reused_anchors(text: str) -> Optional[str]:
    """`text` with each redefinition of an anchor in a document, and the aliases after it,
    renamed to a name of the same length used nowhere in the text, so that libyaml composes
    what go-yaml reads and every position stays where it was; None when that cannot be done."""
    from ruamel.yaml.events import AliasEvent, DocumentStartEvent

    parser = _Parser(text)
    edits: List[Tuple[int, str, str]] = []  # (offset of the name, old, new)
    used: set = set()
    current: Dict[str, str] = {}
    events = []
    try:
        while parser.check_event():
            events.append(parser.get_event())
    except Exception:
        pass  # (a syntax error later on: what was read is renamed, the error stays)
    finally:
        parser.dispose()
    used.update(e.anchor for e in events if getattr(e, "anchor", None))
    names: Dict[str, Iterator[str]] = {}
    for event in events:
        if isinstance(event, DocumentStartEvent):
            current = {}
            continue
        name = getattr(event, "anchor", None)
        if not name:
            continue
        at = event.start_mark.index
        if isinstance(event, AliasEvent):
            new = current.get(name, name)
            if new != name:
                if text[at:at + 1 + len(name)] != "*" + name:
                    return None
                edits.append((at + 1, name, new))
            continue
        if name in current:
            fresh = names.get(name)
            if fresh is None:  # (one generator per name: each redefinition takes the next)
                fresh = names[name] = _same_length(name)
            new = next((c for c in fresh if c not in used), None)
            # the anchor follows the node's start (after a tag, if the tag came first)
            found = text.find("&" + name, at)
            if new is None or found < 0 or text.count("\n", at, found):
                return None
            used.add(new)
            current[name] = new
            edits.append((found + 1, name, new))
        else:
            current[name] = name
    if not edits:
        return None
    parts, last = [], 0
    for at, old, new in edits:
        parts.append(text[last:at])
        parts.append(new)
        last = at + len(old)
    parts.append(text[last:])
    return "".join(parts)


def _same_length(name: str) -> Iterator[str]:
    """Names of `name`'s length: its last characters counted through the anchor alphabet."""
    for tail in range(1, min(len(name), 3) + 1):
        head = name[:-tail]
        for n in range(len(_ANCHOR_CHARS) ** tail):
            digits = []
            for _ in range(tail):
                n, d = divmod(n, len(_ANCHOR_CHARS))
                digits.append(_ANCHOR_CHARS[d])
            yield head + "".join(digits)


_NEWER: Any = None


def _newer_parser() -> Any:
    """(PyYAML's C module, a composer of its libyaml without a resolver), None without it."""
    global _NEWER
    if _NEWER is None:
        try:
            from .thirdparty import pyyaml_c

            module = pyyaml_c()
        except ImportError:  # pragma: no cover - depends on how PyYAML was built
            _NEWER = False
            return None

        class Newer(_NoResolver, module.CParser):  # type: ignore[misc, name-defined]
            pass

        _NEWER = (module, Newer)
    return _NEWER or None


def _refused_in_flow(node: Any, depth: int = 0) -> bool:
    """Whether a flow collection under `node` holds what kubectl refuses and libyaml 0.2.x
    reads (fastload.refused_in_flow)."""
    if node is None or depth > MAX_DEPTH or node.__class__ is ScalarNode:
        return False
    if node.flow_style:
        from .fastload import refused_in_flow

        if refused_in_flow(node.value):
            return True
    pairs = node.__class__ is MappingNode
    return any(_refused_in_flow(n, depth + 1) for item in node.value
               for n in (item if pairs else (item,)))


def _compose_with(parser_class: Any, path: str, text: str, documents: List[Document],
                  problems: List[Problem]) -> bool:
    """Compose `text` document by document; True when libyaml stopped at a `:` inside a
    plain scalar (see _compose)."""
    index = 0
    source = text
    restart = -1
    colon = False
    while True:
        parser = parser_class(source)
        try:
            while parser.check_node():
                node = parser.get_node()
                _add_document(path, index, node, documents, problems)
                index += 1
            return colon
        except RecursionError:  # a safety net: the depth check should have caught it
            problems.append(Problem("KL006", f"nesting too deep to load (over {MAX_DEPTH} levels "
                                    "is refused)", _point(1, 1), index))
            return colon
        except Exception as exc:  # libyaml's ScannerError/ParserError/ComposerError
            colon = colon or (getattr(exc, "problem", None) == "found unexpected ':'" and
                              getattr(exc, "context", None) == "while scanning a plain scalar")
            problem, line = _syntax_problem(exc, index, source)
            problems.append(problem)
            index += 1
            # Go on with the next document after the broken one: restart at the next `---`
            # from the error's line on (an unclosed bracket is reported at the next `---`),
            # padded with newlines so marks keep their real line numbers.
            offset = _line_offset(text, line - 1)
            m = _DOC_START.search(text, offset) if offset is not None else None
            if m is not None and m.start() <= restart:
                m = _DOC_START.search(text, restart + 1)
            if m is None:
                return colon
            restart = m.start()
            source = "\n" * text.count("\n", 0, m.start()) + text[m.start():]
        finally:
            parser.dispose()


def _line_offset(text: str, line: int) -> Optional[int]:
    """Character offset where 0-based line `line` starts, None past the end."""
    pos = 0
    for _ in range(line):
        pos = text.find("\n", pos)
        if pos < 0:
            return None
        pos += 1
    return pos


def _add_document(path: str, index: int, node: Any, documents: List[Document],
                  problems: List[Problem]) -> None:
    builder = _Builder(index)
    data = builder.build(node)
    problems.extend(builder.problems)
    if builder.aliased:
        try:
            size = _expanded_size(node, {})
        except _Recursive as e:
            problems.append(Problem(
                "KL001", "YAML: this node holds an alias to itself (an alias inside the node its "
                "anchor names): its value would contain itself, which kubectl refuses",
                span_of(e.node), index))
            return
        if size > MAX_ALIAS_EXPANSION:
            problems.append(Problem(
                "KL006", f"aliases expand this document to {size:,} nodes (limit "
                f"{MAX_ALIAS_EXPANSION:,}): refused, as kubectl refuses alias bombs",
                span_of(node), index))
            return
    if data is None:
        return  # empty document
    if (isinstance(data, dict) and isinstance(data.get("kind"), str) and data["kind"].endswith("List")
            and isinstance(data.get("items"), list) and node.__class__ is MappingNode):
        items_node = next((v for k, v in node.value if k.value == "items"), None)
        if items_node is not None and items_node.__class__ is SequenceNode:
            for i, (item, inode) in enumerate(zip(data["items"], items_node.value)):
                documents.append(Document(path, index, item, inode, item=i))
            return
    documents.append(Document(path, index, data, node))


def load(path: str, max_size: int = DEFAULT_MAX_FILE_SIZE, keep_nodes: bool = False) -> Loaded:
    text, problem = read(path, max_size)
    if problem is not None:
        return Loaded(path, None, [], [problem], skipped=problem.message)
    return load_text(path, text, keep_nodes)


def load_bytes(path: str, raw: bytes, max_size: int = DEFAULT_MAX_FILE_SIZE,
               keep_nodes: bool = False) -> Loaded:
    """Standard input, or any buffer: the same checks as a file on disk."""
    if len(raw) > max_size:
        problem = Problem("KL006", f"input is larger than the {_size(max_size)} "
                          "limit: not read", _point(1, 1))
        return Loaded(path, None, [], [problem], skipped=problem.message)
    text, problem = decode(raw)
    if problem is not None:
        return Loaded(path, None, [], [problem], skipped=problem.message)
    return load_text(path, text, keep_nodes)
