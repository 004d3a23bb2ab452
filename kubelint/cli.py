"""The command line: parses options, calls engine.run(), renders, picks the exit code.

Exit codes: 0 no unsuppressed finding at or above --fail-level; 1 there is one; 2 usage or
configuration error, a path that does not exist, or an internal error (one line, never a
traceback)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Iterable, List, Optional, Union

import typer

if TYPE_CHECKING:
    from .config import Config
    from .registry import Registry

from . import __version__

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  pretty_exceptions_enable=False,
                  help="Fast, offline linter and validator for Kubernetes manifests.")

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kubelint {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Show the version and exit.")) -> None:
    """Fast, offline linter and validator for Kubernetes manifests."""


def _fail(message: str) -> None:
    typer.echo(f"kubelint: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)


@app.command()
def check(
    paths: List[str] = typer.Argument(None, help="Files, directories (recursive), or - for stdin. Default: ."),
    format: List[str] = typer.Option([], "--format", "-f",
                                     help="text, json, sarif, github, junit or gitlab (default text; github "
                                          "when GITHUB_ACTIONS=true). Repeatable: the n-th --output takes "
                                          "the n-th --format, the rest go to stdout."),
    output: List[str] = typer.Option([], "--output", "-o", help="Write the report to FILE."),
    kubernetes_version: Optional[str] = typer.Option(None, "--kubernetes-version", "-k",
                                                     help="Target version X.Y (default: newest bundled)."),
    target_version: List[str] = typer.Option([], "--target-version",
                                             help="Also report what breaks when the cluster is upgraded "
                                                  "to X.Y (repeatable)."),
    strict: Optional[bool] = typer.Option(None, "--strict/--no-strict",
                                          help="Unknown fields are errors (default: strict, like kubectl apply)."),
    select: List[str] = typer.Option([], "--select", help="Rules to enable: codes, code prefixes or names, comma-separated."),
    ignore: List[str] = typer.Option([], "--ignore", help="Rules to disable."),
    fail_level: Optional[str] = typer.Option(None, "--fail-level", help="error, warning or info (default warning)."),
    config: Optional[str] = typer.Option(None, "--config", help="Config file (default: .kubelint.yaml found upward)."),
    crd: List[str] = typer.Option([], "--crd", help="File or folder with CustomResourceDefinitions (repeatable)."),
    policy: List[str] = typer.Option([], "--policy", help="File or folder with ValidatingAdmissionPolicies, "
                                                          "their bindings and params, evaluated on the input (repeatable)."),
    schema_dir: List[str] = typer.Option([], "--schema-dir",
                                         help="Folder of extra JSON schemas, kubernetes-json-schema layout (repeatable)."),
    stdin_filename: Optional[str] = typer.Option(None, "--stdin-filename", help="Path to report for stdin."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1,
                                       help="Worker processes (default: CPU count); output is identical to -j 1."),
    color: str = typer.Option("auto", "--color", help="auto, always or never (NO_COLOR is respected)."),
    show_suppressed: bool = typer.Option(False, "--show-suppressed", help="List suppressed findings too."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even with findings."),
    fix: bool = typer.Option(False, "--fix", help="Apply safe fixes in place (comments and layout kept), "
                                                  "then report what is left. With stdin: print the fixed text."),
    diff: bool = typer.Option(False, "--diff", help="Print the fixes as a unified diff and change nothing "
                                                    "(exit 1 when there would be changes)."),
    unsafe_fixes: bool = typer.Option(False, "--unsafe-fixes",
                                      help="With --fix/--diff: also apply fixes that change behaviour."),
    no_ignore: bool = typer.Option(False, "--no-ignore",
                                   help="Do not honour .gitignore, .git/info/exclude and .kubelintignore in walks."),
    show_skipped: bool = typer.Option(False, "--show-skipped",
                                      help="List walked files skipped as not Kubernetes manifests, with the reason."),
    context: Optional[str] = typer.Option(
        None, "--context", help="Lint this folder too (cross-object rules, kustomize overlays see all of "
                                "it) but report findings in the given paths only: what the pre-commit "
                                "hook runs, so the answer does not depend on how files are batched."),
    no_cache: bool = typer.Option(False, "--no-cache",
                                  help="Do not read or write the per-file result cache."),
) -> None:
    """Lint manifests."""
    try:
        if context is not None and _precommit_defers():
            raise typer.Exit(EXIT_OK)
        code = _check(_paths(paths, stdin_filename), format, output, kubernetes_version, strict,
                      select, ignore, fail_level, config, stdin_filename, color, show_suppressed,
                      exit_zero, jobs, crd, schema_dir, fix_mode="diff" if diff else "fix" if fix else None,
                      unsafe_fixes=unsafe_fixes, no_ignore=no_ignore, show_skipped=show_skipped,
                      context=context, target_versions=target_version, policies=policy,
                      no_cache=no_cache)
    except UsageError as e:
        _fail(str(e))
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        _fail("interrupted")
    except BrokenPipeError:  # `kubelint check | head` closed the report's pipe: see main()
        raise
    except Exception as e:  # a bug: one line and exit 2, never a bare traceback
        if os.environ.get("KUBELINT_DEBUG"):
            raise
        _fail(f"internal error: {type(e).__name__}: {e} (set KUBELINT_DEBUG=1 for a traceback)")
    raise typer.Exit(code)


def _paths(paths: Optional[List[str]], stdin_filename: Optional[str]) -> List[str]:
    """The paths to lint. `--stdin-filename` alone means stdin; with paths but no `-` it is a
    usage error. No path with data piped in is a usage error too, rather than linting `.` and
    ignoring the pipe."""
    if paths:
        if stdin_filename and "-" not in paths:
            raise UsageError("--stdin-filename names what is read from stdin: add `-` to the "
                             "paths, or drop --stdin-filename")
        return list(paths)
    if stdin_filename:
        return ["-"]
    if _data_on_stdin():
        raise UsageError("input is piped to kubelint but no path was given: use `kubelint check -` "
                         "(with --stdin-filename NAME to name it), or give the paths to lint")
    return ["."]


def _data_on_stdin() -> bool:
    """True when stdin is a pipe or a file with data ready now. Never blocks: a pipe nobody
    writes to (CI runners, hooks) counts as no data."""
    import select
    import stat

    try:
        fd = sys.stdin.fileno()
        mode = os.fstat(fd).st_mode
    except (AttributeError, OSError, ValueError):
        return False
    if stat.S_ISREG(mode):
        try:
            return os.fstat(fd).st_size > os.lseek(fd, 0, os.SEEK_CUR)
        except OSError:
            return False
    if not stat.S_ISFIFO(mode):
        return False
    try:
        ready, _, _ = select.select([fd], [], [], 0.05)
    except (OSError, ValueError):
        return False
    if not ready:
        return False
    import fcntl  # a readable pipe may be at EOF: look without consuming

    try:
        import termios

        buf = bytearray(4)
        fcntl.ioctl(fd, termios.FIONREAD, buf)
        return int.from_bytes(buf, sys.byteorder) > 0
    except OSError:
        return False


def _check(paths, fmt, output, kubernetes_version, strict, select, ignore, fail_level, config_path,
           stdin_filename, color, show_suppressed, exit_zero, jobs=None, crds=(), schema_dirs=(),
           fix_mode=None, unsafe_fixes=False, no_ignore=False, show_skipped=False,
           context=None, target_versions=(), policies=(), no_cache=False) -> int:
    from . import config as configmod
    from .engine import Settings, run
    from .formatters import FORMATTERS, RenderContext, chunks, get, repo_root
    from .k8s_schema import UnknownVersion, check_version, latest_version
    from .model import Severity
    from .registry import Registry, RuleError, split_refs

    formats = list(fmt) or ["github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"]
    for name in formats:
        if name not in FORMATTERS:
            raise UsageError(f"unknown format {name!r}: use {', '.join(FORMATTERS)}")
    outputs = list(output)
    if len(outputs) > len(formats):
        raise UsageError("more --output than --format: give each output file its format")
    targets = [(name, outputs[i] if i < len(outputs) else None) for i, name in enumerate(formats)]
    if sum(1 for _, target in targets if target is None) > 1:
        raise UsageError("several formats would go to stdout: give all but one an --output")
    if color not in ("auto", "always", "never"):
        raise UsageError(f"--color takes auto, always or never, not {color!r}")

    # configuration: file first, the command line overrides it
    start = _config_start(paths, stdin_filename)
    conf = _config(config_path, start)

    def make(conf: "Config") -> Settings:
        """One config's settings; the command-line flags win over it."""
        made = Settings(
            kubernetes_version=kubernetes_version or conf.get("kubernetes-version"),
            strict=strict if strict is not None else conf.get("strict", True),
            select=split_refs(select) or list(conf.get("select") or []),
            ignore=list(conf.get("ignore") or []) + split_refs(ignore),
            rules=dict(conf.get("rules") or {}),
            per_file_ignores=dict(conf.get("per-file-ignores") or {}),
            exclude=list(conf.get("exclude") or []),
            rule_dirs=conf.paths("rule-dirs"),
            default_namespace=conf.get("default-namespace", "default"),
            stdin_filename=stdin_filename,
            jobs=jobs or os.cpu_count() or 1,
            crds=conf.paths("crds") + list(crds),
            schema_dirs=conf.paths("schema-dirs") + list(schema_dirs),
            policies=conf.paths("policies") + list(policies),
            pod_security=conf.get("pod-security"),
            use_ignore_files=not no_ignore,
            config=conf if conf.path else None,
            target_versions=list(target_versions) or list(conf.get("target-versions") or []),
            pod_label_paths=conf.get("pod-label-paths"),
            cross_object_scope=conf.get("cross-object-scope", "folder"),
            result_cache=not no_cache and not fix_mode,
        )
        if "max-file-size" in conf:
            made.max_file_size = conf["max-file-size"]
        return made

    def nested(path: Optional[str]) -> Settings:
        """The settings of a file whose nearest .kubelint.yaml is not the root's."""
        try:
            other = configmod.load(path) if path else configmod.Config({})
            made = make(other)
            if other:
                same = made.rule_dirs == settings.rule_dirs
                configmod.check_rules(other, registry if same else Registry.load(made.rule_dirs))
        except configmod.ConfigError as e:
            raise UsageError(f"invalid configuration:\n{e}") from None
        except RuleError as e:
            raise UsageError(str(e)) from None
        return made

    settings = make(conf)
    if config_path is None:  # --config: one configuration for every file
        settings.config_start, settings.for_config = start, nested

    for d in settings.schema_dirs:
        if not os.path.isdir(d):
            raise UsageError(f"--schema-dir: not a directory: {d}")
    try:
        level = Severity.parse(fail_level or conf.get("fail-level", "warning"))
    except ValueError as e:
        raise UsageError(str(e)) from None
    try:
        registry = Registry.load(settings.rule_dirs)
        if conf:
            configmod.check_rules(conf, registry)
        for ref in settings.select + settings.ignore:
            registry.match(ref)
    except configmod.ConfigError as e:
        raise UsageError(f"invalid configuration:\n{e}") from None
    except RuleError as e:
        raise UsageError(str(e)) from None

    # bounded: a larger buffer is refused as a finding, like a large file
    stdin_bytes = sys.stdin.buffer.read(settings.max_file_size + 1) if "-" in paths else None
    if unsafe_fixes and not fix_mode:
        raise UsageError("--unsafe-fixes goes with --fix or --diff")
    if fix_mode:
        code = _fix(paths, settings, registry, fix_mode, unsafe_fixes, stdin_bytes, level)
        if code is not None:
            return code
    progress = None
    if sys.stderr.isatty() and all(name == "text" or target for name, target in targets):
        progress = _Progress()
    reported = None
    if context is not None:
        if not os.path.isdir(context):
            raise UsageError(f"--context: not a directory: {context}")
        reported = {os.path.normpath(p) for p in paths if p != "-"}
        paths = [context] + [p for p in paths if p == "-"]
    # the one report is the plain text one (formatters/text.py's _plain: no colour, no source
    # lines, no suppressed findings), which reads findings by position: the run may give them
    # as plain tuples (Linter.rows)
    plain = targets == [("text", None)] and not show_suppressed and reported is None and \
        color != "always" and not sys.stdout.isatty()
    try:
        result = run(paths, settings, stdin=stdin_bytes, registry=registry,
                     progress=progress.update if progress else None, plain=plain)
        if reported is not None:
            result = _only(result, reported)
    except UnknownVersion as e:
        raise UsageError(str(e)) from None
    except RuleError as e:
        raise UsageError(str(e)) from None
    finally:
        if progress is not None:
            progress.clear()

    stream_tty = sys.stdout.isatty()
    use_color = color == "always" or (color == "auto" and stream_tty and not os.environ.get("NO_COLOR"))

    def source_text(path: str) -> Optional[str]:
        """The file's text for the terminal view's source lines."""
        if path == (stdin_filename or "<stdin>") and stdin_bytes is not None:
            return stdin_bytes.decode("utf-8", "replace")
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return None

    version = settings.kubernetes_version
    kube_version = check_version(version) if version else latest_version()
    root = repo_root(os.getcwd())
    for name, target in targets:
        to_terminal = target is None and stream_tty
        ctx = RenderContext(kube_version, color=use_color and target is None,
                            rich=to_terminal and name == "text", show_suppressed=show_suppressed,
                            sources=source_text, root=root, show_skipped=show_skipped)
        _write(chunks(name)(result, ctx), target)
    if all(target for _, target in targets):
        # every report went to a file: a failing CI step still says why in its log
        ctx = RenderContext(kube_version, color=sys.stderr.isatty() and use_color,
                            show_skipped=show_skipped)
        sys.stderr.write(get("text")(result, ctx))
        sys.stderr.flush()
    for missing in result.missing:
        typer.echo(f"kubelint: no such file or directory: {missing}", err=True)
    if result.missing:
        return EXIT_USAGE
    if exit_zero:
        return EXIT_OK
    # (by position: a plain run's rows, model.ROW_FIELDS, or Findings)
    from .model import are_rows

    at = 10 if are_rows(result.findings) else 2
    return EXIT_FINDINGS if any(f[at] >= level for f in result.findings) else EXIT_OK


