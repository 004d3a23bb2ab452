"""Layouts that are rendered before they are linted: kustomize roots (kustomize.py) and Helm
charts (helm.py). The engine lints the rendered stream like any file, under a stand-in path,
then `remap` moves every finding to the file and line that wrote the value."""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, List, Optional, Tuple

from ..discover import Source
from ..model import Finding, Related, Severity, Span, pointer_to_k8s
from ..namedtuple import NamedTuple


class Rendering(NamedTuple):
    source_map: Any  # .origin(obj, pointer) -> Origin
    objects: List[Any]  # the rendered documents' data, by document index
    lines: List[int]  # the first line of each rendered document (for related locations)
    what: str  # "kustomize" or "helm", for messages
    focus: Optional[set] = None  # report only findings that land in these files
    nodes: Optional[List[Any]] = None  # the rendered documents' node trees, by document index


class Rendered(NamedTuple):
    sources: List[Source]
    renderings: Dict[str, Any]  # stand-in path -> its Rendering (LazyRendering for kustomize)
    findings: List[Finding]  # render failures, missing tools


def display(path: str) -> str:
    rel = os.path.relpath(os.path.abspath(path))
    return path if rel.startswith("..") else rel


def _options(settings: Any, key: str) -> Dict[str, Any]:
    config = getattr(settings, "config", None)
    value = config.get(key) if config is not None else None
    return value if isinstance(value, dict) else {}


def render_roots(linter: Any, roots: List[str], charts: List[str],
                 focus: Optional[Dict[str, Any]] = None) -> Rendered:
    sources: List[Source] = []
    renderings: Dict[str, Rendering] = {}
    findings: List[Optional[Finding]] = []
    if roots:
        from . import kustomize

        opts = _options(linter.settings, "kustomize")
        timeout = float(opts.get("timeout", kustomize.DEFAULT_TIMEOUT))
        allow_remote = bool(opts.get("allow-remote-bases", False))
        restrictor = opts.get("load-restrictor", "auto")
        # a root that another root of this run uses as a base is linted through that one
        used = set()
        for root in roots:
            try:
                used.update(os.path.abspath(b) for b in kustomize.bases_of(root))
            except Exception:
                pass
        todo = [root for root in roots
                if not ((os.path.abspath(root) in used and not (focus and root in focus))
                        or kustomize.is_component(root))]

        def run(root: str) -> Any:
            try:
                return kustomize.render(root, timeout, allow_remote, restrictor)
            except kustomize.RenderError as e:
                return e

        # a root whose inputs are unchanged since a run that rendered it is not rendered
        # again: kustomize takes seconds on large CRDs, pre-commit runs on every commit
        cache = _render_cache(linter)
        keys: Dict[str, str] = {}
        outputs_of: Dict[str, Any] = {}
        if cache is not None:
            for root in todo:
                digest = kustomize.inputs_digest(root, restrictor, allow_remote)
                if digest is not None:
                    keys[root] = cache.key("kustomize:" + os.path.abspath(root), False, digest)
                    hit = cache.get(keys[root])
                    if isinstance(hit, bytes):
                        outputs_of[root] = hit
        missed = [root for root in todo if root not in outputs_of]
        # the renders are other processes: run a few at once, results kept in root order
        jobs = max(1, min(4, getattr(linter.settings, "jobs", 1) or 1, len(missed)))
        if jobs > 1:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(jobs) as pool:
                rendered = list(pool.map(run, missed))
        else:
            rendered = [run(root) for root in missed]
        for root, raw in zip(missed, rendered):
            outputs_of[root] = raw
            if isinstance(raw, bytes) and root in keys:
                cache.put(keys[root], raw)  # (failures are rendered again: they say why)
        outputs = [outputs_of[root] for root in todo]
        for root, raw in zip(todo, outputs):
            kfile = kustomize.kustomization_file(root) or os.path.join(root, "kustomization.yaml")
            path = display(kfile)
            try:
                if isinstance(raw, Exception):
                    raise raw
            except kustomize.ToolMissing as e:
                findings.append(linter.finding(
                    "KL031", f"kustomization not rendered: {e}", path, Span(1, 1, 1, 2),
                    hint="install kubectl (it includes kustomize) or kustomize, or lint the output of "
                         "`kubectl kustomize` with `kubelint check -`"))
                continue
            except kustomize.InputRefused as e:  # the file's own finding, at its position
                findings.append(linter.finding("KL006", f"{e}; {path} reads this file, so it was not "
                                               "rendered", display(e.path), e.span))
                continue
            except kustomize.PluginsRefused as e:
                findings.append(linter.finding(
                    "KL037", str(e), display(e.path), e.span,
                    hint=f"lint what `kustomize build --enable-alpha-plugins` makes of {path} "
                         "with `kubelint check -`"))
                continue
            except kustomize.RemoteRefused as e:
                # the entry that needs the network, as a warning: a policy, not a broken root
                findings.append(linter.finding("KL036", str(e), display(e.path), e.span,
                                               hint=f"rendering {path} needs it"))
                continue
            except kustomize.RenderTimeout as e:
                # (argo-workflows' manifests/cluster-install took over 60 s on a loaded
                # machine: an error would fail CI for the machine's sake, not the manifests')
                findings.append(linter.finding(
                    "KL030", str(e), path, Span(1, 1, 1, 2), severity=Severity.WARNING,
                    hint=f"give it longer with `kustomize: {{timeout: {max(120, 2 * timeout):g}}}` "
                         "in .kubelint.yaml"))
                continue
            except kustomize.OverlayOnly as e:
                findings.append(linter.finding("KL030", str(e), path, Span(1, 1, 1, 2),
                                               severity=Severity.INFO))
                continue
            except kustomize.RenderError as e:
                findings.append(linter.finding("KL030", str(e), path, Span(1, 1, 1, 2)))
                continue
            sources.append(Source(path, None, raw, unit=path))
            renderings[path] = LazyRendering(_kustomize_rendering(path, raw, root), "kustomize",
                                             {os.path.normpath(display(p)) for p in focus[root]}
                                             if focus and root in focus else None)
    if charts:
        from . import helm

        findings.extend(helm.render_charts(linter, charts, sources, renderings, _rendering))
    return Rendered(sources, renderings, [f for f in findings if f])


