"""Suppression: config ignores, `kubelint.io/ignore` annotations, comment directives.

  # kubelint: disable=KL201,node-port-range    at the end of the offending line, or alone on
                                               the line before it
  # kubelint: disable                          the same, for every rule
  # kubelint: disable-file=KL201               in the comment header of a file (before the
  # kubelint: disable-file                     first YAML content line): the whole file
"""

from __future__ import annotations

import fnmatch
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

from .lazyre import LazyRegex

ANNOTATION = "kubelint.io/ignore"
# The object's metadata and its pod template's, where labels and annotations are read.
METADATA_PATHS = (("metadata",), ("spec", "template", "metadata"),
                  ("spec", "jobTemplate", "spec", "template", "metadata"))
ALL = "*"

_DIRECTIVE = LazyRegex(r"(?:^|\s)#\s*kubelint:\s*(disable-file|disable)\b\s*(?:=\s*([\w\-, ]+))?")


class Directive:
    __slots__ = ("line", "refs", "applies_to", "used", "columns")

    def __init__(self, line: int, refs: Tuple[str, ...], applies_to: int,
                 columns: Tuple[int, ...] = ()) -> None:
        self.line = line  # 1-based line of the comment
        self.refs = refs
        self.applies_to = applies_to  # line it silences (0 = the whole file)
        self.used = False
        self.columns = columns  # 1-based column of each ref (for unknown-rule findings)

    def __getstate__(self) -> tuple:
        return (self.line, self.refs, self.applies_to, self.used, self.columns)

    def __setstate__(self, state: tuple) -> None:
        self.line, self.refs, self.applies_to, self.used, self.columns = state


class Directives:
    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: List[Directive] = []

    def __getstate__(self) -> list:
        return self.items

    def __setstate__(self, state: list) -> None:
        self.items = state

    def file_wide(self) -> List[Directive]:
        return [d for d in self.items if d.applies_to == 0]

    def for_line(self, line: int) -> List[Directive]:
        return [d for d in self.items if d.applies_to == line]


def parse_directives(text: Optional[str]) -> Directives:
    out = Directives()
    if not text or "kubelint:" not in text:
        return out
    header = True
    lines = text.splitlines()
    for i, line in enumerate(lines, 1):
        stripped = line.strip()
        is_comment = stripped.startswith("#")
        if stripped and not is_comment and stripped not in ("---",):
            header = False
        if "kubelint:" not in line:
            continue
        m = _DIRECTIVE.search(line)
        if m is None:
            continue
        refs = tuple(r.strip() for r in (m.group(2) or "").split(",") if r.strip()) or (ALL,)
        columns: List[int] = []
        at = m.start(2) if m.group(2) else m.end()
        for ref in refs:
            found = line.find(ref, at) if ref != ALL else -1
            columns.append(found + 1 if found >= 0 else m.start() + 1)
            at = found + len(ref) if found >= 0 else at
        cols = tuple(columns)
        if m.group(1) == "disable-file":
            if header:
                out.items.append(Directive(i, refs, 0, cols))
            continue
        if is_comment:
            # alone on its line: silences the next line that is not a comment
            target = i + 1
            while target <= len(lines) and lines[target - 1].strip().startswith("#"):
                target += 1
            out.items.append(Directive(i, refs, target, cols))
        else:
            out.items.append(Directive(i, refs, i, cols))
    return out


def refs_match(refs: Iterable[str], code: str, name: str) -> bool:
    for ref in refs:
        if ref == ALL or ref == name or (ref and code.startswith(ref.upper())):
            return True
    return False


def annotation_refs(data: dict) -> Tuple[str, ...]:
    """Rules silenced by `kubelint.io/ignore` on the object or its pod template (the
    METADATA_PATHS, walked by hand: this runs for every object)."""
    found = None
    meta = data.get("metadata")
    if isinstance(meta, dict):
        found = _ignored(meta, found)
    spec = data.get("spec")
    if isinstance(spec, dict):
        template = spec.get("template")
        if isinstance(template, dict):
            found = _ignored(template.get("metadata"), found)
        job = spec.get("jobTemplate")
        if isinstance(job, dict):
            spec = job.get("spec")
            template = spec.get("template") if isinstance(spec, dict) else None
            if isinstance(template, dict):
                found = _ignored(template.get("metadata"), found)
    return () if found is None else tuple(found)


def _ignored(meta: Any, found: Optional[List[str]]) -> Optional[List[str]]:
    ann = meta.get("annotations") if isinstance(meta, dict) else None
    value = ann.get(ANNOTATION) if isinstance(ann, dict) else None
    if isinstance(value, str):
        found = found or []
        found.extend(r.strip() for r in value.split(",") if r.strip())
    return found


def per_file_refs(path: str, per_file_ignores: Dict[str, List[str]],
                  base: Optional[str] = None) -> Tuple[str, ...]:
    """Rules `per-file-ignores` silences for `path`. A pattern matches the path relative to
    the config's folder (`base`), as `exclude:` does, so the result does not depend on the
    working directory; the path as reported matches too."""
    if not per_file_ignores:
        return ()
    refs: List[str] = []
    norm = path.replace("\\", "/")
    forms = {norm, norm[2:] if norm.startswith("./") else norm}
    if base is not None:
        import os

        forms.add(os.path.relpath(os.path.abspath(path), base).replace("\\", "/"))
    for pattern, rules in per_file_ignores.items():
        if any(fnmatch.fnmatch(form, pattern) for form in forms):
            refs.extend(rules)
    return tuple(refs)


def comment_match(directives: Directives, code: str, name: str, lines: Set[int]) -> Optional[Directive]:
    """The directive silencing a finding of rule code/name reported on any of `lines`."""
    for d in directives.file_wide():
        if refs_match(d.refs, code, name):
            return d
    for line in lines:
        for d in directives.for_line(line):
            if refs_match(d.refs, code, name):
                return d
    return None
