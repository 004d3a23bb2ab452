"""The per-file result cache: what linting one file gave (its findings, suppressed findings,
directives, and the objects the cross-object phase needs), kept between runs so that a second
run over an unchanged tree (pre-commit on every commit, CI with a restored cache) only reads,
hashes and unpickles, then redoes the cross-object phase.

An entry's key is a hash of the file's bytes, the path it is reported under, and a digest of
everything else that shapes a file's outcome: kubelint's version and the stamp of its code and
rule files, the Kubernetes version and schema files, every setting of the run (config, rules,
severities, options; the files of every folder a setting names: CRDs, schemas, rules,
policies).

Entries live in one SQLite database (`results.sqlite`, write-ahead log): a file per entry
cost ~0.5 ms of system time to create on an ext4 disk, half a second per 1,000 files, more
than linting them from the cache saved; one transaction per process writes them all in
milliseconds. SQLite serialises concurrent writers (other runs, the workers of one run) and
readers never see half an entry; an unreadable entry or database is a miss, a broken
database is replaced. Entries unused for PRUNE_AGE are deleted, and the oldest when the
entries outgrow PRUNE_SIZE, at most once a day. `--no-cache` (or KUBELINT_NO_CACHE=1) turns
it off."""

from __future__ import annotations

import os
import pickle
import shutil
import time
from typing import Any, Dict, Iterable, List, Optional, Tuple

from . import __version__

PRUNE_AGE = 14 * 86400  # seconds an entry may go unused
PRUNE_SIZE = 256 * 1024 * 1024  # bytes the folder may hold
_PRUNE_EVERY = 86400
_TOUCH_AFTER = 86400  # refresh an entry's last use on a hit at most this often
_DB = "results.sqlite"
_BATCH = 200  # entries written per transaction
_open_caches: List["ResultCache"] = []  # with entries not yet written (flush_all)

try:  # the builtin module: hashlib would load OpenSSL (~3 ms)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover
    from hashlib import blake2b


def _stamps(paths: Iterable[str]) -> List[str]:
    """size and mtime of every file under `paths` (files or folders), sorted."""
    out = []
    for p in paths:
        for root, _, files in os.walk(p) if os.path.isdir(p) else [("", (), (p,))]:
            for name in files:
                if root and not name.endswith((".py", ".yaml", ".yml", ".json")):
                    continue  # bytecode and the like
                f = os.path.join(root, name)
                try:
                    st = os.stat(f)
                    out.append(f"{f}:{st.st_size}:{st.st_mtime_ns}")
                except OSError:
                    out.append(f"{f}:-")
    out.sort()
    return out


def _code_stamps() -> List[str]:
    """kubelint's own modules and rule files: a change to either changes every outcome."""
    from .resources import rules_dir

    here = os.path.dirname(os.path.abspath(__file__))
    return _stamps([here, rules_dir()])


