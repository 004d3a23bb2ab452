"""Admission-time checks: what the API server's admission plugins would reject."""
