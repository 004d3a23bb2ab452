"""The language server front-end (`kubelint lsp`). Imported only by that command."""
