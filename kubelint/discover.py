"""Which files a run lints: walks directories honouring .gitignore files at every level,
.git/info/exclude and .kubelintignore (gitignore syntax, through `pathspec`), the config's
`exclude:` patterns (relative to the config file's folder), and recognises what is not a
manifest by name (Chart.yaml, values.yaml, kustomization.yaml, ...). Kustomize roots and Helm
charts are recorded, not walked: their files are linted through rendering.

Files named on the command line are always linted (ignore files and well-known names do not
apply to them); `exclude:` does, as before."""

from __future__ import annotations

import fnmatch
import re
import os
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from .lazyre import LazyRegex
from .namedtuple import NamedTuple

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
STDIN = "-"
IGNORE_FILES = (".gitignore", ".kubelintignore")
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
CHART_FILE = "Chart.yaml"

# Well-known files that are YAML or JSON but never Kubernetes objects: recognised by name,
# so that a walk neither parses nor reports them. (glob, reason)
HELM_VALUES_SKIP = "Helm values"
NOT_MANIFESTS: Tuple[Tuple[str, str], ...] = (
    ("Chart.yaml", "Helm chart metadata"),
    ("Chart.lock", "Helm chart lock file"),
    ("values*.yaml", HELM_VALUES_SKIP),
    ("values*.yml", HELM_VALUES_SKIP),
    ("values.schema.json", "Helm values schema"),
    ("kustomization.yaml", "kustomization"),
    ("kustomization.yml", "kustomization"),
    ("kustomizeconfig.yaml", "kustomize configuration"),
    ("skaffold.yaml", "Skaffold configuration"),
    (".pre-commit-config.yaml", "pre-commit configuration"),
    (".pre-commit-hooks.yaml", "pre-commit hooks"),
    (".kubelint.yaml", "kubelint configuration"),
    (".kubelint.yml", "kubelint configuration"),
    ("docker-compose*.yml", "Docker Compose file"),
    ("docker-compose*.yaml", "Docker Compose file"),
    ("compose.yaml", "Docker Compose file"),
    ("compose.yml", "Docker Compose file"),
    ("package.json", "npm package manifest"),
    ("package-lock.json", "npm lock file"),
    ("tsconfig*.json", "TypeScript configuration"),
    ("composer.json", "Composer manifest"),
    (".gitlab-ci.yml", "GitLab CI configuration"),
    ("mkdocs.yml", "MkDocs configuration"),
    ("codecov.yml", "Codecov configuration"),
    ("renovate.json", "Renovate configuration"),
    (".goreleaser.yaml", "GoReleaser configuration"),
    (".goreleaser.yml", "GoReleaser configuration"),
    (".golangci.yml", "golangci-lint configuration"),
    (".golangci.yaml", "golangci-lint configuration"),
    (".yamllint", "yamllint configuration"),
    (".yamllint.yaml", "yamllint configuration"),
    ("ct.yaml", "chart-testing configuration"),
)
NOT_A_MANIFEST = "not a Kubernetes manifest (no apiVersion or kind in any document)"
TOOL_CONFIG = "a tool's configuration (an API no API server serves), not Kubernetes objects"
# API groups of configuration files that tools read and no API server serves: a kind cluster,
# kubeadm, the components' own configs, audit and encryption policies, controller-runtime,
# kustomize's plugin configs, k3d, ctlptl, skaffold, clusterctl, istioctl's IstioOperator
# (its in-cluster operator was removed in Istio 1.24), nodeadm's NodeConfig (EKS nodes' user data),
# Tanka's environments (spec.json)
TOOL_CONFIG_GROUPS = frozenset({
    "kind.x-k8s.io", "kubeadm.k8s.io", "kubelet.config.k8s.io", "kubeproxy.config.k8s.io",
    "kubescheduler.config.k8s.io", "kubecontrollermanager.config.k8s.io",
    "apiserver.config.k8s.io", "apiserver.k8s.io", "audit.k8s.io", "controller-runtime.sigs.k8s.io",
    "kustomize.config.k8s.io", "builtin", "k3d.io", "ctlptl.dev", "skaffold",
    "clusterctl.cluster.x-k8s.io", "install.istio.io", "chainsaw.kyverno.io", "kuttl.dev",
    "cli.kyverno.io", "descheduler", "eksctl.io", "kops.k8s.io", "kops", "kpt.dev",
    "config.kwok.x-k8s.io", "config.kubernetes.io", "node.eks.aws", "tanka.dev",
    "scorecard.operatorframework.io", "holodeck.nvidia.com",
    "bootstrap.aws.infrastructure.cluster.x-k8s.io",  # clusterawsadm's AWSIAMConfiguration
})
# A document with one of these annotations configures a KRM function that kustomize or kpt
# runs (kustomize's fn examples, kyaml's test inputs): read by the tool, never applied
FUNCTION_ANNOTATIONS = ("config.kubernetes.io/function", "config.k8s.io/function")
TEMPLATE = ("a template: it holds placeholders or actions that a tool fills in before use "
            "(`{{ }}`, Jinja's `{% %}`, ytt's `#@` annotations; its name, its actions or where "
            "it breaks say so), so it is no manifest as it is")
