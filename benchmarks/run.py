"""kubelint's benchmark: one command, everything measured side by side in one run.

    python benchmarks/run.py [--runs 5] [--kv-files 40]

Generates the corpus (benchmarks/generate.py; 5,000 documents in 1,000 files) if missing
(it is gitignored, so kubelint runs on it with --no-ignore),
then reports medians of several runs of: `python -c pass`, the import floor (a process that
imports kubelint's dependencies and exits), kubelint on one valid file, kubelint on the
corpus, and kubernetes-validate on the first --kv-files files of the same corpus (it manages
~60 documents/s, so the whole corpus would take minutes), with the ratios; and the cost of an ignored 10,000-file node_modules in a walk
(`--walk-only` for that figure alone).
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
KUBELINT = [os.path.join(os.path.dirname(PY), "kubelint")]


def _once(cmd, **kw):
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, **kw)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    return elapsed


def timed(cmd, runs, **kw):
    return statistics.median(_once(cmd, **kw) for _ in range(runs))


def interleaved(cmds, runs):
    """Medians of `runs` rounds, each round running every command once, so that a noisy
    neighbour slows all of them alike and the ratios stay fair."""
    times = [[] for _ in cmds]
    for _ in range(runs):
        for i, cmd in enumerate(cmds):
            times[i].append(_once(cmd))
    return [statistics.median(t) for t in times]


def count_docs(paths):
    """Documents as kubelint counts them (empty documents and List items aside)."""
    import json

    proc = subprocess.run(KUBELINT + ["check", "--no-ignore", "-f", "json", *paths], capture_output=True, cwd=ROOT)
    return json.loads(proc.stdout)["summary"]["documents"]


def ignored_walk(runs: int) -> None:
    """Issue 9's figure: a repository with a 10,000-file ignored node_modules costs under 10%
    over the same repository without it (the walk must not enter ignored folders)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        plain, heavy = os.path.join(tmp, "plain"), os.path.join(tmp, "heavy")
        for repo in (plain, heavy):
            shutil.copytree(CORPUS, os.path.join(repo, "deploy"))
            with open(os.path.join(repo, ".gitignore"), "w") as f:
                f.write("node_modules/\n")
        for i in range(500):  # 500 packages x 20 files
            pkg = os.path.join(heavy, "node_modules", f"pkg{i}")
            os.makedirs(os.path.join(pkg, "lib"))
            for j in range(20):
                name = "package.json" if j == 0 else os.path.join("lib", f"f{j}.yaml" if j % 2 else f"f{j}.js")
                with open(os.path.join(pkg, name), "w") as f:
                    f.write('{"name": "pkg"}\n' if j == 0 else "apiVersion: v1\nkind: ConfigMap\n")
        t_plain, t_heavy = interleaved([KUBELINT + ["check", "--jobs", "1", plain],
                                        KUBELINT + ["check", "--jobs", "1", heavy]], runs)
    extra = (t_heavy - t_plain) / t_plain * 100
    print(f"walk with an ignored 10,000-file node_modules: {t_heavy * 1000:.1f} ms vs "
          f"{t_plain * 1000:.1f} ms without it: {extra:+.1f}% "
          f"(target < 10%: {'met' if extra < 10 else 'MISSED'})")


FULL_SET = "ALL,security,reliability,pod-security"  # every rule there is


