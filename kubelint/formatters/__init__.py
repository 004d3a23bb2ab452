"""Output formats: one module per format, each a function `render(result, ctx) -> str`.
Modules are imported only when their format is used."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional

FORMATTERS: Dict[str, str] = {
    "text": "kubelint.formatters.text",
    "json": "kubelint.formatters.json_format",
}


@dataclass
class RenderContext:
    kubernetes_version: str
    color: bool = False
    rich: bool = False  # a terminal: source lines, carets
    show_suppressed: bool = False
    sources: Optional[Callable[[str], Optional[str]]] = None  # path -> text, for carets


def get(name: str) -> Callable[[Any, RenderContext], str]:
    return importlib.import_module(FORMATTERS[name]).render
