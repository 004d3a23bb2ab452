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
# A frame child -> parent: its length and kind, then a pickle of (chunk number, results), or of
# ("ok", None) / ("error", exception) last
_FRAME = struct.Struct("<IB")
_PLAIN, _STREAM, _STREAM_FRESH = 0, 1, 2  # pickle.dumps; packing's stream (then from a new memo)
# the whole queue of chunk numbers is written before the children start: it must fit in
# the pipe's buffer (64 KiB on Linux; 4 KiB is the smallest POSIX allows)
_MAX_CHUNKS = 1000
# A child writes its results once it has this many bytes of them (and at its end): one write
# per chunk cost ~40 us each (a system call that wakes the reader), 38 ms of a child's
# ~170 ms in the cross-object stage of 5,000 documents, where a chunk is one small file.
_FLUSH = 256 << 10
# ...and after each of the last _TAIL chunks of the queue: results not sent when the queue
# ran dry are read by this process alone after its own last task (up to _FLUSH bytes to
# unpickle and index: 1-5 ms at 5,000 documents while the other processes are done)
_TAIL = 16
# ...and as soon as it holds results of 1/_SHARE as many chunks as are left in the queue: a
# frame of _FLUSH bytes was ~110 files of 5,000 documents, and the parent's files after the
# first of them could not be indexed in order either (graph ahead), so up to ~100 files
# were unpickled and ~250 indexed by this process alone once the queue ran dry (~7 ms of
# CPU, while the child was done). Flushing sooner as the queue drains adds ~20 writes.
_SHARE = 8


# Children that had sent everything but were still ending when run(wait=False) returned.
_ENDING: List[int] = []


def reap() -> None:
    """Wait for the children run(wait=False) left ending."""
    while _ENDING:
        try:
            os.waitpid(_ENDING.pop(), 0)
        except ChildProcessError:
            pass


class WorkerError(Exception):
    """A child failed in a way that could not be sent back as the exception itself."""