def onto_live(data: Any) -> bool:
    """Whether a rendered object is a part merged into the live object of its name by
    `kubectl apply`, not an object of its own: a built-in workload whose pod template has
    containers and none with an image, so that no pod could be made from it (argo-cd's
    manifests/ha/base/controller-deployment, applied over an install, scales its StatefulSet
    to 0 with a StatefulSet without selector or image among its resources: 2 false errors).
    Left out of the rendering's objects, as a walk leaves out a file of partial objects."""
    if not isinstance(data, dict):
        return False
    kind = data.get("kind")
    if not isinstance(kind, str) or kind == "Pod" or data.get("apiVersion") not in ("apps/v1", "batch/v1", "v1"):
        return False
    spec = template_spec(data)
    containers = spec.get("containers") if isinstance(spec, dict) else None
    return isinstance(containers, list) and bool(containers) and \
        all(isinstance(c, dict) and "image" not in c for c in containers)


def template_spec(data: dict) -> Any:
    """The pod spec of a built-in workload's template, if it has one."""
    from ..checks.k8s import get
    from ..graph import TEMPLATE_PATHS

    path = TEMPLATE_PATHS.get(data.get("kind"))  # type: ignore[arg-type]
    return None if path is None else get(data, path + ("spec",))


class LazyRendering:
    """A Rendering made when a finding in it is moved to its source (remap): its source map
    reads every kustomization and source file of the root with positions, and its objects
    are the output loaded again, which a root without findings (a warm run from the cache,
    most roots of a clean repository) never needs: ~1.5 s per root with 12 MB of CRDs."""

    __slots__ = ("_make", "_made", "what", "focus")

    def __init__(self, make: Callable[[], Rendering], what: str, focus: Optional[set] = None) -> None:
        self._make, self._made, self.what, self.focus = make, None, what, focus

    def _get(self) -> Rendering:
        if self._made is None:
            self._made = self._make()
        return self._made

    @property
    def source_map(self) -> Any:
        return self._get().source_map

    @property
    def objects(self) -> List[Any]:
        return self._get().objects

    @property
    def lines(self) -> List[int]:
        return self._get().lines

    @property
    def nodes(self) -> Optional[List[Any]]:
        return self._get().nodes


