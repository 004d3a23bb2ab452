"""JSON-RPC 2.0 over stdio with LSP's Content-Length framing: the little of it a language
server needs. (Why not pygls: README, design notes -- importing lsprotocol's types costs
~0.6 s of CPU, twice the start-up budget.)

A reader thread parses messages into a queue; the server's single thread takes them off it,
so handlers never race, and whatever arrives while a lint runs is coalesced before the next.
"""

from __future__ import annotations

import json
import queue
import threading
from typing import Any, BinaryIO, Dict, Optional

# JSON-RPC / LSP error codes
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INTERNAL_ERROR = -32603
SERVER_NOT_INITIALIZED = -32002
REQUEST_CANCELLED = -32800

EOF = object()  # put on the queue when the input ends


def read_message(stream: BinaryIO) -> Optional[Any]:
    """One message, None at the end of the input. A malformed body yields a dict with the
    key "__error__"; framing that cannot be recovered ends the input."""
    length = None
    while True:
        line = stream.readline()
        if not line:
            return None
        line = line.strip()
        if not line:
            if length is None:
                continue  # stray blank line between messages
            break
        name, _, value = line.decode("ascii", "replace").partition(":")
        if name.strip().lower() == "content-length":
            try:
                length = int(value.strip())
            except ValueError:
                return None
    body = stream.read(length)
    if len(body) < length:
        return None
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        return {"__error__": str(e)}


class Connection:
    def __init__(self, reader: BinaryIO, writer: BinaryIO) -> None:
        self.reader = reader
        self.writer = writer
        self.inbox: "queue.Queue[Any]" = queue.Queue()
        self._lock = threading.Lock()
        self._next_id = 0
        self.pending: Dict[Any, Any] = {}  # our requests to the client: id -> callback

    def start_reader(self) -> None:
        def pump() -> None:
            while True:
                msg = read_message(self.reader)
                if msg is None:
                    self.inbox.put(EOF)
                    return
                self.inbox.put(msg)

        threading.Thread(target=pump, name="lsp-reader", daemon=True).start()

    def send(self, payload: Dict[str, Any]) -> None:
        payload["jsonrpc"] = "2.0"
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        with self._lock:
            self.writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.writer.flush()

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: Any, callback: Any = None) -> None:
        self._next_id += 1
        rid = f"kubelint-{self._next_id}"
        self.pending[rid] = callback
        self.send({"id": rid, "method": method, "params": params})

    def respond(self, rid: Any, result: Any) -> None:
        self.send({"id": rid, "result": result})

    def error(self, rid: Any, code: int, message: str) -> None:
        self.send({"id": rid, "error": {"code": code, "message": message}})
