"""kubelint's benchmark: every goal of issue 14 measured side by side in one run.

    python benchmarks/run.py [--runs 5] [--big-runs 3] [--kv-files 40] [--skip-big]
                             [--walk-only] [--rules-only]

Generates (benchmarks/generate.py, deterministic) a corpus of 5,000 documents in 1,000 files,
one of 50,000 documents in 1,000 files, and one 20 MB file of small Deployments, then reports
medians of interleaved runs (each round runs every command once, so a noisy neighbour slows
them alike): wall time, CPU time (user + system of the process and its workers) and peak RSS
(of the largest process). kubeconform is included when it is on PATH (it is not on the package
index): it validates against the very schemas kubelint uses, written in its layout by
benchmarks/kubeconform_schemas.py. kubernetes-validate runs on the first --kv-files files
(it manages ~60 documents/s). Throughput runs use --no-cache; the warm/cold pair uses the
per-file result cache (cold: its results folder emptied before the run). Then the cost of an
ignored 10,000-file node_modules in a walk (issue 9; `--walk-only`) and of the full rule set
against the default one (`--rules-only`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(HERE, "corpus")
BIG = os.path.join(HERE, "corpus-50k")
ONE = os.path.join(HERE, "one-20mb.yaml")
KC_SCHEMAS = os.path.join(HERE, "kubeconform-schemas")
PY = sys.executable
# --no-ignore: the generated corpora live in git-ignored folders of this checkout
KUBELINT = [os.path.join(os.path.dirname(PY), "kubelint")]
CHECK = ["check", "--no-ignore"]
POD = os.path.join(ROOT, "examples", "pod.yaml")
JOBS = os.cpu_count() or 1


class Sample:
    def __init__(self) -> None:
        self.wall: list = []
        self.cpu: list = []
        self.rss: list = []

    @property
    def w(self) -> float:
        return statistics.median(self.wall)

    @property
    def c(self) -> float:
        return statistics.median(self.cpu)

    @property
    def mb(self) -> float:
        return max(self.rss)


def _once(cmd, sample: Sample, env=None, before=None) -> None:
    if before is not None:
        before()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT,
                            env=env)
    err = proc.stderr.read()
    _, status, ru = os.wait4(proc.pid, 0)
    sample.wall.append(time.perf_counter() - start)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {err.decode()[-500:]}")
    # wait4 counts the process and the workers it reaped; ru_maxrss is the largest of them
    sample.cpu.append(ru.ru_utime + ru.ru_stime)
    sample.rss.append(ru.ru_maxrss / 1024)


def interleaved(cmds, runs):
    """cmds: {name: (cmd, env, before)} -> {name: Sample}."""
    out = {name: Sample() for name in cmds}
    for _ in range(runs):
        for name, (cmd, env, before) in cmds.items():
            _once(cmd, out[name], env, before)
    return out


def count_docs(paths):
    proc = subprocess.run(KUBELINT + CHECK + ["--no-cache", "-f", "json", *paths],
                          capture_output=True, cwd=ROOT)
    return json.loads(proc.stdout)["summary"]["documents"]


def medians(cmds, runs):
    """Medians of the wall times of `runs` interleaved rounds of `cmds` (a list)."""
    found = interleaved({i: (cmd, None, None) for i, cmd in enumerate(cmds)}, runs)
    return [found[i].w for i in range(len(cmds))]


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
        t_plain, t_heavy = medians([KUBELINT + ["check", "--jobs", "1", plain],
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

    # --no-cache: with the per-file result cache a warm default run would only redo the
    # cross-object stage, and the comparison would measure the cache, not the rules
    base = KUBELINT + ["check", "--no-cache", "--no-ignore", "--jobs", "1"]
    load = os.getloadavg()[0]
    got = interleaved({"default": (base + [CORPUS], None, None),
                       "full": (base + ["--select", FULL_SET, CORPUS], None, None)}, runs)
    d, f = got["default"], got["full"]
    print(f"rule set cost (--jobs 1, {runs} interleaved rounds, load {load:.1f}): default "
          f"{findings('ALL')} findings, --select {FULL_SET} {findings(FULL_SET)} findings; "
          f"wall median {d.w * 1000:.0f} vs {f.w * 1000:.0f} ms: {(f.w / d.w - 1) * 100:+.0f}%; "
          f"CPU median {d.c * 1000:.0f} vs {f.c * 1000:.0f} ms: {(f.c / d.c - 1) * 100:+.0f}%; "
          f"CPU min {min(d.cpu) * 1000:.0f} vs {min(f.cpu) * 1000:.0f} ms: "
          f"{(min(f.cpu) / min(d.cpu) - 1) * 100:+.0f}%")


def _prepare(skip_big: bool) -> None:
    sys.path.insert(0, HERE)
    from generate import generate, one_file

    if not os.path.isdir(CORPUS):
        generate(CORPUS)
    if not skip_big and not os.path.isdir(BIG):
        generate(BIG, documents=50000, files=1000)
    if not skip_big and not os.path.exists(ONE):
        one_file(ONE)


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5, help="rounds for the small measurements")
    ap.add_argument("--big-runs", type=int, default=3, help="rounds for 50,000 docs / 20 MB")
    ap.add_argument("--kv-files", type=int, default=40)
    ap.add_argument("--skip-big", action="store_true", help="only the 5,000-document corpus")
    ap.add_argument("--walk-only", action="store_true", help="only the ignored-folder walk figure")
    ap.add_argument("--rules-only", action="store_true", help="only the full-rule-set figure")
    a = ap.parse_args()
    _prepare(a.skip_big or a.walk_only or a.rules_only)
    # An installed kubelint has compiled bytecode; a checkout run with
    # PYTHONDONTWRITEBYTECODE=1 would otherwise measure the compiler on every start (for
    # --rules-only too: ~900 M instructions in both sets, which hid a part of the difference)
    subprocess.run([PY, "-m", "compileall", "-q", os.path.join(ROOT, "kubelint")], check=True)
    if a.rules_only or a.walk_only:
        (rule_set_cost if a.rules_only else ignored_walk)(a.runs)
        return
    cache_dir = tempfile.mkdtemp(prefix="kubelint-bench-cache-")
    env = dict(os.environ, KUBELINT_CACHE_DIR=cache_dir)
    env.pop("KUBELINT_NO_CACHE", None)
    subprocess.run(KUBELINT + CHECK + ["--no-cache", POD], cwd=ROOT, env=env, capture_output=True)
    docs = count_docs([CORPUS])
    big_docs = count_docs([BIG]) if not a.skip_big else 0
    one_docs = count_docs([ONE]) if not a.skip_big else 0

    kubeconform = shutil.which("kubeconform")
    kc = None
    if kubeconform:
        sys.path.insert(0, HERE)
        from kubeconform_schemas import write

        from kubelint import k8s_schema

        write(KC_SCHEMAS, k8s_schema.latest_version())
        kc = [kubeconform, "-strict", "-summary", "-schema-location",
              os.path.join(KC_SCHEMAS, "{{.ResourceKind}}{{.KindSuffix}}.json")]

    print(f"machine: {platform.machine()}, {JOBS} CPUs, Python {platform.python_version()}, "
          f"{platform.platform()}")
    print(f"load average (1/5/15 min) at start: {_load()}")
    print(f"corpora: {docs:,} documents in {len(os.listdir(CORPUS)):,} files" +
          (f"; {big_docs:,} documents in {len(os.listdir(BIG)):,} files; one 20 MB file of "
           f"{one_docs:,} documents" if not a.skip_big else ""))
    print(f"kubeconform: {kubeconform or 'not on PATH (figures without it)'}")
    print(f"medians of {a.runs} interleaved rounds ({a.big_runs} for the large inputs); CPU = "
          "user + system of the process and its workers; RSS = largest process\n")

    nc = CHECK + ["--no-cache"]
    small = {
        "python -c pass": ([PY, "-c", "pass"], env, None),
        "kubelint one file": (KUBELINT + nc + [POD], env, None),
        "kubelint 5k": (KUBELINT + nc + [CORPUS], env, None),
        "kubelint 5k -j1": (KUBELINT + nc + ["--jobs", "1", CORPUS], env, None),
    }
    if kc:
        small["kubeconform one file"] = (kc + [POD], env, None)
        small["kubeconform 5k"] = (kc + [CORPUS], env, None)
    s = interleaved(small, a.runs)

    def empty_results() -> None:
        shutil.rmtree(os.path.join(cache_dir, "results"), ignore_errors=True)

    warm = interleaved({"cold": (KUBELINT + CHECK + [CORPUS], env, empty_results),
                        "warm": (KUBELINT + CHECK + [CORPUS], env, None)}, a.runs)

    b = {}
    if not a.skip_big:
        big = {"kubelint 50k": (KUBELINT + nc + [BIG], env, None),
               "kubelint 50k -j1": (KUBELINT + nc + ["--jobs", "1", BIG], env, None),
               "kubelint 20MB": (KUBELINT + nc + [ONE], env, None)}
        if kc:
            big["kubeconform 50k"] = (kc + [BIG], env, None)
            big["kubeconform 20MB"] = (kc + [ONE], env, None)
        b = interleaved(big, a.big_runs)

    kv = None
    kv_cmd = shutil.which("kubernetes-validate", path=os.path.dirname(PY))
    if kv_cmd and a.kv_files:
        files = sorted(os.path.join(CORPUS, f) for f in os.listdir(CORPUS))[: a.kv_files]
        kv_docs = count_docs(files)
        kv = interleaved({"kv": ([kv_cmd, "--strict", "--quiet", *files], env, None)},
                         max(1, a.runs // 2))["kv"]

    rows = []

    def row(name, sample, n=None, per_cpu=False):
        extra = ""
        if n:
            extra = f"{n / sample.w:9,.0f} docs/s  {n / sample.c:9,.0f} docs/CPU-s"
        rows.append((name, f"{sample.w * 1000:9.0f} ms", f"{sample.c * 1000:9.0f} ms",
                     f"{sample.mb:6.0f} MB", extra))

    row("python -c pass", s["python -c pass"])
    row("kubelint check examples/pod.yaml", s["kubelint one file"])
    if kc:
        row("kubeconform examples/pod.yaml", s["kubeconform one file"])
    row(f"kubelint {docs:,} docs (--jobs {JOBS})", s["kubelint 5k"], docs)
    row(f"kubelint {docs:,} docs (--jobs 1)", s["kubelint 5k -j1"], docs)
    if kc:
        row(f"kubeconform {docs:,} docs", s["kubeconform 5k"], docs)
    row(f"kubelint {docs:,} docs, cold result cache", warm["cold"], docs)
    row(f"kubelint {docs:,} docs, warm result cache", warm["warm"], docs)
    if b:
        row(f"kubelint {big_docs:,} docs (--jobs {JOBS})", b["kubelint 50k"], big_docs)
        row(f"kubelint {big_docs:,} docs (--jobs 1)", b["kubelint 50k -j1"], big_docs)
        if kc:
            row(f"kubeconform {big_docs:,} docs", b["kubeconform 50k"], big_docs)
        row(f"kubelint one 20 MB file ({one_docs:,} docs)", b["kubelint 20MB"], one_docs)
        if kc:
            row(f"kubeconform one 20 MB file", b["kubeconform 20MB"], one_docs)
    if kv is not None:
        row(f"kubernetes-validate --strict ({kv_docs} docs)", kv, kv_docs)
    width = max(len(r[0]) for r in rows)
    print(f"{'':<{width}}  {'wall':>12}  {'CPU':>12}  {'RSS':>9}")
    for r in rows:
        print(f"{r[0]:<{width}}  {r[1]:>12}  {r[2]:>12}  {r[3]:>9}  {r[4]}")

    print(f"\nload average at end: {_load()}\n\ngoals (issue 14):")
    goals = []

    def goal(text, ok):
        goals.append(ok)
        print(f"  {_verdict(ok):6}  {text}")

    k5, k5j1 = s["kubelint 5k"], s["kubelint 5k -j1"]
    if kc:
        c5 = s["kubeconform 5k"]
        goal(f"throughput {docs:,} docs, default jobs: {c5.w / k5.w:.2f}x kubeconform's docs/s "
             "(goal >= 2x)", c5.w / k5.w >= 2)
        goal(f"per CPU-second {docs:,} docs, --jobs 1: {c5.c / k5j1.c:.2f}x kubeconform's "
             "(goal >= 1x)", c5.c / k5j1.c >= 1)
        if b:
            c50, k50, k50j1 = b["kubeconform 50k"], b["kubelint 50k"], b["kubelint 50k -j1"]
            goal(f"throughput {big_docs:,} docs, default jobs: {c50.w / k50.w:.2f}x kubeconform's "
                 "docs/s (goal >= 2x)", c50.w / k50.w >= 2)
            goal(f"per CPU-second {big_docs:,} docs, --jobs 1: {c50.c / k50j1.c:.2f}x "
                 "kubeconform's (goal >= 1x)", c50.c / k50j1.c >= 1)
        one, kc_one = s["kubelint one file"], s["kubeconform one file"]
        goal(f"one valid file: {one.w / kc_one.w:.2f}x kubeconform's wall time (goal <= 2x)",
             one.w / kc_one.w <= 2)
    else:
        print("  (no kubeconform on PATH: the kubeconform-relative goals are not measured)")
    if b:
        k50j1 = b["kubelint 50k -j1"]
        per5, per50 = k5j1.c / docs, k50j1.c / big_docs
        goal(f"linear: CPU per document {per5 * 1e6:.0f} us at {docs:,}, {per50 * 1e6:.0f} us at "
             f"{big_docs:,} (--jobs 1): {per50 / per5 - 1:+.0%} (goal: at most 15% more per "
             "document; less means fixed costs -- start-up, schema compiles -- spread thinner)",
             per50 / per5 - 1 <= 0.15)
        per5w, per50w = k5.w / docs, b["kubelint 50k"].w / big_docs
        print(f"          (wall per document, default jobs: {per5w * 1e6:.0f} us and "
              f"{per50w * 1e6:.0f} us: {per50w / per5w - 1:+.0%})")
        goal(f"memory: peak RSS {b['kubelint 50k -j1'].mb:.0f} MB for {big_docs:,} docs in "
             f"{len(os.listdir(BIG)):,} files with --jobs 1, largest process {b['kubelint 50k'].mb:.0f} MB with --jobs "
             f"{JOBS} (goal < 150 MB)", max(b["kubelint 50k -j1"].mb, b["kubelint 50k"].mb) < 150)
        goal(f"memory: peak RSS {b['kubelint 20MB'].mb:.0f} MB for one 20 MB file, "
             f"{b['kubelint 20MB'].w:.1f} s (goal < 300 MB)", b["kubelint 20MB"].mb < 300)
    ratio = warm["warm"].w / warm["cold"].w
    goal(f"warm runs: {warm['warm'].w * 1000:.0f} ms warm / {warm['cold'].w * 1000:.0f} ms cold "
         f"on {docs:,} docs = {ratio:.0%} (goal <= 25%)", ratio <= 0.25)
    if kv is not None:
        print(f"\nkubelint / kubernetes-validate throughput: {(docs / k5.w) / (kv_docs / kv.w):.0f}x")
    shutil.rmtree(cache_dir, ignore_errors=True)
    print()
    ignored_walk(a.runs)
    rule_set_cost(a.runs)


if __name__ == "__main__":
    main()
