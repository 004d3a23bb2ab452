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
