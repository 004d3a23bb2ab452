"""parallel.run: --jobs N as this process plus N-1 forked children sharing one queue of tasks;
results in task order whoever computed them, failures re-raised, no child left behind."""

import os
import time

import pytest

from kubelint import parallel

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def _no_children_left():
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_results_come_back_in_order_from_several_processes():
    def work(i):
        time.sleep(0.002)  # long enough that every process gets some
        return (i * i, os.getpid())

    seen = []
    out = parallel.run(3, list(range(200)), work, lambda done, total: seen.append((done, total)))
    assert [v for v, _ in out] == [i * i for i in range(200)]
    assert len({pid for _, pid in out}) > 1 and os.getpid() in {pid for _, pid in out}
    assert seen[-1] == (200, 200) and all(a <= b for (a, _), (b, _) in zip(seen, seen[1:]))
    _no_children_left()


def test_a_failure_in_any_process_is_raised_and_children_are_reaped():
    def work(i):
        if i == 77:
            raise ValueError("task 77")
        time.sleep(0.001)
        return i

    with pytest.raises(ValueError, match="task 77"):
        parallel.run(2, list(range(150)), work)
    _no_children_left()


def test_an_unpicklable_failure_in_a_child_still_says_what_happened(tmp_path):
    class Local(Exception):  # defined in a function: pickle cannot send it back
        pass

    flag = tmp_path / "child-started"
    parent = os.getpid()

    def work(i):
        if os.getpid() != parent:
            flag.write_text("x")
            raise Local("only in a child")
        for _ in range(500):  # let the child take a task before this process takes them all
            if flag.exists():
                break
            time.sleep(0.01)
        return i

    with pytest.raises(parallel.WorkerError, match="Local: only in a child"):
        parallel.run(2, list(range(20)), work)
    _no_children_left()




def test_without_waiting_children_still_ending_are_reaped_later():
    """wait=False: run() returns once every result is in, without waiting for a child to
    end; reap() then leaves none behind, and a failure still reaps them all."""
    parent = os.getpid()

    def work(i):
        time.sleep(0.001)
        return i * 2

    real_exit = os._exit

    def slow_exit(code):  # a child that takes its time to end, as a large one does
        if os.getpid() != parent:
            time.sleep(0.3)
        real_exit(code)

    os._exit = slow_exit
    try:
        out = parallel.run(2, list(range(200)), work, wait=False)
    finally:
        os._exit = real_exit
    assert out == [i * 2 for i in range(200)]
    assert parallel._ENDING  # not waited for
    parallel.reap()
    assert not parallel._ENDING
    _no_children_left()
    with pytest.raises(ValueError, match="task 7"):
        parallel.run(2, list(range(50)), lambda i: (_ for _ in ()).throw(ValueError("task 7"))
                     if i == 7 else i, wait=False)
    _no_children_left()


@pytest.mark.parametrize("stream", [False, True])
def test_results_larger_than_the_pipe_stream_back_while_this_process_works(monkeypatch, stream):
    """Children send each chunk as it is done and this process reads between its own: 18 MB
    come back whole and in order, and children's results are in before this process's last
    task (not only once all is done); also as one pickle stream (its memo started again
    every 4 MB)."""
    parent = os.getpid()
    received = []  # results filled in each time this process read frames
    real = parallel._Child._frames

    def frames(self, chunks, results):
        at = real(self, chunks, results)
        received.append(sum(r is not None for r in results))
        return at

    monkeypatch.setattr(parallel._Child, "_frames", frames)
    before_last = []

    def work(i):
        time.sleep(0.001)
        if os.getpid() == parent:
            before_last.append(max(received, default=0))
        return (i, os.getpid(), bytes([i % 256]) * 60_000)

    out = parallel.run(2, list(range(300)), work, stream=stream)
    assert [(i, len(b), b[:1]) for i, _, b in out] == [(i, 60_000, bytes([i % 256])) for i in range(300)]
    assert len({pid for _, pid, _ in out}) == 2
    assert before_last[-1] > 0
    _no_children_left()


def test_first_tasks_are_done_before_the_fork_and_the_children_inherit_what_they_warmed():
    warmed = []

    def work(i):
        if not warmed:
            warmed.append(os.getpid())  # what a child inherits, set by the first task done
        time.sleep(0.002)
        return (i * 3, os.getpid(), tuple(warmed))

    first = [0, 5, 17]
    out = parallel.run(2, list(range(120)), work, first=first)
    assert [v for v, _, _ in out] == [i * 3 for i in range(120)]
    assert all(out[i][1] == os.getpid() for i in first)
    # every task, in a child or here, saw the state the primed tasks left (one warm-up)
    assert {w for _, _, w in out} == {(os.getpid(),)}
    assert len({pid for _, pid, _ in out}) > 1
    _no_children_left()


