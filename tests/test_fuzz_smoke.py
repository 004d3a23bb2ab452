"""The mutation fuzzer (tests/fuzzing/fuzz.py) on a few fixed cases: one of each kind of
folder it builds (plain manifests, kustomize, Helm chart, CRDs, admission policies, config,
suppressions), each linted twice (--jobs 1 and 2) in four formats. A long campaign:
`python tests/fuzzing/fuzz.py --seed N --runs M`."""

import copy
import importlib.util
import os
import tempfile

import pytest

from .conftest import ROOT

_spec = importlib.util.spec_from_file_location("kubelint_fuzz", os.path.join(ROOT, "tests", "fuzzing", "fuzz.py"))
fuzz = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fuzz)

SEED = 7
KINDS = ["plain", "kustomize", "chart", "crd", "vap", "config", "suppress"]


def _first_case_of_each_kind():
    manifests = fuzz._manifests()
    found = {}
    for number in range(200):
        case = fuzz.Case(SEED, number, manifests)
        found.setdefault(case.kind, case)
        if len(found) == len(KINDS):
            break
    return [found[k] for k in KINDS if k in found]


CASES = _first_case_of_each_kind()


@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_fuzz_case_has_no_problem(case):
    with tempfile.TemporaryDirectory(prefix="kubelint-fuzz-") as folder:
        case.write(folder)
        problems = fuzz.check_case(case, folder, timeout=60)
    assert problems == [], f"seed {case.seed} case {case.number}: {case.mutations}"


def test_the_checks_can_fail(tmp_path):
    """A case whose sentinel lost its finding, or whose report names a file the summary does
    not count, is a problem: the fuzzer's checks are not vacuous."""
    case = copy.copy(CASES[0])
    case.files = dict(case.files)
    case.files[fuzz.SENTINEL_PATH] = fuzz.SENTINEL.replace(b"bogusField: 1\n", b"")
    case.write(str(tmp_path))
    problems = fuzz.check_case(case, str(tmp_path), timeout=60)
    assert any("sentinel" in p for p in problems), problems
