"""The per-file result cache (resultcache.py): a warm run says exactly what a cold one says, for
any --jobs; it re-lints only what changed; a change of settings, a corrupt entry or
--no-cache never leaks an old answer; old entries are pruned."""

import os
import sqlite3
import time

from kubelint import resultcache
from kubelint.engine import Linter, Settings, run

from .conftest import kubelint

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: web-{i}, namespace: ns-{ns}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: web-{i}}}}}
  template:
    metadata: {{labels: {{app: web-{i}}}}}
    spec:
      containers:
        - name: web
          image: nginx:1.{i}
---
apiVersion: v1
kind: Service
metadata: {{name: web-{i}, namespace: ns-{ns}}}
spec:
  selector: {{app: {target}}}
  ports: [{{port: 80}}]
"""


def _tree(root, n=60):
    """n files (enough for a worker pool), some with findings, some cross-object ones."""
    root.mkdir()
    for i in range(n):
        text = DEPLOYMENT.format(i=i, ns=i % 3, replicas='"2"' if i % 7 == 0 else 2,
                                 target=f"web-{i}" if i % 5 else f"missing-{i}")
        if i % 11 == 0:
            text += "# kubelint: disable=KL201\n"
        (root / f"app-{i:02d}.yaml").write_text(text)
    return root


def _entries(cache):
    path = cache / "results" / "results.sqlite"
    if not path.exists():
        return []
    with sqlite3.connect(path) as db:
        return sorted(k for (k,) in db.execute("SELECT key FROM entries"))


def test_warm_runs_say_what_cold_runs_say_for_any_jobs(tmp_path):
    tree = _tree(tmp_path / "m")
    cache = tmp_path / "cache"
    env = {"KUBELINT_CACHE_DIR": str(cache)}
    args = ("check", "-f", "json", str(tree))
    cold = kubelint(*args, "--jobs", "1", env=env)
    assert cold.returncode == 1 and b'"KL201"' in cold.stdout and b'"KL010"' in cold.stdout
    assert len(_entries(cache)) == 61  # 60 files and the cross-object stage
    for jobs in ("2", "1"):
        warm = kubelint(*args, "--jobs", jobs, env=env)
        assert (warm.returncode, warm.stdout) == (cold.returncode, cold.stdout)
    sarif = [kubelint("check", "-f", "sarif", "--jobs", j, str(tree), env=env).stdout for j in "21"]
    assert sarif[0] == sarif[1]
    uncached = kubelint(*args, "--no-cache", env={"KUBELINT_CACHE_DIR": str(tmp_path / "none")})
    assert uncached.stdout == cold.stdout
    assert not (tmp_path / "none" / "results").exists()


def _count_lints(monkeypatch):
    linted = []
    real = Linter.lint_loaded
    monkeypatch.setattr(Linter, "lint_loaded",
                        lambda self, path, loaded, **kw: linted.append(os.path.basename(path))
                        or real(self, path, loaded, **kw))
    return linted


def test_only_changed_files_are_linted_again(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBELINT_CACHE_DIR", str(tmp_path / "cache"))
    tree = _tree(tmp_path / "m", n=6)
    linted = _count_lints(monkeypatch)
    first = run([str(tree)], Settings(result_cache=True))
    assert len(linted) == 6
    del linted[:]
    again = run([str(tree)], Settings(result_cache=True))
    assert linted == [] and again.findings == first.findings
    (tree / "app-03.yaml").write_text((tree / "app-03.yaml").read_text().replace("replicas: 2",
                                                                                 'replicas: "2"'))
    changed = run([str(tree)], Settings(result_cache=True))
    assert linted == ["app-03.yaml"]
    assert len(changed.findings) == len(first.findings) + 1
    del linted[:]
    run([str(tree)], Settings(result_cache=True, ignore=["KL010"]))  # another config: all miss
    assert len(linted) == 6


SELECTS_NOTHING = """apiVersion: v1
kind: Service
metadata: {{name: s{i}, namespace: ns-1}}
spec:
  selector: {{app: missing-{i}}}  # kubelint: disable=KL201
  ports: [{{port: 80}}]