def _kustomize_rendering(path: str, raw: bytes, root: str) -> Callable[[], Rendering]:
    def make() -> Rendering:
        from . import kustomize

        try:
            smap = kustomize.SourceMap(root)
        except Exception:  # a map we cannot build must not lose the findings
            smap = None
        return _rendering(path, raw, smap, "kustomize")

    return make


def _render_cache(linter: Any) -> Any:
    """The run's result cache (resultcache.py), or None (--no-cache)."""
    if not getattr(linter.settings, "result_cache", False):
        return None
    from ..resultcache import ResultCache

    return ResultCache.open(linter)


def _rendering(path: str, raw: bytes, smap: Any, what: str) -> Rendering:
    from ..loader import load_bytes

    loaded = load_bytes(path, raw)
    objects: Dict[int, Any] = {}
    nodes: Dict[int, Any] = {}
    # where each document's root starts, as the loading pass marked it: composing every
    # rendered document again only for its first line cost 20 s on Argo Workflows' manifests
    # (ten renderings of 12 MB of CRDs)
    lines: Dict[int, int] = {index: line + 1 for index, line, _ in loaded.lines or ()}
    for d in loaded.documents:
        objects.setdefault(d.index, d.data)
        nodes.setdefault(d.index, d.node)
        if d.index not in lines and d.node is not None:
            lines[d.index] = d.node.start_mark.line + 1
    n = max(list(objects) + [-1]) + 1
    return Rendering(smap, [objects.get(i) for i in range(n)], [lines.get(i, 0) for i in range(n)], what,
                     nodes=[nodes.get(i) for i in range(n)])


def parse_pointer(text: str, obj: Any) -> Tuple[Any, ...]:
    out: List[Any] = []
    node = obj
    if not text:
        return ()
    for raw in text[1:].split("/"):
        part: Any = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and part.isdigit():
            part = int(part)
        out.append(part)
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(out)


def _describe(obj: Any) -> str:
    if not isinstance(obj, dict):
        return "object"
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    return f"{obj.get('kind', '?')} {meta.get('name', '?')}"


def remap(findings: List[Finding], renderings: Dict[str, Rendering]) -> List[Finding]:
    """Findings on rendered output moved to the file and line that wrote the value."""
    return remap_and_suppress(findings, renderings)[0]


def remap_and_suppress(findings: List[Finding], renderings: Dict[str, Rendering]
                       ) -> Tuple[List[Finding], List[Finding]]:
    """remap(), then the `# kubelint: disable=...` comments of the files the findings moved
    to (rendering drops comments, so they are read from the source files)."""
    if not renderings:
        return findings, []
    from ..suppress import comment_match, parse_directives

    directives: Dict[str, Any] = {}
    kept, quiet = [], []
    # two overlays of one base report a base's mistake once; but one rendered object's
    # findings at one place are each kept (a CR's `spec: {}` lacking three required fields)
    first_from: Dict[Tuple[Any, ...], Tuple[str, int]] = {}
    for f in findings:
        r = renderings.get(f.path)
        if r is None:
            kept.append(f)
            continue
        moved = _remap_one(f, r, renderings)
        if r.focus is not None and os.path.normpath(moved.path) not in r.focus:
            continue  # the root was rendered for a file named on the command line
        key = (moved.code, moved.path, moved.span.line, moved.span.column, moved.pointer)
        source = first_from.setdefault(key, (f.path, f.doc))
        if source != (f.path, f.doc):
            continue
        if moved.path not in directives:
            try:
                with open(moved.path, encoding="utf-8", errors="replace") as fh:
                    directives[moved.path] = parse_directives(fh.read())
            except OSError:
                directives[moved.path] = parse_directives("")
        d = comment_match(directives[moved.path], moved.code, moved.name, {moved.span.line})
        if d is not None:
            d.used = True
            quiet.append(moved)
        else:
            kept.append(moved)
    return kept, quiet


