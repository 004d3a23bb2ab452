"""cache.cached_code: generated checks (checks/enums.py) compiled once, read back later."""

import builtins
import glob
import os

from kubelint import cache


def test_code_is_compiled_once_and_read_back_for_the_same_source_only(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBELINT_CACHE_DIR", str(tmp_path))
    compiled = []
    real = builtins.compile
    monkeypatch.setattr(builtins, "compile", lambda *a: compiled.append(a[0]) or real(*a))
    source = "def clean(v0):\n    return v0 == 3\n"
    first = cache.cached_code(source, "<KL112>")
    assert compiled == [source]
    second = cache.cached_code(source, "<KL112>")
    assert compiled == [source]  # read back, not compiled again
    for code in (first, second):
        scope: dict = {}
        exec(code, scope)  # noqa: S102
        assert scope["clean"](3) is True and scope["clean"](4) is False
        assert code.co_filename == "<KL112>"
    # a file of that name holding another source (a CRC collision, a stale entry) is not used
    [path] = glob.glob(os.path.join(str(tmp_path), "*", "*.marshal"))
    other = "def clean(v0):\n    return v0 == 4\n"
    import marshal

    with open(path, "wb") as f:
        marshal.dump((other, real(other, "<KL112>", "exec")), f)
    third = cache.cached_code(source, "<KL112>")
    assert compiled == [source, source]
    scope = {}
    exec(third, scope)  # noqa: S102
    assert scope["clean"](3) is True
    with open(path, "wb") as f:
        f.write(b"not marshal")
    assert cache.cached_code(source, "<KL112>") is not None and len(compiled) == 3


def test_without_the_cache_it_compiles(monkeypatch):
    monkeypatch.setenv("KUBELINT_NO_CACHE", "1")
    scope: dict = {}
    exec(cache.cached_code("x = 1\n", "<t>"), scope)  # noqa: S102
    assert scope["x"] == 1
