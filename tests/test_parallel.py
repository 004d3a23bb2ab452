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