def _remap_one(f: Finding, r: Rendering, renderings: Dict[str, Rendering]) -> Finding:
    obj = r.objects[f.doc] if 0 <= f.doc < len(r.objects) else None
    pointer = parse_pointer(f.pointer, obj)
    origin = None
    if r.source_map is not None and obj is not None:
        try:
            origin = r.source_map.origin(obj, pointer, f.doc, _at(f, r, pointer))
        except Exception:  # a map that cannot answer: keep the rendered position's fallback
            origin = None
    message = f.message
    if origin is None:
        note = f"in the {r.what} output: {_describe(obj)}" + (f" at {pointer_to_k8s(pointer)}" if pointer else "")
        return f._replace(message=f"{message} ({note})")
    if origin.note == "fallback":
        message = (f"{message} (in the {r.what} output: {_describe(obj)}"
                   + (f" at {pointer_to_k8s(pointer)}" if pointer else "") + "; no source line found)")
    elif origin.note:
        message = f"{message} ({origin.note})"
    related = tuple(_remap_related(rel, renderings) for rel in f.related)
    return f._replace(path=display(origin.path), span=origin.span, message=message, related=related)


def _at(f: Finding, r: Rendering, pointer: Tuple[Any, ...]) -> str:
    """Whether the finding names the key of its field in the rendered output ("key": an
    unknown field, a cluster-scoped kind's namespace) or its value: the source's span is
    the same part of the field (haproxy's ClusterRoleBinding namespace, rendered by
    deploy/kustomization.yaml, was reported at its value)."""
    nodes = r.nodes
    node = nodes[f.doc] if nodes is not None and 0 <= f.doc < len(nodes) else None
    if node is None or not pointer:
        return "value"
    from ..positions import locate

    # a block mapping's value is placed at its key too: which one the rule meant is not
    # known then, and "value" keeps a flow mapping's finding at its `{` (a selector's KL201)
    key = locate(node, pointer, "key")
    return "key" if key == f.span and key != locate(node, pointer, "value") else "value"


def _remap_related(rel: Related, renderings: Dict[str, Rendering]) -> Related:
    r = renderings.get(rel.path)
    if r is None:
        return rel
    index = 0
    for i, line in enumerate(r.lines):
        if line and line <= rel.span.line:
            index = i
    obj = r.objects[index] if index < len(r.objects) else None
    if r.source_map is None or obj is None:
        return rel
    try:
        origin = r.source_map.origin(obj, (), index)
    except Exception:
        return rel
    return Related(display(origin.path), origin.span, rel.message)


# Rules about two objects that conflict: objects of two kustomize roots or charts are two
# applications (two overlays of one base, deployed apart), not one apply.
_SAME_OBJECT_RULES = ("KL217", "KL218", "KL219")


def separate_applications(findings: List[Finding], renderings: Dict[str, Rendering]) -> List[Finding]:
    """Drops same-object findings between a rendering and anything outside it (run before
    remap, while findings still carry the rendering's stand-in path)."""
    if not renderings:
        return findings
    out = []
    for f in findings:
        if f.code in _SAME_OBJECT_RULES and f.related and \
                (f.path in renderings or any(r.path in renderings for r in f.related)) and \
                any(r.path != f.path for r in f.related):
            continue
        out.append(f)
    return out


def dedupe(findings: List[Finding]) -> List[Finding]:
    """Each finding once (remap_and_suppress has already kept one rendering's finding where
    several renderings report one base's mistake)."""
    seen = set()
    out = []
    for f in findings:
        key = (f.code, f.path, f.span.line, f.span.column, f.pointer, f.message)
        if key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out