def run(jobs: int, tasks: Sequence[Any], work: Callable[[Any], Any],
        progress: Optional[Callable[[int, int], None]] = None,
        finish: Optional[Callable[[], None]] = None,
        start: Optional[Callable[[], None]] = None,
        between: Optional[Callable[[List[Any]], None]] = None,
        first: Sequence[int] = (), stream: bool = False,
        sent: Optional[Callable[[Any], Any]] = None,
        received: Optional[Callable[[Any], Any]] = None, wait: bool = True,
        share: bool = True) -> List[Any]:
    """[work(task) for task in tasks], computed by this process and jobs - 1 forked ones;
    each child calls `finish` when it has no work left (before it exits); this process calls
    `start` once the children are working (work for later that they need not inherit), and
    `between(results)` after each of its chunks (results so far; None where not yet in).

    A child sends its results as they are computed (by 256 KiB, _FLUSH), and this process
    reads and unpickles what has arrived between its own chunks: pickling and unpickling
    happen while the other process works, not after the last chunk (sent all at the end,
    they kept the other process waiting: ~15 MB of outcomes at 50,000 documents).

    `first`: tasks (indices) this process does alone before it forks. What they warm (modules
    imported, validators compiled, memo tables filled) the children inherit rather than each
    doing it again: the same wall time (a child could not have started its work any sooner
    than after its own warm-up), less CPU.

    `stream`: a child writes its results with one pickle memo from chunk to chunk
    (packing.StreamWriter): what an earlier chunk sent (keys, label maps that projections
    share) is sent as a reference and read back as the one object, not a copy per chunk --
    less to pickle, unpickle and keep. Results must not change once their chunk is done
    (an object an earlier result reached would be read back as it was sent).

    `sent(result)`: what a child pickles of a result, `received(that)` the result again in
    this process (a form cheaper to pickle: plain tuples for named ones).

    `wait=False`: children that have sent everything but are still ending (the kernel
    freeing a large process's memory: 3-8 ms at 5,000 documents) are not waited for; reap()
    collects them later."""
    n = len(tasks)
    results: List[Any] = [None] * n
    for j in first:
        results[j] = work(tasks[j])
    primed = set(first)
    todo = [j for j in range(n) if j not in primed] if primed else range(n)
    size = max(1, -(-len(todo) // _MAX_CHUNKS))
    chunks = [todo[at:at + size] for at in range(0, len(todo), size)]
    queue_r, queue_w = os.pipe()
    os.write(queue_w, b"".join(_RECORD.pack(i) for i in range(len(chunks))))
    os.close(queue_w)  # an empty read then means: no work left
    children: List[_Child] = []
    try:
        for _ in range(jobs - 1):
            out_r, out_w = os.pipe()
            _widen(out_w)
            pid = os.fork()
            if pid == 0:  # the child: work, send each chunk's results, never return
                os.close(out_r)
                _child(queue_r, out_w, chunks, tasks, work, finish, stream, sent, share)
            os.close(out_w)
            os.set_blocking(out_r, False)
            children.append(_Child(pid, out_r, received))
        if start is not None:
            start()
        done = n - len(todo)
        while True:
            i = _next(queue_r)
            if i is None:
                break
            chunk = chunks[i]
            for j in chunk:
                results[j] = work(tasks[j])
            done += len(chunk)
            for child in children:  # what the children have sent meanwhile
                child.receive(chunks, results, block=False)
            if between is not None:
                between(results)
            if progress is not None:
                # chunks are handed out in order: those before i are done or under way
                progress(max(done, chunk[0]), n)
        for child in children:
            os.set_blocking(child.fd, True)
            child.receive(chunks, results, block=True)
        for child in children:
            if wait:
                os.waitpid(child.pid, 0)
            elif os.waitpid(child.pid, os.WNOHANG)[0] == 0:
                _ENDING.append(child.pid)  # still ending: reap() collects it
        children = []
        if progress is not None:
            progress(n, n)
    finally:
        os.close(queue_r)
        for child in children:  # interrupted or failed: leave no child running
            for step in (lambda: os.close(child.fd), lambda: os.kill(child.pid, 15),
                         lambda: os.waitpid(child.pid, 0)):
                try:
                    step()
                except OSError:
                    pass
    return results


class _Child:
    """A forked child and the frames it sends: (chunk number, results) as each chunk is
    done, then ("ok", None) or ("error", exception) last."""

    __slots__ = ("pid", "fd", "buffer", "ended", "reader", "received")

    def __init__(self, pid: int, fd: int, received: Optional[Callable[[Any], Any]] = None
                 ) -> None:
        self.pid, self.fd, self.received = pid, fd, received
        self.buffer = bytearray()
        self.ended = False
        self.reader: Any = None  # packing.StreamReader of the child's stream frames

    def receive(self, chunks: List[Any], results: List[Any], block: bool) -> None:
        """Read what has arrived (everything up to the end when `block`) and store it."""
        while not self.ended:
            try:
                part = os.read(self.fd, 1 << 20)
            except BlockingIOError:
                return
            if not part:
                raise WorkerError("a worker process ended without sending its results")
            self.buffer += part
            at = self._frames(chunks, results)
            del self.buffer[:at]

    def _frames(self, chunks: List[Any], results: List[Any]) -> int:
        """Store the whole frames at the start of the buffer; the number of bytes they took."""
        at = 0
        with memoryview(self.buffer) as view:
            while len(view) - at >= _FRAME.size:
                length, kind = _FRAME.unpack_from(view, at)
                if len(view) - at - _FRAME.size < length:
                    break
                with view[at + _FRAME.size:at + _FRAME.size + length] as frame:
                    try:
                        if kind == _PLAIN:
                            i, payload = pickle.loads(frame)
                        else:
                            if kind == _STREAM_FRESH:
                                from .packing import StreamReader

                                self.reader = StreamReader()
                            i, payload = self.reader.loads(frame)
                    except Exception:
                        raise WorkerError("a worker process sent results that cannot be read") \
                            from None
                at += _FRAME.size + length
                if i == "error":
                    raise payload
                if i == "ok":
                    self.ended = True
                    break
                if self.received is not None:
                    payload = map(self.received, payload)
                for j, result in zip(chunks[i], payload):
                    results[j] = result
        return at


def _widen(fd: int) -> None:
    """A larger pipe buffer (Linux: up to 1 MiB unprivileged) lets a child send results for a
    while without waiting for this process to read them."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except (ImportError, OSError):
        pass


def _child(queue_r: int, out_w: int, chunks: List[Any], tasks: Sequence[Any],
           work: Callable[[Any], Any], finish: Optional[Callable[[], None]] = None,
           stream: bool = False, sent: Optional[Callable[[Any], Any]] = None,
           share: bool = True) -> None:
    code = 0
    frames = bytearray()  # frames not written yet
    pending = 0  # chunks whose results are in `frames`
    writer = None
    if stream:
        from .packing import StreamWriter

        writer = StreamWriter(share)
    try:
        try:
            while True:
                i = _next(queue_r)
                if i is None:
                    break
                results = (i, [work(tasks[j]) for j in chunks[i]] if sent is None else
                           [sent(work(tasks[j])) for j in chunks[i]])
                if writer is not None:
                    data, fresh = writer.dumps(results)
                    _frame(frames, data, _STREAM_FRESH if fresh else _STREAM)
                else:
                    _frame(frames, pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
                del results
                pending += 1
                left = len(chunks) - 1 - i  # (at least: the other processes take some too)
                if len(frames) >= _FLUSH or i >= len(chunks) - _TAIL or \
                        pending * _SHARE >= left:
                    _send(out_w, frames)
                    frames = bytearray()
                    pending = 0
            if finish is not None:
                finish()
            data = pickle.dumps(("ok", None), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as e:  # noqa: BLE001 - everything goes back to the parent
            try:
                data = pickle.dumps(("error", e), protocol=pickle.HIGHEST_PROTOCOL)
                pickle.loads(data)
            except Exception:
                data = pickle.dumps(("error", WorkerError(f"{type(e).__name__}: {e}")))
        _frame(frames, data)  # (plain: the parent reads it even after a broken stream frame)
        _send(out_w, frames)
    except BaseException:  # noqa: BLE001 - the parent sees a truncated result
        code = 1
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the parent's buffers


def _frame(frames: bytearray, data: bytes, kind: int = _PLAIN) -> None:
    frames += _FRAME.pack(len(data), kind)
    frames += data


def _send(fd: int, frames: bytearray) -> None:
    with memoryview(frames) as view:
        while view:
            view = view[os.write(fd, view):]


def _next(queue_r: int) -> Optional[int]:
    record = os.read(queue_r, _RECORD.size)
    return _RECORD.unpack(record)[0] if record else None
