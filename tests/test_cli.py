"""The CLI contract: exit codes, formats, stdin, versions, config, suppression."""

import json
import os

import pytest

from .conftest import EXAMPLES, FIXTURES, ROOT, kubelint

UNLABELLED_POD = """apiVersion: v1
kind: Pod
metadata:
  name: sample-pod
spec:
  containers:
    - name: sample-app
      image: nginx:1.27
"""


def out(proc):
    return proc.stdout.decode()


def test_examples_are_clean():
    proc = kubelint("check", "examples")
    assert proc.returncode == 0, out(proc) + proc.stderr.decode()
    assert out(proc).strip() .startswith("4 files, 4 objects: 0 errors, 0 warnings, 0 infos")


def test_seed_unlabelled_pod_and_service(tmp_path):
    (tmp_path / "pod.yaml").write_text(UNLABELLED_POD)
    (tmp_path / "service.yaml").write_text(open(os.path.join(EXAMPLES, "service.yaml")).read())
    proc = kubelint("check", "pod.yaml", "service.yaml", cwd=tmp_path)
    assert proc.returncode == 1
    lines = out(proc).splitlines()
    assert lines[0] == (
        "service.yaml:7:3: warning: Service selector app=sample-node-app matches no Pod or pod "
        "template in namespace `default` of the input; closest: Pod sample-pod (labels: none; "
        "`app` missing) [KL201 service-selects-nothing]")
    assert "related: pod.yaml:3:1: closest candidate: Pod sample-pod" in out(proc)
    # the seed's fix: label the pod
    (tmp_path / "pod.yaml").write_text(UNLABELLED_POD.replace(
        "  name: sample-pod\n", "  name: sample-pod\n  labels:\n    app: sample-node-app\n"))
    proc = kubelint("check", "pod.yaml", "service.yaml", cwd=tmp_path)
    assert proc.returncode == 0, out(proc)


def test_fail_level_and_exit_zero(tmp_path):
    (tmp_path / "pod.yaml").write_text(UNLABELLED_POD)
    (tmp_path / "service.yaml").write_text(open(os.path.join(EXAMPLES, "service.yaml")).read())
    assert kubelint("check", ".", "--fail-level", "error", cwd=tmp_path).returncode == 0
    assert kubelint("check", ".", "--fail-level", "warning", cwd=tmp_path).returncode == 1
    assert kubelint("check", ".", "--exit-zero", cwd=tmp_path).returncode == 0


def test_stdin_with_filename():
    proc = kubelint("check", "--stdin-filename", "k8s/app.yaml", "-",
                    input=b"apiVersion: apps/v1\nkind: deployment\nmetadata: {name: x}\n")
    assert proc.returncode == 1
    assert out(proc).splitlines()[0] == (
        "k8s/app.yaml:2:7: error: unknown kind `deployment`: kinds are case-sensitive; did you "
        "mean `Deployment`? [KL011 kind-case]")


def test_stdin_binary_is_a_finding():
    proc = kubelint("check", "-", input=b"\x00\x01binary")
    assert proc.returncode == 1
    assert out(proc).startswith("<stdin>:1:1: error: binary file")


def test_json_format_is_documented_shape():
    proc = kubelint("check", "-f", "json", os.path.join("tests", "fixtures", "deployment-errors.yaml"))
    assert proc.returncode == 1
    doc = json.loads(out(proc))
    assert doc["version"] == 1 and doc["tool"]["name"] == "kubelint"
    assert doc["summary"] == {"files": 1, "documents": 1, "objects": 1, "errors": 4, "warnings": 0,
                              "infos": 0, "suppressed": 0}
    first = doc["findings"][0]
    assert {k: first[k] for k in ("code", "name", "severity", "path", "line", "column", "endLine",
                                  "endColumn", "pointer")} == {
        "code": "KL010", "name": "schema", "severity": "error",
        "path": "tests/fixtures/deployment-errors.yaml", "line": 6, "column": 13, "endLine": 6,
        "endColumn": 16, "pointer": "/spec/replicas"}
    assert first["object"] == {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "default", "name": "web"}
    assert len(first["fingerprint"]) == 32


def test_output_file(tmp_path):
    target = tmp_path / "report.json"
    proc = kubelint("check", "-f", "json", "-o", str(target), "examples")
    assert proc.returncode == 0 and out(proc) == ""
    assert json.loads(target.read_text())["summary"]["objects"] == 4


@pytest.mark.parametrize("args,needle", [
    (["check", "-k", "1.12", "examples"], "bundled versions: 1.25"),
    (["check", "-f", "yaml", "examples"], "unknown format"),
    (["check", "--select", "KL9", "examples"], "unknown rule or prefix `KL9`"),
    (["check", "--ignore", "node-prot", "examples"], "did you mean `node-port`?"),
    (["check", "--config", "nope.yaml", "examples"], "config file not found"),
    (["check", "does-not-exist.yaml"], "no such file or directory: does-not-exist.yaml"),
])
def test_usage_errors_exit_2(args, needle):
    proc = kubelint(*args)
    assert proc.returncode == 2
    assert needle in proc.stderr.decode()
    assert "Traceback" not in proc.stderr.decode()


def test_kubernetes_version_selects_schemas(tmp_path):
    # batch/v1beta1 CronJob was removed in 1.25: every bundled version reports it
    (tmp_path / "c.yaml").write_text("apiVersion: flowcontrol.apiserver.k8s.io/v1beta3\n"
                                     "kind: FlowSchema\nmetadata: {name: f}\nspec:\n"
                                     "  priorityLevelConfiguration: {name: p}\n")
    # 1.31 still serves it: valid, but deprecated (KL016, a warning)
    proc = kubelint("check", "-k", "1.31", "--fail-level", "error", "c.yaml", cwd=tmp_path)
    assert proc.returncode == 0
    assert ("flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema is deprecated since 1.29 and removed "
            "in 1.32; use flowcontrol.apiserver.k8s.io/v1 [KL016 deprecated-api-version]") in out(proc)
    proc = kubelint("check", "-k", "1.32", "c.yaml", cwd=tmp_path)
    assert proc.returncode == 1 and "removed in Kubernetes 1.32" in out(proc)


