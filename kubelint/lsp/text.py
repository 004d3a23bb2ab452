"""Positions: kubelint's 1-based (line, column in characters) and text offsets <-> LSP's
0-based (line, character in UTF-16 code units, or code points with utf-32)."""

from __future__ import annotations

import re
from typing import Any, Dict, List

from ..model import Span

_BREAK = re.compile(r"\r\n|\r|\n")


class Lines:
    def __init__(self, text: str, utf16: bool = True) -> None:
        self.text = text
        self.utf16 = utf16
        self.starts: List[int] = [0] + [m.end() for m in _BREAK.finditer(text)]

    def _line(self, n: int) -> str:
        if n >= len(self.starts):
            return ""
        end = self.starts[n + 1] if n + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[n]:end].rstrip("\r\n")

    def _units(self, line: int, chars: int) -> int:
        """Characters -> the client's units on `line`."""
        if not self.utf16:
            return chars
        prefix = self._line(line)[:chars]
        if prefix.isascii():
            return chars
        return len(prefix.encode("utf-16-le")) // 2 + max(0, chars - len(prefix))

    def _chars(self, line: int, units: int) -> int:
        if not self.utf16:
            return units
        text = self._line(line)
        if text.isascii():
            return units
        n = 0
        for i, ch in enumerate(text):
            if n >= units:
                return i
            n += 2 if ord(ch) > 0xFFFF else 1
        return len(text)

    def position(self, line: int, chars: int) -> Dict[str, int]:
        return {"line": line, "character": self._units(line, chars)}

    def range(self, span: Span) -> Dict[str, Any]:
        return {"start": self.position(span.line - 1, span.column - 1),
                "end": self.position(span.end_line - 1, span.end_column - 1)}

    def offset(self, pos: Dict[str, int]) -> int:
        line = pos["line"]
        if line >= len(self.starts):
            return len(self.text)
        start = self.starts[line]
        return start + min(self._chars(line, pos["character"]), len(self._line(line)))

    def at_offset(self, offset: int) -> Dict[str, int]:
        import bisect

        line = bisect.bisect_right(self.starts, offset) - 1
        return self.position(line, offset - self.starts[line])

    def contains(self, span: Span, pos: Dict[str, int]) -> bool:
        r = self.range(span)
        p = (pos["line"], pos["character"])
        return (r["start"]["line"], r["start"]["character"]) <= p <= (r["end"]["line"], r["end"]["character"])
