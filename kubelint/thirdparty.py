"""Third-party modules every run loads, imported without the start-up work kubelint never uses.

Both imports run in the serial part of a run (before `--jobs` forks), where each millisecond is
one of wall time:

- PyYAML's C module (`yaml._yaml`, the fast pass's composer) imports the `yaml` package, whose
  pure-Python reader, resolver and constructor compile regular expressions at import (the
  reader's table of printable characters alone ~3.5 ms). kubelint only composes with libyaml:
  those patterns are compiled when first used instead (never, here), and are the same patterns
  for anything else in the process that uses PyYAML's Python classes.
- jsonschema-rs asks `email.utils` for `parsedate_to_datetime` when it initialises, to turn its
  build date into the datetime of its `__build__` metadata; importing `email.utils` pulls in
  socket, urllib, random, email.charset... (~5 ms). Its import gets a stand-in for that one
  function, which reads the build date exactly as the standard library does, and hands
  anything else to the real module."""

from __future__ import annotations

import re
import sys
import types
from typing import Any


def pyyaml_c() -> Any:
    """`yaml._yaml` (ImportError without PyYAML's C extension)."""
    module = sys.modules.get("yaml._yaml")
    if module is not None:
        return module
    if "yaml" in sys.modules:  # the package is there already: nothing left to save
        import yaml._yaml as module

        return module
    compile_ = re.compile

    def compile_later(pattern: Any, flags: int = 0) -> Any:
        if sys._getframe(1).f_globals.get("__name__", "").startswith("yaml."):
            return _LaterPattern(compile_, pattern, flags)
        return compile_(pattern, flags)

    re.compile = compile_later  # type: ignore[assignment]
    try:
        import yaml._yaml as module
    finally:
        if re.compile is compile_later:
            re.compile = compile_  # type: ignore[assignment]
    return module


class _LaterPattern:
    """A compiled pattern, compiled on first use (any attribute: match, search, pattern...)."""

    __slots__ = ("_compile", "_args", "_compiled")

    def __init__(self, compile_: Any, pattern: Any, flags: int) -> None:
        self._compile, self._args, self._compiled = compile_, (pattern, flags), None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = self._compile(*self._args)
        return getattr(self._compiled, name)

    def __repr__(self) -> str:
        return f"re.compile({self._args[0]!r}, {self._args[1]!r})"


def jsonschema_rs() -> Any:
    """The `jsonschema_rs` module."""
    module = sys.modules.get("jsonschema_rs")
    if module is not None:
        return module
    threads = sys.modules.get("threading")
    if "email.utils" in sys.modules or (threads is not None and threads.active_count() > 1):
        # (another thread could import email.utils meanwhile and find the stand-in)
        import jsonschema_rs as module

        return module
    stand_in = _EmailUtils("email.utils")
    sys.modules["email.utils"] = stand_in
    try:
        import jsonschema_rs as module
    finally:
        if sys.modules.get("email.utils") is stand_in:
            del sys.modules["email.utils"]
    return module


# RFC 2822 dates as pyo3-built writes them ("Thu, 12 Nov 2026 07:50:16 +0000"); anything else
# goes to the standard library
_RFC2822 = (r"(?:[A-Z][a-z]{2}, )?(\d{1,2}) ([A-Z][a-z]{2}) ([1-9]\d{3}) (\d\d):(\d\d):(\d\d) "
            r"\+(\d\d)(\d\d)")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class _EmailUtils(types.ModuleType):
    """email.utils while jsonschema_rs initialises."""

    @staticmethod
    def parsedate_to_datetime(data: Any) -> Any:
        """email.utils.parsedate_to_datetime: the same datetime for the dates read here
        (tests compare them), the standard library's answer for anything else."""
        try:
            m = re.fullmatch(_RFC2822, data)
            if m is not None and m.group(2) in _MONTHS:
                import datetime

                day, month, year, hour, minute, second, tz_hours, tz_minutes = m.groups()
                offset = datetime.timedelta(seconds=int(tz_hours) * 3600 + int(tz_minutes) * 60)
                return datetime.datetime(int(year), _MONTHS.index(month) + 1, int(day),
                                         int(hour), int(minute), int(second),
                                         tzinfo=datetime.timezone(offset))
        except Exception:  # (not a str, a day 31 of November...)
            pass
        return _real_email_utils().parsedate_to_datetime(data)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # (the import system looks for __path__)
            raise AttributeError(name)
        return getattr(_real_email_utils(), name)


def _real_email_utils() -> Any:
    import importlib

    if isinstance(sys.modules.get("email.utils"), _EmailUtils):
        del sys.modules["email.utils"]
    return importlib.import_module("email.utils")