YTT_INPUT = ("a ytt configuration's input: a file of its folder is a ytt template (overlays, "
             "data values) that changes it before use (`ytt -f DIR`); name the file to lint it")
# (carvel-dev/ytt's examples: a Deployment without the selector that add-resources.yml's
# overlay adds, 16 errors)
# a walked file with `{{` that does not parse is a template's source, not a broken manifest,
# when its name says so (kustomize's `*.template.yaml`, a script's `*-template.yaml`), it
# holds Go template actions (`{{ .Name }}`, `{{- range }}`: rook's go:embed'ed manifests),
# or it breaks only on lines with `{{` (karmada's `caBundle: {{caBundle}}`, filled by sed)
# (compiled on first use: every run imports this module, few read a file that does not parse)
# the folders of an Ansible role whose files Ansible reads through Jinja (kiali-operator's
# roles/<version>/<role>/tasks/resources-to-remove.yml lists objects by `{{ namespace }}`)
ANSIBLE_ROLE = LazyRegex(r"(?:^|/)roles/(?:[^/]+/){1,2}(?:tasks|templates|vars|defaults|handlers|files)/")
# an Ansible inventory's variables (auricom/home-ops' ansible/inventory/group_vars/all/all.sops.yml:
# `kind: Secret` among SOPS-encrypted variables): never a manifest
ANSIBLE_VARS = LazyRegex(r"(?:^|/)(?:group_vars|host_vars)/")
# a Helm release's values file (`values.yaml`, `jaeger-values.yaml`, `values-prod.yml`): the
# chart it configures installs objects into its folder that the input does not show
HELM_VALUES = LazyRegex(r"(?:^|[-_.])values(?:[-_.][^/]*)?\.ya?ml\Z", re.I)
TEMPLATE_NAME = LazyRegex(r"[._-](?:template|tmpl|tpl)s?[._-]|^(?:template|tmpl|tpl)s?[._-]", re.I)
# Carvel ytt's annotations are YAML comments, so its templates parse: `#@ load(...)`,
# `name: #@ data.values.name` (rabbitmq's cluster-operator OLM templates), `#@overlay/match`
YTT_TEMPLATE = LazyRegex(r"^[ \t]*#@(?:[ \t]|load\(|overlay/|data/values|yaml/|schema/|template/|library/)|: #@ ",
                         re.M)
# a value a program fills in by replacing `#{NAME}`, which YAML reads as a comment (litmus'
# chaoscenter manifests: `image: #{ARGO_WORKFLOW_EXECUTOR}`, a line `#{TOLERATIONS}`; Octopus
# Deploy's and Azure Pipelines' token replacement); not Ruby's "#{ENV['X']}" in a fluentd config.
# So is `##NAME##` (argo-cd's test/remote/argocd-remote-permissions.yaml: `name: ##CRNAME##`,
# replaced with sed), a value in capitals
HASH_PLACEHOLDER = LazyRegex(r"[:-][ \t]+#\{[A-Za-z_][A-Za-z0-9_]*\}|^[ \t]*#\{[A-Z_][A-Z0-9_]*\}[ \t]*$"
                             r"|[:-][ \t]+##[A-Z_][A-Z0-9_]*##[ \t]*$", re.M)
