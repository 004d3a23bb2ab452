"""End-to-end test folders of chainsaw and kuttl, which keep what a test expects beside what
it applies. An assert or error file states part of an object as the cluster should (or
should not) show it -- a Deployment with only `status.readyReplicas`, a Service with only a
port's name -- so linted as a manifest its missing fields were false findings (the
opentelemetry-operator's tests/e2e: ~150 KL010). Such files are skipped and listed; the
files a test applies are linted, except partial objects (a test patches live objects).

A folder is a test when it holds chainsaw's `chainsaw-test.yaml` (its steps name the
files: `assert: {file: ...}`, `error: {file: ...}`, globs allowed) or kuttl's numbered steps
(`00-install.yaml`, `00-assert.yaml`, `01-errors.yaml`: chainsaw reads that layout too).

A Kyverno CLI test (`kyverno-test.yaml`) evaluates policies on the `resources:` it lists one
by one: good and bad variants side by side in one file, never applied together. Each of
their documents is a unit of its own for the cross-object rules (discover.EACH_DOCUMENT): in
kyverno/policies' test folders two variants of a Deployment "fought" over their pods 2,160
times. Gatekeeper's gator `Suite` (`suite.yaml`, test.gatekeeper.sh) likewise evaluates each
case's `object` with its `inventory` alone, from files anywhere below it: in
gatekeeper-library the samples of different cases met, and a lone PodDisruptionBudget "matched
no pod" of another case's Deployment."""

from __future__ import annotations

import fnmatch
import os
import re
from typing import Any, Iterator, List, Optional, Set, Tuple

CHAINSAW_TESTS = ("chainsaw-test.yaml", "chainsaw-test.yml")
EXPECTED = ("a test's expected state (a chainsaw or kuttl assert or error file): partial by "
            "design, never applied; or a file a chainsaw step applies expecting an error")
PARTIAL = ("a partial object a test applies onto a live one (a chainsaw or kuttl test step), "
           "not an object of its own")
_STEP = re.compile(r"^\d+-")
_KUTTL_EXPECTED = re.compile(r"^\d+-(?:assert|errors?)(?:[-_.].*)?\.ya?ml$")
# in a chainsaw test folder, a file named as an assert or error one (`policy-assert.yaml`)
# that the Test does not name itself: its step templates or an older step read it
_NAMED_EXPECTED = re.compile(r"(?:^|[-_.])(?:assert|errors?)(?:[-_.][^/]*)?\.ya?ml$")
_CHECKS = ("assert", "error")
KYVERNO_TESTS = ("kyverno-test.yaml", "kyverno-test.yml")
GATOR_SUITES = ("suite.yaml", "suite.yml")


def files_of_tests(folder: str, names: Set[str]) -> Tuple[Optional[Set[str]], Set[str]]:
    """(the names in `folder` that hold a test's expected state, None when the folder is no
    chainsaw or kuttl test; the names a Kyverno CLI test there lists as resources)."""
    return _expected(folder, names), _policy_inputs(folder, names)


def _expected(folder: str, names: Set[str]) -> Optional[Set[str]]:
    chainsaw = [n for n in CHAINSAW_TESTS if n in names]
    numbered = [n for n in names if _STEP.match(n)]
    if not chainsaw and not any(_KUTTL_EXPECTED.match(n) for n in numbered):
        return None
    out = {n for n in numbered if _KUTTL_EXPECTED.match(n)}
    if chainsaw:
        out.update(n for n in names if _NAMED_EXPECTED.search(n))
    for data in _documents(folder, chainsaw):
        for pattern in _files(data):
            out.update(fnmatch.filter(names, os.path.normpath(pattern)))
    return out


def _policy_inputs(folder: str, names: Set[str]) -> Set[str]:
    out: Set[str] = set()
    for data in _documents(folder, [n for n in KYVERNO_TESTS if n in names]):
        listed = data.get("resources") if isinstance(data, dict) else None
        for entry in listed if isinstance(listed, list) else ():
            if isinstance(entry, str):
                out.update(fnmatch.filter(names, os.path.normpath(entry)))
    return out


def case_inputs(folder: str, names: Set[str]) -> Set[str]:
    """The absolute paths of the files a gator Suite in `folder` names as a case's object or
    inventory (each evaluated with its case alone, never applied with the others)."""
    out: Set[str] = set()
    for data in _documents(folder, [n for n in GATOR_SUITES if n in names]):
        if not (isinstance(data, dict) and data.get("kind") == "Suite" and
                str(data.get("apiVersion", "")).startswith("test.gatekeeper.sh/")):
            continue
        tests = data.get("tests")
        for test in tests if isinstance(tests, list) else ():
            cases = test.get("cases") if isinstance(test, dict) else None
            for case in cases if isinstance(cases, list) else ():
                if not isinstance(case, dict):
                    continue
                inventory = case.get("inventory")
                for name in [case.get("object")] + (inventory if isinstance(inventory, list) else []):
                    if isinstance(name, str) and name:
                        out.add(os.path.normpath(os.path.join(os.path.abspath(folder), name)))
    return out


def _documents(folder: str, tests: List[str]) -> Iterator[Any]:
    """The data of every document of the test files (an unreadable one gives none: the
    numbered files still count)."""
    from .loader import load

    for test in tests:
        try:
            docs = load(os.path.join(folder, test)).documents
        except Exception:
            continue
        for doc in docs:
            yield doc.data


def _files(value: Any, checking: bool = False, depth: int = 0) -> Iterator[str]:
    """The `file:` of every assert and error operation of a chainsaw Test, and of every
    operation that expects an error (opentelemetry-operator's tests/e2e-crd-validations: an
    `apply` of an object its CRD's rules reject, `expect: [{check: {($error != null): true}}]`)."""
    if depth > 12:
        return
    if isinstance(value, dict):
        if isinstance(value.get("file"), str) and (checking or _expects_error(value.get("expect"))):
            yield value["file"]
        for k, v in value.items():
            yield from _files(v, k in _CHECKS, depth + 1)
    elif isinstance(value, list):
        for v in value:
            yield from _files(v, False, depth + 1)


def _expects_error(expect: Any) -> bool:
    return isinstance(expect, list) and any(
        isinstance(e, dict) and isinstance(e.get("check"), dict) and
        e["check"].get("($error != null)") is True for e in expect)
