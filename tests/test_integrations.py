"""Where users meet kubelint: SARIF, GitHub annotations, JUnit, GitLab, the terminal,
editors (VS Code's problem matcher, vim's errorformat) and pre-commit, each checked against
the real consumer where one runs here."""

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from kubelint.formatters.github import escape_data, escape_property

from .conftest import ROOT, kubelint

INPUTS = ["tests/fixtures/multi.yaml", "tests/fixtures/list.yaml",
          "tests/fixtures/seed-unlabelled.yaml", "tests/fixtures/clean.yaml"]


def normalise(text):
    return re.sub(r"\([0-9.]+s\)$", "(TIME)", text.replace(ROOT, "ROOT"), flags=re.M)


@pytest.mark.parametrize("fmt", ["sarif", "github", "junit", "gitlab"])
def test_golden_reports(fmt):
    proc = kubelint("check", "-f", fmt, *INPUTS)
    assert proc.returncode == 1
    with open(os.path.join(ROOT, "tests", "golden", f"report.{fmt}")) as f:
        assert normalise(proc.stdout.decode()) == f.read(), \
            "output changed: if intended, run `python tests/update_golden.py` and review the diff"


def test_sarif_is_valid_against_the_official_schema():
    with open(os.path.join(ROOT, "tests", "sarif-schema-2.1.0.json")) as f:
        schema = json.load(f)
    proc = kubelint("check", "-f", "sarif", *INPUTS)
    doc = json.loads(proc.stdout)
    jsonschema.Draft4Validator.check_schema(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in jsonschema.Draft4Validator(schema).iter_errors(doc)]
    assert errors == []
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert run["columnKind"] == "unicodeCodePoints" and run["automationDetails"]["id"] == "kubelint/"
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not loc["artifactLocation"]["uri"].startswith("/")
        assert set(loc["region"]) == {"startLine", "startColumn", "endLine", "endColumn"}
        assert len(res["partialFingerprints"]["kubelint/v1"]) == 32
    related = [r for r in run["results"] if r["ruleId"] == "KL201"][0]["relatedLocations"]
    assert related[0]["physicalLocation"]["region"]["startLine"] == 4
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["help"]["markdown"]
        assert len(rule["properties"]["tags"]) <= 20


def test_sarif_result_cap(monkeypatch):
    from kubelint.engine import Result
    from kubelint.formatters import RenderContext
    from kubelint.formatters import sarif
    from kubelint.model import Finding, Severity, Span
    from kubelint.registry import Registry

    rules = Registry.load().rules
    monkeypatch.setattr(sarif, "MAX_RESULTS", 3)
    findings = [Finding("KL010", "schema", Severity.WARNING if i % 2 else Severity.ERROR, f"m{i}", "a.yaml",
                        Span(i + 1, 1, i + 1, 2)) for i in range(6)]
    doc = json.loads(sarif.render(Result(findings, [], [], [], rules), RenderContext("1.37")))
    run = doc["runs"][0]
    assert [r["level"] for r in run["results"]] == ["error"] * 3
    assert "3 of 6 findings left out" in run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]


def test_github_escaping_follows_actions_toolkit():
    assert escape_data("100% sure\r\nnext") == "100%25 sure%0D%0Anext"
    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"


def test_github_annotations_with_awkward_paths(tmp_path):
    """Commas, colons, percent signs in the path; a newline in the message (the hint)."""
    name = "we,ird:100%.yaml"
    (tmp_path / name).write_text("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: Nodeport\n  ports: [{port: 80}]\n")
    summary = tmp_path / "summary.md"
    proc = kubelint("check", name, cwd=tmp_path,
                    env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)})
    assert proc.returncode == 1
    lines = proc.stdout.decode().splitlines()
    assert lines[0] == ("::error file=we%2Cird%3A100%25.yaml,line=5,col=9,endLine=5,endColumn=17,"
                        "title=KL103 service-type::spec.type: unsupported value \"Nodeport\": supported "
                        "values: \"ClusterIP\", \"NodePort\", \"LoadBalancer\", \"ExternalName\"; did you "
                        "mean \"NodePort\"?")
    assert lines[1].startswith("we,ird:100%.yaml:5:9: error:")  # the plain line too
    text = summary.read_text()
    assert text.startswith("### kubelint\n") and "| `we,ird:100%.yaml:5:9` | error | KL103 service-type |" in text


def test_junit_is_well_formed_and_counts_every_file():
    proc = kubelint("check", "-f", "junit", *INPUTS)
    root = ET.fromstring(proc.stdout)
    suite = root.find("testsuite")
    assert suite.get("tests") == "4" and suite.get("failures") == "3"
    assert [c.get("name") for c in suite.findall("testcase")] == INPUTS


def test_gitlab_code_quality_fields():
    doc = json.loads(kubelint("check", "-f", "gitlab", *INPUTS).stdout)
    for issue in doc:
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert isinstance(issue["location"]["lines"]["begin"], int)
    assert len({i["fingerprint"] for i in doc}) == len(doc)


def test_several_formats_in_one_run(tmp_path):
    sarif_file = tmp_path / "k.sarif"
    proc = kubelint("check", "--format", "sarif", "--output", str(sarif_file), "--format", "text", *INPUTS)
    assert proc.returncode == 1
    assert json.loads(sarif_file.read_text())["version"] == "2.1.0"
    assert proc.stdout.decode().splitlines()[-1].startswith("4 files, 8 objects:")
    proc = kubelint("check", "-f", "json", "-f", "text", *INPUTS)
    assert proc.returncode == 2 and "stdout" in proc.stderr.decode()