# a value that says a program fills it in: NVIDIA's gpu-operator reads its assets/ and sets
# `namespace: "FILLED BY THE OPERATOR"`, `name: FILLED_BY_OPERATOR` (capitals: a marker, not
# a CRD description's sentence "set by the operator")
PROGRAM_FILLED = LazyRegex(r":[ \t]+[\"']?FILLED[ _]BY[ _](?:THE[ _])?"
                           r"(?:OPERATOR|VALIDATOR|CONTROLLER|INSTALLER|SCRIPT)[\"']?[ \t]*$", re.M)
# Jinja's statements (Ansible roles' templates/, Salt, cookiecutter): a line that is a
# `{% for %}`, `{% if %}`, `{% set %}`... (khuedoan/homelab's cilium role)
JINJA_STATEMENT = LazyRegex(r"^[ \t]*\{%-?\s*(?:for|if|elif|else|endfor|endif|set|macro|include|import|"
                            r"from|raw|block|extends|call|filter|with)\b", re.M)
# (a function applied to an argument too: `{{ toYaml .Values.x | nindent 4 }}`, `{{ tpl "..." . }}`)
GO_TEMPLATE = LazyRegex(r"\{\{-?\s*(?:[.$]|(?:range|if|else|end|with|define|template|include|block)\b"
                        r"|[A-Za-z_]\w*\s+[.$\"(])")
TEST_DATA = ("Go test data: the go tool skips `testdata` folders, which hold test fixtures "
             "(often invalid on purpose); name the folder to lint it")
GO_FIXTURES = ("Go unit test fixtures (a `fixtures` folder beside a package's `_test.go` files): "
               "its tests feed them to a fake client, never to an API server; name the folder to "
               "lint it")
# (traefik's pkg/provider/kubernetes/*/fixtures: Gateway API routes without the hostnames
# the CRD requires, names in capitals: 155 errors. An e2e suite's fixtures, which a cluster
# reads, are walked: cloudnative-pg's tests/e2e/fixtures.)
TEST_SOURCES = ("Maven/Gradle test sources (`src/test`): fixtures the build's tests read (often "
                "invalid on purpose, or stale copies such as an old CRD); name the folder to lint it")
INVALID_FIXTURE = ("a test's fixture that its name says is invalid on purpose (`invalid`, `bad`, "
                   "`broken` or `malformed` in the name of a file, or of its folder, below a test "
                   "folder; or a file or folder named `invalid...`): its tests expect it to be rejected; "
                   "name the file to lint it")
# (nginx's kubernetes-ingress: tests/data/virtual-server-upstream-options/
# virtual-server-with-invalid-keys-openapi.yaml and 20 more, 161 errors; kube-linter's
# tests/checks/invalid-target-ports.yaml, polaris' test/checks/.../failure-bad-ns.yaml)
_INVALID_NAME = LazyRegex(r"(?:^|[-_.])(?:invalid|bad|broken|malformed)(?:[-_.0-9]|$)", re.I)
TEST_FOLDERS = frozenset({"test", "tests", "e2e", "testing"})
_E2E = frozenset({"e2e", "integration", "integration-tests"})
# a folder that says so anywhere below the walk's root (gateway-api's hack/invalid-examples/,
# which its verify script expects the API server to reject: 46 errors), or a file (kustomize's
# examples/validationTransformer/invalid.yaml, which its validator is shown rejecting)
_INVALID_FOLDER = LazyRegex(r"invalid(?:[-_.]|\Z)", re.I)
SNAPSHOTS = ("test snapshots (a `__snapshot__` or `__snapshots__` folder): a snapshot test's "
             "recorded output, not manifests; name the folder to lint it")
# (external-secrets' tests/__snapshot__: every CRD field filled with `string`, 135 errors)
VENDORED = ("vendored dependencies (a Go module's `vendor` folder; jsonnet-bundler's beside a "
            "jsonnetfile.json): copies of other projects' files, linted where they are "
            "maintained; name the folder to lint it")