def test_the_files_linted_before_the_fork_each_add_a_kind(tmp_path, monkeypatch):
    from kubelint import engine
    from kubelint.discover import Source

    texts = ["kind: Service\n---\nkind: Deployment\n", "kind: Service\n",
             "apiVersion: v1\nkind: 'ConfigMap'\n", "kind: Deployment\n",
             "kind: Role\n" + "# padding\n" * 100, "kind: RoleBinding\n"]
    tasks = []
    for i, text in enumerate(texts):
        path = tmp_path / f"{i}.yaml"
        path.write_text(text)
        tasks.append((0, Source(str(path), str(path))))
    tasks.append((0, Source("<stdin>", None, raw=b"kind: Secret\n")))
    assert engine._warm_up(tasks) == [0, 2, 4, 5, 6]
    monkeypatch.setattr(engine, "WARM_BYTES", 200)  # the Role file is too large now
    assert engine._warm_up(tasks) == [0, 2, 5, 6]
    monkeypatch.setattr(engine, "WARM_FILES", 2)
    assert engine._warm_up(tasks) == [0, 2]



@pytest.mark.parametrize("text", [
    b"kind: Service\n", b"apiVersion: v1\nkind: 'ConfigMap'\n---\nkind: \"Secret\"\n",
    b"kind:Deployment\r\nkind:\tRole\r\n", b"  kind: Indented\nspec:\n  kind: Nested\n",
    b"\nkind: AfterEmptyLine\nkinds: Nope\n# kind: Comment\nkind: \n", b"kind", b"",
    b"metadata:\n  name: x\nkind: Last", b"kind: A\nkind: A\n\n\nkind: B-c\n"])
def test_the_kinds_of_a_file_are_those_of_its_lines_that_start_with_kind(text):
    import re

    from kubelint import engine

    assert engine._kinds_in(text) == set(re.findall(rb"^kind:[ \t]*[\"']?([A-Za-z0-9]+)", text, re.M))

def test_a_stream_sends_again_what_an_earlier_chunk_sent_as_a_reference(monkeypatch):
    """stream=True: one pickle memo from chunk to chunk (packing.StreamWriter), started again
    every STREAM_BYTES: results are equal, and a part that several chunks' results hold is
    read back as one object (not a copy per chunk) until the memo starts again."""
    from kubelint import packing

    monkeypatch.setattr(packing, "STREAM_BYTES", 2000)  # inherited by the child (fork)
    shared = {"app": "web", "tier": "db"}
    parent = os.getpid()

    def work(i):
        time.sleep(0.001)
        return (i, os.getpid(), shared, {"labels": shared, "n": [i] * 50})

    out = parallel.run(2, list(range(200)), work, stream=True)
    assert [(i, s, d) for i, _, s, d in out] == \
        [(i, shared, {"labels": shared, "n": [i] * 50}) for i in range(200)]
    sent = [r for r in out if r[1] != parent]
    assert len(sent) > 20
    assert all(r[2] is r[3]["labels"] for r in sent)
    copies = len({id(r[2]) for r in sent})
    assert 1 < copies < len(sent) // 4  # shared across chunks; a new memo now and then
    _no_children_left()


def test_an_unshared_stream_sends_equal_results_and_cycles_too():
    """share=False (whole objects: packing.StreamWriter in fast mode): results come back
    equal, the keys of packing.KEYS as those very strings; a result with a cycle (a recursive
    YAML alias), which fast mode cannot write, is sent with a memo instead of failing the
    run, and the stream goes on after it."""
    from kubelint import packing

    name = packing.KEYS[0]
    parent = os.getpid()

    def work(i):
        time.sleep(0.001)
        data = {name: f"n{i}", "spec": {"labels": {"app": "web"}, "n": [i] * 20}}
        if i % 5:
            data["self"] = data  # a cycle (most results: the child surely sends some)
        return (i, os.getpid(), data)

    out = parallel.run(2, list(range(200)), work, stream=True, share=False)
    assert [r[0] for r in out] == list(range(200))
    sent = [r for r in out if r[1] != parent]
    assert len(sent) > 20 and any(r[0] % 5 for r in sent) and any(r[0] % 5 == 0 for r in out)
    for i, _, data in out:
        assert data[name] == f"n{i}" and data["spec"] == {"labels": {"app": "web"}, "n": [i] * 20}
        assert next(iter(data)) is name
        assert (data.get("self") is data) == (i % 5 != 0)
    _no_children_left()


