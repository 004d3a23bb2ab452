"""The language server, driven over stdio by a real JSON-RPC client (tests/lsp_client.py):
initialize, open, change, diagnostics with exact ranges, code actions applied, hover,
commands, configuration, and the workspace's cross-object findings kept current."""

import json
import os
import subprocess
import sys

import pytest

from .conftest import kubelint
from .lsp_client import LspClient, uri

DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          imagePullPolicy: always   # a comment
"""


def deploy(name):
    """DEPLOY named `name`: every buffer of the shared workspace defines its own object (the
    same Deployment twice would be a real cross-object finding, KL217)."""
    return DEPLOY.replace("  name: web\nspec:", f"  name: {name}\nspec:")


SERVICE = """\
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
"""


def apply(text, edits):
    """Apply LSP TextEdits (ASCII text: characters are UTF-16 units) to `text`."""
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))

    def off(p):
        return starts[p["line"]] + p["character"]

    for e in sorted(edits, key=lambda e: off(e["range"]["start"]), reverse=True):
        text = text[:off(e["range"]["start"])] + e["newText"] + text[off(e["range"]["end"]):]
    return text


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("ws")
    # the pair the cross-object test edits; other tests' buffers label their pods app: web
    (root / "deploy.yaml").write_text(deploy("shop").replace("imagePullPolicy: always   # a comment\n", "")
                                      .replace("app: web", "app: shop"))
    (root / "svc.yaml").write_text(SERVICE.replace("app: web", "app: shop"))
    (root / "compose.yaml").write_text("services:\n  web: {image: nginx}\n")
    sub = root / "team"
    sub.mkdir()
    (sub / ".kubelint.yaml").write_text("ignore: [KL112]\nexclude: [templates/]\n")
    (sub / "templates").mkdir()
    (sub / "job.yaml").write_text(deploy("team"))
    client = LspClient(cwd=str(root))
    result = client.initialize(str(root))
    assert result["capabilities"]["textDocumentSync"]["change"] == 2
    assert result["serverInfo"]["name"] == "kubelint"
    yield client, root
    assert client.close() == 0


def test_open_change_fix(workspace):
    client, root = workspace
    path = str(root / "edit.yaml")
    DEPLOY = deploy("edit")
    client.open(path, DEPLOY)
    diags = client.diagnostics(uri(path))
    assert len(diags) == 1
    d = diags[0]
    assert d["range"] == {"start": {"line": 14, "character": 27}, "end": {"line": 14, "character": 33}}
    assert (d["severity"], d["code"], d["source"]) == (1, "KL112", "kubelint")
    assert d["codeDescription"]["href"].endswith("/rules/KL112-unsupported-value.yaml")
    assert d["data"]["fix"] == "safe"
    # the fingerprint is the one `kubelint check` gives from the workspace root
    (root / "edit.yaml").write_text(DEPLOY)
    report = json.loads(kubelint("check", "-f", "json", "edit.yaml", cwd=str(root)).stdout)
    assert d["data"]["fingerprint"] == report["findings"][0]["fingerprint"]

    # a quick fix, applied as an editor would, then sent back as a change
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri(path)}, "range": d["range"],
        "context": {"diagnostics": [d]}})
    titles = [a["title"] for a in actions]
    assert titles[:4] == ['write "Always" (KL112)', "Suppress KL112 on this line (comment)",
                          "Suppress KL112 for this object (kubelint.io/ignore annotation)",
                          "Explain KL112 unsupported-value"]
    fixed = apply(DEPLOY, actions[0]["edit"]["changes"][uri(path)])
    assert fixed == DEPLOY.replace("always   # a comment", "Always   # a comment")
    mark = len(client.notifications)
    client.change(path, fixed, 2)
    _, params = client.wait("textDocument/publishDiagnostics",
                            lambda p: p["uri"] == uri(path) and p.get("version") == 2, since=mark)
    assert params["diagnostics"] == []

    # the suppression actions really suppress
    for action in actions[1:3]:
        text = apply(DEPLOY, action["edit"]["changes"][uri(path)])
        mark = len(client.notifications)
        client.change(path, text, 3)
        _, params = client.wait("textDocument/publishDiagnostics",
                                lambda p: p["uri"] == uri(path) and p.get("version") == 3, since=mark)
        assert params["diagnostics"] == [], text
    assert apply(DEPLOY, actions[1]["edit"]["changes"][uri(path)]).splitlines()[14:16] == [
        "          # kubelint: disable=KL112", "          imagePullPolicy: always   # a comment"]


def test_incremental_change_and_utf16_ranges(workspace):
    client, root = workspace
    path = str(root / "pod.yaml")
    text = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
            "    - {name: c, image: \"b\U0001F600:1\", imagePullPolicy: never}\n")
    client.open(path, text)
    (d,) = client.diagnostics(uri(path))
    line = text.splitlines()[5]
    col = line.index("never")
    # the emoji is two UTF-16 code units: one more than its one character
    assert d["range"]["start"] == {"line": 5, "character": col + 1}
    # an incremental edit: replace `never` by `Never`
    mark = len(client.notifications)
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri(path), "version": 2},
        "contentChanges": [{"range": d["range"], "text": "Never"}]})
    _, params = client.wait("textDocument/publishDiagnostics",
                            lambda p: p["uri"] == uri(path) and p.get("version") == 2, since=mark)
    assert params["diagnostics"] == []


def test_other_yaml_is_left_alone_and_config_is_per_folder(workspace):
    client, root = workspace
    path = str(root / "compose.yaml")
    client.open(path, (root / "compose.yaml").read_text())
    assert client.diagnostics(uri(path)) == []
    # team/.kubelint.yaml ignores KL112
    path = str(root / "team" / "job.yaml")
    client.open(path, deploy("team"))
    assert client.diagnostics(uri(path)) == []
    # ... and excludes templates/: a Helm template there is left alone, as `check` leaves it
    path = str(root / "team" / "templates" / "deploy.yaml")
    client.open(path, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n")
    assert client.diagnostics(uri(path)) == []


def test_hover_and_explain(workspace):
    client, root = workspace
    path = str(root / "hover.yaml")
    client.open(path, deploy("hover"))
    client.diagnostics(uri(path))
    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri(path)},
                                                  "position": {"line": 14, "character": 29}})
    assert hover["contents"]["kind"] == "markdown"
    assert hover["contents"]["value"].startswith("**KL112 unsupported-value**")
    assert "Automatic fix" in hover["contents"]["value"]
    assert client.request("textDocument/hover", {"textDocument": {"uri": uri(path)},
                                                 "position": {"line": 0, "character": 0}}) is None
    text = client.request("workspace/executeCommand", {"command": "kubelint.explain", "arguments": ["KL112"]})
    assert text == kubelint("explain", "KL112").stdout.decode()
    shown = [r for r in client.server_requests if r["method"] == "window/showDocument"]
    assert shown and shown[-1]["params"]["uri"].endswith("/rules/KL112-unsupported-value.yaml")


def test_workspace_cross_object_update(workspace):
    client, root = workspace
    svc, deploy = str(root / "svc.yaml"), str(root / "deploy.yaml")
    client.open(svc, (root / "svc.yaml").read_text())
    assert client.diagnostics(uri(svc)) == []
    # editing the Deployment's labels leaves the (unchanged) Service selecting nothing:
    # the server publishes for the Service too
    base = (root / "deploy.yaml").read_text()
    client.open(deploy, base)
    client.diagnostics(uri(deploy))
    mark = len(client.notifications)
    changed = base.replace("{app: shop}", "{app: api}")
    client.change(deploy, changed, 2)
    # (opening the Deployment published for the Service too, perhaps after `mark`: wait for
    # the publish that the change causes)
    diags = client.diagnostics(uri(svc), since=mark, until=bool)
    assert [(d["code"], d["range"]["start"]) for d in diags] == [("KL201", {"line": 4, "character": 2})]
    rel = diags[0]["relatedInformation"][0]
    assert rel["location"]["uri"] == uri(deploy)
    assert rel["location"]["range"]["start"] == {"line": 9, "character": 6}
    mark = len(client.notifications)
    client.change(deploy, base, 3)
    assert client.diagnostics(uri(svc), since=mark, until=lambda d: not d) == []
    mark = len(client.notifications)
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri(deploy)}})
    # closing reloads the file from disk: wait for it before changing the disk
    assert client.diagnostics(uri(deploy), since=mark) == []

    # a change on disk, reported by the editor's file watcher
    mark = len(client.notifications)
    (root / "deploy.yaml").write_text(changed)
    client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": uri(deploy), "type": 2}]})
    assert [d["code"] for d in client.diagnostics(uri(svc), since=mark, until=bool)] == ["KL201"]
    mark = len(client.notifications)
    (root / "deploy.yaml").write_text(base)
    client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": uri(deploy), "type": 2}]})
    assert client.diagnostics(uri(svc), since=mark, until=lambda d: not d) == []
    regs = [r for r in client.server_requests if r["method"] == "client/registerCapability"]
    assert regs[0]["params"]["registrations"][0]["method"] == "workspace/didChangeWatchedFiles"


def test_did_change_configuration(workspace):
    client, root = workspace
    path = str(root / "conf.yaml")
    client.open(path, deploy("conf"))
    assert [d["code"] for d in client.diagnostics(uri(path))] == ["KL112"]
    mark = len(client.notifications)
    client.notify("workspace/didChangeConfiguration", {"settings": {"kubelint": {"ignore": ["KL112"]}}})
    assert client.diagnostics(uri(path), since=mark) == []
    mark = len(client.notifications)
    client.notify("workspace/didChangeConfiguration", {"settings": {"kubelint": {}}})
    assert [d["code"] for d in client.diagnostics(uri(path), since=mark)] == ["KL112"]


def test_fix_all_and_unknown_requests(workspace):
    client, root = workspace
    path = str(root / "all.yaml")
    DEPLOY = deploy("all")
    text = DEPLOY.replace("kind: Deployment", "kind: deployment")
    client.open(path, text)
    client.diagnostics(uri(path))
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri(path)}, "range": {"start": {"line": 0, "character": 0},
                                                      "end": {"line": 0, "character": 0}},
        "context": {"diagnostics": [], "only": ["source.fixAll"]}})
    (action,) = actions
    assert apply(text, action["edit"]["changes"][uri(path)]) == DEPLOY.replace("always", "Always")
    with pytest.raises(RuntimeError, match="-32601"):
        client.request("textDocument/definition", {"textDocument": {"uri": uri(path)},
                                                   "position": {"line": 0, "character": 0}})


def test_check_does_not_import_the_server():
    code = ("import sys, kubelint.cli\n"
            "sys.argv = ['kubelint', 'check', 'tests/fixtures/clean.yaml']\n"
            "try:\n    kubelint.cli.main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('kubelint.lsp', 'kubelint.fix'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert out.stdout.strip().splitlines()[-1] == b"[]"


@pytest.mark.parametrize("name", ["realistic-app.yaml", "multi.yaml", "fix/commented.before.yaml"])
def test_per_document_relint_equals_whole_file(name):
    """The server re-lints only the documents an edit touched; the result must be what
    linting the whole file gives, before and after edits that move lines."""
    from kubelint.engine import Linter, Settings
    from kubelint.loader import load_text
    from kubelint.lsp.workspace import Workspace

    from .conftest import FIXTURES

    with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
        text = f.read()
    ws = Workspace(FIXTURES)
    state = ws.state(os.path.join(FIXTURES, name))
    state.open = True
    linter = Linter(Settings())
    lines = text.split("\n")
    edits = [text, "# a new first line\n" + text,
             "\n".join(lines[:3] + ["", "  # inserted"] + lines[3:]), text]
    for version in edits:
        state.text = version
        ws.lint(state)
        ws.warm(state)  # what the server does when idle: later edits use the documents' cache
        whole = linter.lint_loaded(state.path, load_text(state.path, version))
        assert sorted(state.outcome.findings) == sorted(whole.findings)
        assert sorted(state.outcome.suppressed) == sorted(whole.suppressed)
        assert [(o.doc, o.item, o.data) for o in state.outcome.objects] == \
            [(o.doc, o.item, o.data) for o in whole.objects]
    assert state.chunks, "the file was split"
