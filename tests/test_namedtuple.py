"""kubelint.namedtuple.NamedTuple makes the classes typing.NamedTuple makes, without turning
the annotations into ForwardRefs when the class is made (the start of every run)."""

from __future__ import annotations

import pickle
import subprocess
import sys
import typing
from typing import Optional, Tuple

import pytest

from kubelint.namedtuple import NamedTuple


class Light(NamedTuple):
    """A sample."""

    path: str
    line: int
    item: Optional[int] = None
    tags: Tuple[str, ...] = ()

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def shifted(self, by: int) -> "Light":
        return self._replace(line=self.line + by)


class Typed(typing.NamedTuple):
    """A sample."""

    path: str
    line: int
    item: Optional[int] = None
    tags: Tuple[str, ...] = ()

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def shifted(self, by: int) -> "Typed":
        return self._replace(line=self.line + by)


def test_the_same_class_as_typing_makes():
    for attr in ("_fields", "_field_defaults", "__doc__", "__module__", "__bases__"):
        assert getattr(Light, attr) == getattr(Typed, attr), attr
    assert Light.__qualname__ == "Light" and Light.__name__ == "Light"
    a, b = Light("p", 3), Typed("p", 3)
    assert tuple(a) == tuple(b) == ("p", 3, None, ())
    assert a == b and hash(a) == hash(b) and a.where == "p:3" and a.shifted(2) == ("p", 5, None, ())
    assert repr(a) == "Light(path='p', line=3, item=None, tags=())"
    assert a._asdict() == b._asdict() and Light._make(["q", 1, 2, ("x",)]).tags == ("x",)
    assert pickle.loads(pickle.dumps(a)) == a and type(pickle.loads(pickle.dumps(a))) is Light
    assert typing.get_type_hints(Light) == typing.get_type_hints(Typed)
    with pytest.raises(TypeError):
        Light("p")


def test_the_same_errors_as_typing():
    with pytest.raises(TypeError, match="Non-default namedtuple field line cannot follow"):
        class Bad(NamedTuple):  # noqa: F841
            path: str = ""
            line: int
    with pytest.raises(AttributeError, match="Cannot overwrite NamedTuple attribute _replace"):
        class Bad2(NamedTuple):  # noqa: F841
            path: str

            def _replace(self):  # type: ignore[override]
                pass


def test_kubelint_makes_no_forward_reference_at_import():
    """The modules a run imports compile no annotation (typing.ForwardRef) for their tuples."""
    code = ("import typing\n"
            "def no(*a, **k): raise AssertionError(f'ForwardRef{a}')\n"
            "typing.ForwardRef.__init__ = no\n"
            "import kubelint.engine, kubelint.graph, kubelint.formatters, kubelint.fix\n"
            "import kubelint.render.kustomize\n"
            "print(kubelint.engine.K8sObject._fields[:3])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "('path', 'doc', 'item')"
