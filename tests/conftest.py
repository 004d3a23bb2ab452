import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
EXAMPLES = os.path.join(ROOT, "examples")


def kubelint(*args, input=None, cwd=None, env=None):
    """Run the real CLI in a subprocess: exit codes and output as users see them."""
    full_env = dict(os.environ)
    full_env.pop("GITHUB_ACTIONS", None)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "kubelint.cli", *args], input=input,
                          capture_output=True, cwd=cwd or ROOT, env=full_env)


@pytest.fixture
def run_cli():
    return kubelint


def lint_text(tmp_path, text, name="m.yaml", **settings):
    """Lint one manifest text in-process; returns the engine Result."""
    from kubelint.engine import Settings, run

    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return run([str(path)], Settings(**settings))


def positions(result, code=None):
    return [(f.code, f.line, f.column) for f in result.findings if code is None or f.code == code]
