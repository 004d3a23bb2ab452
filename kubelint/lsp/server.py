"""`kubelint lsp`: diagnostics, hover, code actions over stdio.

One thread handles messages in order. After each batch of queued messages the server lints
the documents that changed (so a burst of keystrokes is linted once: the debounce), then
spends idle time indexing the workspace a few files at a time, so the first diagnostics of
an opened file do not wait for the index.
"""

from __future__ import annotations

import os
import queue
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Set
from urllib.parse import quote, unquote, urlparse

from .. import __version__
from ..model import Finding, Severity
from .jsonrpc import (EOF, INTERNAL_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR,
                      SERVER_NOT_INITIALIZED, Connection)
from .text import Lines
from .workspace import FileState, Workspace

SEVERITY = {Severity.ERROR: 1, Severity.WARNING: 2, Severity.INFO: 3}
SUFFIXES = (".yaml", ".yml", ".json")
INDEX_CHUNK = 25  # files indexed between looks at the inbox
EXPLAIN = "kubelint.explain"


def uri_to_path(uri: str) -> str:
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        path = unquote(parsed.path)
        if os.name == "nt" and path.startswith("/") and path[2:3] == ":":
            path = path[1:]
        return os.path.abspath(path)
    return uri  # untitled: buffers are linted under their URI


def path_to_uri(path: str) -> str:
    if "://" in path or path.startswith("untitled:"):
        return path
    return "file://" + quote(os.path.abspath(path).replace(os.sep, "/"))


