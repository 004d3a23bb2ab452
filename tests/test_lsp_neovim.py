"""Neovim's own LSP client against `kubelint lsp`, headless: diagnostics at the right place,
and a quick fix applied through Neovim's workspace-edit code. Skipped where nvim is absent
(CI installs only Python packages); Debian's neovim 0.7 is enough (vim.lsp.start_client)."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from .test_lsp import DEPLOY

NVIM = shutil.which("nvim")
pytestmark = pytest.mark.skipif(NVIM is None, reason="nvim is not installed (apt-get install neovim)")

SCRIPT = r"""
local out_path, file, python = OUT, FILE, PYTHON
vim.cmd("edit " .. file)
local buf = vim.api.nvim_get_current_buf()
local id = vim.lsp.start_client({name = "kubelint", cmd = {python, "-m", "kubelint.cli", "lsp"},
                                 root_dir = vim.fn.fnamemodify(file, ":h")})
vim.lsp.buf_attach_client(buf, id)
local got = vim.wait(30000, function() return #vim.diagnostic.get(buf) > 0 end, 20)
local result = {diagnostics = {}}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  table.insert(result.diagnostics, {lnum = d.lnum, col = d.col, end_col = d.end_col,
                                    severity = d.severity, message = d.message})
end
local client = vim.lsp.get_client_by_id(id)
local params = {textDocument = {uri = vim.uri_from_bufnr(buf)},
                range = {start = {line = 14, character = 27}, ["end"] = {line = 14, character = 33}},
                context = {diagnostics = {}}}
local resp = client.request_sync("textDocument/codeAction", params, 30000, buf)
local action = resp and resp.result and resp.result[1]
if action then
  result.title = action.title
  vim.lsp.util.apply_workspace_edit(action.edit, "utf-16")
end
result.line = vim.api.nvim_buf_get_lines(buf, 14, 15, false)[1]
vim.fn.writefile({vim.fn.json_encode(result)}, out_path)
client.stop()
vim.cmd("qa!")
"""


def test_neovim_diagnostics_and_quick_fix(tmp_path):
    target = tmp_path / "deploy.yaml"
    target.write_text(DEPLOY)
    out = tmp_path / "out.json"
    script = tmp_path / "drive.lua"
    script.write_text(f"OUT = {json.dumps(str(out))}\nFILE = {json.dumps(str(target))}\n"
                      f"PYTHON = {json.dumps(sys.executable)}\n" + SCRIPT)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=root)
    proc = subprocess.run([NVIM, "--headless", "-u", "NONE", "-i", "NONE", "-c", f"luafile {script}"],
                          capture_output=True, timeout=90, cwd=str(tmp_path), env=env)
    assert out.exists(), proc.stderr.decode() + proc.stdout.decode()
    result = json.loads(out.read_text())
    assert result["diagnostics"] == [{
        "lnum": 14, "col": 27, "end_col": 33, "severity": 1,
        "message": 'spec.template.spec.containers[0].imagePullPolicy: Unsupported value: "always": '
                   'supported values: "Always", "IfNotPresent", "Never"; did you mean "Always"?'}]
    assert result["title"] == 'write "Always" (KL112)'
    assert result["line"] == "          imagePullPolicy: Always   # a comment"
