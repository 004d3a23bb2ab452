"""kubelint: a fast, offline linter and validator for Kubernetes manifests."""

__version__ = "0.1.0"
