"""The cross-object stage composes a document it places a finding in from that document's
bytes alone (loader.alone_in_file) when the file's text was its bytes: the same node, marks
and positions as composing it from the whole text (LazyNodes.fast), and the whole-text way
whenever the file is not as the per-file stage read it."""

import os

from kubelint import engine, loader
from kubelint.engine import Settings, run

TEXTS = [
    "a: 1\nb: [1, 2]\n---\nc: {d: e}\n",
    "---\n\n  k: v\n...\n---\nz: 1\n",
    "# top\n\nkind: A\n---\n# x\nkind: B  # c\n--- |\n  text\n---\n- 1\n",
    "--- a\n--- b\n",
    "a: 1\n---\n",
    "a: 1\n---",
    "x:\n  y:\n    - 1\n    - {z: 2}\n---\n# only a comment\n---\nlast: true",
]


def _marks(node):
    """Every node's kind, value and marks, depth first."""
    out = []
    stack = [node]
    while stack:
        n = stack.pop()
        out.append((type(n).__name__, n.start_mark.line, n.start_mark.column,
                    n.end_mark.line, n.end_mark.column,
                    n.value if isinstance(n.value, str) else None))
        if isinstance(n.value, list):
            for each in reversed(n.value):
                stack.extend(reversed(each) if isinstance(each, tuple) else [each])
    return out


def test_a_document_composed_from_its_own_bytes_is_the_one_composed_from_the_whole_text(tmp_path):
    for k, text in enumerate(TEXTS):
        path = tmp_path / f"t{k}.yaml"
        path.write_bytes(text.encode())
        lines = loader.load_text(str(path), text).lines
        assert lines is not None and loader.simple_text(text, lines), text
        packed = engine._packed_lines(lines, text)
        assert list(packed) == [n for each in lines for n in each] + [len(text)]
        whole = loader.reopen(text, lines)
        for index, _, start in lines:
            alone = loader.alone_in_file(str(path), packed, index)
            if alone is None:  # only where _starts_of does not take the mark as it is
                assert start and text[start - 1] != "\n", (text, index)
                continue
            expected = whole.fast(index, None)
            if isinstance(expected, loader._Nowhere):
                assert isinstance(alone, loader._Nowhere)
            else:
                assert _marks(alone) == _marks(expected), (text, index)
        assert loader.alone_in_file(str(path), packed, 99) is None  # no such document


def test_files_that_are_not_their_bytes_or_changed_since_are_read_whole(tmp_path):
    path = tmp_path / "f.yaml"
    # not the text's bytes (non-ASCII, a byte order mark), or lines not broken at LF only
    for text in ["a: é\n---\nb: 1\n", "\ufeffa: 1\n---\nb: 1\n", "a: 1\r\n---\r\nb: 1\r\n"]:
        lines = loader.load_text(str(path), text).lines
        assert len(engine._packed_lines(lines, text)) == 3 * len(lines), repr(text)
    text = "a: 1\n---\nb: 2\n"
    path.write_text(text)
    lines = loader.load_text(str(path), text).lines
    packed = engine._packed_lines(lines, text)
    assert loader.alone_in_file(str(path), packed, 1).value[0][1].value == "2"
    assert loader.alone_in_file(str(path), packed[:-1], 1) is None  # no length: read whole
    path.write_text(text + "c: 3\n")  # another length since: read whole
    assert loader.alone_in_file(str(path), packed, 1) is None
    path.write_text("a: 1\n----\nb:2\n")  # same length, the document moved
    assert loader.alone_in_file(str(path), packed, 1) is None
    os.remove(path)
    assert loader.alone_in_file(str(path), packed, 1) is None
    os.mkfifo(path)  # not a regular file: not opened for reading (it would block)
    assert loader.alone_in_file(str(path), packed, 1) is None


NODE_PORT = """apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {ns}}}
spec:
  type: NodePort
  selector: {{app: {name}}}
  ports:
    - port: 80
      nodePort: {port}
"""


def test_related_locations_in_files_read_by_their_bytes_or_whole_are_the_same(tmp_path,
                                                                             monkeypatch):
    """KL218 between files, some ASCII (a document read alone), some not (read whole): the
    same findings, related locations included, as when every file is read whole, with one
    process and with the stage shared out."""
    for k in range(60):
        body = "---\n".join(NODE_PORT.format(name=f"s{k}-{d}", ns="default",
                                             port=30000 + (k * 3 + d) % 50) for d in range(3))
        if k % 4 == 0:
            body = "# \u00fcn\u00efcode\n" + body
        (tmp_path / f"f{k:02}.yaml").write_text(body, encoding="utf-8")
    monkeypatch.setattr(engine, "LATE_PARALLEL_MIN_OBJECTS", 10)
    alone = engine.alone_in_file
    calls = []

    def counted(*args):
        found = alone(*args)
        calls.append(found is not None)
        return found

    found = {}
    for how in ("whole", "alone"):
        monkeypatch.setattr(engine, "alone_in_file", counted if how == "alone" else
                            lambda *args: None)
        for jobs in (1, 2):
            result = run([str(tmp_path)], Settings(jobs=jobs, result_cache=False))
            found[how, jobs] = [(f.code, f.path, f.span, f.message, f.related)
                                for f in result.findings]
    assert found["whole", 1] == found["whole", 2] == found["alone", 1] == found["alone", 2]
    assert any(calls)  # (in this process; -j2's other process too)
    kl218 = [f for f in found["whole", 1] if f[0] == "KL218"]
    assert len(kl218) > 50
    for _, path, span, _, related in kl218:
        assert open(path, encoding="utf-8").read().split("\n")[span.line - 1].strip() \
            .startswith("nodePort:")
        [(other, where, _)] = related
        assert open(other, encoding="utf-8").read().split("\n")[where.line - 1].strip() \
            .startswith("nodePort:")
