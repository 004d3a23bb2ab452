"""kubelint's benchmark: one command, everything measured side by side in one run.

    python benchmarks/run.py [--runs 5] [--kv-files 40]

Generates the corpus (benchmarks/generate.py; 5,000 documents in 1,000 files) if missing,
then reports medians of several runs of: `python -c pass`, the import floor (a process that
imports kubelint's dependencies and exits), kubelint on one valid file, kubelint on the
corpus, and kubernetes-validate on the first --kv-files files of the same corpus (it manages
~60 documents/s, so the whole corpus would take minutes), with the ratios.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(HERE, "corpus")
PY = sys.executable
KUBELINT = [PY, "-m", "kubelint.cli"]


def timed(cmd, runs, **kw):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, **kw)
        times.append(time.perf_counter() - start)
        if proc.returncode not in (0, 1):
            sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    return statistics.median(times)


def count_docs(paths):
    """Documents as kubelint counts them (empty documents and List items aside)."""
    import json

    proc = subprocess.run(KUBELINT + ["check", "-f", "json", *paths], capture_output=True, cwd=ROOT)
    return json.loads(proc.stdout)["summary"]["documents"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--kv-files", type=int, default=40)
    a = ap.parse_args()
    if not os.path.isdir(CORPUS):
        sys.path.insert(0, HERE)
        from generate import generate

        generate(CORPUS)
    files = sorted(os.path.join(CORPUS, f) for f in os.listdir(CORPUS))
    docs = count_docs([CORPUS])
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{platform.platform()}")
    print(f"corpus: {docs} documents in {len(files)} files; medians of {a.runs} runs\n")

    bare = timed([PY, "-c", "pass"], a.runs * 2)
    floor = timed([PY, "-c", "import typer, _ruamel_yaml, jsonschema_rs"], a.runs * 2)
    one = timed(KUBELINT + ["check", "examples/pod.yaml"], a.runs * 2)
    corpus = timed(KUBELINT + ["check", CORPUS], a.runs)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    kv_files = files[: a.kv_files]
    kv_docs = count_docs(kv_files)
    kv_cmd = shutil.which("kubernetes-validate", path=os.path.dirname(PY))
    kv = None
    if kv_cmd:
        kv = timed([kv_cmd, "--strict", "--quiet", *kv_files], max(1, a.runs // 2))

    rows = [
        ("python -c pass", bare, "1.0x bare"),
        ("import floor (typer, ruamel C, jsonschema-rs)", floor, f"{floor / bare:.1f}x bare"),
        ("kubelint check examples/pod.yaml (one valid file)", one, f"{one / bare:.1f}x bare"),
        (f"kubelint check corpus ({docs} docs)", corpus, f"{docs / corpus:,.0f} docs/s"),
    ]
    if kv is not None:
        rows.append((f"kubernetes-validate --strict ({kv_docs} docs)", kv, f"{kv_docs / kv:,.0f} docs/s"))
    width = max(len(r[0]) for r in rows)
    for name, secs, extra in rows:
        print(f"{name:<{width}}  {secs * 1000:9.1f} ms  {extra}")
    print()
    if kv is not None:
        print(f"kubelint / kubernetes-validate throughput: {(docs / corpus) / (kv_docs / kv):.0f}x")
    print(f"peak RSS of the largest child process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