class Server:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.ws = Workspace(None)
        self.initialized = False
        self.shutdown = False
        self.utf16 = True
        self.show_document = False
        self.watch_dynamic = False
        self.debounce = 0.0  # seconds after the last change; 0: lint once the inbox is drained
        self.dirty: Dict[str, float] = {}  # abspath -> time of its last change
        self.to_index: List[str] = []
        self.published: Set[str] = set()
        self.handlers: Dict[str, Callable[[Any], Any]] = {
            "initialize": self.initialize, "initialized": self.on_initialized,
            "shutdown": self.on_shutdown, "exit": self.on_exit,
            "textDocument/didOpen": self.did_open, "textDocument/didChange": self.did_change,
            "textDocument/didSave": self.did_save, "textDocument/didClose": self.did_close,
            "textDocument/hover": self.hover, "textDocument/codeAction": self.code_action,
            "workspace/didChangeWatchedFiles": self.did_change_watched,
            "workspace/didChangeConfiguration": self.did_change_configuration,
            "workspace/executeCommand": self.execute_command,
            "$/cancelRequest": lambda p: None, "$/setTrace": lambda p: None,
        }

    # the loop ------------------------------------------------------------------------------

    def serve(self) -> int:
        self.conn.start_reader()
        while True:
            timeout = self._timeout()
            try:
                msg = self.conn.inbox.get(timeout=timeout) if timeout != 0 else \
                    self.conn.inbox.get_nowait()
            except queue.Empty:
                self.idle()
                continue
            if msg is EOF:
                return 0 if self.shutdown else 1
            self.dispatch(msg)
            if self.exit_code is not None:
                return self.exit_code

    exit_code: Optional[int] = None

    def _timeout(self) -> Optional[float]:
        """How long to wait for a message before doing pending work (None: forever)."""
        if self.dirty:
            due = min(self.dirty.values()) + self.debounce - time.monotonic()
            return max(0.0, due)
        if self.to_index or any(s.open and not s.chunks and s.outcome is not None
                                for s in self.ws.files.values()):
            return 0
        return None

    def dispatch(self, msg: Any) -> None:
        if not isinstance(msg, dict):
            return self.conn.error(None, INVALID_REQUEST, "not a JSON-RPC message")
        if "__error__" in msg:
            return self.conn.error(None, PARSE_ERROR, msg["__error__"])
        method, rid = msg.get("method"), msg.get("id")
        if method is None:  # a response to one of our requests
            callback = self.conn.pending.pop(rid, None)
            if callback is not None and "result" in msg:
                callback(msg["result"])
            return
        if not self.initialized and method not in ("initialize", "exit") and rid is not None:
            return self.conn.error(rid, SERVER_NOT_INITIALIZED, "initialize first")
        handler = self.handlers.get(method)
        if handler is None:
            if rid is not None:
                self.conn.error(rid, METHOD_NOT_FOUND, f"unsupported method {method}")
            return
        try:
            result = handler(msg.get("params") or {})
        except Exception as e:  # a bug must not end the session
            if os.environ.get("KUBELINT_DEBUG"):
                raise
            self.log(f"internal error in {method}: {type(e).__name__}: {e}")
            if rid is not None:
                self.conn.error(rid, INTERNAL_ERROR, f"{type(e).__name__}: {e}")
            return
        if rid is not None:
            self.conn.respond(rid, result)

    def idle(self) -> None:
        now = time.monotonic()
        due = [p for p, t in self.dirty.items() if now - t >= self.debounce]
        if due:
            for p in due:
                del self.dirty[p]
            self.relint(due)
            return
        for state in self.ws.files.values():
            if self.ws.warm(state):
                return
        if self.to_index:
            chunk, self.to_index = self.to_index[:INDEX_CHUNK], self.to_index[INDEX_CHUNK:]
            for path in chunk:
                if path not in self.ws.files or not self.ws.files[path].open:
                    self.ws.load_disk(path)
            if not self.to_index:
                self.ws.indexed = True
                self.publish_changed(self.ws.cross(), force_open=True)

    # lifecycle -----------------------------------------------------------------------------

    def initialize(self, params: Dict[str, Any]) -> Dict[str, Any]:
        caps = params.get("capabilities") or {}
        encodings = ((caps.get("general") or {}).get("positionEncodings")) or []
        self.utf16 = "utf-32" not in encodings
        self.show_document = bool(((caps.get("window") or {}).get("showDocument") or {}).get("support"))
        watched = (caps.get("workspace") or {}).get("didChangeWatchedFiles") or {}
        self.watch_dynamic = bool(watched.get("dynamicRegistration"))
        root = None
        folders = params.get("workspaceFolders") or []
        if folders:
            root = uri_to_path(folders[0]["uri"])
        elif params.get("rootUri"):
            root = uri_to_path(params["rootUri"])
        elif params.get("rootPath"):
            root = params["rootPath"]
        options = params.get("initializationOptions") or {}
        self.ws = Workspace(root, self._overrides(options))
        self.initialized = True
        return {
            "capabilities": {
                "positionEncoding": "utf-16" if self.utf16 else "utf-32",
                "textDocumentSync": {"openClose": True, "change": 2, "save": {"includeText": False}},
                "hoverProvider": True,
                "codeActionProvider": {"codeActionKinds": ["quickfix", "source.fixAll.kubelint"]},
                "executeCommandProvider": {"commands": [EXPLAIN]},
            },
            "serverInfo": {"name": "kubelint", "version": __version__},
        }

    def _overrides(self, options: Any) -> Dict[str, Any]:
        if not isinstance(options, dict):
            return {}
        options = options.get("kubelint", options) if isinstance(options.get("kubelint"), dict) else options
        if isinstance(options.get("debounceMs"), (int, float)):
            self.debounce = max(0.0, float(options["debounceMs"]) / 1000)
        return {k: v for k, v in options.items() if k in ("kubernetesVersion", "select", "ignore", "strict")}

    def on_initialized(self, params: Any) -> None:
        if self.watch_dynamic:
            self.conn.request("client/registerCapability", {"registrations": [{
                "id": "kubelint-watch", "method": "workspace/didChangeWatchedFiles",
                "registerOptions": {"watchers": [{"globPattern": "**/*.{yaml,yml,json}"},
                                                 {"globPattern": "**/.kubelint.yaml"}]}}]})
        self.to_index = self.ws.sources()
        if not self.to_index:
            self.ws.indexed = True

    def on_shutdown(self, params: Any) -> None:
        self.shutdown = True

    def on_exit(self, params: Any) -> None:
        self.exit_code = 0 if self.shutdown else 1

    def log(self, message: str) -> None:
        self.conn.notify("window/logMessage", {"type": 3, "message": message})

    # documents -----------------------------------------------------------------------------

    def did_open(self, params: Dict[str, Any]) -> None:
        doc = params["textDocument"]
        state = self.ws.state(uri_to_path(doc["uri"]))
        state.open, state.text, state.version = True, doc.get("text", ""), doc.get("version")
        self.relint([state.abspath])  # at once: no debounce for a file just opened

    def did_change(self, params: Dict[str, Any]) -> None:
        doc = params["textDocument"]
        state = self.ws.state(uri_to_path(doc["uri"]))
        text = state.text or ""
        for change in params.get("contentChanges") or []:
            if "range" in change and change["range"] is not None:
                lines = Lines(text, self.utf16)
                start = lines.offset(change["range"]["start"])
                end = lines.offset(change["range"]["end"])
                text = text[:start] + change["text"] + text[end:]
            else:
                text = change["text"]
        state.open, state.text, state.version = True, text, doc.get("version")
        self.dirty[state.abspath] = time.monotonic()

    def did_save(self, params: Dict[str, Any]) -> None:
        state = self.ws.files.get(uri_to_path(params["textDocument"]["uri"]))
        if state is not None:
            if params.get("text") is not None:
                state.text = params["text"]
            self.dirty[state.abspath] = 0.0  # due now

    def did_close(self, params: Dict[str, Any]) -> None:
        path = uri_to_path(params["textDocument"]["uri"])
        state = self.ws.files.get(path)
        self.dirty.pop(path, None)
        if state is None:
            return
        state.open = False
        state.loaded = None
        if os.path.isfile(path) and path.endswith(SUFFIXES) and self.ws.root and \
                state.path != state.abspath:
            self.ws.load_disk(path)  # back to the disk's version, still part of the workspace
        else:
            self.ws.remove(path)
        self.publish_changed(self.ws.cross() if self.ws.indexed else set())
        self.conn.notify("textDocument/publishDiagnostics", {"uri": path_to_uri(path), "diagnostics": []})
        self.published.discard(path)

    def relint(self, paths: List[str]) -> None:
        for p in paths:
            state = self.ws.files.get(p)
            if state is not None:
                self.ws.lint(state)
        # Until the workspace is indexed, cross-object rules would see part of it (a CRD
        # not read yet, a Service's pods elsewhere): publish per-file findings only.
        changed = self.ws.cross() if self.ws.indexed else set()
        self.publish_changed(changed | set(paths))
        for message in self.ws.errors:
            self.conn.notify("window/showMessage", {"type": 1, "message": message})
        self.ws.errors.clear()

    def did_change_watched(self, params: Dict[str, Any]) -> None:
        touched: Set[str] = set()
        config_changed = False
        for change in params.get("changes") or []:
            path = uri_to_path(change["uri"])
            if os.path.basename(path) == ".kubelint.yaml":
                config_changed = True
                continue
            if not path.endswith(SUFFIXES):
                continue
            state = self.ws.files.get(path)
            if state is not None and state.open:
                continue  # the buffer wins over the disk
            if change.get("type") == 3:
                if self.ws.remove(path) is not None:
                    self.conn.notify("textDocument/publishDiagnostics",
                                     {"uri": path_to_uri(path), "diagnostics": []})
                    self.published.discard(path)
            else:
                self.ws.load_disk(path)
            touched.add(path)
        if config_changed:
            self.reconfigure(None)
            return
        if touched and self.ws.indexed:
            self.publish_changed(self.ws.cross())

    def did_change_configuration(self, params: Dict[str, Any]) -> None:
        settings = params.get("settings")
        self.reconfigure(self._overrides(settings) if isinstance(settings, dict) else None)

    def reconfigure(self, overrides: Optional[Dict[str, Any]]) -> None:
        self.ws.reconfigure(overrides)
        for state in list(self.ws.files.values()):
            self.ws.lint(state)
        changed = self.ws.cross() if self.ws.indexed else set()
        self.publish_changed(changed, force_open=True)

    # publishing ----------------------------------------------------------------------------

    def publish_changed(self, paths: Set[str], force_open: bool = False) -> None:
        targets = set(paths)
        if force_open:
            targets |= {p for p, s in self.ws.files.items() if s.open}
        for p in sorted(targets):
            state = self.ws.files.get(p)
            if state is not None:
                self.publish(state)

    def publish(self, state: FileState) -> None:
        lines = Lines(state.text or "", self.utf16)
        diagnostics = [self.diagnostic(f, lines) for f in self.ws.findings(state)]
        if not diagnostics and state.abspath not in self.published:
            if not state.open:
                return  # nothing was shown for it: nothing to clear
        params: Dict[str, Any] = {"uri": path_to_uri(state.abspath), "diagnostics": diagnostics}
        if state.open and state.version is not None:
            params["version"] = state.version
        self.conn.notify("textDocument/publishDiagnostics", params)
        if diagnostics:
            self.published.add(state.abspath)
        else:
            self.published.discard(state.abspath)

    def _abspath(self, report_path: str) -> str:
        if os.path.isabs(report_path) or "://" in report_path:
            return report_path
        return os.path.join(self.ws.root or os.getcwd(), report_path)

    def diagnostic(self, f: Finding, lines: "Lines") -> Dict[str, Any]:
        rule = self._rule(f.code)
        d: Dict[str, Any] = {
            "range": lines.range(f.span),
            "severity": SEVERITY.get(f.severity, 2),
            "code": f.code,
            "source": "kubelint",
            "message": f.message + (f"\nhint: {f.hint}" if f.hint else ""),
            "data": {"fingerprint": f.fingerprint, "name": f.name,
                     "fix": None if f.fix is None else ("safe" if f.fix.safe else "unsafe")},
        }
        if rule is not None and rule.source:
            d["codeDescription"] = {"href": path_to_uri(rule.source)}
        related = []
        for r in f.related:
            other = self.ws.files.get(self._abspath(r.path))
            rl = lines if r.path == f.path else Lines(other.text if other and other.text else "", self.utf16)
            related.append({"location": {"uri": path_to_uri(self._abspath(r.path)), "range": rl.range(r.span)},
                            "message": r.message})
        if related:
            d["relatedInformation"] = related
        return d

    def _rule(self, code: str) -> Any:
        for linter in self.ws.linters.values():
            rule = linter.registry.by_code.get(code)
            if rule is not None:
                return rule
        return None

    # hover, code actions, commands ----------------------------------------------------------

    def _at(self, params: Dict[str, Any]) -> Optional[FileState]:
        return self.ws.files.get(uri_to_path(params["textDocument"]["uri"]))

    def hover(self, params: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        state = self._at(params)
        if state is None or state.text is None:
            return None
        lines = Lines(state.text, self.utf16)
        pos = params["position"]
        hits = [f for f in self.ws.findings(state) if lines.contains(f.span, pos)]
        if not hits:
            return None
        from ..ruledocs import render_explain

        parts = []
        for code in dict.fromkeys(f.code for f in hits):
            rule = self._rule(code)
            if rule is not None:
                parts.append(f"**{rule.code} {rule.name}**\n\n```text\n{render_explain(rule).rstrip()}\n```")
        return {"contents": {"kind": "markdown", "value": "\n\n---\n\n".join(parts)}}

    def code_action(self, params: Dict[str, Any]) -> List[Dict[str, Any]]:
        from .actions import code_actions

        state = self._at(params)
        if state is None or state.text is None or state.outcome is None:
            return []
        return code_actions(self, state, params)

    def execute_command(self, params: Dict[str, Any]) -> Any:
        if params.get("command") != EXPLAIN:
            raise ValueError(f"unknown command {params.get('command')}")
        args = params.get("arguments") or []
        code = str(args[0]) if args else ""
        rule = self._rule(code)
        if rule is None:
            from ..registry import Registry

            rule = Registry.load().get(code)
        from ..ruledocs import render_explain

        text = render_explain(rule)
        if self.show_document and rule.source:
            self.conn.request("window/showDocument", {"uri": path_to_uri(rule.source), "takeFocus": True})
        else:
            self.conn.notify("window/showMessage", {"type": 3, "message": text})
        return text


def main() -> int:
    conn = Connection(sys.stdin.buffer, sys.stdout.buffer)
    # nothing else may write to stdout: it is the protocol channel
    sys.stdout = sys.stderr
    code = Server(conn).serve()
    # The reader thread is blocked reading stdin; ending the interpreter normally would
    # wait on its lock (a fatal error at shutdown). Everything has been written and flushed.
    sys.stderr.flush()
    os._exit(code)