def _tty_run(args, env=None):
    """Run kubelint with stdout and stderr on a pseudo-terminal; returns what it printed."""
    import pty

    master, slave = pty.openpty()
    full_env = dict(os.environ, COLUMNS="200", **(env or {}))
    full_env.pop("NO_COLOR", None) if "NO_COLOR" not in (env or {}) else None
    proc = subprocess.Popen([sys.executable, "-m", "kubelint.cli", *args], stdout=slave,
                            stderr=slave, cwd=ROOT, env=full_env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait()
    os.close(master)
    return proc.returncode, b"".join(chunks).decode()


def test_terminal_shows_source_caret_and_colour():
    code, text = _tty_run(["check", "tests/fixtures/list.yaml"])
    assert code == 1
    assert "\x1b[1;31merror\x1b[0m" in text
    assert "   14 |         - port: \"80\"" in text
    assert "      |" + " " * 17 + "^^^^" in text


def test_no_color_on_a_terminal():
    code, text = _tty_run(["check", "tests/fixtures/list.yaml"], env={"NO_COLOR": "1"})
    assert code == 1 and "\x1b[" not in text
    assert "      |" + " " * 17 + "^^^^" in text  # still the rich view: it is a terminal


def test_progress_only_for_long_runs_on_a_terminal(tmp_path):
    for i in range(210):
        (tmp_path / f"m{i:03d}.yaml").write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n")
    code, text = _tty_run(["check", str(tmp_path)])
    assert code == 0 and "linting 210/210 files" in text
    proc = kubelint("check", str(tmp_path))  # not a terminal: no progress
    assert b"linting" not in proc.stdout + proc.stderr


VSCODE_MATCHER = r"^(.*):(\d+):(\d+):\s+(error|warning|info):\s+(.*)$"


def test_vscode_problem_matcher_regex_matches_real_output():
    """The regex of the README's VS Code task, against real output."""
    readme = open(os.path.join(ROOT, "README.md")).read()
    assert json.dumps(VSCODE_MATCHER)[1:-1] in readme
    lines = kubelint("check", *INPUTS).stdout.decode().splitlines()
    matched = [re.match(VSCODE_MATCHER, line) for line in lines]
    hits = [m.groups() for m in matched if m]
    assert len(hits) == 6
    assert hits[0][:4] == ("tests/fixtures/list.yaml", "14", "17", "error")
    assert hits[0][4].endswith("[KL010 schema]")


VIM_EFM = r"%f:%l:%c: %trror: %m,%f:%l:%c: %tarning: %m,%f:%l:%c: %tnfo: %m,%-G%.%#"


@pytest.mark.skipif(shutil.which("vim") is None, reason="vim is not installed")
def test_vim_errorformat_reads_real_output(tmp_path):
    readme = open(os.path.join(ROOT, "README.md")).read()
    assert VIM_EFM.replace(" ", "\\ ") in readme
    report = tmp_path / "out.txt"
    report.write_bytes(kubelint("check", *INPUTS).stdout)
    qf = tmp_path / "qf.txt"
    efm = VIM_EFM.replace(" ", "\\ ")
    subprocess.run(["vim", "-Nu", "NONE", "-i", "NONE", "-es", "-c", f"set errorformat={efm}",
                    "-c", f"cgetfile {report}", "-c", f"redir! > {qf}", "-c", "silent clist",
                    "-c", "redir END", "-c", "qa!"], cwd=ROOT, check=False, timeout=30)
    entries = [l for l in qf.read_text().splitlines() if l.strip()]
    assert len(entries) == 6
    assert re.search(r"tests/fixtures/list.yaml:14 col 17 error: spec.ports\[0\].port", entries[0])
    assert re.search(r"seed-unlabelled.yaml:17 col 3 warning: Service selector", entries[-1])


def _git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env=dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@e", GIT_COMMITTER_NAME="t",
                            GIT_COMMITTER_EMAIL="t@e"))


@pytest.mark.network
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_pre_commit_hooks_through_real_pre_commit(tmp_path):
    """Real `pre-commit try-repo` against this repository: the seed's unlabelled Pod and its
    Service fail both hooks with the finding in the output; the labelled pair passes."""
    pre_commit = shutil.which("pre-commit", path=os.path.dirname(sys.executable)) or shutil.which("pre-commit")
    if pre_commit is None:
        pytest.skip("pre-commit is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    pod = open(os.path.join(ROOT, "examples", "pod.yaml")).read()
    unlabelled = pod.replace("  labels:\n    app: sample-node-app\n", "")
    (repo / "pod.yaml").write_text(unlabelled)
    (repo / "service.yaml").write_text(open(os.path.join(ROOT, "examples", "service.yaml")).read())
    _git(repo, "add", ".")
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "cache"))
    for hook in ("kubelint", "kubelint-project"):
        proc = subprocess.run([pre_commit, "try-repo", ROOT, hook, "--all-files"], cwd=repo,
                              capture_output=True, env=env, timeout=600)
        out = proc.stdout.decode() + proc.stderr.decode()
        assert proc.returncode == 1, out
        assert "service.yaml:7:3: warning: Service selector app=sample-node-app matches no Pod" in out
    (repo / "pod.yaml").write_text(pod)
    _git(repo, "add", ".")
    for hook in ("kubelint", "kubelint-project"):
        proc = subprocess.run([pre_commit, "try-repo", ROOT, hook, "--all-files"], cwd=repo,
                              capture_output=True, env=env, timeout=600)
        assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
