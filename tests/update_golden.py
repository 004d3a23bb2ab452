"""Regenerate what the tests compare byte for byte, after an intended change of output:
the golden reports in tests/golden/ and the rule table in README.md.

    .venv/bin/python tests/update_golden.py

Review the diff before committing: the goldens are the contract other tools rely on."""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "tests", "golden")
REPORT_INPUTS = ["tests/fixtures/multi.yaml", "tests/fixtures/list.yaml",
                 "tests/fixtures/seed-unlabelled.yaml", "tests/fixtures/clean.yaml"]
TEXT_INPUTS = ["tests/fixtures/multi.yaml", "tests/fixtures/list.yaml"]


def kubelint(*args):
    env = dict(os.environ, NO_COLOR="1")
    env.pop("GITHUB_ACTIONS", None)
    env.pop("GITHUB_STEP_SUMMARY", None)
    return subprocess.run([sys.executable, "-m", "kubelint.cli", *args], capture_output=True,
                          cwd=ROOT, env=env, text=True).stdout


def normalise(text):
    return re.sub(r"\([0-9.]+s\)$", "(TIME)", text.replace(ROOT, "ROOT"), flags=re.M)


def main():
    outputs = {"text.txt": kubelint("check", "-f", "text", *TEXT_INPUTS),
               "json.json": kubelint("check", "-f", "json", *TEXT_INPUTS)}
    for fmt in ("sarif", "github", "junit", "gitlab"):
        outputs[f"report.{fmt}"] = kubelint("check", "-f", fmt, *REPORT_INPUTS)
    for name, text in outputs.items():
        with open(os.path.join(GOLDEN, name), "w") as f:
            f.write(normalise(text))
    readme = os.path.join(ROOT, "README.md")
    with open(readme) as f:
        text = f.read()
    start = text.index("<!-- rules:start -->\n") + len("<!-- rules:start -->\n")
    end = text.index("<!-- rules:end -->")
    text = text[:start] + kubelint("rules", "-f", "markdown") + text[end:]
    start = text.index("<!-- parity:start -->\n") + len("<!-- parity:start -->\n")
    end = text.index("<!-- parity:end -->")
    with open(readme, "w") as f:
        f.write(text[:start] + parity() + text[end:])
    print(f"updated {len(outputs)} golden files and the README rule and parity tables")


def parity():
    """The parity table: docs/peer-checks.yaml and the rules' see-also fields."""
    sys.path.insert(0, ROOT)
    from kubelint.loader import load
    from kubelint.registry import Registry
    from kubelint.ruledocs import parity_table

    peers = load(os.path.join(ROOT, "docs", "peer-checks.yaml")).documents[0].data
    return parity_table(Registry.load().rules, peers)


if __name__ == "__main__":
    main()
