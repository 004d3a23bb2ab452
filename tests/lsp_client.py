"""A small, real LSP client: starts `kubelint lsp` as a subprocess and speaks JSON-RPC with
Content-Length framing over its stdin/stdout, as an editor does. Used by the tests and by
benchmarks/lsp_bench.py."""

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time


class LspClient:
    def __init__(self, cwd=None, env=None, argv=None):
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.stderr = tempfile.TemporaryFile()
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(argv or [sys.executable, "-m", "kubelint.cli", "lsp"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr, cwd=cwd, env=full_env)
        self.inbox = queue.Queue()
        self.notifications = []  # (time received, method, params), in order
        self.server_requests = []
        self._id = 0
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.inbox.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            body = out.read(length)
            self.inbox.put((time.perf_counter(), json.loads(body)))

    def _send(self, payload):
        payload["jsonrpc"] = "2.0"
        body = json.dumps(payload).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method, params):
        self._send({"method": method, "params": params})

    def _next(self, timeout):
        item = self.inbox.get(timeout=timeout)
        if item is None:
            raise EOFError("server closed its output: " + self.stderr_text())
        at, msg = item
        if "method" in msg and "id" in msg:  # a request from the server: answer it
            self.server_requests.append(msg)
            self._send({"id": msg["id"], "result": None})
            return at, None
        if "method" in msg:
            self.notifications.append((at, msg["method"], msg.get("params")))
        return at, msg

    def request(self, method, params, timeout=30):
        self._id += 1
        rid = self._id
        self._send({"id": rid, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while True:
            _, msg = self._next(max(0.01, deadline - time.monotonic()))
            if msg is not None and msg.get("id") == rid and "method" not in msg:
                if "error" in msg:
                    raise RuntimeError(msg["error"])
                return msg.get("result")

    def wait(self, method, predicate=lambda p: True, timeout=30, since=0):
        """The first notification `method` (at or after index `since`) that `predicate`
        accepts: (time received, params)."""
        deadline = time.monotonic() + timeout
        seen = since
        while True:
            for i in range(seen, len(self.notifications)):
                at, m, params = self.notifications[i]
                if m == method and predicate(params):
                    return at, params
            seen = len(self.notifications)
            self._next(max(0.01, deadline - time.monotonic()))

    def diagnostics(self, uri, timeout=30, since=0, until=None):
        """The diagnostics of the first publish for `uri` at or after `since`; with `until`,
        of the first whose diagnostics `until` accepts. Cross-object edits make the server
        publish for other files too, and a publish caused by an earlier message may still
        arrive after `since`: tests that expect a change wait for it with `until`."""
        return self.wait("textDocument/publishDiagnostics",
                         lambda p: p["uri"] == uri and (until is None or until(p["diagnostics"])),
                         timeout=timeout, since=since)[1]["diagnostics"]

    def initialize(self, root=None, options=None, capabilities=None):
        result = self.request("initialize", {
            "processId": os.getpid(),
            "rootUri": uri(root) if root else None,
            "workspaceFolders": [{"uri": uri(root), "name": "ws"}] if root else None,
            "capabilities": capabilities or {
                "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}},
                "window": {"showDocument": {"support": True}}},
            "initializationOptions": options or {},
        })
        self.notify("initialized", {})
        return result

    def open(self, path, text, version=1):
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri(path), "languageId": "yaml", "version": version, "text": text}})

    def change(self, path, text, version):
        self.notify("textDocument/didChange", {"textDocument": {"uri": uri(path), "version": version},
                                               "contentChanges": [{"text": text}]})

    def stderr_text(self):
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")

    def close(self):
        try:
            if self.proc.poll() is None:
                self.request("shutdown", None, timeout=10)
                self.notify("exit", None)
                self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        return self.proc.returncode


def uri(path):
    return "file://" + os.path.abspath(path)