# A Source.unit: each document of the file is applied on its own (graph.py's units), as the
# resources of a Kyverno CLI test are evaluated one by one (e2e.py)
EACH_DOCUMENT = "\0each document"
CONTROLLER_OUTPUT = ("a controller's output (metadata.ownerReferences with controller: true) "
                     "that lacks fields a manifest needs: a test's expected state or a cluster "
                     "dump, never applied")
WALK_SKIPS = (NOT_A_MANIFEST, TOOL_CONFIG, TEMPLATE, CONTROLLER_OUTPUT)  # what a walked file may be skipped as, once read


class Source(NamedTuple):
    path: str  # as reported
    real: Optional[str]  # where to read it; None: `raw` holds it (stdin, rendered output)
    raw: Optional[bytes] = None
    walked: bool = False  # reached by a walk: skipped, not reported, if it is no manifest
    # what it is applied with, for cross-object rules (graph.py's units); None: its folder
    # when walked, else the files named on the command line
    unit: Optional[str] = None


class Discovery(NamedTuple):
    sources: List[Source]
    missing: List[str]
    skipped: List[Tuple[str, str]]  # (path, reason) of walked files left out by name
    kustomize_roots: List[str]  # folders holding a kustomization (named or walked)
    charts: List[str]  # folders holding Chart.yaml
    unmatched_excludes: List[int]  # indices of exclude: patterns that matched nothing in a walk
    # root -> files named on the command line that the root uses (a patch, a base resource):
    # linted through that root's rendering, reporting only what lands in them
    focus: Dict[str, Set[str]] = {}


_NOT_MANIFEST_RE: Any = None
# (the names without wildcards, the literal starts of the others): a name that is none of
# the first and starts with none of the second matches no pattern
_NOT_MANIFEST_STARTS: Any = None


def known_non_manifest(name: str) -> Optional[str]:
    """Why a file of this name is not a manifest, or None. The patterns are tried as one
    regular expression, in order (the first alternative that matches the whole name wins, as
    the loop over fnmatchcase did): one match per walked file instead of ~30, and only for
    a name that may match (the expression's 30 alternatives cost ~17,000 instructions a
    name: 2-3 ms of a walk of 1,000 files)."""
    global _NOT_MANIFEST_RE, _NOT_MANIFEST_STARTS
    if _NOT_MANIFEST_STARTS is None:
        starts = [re.match(r"[^*?\[]*", pattern).group(0) for pattern, _ in NOT_MANIFESTS]
        _NOT_MANIFEST_STARTS = (
            frozenset(p for (p, _), s in zip(NOT_MANIFESTS, starts) if s == p),
            tuple(sorted({s for (p, _), s in zip(NOT_MANIFESTS, starts) if s != p})))
    names, starts = _NOT_MANIFEST_STARTS
    if name not in names and not name.startswith(starts):
        return None
    if _NOT_MANIFEST_RE is None:  # (compiled only for a name that may match: ~0.8 ms)
        _NOT_MANIFEST_RE = re.compile("|".join(f"(?P<p{i}>{fnmatch.translate(pattern)})"
                                               for i, (pattern, _) in enumerate(NOT_MANIFESTS)))
    m = _NOT_MANIFEST_RE.match(name)
    return NOT_MANIFESTS[int(m.lastgroup[1:])][1] if m is not None else None