def _fix(paths, settings, registry, mode, unsafe, stdin_bytes, level) -> Optional[int]:
    """--diff: print the diffs, exit 1 if any. --fix: write the files and return None (the
    check then reports what is left); on stdin, print the fixed text instead of a report."""
    from .engine import Linter, discover
    from .fix import fix_sources, unified_diff, write_fixed
    from .k8s_schema import UnknownVersion
    from .registry import RuleError

    try:
        linter = Linter(settings, registry)
    except (UnknownVersion, RuleError) as e:
        raise UsageError(str(e)) from None
    sources, missing = discover(paths, settings.exclude, settings.stdin_filename, settings)
    for m in missing:
        raise UsageError(f"no such file or directory: {m}")
    results = fix_sources(linter, sources, unsafe, stdin_bytes)
    changed = fixed = 0
    for src, res in results:
        for f in res.unfixable:
            typer.echo(f"kubelint: {res.path}:{f.line}:{f.column}: {f.code} has a fix that cannot "
                       "be applied to this file's layout; fix it by hand", err=True)
        if res.after == res.before:
            continue
        changed += 1
        fixed += len(res.fixed)
        if mode == "diff":
            sys.stdout.write(unified_diff(res.path, res.before, res.after))
        elif src.real is not None:
            write_fixed(src.real, res.after)
    if mode == "diff":
        sys.stdout.flush()
        return EXIT_FINDINGS if changed else EXIT_OK
    if "-" in paths:
        from .engine import run

        text = next((res.after for src, res in results if src.real is None), None)
        if text is not None:
            sys.stdout.write(text)
            sys.stdout.flush()
            left = run([paths[paths.index("-")]], settings, stdin=text.encode("utf-8"), registry=registry)
            return EXIT_FINDINGS if any(f.severity >= level for f in left.findings) else EXIT_OK
    if fixed:
        typer.echo(f"kubelint: fixed {fixed} finding{'s' if fixed != 1 else ''} in {changed} "
                   f"file{'s' if changed != 1 else ''}", err=True)
    return None