@pytest.mark.parametrize("stream", [False, True])
def test_children_send_what_sent_makes_and_this_process_reads_it_back(stream):
    """`sent` shapes what a child pickles (the engine: objects as plain tuples), `received`
    turns it back here; this process's own results are left as they are."""
    from kubelint.engine import FileOutcome, K8sObject, _outcome_received, _outcome_sent

    def work(i):
        time.sleep(0.001)
        obj = K8sObject(f"f{i}.yaml", 0, None, {"kind": "Service", "n": i}, "default")
        return FileOutcome(None, [], [], [obj, obj._replace(doc=1)], None, [obj], None, None), \
            os.getpid()

    shapes = []

    def sent(result):
        outcome, pid = result
        out = _outcome_sent(outcome)
        shapes.append({type(o) for o in out[3] + out[5]})
        return out, pid

    def received(result):
        outcome, pid = result
        return _outcome_received(outcome), pid

    out = parallel.run(2, list(range(120)), work, sent=sent, received=received, stream=stream)
    assert {pid for _, pid in out} - {os.getpid()}, "a child did some"
    assert shapes == []  # sent() ran in the children only
    for i, (outcome, _) in enumerate(out):
        assert outcome.objects == [K8sObject(f"f{i}.yaml", 0, None, {"kind": "Service", "n": i},
                                             "default"),
                                   K8sObject(f"f{i}.yaml", 1, None, {"kind": "Service", "n": i},
                                             "default")]
        assert all(type(o) is K8sObject for o in outcome.objects + outcome.deferred)
        assert outcome.objects[0].kind == "Service" and outcome.deferred[0].doc == 0
    _no_children_left()


def test_an_outcome_is_sent_with_plain_values_and_read_back_whole():
    """What a child pickles of an outcome is plain tuples, lists and bytes (no named tuple,
    no object pickled through its __getstate__, no array); read back it is the outcome."""
    import pickle
    from array import array

    from kubelint.engine import FileOutcome, K8sObject, _outcome_received, _outcome_sent
    from kubelint.model import FileReport
    from kubelint.suppress import parse_directives

    def state(outcome):
        return (outcome.report.__getstate__(),) + tuple(outcome[1:4]) + (
            [d.__getstate__() for d in outcome.directives.items],) + tuple(outcome[5:])

    obj = K8sObject("a.yaml", 2, 1, {"kind": "Pod"}, "ns", ("KL101",), False, b"x")
    directives = parse_directives("a: 1  # kubelint: disable=KL101\n")
    assert directives.items
    outcome = FileOutcome(FileReport("a.yaml", 3, 1), [], [], [obj], directives, [obj],
                          array("q", [0, 1, 0, 2, 5, 40, 99]), {(2, 1): {}})
    sent = _outcome_sent(outcome)
    assert type(sent) is tuple and type(sent[0]) is tuple and type(sent[3][0]) is tuple
    assert type(sent[4]) is list and type(sent[6]) is bytes
    back = _outcome_received(pickle.loads(pickle.dumps(sent)))
    assert type(back) is FileOutcome and type(back.objects[0]) is K8sObject
    assert type(back.report) is FileReport and type(back.lines) is array
    assert state(back) == state(outcome)
    empty = FileOutcome(None, [], [], [], None, [], None, None)
    assert _outcome_received(pickle.loads(pickle.dumps(_outcome_sent(empty)))) == empty



def test_a_child_sends_its_results_sooner_as_the_queue_drains(monkeypatch):
    """A child sends its results once it holds those of 1/_SHARE as many chunks as are left
    in the queue, and within the last _TAIL chunks chunk by chunk (not only once it has
    _FLUSH bytes): what this process reads and indexes alone at the end is at most the
    child's last chunk, and what it reads late is little."""
    parent = os.getpid()
    sends = [0]
    real = parallel._send

    def counting(fd, frames):
        sends[0] += 1  # (in the child: its own copy of the counter)
        real(fd, frames)

    monkeypatch.setattr(parallel, "_send", counting)
    n = 200

    def work(i):
        time.sleep(0.004 if os.getpid() == parent else 0.001)  # the child takes most tasks
        return (i, os.getpid() != parent, sends[0])

    out = parallel.run(2, list(range(n)), work)
    assert [i for i, _, _ in out] == list(range(n))
    mine = [(i, sent) for i, child, sent in out if child]
    assert len(mine) > n // 2
    # (small results: frames hold several chunks while the queue is long)
    assert len({sent for _, sent in mine}) < len(mine) // 3
    for (prev, before), (i, sent) in zip(mine, mine[1:]):
        pending = sum(1 for j, s in mine if j < i and s == sent)  # done, not sent yet
        left = n - 1 - prev  # in the queue when the previous chunk was done
        assert pending * parallel._SHARE < left, (i, pending, left)
        if prev >= n - parallel._TAIL:
            assert pending == 0 and sent == before + 1
