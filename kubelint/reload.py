"""The whole data of a projected object read back from its file, on demand.

The cross-object stage keeps most objects as projections (graph.slim). Their whole data is
packed with them (K8sObject.full) only for the kinds whose own cross rules read more than the
projection (Linter._kept); any other object's whole data is read only if something asks
(graph.full_data: a duplicate compared with its twin, a pod's command line before a finding,
a Service's labels for a ServiceMonitor): its document alone, read from its file at the
offsets the fast pass marked (loader.document_text, which alone_in_file reads for
positions) and built by the fast pass again. At 50,000 documents ~9 in 10 packed objects were never read: packing them
was ~200 ms of CPU, 17 MB of pickles and ~8 MB of each worker's stream.

That is only done when it gives the very data the per-file stage had, else `full` is packed
as before (Linter._kept): a file on disk read whole by the fast pass, no List item, its text
sliceable by line (loader.simple_text), not modified in the seconds before the run started
(a write in the same clock tick as the read would keep its mtime: settled()). When read back,
the file must still be a regular file of the size and mtime it had when read, the document's
bytes must load alone, and their projection must be the object's: else None -- the file
changed during the run, and readers claim nothing from data they cannot see (graph.py).
"""

from __future__ import annotations

import time
from typing import Any, Dict, Optional, Tuple

# A file modified less than this before the run started is not read back (its outcome keeps
# `full`): filesystems keep mtimes at a clock tick (1-10 ms; 2 s on FAT), so a write right
# after the read could leave the mtime as it was.
SETTLED_NS = 2_000_000_000

# reported path -> (path to read, the outcome's packed lines (engine._packed_lines: document
# index, root line, offset of that line, ..., the text's length), mtime_ns when it was read)
_files: Dict[str, Tuple[str, Any, int]] = {}
# reported path -> {document index: its entry's number in the packed lines}
_starts: Dict[str, Dict[int, int]] = {}
# (path, document index) -> the data read back (several rules may ask for one object)
_memo: Dict[Tuple[str, int], Any] = {}
_MEMO_MAX = 512


def settled() -> int:
    """mtime_ns below which a file read in this run may be read back (see SETTLED_NS)."""
    return time.time_ns() - SETTLED_NS


def begin(files: Dict[str, Tuple[str, Any, int]]) -> None:
    """The files this run's cross-object stage may read documents back from (the engine,
    before the stage): path as reported -> (path to read, packed lines, mtime_ns)."""
    global _files
    _files = files
    _starts.clear()
    _memo.clear()


def data_of(obj: Any) -> Optional[Any]:
    """The whole data of `obj` (a projected object whose `full` is empty) as its file holds
    it, or None when that cannot be known for sure now."""
    key = (obj.path, obj.doc)
    found = _memo.get(key, _MISSING)
    if found is not _MISSING:
        return found
    found = _read(obj)
    if len(_memo) >= _MEMO_MAX:
        _memo.clear()
    _memo[key] = found
    return found


_MISSING = object()


def _read(obj: Any) -> Optional[Any]:
    entry = _files.get(obj.path)
    if entry is None or obj.item is not None:
        return None
    real, lines, mtime = entry
    starts = _starts.get(obj.path)
    if starts is None:
        starts = _starts[obj.path] = {lines[3 * i]: i for i in range(len(lines) // 3)}
    at = starts.get(obj.doc)
    if at is None:
        return None
    from .fastload import load_documents
    from .graph import slim
    from .loader import document_text, gc_paused

    found = document_text(real, lines, at, mtime)
    if found is None:
        return None
    text = found[1]

    with gc_paused():
        try:
            loaded = load_documents(text)
        except Exception:  # the fast pass loaded it in the per-file stage: not expected
            loaded = None
    if not loaded or not isinstance(loaded[0][1], dict):
        return None
    data = loaded[0][1]
    kind = obj.data.get("kind")
    projected = slim(kind, data) if isinstance(kind, str) else None
    if projected is None or not _equal(projected, obj.data):
        return None
    return data


def _equal(a: Any, b: Any) -> bool:
    """Equal projections; a NaN read twice is the same value here (== says it is not)."""
    if a == b:
        return True
    from .packing import dumps

    x, y = dumps(a), dumps(b)
    return x is not None and x == y
