"""The per-file result cache: what linting one file gave (its findings, suppressed findings,
directives, and the objects the cross-object phase needs), kept between runs so that a second
run over an unchanged tree (pre-commit on every commit, CI with a restored cache) only reads,
hashes and unpickles, then redoes the cross-object phase.

An entry's key is a hash of the file's bytes, the path it is reported under, and a digest of
everything else that shapes a file's outcome: kubelint's version and the stamp of its code and
rule files, the Kubernetes version and schema files, every setting of the run (config, rules,
severities, options; the files of every folder a setting names: CRDs, schemas, rules,
policies). Entries are written
atomically (a temporary file renamed into place), so concurrent runs never read half an entry;
anything unreadable is a miss. Entries unused for PRUNE_AGE are deleted, and the oldest when
the folder outgrows PRUNE_SIZE, at most once a day. `--no-cache` (or KUBELINT_NO_CACHE=1)
turns it off."""

from __future__ import annotations

import os
import pickle
import time
from typing import Any, Iterable, List, Optional

from . import __version__

PRUNE_AGE = 14 * 86400  # seconds an entry may go unused
PRUNE_SIZE = 256 * 1024 * 1024  # bytes the folder may hold
_PRUNE_EVERY = 86400
_TOUCH_AFTER = 86400  # refresh an entry's mtime on a hit at most this often

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
        self._folders: set = set()  # made already: os.makedirs costs a failing mkdir each time

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

    def get(self, key: str) -> Any:
        path = os.path.join(self.folder, key[:2], key)
        try:
            with open(path, "rb") as f:
                data = f.read()
                mtime = os.fstat(f.fileno()).st_mtime
            value = pickle.loads(data)
        except Exception:  # missing, half-deleted, or from an incompatible kubelint: a miss
            return None
        if time.time() - mtime > _TOUCH_AFTER:
            try:
                os.utime(path)  # in use: keep it from being pruned
            except OSError:
                pass
        return value

    def put(self, key: str, value: Any) -> None:
        folder = os.path.join(self.folder, key[:2])
        try:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            if folder not in self._folders:
                os.makedirs(folder, exist_ok=True)
                self._folders.add(folder)
            tmp = os.path.join(folder, f".tmp-{os.getpid()}-{key}")
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, os.path.join(folder, key))
            self.written += 1
        except Exception:  # a read-only or full disk: run without the cache
            self._folders.discard(folder)  # or a folder pruned meanwhile: made again next time

    def prune(self, now: Optional[float] = None) -> None:
        """Delete entries unused for PRUNE_AGE, then the oldest beyond PRUNE_SIZE; at most
        once per _PRUNE_EVERY (a stamp file records the last time)."""
        now = time.time() if now is None else now
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
        entries = []
        for root, _, files in os.walk(self.folder):
            for name in files:
                if name == ".pruned":
                    continue
                path = os.path.join(root, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                # leftovers of a killed writer count as old after an hour
                old = now - st.st_mtime > (3600 if name.startswith(".tmp-") else PRUNE_AGE)
                if old:
                    _remove(path)
                else:
                    entries.append((st.st_mtime, st.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= PRUNE_SIZE:
                break
            _remove(path)
            total -= size


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
