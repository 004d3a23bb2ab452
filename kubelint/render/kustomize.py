"""kustomize roots: render with `kustomize build` or `kubectl kustomize`, and map every value
of the rendered objects back to the file and line that wrote it.

Rendering is safe on untrusted pull requests: no exec or alpha plugins, no Helm inflation,
kustomize's default load restrictor (files outside a root's tree only through bases), lifted
for a root that needs it only when everything it names is inside its repository, remote
bases refused unless the config allows them, and a timeout on every run.

The source map is rebuilt from the kustomizations themselves (kustomize's own origin
annotations would need an edit of the user's files):
  1. a patch (strategic merge file, inline, or JSON 6902) that sets the value, outermost
     kustomization first, since it applies last;
  2. a value kustomize generates: `images:` (container images), `replicas:`, `namePrefix`/
     `nameSuffix` (metadata.name), `namespace:` (metadata.namespace), a
     configMapGenerator/secretGenerator entry (its object);
  3. the resource file of a base holding the same value at the same place;
  4. else the `resources:` entry of the root that brought the object in, with the rendered
     path in the message."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from typing import Any, Dict, Iterator, List, Optional, Tuple

from ..discover import KUSTOMIZATION_NAMES, covers, git_root
from ..lazyre import LazyRegex
from ..loader import Document, load
from ..model import Pointer, Span
from ..namedtuple import NamedTuple

DEFAULT_TIMEOUT = 60.0
_REMOTE_PREFIXES = ("http://", "https://", "git@", "ssh://", "git::", "github.com/", "gitlab.com/",
                    "bitbucket.org/")


class RenderError(Exception):
    """kustomize failed, or refused to run: the message is shown in the finding."""


class RenderTimeout(RenderError):
    """The tool did not finish in time: a busy machine or large CRDs, not a broken root."""


class ToolMissing(RenderError):
    pass


def kustomization_file(folder: str) -> Optional[str]:
    for name in KUSTOMIZATION_NAMES:
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            return path
    return None


# the config's `load-restrictor` -> kustomize's flag value ("auto": root-only, then none for a
# root that reads files outside its tree: nobody commits a kustomization that fails where it
# is built, so one that fails only under the restrictor is built without it, as Flux builds)
RESTRICTORS = {"root-only": "LoadRestrictionsRootOnly", "none": "LoadRestrictionsNone",
               "auto": "LoadRestrictionsRootOnly"}


def command(folder: str, restrictor: str = "auto") -> List[str]:
    """The render command: `kustomize build` if installed, else `kubectl kustomize`."""
    flag = ["--load-restrictor", RESTRICTORS[restrictor]]
    if shutil.which("kustomize"):
        return ["kustomize", "build", *flag, folder]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize", *flag, folder]
    raise ToolMissing("neither `kustomize` nor `kubectl` is on PATH, so this kustomization was "
                      "not rendered and none of its objects were linted")


# --- the kustomizations of a root and its bases -----------------------------------------------

class Layer(NamedTuple):
    folder: str
    path: str  # the kustomization file
    doc: Document  # its data and nodes
    depth: int  # 0: the root


def _is_remote(entry: str) -> bool:
    return entry.startswith(_REMOTE_PREFIXES) or "?ref=" in entry or entry.endswith(".git")


def layers(root: str) -> List[Layer]:
    """The root's kustomization and those of every local base and component it uses,
    outermost first."""
    out: List[Layer] = []
    seen = set()

    def visit(folder: str, depth: int) -> None:
        folder = os.path.normpath(folder)
        if folder in seen or depth > 20:
            return
        seen.add(folder)
        path = kustomization_file(folder)
        if path is None:
            return
        loaded = load(path)
        if not loaded.documents or not isinstance(loaded.documents[0].data, dict):
            return
        doc = loaded.documents[0]
        out.append(Layer(folder, path, doc, depth))
        for sub in _folders(folder, doc.data, ("resources", "bases", "components")):
            visit(sub, depth + 1)

    visit(root, 0)
    return out


def _folders(folder: str, data: dict, keys: Tuple[str, ...]) -> List[str]:
    """The local folders a kustomization in `folder` names under `keys`."""
    return [os.path.join(folder, entry) for key in keys for entry in _strings(data.get(key))
            if not _is_remote(entry) and os.path.isdir(os.path.join(folder, entry))]


def remote_entries(found: List[Layer]) -> List[Tuple[Layer, str, Tuple[Any, ...]]]:
    """(layer, entry, its pointer in the kustomization) of every input kustomize would fetch:
    remote bases, a generator's file read from a URL (xUnholy/k8s-gitops' Flux
    dashboards: `files: [cluster.json=https://raw.githubusercontent.com/...]`) and an
    `openapi.path` URL."""
    out = [(layer, entry, (key, i)) for layer in found for key in ("resources", "bases", "components")
           for i, entry in enumerate(_strings(layer.doc.data.get(key))) if _is_remote(entry)]
    for layer in found:
        for key in ("configMapGenerator", "secretGenerator"):
            generators = layer.doc.data.get(key)
            for i, generator in enumerate(generators if isinstance(generators, list) else ()):
                files = generator.get("files") if isinstance(generator, dict) else None
                for j, entry in enumerate(files if isinstance(files, list) else ()):
                    if isinstance(entry, str) and entry.partition("=")[2].startswith(("https://", "http://")):
                        out.append((layer, entry, (key, i, "files", j)))
        # (argo-rollouts' test/kustomize/rollout: `openapi: {path: https://raw...}`, the schema
        # kustomize reads to merge custom resources' lists: a KL030 error about the network)
        openapi = layer.doc.data.get("openapi")
        path = openapi.get("path") if isinstance(openapi, dict) else None
        if isinstance(path, str) and path.startswith(("https://", "http://")):
            out.append((layer, path, ("openapi", "path")))
    return out


def _strings(value: Any) -> List[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def is_component(root: str) -> bool:
    """A `kind: Component` kustomization cannot be built alone: it is rendered through the
    overlays that list it under `components:`."""
    path = kustomization_file(root)
    if path is None:
        return False
    loaded = load(path)
    data = loaded.documents[0].data if loaded.documents else None
    return isinstance(data, dict) and data.get("kind") == "Component"


class OverlayOnly(RenderError):
    """The root holds no objects of its own and patches what another tool makes."""


class MakesTemplate(OverlayOnly):
    """The root writes Go template actions into its objects: its output is a template."""


class NeedsBuild(OverlayOnly):
    """The root needs what a build step makes first: an input the checkout lacks and the
    repository ignores, a patch file left empty for the build to fill in, or a file a
    secretGenerator reads (credentials)."""


def _build_output(found: List[Layer], root: str, message: str) -> Optional[str]:
    """The input a kustomization names that is missing from the checkout and listed by the
    repository's ignore files, when kustomize's failure names it: VictoriaMetrics'
    config/crd/bases (controller-gen writes it), solr-operator's config/manager/
    kustomization.yaml (its Makefile copies it from kustomization_base.yaml). None otherwise:
    a missing input nobody ignores is a broken kustomization."""
    from ..discover import ignored_below

    top = _repository(root)
    if top is None:
        return None
    for layer in found:
        folders = {os.path.abspath(os.path.join(layer.folder, entry))
                   for key in ("resources", "bases", "components")
                   for entry in _strings(layer.doc.data.get(key)) if not _is_remote(entry)}
        # (any string of the kustomization as a path: a patch too, k8s-config-connector's
        # operator/config/manager/manager_image_patch.yaml, which its Makefile copies)
        for path in sorted(folders | {os.path.abspath(p) for p in _named(layer)}):
            if os.path.isdir(path):
                if path not in folders or kustomization_file(path) is not None:
                    continue
                missing = os.path.join(path, KUSTOMIZATION_NAMES[0])
            elif os.path.exists(path):
                continue
            else:
                missing = path
            if path in message and ignored_below(top, missing):
                return os.path.relpath(missing, top)
    return None


def _flux_components(root: str) -> Optional[str]:
    """The name of a Flux Kustomization (in the root's folder or the two above it) whose
    `spec.path` is the root and that adds `spec.components` to it when Flux builds it
    (mirceanton/home-ops: apps/media/bookorbit/app.ks.yaml adds components/cnpg, which
    the root's patches/cnpg.yaml patches), or None."""
    top = _repository(root)
    if top is None:
        return None
    want = os.path.relpath(os.path.realpath(root), top).replace(os.sep, "/")
    folder = os.path.realpath(root)
    for _ in range(3):
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            names = []
        for name in names:
            if not name.endswith((".yaml", ".yml")) or name in KUSTOMIZATION_NAMES:
                continue
            path = os.path.join(folder, name)
            try:
                with open(path, "rb") as f:
                    head = f.read(1 << 16)
            except OSError:
                continue
            if b"kustomize.toolkit.fluxcd.io" not in head or b"components" not in head:
                continue
            try:
                documents = load(path).documents
            except Exception:
                continue
            for doc in documents:
                data = doc.data if isinstance(doc.data, dict) else {}
                spec = data.get("spec") if isinstance(data.get("spec"), dict) else {}
                path_of = spec.get("path")
                if str(data.get("apiVersion", "")).startswith("kustomize.toolkit.fluxcd.io/") \
                        and spec.get("components") and isinstance(path_of, str) \
                        and os.path.normpath(path_of).lstrip("/") == os.path.normpath(want):
                    meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
                    return f"{meta.get('name', '?')} ({os.path.relpath(path, top)})"
        if folder == top:
            break
        folder = os.path.dirname(folder)
    return None


def _secret_source(found: List[Layer], message: str) -> Optional[str]:
    """A file a `secretGenerator` reads (`files`, `envs`, `env`) that the checkout lacks, when
    kustomize's failure names it: credentials are kept out of a repository and written before
    the build (cluster-api-provider-metal3's e2e basic-auth component: its ci-e2e.sh writes
    ironic-username and ironic-password). None otherwise."""
    for layer in found:
        generators = layer.doc.data.get("secretGenerator")
        for generator in generators if isinstance(generators, list) else ():
            if not isinstance(generator, dict):
                continue
            entries = _strings(generator.get("files")) + _strings(generator.get("envs"))
            if isinstance(generator.get("env"), str):
                entries.append(generator["env"])
            for entry in entries:
                path = os.path.join(layer.folder, entry.rpartition("=")[2])
                if os.path.abspath(path) in message and not os.path.exists(path):
                    return os.path.relpath(path)
    return None


def _empty_patch(found: List[Layer], message: str) -> Optional[str]:
    """A patch file a kustomization names that holds nothing (`[]`), when kustomize's failure
    names it: gcs-fuse-csi-driver's overlays keep project_patch_csi_driver.json as `[]` for
    its Makefile to fill (`echo '[{"op": "replace", ...}]' > ...`) before it builds, then restore."""
    for layer in found:
        patches = layer.doc.data.get("patches")
        for entry in _strings([p.get("path") if isinstance(p, dict) else p
                               for p in (patches if isinstance(patches, list) else ())
                               if isinstance(p, (dict, str))]):
            if f'"{entry}"' not in message and f"'{entry}'" not in message:
                continue
            try:
                with open(os.path.join(layer.folder, entry), "rb") as f:
                    text = f.read(64)
            except OSError:
                continue
            if text.strip() in (b"", b"[]", b"{}"):
                return os.path.relpath(os.path.join(layer.folder, entry))
    return None


def _template_maker(found: List[Layer]) -> Optional[str]:
    """The field of the root's kustomization that writes a Go template action into every
    object (open-feature-operator's chart overlay: `namespace: {{ include "chart.namespace" .
    }}`, its output turned into a Helm chart by a script), or None."""
    from ..discover import GO_TEMPLATE

    data = found[0].doc.data if found else None
    if not isinstance(data, dict):
        return None
    for key in ("namespace", "namePrefix", "nameSuffix", "commonLabels", "labels",
                "commonAnnotations", "images"):
        for text in _all_strings(data.get(key)):
            if "{{" in text and GO_TEMPLATE.search(text):
                return key
    return None


# kustomization fields that bring objects of its own (the rest patch or transform them)
_OWN_OBJECTS = ("resources", "bases", "components", "helmCharts", "helmChartInflationGenerator",
                "configMapGenerator", "secretGenerator", "generators", "crds")


def _overlay_only(found: List[Layer], message: str) -> bool:
    """Whether a root failed only because it patches objects it does not hold: Fleet's
    `kustomize: {dir: overlays/dev}` beside a Helm chart, a Helm `--post-renderer` overlay."""
    data = found[0].doc.data if found else None
    return isinstance(data, dict) and not any(data.get(k) for k in _OWN_OBJECTS) and (
        "no matches for Id" in message or "failed to find unique target for patch" in message)


class RemoteRefused(RenderError):
    def __init__(self, message: str, path: str, pointer: Tuple[Any, ...], span: Any) -> None:
        super().__init__(message)
        self.path, self.pointer, self.span = path, pointer, span


class InputRefused(RenderError):
    """A file the root names that kubelint refuses to read (an alias bomb): kustomize, which
    does not bound aliases, would take minutes and gigabytes on it before the timeout."""

    def __init__(self, message: str, path: str, span: Any) -> None:
        super().__init__(message)
        self.path, self.span = path, span


def _refused_input(found: List[Layer]) -> Optional[Tuple[str, Any]]:
    """(path, loader problem) of the first local file the kustomizations name that holds
    aliases and that kubelint's loader refuses (KL006: expansion or depth beyond its limits).
    Only files with both `&` and `*` are loaded: others have nothing to expand."""
    from ..loader import load_text, read

    for path in sorted({os.path.abspath(p) for layer in found for p in _named(layer)}):
        if not os.path.isfile(path):
            continue
        text, _ = read(path)
        if text is None or "*" not in text or "&" not in text:
            continue
        problem = next((p for p in load_text(path, text).problems if p.code == "KL006"), None)
        if problem is not None:
            return path, problem
    return None


class PluginsRefused(RemoteRefused):
    """The kustomization needs KRM functions or exec plugins, which kubelint does not run."""


_PLUGIN_KEYS = ("generators", "transformers", "validators")


def _plugin_entry(found: List[Layer], message: str) -> Tuple[Layer, str, int]:
    """The generators/transformers/validators entry of the plugin kustomize could not load
    (its name is in the message: `unable to load external plugin 'tshirt'`), else the first."""
    import re

    m = re.search(r"external plugin '([^']+)'", message)
    wanted = m.group(1) if m else None
    first = None
    for layer in found:
        for key in _PLUGIN_KEYS:
            entries = layer.doc.data.get(key)
            for i, entry in enumerate(entries if isinstance(entries, list) else ()):
                first = first or (layer, key, i)
                if wanted is None:
                    return first
                text = entry if isinstance(entry, str) else ""
                if isinstance(entry, str) and "\n" not in entry:  # a file, not inline YAML
                    try:
                        with open(os.path.join(layer.folder, entry), encoding="utf-8",
                                  errors="replace") as f:
                            text = f.read(1 << 20)
                    except OSError:
                        text = ""
                kind = entry.get("kind") if isinstance(entry, dict) else None
                if kind == wanted or re.search(r"(?m)^kind:\s*['\"]?" + re.escape(wanted) + r"['\"]?\s*$", text):
                    return layer, key, i
    if first is None:
        raise LookupError(message)
    return first


def referenced_files(root: str) -> set:
    """Absolute paths of the local files that the root's kustomizations (its own and its
    bases') name anywhere: resources, patches, generators' files, transformers, replacements,
    crds, openapi schemas... Such a file is an input of the rendering, not an object on its
    own. Every string is tried as a path (a generator's `key=path` too): one that only happens
    to name a file costs that file its own linting, never a false finding."""
    return {path for layer in layers(root) for path in map(os.path.abspath, _named(layer))
            if os.path.isfile(path)}


def _named(layer: Layer) -> Iterator[str]:
    """Every string of a kustomization (and the `path` of a generator's `key=path`) as a
    path from its folder, remote entries aside."""
    for text in _all_strings(layer.doc.data):
        for entry in (text, text.partition("=")[2]):
            if entry and not _is_remote(entry):
                yield os.path.join(layer.folder, entry)


def patch_files(root: str) -> set:
    """Absolute paths of the local files the root's kustomizations (its own and its bases')
    name as patches: `patchesStrategicMerge` entries, `patches` and `patchesJson6902` paths."""
    out = set()
    for layer in layers(root):
        data = layer.doc.data if isinstance(layer.doc.data, dict) else {}
        names = [e for e in data.get("patchesStrategicMerge") or () if isinstance(e, str)]
        for key in ("patches", "patchesJson6902"):
            entries = data.get(key)
            names += [e["path"] for e in entries if isinstance(e, dict) and isinstance(e.get("path"), str)] \
                if isinstance(entries, list) else []
        for entry in names:
            path = os.path.abspath(os.path.join(layer.folder, entry))
            if os.path.isfile(path):
                out.add(path)
    return out


def _all_strings(value: Any) -> List[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [s for v in value for s in _all_strings(v)]
    return []


_PATHISH = LazyRegex(r"[A-Za-z0-9_./-]+\.(?:ya?ml|json)\b")


def commented_files(root: str) -> set:
    """Absolute paths of the files the root's kustomization names only in comments
    (kubebuilder's scaffolding: `#- path: patches/webhook_in_x.yaml`, `#- manager_patch.yaml`):
    inputs switched off, not manifests of their own."""
    path = kustomization_file(root)
    if path is None:
        return set()
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    out = set()
    for line in text.splitlines():
        at = line.find("#")
        for m in _PATHISH.finditer(line, at) if at >= 0 else ():
            found = os.path.abspath(os.path.join(root, m.group(0)))
            if os.path.isfile(found):
                out.add(found)
    return out


def looks_like_patch(path: str) -> bool:
    """Whether a file holds a partial object, as a kustomize patch does (kubebuilder's
    scaffolding keeps patches that scripts add): a document with an apiVersion but no kind
    (or the reverse), a document without a name (a patch of annotations, a controller-runtime
    ComponentConfig file), or of a built-in kind that lacks
    a field its schema requires at the top or in `spec` (a Deployment without
    `spec.selector`, a CRD without `spec`), with a pod template without containers, or with a
    container without an image."""
    return partial([doc.data for doc in load(path).documents])


def partial(documents: List[Any]) -> bool:
    """Whether some document's data is a partial object (looks_like_patch)."""
    from .. import k8s_schema

    version = k8s_schema.latest_version()
    for data in documents:
        if not isinstance(data, dict):
            continue
        if not isinstance(data.get("apiVersion"), str) or not isinstance(data.get("kind"), str):
            if isinstance(data.get("apiVersion"), str) or isinstance(data.get("kind"), str):
                return True  # (che-operator's minikube-checluster-patch.yaml: no kind)
            continue
        meta = data.get("metadata")
        if not (isinstance(meta, dict) and (meta.get("name") or meta.get("generateName"))):
            return True
        schema = _schema_of_kind(version, data["apiVersion"], data["kind"])
        if schema is None:
            continue
        top = schema.raw
        spec = _resolve(top, (top.get("properties") or {}).get("spec"))
        if _lacks(top, data) or isinstance(data.get("spec"), dict) and _lacks(spec, data["spec"]):
            return True
        if any(isinstance(c, dict) and "image" not in c for c in _containers(data.get("spec"))):
            return True
        if data["kind"] == "Service" and data["apiVersion"] == "v1":
            from ..checks.ports import lacks_ports

            spec = data.get("spec")
            if not isinstance(spec, dict) or lacks_ports(spec):
                return True  # (HariSekhon's service.nodeport.patch.yaml: only `type: NodePort`)
        from . import template_spec

        template = template_spec(data)
        if isinstance(template, dict) and "containers" not in template:
            return True  # (a chainsaw step patching a CronJob's restartPolicy)
    return False


def _schema_of_kind(version: str, api_version: str, kind: str) -> Any:
    """The kind's schema at that apiVersion, else at another version of its group (a removed
    one, apiextensions.k8s.io/v1beta1, requires what v1 does; a group without its version,
    as old kubebuilder scaffolds wrote CRD patches: `apiVersion: apiextensions.k8s.io`)."""
    from .. import k8s_schema

    schema = k8s_schema.schema_for(version, False, api_version, kind)
    if schema is None:
        group = api_version if "/" not in api_version and "." in api_version \
            else k8s_schema.group_of(api_version)
        for other, kinds in sorted(k8s_schema.index(version).items()):
            if kind in kinds and other != api_version and k8s_schema.group_of(other) == group:
                return k8s_schema.schema_for(version, False, other, kind)
    return schema


def _resolve(top: dict, schema: Any) -> Any:
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    return top.get("$defs", {}).get(ref.rsplit("/", 1)[1]) if isinstance(ref, str) else schema


def _lacks(schema: Any, data: dict) -> bool:
    required = schema.get("required") if isinstance(schema, dict) else None
    return isinstance(required, list) and any(k not in data for k in required)


def _containers(value: Any, depth: int = 0) -> List[Any]:
    """The entries of every `containers` list in a spec (pod templates at any depth)."""
    if depth > 8:
        return []
    if isinstance(value, dict):
        found = value.get("containers")
        out = list(found) if isinstance(found, list) else []
        for k, v in value.items():
            if k != "containers" and isinstance(v, (dict, list)):
                out.extend(_containers(v, depth + 1))
        return out
    if isinstance(value, list):
        return [c for v in value for c in _containers(v, depth + 1)]
    return []


def bases_of(root: str) -> List[str]:
    """Local folders the root's kustomization (and its bases) use as bases or components, or
    as transformers, generators or validators: a kustomization whose resources are transformer
    configs (gcp-compute-persistent-disk-csi-driver's images/stable-master: `apiVersion:
    builtin`, `kind: ImageTagTransformer`) is no root of its own."""
    found = layers(root)
    return [layer.folder for layer in found[1:]] + [
        os.path.normpath(sub) for layer in found
        for sub in _folders(layer.folder, layer.doc.data, ("transformers", "generators", "validators"))]


# --- what a rendering reads (for the result cache) ----------------------------------------------

# Inputs larger than this are not hashed: a kustomization at the top of a big repository would
# read it all on every run to save one render
_INPUTS_MAX_BYTES = 64 * 1024 * 1024
_INPUTS_MAX_FILES = 5000


def inputs_digest(root: str, restrictor: str = "auto",
                  allow_remote: bool = False) -> Optional[bytes]:
    """A digest of everything rendering `root` reads: every file below the folder of its
    kustomization and of each local base and component (patches, generators' files and
    resources may sit in subfolders), the files its kustomizations name outside them, the
    tool that renders (its path, size and time) and the options. None when the rendering
    cannot be pinned down: remote bases it may fetch, a tool that is missing, too much to
    read. With the same digest, kustomize makes the same output."""
    from ..resultcache import blake2b  # (the builtin module: hashlib would load OpenSSL)

    try:
        found = layers(root)
        if not found or allow_remote and remote_entries(found):
            return None
        cmd = command(root, restrictor)
        tool = shutil.which(cmd[0])
        st = os.stat(tool) if tool else None
    except Exception:  # (ToolMissing, an unreadable kustomization: render() says why)
        return None
    if st is None:
        return None
    files = set()
    for layer in found:
        for folder, dirs, names in os.walk(layer.folder):
            dirs[:] = [d for d in dirs if d != ".git"]
            files.update(os.path.abspath(os.path.join(folder, n)) for n in names)
            if len(files) > _INPUTS_MAX_FILES:
                return None
    files.update(referenced_files(root))
    h = blake2b(digest_size=20)
    h.update(f"{cmd[:2]}\0{restrictor}\0{tool}:{st.st_size}:{st.st_mtime_ns}\0".encode(
        "utf-8", "surrogateescape"))
    total = 0
    base = os.path.abspath(root)
    for path in sorted(files):
        try:
            with open(path, "rb") as f:
                data = f.read(_INPUTS_MAX_BYTES - total + 1)
        except OSError:  # a dangling symlink, a fifo...: kustomize may fail on it too
            data = b"\0unreadable"
        total += len(data)
        if total > _INPUTS_MAX_BYTES:
            return None
        h.update(os.path.relpath(path, base).encode("utf-8", "surrogateescape") + b"\0")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.digest()


# --- rendering ----------------------------------------------------------------------------------

def render(root: str, timeout: float = DEFAULT_TIMEOUT, allow_remote: bool = False,
           restrictor: str = "auto") -> bytes:
    """The rendered YAML stream of a kustomize root. Raises RenderError with the tool's own
    message. `restrictor`: a key of RESTRICTORS."""
    found = layers(root)
    if not allow_remote:
        remote = remote_entries(found)
        if remote:
            from ..positions import locate

            layer, entry, pointer = remote[0]
            what = f"`{entry}` (the openapi schema)" if pointer[0] == "openapi" else \
                f"remote base `{entry}`" if len(pointer) == 2 else \
                f"`{entry.partition('=')[2]}` (a {pointer[0]}'s file)"
            raise RemoteRefused(f"{what} not fetched, so this kustomization was not "
                                "rendered (set `kustomize: {allow-remote-bases: true}` in "
                                ".kubelint.yaml to let kustomize use the network)",
                                layer.path, pointer, locate(layer.doc.node, pointer))
    for layer in found:
        # kustomize's Helm support downloads the chart and runs helm (`--enable-helm`): the
        # network and a tool kubelint does not use, so the root is not rendered, as with a
        # remote base (truxnell/home-cluster's talos/cni: cilium from https://helm.cilium.io)
        charts = layer.doc.data.get("helmCharts")
        for i, chart in enumerate(charts if isinstance(charts, list) else ()):
            if isinstance(chart, dict):
                from ..positions import locate

                what = f"`{chart.get('name')}`" + (f" from {chart['repo']}" if chart.get("repo") else "")
                raise RemoteRefused(f"this kustomization inflates the Helm chart {what} "
                                    "(`helmCharts`), which needs helm and kustomize's "
                                    "--enable-helm, so it was not rendered", layer.path,
                                    ("helmCharts", i), locate(layer.doc.node, ("helmCharts", i)))
    refused = _refused_input(found)
    if refused is not None:
        path, problem = refused
        raise InputRefused(problem.message, path, problem.span)
    cmd = command(root, restrictor)
    maker = _template_maker(found)
    if maker is not None:
        raise MakesTemplate(f"this kustomization's `{maker}` writes Go template actions "
                            "(`{{ }}`) into its objects: its output is a template another tool "
                            "fills in (a Helm chart made from it), so it was not rendered")
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0")
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise RenderTimeout(f"`{' '.join(cmd[:2])}` did not finish within {timeout:g} s, so this "
                            "kustomization was not rendered") from None
    except OSError as e:
        raise ToolMissing(f"cannot run `{cmd[0]}`: {e.strerror or e}") from None
    if proc.returncode != 0:
        message = _tool_message(proc.stderr.decode("utf-8", "replace")) or f"exit code {proc.returncode}"
        if "external plugins disabled" in message:
            # containerised or exec KRM functions: running them would run code from the
            # repository (an untrusted pull request's), so the root is not rendered
            try:
                layer, key, i = _plugin_entry(found, message)
            except LookupError:
                pass
            else:
                from ..positions import locate

                raise PluginsRefused(
                    f"this kustomization runs a KRM function or exec plugin ({message.split('; ', 1)[-1]}), "
                    "which kubelint does not run, so it was not rendered and its objects were not "
                    "linted", layer.path, (key, i), locate(layer.doc.node, (key, i)))
        if _overlay_only(found, message):
            raise OverlayOnly("this kustomization holds no objects of its own (no `resources`) "
                              "and patches objects another tool makes (a Helm chart's output, "
                              "as Fleet and Helm's --post-renderer apply it), so it was not "
                              f"rendered alone (`{' '.join(cmd[:2])}`: {message})")
        flux = _flux_components(root) if ("no matches for Id" in message or
                                          "failed to find unique target" in message) else None
        if flux is not None:
            raise OverlayOnly(f"Flux's Kustomization {flux} adds components to this root before "
                              "building it (`spec.components`), and its patches need their "
                              f"objects, so it was not rendered alone (`{' '.join(cmd[:2])}`: "
                              f"{message})")
        made = _build_output(found, root, message)
        empty = _empty_patch(found, message) if made is None else None
        secret = _secret_source(found, message) if made is None and empty is None else None
        if secret is not None:
            raise NeedsBuild(f"this kustomization's secretGenerator reads `{secret}`, which is not "
                             "in the checkout: credentials are kept out of a repository and "
                             "written before the build, so the root was not rendered "
                             f"(`{' '.join(cmd[:2])}`: {message})")
        if empty is not None:
            raise NeedsBuild(f"this kustomization's patch `{empty}` is empty: a build step fills "
                             f"it in, so the root was not rendered (`{' '.join(cmd[:2])}`: {message})")
        if made is not None:
            raise NeedsBuild(f"this kustomization needs `{made}`, which is not in the checkout and "
                             "the repository's ignore files list: a build step makes it, so the "
                             f"root was not rendered (`{' '.join(cmd[:2])}`: {message})")
        if "is not in or below" in message:
            # contour's examples/optional-features: "Run with: kubectl kustomize
            # --load-restrictor=LoadRestrictionsNone"; cluster-api-provider-azure's flavors
            # (its Makefile builds them so; Flux builds every root that way)
            if restrictor == "auto":
                if reads_only_inside(found, root):
                    return render(root, timeout, allow_remote, "none")
                message += (" (kustomize's default load restrictor; this root names files "
                            "outside the repository, which kubelint does not let kustomize "
                            "read; `kustomize: {load-restrictor: none}` in .kubelint.yaml "
                            "would)")
            elif restrictor == "root-only":
                message += (" (kustomize's default load restrictor, as `load-restrictor: "
                            "root-only` in .kubelint.yaml asks; this root builds only with "
                            "--load-restrictor=LoadRestrictionsNone)")
        if "invalid Kustomization: json: unknown field" in message:
            # (container.training's `replacements: [{sourceValue: ...}]`: newer than kubectl's
            # embedded kustomize v5.5.0; the user's kustomize may know the field)
            version = _version(cmd[0])
            message += (f" (a field that kustomize {version}, which kubelint ran, does not know; "
                        "a newer kustomize may)") if version else ""
        raise RenderError(f"`{' '.join(cmd[:2])}` failed: {message}")
    return proc.stdout


_VERSIONS: Dict[str, Optional[str]] = {}


def _version(tool: str) -> Optional[str]:
    """The version of kustomize that `tool` (kustomize or kubectl) builds with, or None."""
    if tool not in _VERSIONS:
        import json

        found = None
        try:
            if tool == "kubectl":
                out = subprocess.run([tool, "version", "--client", "-o", "json"], capture_output=True,
                                     timeout=20).stdout
                found = json.loads(out).get("kustomizeVersion")
            else:
                out = subprocess.run([tool, "version"], capture_output=True, timeout=20).stdout
                m = re.search(rb"v[0-9]+\.[0-9]+\.[0-9]+", out)
                found = m.group(0).decode() if m else None
        except Exception:  # (no version is no reason to lose the finding)
            found = None
        _VERSIONS[tool] = found if isinstance(found, str) and found else None
    return _VERSIONS[tool]


def _repository(root: str) -> Optional[str]:
    """The real path of the git work tree that holds `root`, else of the current folder when
    it holds `root`; None otherwise."""
    folder = os.path.realpath(root)
    top = git_root(folder)
    if top is not None:
        return top
    cwd = os.path.realpath(os.getcwd())
    return cwd if covers(cwd, folder) else None


def reads_only_inside(found: List[Layer], root: str) -> bool:
    """Whether every folder and file the kustomizations of a root name (any string of
    theirs, taken as a path) lies inside its repository, symbolic links resolved: the
    condition for lifting kustomize's load restrictor, which keeps a pull request's
    kustomization from reading the CI machine's files into kubelint's output."""
    top = _repository(root)
    if top is None:
        return False
    return all(covers(top, os.path.realpath(layer.folder)) and all(
        covers(top, path) or not os.path.exists(path)
        for path in map(os.path.realpath, _named(layer))) for layer in found)


def _tool_message(stderr: str) -> str:
    """kustomize's message without kubectl's log prefix (`E1127 23:40:23.42 10827 run.go:72]
    "command failed" err="..."`)."""
    import re

    # deprecation notes (`# Warning: 'patchesStrategicMerge' is deprecated`) are not the error
    text = "\n".join(l for l in stderr.strip().splitlines() if not l.startswith("# Warning:")).strip()
    m = re.match(r'^[EWIF]\d{4} [\d:.]+\s+\d+ [\w.]+:\d+\] "command failed" err="(.*)"$', text, re.S)
    if m:
        text = m.group(1).replace('\\"', '"')
    else:  # the multi-line form: err=<\n\t...\n >
        m = re.match(r'^[EWIF]\d{4} [\d:.]+\s+\d+ [\w.]+:\d+\] "command failed" err=<\n(.*)\n\s*>$', text, re.S)
        if m:
            text = " ".join(l.strip() for l in m.group(1).splitlines() if l.strip())
    return text.replace("Error: ", "", 1) if text.startswith("Error: ") else text


# --- the source map -----------------------------------------------------------------------------

class Origin(NamedTuple):
    path: str
    span: Span
    note: str = ""  # said in the message when the finding moves to a generator/resources entry


class _Source(NamedTuple):
    path: str
    doc: Document


def _get(data: Any, pointer: Pointer) -> Tuple[bool, Any]:
    for part in pointer:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return False, None
    return True, data


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return type(a) is type(b)
    return a == b or str(a) == str(b)


def _name(data: Any) -> str:
    meta = data.get("metadata") if isinstance(data, dict) else None
    name = meta.get("name") if isinstance(meta, dict) else None
    return name if isinstance(name, str) else ""


def _translate(rendered: Any, source: Any, pointer: Pointer) -> Optional[Pointer]:
    """The pointer in `source` (a base document or a strategic merge patch) that corresponds
    to `pointer` in the rendered object: list items are matched by `name` (containers, ports,
    env, volumes merge by name), else by index."""
    out: List[Any] = []
    r, s = rendered, source
    for part in pointer:
        if isinstance(part, int):
            if not (isinstance(r, list) and isinstance(s, list) and 0 <= part < len(r)):
                return None
            item = r[part]
            key = item.get("name") if isinstance(item, dict) else None
            if key is not None:
                idx = next((i for i, x in enumerate(s) if isinstance(x, dict) and x.get("name") == key), None)
            else:
                idx = part if part < len(s) else None
            if idx is None:
                return None
            out.append(idx)
            r, s = item, s[idx]
        else:
            if not (isinstance(r, dict) and isinstance(s, dict) and part in s):
                return None
            out.append(part)
            r, s = r.get(part), s[part]
    return tuple(out)


class SourceMap:
    """Where each value of the rendered objects of one root was written."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.layers = layers(root)
        self.kustomization = self.layers[0].path if self.layers else os.path.join(root, "kustomization.yaml")
        self._resources: List[_Source] = []
        self._patches: List[Tuple[Layer, Any, Optional[Dict[str, Any]], Any]] = []
        for layer in self.layers:
            self._read_layer(layer)

    # reading the kustomizations ---------------------------------------------------------------

    def _read_layer(self, layer: Layer) -> None:
        data = layer.doc.data
        for key in ("resources", "bases"):
            for entry in _strings(data.get(key)):
                path = os.path.join(layer.folder, entry)
                if os.path.isfile(path):
                    for doc in load(path).documents:
                        if isinstance(doc.data, dict):
                            self._resources.append(_Source(os.path.normpath(path), doc))
        # strategic merge patches: patchesStrategicMerge entries and `patches: [{path}]`
        for i, entry in enumerate(data.get("patchesStrategicMerge") or []):
            if isinstance(entry, str):
                self._add_patch_text(layer, entry, None, ("patchesStrategicMerge", i))
        for i, entry in enumerate(data.get("patches") or []):
            if not isinstance(entry, dict):
                continue
            target = entry.get("target") if isinstance(entry.get("target"), dict) else None
            if isinstance(entry.get("path"), str):
                self._add_patch_text(layer, entry["path"], target, ("patches", i, "path"))
            elif isinstance(entry.get("patch"), str):
                self._add_inline(layer, entry["patch"], target, ("patches", i, "patch"))
        for i, entry in enumerate(data.get("patchesJson6902") or []):
            if isinstance(entry, dict) and isinstance(entry.get("target"), dict):
                if isinstance(entry.get("path"), str):
                    self._add_patch_text(layer, entry["path"], entry["target"], ("patchesJson6902", i))
                elif isinstance(entry.get("patch"), str):
                    self._add_inline(layer, entry["patch"], entry["target"], ("patchesJson6902", i, "patch"))

    def _add_patch_text(self, layer: Layer, rel: str, target: Optional[Dict[str, Any]],
                        where: Tuple[Any, ...]) -> None:
        path = os.path.normpath(os.path.join(layer.folder, rel))
        if not os.path.isfile(path):
            return
        for doc in load(path).documents:
            self._patches.append((layer, _Source(path, doc), target, None))

    def _add_inline(self, layer: Layer, text: str, target: Optional[Dict[str, Any]],
                    where: Tuple[Any, ...]) -> None:
        """An inline patch: a YAML document inside the kustomization's string. Its lines are
        found from the string node's position (a block scalar starts on the next line)."""
        from ..loader import load_bytes
        from ..positions import resolve

        node, _, matched = resolve(layer.doc.node, where)
        if matched != len(where):
            return
        start = node.start_mark
        block = node.style in ("|", ">")
        line_offset = start.line + (1 if block else 0)
        col_offset = (start.column if not block else _indent(text, layer.path, start.line + 1))
        for doc in load_bytes(layer.path, text.encode("utf-8")).documents:
            self._patches.append((layer, _Source(layer.path, doc), target, (line_offset, col_offset)))

    # answering ----------------------------------------------------------------------------------

    def origin(self, obj: Any, pointer: Pointer, doc: int = 0, at: str = "value") -> Origin:
        """The place that wrote `pointer` of the rendered object `obj`; `at` as in locate()."""
        exists, value = _get(obj, pointer)
        kind = obj.get("kind") if isinstance(obj, dict) else None
        name = _name(obj)
        base = self._base(obj, kind, name)
        if exists and isinstance(value, (dict, list)) and base is not None:
            # a whole container, port, object: where it is defined, not a patch that touches it;
            # but a map of scalars (a selector, labels) a patch changed is the patch's: its
            # values are what a finding on it is about (eks-workshop's troubleshooting module
            # patches a Service's selector to `ui-app`)
            doc_pointer = _translate(obj, base.doc.data, pointer)
            if doc_pointer is not None and _scalar_map(value) and \
                    not _same_map(_get(base.doc.data, doc_pointer)[1], value):
                doc_pointer = None
            if doc_pointer is not None:
                from ..positions import locate

                return Origin(base.path, locate(base.doc.node, doc_pointer, at))
        for layer, src, target, offset in self._patches:
            found = self._from_patch(obj, kind, name, pointer, exists, value, src, target, offset, at)
            if found is not None:
                return found
        written = base is not None and pointer == ("metadata", "namespace") and \
            _same(_get(base.doc.data, pointer)[1], value)  # (not the transformer's doing)
        generated = None if written else self._generated(obj, kind, name, pointer, value)
        if generated is not None:
            return generated
        if base is not None:
            src, doc_pointer = base, _translate(obj, base.doc.data, pointer)
            if doc_pointer is not None and _same(_get(base.doc.data, doc_pointer)[1], value):
                from ..positions import locate

                # a null is written as nothing after its key: the key is what a finding names
                return Origin(src.path, locate(src.doc.node, doc_pointer,
                                               "key" if value is None else at))
            if not exists:  # a missing field: where the object (or its deepest part) is written
                from ..positions import locate

                partial = _translate_prefix(obj, base.doc.data, pointer)
                return Origin(src.path, locate(src.doc.node, partial))
        return self._fallback(base)

    def _from_patch(self, obj: Any, kind: Any, name: str, pointer: Pointer, exists: bool,
                    value: Any, src: _Source, target: Optional[Dict[str, Any]],
                    offset: Optional[Tuple[int, int]], at: str = "value") -> Optional[Origin]:
        from ..positions import locate

        data = src.doc.data
        if isinstance(data, list):  # JSON 6902: a list of operations
            if target is None or not _targets(target, kind, name):
                return None
            for i, op in enumerate(data):
                if not isinstance(op, dict) or op.get("op") not in ("add", "replace", "copy", "move"):
                    continue
                op_pointer = _parse_pointer(op.get("path"), obj)
                if op_pointer is None or tuple(pointer[:len(op_pointer)]) != op_pointer:
                    continue
                rest = pointer[len(op_pointer):]
                if "value" in op:
                    inner = _translate(_get(obj, op_pointer)[1], op["value"], rest) if rest else ()
                    if inner is None:
                        continue
                    return self._shift(src.path, locate(src.doc.node, (i, "value") + tuple(inner)), offset)
                return self._shift(src.path, locate(src.doc.node, (i, "path")), offset)
            return None
        if not isinstance(data, dict):
            return None
        if target is not None and not _targets(target, kind, name):
            return None
        if target is None and (data.get("kind") != kind or not name.endswith(_name(data)) or not _name(data)):
            return None
        if data.get("$patch") == "delete":
            return None
        if _identifies(pointer):
            return None  # a patch's merge keys, kind and name say what it patches, not a value
        doc_pointer = _translate(obj, data, pointer)
        if doc_pointer is None:
            return None
        patched = _get(data, doc_pointer)[1]
        if not exists or _same(patched, value) or _scalar_map(value) and \
                isinstance(patched, dict) and patched and \
                all(k in value and _same(v, value[k]) for k, v in patched.items()):
            return self._shift(src.path, locate(src.doc.node, doc_pointer, at), offset)
        return None

    @staticmethod
    def _shift(path: str, span: Span, offset: Optional[Tuple[int, int]]) -> Origin:
        if offset is None:
            return Origin(path, span)
        lines, cols = offset
        return Origin(path, Span(span.line + lines, span.column + cols, span.end_line + lines,
                                 span.end_column + cols))

    def _generated(self, obj: Any, kind: Any, name: str, pointer: Pointer, value: Any) -> Optional[Origin]:
        from ..positions import locate

        for layer in self.layers:
            data, node = layer.doc.data, layer.doc.node
            # images: a container image a kustomization rewrote
            if len(pointer) >= 2 and pointer[-1] == "image" and isinstance(value, str):
                for i, img in enumerate(data.get("images") or []):
                    if not isinstance(img, dict) or not isinstance(img.get("name"), str):
                        continue
                    new = img.get("newName") or img["name"]
                    if value.split("@")[0].rsplit(":", 1)[0] == new and \
                            any(k in img for k in ("newTag", "digest", "newName")):
                        key = next(k for k in ("newTag", "digest", "newName") if k in img)
                        return Origin(layer.path, locate(node, ("images", i, key)),
                                      f"image set by `images:` in {layer.path}")
            if pointer == ("spec", "replicas"):
                for i, rep in enumerate(data.get("replicas") or []):
                    if isinstance(rep, dict) and isinstance(rep.get("name"), str) and \
                            name.endswith(rep["name"]) and _same(rep.get("count"), value):
                        return Origin(layer.path, locate(node, ("replicas", i, "count")))
            if pointer == ("metadata", "namespace") and isinstance(data.get("namespace"), str) \
                    and data["namespace"] == value:
                # kustomize's namespace transformer: it sets the namespace of kinds it does not
                # know to be cluster-scoped too (kueue's FlowSchema: a KL106 finding)
                return Origin(layer.path, locate(node, ("namespace",)),
                              f"namespace set by `namespace:` in {layer.path}")
            if pointer == ("metadata", "name"):
                for key in ("namePrefix", "nameSuffix"):
                    if isinstance(data.get(key), str) and data[key] and data[key] in name:
                        return Origin(layer.path, locate(node, (key,)),
                                      f"name set by `{key}` in {layer.path}")
            for gen, gen_kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")):
                if kind != gen_kind:
                    continue
                for i, entry in enumerate(data.get(gen) or []):
                    if isinstance(entry, dict) and isinstance(entry.get("name"), str) and entry["name"] in name:
                        sub = pointer[1:2] if pointer[:1] == ("data",) else ()
                        for part in ("literals", "files", "envs", "env"):
                            if part in entry:
                                return Origin(layer.path, locate(node, (gen, i, part)),
                                              f"generated by `{gen}` in {layer.path}")
                        return Origin(layer.path, locate(node, (gen, i, "name")) if not sub else
                                      locate(node, (gen, i)),
                                      f"generated by `{gen}` in {layer.path}")
        return None

    def _base(self, obj: Any, kind: Any, name: str) -> Optional[_Source]:
        """The resource document the rendered object comes from: same kind, and the longest
        source name the rendered name contains (prefixes, suffixes and hashes added); among
        equal names, the same apiVersion, then the same namespace (kubebuilder's samples: one
        CronJob `cronjob-sample` at v1 and at v2, in two files)."""
        api = obj.get("apiVersion") if isinstance(obj, dict) else None
        meta = obj.get("metadata") if isinstance(obj, dict) else None
        namespace = meta.get("namespace") if isinstance(meta, dict) else None
        for same_kind in (True, False):  # a JSON 6902 patch may change the kind
            best, best_rank = None, None
            for src in self._resources:
                data = src.doc.data
                if same_kind and data.get("kind") != kind:
                    continue
                src_name = _name(data)
                if not src_name or src_name not in name:
                    continue
                src_meta = data.get("metadata")
                rank = (len(src_name), data.get("apiVersion") == api,
                        isinstance(src_meta, dict) and src_meta.get("namespace") == namespace)
                if best_rank is None or rank > best_rank:
                    best, best_rank = src, rank
            if best is not None:
                return best
        return None

    def _fallback(self, base: Optional[_Source]) -> Origin:
        from ..positions import locate

        root = self.layers[0] if self.layers else None
        if root is not None:
            for key in ("resources", "bases"):
                for i, entry in enumerate(_strings(root.doc.data.get(key))):
                    full = os.path.normpath(os.path.join(root.folder, entry))
                    if base is not None and (base.path == full or base.path.startswith(full + os.sep)):
                        return Origin(root.path, locate(root.doc.node, (key, i)), "fallback")
            for key in ("resources", "bases"):
                if _strings(root.doc.data.get(key)):
                    return Origin(root.path, locate(root.doc.node, (key, 0)), "fallback")
            return Origin(root.path, Span(1, 1, 1, 2), "fallback")
        return Origin(self.kustomization, Span(1, 1, 1, 2), "fallback")


def _same_map(a: Any, b: dict) -> bool:
    return isinstance(a, dict) and a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())


def _scalar_map(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and \
        not any(isinstance(v, (dict, list)) for v in value.values())


def _identifies(pointer: Pointer) -> bool:
    return (pointer in (("apiVersion",), ("kind",), ("metadata",), ("metadata", "name"),
                        ("metadata", "namespace"))
            or (len(pointer) >= 2 and pointer[-1] == "name" and isinstance(pointer[-2], int)))


def _translate_prefix(obj: Any, source: Any, pointer: Pointer) -> Pointer:
    for n in range(len(pointer), -1, -1):
        p = _translate(obj, source, pointer[:n])
        if p is not None:
            return p
    return ()


def _indent(text: str, path: str, first_line0: int) -> int:
    """The indentation of an inline block patch in the kustomization file: the columns to add
    to positions computed inside the patch text."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        line = lines[first_line0] if first_line0 < len(lines) else ""
        return len(line) - len(line.lstrip(" "))
    except OSError:
        return 0


def _targets(target: Dict[str, Any], kind: Any, name: str) -> bool:
    if "kind" in target and target["kind"] != kind:
        return False
    want = target.get("name")
    if isinstance(want, str) and want and not name.endswith(want) and want not in name:
        return False
    return True


def _parse_pointer(path: Any, obj: Any) -> Optional[Pointer]:
    if not isinstance(path, str) or not path.startswith("/"):
        return None
    out: List[Any] = []
    node = obj
    for raw in path[1:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            if part == "-":
                part = len(node) - 1
            elif part.isdigit():
                part = int(part)
            else:
                return None
        out.append(part)
        node = node[part] if isinstance(node, dict) and part in node else \
            node[part] if isinstance(node, list) and isinstance(part, int) and part < len(node) else None
    return tuple(out)
