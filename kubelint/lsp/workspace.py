"""The language server's model of the workspace: every manifest's per-file outcome, kept
between edits, and the cross-object findings over all of them.

An edit re-lints only its document (load + per-object rules); the cross-object stage then
runs over the kept objects, and the documents whose cross-object findings changed are the
ones to publish besides the edited one. Files are grouped by the .kubelint.yaml that governs
them (found upward from each file, as `check` does); each group has its own Linter and sees
only its own objects, as one `kubelint check` of that tree would.
"""

from __future__ import annotations

import os
import re
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

from ..engine import FileOutcome, Linter, Settings, Source, _late, _unused_directives
from ..loader import Loaded, load_text, read
from ..model import Finding
from .chunks import lint_chunked

_KUBE_KEY = re.compile(r"^\s*[\"']?(apiVersion|kind)[\"']?\s*:", re.M)


def is_manifest(loaded: Loaded, text: str) -> bool:
    """A buffer kubelint has something to say about: a document with apiVersion or kind, or
    one that does not parse but looks like it would have (other YAML is left alone)."""
    for d in loaded.documents:
        if isinstance(d.data, dict) and ("apiVersion" in d.data or "kind" in d.data):
            return True
    return bool(loaded.problems) and bool(_KUBE_KEY.search(text))


class FileState:
    __slots__ = ("abspath", "path", "text", "open", "version", "loaded", "outcome", "late", "group",
                 "chunks")

    def __init__(self, abspath: str, path: str) -> None:
        self.abspath = abspath
        self.path = path  # as reported: relative to the workspace root, like `check` there
        self.text: Optional[str] = None
        self.open = False  # the editor's buffer is the truth, not the disk
        self.version: Optional[int] = None
        self.loaded: Optional[Loaded] = None  # kept for open documents (code actions, hover)
        self.outcome: Optional[FileOutcome] = None  # None: not a manifest
        self.late: Tuple[Finding, ...] = ()  # cross-object findings, unused directives
        self.group = ""
        self.chunks: Dict[Any, Any] = {}  # (first line, text) of a document -> its outcome


def settings_from(conf: Any, overrides: Dict[str, Any]) -> Settings:
    """The Settings `kubelint check` would build from this config, with the editor's
    overrides (workspace/didChangeConfiguration) on top."""
    from ..registry import split_refs

    def refs(value: Any) -> List[str]:
        if isinstance(value, str):
            return split_refs([value])
        return split_refs([str(v) for v in value]) if isinstance(value, list) else []

    settings = Settings(
        kubernetes_version=overrides.get("kubernetesVersion") or conf.get("kubernetes-version"),
        strict=overrides["strict"] if isinstance(overrides.get("strict"), bool) else conf.get("strict", True),
        select=refs(overrides.get("select")) or list(conf.get("select") or []),
        ignore=list(conf.get("ignore") or []) + refs(overrides.get("ignore")),
        rules=dict(conf.get("rules") or {}),
        per_file_ignores=dict(conf.get("per-file-ignores") or {}),
        exclude=list(conf.get("exclude") or []),
        rule_dirs=conf.paths("rule-dirs"),
        default_namespace=conf.get("default-namespace", "default"),
        jobs=1,
        crds=conf.paths("crds"),
        schema_dirs=conf.paths("schema-dirs"),
        cross_object_scope=conf.get("cross-object-scope", "folder"),
    )
    if conf.get("pod-security") is not None and hasattr(settings, "pod_security"):
        settings.pod_security = conf.get("pod-security")
    if "max-file-size" in conf:
        settings.max_file_size = conf["max-file-size"]
    return settings


