"""Helm charts: rendered with `helm template` when helm is on PATH; templates are never parsed
as YAML. Each rendered document follows a `# Source: CHART/templates/FILE` comment (helm's
documented output); findings move to that template file and, where the rendered line can be
matched to one template line, to that line. Without helm: one info finding per chart."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from typing import Any, Callable, Dict, List, Optional, Tuple

from ..model import Pointer, Span
from .kustomize import Origin

DEFAULT_TIMEOUT = 60.0
_SOURCE = re.compile(r"^# Source: (\S.*?)\s*$")


def values_files(settings: Any, chart: str) -> List[str]:
    """`helm: {values: {CHART_FOLDER: [files]}}` in the config, paths relative to the config
    file's folder (a chart folder key may also be its name)."""
    config = getattr(settings, "config", None)
    helm = config.get("helm") if config is not None else None
    values = helm.get("values") if isinstance(helm, dict) else None
    if not isinstance(values, dict):
        return []
    base = config.base
    chart_abs = os.path.abspath(chart)
    for key, files in values.items():
        if os.path.abspath(os.path.join(base, key)) == chart_abs or key == os.path.basename(chart_abs):
            return [os.path.join(base, f) for f in (files if isinstance(files, list) else [files])]
    return []


def render_charts(linter: Any, charts: List[str], sources: List[Any], renderings: Dict[str, Any],
                  make_rendering: Callable[..., Any]) -> List[Any]:
    from ..discover import Source
    from . import display

    findings = []
    helm = shutil.which("helm")
    for chart in charts:
        chart_file = display(os.path.join(chart, "Chart.yaml"))
        if helm is None:
            findings.append(linter.finding(
                "KL033", f"Helm chart {display(chart)} not rendered: `helm` is not on PATH, so its "
                "templates were not linted", chart_file, Span(1, 1, 1, 2),
                hint="install helm, or lint the output of `helm template` with `kubelint check -`"))
            continue
        cmd = [helm, "template", "kubelint", chart]
        for v in values_files(linter.settings, chart):
            cmd += ["--values", v]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=DEFAULT_TIMEOUT,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            findings.append(linter.finding("KL032", f"`helm template` did not finish within "
                                           f"{DEFAULT_TIMEOUT:g} s", chart_file, Span(1, 1, 1, 2)))
            continue
        except OSError as e:
            findings.append(linter.finding("KL032", f"cannot run helm: {e.strerror or e}", chart_file,
                                           Span(1, 1, 1, 2)))
            continue
        if proc.returncode != 0:
            message = proc.stderr.decode("utf-8", "replace").strip() or f"exit code {proc.returncode}"
            findings.append(linter.finding("KL032", f"`helm template` failed: {message}", chart_file,
                                           Span(1, 1, 1, 2)))
            continue
        path = display(os.path.join(chart, "templates"))  # the stand-in path of the rendering
        raw = proc.stdout
        sources.append(Source(path, None, raw, unit=path))
        renderings[path] = make_rendering(path, raw, HelmMap(chart, raw), "helm")
    return findings


class HelmMap:
    """Rendered document -> template file (from `# Source:`), rendered line -> template line."""

    def __init__(self, chart: str, raw: bytes) -> None:
        self.chart = chart
        self.text = raw.decode("utf-8", "replace")
        self.lines = self.text.splitlines()
        self.doc_sources: List[Optional[str]] = []
        self._templates: Dict[str, List[str]] = {}
        self._nodes: Optional[Dict[int, Any]] = None
        # the YAML document index of each rendered document, as the loader counts them
        current: Optional[str] = None
        started = False
        for line in self.lines:
            if line.startswith("---"):
                if started:
                    self.doc_sources.append(current)
                current, started = None, True
                continue
            m = _SOURCE.match(line)
            if m:
                current = m.group(1)
            started = True
        self.doc_sources.append(current)

    def template_path(self, source: str) -> str:
        """`mychart/templates/a.yaml` -> CHART/templates/a.yaml (subcharts:
        `mychart/charts/sub/templates/b.yaml` -> CHART/charts/sub/templates/b.yaml)."""
        parts = source.split("/", 1)
        return os.path.normpath(os.path.join(self.chart, parts[1] if len(parts) > 1 else parts[0]))

    def _template_lines(self, path: str) -> List[str]:
        if path not in self._templates:
            try:
                with open(path, encoding="utf-8", errors="replace") as f:
                    self._templates[path] = f.read().splitlines()
            except OSError:
                self._templates[path] = []
        return self._templates[path]

    def _doc_node(self, doc: int) -> Any:
        if self._nodes is None:
            from ..loader import load_bytes

            loaded = load_bytes("<helm>", self.text.encode("utf-8"))
            self._nodes = {}
            for d in loaded.documents:
                self._nodes.setdefault(d.index, d.node)
        return self._nodes.get(doc)

    def origin(self, obj: Any, pointer: Pointer, doc: int = 0, at: str = "value") -> Origin:
        source = self.doc_sources[doc] if 0 <= doc < len(self.doc_sources) else None
        # the loader counts YAML documents; helm's stream may start with `---`, skip empties
        sources = [s for s in self.doc_sources]
        if source is None:
            named = [s for s in sources if s]
            source = named[doc] if doc < len(named) else None
        if source is None:
            return Origin(os.path.join(self.chart, "Chart.yaml"), Span(1, 1, 1, 2), "fallback")
        path = self.template_path(source)
        node = self._doc_node(doc)
        if node is None:
            return Origin(path, Span(1, 1, 1, 2))
        from ..positions import locate

        span = locate(node, pointer, at)
        rendered = self.lines[span.line - 1] if 0 < span.line <= len(self.lines) else ""
        found = _match_line(self._template_lines(path), rendered, span.column)
        if found is None:
            return Origin(path, Span(1, 1, 1, 2), f"rendered by helm from {path}; line not matched")
        line, column = found
        return Origin(path, Span(line, column, line, column + max(1, span.end_column - span.column)
                                 if span.end_line == span.line else column + 1))


def _match_line(template: List[str], rendered: str, column: int) -> Optional[Tuple[int, int]]:
    """The template line that wrote `rendered`: the same text (one line only), else the one
    line with the same key. (line, column) 1-based; the column of the value where it can be
    found in the template line, else of the line's text."""
    text = rendered.strip()
    if not text:
        return None
    same = [i for i, t in enumerate(template) if t.strip() == text]
    if len(same) == 1:
        i = same[0]
        shift = len(template[i]) - len(template[i].lstrip()) - (len(rendered) - len(rendered.lstrip()))
        return i + 1, max(1, column + shift)
    key = text.split(":", 1)[0].lstrip("- ").strip() if ":" in text else None
    if key:
        keyed = [i for i, t in enumerate(template)
                 if t.strip().lstrip("- ").startswith(key + ":")]
        if len(keyed) == 1:
            i = keyed[0]
            line = template[i]
            value_at = line.find(key + ":") + len(key) + 1
            while value_at < len(line) and line[value_at] == " ":
                value_at += 1
            # the value's column when the finding is on the value, else the key's
            on_value = rendered.find(key + ":") + len(key) + 1 < column
            return i + 1, (value_at + 1 if on_value and value_at < len(line)
                           else len(line) - len(line.lstrip()) + 1)
    return None
