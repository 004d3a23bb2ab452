"""A small on-disk cache of prepared data (bundled schemas, the schema index, parsed rule
files), so a one-file run does not re-read the 1.8 MB definitions file.

Entries live in $KUBELINT_CACHE_DIR, else $XDG_CACHE_HOME/kubelint, else ~/.cache/kubelint,
under a folder named for the kubelint version and a stamp of what they were built from.
Writes go to a temporary file and are renamed into place, so concurrent runs never see half
a file; anything unreadable is rebuilt. KUBELINT_NO_CACHE=1 turns the cache off. The cache is
an optimisation only: every failure falls back to building the data."""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Optional

from . import __version__


def _base() -> Optional[str]:
    if os.environ.get("KUBELINT_NO_CACHE"):
        return None
    explicit = os.environ.get("KUBELINT_CACHE_DIR")
    if explicit:
        return explicit
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(xdg, "kubelint")


def cached_json(namespace: str, stamp: str, name: str, build: Callable[[], Any]) -> Any:
    """The JSON value `build()` returns, kept under namespace/stamp/name between runs."""
    base = _base()
    if base is None:
        return build()
    folder = os.path.join(base, f"{__version__}-{namespace}-{stamp}")
    path = os.path.join(folder, name)
    try:
        with open(path, "rb") as f:
            return json.load(f)
    except (OSError, ValueError):
        pass
    value = build()
    try:
        import tempfile

        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(value, f, separators=(",", ":"))
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home or a full disk: run without the cache
    return value


def stamp_of(*paths: str) -> str:
    """Changes when any of `paths` (files or folders) is replaced or edited."""
    import zlib

    parts = []
    for p in paths:
        try:
            st = os.stat(p)
            parts.append(f"{p}:{st.st_mtime_ns}:{st.st_size}")
        except OSError:
            parts.append(f"{p}:-")
    return f"{zlib.crc32(chr(0).join(parts).encode('utf-8', 'surrogateescape')):08x}"


def cached_code(source: str, filename: str) -> Any:
    """compile(source, filename, "exec"), kept between runs (marshal, in this Python's own
    format: the folder is named for it). The source is stored beside its code and compared
    on reading, so a file found under the same name (a CRC of the source) is used only for
    that very source. Compiling the generated checks of a run's kinds (checks/enums.py) was
    ~30 M instructions before the per-file stage forks; reading them back is a few."""
    import marshal
    import sys
    import zlib

    base = _base()
    if base is None:
        return compile(source, filename, "exec")
    folder = os.path.join(base, f"{__version__}-code-{sys.implementation.cache_tag}-"
                                f"{marshal.version}")
    path = os.path.join(folder, f"{zlib.crc32(source.encode('utf-8', 'surrogatepass')):08x}-"
                                f"{len(source)}.marshal")
    try:
        with open(path, "rb") as f:
            stored, code = marshal.load(f)
        if stored == source and code.co_filename == filename:
            return code
    except (OSError, ValueError, EOFError, TypeError):
        pass
    code = compile(source, filename, "exec")
    try:
        import tempfile

        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            marshal.dump((source, code), f)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home or a full disk: compiled each run
    return code