def rule_set_cost(runs: int) -> None:
    """The full rule set (every off-by-default rule, Pod Security for every pod) against the
    default set, --jobs 1, interleaved. The full set finds ~25x more on this corpus (its
    pods set no securityContext), and placing each finding costs more than finding it: the
    findings are counted and printed too."""
    import json

    def findings(select: str) -> int:
        proc = subprocess.run(KUBELINT + ["check", "--no-ignore", "-f", "json", "--jobs", "1", "--select", select, CORPUS],
                              capture_output=True, cwd=ROOT)
        return len(json.loads(proc.stdout)["findings"])

    default, full = interleaved([KUBELINT + ["check", "--no-ignore", "--jobs", "1", CORPUS],
                                 KUBELINT + ["check", "--no-ignore", "--jobs", "1", "--select", FULL_SET, CORPUS]], runs)
    print(f"rule set cost (--jobs 1): default {default * 1000:.0f} ms ({findings('ALL')} findings), "
          f"--select {FULL_SET} {full * 1000:.0f} ms ({findings(FULL_SET)} findings): "
          f"{(full / default - 1) * 100:+.0f}%")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--kv-files", type=int, default=40)
    ap.add_argument("--walk-only", action="store_true", help="only the ignored-folder walk figure")
    ap.add_argument("--rules-only", action="store_true", help="only the full-rule-set figure")
    a = ap.parse_args()
    if a.rules_only:
        if not os.path.isdir(CORPUS):
            sys.path.insert(0, HERE)
            from generate import generate

            generate(CORPUS)
        rule_set_cost(a.runs)
        return
    if a.walk_only:
        if not os.path.isdir(CORPUS):
            sys.path.insert(0, HERE)
            from generate import generate

            generate(CORPUS)
        ignored_walk(a.runs)
        return
    if not os.path.isdir(CORPUS):
        sys.path.insert(0, HERE)
        from generate import generate

        generate(CORPUS)
    files = sorted(os.path.join(CORPUS, f) for f in os.listdir(CORPUS))
    # An installed kubelint has compiled bytecode; a checkout run with
    # PYTHONDONTWRITEBYTECODE=1 would otherwise measure the compiler on every start.
    subprocess.run([PY, "-m", "compileall", "-q", os.path.join(ROOT, "kubelint")], check=True)
    subprocess.run(KUBELINT + ["check", "examples/pod.yaml"], cwd=ROOT, capture_output=True)  # warm the cache
    docs = count_docs([CORPUS])
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{platform.platform()}")
    print(f"corpus: {docs} documents in {len(files)} files; medians of {a.runs} runs\n")

    bare, floor, one = interleaved([[PY, "-c", "pass"],
                                     [PY, "-c", "import typer, _ruamel_yaml, jsonschema_rs"],
                                     KUBELINT + ["check", "examples/pod.yaml"]], a.runs * 6)
    corpus = timed(KUBELINT + ["check", "--no-ignore", CORPUS], a.runs)
    corpus1 = timed(KUBELINT + ["check", "--no-ignore", "--jobs", "1", CORPUS], a.runs)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    kv_files = files[: a.kv_files]
    kv_docs = count_docs(kv_files)
    kv_cmd = shutil.which("kubernetes-validate", path=os.path.dirname(PY))
    kv = None
    if kv_cmd:
        kv = timed([kv_cmd, "--strict", "--quiet", *kv_files], max(1, a.runs // 2))

    kubeconform = shutil.which("kubeconform")  # not on the package index; used when present
    kc = timed([kubeconform, "-strict", "-summary", CORPUS], a.runs) if kubeconform else None

    rows = [
        ("python -c pass", bare, "1.0x bare"),
        ("import floor (typer, ruamel C, jsonschema-rs)", floor, f"{floor / bare:.1f}x bare"),
        ("kubelint check examples/pod.yaml (one valid file)", one, f"{one / bare:.1f}x bare"),
        (f"kubelint check corpus ({docs} docs, --jobs {os.cpu_count()})", corpus, f"{docs / corpus:,.0f} docs/s"),
        (f"kubelint check --jobs 1 corpus ({docs} docs)", corpus1, f"{docs / corpus1:,.0f} docs/s"),
    ]
    if kc is not None:
        rows.append((f"kubeconform -strict corpus ({docs} docs)", kc, f"{docs / kc:,.0f} docs/s"))
    if kv is not None:
        rows.append((f"kubernetes-validate --strict ({kv_docs} docs)", kv, f"{kv_docs / kv:,.0f} docs/s"))
    width = max(len(r[0]) for r in rows)
    for name, secs, extra in rows:
        print(f"{name:<{width}}  {secs * 1000:9.1f} ms  {extra}")
    print()
    if kv is not None:
        print(f"kubelint / kubernetes-validate throughput: {(docs / corpus) / (kv_docs / kv):.0f}x")
    print(f"peak RSS of the largest child process: {peak_mb:.0f} MB")
    ignored_walk(a.runs)
    rule_set_cost(a.runs)
    print(f"targets: one file <= 10x bare: {'met' if one / bare <= 10 else 'MISSED'}; "
          f">= 4,000 docs/s with default --jobs: {'met' if docs / corpus >= 4000 else 'MISSED'}"
          + (f"; >= 60x kubernetes-validate: {'met' if (docs / corpus) / (kv_docs / kv) >= 60 else 'MISSED'}"
             if kv is not None else ""))


if __name__ == "__main__":
    main()
