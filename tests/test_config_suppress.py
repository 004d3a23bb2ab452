"""Configuration (.kubelint.yaml) and the three suppression forms."""

import json
import os

from .conftest import EXAMPLES, kubelint

SERVICE = open(os.path.join(EXAMPLES, "service.yaml")).read()
BAD_NODEPORT = SERVICE.replace("nodePort: 30080", "nodePort: 8080")


def codes(proc):
    return [(f["code"], f["line"], f["column"]) for f in json.loads(proc.stdout)["findings"]]


def test_config_is_found_upward_and_cli_overrides(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".kubelint.yaml").write_text("ignore: [node-port]\n")
    sub = tmp_path / "deploy" / "prod"
    sub.mkdir(parents=True)
    (sub / "svc.yaml").write_text(BAD_NODEPORT)
    assert codes(kubelint("check", "-f", "json", "svc.yaml", cwd=sub)) == []
    proc = kubelint("check", "-f", "json", "--config", os.devnull, "svc.yaml", cwd=sub)
    assert proc.returncode == 2  # /dev/null is not a regular file


def test_config_stops_at_repository_root(tmp_path):
    (tmp_path / ".kubelint.yaml").write_text("ignore: [node-port]\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".git").mkdir()
    (repo / "svc.yaml").write_text(BAD_NODEPORT)
    assert codes(kubelint("check", "-f", "json", "svc.yaml", cwd=repo)) == [("KL101", 12, 17)]


def test_rule_options_and_severity_override(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "svc.yaml").write_text(BAD_NODEPORT)
    (tmp_path / ".kubelint.yaml").write_text(
        "rules:\n  node-port:\n    options: {min: 8000, max: 9000}\n")
    assert codes(kubelint("check", "-f", "json", "svc.yaml", cwd=tmp_path)) == []
    (tmp_path / ".kubelint.yaml").write_text("rules:\n  KL101:\n    severity: info\n")
    proc = kubelint("check", "-f", "json", "svc.yaml", cwd=tmp_path)
    assert proc.returncode == 0  # info is below the default fail level
    assert json.loads(proc.stdout)["findings"][0]["severity"] == "info"


def test_config_errors_are_positioned(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "svc.yaml").write_text(SERVICE)
    cases = {
        "fail-levle: error\n": ".kubelint.yaml:1:1: unknown field `fail-levle`; did you mean `fail-level`?",
        "strict: maybe\n": ".kubelint.yaml:1:9: strict: expected boolean, found string \"maybe\"",
        "ignore: [KL999]\n": ".kubelint.yaml:1:10: unknown rule or prefix `KL999`",
        "rules:\n  node-prot: {severity: info}\n": ".kubelint.yaml:2:3: unknown rule `node-prot`; did you mean `node-port`?",
        "rules:\n  node-port:\n    options: {mni: 1}\n": ".kubelint.yaml:3:15: rule KL101 node-port has no option `mni` (options: min, max)",
        "rules:\n  node-port:\n    options: {min: low}\n": ".kubelint.yaml:3:15: option `min` of node-port takes an integer, found \"low\"",
        "select: [a\n": ".kubelint.yaml:2:1: YAML syntax error",
    }
    for text, needle in cases.items():
        (tmp_path / ".kubelint.yaml").write_text(text)
        proc = kubelint("check", "svc.yaml", cwd=tmp_path)
        err = proc.stderr.decode()
        assert proc.returncode == 2, text
        assert needle in err, (text, err)


def test_exclude_and_per_file_ignores(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "charts").mkdir()
    (tmp_path / "charts" / "values.yaml").write_text("replicaCount: 1\n")
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "svc.yaml").write_text(BAD_NODEPORT)
    (tmp_path / ".kubelint.yaml").write_text(
        "exclude: ['charts/*']\nper-file-ignores:\n  'legacy/*': [KL101]\n")
    proc = kubelint("check", "-f", "json", ".", cwd=tmp_path)
    assert codes(proc) == []
    assert json.loads(proc.stdout)["summary"] == {"files": 1, "documents": 1, "objects": 1, "errors": 0,
                                                  "warnings": 0, "infos": 0, "suppressed": 1}
    # exclude applies to explicitly passed files too (pre-commit passes them one by one)
    proc = kubelint("check", "-f", "json", "charts/values.yaml", cwd=tmp_path)
    assert json.loads(proc.stdout)["summary"]["files"] == 0
    # per-file-ignores match the path relative to the config's folder, like exclude: the
    # same answer from a subfolder, from outside the tree and for an absolute path
    for args, cwd in [(["svc.yaml"], tmp_path / "legacy"),
                      ([str(tmp_path / "legacy" / "svc.yaml")], tmp_path.parent),
                      (["../legacy/svc.yaml"], tmp_path / "charts")]:
        proc = kubelint("check", "-f", "json", *args, cwd=cwd)
        assert codes(proc) == [], (args, cwd)
        assert json.loads(proc.stdout)["summary"]["suppressed"] == 1, (args, cwd)


