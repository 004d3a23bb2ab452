// Starts `kubelint lsp` for YAML and JSON files; settings under "kubelint" reach the server
// through workspace/didChangeConfiguration.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("kubelint");
  const command = config.get("path") || "kubelint";
  client = new LanguageClient(
    "kubelint",
    "kubelint",
    { command, args: ["lsp"] },
    {
      documentSelector: [
        { scheme: "file", language: "yaml" },
        { scheme: "file", language: "json" },
        { scheme: "untitled", language: "yaml" },
      ],
      synchronize: { configurationSection: "kubelint" },
    }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
