"""Language server latency, measured through the real server over stdio.

    python benchmarks/lsp_bench.py [--changes 60] [--starts 5]

- start-up: from spawning `kubelint lsp` to the first publishDiagnostics of a file opened
  right after `initialize` (median of --starts fresh processes);
- edit: a 50-document file (benchmarks/generate.py's kinds) is opened, then edited with full
  didChange notifications, one at a time; the time from writing each didChange to reading
  the publishDiagnostics of that version (median and 90th percentile, after 5 warm-up edits).
  Each edit flips one value, so the diagnostics alternate between two sets.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

from generate import configmap, deployment, service  # noqa: E402
from tests.lsp_client import LspClient, uri  # noqa: E402


def fifty_documents() -> str:
    r = random.Random(7)
    docs = []
    for i in range(50):
        make = (deployment, service, configmap)[i % 3]
        docs.append(make(i, r).strip("\n"))
    return "\n---\n".join(docs) + "\n"


def start_up(folder: str, text: str) -> float:
    path = os.path.join(folder, "fifty.yaml")
    client = LspClient(cwd=folder)
    start = client.started
    client.initialize(folder)
    client.open(path, text)
    at, _ = client.wait("textDocument/publishDiagnostics", lambda p: p["uri"] == uri(path))
    client.close()
    return at - start


def edits(folder: str, text: str, changes: int) -> list:
    path = os.path.join(folder, "fifty.yaml")
    client = LspClient(cwd=folder)
    client.initialize(folder)
    client.open(path, text)
    client.wait("textDocument/publishDiagnostics", lambda p: p["uri"] == uri(path))
    variants = [text, text.replace("replicas: ", "replicas: '", 1).replace("\n", "'\n", 0)]
    # flip one value: a replica count quoted (a KL010 finding) and back
    i = text.index("replicas: ")
    j = text.index("\n", i)
    variants[1] = text[:i] + 'replicas: "' + text[i + 10:j] + '"' + text[j:]
    times = []
    for n in range(changes + 5):
        version = n + 2
        body = variants[n % 2 == 0]
        sent = time.perf_counter()
        client.change(path, body, version)
        at, _ = client.wait("textDocument/publishDiagnostics",
                            lambda p: p["uri"] == uri(path) and p.get("version") == version)
        if n >= 5:
            times.append(at - sent)
    client.close()
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--changes", type=int, default=60)
    ap.add_argument("--starts", type=int, default=5)
    args = ap.parse_args()
    text = fifty_documents()
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "fifty.yaml"), "w") as f:
            f.write(text)
        starts = [start_up(folder, text) for _ in range(args.starts)]
        times = edits(folder, text, args.changes)
        # the same file through `kubelint check`, at the same time: a reference for the load
        checks = []
        for _ in range(args.starts):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "kubelint.cli", "check", "fifty.yaml"], cwd=folder,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            checks.append(time.perf_counter() - t)
    times.sort()
    p90 = times[int(len(times) * 0.9) - 1]
    print(f"documents in the edited file: {text.count(chr(10) + '---' + chr(10)) + 1}")
    print(f"start-up to first diagnostics: median {statistics.median(starts) * 1000:.0f} ms "
          f"(min {min(starts) * 1000:.0f}, max {max(starts) * 1000:.0f}; {len(starts)} starts)")
    print(f"didChange -> publishDiagnostics: median {statistics.median(times) * 1000:.1f} ms, "
          f"p90 {p90 * 1000:.1f} ms, min {times[0] * 1000:.1f} ms ({len(times)} edits)")
    print(f"reference: kubelint check of the same file: median {statistics.median(checks) * 1000:.0f} ms")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