class ResultCache:
    def __init__(self, folder: str, digest: bytes) -> None:
        self.folder = folder
        self.digest = digest
        self.written = 0
        self._db: Any = None
        self._pid = 0  # the process that opened _db: a forked child opens its own
        self._broken = False
        self._pending: List[Tuple[str, bytes]] = []
        self._touch: List[str] = []

    def __getstate__(self) -> Dict[str, Any]:  # sent to pool workers: without the connection
        state = dict(self.__dict__)
        state.update(_db=None, _pid=0, _pending=[], _touch=[])
        return state

    @classmethod
    def open(cls, linter: Any) -> Optional["ResultCache"]:
        """The cache for this run's settings, or None when caching is off (worked out once
        per Linter)."""
        if "_result_cache" in vars(linter):
            return linter._result_cache
        linter._result_cache = found = cls._open(linter)
        return found

    @classmethod
    def _open(cls, linter: Any) -> Optional["ResultCache"]:
        from .cache import _base

        base = _base()
        if base is None or not getattr(linter.settings, "result_cache", False):
            return None
        from . import k8s_schema

        settings = linter.settings
        parts = [__version__, linter.version, repr(sorted(linter.enabled_codes))]
        parts += [f"{c}={linter.severity[c]}:{sorted(linter.options.get(c, {}).items())!r}"
                  for c in sorted(linter.enabled_codes)]
        for name, value in sorted(vars(settings).items()):
            if name in ("jobs", "stdin_filename", "result_cache", "config_start", "for_config"):
                continue  # they do not change what a file gives (its Linter's config does)
            if name == "config":
                value = getattr(value, "data", value)
            parts.append(f"{name}={value!r}")
        parts += _code_stamps()
        parts.append(k8s_schema._stamp(linter.version, settings.strict))
        # files a setting names (rule, CRD, schema, policy folders...): their contents count
        named = [v for value in vars(settings).values() if isinstance(value, (list, tuple))
                 for v in value if isinstance(v, str) and os.path.exists(v)]
        parts += _stamps(sorted(set(named)))
        digest = blake2b("\0".join(parts).encode("utf-8", "surrogateescape"),
                         digest_size=20).digest()
        return cls(os.path.join(base, "results"), digest)

    def key(self, path: str, walked: bool, raw: bytes) -> str:
        h = blake2b(self.digest, digest_size=20)
        h.update(f"{path}\0{walked}\0".encode("utf-8", "surrogateescape"))
        h.update(raw)
        return h.hexdigest()

    # the database ---------------------------------------------------------------------------

    def _connect(self) -> Any:
        """This process's connection, or None when the cache cannot be used."""
        if self._broken:
            return None
        if self._db is not None and self._pid == os.getpid():
            return self._db
        try:
            import sqlite3
        except ImportError:  # a Python built without it: run without the cache
            self._broken = True
            return None
        path = os.path.join(self.folder, _DB)
        for attempt in range(2):
            try:
                os.makedirs(self.folder, exist_ok=True)
                db = sqlite3.connect(path, timeout=30, isolation_level=None,
                                     check_same_thread=False)
                # a cache: a power cut may lose entries, which are then misses
                db.execute("PRAGMA synchronous=OFF")
                if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    db.execute("PRAGMA auto_vacuum=INCREMENTAL")
                    db.execute("PRAGMA journal_mode=WAL")
                db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, "
                           "value BLOB NOT NULL, used INTEGER NOT NULL)")
                self._db, self._pid = db, os.getpid()
                return db
            except sqlite3.DatabaseError:  # not a database, or a broken one: start again
                if attempt == 0:
                    for suffix in ("", "-wal", "-shm"):
                        _remove(path + suffix)
            except Exception:  # a read-only or full disk: run without the cache
                break
        self._broken = True
        return None

    def get(self, key: str) -> Any:
        db = self._connect()
        if db is None:
            return None
        try:
            row = db.execute("SELECT value, used FROM entries WHERE key = ?", (key,)).fetchone()
            if row is None:
                return None
            value = pickle.loads(row[0])
        except Exception:  # a broken entry, or one from an incompatible kubelint: a miss
            return None
        if time.time() - row[1] > _TOUCH_AFTER:
            self._touch.append(key)  # in use: keep it from being pruned
            self._later()
        return value

    def put(self, key: str, value: Any) -> None:
        """Store `value`; a file's outcome (a NamedTuple with `objects`) with its objects
        pickled apart, read only if a later run uses them (LazyList)."""
        try:
            objects = getattr(value, "objects", None)
            if objects and isinstance(value, tuple) and isinstance(objects, list):
                value = value._replace(objects=LazyList(pickle.dumps(
                    objects, protocol=pickle.HIGHEST_PROTOCOL)))
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:
            return
        self._pending.append((key, data))
        self.written += 1
        if len(self._pending) >= _BATCH:
            self.flush()
        else:
            self._later()

    def _later(self) -> None:
        if self not in _open_caches:
            _open_caches.append(self)

    def flush(self) -> None:
        """Write what this process has put since the last flush, in one transaction."""
        pending, touch = self._pending, self._touch
        self._pending, self._touch = [], []
        if not (pending or touch):
            return
        db = self._connect()
        if db is None:
            return
        now = int(time.time())
        try:
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)",
                           [(k, v, now) for k, v in pending])
            db.executemany("UPDATE entries SET used = ? WHERE key = ?", [(now, k) for k in touch])
            db.execute("COMMIT")
        except Exception:  # busy for too long, a full disk: these entries are misses next time
            try:
                db.execute("ROLLBACK")
            except Exception:
                pass

    def prune(self, now: Optional[float] = None) -> None:
        """Delete entries unused for PRUNE_AGE, then the oldest beyond PRUNE_SIZE; at most
        once per _PRUNE_EVERY (a stamp file records the last time)."""
        now = time.time() if now is None else now
        self.flush()
        stamp = os.path.join(self.folder, ".pruned")
        try:
            if now - os.stat(stamp).st_mtime < _PRUNE_EVERY:
                return
        except OSError:
            pass
        try:
            os.makedirs(self.folder, exist_ok=True)
            with open(stamp, "w"):
                pass
            os.utime(stamp, (now, now))
        except OSError:
            return
        db = self._connect()
        if db is None:
            return
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("DELETE FROM entries WHERE used < ?", (int(now - PRUNE_AGE),))
            total = db.execute("SELECT COALESCE(SUM(LENGTH(value)), 0) FROM entries").fetchone()[0]
            if total > PRUNE_SIZE:
                doomed = []
                for key, size in db.execute("SELECT key, LENGTH(value) FROM entries "
                                            "ORDER BY used, key"):
                    if total <= PRUNE_SIZE:
                        break
                    doomed.append((key,))
                    total -= size
                db.executemany("DELETE FROM entries WHERE key = ?", doomed)
            db.execute("COMMIT")
            db.execute("PRAGMA incremental_vacuum")
        except Exception:
            try:
                db.execute("ROLLBACK")
            except Exception:
                pass
        # entries of kubelint before the database: a file each under two-letter folders
        for name in os.listdir(self.folder):
            sub = os.path.join(self.folder, name)
            if len(name) == 2 and os.path.isdir(sub):
                shutil.rmtree(sub, ignore_errors=True)