def _only(result, reported):
    """The part of a --context run that concerns the given paths."""
    def mine(path: str) -> bool:
        return os.path.normpath(path) in reported or path.startswith("<")

    return result._replace(findings=[f for f in result.findings if mine(f.path)],
                           suppressed=[f for f in result.suppressed if mine(f.path)],
                           files=[r for r in result.files if mine(r.path)],
                           skipped=[s for s in result.skipped if mine(s[0])])


def _precommit_defers() -> bool:
    """Under pre-commit, the per-file hook stays silent when the repository also enables
    `kubelint-project` (which reports every finding, these included): enabling both, as
    earlier READMEs suggested, must not print every finding twice."""
    if os.environ.get("PRE_COMMIT") != "1":
        return False
    skip = {h.strip() for h in os.environ.get("SKIP", "").split(",")}
    if "kubelint-project" in skip:
        return False
    try:
        from ruamel.yaml import YAML

        with open(".pre-commit-config.yaml", encoding="utf-8") as f:
            conf = YAML(typ="safe").load(f)
        return any(isinstance(h, dict) and h.get("id") == "kubelint-project"
                   for repo in conf.get("repos") or [] for h in repo.get("hooks") or [])
    except Exception:  # no config, or one pre-commit itself will complain about
        return False


class _Progress:
    """`linting 1200/5000 files` on stderr, for long runs on a terminal only."""

    MIN_FILES = 200

    def __init__(self) -> None:
        import time

        self._clock = time.monotonic
        self._last = 0.0
        self._shown = False

    def update(self, done: int, total: int) -> None:
        now = self._clock()
        if total < self.MIN_FILES or (now - self._last < 0.1 and done != total):
            return
        self._last = now
        self._shown = True
        sys.stderr.write(f"\rlinting {done}/{total} files")
        sys.stderr.flush()

    def clear(self) -> None:
        if self._shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def _config_start(paths: List[str], stdin_filename: Optional[str]) -> str:
    """Where the config search starts: the folder of what is linted (the --stdin-filename's
    for stdin), so a file gets the same configuration from any working directory. With
    several paths, their common folder."""
    folders = []
    for p in paths:
        if p == "-":
            if stdin_filename:
                folders.append(os.path.dirname(os.path.abspath(stdin_filename)))
            continue
        full = os.path.abspath(p)
        folders.append(full if os.path.isdir(full) else os.path.dirname(full))
    if not folders:
        return os.getcwd()
    try:
        return os.path.commonpath(folders)
    except ValueError:  # different drives
        return os.getcwd()


