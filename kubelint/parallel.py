"""Work shared between this process and forked children: `--jobs N` runs N-1 children and
this process works too, so no process sits idle waiting for the others, and only the
children's results are pickled. Tasks are handed out one by one through a pipe (reads of
a few bytes from a pipe are atomic), so a process that another program slows down simply
takes fewer of them. Results come back in task order whoever computed them.

Needs os.fork (Linux, and macOS where the engine asks for it); the engine falls back to a
multiprocessing pool elsewhere."""

from __future__ import annotations

import os
import pickle
import struct
from typing import Any, Callable, List, Optional, Sequence

_RECORD = struct.Struct("<I")
# the whole queue of chunk numbers is written before the children start: it must fit in
# the pipe's buffer (64 KiB on Linux; 4 KiB is the smallest POSIX allows)
_MAX_CHUNKS = 1000


class WorkerError(Exception):
    """A child failed in a way that could not be sent back as the exception itself."""


def run(jobs: int, tasks: Sequence[Any], work: Callable[[Any], Any],
        progress: Optional[Callable[[int, int], None]] = None,
        finish: Optional[Callable[[], None]] = None) -> List[Any]:
    """[work(task) for task in tasks], computed by this process and jobs - 1 forked ones;
    each child calls `finish` when it has no work left (before it exits)."""
    n = len(tasks)
    size = max(1, -(-n // _MAX_CHUNKS))
    chunks = [(start, min(n, start + size)) for start in range(0, n, size)]
    queue_r, queue_w = os.pipe()
    os.write(queue_w, b"".join(_RECORD.pack(i) for i in range(len(chunks))))
    os.close(queue_w)  # an empty read then means: no work left
    children = []  # (pid, read end of its result pipe)
    results: List[Any] = [None] * n
    try:
        for _ in range(jobs - 1):
            out_r, out_w = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: work, send everything back at the end, never return
                os.close(out_r)
                _child(queue_r, out_w, chunks, tasks, work, finish)
            os.close(out_w)
            children.append((pid, out_r))
        done = 0
        while True:
            i = _next(queue_r)
            if i is None:
                break
            start, end = chunks[i]
            for j in range(start, end):
                results[j] = work(tasks[j])
            done += end - start
            if progress is not None:
                # chunks are handed out in order: those before i are done or under way
                progress(max(done, start), n)
        for pid, out_r in children:
            try:
                status, payload = pickle.loads(_read_all(out_r))
            except Exception:
                raise WorkerError("a worker process ended without sending its results") from None
            if status != "ok":
                raise payload
            for i, values in payload:
                start, end = chunks[i]
                results[start:end] = values
        for pid, _ in children:
            os.waitpid(pid, 0)
        children = []
        if progress is not None:
            progress(n, n)
    finally:
        os.close(queue_r)
        for pid, out_r in children:  # interrupted or failed: leave no child running
            for step in (lambda: os.close(out_r), lambda: os.kill(pid, 15),
                         lambda: os.waitpid(pid, 0)):
                try:
                    step()
                except OSError:
                    pass
    return results


def _child(queue_r: int, out_w: int, chunks: List[Any], tasks: Sequence[Any],
           work: Callable[[Any], Any], finish: Optional[Callable[[], None]] = None) -> None:
    code = 0
    try:
        try:
            mine = []
            while True:
                i = _next(queue_r)
                if i is None:
                    break
                start, end = chunks[i]
                mine.append((i, [work(tasks[j]) for j in range(start, end)]))
            if finish is not None:
                finish()
            data = pickle.dumps(("ok", mine), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as e:  # noqa: BLE001 - everything goes back to the parent
            try:
                data = pickle.dumps(("error", e), protocol=pickle.HIGHEST_PROTOCOL)
                pickle.loads(data)
            except Exception:
                data = pickle.dumps(("error", WorkerError(f"{type(e).__name__}: {e}")))
        view = memoryview(data)
        while view:
            view = view[os.write(out_w, view):]
    except BaseException:  # noqa: BLE001 - the parent sees a truncated result
        code = 1
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the parent's buffers


def _next(queue_r: int) -> Optional[int]:
    record = os.read(queue_r, _RECORD.size)
    return _RECORD.unpack(record)[0] if record else None


def _read_all(fd: int) -> bytes:
    parts = []
    while True:
        part = os.read(fd, 1 << 20)
        if not part:
            return b"".join(parts)
        parts.append(part)
