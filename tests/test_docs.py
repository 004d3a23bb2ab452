"""The README's rule table is generated from the rule files; this fails when it is stale."""

import os

from kubelint.registry import Registry
from kubelint.ruledocs import markdown_table

from .conftest import ROOT


def test_readme_rule_table_is_current():
    readme = open(os.path.join(ROOT, "README.md")).read()
    start = readme.index("<!-- rules:start -->\n") + len("<!-- rules:start -->\n")
    end = readme.index("<!-- rules:end -->")
    assert readme[start:end] == markdown_table(Registry.load().rules), \
        "README rule table is stale: run `python tests/update_golden.py`"


def test_readme_parity_table_is_current():
    from kubelint.loader import load
    from kubelint.ruledocs import parity_table

    readme = open(os.path.join(ROOT, "README.md")).read()
    start = readme.index("<!-- parity:start -->\n") + len("<!-- parity:start -->\n")
    end = readme.index("<!-- parity:end -->")
    peers = load(os.path.join(ROOT, "docs", "peer-checks.yaml")).documents[0].data
    rules = Registry.load().rules
    assert readme[start:end] == parity_table(rules, peers), \
        "README parity table is stale: run `python tests/update_golden.py`"
    # every see-also names a check the peer has (default-on or not: peers' optional checks
    # may be named too, but not misspelled default ones)
    known = {f"{tool}:{c}" for tool, checks in peers.items() for c in checks}
    optional = {"kube-linter:privileged-ports", "kube-linter:use-namespace", "kube-linter:wildcard-in-rules",
                "kube-linter:cluster-admin-role-binding", "kube-linter:access-to-secrets",
                "kube-linter:exposed-services", "kube-linter:no-liveness-probe",
                "kube-linter:no-readiness-probe", "kube-linter:no-rolling-update-strategy",
                "kube-linter:non-isolated-pod", "kube-linter:dangling-servicemonitor", "kube-linter:unsafe-proc-mount",
                "kube-linter:hpa-minimum-three-replicas", "kube-linter:minimum-three-replicas",
                "kube-score:container-seccomp-profile", "kube-linter:dangling-ingress",
                "kube-linter:dangling-horizontalpodautoscaler", "kube-linter:dangling-networkpolicy",
                "kube-linter:dangling-networkpolicypeer-podselector"}
    for r in rules:
        for ref in r.see_also:
            assert ref in known or ref in optional, f"{r.code}: unknown peer check {ref}"


def test_config_schema_and_the_readme_example(tmp_path):
    """The README's .kubelint.yaml example is valid, key by key, for the real CLI."""
    import json
    import re
    import shutil

    import jsonschema

    from .conftest import kubelint

    with open(os.path.join(ROOT, "schemas", "config.schema.json")) as f:
        jsonschema.Draft202012Validator.check_schema(json.load(f))
    readme = open(os.path.join(ROOT, "README.md")).read()
    section = readme[readme.index("## Configuration: `.kubelint.yaml`"):]
    example = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".kubelint.yaml").write_text(example)
    for d in ("policy", "deploy/crds", "schemas/crds"):
        (tmp_path / d).mkdir(parents=True)
    shutil.copytree(os.path.join(ROOT, "examples"), tmp_path / "examples")
    proc = kubelint("check", "examples", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_readme_internal_links_resolve():
    """Every `](#anchor)` names a heading (GitHub's slug) and every relative link a file."""
    import re

    readme = open(os.path.join(ROOT, "README.md")).read()
    prose = re.sub(r"^```.*?^```", "", readme, flags=re.S | re.M)
    slugs = {re.sub(r"[^\w\- ]", "", m.lower()).replace(" ", "-")
             for m in re.findall(r"^#+ (.*)$", prose, re.M)}
    anchors = re.findall(r"\]\(#([^)]+)\)", prose)
    assert anchors and [a for a in anchors if a not in slugs] == []
    files = [f for f in re.findall(r"\]\(([^)#]+)\)", prose)]
    assert [f for f in files if "://" in f or not os.path.exists(os.path.join(ROOT, f))] == []
