"""Admission-time checks: what the API server's admission plugins would reject."""

from typing import Any


def may_foresee(settings: Any) -> bool:
    """Whether Pod Security may apply a level to every namespace of the run: config
    `pod-security`, or Pod Security rules selected by tag, name or code (a superset of what
    pod_security.selected_level reads). Only then does the per-file stage ask the cross rules
    where their findings on pods will go (engine.Linter._foreseen), which imports their
    checks: a default run's workers do not."""
    if getattr(settings, "pod_security", None):
        return True
    for ref in getattr(settings, "select", None) or ():
        if isinstance(ref, str):
            ref = ref.strip()
            if ref.lower().startswith(("pss-", "pod-security")) or ref.upper().startswith("KL4"):
                return True
    return False
