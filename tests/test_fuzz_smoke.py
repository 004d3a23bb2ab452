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


def test_the_jobs_2_run_shares_the_cross_object_stage_out(tmp_path):
    """The parallel cross-object stage starts at 20,000 objects; a case lowers the threshold
    for its --jobs 2 run (Case.late_min) so that this stage is compared with --jobs 1's
    single process, and the fuzzer sees that it ran (a marker its hook writes)."""
    case = copy.copy(CASES[0])
    case.late_min = 0
    case.write(str(tmp_path))
    assert fuzz.check_case(case, str(tmp_path), timeout=60) == []
    assert case.late_reached
    case.late_min = None  # kubelint's own threshold: one process for a few hundred objects
    assert fuzz.check_case(case, str(tmp_path), timeout=60) == []
    assert not case.late_reached