class Workspace:
    def __init__(self, root: Optional[str], overrides: Optional[Dict[str, Any]] = None) -> None:
        self.root = os.path.abspath(root) if root else None
        self.overrides: Dict[str, Any] = dict(overrides or {})
        self.files: Dict[str, FileState] = {}
        self.linters: Dict[str, Linter] = {}
        self._configs: Dict[str, Any] = {}  # directory -> Config
        self.errors: List[str] = []  # configuration problems to show the user once
        self.indexed = False

    # configuration ---------------------------------------------------------------------------

    def reconfigure(self, overrides: Optional[Dict[str, Any]] = None) -> None:
        if overrides is not None:
            self.overrides = dict(overrides)
        self.linters.clear()
        self._configs.clear()
        for state in self.files.values():
            state.group = ""
            state.chunks = {}

    def _config(self, directory: str) -> Any:
        conf = self._configs.get(directory)
        if conf is None:
            from .. import config as configmod

            try:
                conf = configmod.discover(None, directory)
            except configmod.ConfigError as e:
                self.errors.append(f"kubelint: invalid configuration: {e}")
                conf = configmod.Config({})
            self._configs[directory] = conf
        return conf

    def linter_for(self, state: FileState) -> Linter:
        conf = self._config(os.path.dirname(state.abspath))
        key = conf.path or ""
        state.group = key
        linter = self.linters.get(key)
        if linter is None:
            try:
                linter = Linter(settings_from(conf, self.overrides))
            except Exception as e:  # unknown version, bad rule-dirs: say so, lint with defaults
                self.errors.append(f"kubelint: {e}; using the defaults")
                linter = Linter(settings_from(type(conf)({}), {}))
            self.linters[key] = linter
        return linter

    # files -----------------------------------------------------------------------------------

    def report_path(self, abspath: str) -> str:
        if self.root and (abspath == self.root or abspath.startswith(self.root + os.sep)):
            return os.path.relpath(abspath, self.root)
        return abspath

    def state(self, abspath: str) -> FileState:
        state = self.files.get(abspath)
        if state is None:
            state = self.files[abspath] = FileState(abspath, self.report_path(abspath))
        return state

    def lint(self, state: FileState) -> None:
        """Re-lint one file's text (per-file stage only)."""
        linter = self.linter_for(state)
        if state.text is None or self.excluded(state):
            state.outcome, state.loaded, state.late = None, None, ()
            return
        # The first lint of a file is whole (faster than 50 small ones); its documents'
        # outcomes are kept from the first edit on, or by warm() when the server is idle.
        got = lint_chunked(linter, state.path, state.text, state.chunks) \
            if state.open and state.chunks else None
        if got is not None:
            outcome, loaded, state.chunks = got
        else:
            state.chunks = {}
            loaded = load_text(state.path, state.text)
            outcome = None
        if not is_manifest(loaded, state.text):
            state.outcome, state.loaded, state.late = None, None, ()
            return
        state.outcome = outcome or linter.lint_loaded(state.path, loaded)
        state.loaded = loaded if state.open else None

    def warm(self, state: FileState) -> bool:
        """Fill an open file's per-document cache (idle time); False if there was nothing to do."""
        if not state.open or state.chunks or state.text is None or state.outcome is None:
            return False
        got = lint_chunked(self.linter_for(state), state.path, state.text, {})
        state.chunks = got[2] if got is not None else {None: None}  # {None: None}: not splittable
        return True

    def load_disk(self, abspath: str) -> Optional[FileState]:
        """(Re)read a file from disk into the index; None if it is not a manifest any more."""
        state = self.state(abspath)
        if state.open:
            return state
        text, problem = read(abspath)
        state.text = text if problem is None else None
        self.lint(state)
        if state.outcome is None:
            self.files.pop(abspath, None)
            return None
        return state

    def remove(self, abspath: str) -> Optional[FileState]:
        return self.files.pop(abspath, None)

    def sources(self) -> List[str]:
        """The manifests `kubelint check` would lint from the root (same walk and excludes)."""
        if not self.root:
            return []
        conf = self._config(self.root)
        from ..discover import discover as walk

        found = walk([self.root], list(conf.get("exclude") or []),
                     base=conf.base if conf.path else self.root, render=())
        return [os.path.abspath(s.real) for s in found.sources if s.real]

    def excluded(self, state: FileState) -> bool:
        """An open buffer under the `exclude:` of its config (Helm templates, say) is left
        alone, as `check` leaves it out of a walk."""
        conf = self._config(os.path.dirname(state.abspath))
        patterns = list(conf.get("exclude") or [])
        if not patterns or "://" in state.abspath:
            return False
        from ..discover import Excludes

        return Excludes(patterns, conf.base if conf.path else self.root).excluded(state.abspath)

    # the cross-object stage --------------------------------------------------------------------

    def cross(self) -> Set[str]:
        """Run the cross-object stage over every group; the abspaths whose cross-object
        findings changed."""
        changed: Set[str] = set()
        groups: Dict[str, List[FileState]] = {}
        for state in self.files.values():
            if state.outcome is not None:
                groups.setdefault(state.group, []).append(state)
        for key, states in groups.items():
            linter = self.linters.get(key)
            if linter is None:
                continue
            outcomes = [s.outcome for s in states]
            sources = [Source(s.path, None, (s.text or "").encode("utf-8", "surrogatepass"),
                              unit=os.path.dirname(s.path))
                       for s in states]
            keep = {s.path: s.loaded for s in states if s.loaded is not None}
            for o in outcomes:  # a directive's use is recomputed with the cross-object stage
                for d in o.directives.items:
                    d.used = False
            for s in states:
                linter.suppress(list(s.outcome.findings) + list(s.outcome.suppressed), s.path,
                                s.outcome.directives, {})
            kept, _ = _late(linter, sources, outcomes, keep)
            kept.extend(_unused_directives(linter, outcomes))
            by_path: Dict[str, List[Finding]] = {}
            for f in kept:
                by_path.setdefault(f.path, []).append(f)
            for s in states:
                new = tuple(sorted(by_path.get(s.path, ()), key=Finding.sort_key))
                if _shown(new) != _shown(s.late):
                    changed.add(s.abspath)
                s.late = new
        return changed

    def findings(self, state: FileState) -> List[Finding]:
        if state.outcome is None:
            return []
        return sorted(list(state.outcome.findings) + list(state.late), key=Finding.sort_key)


def _shown(findings: Iterable[Finding]) -> Tuple[Any, ...]:
    return tuple((f.code, f.span, f.message, f.related) for f in findings)