def test_no_strict_allows_unknown_fields(tmp_path):
    (tmp_path / "p.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\nextra: 1\n")
    assert kubelint("check", "p.yaml", cwd=tmp_path).returncode == 1
    assert kubelint("check", "--no-strict", "p.yaml", cwd=tmp_path).returncode == 0


def test_select_and_ignore(tmp_path):
    (tmp_path / "m.yaml").write_text(open(os.path.join(FIXTURES, "multi.yaml")).read())
    codes = lambda *a: [l.split("[")[1].split()[0] for l in out(kubelint("check", "m.yaml", *a, cwd=tmp_path)).splitlines() if "[" in l]
    assert codes() == ["KL003", "KL001", "KL011", "KL013"]
    assert codes("--ignore", "KL01") == ["KL003", "KL001"]
    assert codes("--select", "duplicate-key,KL013") == ["KL003", "KL013"]


def test_a_crashing_check_costs_one_finding_not_the_run(tmp_path):
    """A check that raises (here a user rule bound to a function of the wrong signature) is
    reported as a finding of that rule on that object; every other finding stays."""
    (tmp_path / ".git").mkdir()
    (tmp_path / ".kubelint.yaml").write_text("rule-dirs: [myrules]\n")
    (tmp_path / "myrules").mkdir()
    (tmp_path / "myrules" / "X001-boom.yaml").write_text(
        "code: XX001\nname: boom\nseverity: error\nsummary: s\nrationale: r\nfix: f\n"
        "check: {python: 'os.path:join'}\nexamples: {fail: [a], pass: [b]}\n")
    (tmp_path / "p.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    (tmp_path / "q.yaml").write_text("apiVersion: v1\nkind: deployment\nmetadata: {name: y}\n")
    proc = kubelint("check", "p.yaml", "q.yaml", cwd=tmp_path)
    assert proc.returncode == 1
    lines = out(proc).splitlines()
    assert lines[0].startswith("p.yaml:1:1: error: internal error in XX001 boom: TypeError")
    assert any(line.startswith("q.yaml:2:7: error: unknown kind `deployment`") for line in lines)
    assert "Traceback" not in proc.stderr.decode()


def test_internal_error_is_one_line(tmp_path):
    code = ("import sys\nimport kubelint.engine\n"
            "def boom(*a, **k):\n    raise RuntimeError('simulated')\n"
            "kubelint.engine.run = boom\nfrom kubelint.cli import main\n"
            "sys.argv = ['kubelint', 'check', 'examples']\nmain()\n")
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=ROOT)
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert err == ("kubelint: internal error: RuntimeError: simulated (set KUBELINT_DEBUG=1 for a "
                   "traceback)\n")


def test_version():
    proc = kubelint("--version")
    assert proc.returncode == 0 and out(proc).startswith("kubelint 0.")


def test_valid_file_does_not_import_heavy_modules(tmp_path):
    """Start-up is imports: linting a valid file must not pull in python-jsonschema,
    kubernetes_validate, pydantic, rich or the rule modules of kinds it does not contain; nor
    ruamel, whose nodes only the positions of findings need (PyYAML's C composer loads it)."""
    code = ("import sys\nfrom kubelint.cli import main\nsys.argv=['kubelint','check','examples/pod.yaml']\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
            "heavy=[m for m in ('jsonschema','kubernetes_validate','pydantic','rich','_ruamel_yaml','ruamel.yaml.nodes',"
            "'kubelint.checks.ports','kubelint.checks.selectors','kubelint.formatters.json_format',"
            "'kubelint.cel','cel_expr_python','kubelint.custom','kubelint.admission.policy') if m in sys.modules]\n"
            "print('HEAVY', heavy)\n")
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "HEAVY []" in proc.stdout.decode()


@pytest.mark.parametrize("fmt,golden", [("text", "text.txt"), ("json", "json.json")])
def test_golden_outputs(fmt, golden):
    """Not a terminal and NO_COLOR: plain output, byte for byte (timing normalised)."""
    import re

    proc = kubelint("check", "-f", fmt, "tests/fixtures/multi.yaml", "tests/fixtures/list.yaml",
                    env={"NO_COLOR": "1"})
    assert proc.returncode == 1
    got = re.sub(r"\([0-9.]+s\)$", "(TIME)", out(proc), flags=re.M)
    assert "\x1b[" not in got
    with open(os.path.join(ROOT, "tests", "golden", golden)) as f:
        assert got == f.read()


def test_json_report_matches_its_published_schema():
    import jsonschema

    with open(os.path.join(ROOT, "schemas", "report.schema.json")) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    proc = kubelint("check", "-f", "json", "--show-suppressed", "tests/fixtures")
    doc = json.loads(proc.stdout)
    assert doc["findings"] and any(f["related"] for f in doc["findings"])
    errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(doc)]
    assert errors == []


def test_stdin_honours_max_file_size(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".kubelint.yaml").write_text("max-file-size: 2048\n")
    big = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n" + b"  k: " + b"x" * 4000 + b"\n"
    proc = kubelint("check", "-", input=big, cwd=tmp_path)
    assert proc.returncode == 1
    assert out(proc).startswith("<stdin>:1:1: error: input is larger than the 2 KiB limit: not read")