def _config(config_path: Optional[str], start: str) -> "Config":
    """The configuration (--config, or found upward from `start`); errors are usage errors."""
    from . import config as configmod

    try:
        return configmod.discover(config_path, start)
    except configmod.ConfigNotFound as e:
        raise UsageError(str(e)) from None
    except configmod.ConfigError as e:
        raise UsageError(f"invalid configuration:\n{e}") from None


def _registry(config_path: Optional[str]) -> "Registry":
    """Built-in rules plus the config's rule-dirs, for `rules` and `explain`."""
    from .registry import Registry, RuleError

    try:
        return Registry.load(_config(config_path, os.getcwd()).paths("rule-dirs"))
    except (UsageError, RuleError) as e:
        _fail(str(e))


@app.command()
def rules(
    format: str = typer.Option("text", "--format", "-f", help="text, json or markdown"),
    config: Optional[str] = typer.Option(None, "--config", help="Config file (for rule-dirs)."),
) -> None:
    """List every rule: code, name, default severity, summary."""
    from .ruledocs import render_rules

    if format not in ("text", "json", "markdown"):
        _fail(f"unknown format {format!r}: use text, json or markdown")
    _write(render_rules(_registry(config).rules, format), None)


@app.command()
def explain(
    rule: str = typer.Argument(..., help="Code (KL101) or name (node-port)."),
    config: Optional[str] = typer.Option(None, "--config", help="Config file (for rule-dirs)."),
) -> None:
    """Show a rule's summary, rationale, fix and examples."""
    from .registry import RuleError
    from .ruledocs import render_explain

    try:
        found = _registry(config).get(rule)
    except RuleError as e:
        _fail(str(e))
    _write(render_explain(found), None)


@app.command()
def lsp(stdio: bool = typer.Option(True, "--stdio", help="Speak LSP over stdin/stdout (the only transport).")) -> None:
    """Language server over stdio: diagnostics, hover, code actions."""
    from .lsp.server import main as serve

    raise typer.Exit(serve())


def _write(text: Union[str, Iterable[str]], output: Optional[str]) -> None:
    """Write a report: its text, or its pieces as they are made (formatters.chunks)."""
    pieces = (text,) if isinstance(text, str) else text
    if output:
        try:
            with open(output, "w", encoding="utf-8") as f:
                for piece in pieces:
                    f.write(piece)
        except OSError as e:
            raise UsageError(f"cannot write {output}: {e.strerror or e}") from None
    else:
        for piece in pieces:
            sys.stdout.write(piece)
        sys.stdout.flush()


def main() -> None:
    try:
        app()
    except BrokenPipeError:  # `kubelint check | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_FINDINGS)


if __name__ == "__main__":
    main()
