"""A document's positions placed at once (Linter._place_missed): in a run whose documents
nearly all get findings (the whole rule set: ~8 positions per pod, its name, its pod spec,
each container's name and imagePullPolicy, the same in every pod of a kind), the positions
that documents of a kind were placed at so far are placed in the next one by one walk of its
tree, where positions.locate() walks down from the root for each. Imported only by such a
run: a module compiled without a .pyc costs a run that never uses it."""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from . import positions
from .model import Span
from .positions import _span, found_span

# the most (pointer, at) keys learnt per kind: each is looked for in every later document of
# the kind that gets a finding
LEARNED_MAX = 64


class Learned:
    """By kind, the (pointer, at) keys placed in documents of that kind, and their trie."""

    def __init__(self, seed: Tuple[Any, ...] = ()) -> None:
        self.seed = seed  # keys every kind starts with
        self.keys: Dict[str, Dict[Any, None]] = {}
        self.tries: Dict[str, Tuple[int, dict]] = {}

    def place(self, kind: str, node: Any, memo: dict, first: Any) -> Optional[Span]:
        """Place the kind's keys (and `first`, the key asked for) in `node` into `memo`; the
        span of `first`, if placed."""
        keys = self.keys.get(kind)
        if keys is None:
            if len(self.keys) > 1_000:
                self.keys.clear()
                self.tries.clear()
            keys = self.keys[kind] = dict.fromkeys(self.seed)
        self.learn(kind, first)
        made = self.tries.get(kind)
        if made is None or made[0] != len(keys):
            made = self.tries[kind] = (len(keys), trie_of(keys))
        place_all(node, made[1], memo)
        return memo.get(first)

    def learn(self, kind: str, key: Any) -> None:
        keys = self.keys.get(kind)
        if keys is not None and key not in keys and len(keys) < LEARNED_MAX:
            keys[key] = None


# --- many positions of one document in one walk ---------------------------------------------

def trie_of(keys: Any) -> dict:
    """The (pointer, at) `keys` as place_all() walks them: {part: [its parts' trie or None,
    [(at, key) of the pointers that end there], the index of its pair in the mapping where
    it was last found]}. Pointers of other parts than str and int
    (or empty, or not tuples) are left out: locate() places those."""
    root: dict = {}
    for key in keys:
        pointer, at = key
        if pointer.__class__ is not tuple or not pointer:
            continue
        if any(p.__class__ is not str and p.__class__ is not int for p in pointer):
            continue  # (a bool is an int to _child's sequences, not here)
        trie = root
        last = len(pointer) - 1
        for i, part in enumerate(pointer):
            entry = trie.get(part)
            if entry is None:
                entry = trie[part] = [None, [], 0]
            if i == last:
                entry[1].append((at, key))
            else:
                if entry[0] is None:
                    entry[0] = {}
                trie = entry[0]
    return root


def place_all(node: Any, trie: dict, out: dict) -> None:
    """The spans of the pointers in `trie` (trie_of) that a fast-pass tree holds whole, as
    locate() gives them, put in `out` by key, in one walk: each node on their way is visited
    once for all of them, where locate() looks up each pointer part by part (a pod's findings
    are at ~8 pointers: its name, its pod spec, each container's name and imagePullPolicy).
    A key is looked for first where the trie last found it (documents of a kind are laid out
    alike), then in the whole mapping. A pointer not there whole, or through a key that
    _child finds through its index only (a tag; a plain key the loading pass did not
    memoise; a merge), is left out: locate() places it. (Keys are unique in a fast-pass
    tree, so the key found here is the one _child finds.)"""
    memo, _, mapping = positions._FAST or positions._fast()
    cls = node.__class__
    if cls is mapping:
        pairs = node.args[1]
        n = len(pairs)
        if not n:
            return
        lean = pairs[0][0].__class__ is tuple  # (a lean tree: every key a tuple)
        for part, entry in trie.items():
            sub, ends, hint = entry
            if hint < n:
                knode, value = pairs[hint]
                tag, text, _, _, style = knode if lean else knode.args
                found = tag is None and (text if style else memo.get(text)) == part
            else:
                found = False
            if not found:
                for i, (knode, value) in enumerate(pairs):
                    tag, text, _, _, style = knode if lean else knode.args
                    if tag is None and (text if style else memo.get(text)) == part:
                        entry[2] = i
                        break
                else:
                    continue
            for at, key in ends:
                if key in out:
                    continue
                # positions.found_span(), inline for a lean tree's scalar value or key
                v = knode if at == "key" else value
                if v.__class__ is tuple:
                    _, _, s, e, _ = v
                    out[key] = _span(Span, (s.line + 1, s.column + 1, e.line + 1, e.column + 1))
                else:
                    out[key] = found_span(knode, value, at)
            if sub is not None:
                place_all(value, sub, out)
    elif cls is _SEQUENCE:  # (a lean or a composed tree's sequence)
        items = node.args[1]
        n = len(items)
        for part, (sub, ends, _) in trie.items():
            if part.__class__ is int and 0 <= part < n:
                value = items[part]
                for at, key in ends:
                    if key not in out:
                        out[key] = found_span(None, value, at)
                if sub is not None:
                    place_all(value, sub, out)


try:
    from .fastload import _Sequence as _SEQUENCE
except ImportError:  # pragma: no cover - without PyYAML's C layer no tree is the fast pass's
    _SEQUENCE = None