def test_default_namespace(tmp_path):
    (tmp_path / ".git").mkdir()
    pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: team-a\n  labels: {app: sample-node-app}\nspec:\n  containers: [{name: c, image: i}]\n"
    other = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: q\nspec:\n  containers: [{name: c, image: i}]\n"
    (tmp_path / "all.yaml").write_text(pod + "---\n" + other + "---\n" + SERVICE)
    assert [c[0] for c in codes(kubelint("check", "-f", "json", "all.yaml", cwd=tmp_path))] == ["KL201"]
    (tmp_path / ".kubelint.yaml").write_text("default-namespace: team-a\n")
    assert codes(kubelint("check", "-f", "json", "all.yaml", cwd=tmp_path)) == []


def test_annotation_suppression(tmp_path):
    (tmp_path / ".git").mkdir()
    text = BAD_NODEPORT.replace("  name: sample-service\n",
                                "  name: sample-service\n  annotations:\n    kubelint.io/ignore: \"node-port\"\n")
    (tmp_path / "svc.yaml").write_text(text)
    proc = kubelint("check", "-f", "json", "svc.yaml", cwd=tmp_path)
    assert codes(proc) == [] and json.loads(proc.stdout)["summary"]["suppressed"] == 1
    proc = kubelint("check", "-f", "json", "--show-suppressed", "svc.yaml", cwd=tmp_path)
    assert [(f["code"], f["suppressed"]) for f in json.loads(proc.stdout)["findings"]] == [("KL101", True)]


def test_pod_template_annotation_suppression(tmp_path):
    (tmp_path / ".git").mkdir()
    text = open(os.path.join(EXAMPLES, "deployment.yaml")).read()
    text = text.replace("      labels:\n        app: sample-node-app\n    spec:",
                        "      annotations:\n        kubelint.io/ignore: KL102\n      labels:\n        app: other\n    spec:")
    (tmp_path / "d.yaml").write_text(text)
    assert codes(kubelint("check", "-f", "json", "d.yaml", cwd=tmp_path)) == []


def test_comment_directives(tmp_path):
    (tmp_path / ".git").mkdir()
    same_line = BAD_NODEPORT.replace("nodePort: 8080", "nodePort: 8080  # kubelint: disable=KL101")
    line_before = BAD_NODEPORT.replace("      nodePort: 8080", "      # kubelint: disable=node-port\n      nodePort: 8080")
    other_rule = BAD_NODEPORT.replace("nodePort: 8080", "nodePort: 8080  # kubelint: disable=KL201")
    whole_file = "# kubelint: disable-file=KL1\n" + BAD_NODEPORT
    everything = "# kubelint: disable-file\n" + BAD_NODEPORT
    for text, expected in ((same_line, []), (line_before, []), (other_rule, [("KL101", 12, 17)]),
                           (whole_file, []), (everything, [])):
        (tmp_path / "svc.yaml").write_text(text)
        assert codes(kubelint("check", "-f", "json", "svc.yaml", cwd=tmp_path)) == expected, text


def test_unused_suppression_is_opt_in(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "svc.yaml").write_text(SERVICE.replace("nodePort: 30080", "nodePort: 30080  # kubelint: disable=KL101"))
    assert codes(kubelint("check", "-f", "json", "svc.yaml", cwd=tmp_path)) == []
    assert codes(kubelint("check", "-f", "json", "--select", "ALL,unused-suppression", "svc.yaml",
                          cwd=tmp_path)) == [("KL090", 12, 1)]


def test_user_rule_dir_schema_check(tmp_path):
    """The README's example: every Deployment must have a `team` label."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "policy").mkdir()
    rule = open(os.path.join(os.path.dirname(__file__), "..", "docs", "ORG001-team-label.yaml")).read()
    (tmp_path / "policy" / "ORG001-team-label.yaml").write_text(rule)
    (tmp_path / ".kubelint.yaml").write_text("rule-dirs: [policy]\n")
    (tmp_path / "d.yaml").write_text(open(os.path.join(EXAMPLES, "deployment.yaml")).read())
    proc = kubelint("check", "d.yaml", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout.decode().splitlines()[0] == (
        "d.yaml:5:3: warning: every Deployment needs a `team` label (who to page) [ORG001 team-label]")
    proc = kubelint("rules", "-f", "json", cwd=tmp_path)
    assert "ORG001" in proc.stdout.decode()


def test_stdin_config_is_found_from_the_stdin_filename(tmp_path):
    """Editors run kubelint from anywhere; the buffer's own project config applies."""
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    (project / "deploy").mkdir()
    (project / ".kubelint.yaml").write_text("ignore: [node-port]\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    args = ("check", "-f", "json", "--stdin-filename", str(project / "deploy" / "svc.yaml"), "-")
    proc = kubelint(*args, input=BAD_NODEPORT.encode(), cwd=elsewhere)
    assert codes(proc) == []
    (project / ".kubelint.yaml").write_text("ignore: []\n")
    proc = kubelint(*args, input=BAD_NODEPORT.encode(), cwd=elsewhere)
    assert codes(proc) == [("KL101", 12, 17)]
    assert json.loads(proc.stdout)["findings"][0]["path"] == str(project / "deploy" / "svc.yaml")
