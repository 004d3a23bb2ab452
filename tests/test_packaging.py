"""`pip install .` from a clean checkout gives a working kubelint: the wheel carries the rule
files and schemas (kubelint/_bundled/), and the installed command lints the examples from a
folder that is not the checkout (so nothing is found by accident in the repository)."""

import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from .conftest import ROOT


@pytest.mark.network
def test_wheel_in_a_fresh_venv(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), ROOT],
                   check=True, capture_output=True, timeout=600)
    (wheel,) = list(wheels.glob("kubelint-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    rules = sorted(n for n in names if n.startswith("kubelint/_bundled/rules/"))
    assert len(rules) == len([f for f in os.listdir(os.path.join(ROOT, "rules")) if f.endswith(".yaml")])
    for schema in ("config.schema.json", "rule.schema.json", "report.schema.json"):
        assert f"kubelint/_bundled/schemas/{schema}" in names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = venv / "bin" / "pip"
    subprocess.run([str(pip), "install", "-q", str(wheel)], check=True, capture_output=True, timeout=600)
    work = tmp_path / "work"
    shutil.copytree(os.path.join(ROOT, "examples"), work / "examples")
    kubelint = str(venv / "bin" / "kubelint")
    env = dict(os.environ, KUBELINT_CACHE_DIR=str(tmp_path / "cache"))
    proc = subprocess.run([kubelint, "check", "examples"], cwd=work, capture_output=True, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.decode().startswith("4 files, 4 objects: 0 errors")
    (work / "examples" / "pod.yaml").write_text(
        (work / "examples" / "pod.yaml").read_text().replace("  labels:\n    app: sample-node-app\n", ""))
    proc = subprocess.run([kubelint, "check", "examples/pod.yaml", "examples/service.yaml"], cwd=work,
                          capture_output=True, env=env)
    assert proc.returncode == 1 and b"[KL201 service-selects-nothing]" in proc.stdout
    proc = subprocess.run([kubelint, "explain", "node-port"], cwd=work, capture_output=True, env=env)
    assert proc.returncode == 0 and proc.stdout.startswith(b"KL101 node-port (error)")
