"""Where the bundled rules/ and schemas/ are: inside the wheel (force-included as
kubelint/_bundled/) or, in a source checkout or editable install, at the repository root."""

from __future__ import annotations

import os
from functools import lru_cache

_HERE = os.path.dirname(os.path.abspath(__file__))


@lru_cache(maxsize=None)
def _root(name: str) -> str:
    bundled = os.path.join(_HERE, "_bundled", name)
    if os.path.isdir(bundled):
        return bundled
    checkout = os.path.join(os.path.dirname(_HERE), name)
    if os.path.isdir(checkout):
        return checkout
    raise RuntimeError(f"kubelint's {name}/ folder is missing from this installation")


def rules_dir() -> str:
    return _root("rules")


def schema_path(name: str) -> str:
    return os.path.join(_root("schemas"), name)