"""


def test_the_cross_object_stage_is_reused_only_for_the_same_files(tmp_path, monkeypatch):
    """An unchanged tree takes the cross-object findings, and the directives that silenced
    them (KL090 counts them as used), from the cache; any changed file runs the stage again."""
    from kubelint import engine

    monkeypatch.setenv("KUBELINT_CACHE_DIR", str(tmp_path / "cache"))
    tree = _tree(tmp_path / "m", n=4)
    (tree / "svc.yaml").write_text(SELECTS_NOTHING.format(i=1))
    late = []
    real = engine._late
    monkeypatch.setattr(engine, "_late", lambda *a: late.append(1) or real(*a))
    settings = dict(result_cache=True, select=["ALL", "unused-suppression"])
    first = run([str(tree)], Settings(**settings))
    assert len(late) == 1
    assert any(f.code == "KL201" for f in first.suppressed)  # silenced in the late stage
    codes = sorted(f.code for f in first.findings)
    assert "KL201" in codes and codes.count("KL090") == 1  # only app-00's comment is unused
    again = run([str(tree)], Settings(**settings))
    assert len(late) == 1
    assert (again.findings, again.suppressed) == (first.findings, first.suppressed)
    (tree / "svc.yaml").write_text(SELECTS_NOTHING.format(i=2))
    changed = run([str(tree)], Settings(**settings))
    assert len(late) == 2 and "missing-2" in str([f.message for f in changed.suppressed])
    assert sorted(f.code for f in changed.findings) == codes
    uncached = run([str(tree)], Settings(select=settings["select"]))
    assert (uncached.findings, uncached.suppressed) == (changed.findings, changed.suppressed)


def test_a_corrupt_entry_is_a_miss(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBELINT_CACHE_DIR", str(tmp_path / "cache"))
    tree = _tree(tmp_path / "m", n=3)
    first = run([str(tree)], Settings(result_cache=True))
    with sqlite3.connect(tmp_path / "cache" / "results" / "results.sqlite") as db:
        db.execute("UPDATE entries SET value = ?", (b"\x80\x05garbage",))
    linted = _count_lints(monkeypatch)
    again = run([str(tree)], Settings(result_cache=True))
    assert len(linted) == 3 and again.findings == first.findings


def test_a_broken_database_is_replaced(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBELINT_CACHE_DIR", str(tmp_path / "cache"))
    tree = _tree(tmp_path / "m", n=3)
    first = run([str(tree)], Settings(result_cache=True))
    db = tmp_path / "cache" / "results" / "results.sqlite"
    for suffix in ("-wal", "-shm"):
        if os.path.exists(str(db) + suffix):
            os.remove(str(db) + suffix)
    db.write_bytes(b"not a database" * 100)
    linted = _count_lints(monkeypatch)
    again = run([str(tree)], Settings(result_cache=True))
    assert len(linted) == 3 and again.findings == first.findings
    assert len(_entries(tmp_path / "cache")) == 4  # written again: 3 files, the cross stage
    linted.clear()
    run([str(tree)], Settings(result_cache=True))
    assert linted == []


def test_prune_by_age_and_size(tmp_path, monkeypatch):
    cache = resultcache.ResultCache(str(tmp_path / "results"), b"d")
    now = time.time()
    for i in range(6):
        cache.put(f"{i:02d}" + "0" * 38, b"x" * 1000)
    cache.flush()
    path = os.path.join(cache.folder, "results.sqlite")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE entries SET used = ? WHERE key LIKE '05%'", (int(now - resultcache.PRUNE_AGE - 10),))
        db.execute("UPDATE entries SET used = used - 100 + CAST(SUBSTR(key, 1, 2) AS INTEGER) "
                   "WHERE key NOT LIKE '05%'")  # 00 is the least recently used
    legacy = os.path.join(cache.folder, "ab")  # an entry of kubelint before the database
    os.makedirs(legacy)
    open(os.path.join(legacy, "ab" + "0" * 38), "wb").close()
    monkeypatch.setattr(resultcache, "PRUNE_SIZE", 3500)
    cache.prune(now)
    left = sorted(k[:2] for k in _keys(path))
    # the stale one, then the least recently used beyond the size
    assert left == ["02", "03", "04"] and not os.path.exists(legacy)
    for i in range(2):
        cache.put(f"1{i}" + "0" * 38, b"y")
    cache.prune(now + 60)  # pruned less than a day ago: nothing is deleted
    assert len(_keys(path)) == 5


def _keys(path):
    with sqlite3.connect(path) as db:
        return [k for (k,) in db.execute("SELECT key FROM entries")]


def test_entries_of_forked_workers_are_written(tmp_path, monkeypatch):
    # --jobs 2: the children write their own entries before they exit
    monkeypatch.setenv("KUBELINT_CACHE_DIR", str(tmp_path / "cache"))
    tree = _tree(tmp_path / "m", n=60)
    run([str(tree)], Settings(result_cache=True, jobs=2))
    assert len(_entries(tmp_path / "cache")) == 61
    linted = _count_lints(monkeypatch)
    run([str(tree)], Settings(result_cache=True, jobs=1))  # in this process: every file a hit
    assert linted == []


def test_cached_objects_are_read_only_when_the_cross_object_stage_runs(tmp_path, monkeypatch):
    """A cached outcome keeps its objects pickled apart (resultcache.LazyList): a warm run
    whose cross-object stage is cached too never unpickles them; a changed file makes the
    stage run, on the objects read from the cache, with the findings of an uncached run."""
    monkeypatch.setenv("KUBELINT_CACHE_DIR", str(tmp_path / "cache"))
    tree = _tree(tmp_path / "m", n=50)
    read = []
    real = resultcache.LazyList._list

    def counted(self):
        if self._items is None:
            read.append(1)
        return real(self)

    monkeypatch.setattr(resultcache.LazyList, "_list", counted)
    first = run([str(tree)], Settings(result_cache=True))
    again = run([str(tree)], Settings(result_cache=True, jobs=2))
    assert read == []
    assert (again.findings, again.suppressed) == (first.findings, first.suppressed)
    (tree / "app-03.yaml").write_text(DEPLOYMENT.format(i=3, ns=0, replicas=2, target="gone-3"))
    for jobs in (1, 2):
        changed = run([str(tree)], Settings(result_cache=True, jobs=jobs))
        assert len(read) >= 49  # the unchanged files' objects, read for the stage
        assert "gone-3" in str([f.message for f in changed.findings])
        uncached = run([str(tree)], Settings(jobs=jobs))
        assert (changed.findings, changed.suppressed) == (uncached.findings, uncached.suppressed)
    lazy = resultcache.LazyList(__import__("pickle").dumps([1, 2]))
    assert lazy == [1, 2] and [1, 2] == lazy and len(lazy) == 2 and lazy[1] == 2 and list(lazy) == [1, 2]