def git_root(start: str) -> Optional[str]:
    here = os.path.abspath(start)
    while True:
        if os.path.exists(os.path.join(here, ".git")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


class _IgnoreStack:
    """The ignore files in force in one folder: (folder, spec) from the outermost down.
    Deeper files win, and a later pattern in one file beats an earlier one, as in git."""

    def __init__(self, frames: List[Tuple[str, object]]) -> None:
        self.frames = frames

    def ignored(self, path: str, is_dir: bool) -> bool:
        for base, spec in reversed(self.frames):
            # both absolute and normalised: a path below `base` is `base/rest` (os.path.relpath
            # does the same on strings, with two abspath calls per frame per file)
            prefix = base if base.endswith(os.sep) else base + os.sep
            if path.startswith(prefix):
                rel = path[len(prefix):].replace(os.sep, "/")
            else:
                rel = os.path.relpath(path, base).replace(os.sep, "/")
                if rel.startswith("../"):
                    continue
            result = spec.check_file(rel + "/" if is_dir else rel)  # type: ignore[attr-defined]
            if result.include is not None:
                return bool(result.include)
        return False

    def entering(self, folder: str, names: Set[str]) -> "_IgnoreStack":
        spec = _spec_for(folder, names)
        return _IgnoreStack(self.frames + [(folder, spec)]) if spec is not None else self


def _read_lines(path: str) -> List[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().splitlines()
    except OSError:
        return []


def _spec_for(folder: str, names: Set[str], extra: Sequence[str] = ()) -> Optional[object]:
    lines: List[str] = list(extra)
    for name in IGNORE_FILES:
        if name in names:
            lines.extend(_read_lines(os.path.join(folder, name)))
    if not lines:
        return None
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


def _initial_stack(top: str, root: Optional[str] = None) -> _IgnoreStack:
    """Ignore files that apply to a walk starting at `top`: those of every folder from the
    repository root (or `top` itself outside a work tree) down to `top`, and .git/info/exclude."""
    root = root or git_root(top) or top
    chain = []
    here = top
    while True:
        chain.append(here)
        if here == root:
            break
        parent = os.path.dirname(here)
        if parent == here:
            break
        here = parent
    frames: List[Tuple[str, object]] = []
    exclude = os.path.join(root, ".git", "info", "exclude")
    extra = _read_lines(exclude) if os.path.isfile(exclude) else []
    for i, folder in enumerate(reversed(chain)):
        try:
            names = set(os.listdir(folder))
        except OSError:
            names = set()
        spec = _spec_for(folder, names, extra if i == 0 else ())
        if spec is not None:
            frames.append((folder, spec))
    return _IgnoreStack(frames)


def ignored_below(top: str, path: str) -> bool:
    """Whether the ignore files from `top` (a repository) down list `path` or a folder above
    it: a build's output, such as the CRDs controller-gen writes, which a checkout lacks."""
    path = os.path.abspath(path)
    if not covers(top, path):
        return False
    stack = _initial_stack(os.path.dirname(path), os.path.abspath(top))
    here, is_dir = path, False
    while covers(top, here) and os.path.abspath(here) != os.path.abspath(top):
        if stack.ignored(here, is_dir):
            return True
        here, is_dir = os.path.dirname(here), True
    return False


class Excludes:
    """The config's `exclude:` patterns, gitignore syntax, matched against the path relative
    to the config file's folder whatever form the path was given in."""

    def __init__(self, patterns: Sequence[str], base: Optional[str]) -> None:
        self.patterns = list(patterns)
        self.base = os.path.abspath(base or os.getcwd())
        self.matched: Set[int] = set()
        self._specs = None
        if self.patterns:
            import pathspec

            self._specs = [pathspec.GitIgnoreSpec.from_lines([p]) for p in self.patterns]
            self._all = pathspec.GitIgnoreSpec.from_lines(self.patterns)

    def excluded(self, path: str, is_dir: bool = False) -> bool:
        if self._specs is None:
            return False
        rel = os.path.relpath(os.path.abspath(path), self.base).replace(os.sep, "/")
        if rel.startswith("../") or rel == "..":
            return False
        rel = rel + "/" if is_dir else rel
        result = self._all.check_file(rel)
        if not result.include:
            return False
        # which pattern did it: the last one that matches (gitignore order)
        for i, spec in enumerate(self._specs):
            if spec.match_file(rel):
                self.matched.add(i)
        return True

    def unmatched(self) -> List[int]:
        return [i for i, p in enumerate(self.patterns)
                if i not in self.matched and p.strip() and not p.strip().startswith(("#", "!"))]


def discover(paths: Sequence[str], exclude: Sequence[str] = (), stdin_filename: Optional[str] = None,
             *, base: Optional[str] = None, use_ignore_files: bool = True,
             render: Sequence[str] = ("kustomize", "helm")) -> Discovery:
    """Files to lint, in a stable order; the given paths that do not exist; what a walk left
    out by name; the kustomize roots and charts found. `base`: the folder `exclude:` patterns
    are relative to (the config file's). `render`: which layouts to
    recognise ("kustomize", "helm"); others are walked like
    any folder
    (`()` for --crd folders)."""
    excludes = Excludes(exclude, base)
    sources: List[Source] = []
    missing: List[str] = []
    skipped: List[Tuple[str, str]] = []
    roots: List[str] = []
    charts: List[str] = []
    focus: Dict[str, Set[str]] = {}
    seen: Set[str] = set()
    held: List[Tuple[str, Source]] = []  # (root, file) walked in a kustomize root's tree
    walked_any = False
    for given in paths:
        if given == STDIN:
            if not (stdin_filename and excludes.excluded(stdin_filename)):
                sources.append(Source(stdin_filename or "<stdin>", None))
            continue
        if os.path.isdir(given):
            # a pattern is only known to match nothing when the walk covers the whole
            # folder it is relative to
            walked_any = walked_any or covers(given, excludes.base)
            _walk(given, excludes, use_ignore_files, render, sources, skipped, roots, charts, seen,
                  held)
        elif os.path.lexists(given):
            if given not in seen and not excludes.excluded(given):
                seen.add(given)
                name = os.path.basename(given)
                if "kustomize" in render and name in KUSTOMIZATION_NAMES:
                    roots.append(os.path.normpath(os.path.dirname(given) or "."))
                    continue
                root = _using_root(given) if "kustomize" in render else None
                if root is not None:
                    if root not in roots and root not in focus:
                        focus[root] = set()
                    if root in focus:
                        focus[root].add(os.path.normpath(given))
                else:
                    sources.append(Source(given, given))
        else:
            missing.append(given)
    unmatched = excludes.unmatched() if walked_any else []
    used = _used_by(roots) if roots and (held or any(src.walked for src in sources)) else None
    if used:
        # a walked file outside every root's tree that a kustomization names as a patch, or
        # that holds a partial object (capv's e2e `../commons/vcpu.yaml`, a partial
        # VSphereMachineTemplate for patchesStrategicMerge): not an object of its own. (A
        # whole object named from outside stays linted alone too: a root that reads outside
        # its tree renders only with the load restrictor off.)
        kept = []
        for src in sources:
            full = os.path.abspath(src.path) if src.walked else None
            if full in used and (full in used.patches or _partial(src.path)):
                skipped.append((src.path, PATCH_USED))
            else:
                kept.append(src)
        sources[:] = kept
    sources.extend(_unused(held, used, skipped))
    roots.extend(r for r in focus if r not in roots)
    return Discovery(sources, missing, skipped, roots, charts, unmatched, focus)


def _using_root(path: str) -> Optional[str]:
    """The kustomize root above `path` whose kustomization (or a local base's) names it as a
    resource or patch, or None: such a file is not an object on its own."""
    full = os.path.abspath(path)
    here = os.path.dirname(full)
    stop = git_root(here)
    while True:
        if any(os.path.isfile(os.path.join(here, n)) for n in KUSTOMIZATION_NAMES):
            try:
                from .render.kustomize import referenced_files

                if full in referenced_files(here):
                    rel = os.path.relpath(here)
                    return os.path.normpath(here if rel.startswith("..") else rel)
            except Exception:
                return None
            return None
        parent = os.path.dirname(here)
        if parent == here or here == stop:
            return None
        here = parent


PATCH_NOT_USED = ("not an object of its own (a kustomize patch or a config file), and no "
                  "kustomization of the walk uses it")


PATCH_USED = ("not an object of its own: a kustomize patch, applied by the kustomization "
              "that names it")


NAMED_PATCH = ("not an object of its own: its name or folder says patch and it holds a partial "
               "object (for `kubectl patch` or a kustomization elsewhere)")


def _patch_folder(below: str) -> bool:
    """A folder named for patches (scylla-operator's bundle/patches: ClusterServiceVersion
    fragments without a name, merged into the bundle by a script), below the walk's root."""
    parts = below.lower().split(os.sep)
    return "patches" in parts or "patch" in parts


def _partial(path: str) -> bool:
    """Whether a walked file holds a partial object (render.kustomize.looks_like_patch):
    prometheus-operator's example/alertmanager-crd-conversion/patch.json is a CRD with only
    `spec.conversion`, applied with `kubectl patch --patch-file`."""
    from .render.kustomize import looks_like_patch

    try:
        return looks_like_patch(path)
    except Exception:  # unreadable: linted, so that its finding says why
        return False


def _unused(held: List[Tuple[str, Source]], used: Optional["_Used"],
            skipped: List[Tuple[str, str]]) -> List[Source]:
    """The walked files in kustomize roots' trees that no kustomization of the walk uses
    (rook's deploy/examples: three files in the kustomization, a hundred applied on their
    own): linted as plain files, as when named on the command line, unless a kustomization
    names them in a comment (switched off) or they hold partial objects (patches kept for
    scripts: skipped, listed with the reason). A root whose kustomization cannot be read
    keeps its whole tree (its KL030 says why)."""
    if not held or used is None:
        return []
    unread = used.unread
    out = []
    for root, src in held:
        if root in unread or os.path.abspath(src.path) in used:
            continue
        if _partial(src.path):
            skipped.append((src.path, PATCH_NOT_USED))
        else:
            out.append(src)
    return out


class _Used(set):
    """The absolute paths the kustomizations of roots name (`patches`: those named as
    patches; `unread`: the roots whose kustomization could not be read)."""
    patches: Set[str]
    unread: Set[str]


def _used_by(roots: List[str]) -> _Used:
    """The files the roots' kustomizations name, in use or in a comment."""
    from .render.kustomize import commented_files, patch_files, referenced_files

    used = _Used()
    used.patches, used.unread = set(), set()
    for root in roots:
        try:
            used |= referenced_files(root) | commented_files(root)
            used.patches |= patch_files(root)
        except Exception:
            used.unread.add(os.path.abspath(root))
    return used


def covers(top: str, base: str) -> bool:
    """Whether the path `base` (absolute) is the folder `top` or below it."""
    top = os.path.abspath(top)
    return base == top or base.startswith(top.rstrip(os.sep) + os.sep)


def _walk(top: str, excludes: Excludes, use_ignore_files: bool, render: Sequence[str],
          sources: List[Source], skipped: List[Tuple[str, str]], roots: List[str],
          charts: List[str], seen: Set[str], held: List[Tuple[str, Source]]) -> None:
    from . import e2e

    stacks: Dict[str, _IgnoreStack] = {}
    inside: Dict[str, str] = {}  # folder in a kustomize root's tree -> the root (absolute)
    cases: Set[str] = set()  # the absolute paths gator Suites name (e2e.case_inputs)
    abs_top = os.path.abspath(top)
    if use_ignore_files:
        stacks[abs_top] = _initial_stack(abs_top)
    for folder, dirs, files in os.walk(top):
        names = set(files)
        abs_folder = os.path.abspath(folder)
        stack = stacks.pop(abs_folder, None) if use_ignore_files else None
        if stack is not None and abs_folder != abs_top:
            stack = stack.entering(abs_folder, names)
        rel_folder = os.path.normpath(folder)
        if "helm" in render and CHART_FILE in names:
            charts.append(rel_folder)
            dirs[:] = []  # templates are never parsed as YAML; subcharts render with the chart
            continue
        root = None
        if "kustomize" in render and any(n in names for n in KUSTOMIZATION_NAMES):
            # rendered as a whole; nested roots (components, bases) are found below it, and
            # plain files inside are held: linted only if no kustomization uses them (_unused)
            roots.append(rel_folder)
            root = inside[abs_folder] = abs_folder
        elif os.path.dirname(abs_folder) in inside:  # patches/, bases/ of a kustomize root
            root = inside[abs_folder] = inside[os.path.dirname(abs_folder)]
        # chainsaw and kuttl tests' expected states, a Kyverno CLI test's resources (e2e.py)
        expected, inputs = e2e.files_of_tests(folder, names)
        if "suite.yaml" in names or "suite.yml" in names:
            cases |= e2e.case_inputs(folder, names)
        keep = []
        for d in sorted(dirs):
            if d.startswith("."):
                continue
            full = os.path.join(folder, d)
            if d == "testdata":
                skipped.append((os.path.normpath(full), TEST_DATA))
                continue
            if d == "__snapshot__" or d == "__snapshots__":
                skipped.append((os.path.normpath(full), SNAPSHOTS))
                continue
            if d == "vendor" and ("go.mod" in names or os.path.isfile(os.path.join(full, "modules.txt"))) \
                    or d.startswith("vendor") and "jsonnetfile.json" in names and d[6:7] in ("", "_", "-"):
                # (jsonnet-bundler's home, `jb install --jsonnetpkg-home`: sealed-secrets'
                # vendor_jsonnet holds kube-libsonnet's golden test outputs, removed APIs)
                skipped.append((os.path.normpath(full), VENDORED))
                continue
            if d == "fixtures" and any(n.endswith("_test.go") for n in names) and not \
                    _E2E.intersection(rel_folder.split(os.sep)):
                skipped.append((os.path.normpath(full), GO_FIXTURES))
                continue
            if d == "test" and os.path.basename(abs_folder) == "src":
                # a CRD among them would validate the whole walk's resources (flink's
                # pre-flink-configuration-yaml-crd.yml: 111 false errors)
                skipped.append((os.path.normpath(full), TEST_SOURCES))
                continue
            if stack is not None and stack.ignored(os.path.abspath(full), True):
                continue
            if excludes.excluded(full, True):
                continue
            keep.append(d)
            if stack is not None:
                stacks[os.path.abspath(full)] = stack
        dirs[:] = keep
        # normpath(join(folder, name)) ("./a" -> "a") for a name of listdir's (no slash, not
        # "." or ".."): the folder normalised once
        prefix = "" if rel_folder == os.curdir else \
            rel_folder if rel_folder.endswith(os.sep) else rel_folder + os.sep
        excluding = excludes.patterns
        # the folders below the walk's root only say what a file is: a root the user named
        # (`tests/app`, `patches/`, a checkout under /tmp/tests) is linted as such; os.walk's
        # folders start with `top`
        below = folder[len(top):].strip(os.sep) if "atch" in prefix or "est" in prefix or \
            "e2e" in prefix or "nvalid" in prefix else ""
        in_patches = "atch" in below and _patch_folder(below)
        in_tests = invalid_here = False
        if "est" in below or "e2e" in below or "nvalid" in below:
            parts = below.split(os.sep)
            at = next((i for i, part in enumerate(parts) if part in TEST_FOLDERS), None)
            in_tests = at is not None
            # (a folder of them below the test folder: krane's test/fixtures/invalid/,
            # invalid-resources/, some-invalid/)
            invalid_here = in_tests and any(_INVALID_NAME.search(part) for part in parts[at + 1:]) \
                or "nvalid" in below and any(_INVALID_FOLDER.match(part) for part in parts)
        for fname in sorted(files):
            if not fname.endswith(MANIFEST_SUFFIXES) or fname.startswith("."):
                continue
            path = prefix + fname
            if path in seen:
                continue
            if stack is not None and stack.ignored(os.path.abspath(path), False):
                continue
            if excluding and excludes.excluded(path):
                continue
            seen.add(path)
            reason = known_non_manifest(fname)
            if reason is None and (invalid_here or in_tests and _INVALID_NAME.search(fname)
                                   or "nvalid" in fname and _INVALID_FOLDER.match(fname)):
                reason = INVALID_FIXTURE
            if expected is not None and reason is None:
                # (a test's file named as a patch is one, of a custom resource too, whose
                # required fields _partial cannot know: redis-operator's expand-patch.yaml)
                if fname in expected or "patch" in fname.lower() or _partial(path):
                    skipped.append((path, e2e.EXPECTED if fname in expected else e2e.PARTIAL))
                    continue
            unit = EACH_DOCUMENT if fname in inputs or cases and os.path.abspath(path) in cases else None
            if root is not None:
                if reason is None:
                    held.append((root, Source(path, path, walked=True, unit=unit)))
                continue  # (a kustomization and its configurations are not listed as skipped)
            if reason is not None:
                skipped.append((path, reason))
                continue
            if ("patch" in fname.lower() or in_patches) and _partial(path):
                skipped.append((path, NAMED_PATCH))
                continue
            sources.append(Source(path, path, walked=True, unit=unit))
