"""Findings and the objects they point at: immutable NamedTuples. They cross process
boundaries (pickle), are compared in tests, and cost a seventh of a frozen dataclass to
define (0.08 ms against 0.56 ms each), which a one-file run's start-up feels."""

from __future__ import annotations

import enum
from itertools import groupby
from operator import itemgetter
from typing import Any, Dict, List, Optional, Tuple

from .namedtuple import NamedTuple


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r}: use error, warning or info") from None


class ObjectRef(NamedTuple):
    api_version: str = ""
    kind: str = ""
    namespace: str = ""
    name: str = ""

    def describe(self) -> str:
        name = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.kind or '?'} {name or '?'}"


class Span(NamedTuple):
    """1-based line and column; end is exclusive of the last character's column + 1."""

    line: int
    column: int
    end_line: int
    end_column: int


class Related(NamedTuple):
    path: str
    span: Span
    message: str


# JSON pointer into an object, as a tuple of keys and indices ("spec", "ports", 0).
Pointer = Tuple[Any, ...]


class Fix(NamedTuple):
    """A mechanical fix of a finding: edits of the object by JSON pointer, turned into text
    edits of the file by fix.py (so comments and layout stay). Operations:
    ("set", pointer, value) replace the value; ("quote", pointer) quote a plain scalar's text;
    ("rename", pointer, key) rename the key of pointer's last part; ("add", pointer, {k: v})
    add absent keys to the mapping at pointer (created, with its parents, if missing).
    `safe` False: changes behaviour, applied only with --unsafe-fixes. `item`: the index in a
    List's items the pointers are relative to (set by the engine)."""

    title: str
    ops: Tuple[Tuple[Any, ...], ...]
    safe: bool = True
    item: Optional[int] = None


class Violation(NamedTuple):
    """What a check returns; the engine adds the rule identity, position and suppression.

    `at` chooses the node: "value" (the node at `pointer`), "key" (its mapping key)."""

    message: str
    pointer: Pointer = ()
    at: str = "value"
    related: Tuple[Tuple[Pointer, str], ...] = ()
    hint: Optional[str] = None
    # the check's own severity for this finding (Pod Security: a namespace's enforce label makes
    # an error, warn/audit a warning); a severity the user configured for the rule wins
    severity: Optional["Severity"] = None
    fix: Optional[Fix] = None


class Finding(NamedTuple):
    """One finding. The engine's hot path in a run whose report is the plain text one
    (Linter.rows) gives rows instead, plain tuples that hold the same fields in another order
    (ROW_FIELDS): code that may see either tells them apart by class."""

    code: str
    name: str
    severity: Severity
    message: str
    path: str
    span: Span
    obj: Optional[ObjectRef] = None
    pointer: str = ""
    hint: Optional[str] = None
    related: Tuple[Related, ...] = ()
    # index of the document in its file; part of the fingerprint for objects without names
    doc: int = 0
    fix: Optional[Fix] = None

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def column(self) -> int:
        return self.span.column

    def sort_key(self) -> tuple:
        # (path, line, column, code, message) by index: a namedtuple's fields are descriptors
        # looked up on the type, and the whole rule set's report sorts 34,000 findings
        span = self[5]
        return (self[4], span[0], span[1], self[0], self[3])

    @property
    def fingerprint(self) -> str:
        """Stable across line moves: the rule, the file, the object and the field."""
        obj = self.obj
        ident = obj is not None and obj.name and \
            f"{obj.api_version}|{obj.kind}|{obj.namespace}|{obj.name}" or f"doc{self.doc}"
        raw = "\x1f".join((self.code, self.path, ident, self.pointer, "" if self.pointer else self.message))
        return _sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:32]


# A plain run's row (engine.run(plain=True), Linter.rows): (path, span, ref, index, List item,
# head, line, column, code, message, severity, tail, T). Its sort key in a file is (line,
# column, code, message), a slice of it (ROW_KEY, in C); head and tail are its text line's
# `path:line:col: ` and `severity: message [CODE name]` with its hint and related lines
# (formatters/text.py); T is its Finding's fields that do not depend on the document (a tuple
# of Finding's 12 fields in its order, path, span, ref and index unset), or the Finding itself
# (a Finding made a row: formatters.text.as_row); row_finding() gives the Finding. The engine
# makes a row of two parts, each shared with other findings (one tuple.__add__): (path, ...,
# column), made once per position of a document, and (code, ..., T), made once per rule and
# Violation (Linter._rows_of). The whole rule set's 34,000 findings were each a tuple of 15
# fields put together one by one and a key tuple (~270 bytes; now 128).
ROW_FIELDS = 13
ROW_KEY = itemgetter(slice(6, 10))
ROW_SEVERITY = itemgetter(10)
_ROW_PATH = itemgetter(0)


def row_finding(row: tuple) -> Finding:
    """The Finding of a plain run's row."""
    t = row[12]
    if t.__class__ is Finding:
        return t
    fix, item = t[11], row[4]
    if fix is not None and fix.item != item:
        fix = fix._replace(item=item)
    return tuple.__new__(Finding, (t[0], t[1], row[10], t[3], row[0], row[1], row[2], t[7], t[8],
                                   t[9], row[3], fix))


def is_row(f: Any) -> bool:
    return f.__class__ is tuple and len(f) == ROW_FIELDS


