"""The `kubelint` command's entry point: `kubelint check ...` without importing typer.

typer (with its copy of click, inspect, typing machinery) costs ~45 ms of CPU at start-up,
as much as linting a small file. For `check` with options written plainly (`--format json`,
`-j 2`, `--select=KL1`, flags, paths), the arguments are parsed here from the declarations of
cli.check itself (names, flags, types and defaults of its typer.Option/Argument parameters),
and cli.check is called with them, cli.py having been imported against a small stand-in for
typer. Anything else -- another command, --help, --version, an option this parser does not
know or a value it would have to convert or check differently (`-fjson`, `--jobs 0`,
`--`) -- goes to typer as before, which parses and reports exactly as it always did.
tests/test_fastcli.py compares this parser with typer's on many command lines."""

from __future__ import annotations

import sys
import types
from typing import Any, Callable, Dict, List, Optional, Sequence


class _Info:
    def __init__(self, default: Any = None, *param_decls: str, **kwargs: Any) -> None:
        self.default = default
        self.param_decls = param_decls
        self.min = kwargs.get("min")


class OptionInfo(_Info):
    pass


class ArgumentInfo(_Info):
    pass


class Exit(Exception):
    def __init__(self, code: int = 0) -> None:
        super().__init__(code)
        self.exit_code = code


def _stand_in() -> types.ModuleType:
    """What cli.py uses of typer, enough to define its commands and run `check`."""
    typer = types.ModuleType("typer")

    class Typer:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pass

        def callback(self, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
            return lambda fn: fn

        command = callback

    def echo(message: Any = None, file: Any = None, nl: bool = True, err: bool = False,
             color: Any = None) -> None:
        stream = file or (sys.stderr if err else sys.stdout)
        stream.write(("" if message is None else str(message)) + ("\n" if nl else ""))
        stream.flush()

    typer.Typer = Typer  # type: ignore[attr-defined]
    typer.Option = OptionInfo  # type: ignore[attr-defined]
    typer.Argument = ArgumentInfo  # type: ignore[attr-defined]
    typer.Exit = Exit  # type: ignore[attr-defined]
    typer.echo = echo  # type: ignore[attr-defined]
    typer.kubelint_stand_in = True  # type: ignore[attr-defined]
    return typer


def parse(fn: Callable[..., Any], args: Sequence[str]) -> Optional[Dict[str, Any]]:
    """The keyword arguments typer would call `fn` (a typer command) with for `args`, or None
    when the command line needs typer (help, errors, forms this parser does not take)."""
    code = fn.__code__  # type: ignore[attr-defined]
    names = code.co_varnames[:code.co_argcount]
    infos = fn.__defaults__ or ()  # type: ignore[attr-defined]
    if len(names) != len(infos):
        return None
    types_ = fn.__annotations__
    flags: Dict[str, Any] = {}
    kwargs: Dict[str, Any] = {}
    argument = None
    for name, info in zip(names, infos):
        kind = type(info).__name__
        hint = types_.get(name, "")
        if kind == "ArgumentInfo":
            if argument is not None or hint != "List[str]" or info.default is not None:
                return None
            argument = name
            continue
        if kind != "OptionInfo":
            return None
        many = hint == "List[str]"
        if many:
            if info.default != []:
                return None
            kwargs[name] = []
        elif hint in ("bool", "Optional[bool]", "str", "Optional[str]", "Optional[int]"):
            kwargs[name] = info.default
        else:
            return None
        for decl in info.param_decls:
            if "/" in decl:
                if hint not in ("bool", "Optional[bool]"):
                    return None
                on, off = decl.split("/")
                flags[on], flags[off] = (name, True), (name, False)
            elif hint == "bool":
                flags[decl] = (name, True)
            elif hint == "Optional[bool]":
                return None
            else:
                flags[decl] = (name, "many" if many else "int" if hint == "Optional[int]" else "str",
                               info.min)
    if argument is None:
        return None
    paths: List[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "-" or not arg.startswith("-"):
            paths.append(arg)
            continue
        value: Optional[str] = None
        if arg.startswith("--") and "=" in arg:
            arg, value = arg.split("=", 1)
        found = flags.get(arg)
        if found is None:
            return None  # --help, --, -fjson, an unknown option: typer says what it is
        name, kind = found[0], found[1]
        if kind is True or kind is False:
            if value is not None:
                return None
            kwargs[name] = kind
            continue
        if value is None:
            if i >= len(args) or (args[i].startswith("-") and args[i] != "-"):
                return None
            value = args[i]
            i += 1
        if kind == "many":
            kwargs[name].append(value)
        elif kind == "int":
            if not (value.isascii() and value.isdigit()):
                return None
            number = int(value)
            if found[2] is not None and number < found[2]:
                return None
            kwargs[name] = number
        else:
            kwargs[name] = value
    kwargs[argument] = paths or None
    return kwargs


def main() -> None:
    argv = sys.argv[1:]
    if argv[:1] == ["check"] and "typer" not in sys.modules and "kubelint.cli" not in sys.modules:
        sys.modules["typer"] = _stand_in()
        try:
            from . import cli

            kwargs = parse(cli.check, argv[1:])
        except Exception:
            kwargs = None
        if kwargs is not None:
            import gc

            from . import engine

            # the process ends after this run: its objects are kept to the end, and no
            # collection runs (once the run re-enabled the collector, the first allocation
            # scanned every object the run had made: ~3% of a 50,000-document run)
            engine.KEEP_ALIVE = []
            gc.disable()
            try:
                cli.check(**kwargs)
                code = 0
            except Exit as e:
                code = e.exit_code
            except BrokenPipeError:  # `kubelint check | head`, as cli.main has it
                code = _devnull_stdout()
            _end(code)
        del sys.modules["typer"]  # typer's turn: cli.py is defined again against the real one
        sys.modules.pop("kubelint.cli", None)
        sys.modules["kubelint"].__dict__.pop("cli", None)
    from .cli import main as typer_main

    typer_main()


def _devnull_stdout() -> int:
    import os

    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    from .cli import EXIT_FINDINGS

    return EXIT_FINDINGS


def _end(code: int) -> None:
    """sys.exit(code) without tearing the interpreter down: freeing every object of a large
    run one by one, and the collections on the way out, took 40-80 ms after the report was
    written. Output flushed and atexit handlers run first, as sys.exit would."""
    import atexit
    import os

    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = _devnull_stdout()
    except OSError:
        code = 2  # the report could not be written
    try:
        sys.stderr.flush()
    except OSError:
        pass
    atexit._run_exitfuncs()
    parallel = sys.modules.get("kubelint.parallel")
    if parallel is not None:
        # children the run did not wait for (long ended by now): reaped, so that their CPU
        # time counts as this command's (time, getrusage of its parent), as with sys.exit
        parallel.reap()
    os._exit(code)


if __name__ == "__main__":
    main()
