"""Fixes that keep the file as it was everywhere else.

A check attaches a model.Fix to its violation: operations on the object by JSON pointer. This
module turns them into text edits at the spans of the nodes they touch, found in the same
libyaml node tree the loader builds, and splices them into the original text. Nothing is
re-dumped, so comments, key order, quoting, indentation, flow style, document separators and
line endings stay byte for byte outside the fixed nodes (ruamel's round-trip dumper re-flows
long lines and moves comments; it is not needed for this). JSON files get JSON text.

Fixes are applied in passes, as ruff does: lint, take the fixes whose edits do not overlap,
apply, lint again, until nothing is left to fix. So a second run changes nothing.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .loader import Loaded, load_text
from .model import Finding, Fix
from .namedtuple import NamedTuple
from .positions import resolve
from .scalars import resolve_plain

MAX_PASSES = 10

_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_PLAIN_SAFE = re.compile(r"[A-Za-z0-9_./][A-Za-z0-9_./:@+-]*")


class Edit(NamedTuple):
    """Replace text[start:end] with `text` (offsets in characters)."""

    start: int
    end: int
    text: str


class FixedFile(NamedTuple):
    path: str
    before: str
    after: str
    fixed: List[Finding]  # the findings whose fixes were applied
    unfixable: List[Finding]  # findings with a fix that could not be applied to this text


class _Text:
    """Offsets of node marks (0-based line, column in characters) in one text."""

    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
        self.nl = "\r\n" if "\r\n" in text else "\n"
        stripped = text.lstrip()
        self.json = path.endswith(".json") or stripped[:1] in ("{", "[")

    def offset(self, mark: Any) -> int:
        line = min(mark.line, len(self.starts) - 1)
        return self.starts[line] + mark.column

    def line_end(self, pos: int) -> int:
        m = _LINE_BREAK.search(self.text, pos)
        return m.start() if m else len(self.text)

    def line_indent(self, pos: int) -> int:
        """The indentation of the line holding offset `pos`."""
        start = self.text.rfind("\n", 0, pos) + 1
        line = self.text[start:pos]
        return len(line) - len(line.lstrip(" "))


# --- rendering values -----------------------------------------------------------------------

def _scalar(value: Any) -> str:
    """A YAML scalar that loads back as `value` under YAML 1.1 and 1.2 (kubectl's rules)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, dict):
        return "{}" if not value else _flow(value, False)
    if isinstance(value, list):
        return "[]" if not value else _flow(value, False)
    text = str(value)
    if _PLAIN_SAFE.fullmatch(text) and resolve_plain(text) == text:
        return text
    return json.dumps(text, ensure_ascii=False)


def _flow(value: Any, as_json: bool) -> str:
    if as_json:
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_flow(v, False)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v, False) for v in value) + "]"
    return _scalar(value)