def are_rows(findings: List[Any]) -> bool:
    """Whether a list of findings is a plain run's rows: all are when its first is (a file's:
    engine.Linter.lint_loaded; a run's: merge_rows)."""
    return bool(findings) and is_row(findings[0])


def as_rows(findings: List[Any]) -> List[tuple]:
    """`findings` (of a plain run: rows, and Findings made by the general paths) all rows."""
    kinds = set(map(type, findings))  # (in C: a file's rows are looked at once more)
    if kinds and kinds != _TUPLE:
        from .formatters.text import as_row

        return [f if f.__class__ is tuple else as_row(f) for f in findings]
    return findings


_TUPLE = {tuple}


def merge_rows(parts: List[Tuple[bool, List[Any]]]) -> List[tuple]:
    """sort_findings() of a plain run, its findings given in parts in their order: (True, the
    rows of one file, as_rows) or (False, findings of any files, rows or not) -- no flat
    list of them all made, cut up by path and copied again first (each pass over the whole
    rule set's 34,000 rows, made long before, reads them from memory again). A file's parts
    are put together in that order and sorted by ROW_KEY: the order of one stable sort of
    them all, as sort_findings has it. (A file's rows given alone are sorted in place.)"""
    groups: Dict[str, List[Any]] = {}
    for whole, part in parts:
        if not part:
            continue
        if whole:
            runs: Any = ((part[0][0], part),)
        else:
            runs = groupby(as_rows(part), _ROW_PATH)
        for path, run in runs:
            group = groups.get(path)
            if group is None:  # (a file's rows: sorted in place below)
                groups[path] = run if whole else list(run)
            else:  # (a new list: not the file's own rows, extended)
                groups[path] = group + (run if whole else list(run))
    out: List[tuple] = []
    for path in sorted(groups):
        group = groups[path]
        group.sort(key=ROW_KEY)
        out += group
    return out


def sort_findings(findings: List[Finding]) -> None:
    """findings.sort(key=Finding.sort_key), the same order (both sorts are stable), in fewer
    instructions for a run's tens of thousands: the findings arrive file by file, so they are
    taken apart by file in runs of one path (itertools.groupby, in C: the paths are one
    object per file), the files sorted by path and each file's findings by (line, column,
    code, message) -- keys that start with a number, which the sort compares without the
    path before it (the whole rule set's report: 124 M instructions against 112 M; the runs
    taken whole rather than finding by finding: 104 M against 93 M). (A plain run's rows:
    merge_rows.)"""
    groups: Dict[str, List[Finding]] = {}
    for path, run in groupby(findings, _PATH):
        group = groups.get(path)
        if group is None:
            groups[path] = list(run)
        else:  # (the cross-object stage's findings come after every file's own)
            group += run
    findings.clear()
    for path in sorted(groups):
        group = groups[path]
        if len(group) > 1:
            group.sort(key=_in_file_key)
        findings += group


def _in_file_key(f: Finding) -> tuple:
    span = f[5]
    return (span[0], span[1], f[0], f[3])


_PATH = itemgetter(4)  # Finding.path


def _sha256(data: bytes) -> Any:
    # hashlib is imported on first use: a run without JSON-like output never needs it
    global _sha256
    from hashlib import sha256

    _sha256 = sha256
    return sha256(data)


def pointer_to_json(pointer: Pointer) -> str:
    """("spec", "ports", 0) -> "/spec/ports/0" (RFC 6901); memoised like pointer_to_k8s."""
    return _memo(_JSON_PATHS, _pointer_to_json, pointer)


def _pointer_to_json(pointer: Pointer) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in pointer)


def _memo(table: dict, make: Any, pointer: Pointer) -> str:
    try:
        text = table.get(pointer)
    except TypeError:  # a list, not a tuple
        return make(pointer)
    if text is None:
        if len(table) > 10_000:
            table.clear()
        text = table[pointer] = make(pointer)
    return text


def pointer_to_k8s(pointer: Pointer) -> str:
    """("spec", "containers", 0, "image") -> "spec.containers[0].image"; keys that are not
    identifiers (label keys) in brackets: metadata.labels["app.kubernetes.io/name"]."""
    # Checks format a path for every candidate finding, and the same few paths recur in every
    # object: memoised (measured: 90,000 calls for 10,000 small Deployments).
    return _memo(_K8S_PATHS, _pointer_to_k8s, pointer)


_K8S_PATHS: dict = {}
_JSON_PATHS: dict = {}


def _pointer_to_k8s(pointer: Pointer) -> str:
    out = []
    for p in pointer:
        if isinstance(p, int):
            out.append(f"[{p}]")
        elif p and all(c.isalnum() or c in "_-$" for c in p):
            out.append(("." if out else "") + p)
        else:
            out.append('["' + str(p).replace("\\", "\\\\").replace('"', '\\"') + '"]')
    return "".join(out) or "(object)"


class FileReport:
    """Everything a run knows about one input file (a plain class: see loader.Document)."""

    __slots__ = ("path", "documents", "objects", "skipped")

    def __init__(self, path: str, documents: int = 0, objects: int = 0,
                 skipped: Optional[str] = None) -> None:
        self.path = path
        self.documents = documents
        self.objects = objects
        self.skipped = skipped  # why the file was not linted (it has a finding too)

    def __getstate__(self) -> tuple:
        return (self.path, self.documents, self.objects, self.skipped)

    def __setstate__(self, state: tuple) -> None:
        self.path, self.documents, self.objects, self.skipped = state
