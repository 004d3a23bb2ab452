"""The `kubelint` entry point (fastcli.py) parses `check` command lines itself, from cli.check's
own declarations, to skip importing typer: it must give cli.check exactly the arguments typer
would, and hand every command line it does not take (help, errors, unusual forms) to typer."""

import os
import re
import subprocess
import sys

import pytest

from kubelint import cli, fastcli

from .conftest import EXAMPLES


def _typer_params(argv):
    """The arguments typer's own parser gives cli.check for `kubelint check <argv>`."""
    import typer.main

    group = typer.main.get_command(cli.app)
    ctx = group.make_context("kubelint", ["check", *argv])
    command = group.get_command(ctx, "check")
    params = command.make_context("check", list(argv), parent=ctx).params
    # typer's wrapper converts click's values and calls cli.check: call it with a spy instead
    wrapper = command.callback
    cell = next(c for c in wrapper.__closure__ if c.cell_contents is cli.check)
    cell.cell_contents = lambda **kwargs: kwargs
    try:
        return wrapper(**params)
    finally:
        cell.cell_contents = cli.check


TAKEN = [
    [],
    ["."],
    ["a.yaml", "-", "b/"],
    ["-f", "json", "--format", "sarif", "-o", "out.sarif", "x.yaml"],
    ["--format=json", "--output=r.json", "--select=KL1,KL2", "--ignore", "KL010"],
    ["--jobs", "3", "-j", "1", "--color", "never", "--no-cache", "--no-ignore"],
    ["--strict", "--no-strict", "--crd", "crds/", "--crd", "more.yaml", "--schema-dir", "s"],
    ["--policy", "p.yaml", "-k", "1.30", "--target-version", "1.31", "--target-version", "1.32"],
    ["--fail-level", "error", "--exit-zero", "--show-suppressed", "--show-skipped", "p"],
    ["--fix", "--unsafe-fixes", "--diff", "--stdin-filename", "deploy.yaml", "-"],
    ["--config", ".kubelint.yaml", "--context", "repo/", "x", "--kubernetes-version=1.29"],
    ["--strict", "a", "--", ][:2],
]
REFUSED = [
    ["--help"], ["-h"], ["--"], ["-fjson", "x"], ["-j2"], ["--jobs", "0"], ["--jobs", "two"],
    ["--jobs", "-1"], ["--format"], ["--select", "--ignore", "KL1"], ["--no-such-option"],
    ["--fix=yes"], ["--version"], ["a", "--", "-b"],
]


@pytest.mark.parametrize("argv", TAKEN)
def test_the_same_arguments_as_typer(argv):
    assert fastcli.parse(cli.check, argv) == _typer_params(argv)


@pytest.mark.parametrize("argv", REFUSED)
def test_everything_else_goes_to_typer(argv):
    assert fastcli.parse(cli.check, argv) is None


def test_every_option_of_check_is_parsed_here():
    """An option added to cli.check in a form this parser does not know would send every run
    through typer (slower, still right): this test says so."""
    import typer.main

    group = typer.main.get_command(cli.app)
    command = group.get_command(group.make_context("kubelint", ["check"]), "check")
    for param in command.params:
        for opt in param.opts + param.secondary_opts:
            if opt.startswith("-"):
                argv = [opt] if param.is_flag else [opt, "2"]
                assert fastcli.parse(cli.check, argv) is not None, opt


def _entry(*args, cwd=None):
    code = ("import sys\nfrom kubelint.fastcli import main\nsys.argv = ['kubelint', *sys.argv[1:]]\n"
            "import atexit\natexit.register(lambda: sys.stderr.write("
            "'TYPER' if 'typer._click' in sys.modules else 'NO-TYPER'))\nmain()\n")
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, cwd=cwd,
                          env=dict(os.environ, NO_COLOR="1"))


def test_the_entry_point_answers_as_typer_does(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: Nodeport\n"
                   "  ports: [{port: 80}]\n")
    pod = os.path.join(EXAMPLES, "pod.yaml")
    for args in (["check", "--no-cache", pod], ["check", "--no-cache", "-f", "json", str(bad)],
                 ["check", "--no-cache", "--select=KL103", "--exit-zero", str(bad)],
                 ["check", "--no-cache", "--no-such-option", pod], ["check", "--help"],
                 ["check", "--no-cache", str(tmp_path / "missing.yaml")]):
        fast = _entry(*args)
        plain = subprocess.run([sys.executable, "-m", "kubelint.cli", *args], capture_output=True,
                               env=dict(os.environ, NO_COLOR="1"))
        same = lambda out: out.replace(b"python -m kubelint.cli", b"kubelint")  # the program name
        fast.stdout = re.sub(rb"\(\d+\.\d+s\)", b"", fast.stdout)  # the run's time
        plain.stdout = re.sub(rb"\(\d+\.\d+s\)", b"", plain.stdout)
        assert (fast.returncode, fast.stdout) == (plain.returncode, same(plain.stdout)), args
        assert fast.stderr.replace(b"NO-TYPER", b"").replace(b"TYPER", b"") == same(plain.stderr), args
        took_typer = fast.stderr.endswith(b"TYPER") and not fast.stderr.endswith(b"NO-TYPER")
        assert took_typer == ("--help" in args or "--no-such-option" in args), args


def test_the_command_reaps_the_worker_processes_it_did_not_wait_for(tmp_path):
    """--jobs 2 does not wait for a worker to finish ending mid-run, but the command reaps
    them all before it exits: none is left to the system, so their CPU time counts as the
    command's (time, getrusage of whatever started it)."""
    for i in range(60):
        (tmp_path / f"cm{i:02}.yaml").write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n")
    code = ("import os, sys\nfrom kubelint.fastcli import main\nsys.argv = ['kubelint', *sys.argv[1:]]\n"
            "me, real = os.getpid(), os._exit\n"
            "def end(code):\n"
            "    if os.getpid() != me:\n"
            "        import time\n"
            "        time.sleep(0.3)  # a worker slow to end, as a large one is\n"
            "    else:\n"
            "        try:\n"
            "            os.waitpid(-1, os.WNOHANG)\n"
            "            left = 'LEFT'\n"
            "        except ChildProcessError:\n"
            "            left = 'NONE LEFT'\n"
            "        sys.stderr.write(f\"{left} {'kubelint.parallel' in sys.modules}\\n\")\n"
            "        sys.stderr.flush()\n"
            "    real(code)\n"
            "os._exit = end\nmain()\n")
    proc = subprocess.run([sys.executable, "-c", code, "check", "--no-cache", "--jobs", "2",
                           str(tmp_path)], capture_output=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.decode().splitlines()[-1] == "NONE LEFT True"
