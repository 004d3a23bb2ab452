"""Nested .kubelint.yaml: each file uses the config nearest above it (like ruff, eslint), so
one file gets the same per-file findings from any working directory, -j, and stdin."""

import json
import os

from .conftest import EXAMPLES, kubelint

SERVICE = open(os.path.join(EXAMPLES, "service.yaml")).read()
BAD_NODEPORT = SERVICE.replace("nodePort: 30080", "nodePort: 8080")  # KL101 at 12:17


def findings(proc, cwd):
    """(path from the tree's root, line, column, severity, code) of the KL101 findings (the
    copies are also duplicates of each other: KL217, from the cross-object stage)."""
    assert proc.returncode in (0, 1), proc.stderr
    out = []
    for f in json.loads(proc.stdout)["findings"]:
        if f["code"] == "KL101":
            path = os.path.normpath(os.path.join(cwd, f["path"]))
            out.append((path, f["line"], f["column"], f["severity"], f["code"]))
    return sorted(out)


def tree(tmp_path, copies):
    """root config (plain), sub/ turns node-port into a warning, sub/quiet/ ignores it."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "sub" / "quiet").mkdir(parents=True)
    (root / ".kubelint.yaml").write_text("strict: true\n")
    (root / "sub" / ".kubelint.yaml").write_text("rules:\n  node-port: {severity: warning}\n")
    (root / "sub" / "quiet" / ".kubelint.yaml").write_text("ignore: [node-port]\n")
    for i in range(copies):
        (root / f"a{i:02}.yaml").write_text(BAD_NODEPORT)
        (root / "sub" / f"b{i:02}.yaml").write_text(BAD_NODEPORT)
    (root / "sub" / "quiet" / "c.yaml").write_text(BAD_NODEPORT)
    return root


def expected(root, copies, top=True):
    out = [(str(root / "sub" / f"b{i:02}.yaml"), 12, 17, "warning", "KL101") for i in range(copies)]
    if top:
        out += [(str(root / f"a{i:02}.yaml"), 12, 17, "error", "KL101") for i in range(copies)]
    return sorted(out)


def test_each_file_uses_its_nearest_config_from_any_directory_and_jobs(tmp_path):
    copies = 25  # 51 files: enough for -j 2 to use worker processes
    root = tree(tmp_path, copies)
    want = expected(root, copies)
    one = kubelint("check", "-f", "json", "-j", "1", ".", cwd=root)
    two = kubelint("check", "-f", "json", "-j", "2", ".", cwd=root)
    assert findings(one, str(root)) == want
    assert json.loads(one.stdout)["findings"] == json.loads(two.stdout)["findings"]
    sub = root / "sub"
    # from inside the subfolder, the walk of `.` and of the parent give the same per-file answer
    assert findings(kubelint("check", "-f", "json", ".", cwd=sub), str(sub)) == expected(root, copies, top=False)
    assert findings(kubelint("check", "-f", "json", "-j", "2", "..", cwd=sub), str(sub)) == want
    # named files from elsewhere: each still gets its own folder's config
    proc = kubelint("check", "-f", "json", str(root / "a00.yaml"), str(sub / "b00.yaml"),
                    str(sub / "quiet" / "c.yaml"), cwd=tmp_path)
    assert findings(proc, str(tmp_path)) == [
        (str(root / "a00.yaml"), 12, 17, "error", "KL101"),
        (str(sub / "b00.yaml"), 12, 17, "warning", "KL101")]
    # pre-commit's hook: the whole tree as context, findings of the passed files only
    proc = kubelint("check", "-f", "json", "--context", ".", "sub/b01.yaml", "a01.yaml", cwd=root)
    assert findings(proc, str(root)) == [(str(root / "a01.yaml"), 12, 17, "error", "KL101"),
                                         (str(sub / "b01.yaml"), 12, 17, "warning", "KL101")]
    # command-line flags still win over every config
    assert findings(kubelint("check", "-f", "json", "--ignore", "node-port", ".", cwd=root), str(root)) == []
    # the per-file result cache is keyed by each file's own config: editing it takes effect
    (sub / ".kubelint.yaml").write_text("ignore: [node-port]\n")
    proc = kubelint("check", "-f", "json", "-j", "2", ".", cwd=root)
    assert findings(proc, str(root)) == [f for f in expected(root, copies) if f[3] == "error"]


def test_stdin_uses_the_config_nearest_the_stdin_filename(tmp_path):
    root = tree(tmp_path, 1)
    # with another path, the run's root config is the repository's; the buffer still gets sub/'s
    proc = kubelint("check", "-f", "json", "--stdin-filename", "sub/quiet/x.yaml", "-", "a00.yaml",
                    input=BAD_NODEPORT.encode(), cwd=root)
    assert findings(proc, str(root)) == [(str(root / "a00.yaml"), 12, 17, "error", "KL101")]
    proc = kubelint("check", "-f", "json", "--stdin-filename", str(root / "sub" / "x.yaml"), "-",
                    str(root / "a00.yaml"), input=BAD_NODEPORT.encode(), cwd=tmp_path)
    assert findings(proc, str(tmp_path)) == [(str(root / "a00.yaml"), 12, 17, "error", "KL101"),
                                             (str(root / "sub" / "x.yaml"), 12, 17, "warning", "KL101")]


def test_a_broken_nested_config_is_a_usage_error(tmp_path):
    root = tree(tmp_path, 1)
    (root / "sub" / ".kubelint.yaml").write_text("ignore: [KL999]\n")
    proc = kubelint("check", ".", cwd=root)
    assert proc.returncode == 2
    assert "sub/.kubelint.yaml:1:10: unknown rule or prefix `KL999`" in proc.stderr.decode()
    assert b"Traceback" not in proc.stderr
    # --config: that one file for everything, nested configs not read
    proc = kubelint("check", "-f", "json", "--config", str(root / ".kubelint.yaml"), ".", cwd=root)
    assert proc.returncode == 1
    assert len(findings(proc, str(root))) == 3


def test_each_file_gets_the_config_of_its_absolute_folder_however_its_path_is_written(
        tmp_path, monkeypatch):
    """The nearest config is remembered per folder as written: files named with ./, .., or
    a folder's name for a path, get what nearest() gives for each file's absolute folder."""
    from kubelint.config import nearest
    from kubelint.engine import Linter, Settings, Source, _per_config

    root = tree(tmp_path, 2)
    monkeypatch.chdir(root / "sub")
    names = ["b00.yaml", "./b01.yaml", "../a00.yaml", "quiet/c.yaml", "quiet/../b00.yaml",
             "quiet/..", "quiet/.", "quiet/", "quiet/c.yaml/..", "../sub/quiet/c.yaml",
             "x/../../a01.yaml", "quiet/c.yaml", "b00.yaml", str(root / "a00.yaml"), "quiet/."]
    made = []

    def nested(path):
        made.append(path)
        return Settings(jobs=1)

    settings = Settings(jobs=1)
    settings.for_config = nested
    kept, choice, linters = _per_config(Linter(settings), [Source(n, n) for n in names])
    assert len(kept) == len(names) and len(linters) == len(made) + 1
    want = [nearest(os.path.dirname(os.path.abspath(n)), {}) for n in names]
    assert [made[i - 1] for i in choice] == want
    assert {os.path.basename(os.path.dirname(w)) for w in want} == {"repo", "sub", "quiet"}