def _block(value: Any, indent: int) -> List[str]:
    """A mapping or list as block YAML lines, each indented by `indent`."""
    pad = " " * indent
    out: List[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v:
                out.append(f"{pad}{_scalar(k)}:")
                out.extend(_block(v, indent + 2))
            else:
                out.append(f"{pad}{_scalar(k)}: {_scalar(v)}")
    else:
        for item in value:
            if isinstance(item, (dict, list)) and item:
                inner = _block(item, indent + 2)
                out.append(pad + "- " + inner[0][indent + 2:])
                out.extend(inner[1:])
            else:
                out.append(f"{pad}- {_scalar(item)}")
    return out


def _json_block(value: Any, base: int, step: int, nl: str) -> str:
    return json.dumps(value, indent=step, ensure_ascii=False).replace("\n", nl + " " * base)


def _like(value: Any, style: Optional[str], as_json: bool) -> str:
    """`value` as a scalar in the quoting style of the node it replaces, where it still fits."""
    if as_json:
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and style == '"':
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and style == "'":
        return "'" + value.replace("'", "''") + "'"
    return _scalar(value)


# --- operations -> edits --------------------------------------------------------------------

def _end(node: Any) -> Any:
    """The end mark of a node's last character. libyaml ends a block collection at the next
    token, possibly lines below; its last scalar ends where it ends."""
    if node.__class__ is ScalarNode or node.flow_style or not node.value:
        return node.end_mark
    last = node.value[-1]
    if node.__class__ is MappingNode:
        knode, vnode = last
        if vnode.__class__ is ScalarNode and vnode.value == "" and not vnode.style:
            return knode.end_mark  # `key:` with no value
        return _end(vnode)
    return _end(last)


def _insert_entries(t: _Text, node: Any, entries: Dict[str, Any]) -> Optional[List[Edit]]:
    """Edits adding `entries` at the end of mapping `node`."""
    if node.__class__ is not MappingNode:
        return None
    if not node.value:  # `{}`
        if not node.flow_style:
            return None
        pos = t.offset(node.end_mark) - 1
        if t.text[pos:pos + 1] != "}":
            return None
        body = ", ".join(_entry_flow(k, v, t.json) for k, v in entries.items())
        return [Edit(pos, pos, body)]
    first_key = node.value[0][0]
    pos = t.offset(_end(node.value[-1][1]))
    if node.flow_style:
        if first_key.start_mark.line != node.start_mark.line:  # one entry per line
            col = first_key.start_mark.column
            sep = "," + t.nl + " " * col
            if t.json:
                step = max(col - t.line_indent(t.offset(node.start_mark)), 1)
                parts = [f"{json.dumps(k)}: {_json_block(v, col, step, t.nl)}"
                         for k, v in entries.items()]
            else:
                parts = [_entry_flow(k, v, False) for k, v in entries.items()]
        else:
            sep = ", "
            parts = [_entry_flow(k, v, t.json) for k, v in entries.items()]
        return [Edit(pos, pos, sep + sep.join(parts))]
    end = node.value[-1][1]
    mark = _end(end)
    if mark.column == 0 and mark.line > end.start_mark.line:  # a block scalar ends on the next line
        pos = t.starts[mark.line] - len(t.nl)
    else:
        pos = t.line_end(pos)
    col = first_key.start_mark.column
    lines = _block(entries, col)
    return [Edit(pos, pos, t.nl + t.nl.join(lines))]


def _entry_flow(key: str, value: Any, as_json: bool) -> str:
    if as_json:
        return f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}"
    return f"{_scalar(key)}: {_flow(value, False)}"


def _op_edits(t: _Text, root: Any, op: Tuple[Any, ...]) -> Optional[List[Edit]]:
    kind, pointer = op[0], tuple(op[1])
    target, key, matched = resolve(root, pointer)
    if kind == "add":
        entries = dict(op[2])
        rest = pointer[matched:]
        if any(not isinstance(p, str) for p in rest):
            return None
        if not rest:
            present = {k.value: v for k, v in target.value} if target.__class__ is MappingNode else {}
            for k in list(entries):
                if k in present:
                    if present[k].__class__ is ScalarNode and str(entries[k]) == present[k].value:
                        del entries[k]  # already there
                    else:
                        return None  # there, with another value: not ours to decide
            if not entries:
                return []
        for p in reversed(rest):
            entries = {p: entries}
        return _insert_entries(t, target, entries)
    if matched < len(pointer):
        return None
    if kind == "rename":
        if key is None or key.__class__ is not ScalarNode:
            return None
        return [Edit(t.offset(key.start_mark), t.offset(key.end_mark), _like(op[2], key.style, t.json))]
    if kind == "quote":
        if target.__class__ is not ScalarNode or target.style or \
                target.start_mark.line != target.end_mark.line:
            return None
        return [Edit(t.offset(target.start_mark), t.offset(target.end_mark),
                     json.dumps(target.value, ensure_ascii=False))]
    if kind == "set":
        value = op[2]
        start = t.offset(target.start_mark)
        if not isinstance(value, (dict, list)):
            if target.__class__ is not ScalarNode or target.style in ("|", ">") or \
                    target.start_mark.line != target.end_mark.line:
                return None
            return [Edit(start, t.offset(target.end_mark), _like(value, target.style, t.json))]
        end = t.offset(_end(target))
        if t.json:
            indent = t.line_indent(start)
            text = _json_block(value, indent, 2, t.nl)
        elif target.__class__ is ScalarNode or target.flow_style or not value:
            text = _flow(value, False)
        else:
            col = target.start_mark.column
            text = t.nl.join(_block(value, col))[col:]
        return [Edit(start, end, text)]
    return None


