"""Output formats: one module per format, each a function `render(result, ctx) -> str`.
Modules are imported only when their format is used."""

from __future__ import annotations

import importlib
import os
from typing import Any, Callable, Dict, Iterable, Optional

from ..namedtuple import NamedTuple

FORMATTERS: Dict[str, str] = {
    "text": "kubelint.formatters.text",
    "json": "kubelint.formatters.json_format",
    "sarif": "kubelint.formatters.sarif",
    "github": "kubelint.formatters.github",
    "junit": "kubelint.formatters.junit",
    "gitlab": "kubelint.formatters.gitlab",
}


class RenderContext(NamedTuple):
    kubernetes_version: str
    color: bool = False
    rich: bool = False  # a terminal: source lines, carets
    show_suppressed: bool = False
    sources: Optional[Callable[[str], Optional[str]]] = None  # path -> text, for carets
    root: Optional[str] = None  # repository root: SARIF/GitLab paths are relative to it
    show_skipped: bool = False  # list walked files skipped as not manifests (text)


def repo_root(start: str) -> str:
    """The enclosing git repository's root, or `start` itself outside a repository."""
    here = os.path.abspath(start)
    while True:
        if os.path.exists(os.path.join(here, ".git")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return os.path.abspath(start)
        here = parent


def relative(path: str, root: Optional[str]) -> str:
    """`path` relative to `root` in POSIX form; paths outside it (and <stdin>) unchanged."""
    if root is None or path.startswith("<"):
        return path.replace(os.sep, "/")
    full = os.path.abspath(path)
    if full == root or full.startswith(root.rstrip(os.sep) + os.sep):
        return os.path.relpath(full, root).replace(os.sep, "/")
    return full.replace(os.sep, "/")


def get(name: str) -> Callable[[Any, RenderContext], str]:
    return importlib.import_module(FORMATTERS[name]).render


def chunks(name: str) -> Callable[[Any, RenderContext], Iterable[str]]:
    """The format's report as pieces to write as they are made (its module's `chunks`, for
    large reports), else render()'s whole text as one piece."""
    module = importlib.import_module(FORMATTERS[name])
    found = getattr(module, "chunks", None)
    if found is not None:
        return found
    return lambda result, ctx: (module.render(result, ctx),)
