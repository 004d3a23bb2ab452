"""`path:line:col: severity: message [CODE name]`: the line vim, emacs and VS Code's `$gcc`
problem matcher parse. On a terminal: the source line with a caret, colour, the hint."""

from __future__ import annotations

from operator import itemgetter
from typing import Any, Iterator, List

from ..model import ROW_SEVERITY, Finding, Severity, are_rows

_COLORS = {Severity.ERROR: "\x1b[1;31m", Severity.WARNING: "\x1b[1;33m", Severity.INFO: "\x1b[1;36m"}
_DIM, _BOLD, _RESET = "\x1b[2m", "\x1b[1m", "\x1b[0m"


_LABELS = {s: s.label for s in Severity}
_SEVERITY = itemgetter(2)  # Finding.severity


def line(f: Finding) -> str:
    span = f.span
    return (f"{f.path}:{span.line}:{span.column}: {_LABELS[f.severity]}: {f.message} "
            f"[{f.code} {f.name}]")


def summary(result: Any, severities: Any = None) -> str:
    """`severities`: the findings' severities in a list, if the caller has them."""
    # each severity counted by list.count over the findings' severities (C loops: the whole
    # rule set's report has tens of thousands of findings)
    # (infos: the rest -- two counts, not three: a count compares every finding's severity)
    if severities is None:
        findings = result.findings
        severities = list(map(ROW_SEVERITY if are_rows(findings) else _SEVERITY, findings))
    counts = {Severity.ERROR: severities.count(Severity.ERROR),
              Severity.WARNING: severities.count(Severity.WARNING)}
    counts[Severity.INFO] = len(severities) - counts[Severity.ERROR] - counts[Severity.WARNING]
    files = len(result.files)

    def n(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    parts = [n(counts[Severity.ERROR], "error"), n(counts[Severity.WARNING], "warning"),
             n(counts[Severity.INFO], "info")]
    if result.suppressed:
        parts.append(f"{len(result.suppressed)} suppressed")
    from ..discover import GO_FIXTURES, INVALID_FIXTURE, SNAPSHOTS, TEST_DATA, TEST_SOURCES, VENDORED

    reasons = [reason for _, reason in getattr(result, "skipped", ()) or ()]
    # folders skipped whole, and test files invalid on purpose: not "not manifests"
    folders = [(reasons.count(why), what) for why, what in (
        (TEST_DATA, "testdata folder"), (GO_FIXTURES, "Go test fixtures folder"),
        (TEST_SOURCES, "test sources folder"), (VENDORED, "vendored folder"), (SNAPSHOTS, "snapshot folder"),
        (INVALID_FIXTURE, "invalid test fixture"))]
    skipped = len(reasons) - sum(count for count, _ in folders)
    return (f"{n(files, 'file')}, {n(result.objects, 'object')}: {', '.join(parts)}"
            + (f" ({result.elapsed:.2f}s)" if getattr(result, "elapsed", None) is not None else "")
            + (f"; {n(skipped, 'file')} skipped: not Kubernetes manifests" if skipped else "")
            + "".join(f"; {n(count, what)} skipped" for count, what in folders if count))


def _plain(findings: List[Finding], out: List[str]) -> None:
    """render()'s text without colour, source lines or suppressed findings (the common case: a
    file, a pipe, CI), as pieces appended to `out`, written for reports of tens of thousands
    of findings: a finding's line is its position and its tail (severity, message, rule,
    hint), and both recur -- findings are sorted, so those at one position are neighbours,
    and the whole rule set's 34,000 findings on 5,000 documents have ~120 distinct tails --
    so each is formatted once and reused (the report's cost was ~7k instructions a finding)."""
    tails, last = _TAILS, _LAST
    if len(tails) > 10_000 or len(last) > 10_000:
        tails.clear()
        last.clear()
    last_path = last_span = head = None
    # A Finding is a tuple subclass: CPython's specialised subscripts and unpacking are for
    # exact tuples only. Unpacked whole (the iterator protocol, in C) it costs less than
    # an itemgetter of the 8 fields a line needs (generic subscripts): 120 M against 136 M
    # instructions for the whole rule set's report.
    for code, name, severity, message, path, span, _, _, hint, related, _, _ in findings:
        if span is not last_span or path is not last_path:
            head = f"{path}:{span[0]}:{span[1]}: "
            last_path, last_span = path, span
        out.append(head)  # (out.append, not a bound alias: the call CPython specialises)
        # The tail by its message first: a message is one object for the findings of a
        # shared Violation (and its hash is kept on it), where a key of all five fields was a
        # tuple to make, hash and compare field by field for every finding.
        known = last.get(message)
        if known is not None and known[0] is code and known[1] is hint and \
                known[2] is severity and known[3] is name:
            out.append(known[4])
        else:
            key = (message, code, name, hint, severity)
            tail = tails.get(key)
            if tail is None:
                tail = tails[key] = _tail(*key)
            last[message] = (code, hint, severity, name, tail)
            out.append(tail)
        if related:
            for r in related:
                out.append(f"    related: {r.path}:{r.span.line}:{r.span.column}: {r.message}\n")


# (message, code, name, hint, severity) -> the tail of a line: `severity: message [CODE name]`,
# hint, newline
_TAILS: dict = {}
# message -> (code, hint, severity, name, tail) of the last finding with that message
_LAST: dict = {}


def _tail(message: str, code: str, name: str, hint: Any, severity: Severity) -> str:
    if hint:
        return f"{_LABELS[severity]}: {message} [{code} {name}]\n    hint: {hint}\n"
    return f"{_LABELS[severity]}: {message} [{code} {name}]\n"


def tail(message: str, code: str, name: str, hint: Any, severity: Severity) -> str:
    """The tail of a finding's line (_tail), through _plain's memo: the engine makes it once
    per Violation object for a plain run's rows (model.ROW_FIELDS)."""
    known = _LAST.get(message)
    if known is not None and known[0] is code and known[1] is hint and \
            known[2] is severity and known[3] is name:
        return known[4]
    if len(_TAILS) > 10_000 or len(_LAST) > 10_000:
        _TAILS.clear()
        _LAST.clear()
    key = (message, code, name, hint, severity)
    made = _TAILS.get(key)
    if made is None:
        made = _TAILS[key] = _tail(*key)
    _LAST[message] = (code, hint, severity, name, made)
    return made


def as_row(f: Any) -> tuple:
    """A Finding as a plain run's row (model.ROW_FIELDS): the tail of its text (with the
    lines of its related locations) and its head, the Finding itself as T."""
    code, name, severity, message, path, span, obj, _, hint, related, doc, fix = f
    end = tail(message, code, name, hint, severity)
    if related:
        end += "".join(f"    related: {r.path}:{r.span.line}:{r.span.column}: {r.message}\n"
                       for r in related)
    line, column = span[0], span[1]
    return (path, span, obj, doc, fix.item if fix is not None else None,
            f"{path}:{line}:{column}: ", line, column, code, message, severity, end, f)


def _rows_text(rows: List[tuple]) -> str:
    """The plain text of sorted rows (model.ROW_FIELDS): their heads and tails joined, all in
    C (heads and tails listed apart and put in place by slices: an itemgetter of two fields
    takes each by the generic subscript, ~10x the time)."""
    pieces: List[Any] = [None] * (2 * len(rows))
    pieces[::2] = map(_HEAD, rows)
    pieces[1::2] = map(_TAIL, rows)
    return "".join(pieces)


_HEAD, _TAIL = itemgetter(5), itemgetter(11)


# findings per piece of chunks(): ~80 kB of text. A piece (its joined text, then its bytes
# written) below malloc's mmap threshold (128 kB) is made in memory the last piece freed; a
# larger one is mapped fresh and its pages faulted in each time (1,024 findings a piece: the
# whole rule set's report took ~1,400 more page faults than writing it at all)
_CHUNK = 256


def chunks(result: Any, ctx: Any) -> Iterator[str]:
    """render()'s text in pieces, to be written as they are made: the plain report of the
    whole rule set is ~10 MB, and building it whole (its lines, the joined text, the bytes
    written) took ~40 MB of fresh memory, whose page faults cost more system time than
    writing it."""
    if ctx.color or (ctx.rich and ctx.sources is not None) or ctx.show_suppressed:
        yield render(result, ctx)
        return
    findings = result.findings
    severities = None
    if are_rows(findings):
        # a plain run's rows (engine.run(plain=True)): their text made as they were placed;
        # their severities for the summary taken as they are read (the whole rule set's
        # 34,000 rows are not in the processor's caches after the report)
        severities = []
        for start in range(0, len(findings), _CHUNK):
            rows = findings[start:start + _CHUNK]
            severities += map(ROW_SEVERITY, rows)
            yield _rows_text(rows)
    else:
        for start in range(0, len(findings), _CHUNK):
            out: List[str] = []
            _plain(findings[start:start + _CHUNK], out)
            yield "".join(out)
    out = []
    if getattr(ctx, "show_skipped", False):
        for path, reason in getattr(result, "skipped", ()) or ():
            out.append(f"{path}: skipped: {reason}")
    out.append(summary(result, severities))
    yield "\n".join(out) + "\n"


def render(result: Any, ctx: Any) -> str:
    if not ctx.color and not (ctx.rich and ctx.sources is not None) and not ctx.show_suppressed:
        return "".join(chunks(result, ctx))
    out: List[str] = []
    shown = list(result.findings)
    if ctx.show_suppressed:
        shown = sorted(shown + list(result.suppressed), key=Finding.sort_key)
    suppressed = {id(f) for f in result.suppressed}
    cache = {}
    for f in shown:
        text = line(f) + (" (suppressed)" if id(f) in suppressed else "")
        if ctx.color:
            head, _, rest = text.partition(f" {f.severity.label}: ")
            text = f"{_BOLD}{head}{_RESET} {_COLORS[f.severity]}{f.severity.label}{_RESET}: {rest}"
        out.append(text)
        if ctx.rich and ctx.sources is not None:
            if f.path not in cache:
                src = ctx.sources(f.path)
                cache[f.path] = src.splitlines() if src else []
            lines = cache[f.path]
            if 0 < f.span.line <= len(lines):
                src_line = lines[f.span.line - 1].expandtabs(1)
                width = max(1, (f.span.end_column - f.span.column) if f.span.end_line == f.span.line else 1)
                width = min(width, max(1, len(src_line) - f.span.column + 1))
                gutter = f"{f.span.line:>5} | "
                out.append(gutter + src_line)
                caret = " " * (len(gutter) - 2) + "| " + " " * (f.span.column - 1) + "^" * width
                out.append(f"{_COLORS[f.severity]}{caret}{_RESET}" if ctx.color else caret)
        if f.hint:
            out.append(f"    {_DIM if ctx.color else ''}hint: {f.hint}{_RESET if ctx.color else ''}")
        for r in f.related:
            out.append(f"    related: {r.path}:{r.span.line}:{r.span.column}: {r.message}")
    if getattr(ctx, "show_skipped", False):
        for path, reason in getattr(result, "skipped", ()) or ():
            out.append(f"{path}: skipped: {reason}")
    out.append(summary(result))
    return "\n".join(out) + "\n"