def fix_edits(t: "_Text", nodes: Dict[Tuple[int, Optional[int]], Any], finding: Finding
              ) -> Optional[List[Edit]]:
    """The text edits of one finding's fix, or None if it cannot be applied to this text."""
    fix = finding.fix
    if fix is None:
        return None
    root = nodes.get((finding.doc, fix.item))
    if root is None:
        return None
    edits: List[Edit] = []
    for op in fix.ops:
        try:
            got = _op_edits(t, root, op)
        except (AttributeError, IndexError, TypeError, ValueError):  # a node shape we did not plan for
            return None
        if got is None:
            return None
        edits.extend(e for e in got if t.text[e.start:e.end] != e.text)
    return edits


def node_index(loaded: Loaded) -> Dict[Tuple[int, Optional[int]], Any]:
    return {(d.index, d.item): d.node for d in loaded.documents if d.node is not None}


def edits_for(path: str, text: str, loaded: Loaded, finding: Finding) -> Optional[List[Edit]]:
    """One finding's fix as text edits on `text` (the language server's quick fix)."""
    return fix_edits(_Text(text, path), node_index(loaded), finding)


def _overlaps(a: Edit, b: Edit) -> bool:
    return a.start <= b.end and b.start <= a.end


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    for e in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[:e.start] + e.text + text[e.end:]
    return text


def wanted(finding: Finding, unsafe: bool) -> bool:
    return finding.fix is not None and (finding.fix.safe or unsafe)


def fix_text(linter: Any, path: str, text: str, unsafe: bool = False) -> FixedFile:
    """Apply every applicable fix to `text`, in passes, until none is left."""
    before = text
    fixed: List[Finding] = []
    unfixable: Dict[str, Finding] = {}
    seen = {text}
    for _ in range(MAX_PASSES):
        loaded = load_text(path, text)
        outcome = linter.lint_loaded(path, loaded)
        todo = [f for f in outcome.findings if wanted(f, unsafe)]
        if not todo:
            break
        t = _Text(text, path)
        nodes = node_index(loaded)
        accepted: List[Edit] = []
        groups = set()
        for f in todo:
            edits = fix_edits(t, nodes, f)
            if not edits:
                if edits is None:
                    unfixable.setdefault(f.fingerprint, f)
                continue
            group = tuple(sorted(edits))
            if group in groups:  # the same fix from two findings
                fixed.append(f)
                continue
            if any(_overlaps(e, a) for e in edits for a in accepted):
                continue  # next pass
            groups.add(group)
            accepted.extend(edits)
            fixed.append(f)
        if not accepted:
            break
        text = apply_edits(text, accepted)
        if text in seen:  # a fix undone by another: stop rather than loop
            break
        seen.add(text)
    still = {f.fingerprint for f in linter.lint_loaded(path, load_text(path, text)).findings
             if wanted(f, unsafe)} if text != before else set(unfixable)
    return FixedFile(path, before, text, fixed,
                     [f for k, f in unfixable.items() if k in still])


def unified_diff(path: str, before: str, after: str) -> str:
    import difflib

    a, b = (path, path) if path.startswith("/") else (f"a/{path}", f"b/{path}")
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 fromfile=a, tofile=b)
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def fix_sources(linter: Any, sources: Sequence[Any], unsafe: bool, stdin: Optional[bytes] = None
                ) -> List[Tuple[Any, FixedFile]]:
    """Fix each source in memory: [(source, FixedFile)] for the readable ones."""
    from .loader import decode, read

    out = []
    for src in sources:
        if src.real is None:
            text, problem = decode(stdin or b"")
        else:
            text, problem = read(src.real, linter.settings.max_file_size)
        if problem is not None or text is None:
            continue
        out.append((src, fix_text(linter, src.path, text, unsafe)))
    return out


def write_fixed(path: str, text: str) -> None:
    """Write back as it was read: UTF-8, the byte order mark kept, line ends untouched."""
    with open(path, "rb") as f:
        bom = f.read(3) == b"\xef\xbb\xbf"
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        f.write(text)