class LazyList:
    """A list kept pickled until it is first read (iterated, indexed, measured, compared).
    The objects of a cached outcome are only for the cross-object stage, whose result is
    cached too: a warm run over an unchanged tree never reads them (unpickling them was ~15%
    of such a run on 5,000 documents when the stage keeps objects whole)."""

    __slots__ = ("_blob", "_items")

    def __init__(self, blob: bytes) -> None:
        self._blob: Optional[bytes] = blob
        self._items: Optional[List[Any]] = None

    def _list(self) -> List[Any]:
        if self._items is None:
            self._items = pickle.loads(self._blob)  # type: ignore[arg-type]
            self._blob = None
        return self._items

    def __iter__(self) -> Any:
        return iter(self._list())

    def __len__(self) -> int:
        return len(self._list())

    def __bool__(self) -> bool:
        return bool(self._list())

    def __getitem__(self, index: Any) -> Any:
        return self._list()[index]

    def __eq__(self, other: Any) -> bool:
        return self._list() == (other._list() if isinstance(other, LazyList) else other)

    def __repr__(self) -> str:
        return repr(self._list())

    def __getstate__(self) -> bytes:
        # (cached again, sent to another process: pickled as it was read, or still is)
        return self._blob if self._blob is not None else \
            pickle.dumps(self._items, protocol=pickle.HIGHEST_PROTOCOL)

    def __setstate__(self, blob: bytes) -> None:
        self._blob, self._items = blob, None


def flush_all() -> None:
    """Write every cache's pending entries (the end of a process's share of a run)."""
    while _open_caches:
        _open_caches.pop().flush()


def late_key(cache: ResultCache, keys: List[str]) -> str:
    """The key of a run's cross-object stage: the keys of all its files, in order."""
    h = blake2b(cache.digest, digest_size=20)
    h.update(b"late\0")
    for key in keys:
        h.update(key.encode("ascii"))
    return h.hexdigest()


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
