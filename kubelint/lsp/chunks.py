"""Re-lint only the YAML documents an edit touched.

A multi-document file is split at its `---` lines; each document is loaded and linted on
its own, padded with blank lines so that its positions are those of the whole file, and the
result is kept keyed by (first line, text). An edit within one document re-lints that one;
an edit that adds or removes lines re-lints the documents below it too (their first line
moved). The merged outcome is what linting the whole file gives: findings and objects get
their document index in the file; the whole file's comment directives are re-applied by the
workspace's cross-object stage. Files this cannot split faithfully (YAML directives,
`...` markers, file-wide suppression comments, few documents) are linted whole.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from ..engine import FileOutcome, Linter
from ..loader import Loaded, load_text
from ..model import FileReport
from ..suppress import parse_directives

_SEPARATOR = re.compile(r"^---(?=[ \t]|$)", re.M)
_UNSPLITTABLE = re.compile(r"^(\.\.\.(?=[ \t]|$)|%)", re.M)
MIN_DOCUMENTS = 4

Key = Tuple[int, str]


class _Doc:
    """A chunk's document seen at its index in the whole file (for the cross-object stage,
    which looks documents up by (index, item))."""

    __slots__ = ("_doc", "index", "path")

    def __init__(self, doc: Any, index: int) -> None:
        self._doc = doc
        self.index = index
        self.path = doc.path

    @property
    def item(self) -> Optional[int]:
        return self._doc.item

    @property
    def data(self) -> Any:
        return self._doc.data

    @property
    def node(self) -> Any:
        return self._doc.node


def split(text: str) -> Optional[List[Tuple[int, str]]]:
    """[(0-based first line, text)] per document, or None to lint the file whole."""
    if "disable-file" in text or _UNSPLITTABLE.search(text):
        return None
    cuts = [m.start() for m in _SEPARATOR.finditer(text)]
    if len(cuts) + 1 < MIN_DOCUMENTS:
        return None
    if not cuts or cuts[0] != 0:
        cuts.insert(0, 0)
    cuts.append(len(text))
    out = []
    line = 0
    for a, b in zip(cuts, cuts[1:]):
        chunk = text[a:b]
        out.append((line, chunk))
        line += chunk.count("\n")
    if "\r" in text.replace("\r\n", ""):  # lone CRs break lines for YAML, not for count()
        return None
    return out


def _documents(chunk: str, first: bool) -> int:
    """How many YAML documents the chunk holds, as the loader numbers them."""
    if not first or chunk.startswith("---"):
        return 1
    return 1 if any(line.strip() and not line.lstrip().startswith("#")
                    for line in chunk.splitlines()) else 0


def lint_chunked(linter: Linter, path: str, text: str, cache: Dict[Key, Tuple[FileOutcome, Loaded]]
                 ) -> Optional[Tuple[FileOutcome, Loaded, Dict[Key, Tuple[FileOutcome, Loaded]]]]:
    """The file's outcome from its documents' (cached) outcomes, a Loaded of the whole file
    whose documents are the chunks', and the new cache; None: lint the file whole."""
    parts = split(text) if None not in cache else None
    if parts is None:
        return None
    new_cache: Dict[Key, Tuple[FileOutcome, Loaded]] = {}
    report = FileReport(path)
    findings: List[Any] = []
    suppressed: List[Any] = []
    objects: List[Any] = []
    deferred: List[Any] = []
    documents: List[Any] = []
    problems: List[Any] = []
    offset = 0
    for i, (line, chunk) in enumerate(parts):
        key = (line, chunk)
        got = cache.get(key) or new_cache.get(key)
        if got is None:
            loaded = load_text(path, "\n" * line + chunk)
            got = (linter.lint_loaded(path, loaded), loaded)
        new_cache[key] = got
        outcome, loaded = got
        if outcome.report.skipped:
            return None  # a limit that applies to the whole file
        if offset:
            findings.extend(f._replace(doc=f.doc + offset) for f in outcome.findings)
            suppressed.extend(f._replace(doc=f.doc + offset) for f in outcome.suppressed)
            objects.extend(o._replace(doc=o.doc + offset) for o in outcome.objects)
            deferred.extend(o._replace(doc=o.doc + offset) for o in outcome.deferred)
        else:
            findings.extend(outcome.findings)
            suppressed.extend(outcome.suppressed)
            objects.extend(outcome.objects)
            deferred.extend(outcome.deferred)
        documents.extend(_Doc(d, d.index + offset) for d in loaded.documents)
        problems.extend(loaded.problems)
        report.documents += outcome.report.documents
        report.objects += outcome.report.objects
        offset += _documents(chunk, i == 0)
    merged = FileOutcome(report, findings, suppressed, objects, parse_directives(text), deferred)
    return merged, Loaded(path, text, documents, problems), new_cache
