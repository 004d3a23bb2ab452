"""run(): discover -> load -> identify -> validate -> rules -> suppress. Pure: prints nothing,
never exits; every input file ends up in Result.files."""

from __future__ import annotations

import os
import sys
import time
from array import array
from itertools import chain, count
from operator import itemgetter
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from . import identify as identity
from . import k8s_schema
from . import loader as _loader
from .discover import (CONTROLLER_OUTPUT, FUNCTION_ANNOTATIONS, GO_TEMPLATE,  # noqa: F401 (re-exported)
                       JINJA_STATEMENT, MANIFEST_SUFFIXES, NOT_A_MANIFEST,
                       STDIN, TEMPLATE, TEMPLATE_NAME, TOOL_CONFIG, TOOL_CONFIG_GROUPS, WALK_SKIPS,
                       PROGRAM_FILLED, YTT_TEMPLATE, YTT_INPUT, HELM_VALUES, HELM_VALUES_SKIP,
                       ANSIBLE_ROLE, ANSIBLE_VARS, HASH_PLACEHOLDER, Source)
from .discover import discover as _discover
from .lazyre import LazyRegex
from .loader import (DEFAULT_MAX_FILE_SIZE, Document, Loaded, decode, gc_paused, load,
                     load_bytes, read, reopen, alone_in_file, simple_text)
from .model import (_JSON_PATHS, Finding, FileReport, ObjectRef, Related, Severity, Span,
                    Violation, are_rows, as_rows, merge_rows, pointer_to_json, row_finding,
                    sort_findings)
from .namedtuple import NamedTuple
from .registry import Registry, Rule
from .suppress import (Directives, annotation_refs, comment_match, parse_directives,
                       per_file_refs, refs_match)


class Settings:
    """What a run is asked to do. (A plain class: a dataclass costs start-up time.)"""

    def __init__(self, *, kubernetes_version: Optional[str] = None, strict: bool = True,
                 select: Sequence[str] = (), ignore: Sequence[str] = (),
                 rules: Optional[Dict[str, Dict[str, Any]]] = None,
                 per_file_ignores: Optional[Dict[str, List[str]]] = None,
                 exclude: Sequence[str] = (), rule_dirs: Sequence[str] = (),
                 default_namespace: str = "default", max_file_size: int = DEFAULT_MAX_FILE_SIZE,
                 stdin_filename: Optional[str] = None, jobs: int = 1,
                 crds: Sequence[str] = (), schema_dirs: Sequence[str] = (),
                 policies: Sequence[str] = (),
                 pod_security: Optional[Dict[str, str]] = None,
                 use_ignore_files: bool = True, config: Any = None,
                 target_versions: Sequence[str] = (),
                 pod_label_paths: Optional[Dict[str, Any]] = None,
                 cross_object_scope: str = "folder",
                 result_cache: bool = False,
                 config_start: Optional[str] = None,
                 for_config: Optional[Callable[[Optional[str]], "Settings"]] = None) -> None:
        self.kubernetes_version = kubernetes_version  # None: newest bundled
        self.strict = strict
        self.select = list(select)
        self.ignore = list(ignore)
        # {code or name: {"severity": "warning", "options": {...}}}
        self.rules = dict(rules or {})
        self.per_file_ignores = dict(per_file_ignores or {})
        self.exclude = list(exclude)
        self.rule_dirs = list(rule_dirs)
        self.default_namespace = default_namespace
        self.max_file_size = max_file_size
        self.stdin_filename = stdin_filename
        self.jobs = jobs  # worker processes; the CLI defaults to the CPU count
        self.crds = list(crds)  # files/folders with CustomResourceDefinitions
        self.schema_dirs = list(schema_dirs)  # extra JSON schemas (kubeconform layout)
        self.policies = list(policies)  # files/folders with ValidatingAdmissionPolicies (+bindings)
        # {level, version, mode}: the Pod Security level of namespaces not labelled in the input
        self.pod_security = pod_security
        self.use_ignore_files = use_ignore_files  # .gitignore, .kubelintignore in walks
        # the config.Config the settings came from: `exclude:` is relative to its folder, and
        # an exclude pattern that matches nothing is a finding on it
        self.config = config
        self.target_versions = list(target_versions)  # --target-version: upgrades to check
        # {"group/Kind": labels path or {labels, adds}}: custom resources that create pods
        self.pod_label_paths = dict(pod_label_paths or {})
        # "folder": a walked file is applied with its folder only (graph.py's units);
        # "input": everything linted together is one application
        self.cross_object_scope = cross_object_scope
        # reuse per-file results of earlier runs (resultcache.py); the CLI's --no-cache
        self.result_cache = result_cache
        # nested configs: where `config` was searched from, and how to build the settings of
        # another .kubelint.yaml (path, or None for none) with the same command-line flags.
        # None (--config, library use): one configuration for every file.
        self.config_start = config_start
        self.for_config = for_config


class K8sObject(NamedTuple):
    """An object as rules see it: the plain data, and where it came from."""

    path: str
    doc: int
    item: Optional[int]
    data: dict
    namespace: str
    ignore: Tuple[str, ...] = ()  # rules silenced by its kubelint.io/ignore annotation
    # served by the bundled schemas of the target version; False: a custom resource (or an
    # unknown API), whose `Service` is not the built-in Service
    builtin: bool = True
    # the whole data, pickled (packing.py), when `data` is the projection the cross stage keeps
    # (graph.slim): unpickled only while a rule checks this object itself; empty (b"") when
    # its own cross rules read no more than the projection: read back from its file if another
    # object's rule asks (graph.full_data, reload.py)
    full: Optional[bytes] = None
    # with `full`, for a Pod, PodTemplate or workload: the references of its pod spec
    # (checks.references._find_pod_refs, worked out on the whole data): the rules that read
    # no more of it than those and its projection (graph.REFS_ENOUGH) need not unpickle `full`
    refs: Optional[Tuple[Any, ...]] = None

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0]

    @property
    def kind(self) -> str:  # read for every rule and object: one lookup, one type test
        kind = self.data.get("kind")
        return kind if kind.__class__ is str or isinstance(kind, str) else ""

    @property
    def api_version(self) -> str:
        v = self.data.get("apiVersion")
        return v if isinstance(v, str) else ""

    @property
    def name(self) -> str:
        meta = self.data.get("metadata")
        name = meta.get("name") if isinstance(meta, dict) else None
        return name if isinstance(name, str) else ""

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.api_version, self.kind, self.namespace, self.name)


class CheckContext(NamedTuple):
    """What a Python check sees besides the object."""

    rule: Rule
    options: Dict[str, Any]
    version: str
    default_namespace: str
    objects: Sequence[K8sObject]  # every object of the run (cross-object rules only)
    # per-rule, per-run memo: cross-object checks index ctx.objects here once
    cache: Dict[str, Any]
    # per-run memo shared by all cross-object rules (one Pod Security evaluation per pod)
    shared: Optional[Dict[str, Any]] = None
    settings: Optional[Settings] = None


class Result(NamedTuple):
    findings: List[Finding]
    suppressed: List[Finding]
    files: List[FileReport]
    missing: List[str]
    rules: List[Rule]
    elapsed: float = 0.0
    skipped: List[Tuple[str, str]] = []  # (path, reason): walked files that are not manifests

    @property
    def objects(self) -> int:
        return sum(f.objects for f in self.files)


class FileOutcome(NamedTuple):
    report: FileReport
    findings: List[Finding]
    suppressed: List[Finding]
    objects: List[K8sObject]
    directives: Directives
    # custom resources whose CRD may be elsewhere in the input: validated once all is read
    deferred: List[K8sObject]
    # loader's [(document index, line of its root, offset of that line)] when the fast pass
    # loaded the file and it has objects, flat in an array (_packed_lines): the cross-object
    # stage composes only the documents it places findings in
    lines: Optional["array[int]"] = None
    # {(document index, item): {(pointer, at): Span}}: positions the per-file stage placed in
    # the documents of objects the cross-object stage gets (Linter.place)
    spans: Optional[Dict[Tuple[int, Optional[int]], Dict[Any, Span]]] = None
    # the file's mtime_ns when it was read, when some of its objects were projected without
    # their whole data packed (`full` empty): read back from the file if asked (reload.py)
    stamp: Optional[int] = None


# --- discovery: kubelint/discover.py ------------------------------------------------------

def discover(paths: Sequence[str], exclude: Sequence[str] = (),
             stdin_filename: Optional[str] = None, settings: Optional[Settings] = None
             ) -> Tuple[List[Source], List[str]]:
    """Files to lint and the given paths that do not exist (--fix, --crd folders): ignore
    files honoured, well-known non-manifests left out, no layouts rendered."""
    config = settings.config if settings is not None else None
    found = _discover(paths, exclude, stdin_filename, render=(),
                      base=config.base if config is not None else None,
                      use_ignore_files=settings.use_ignore_files if settings is not None else True)
    return found.sources, found.missing


def call_check(rule: Rule, obj: K8sObject, ctx: CheckContext, fn: Any = None) -> List[Violation]:
    """Run a Python check. A check that raises on input it did not expect (a list where a
    mapping belongs) is a kubelint bug, but must not cost the user the rest of the run: it
    becomes a finding of that rule on that object. KUBELINT_DEBUG=1 re-raises."""
    try:
        return list((fn or rule.function())(obj, ctx) or ())
    except Exception as e:
        return _internal_error(rule, e)


def _share_walks(checks: List[Tuple[Any, Any, Any]]) -> List[Tuple[Any, Any, Any]]:
    """Checks whose function has a `by_code` (one walk of the object gives the findings of
    several rules, by rule code: the pack's pod spec walk, Pod Security's controls) become
    one entry, (first rule, None, (by_code, members, their codes)), at the place of the
    first: the walk is called once per object instead of once per rule (_walked)."""
    out: List[Tuple[Any, Any, Any]] = []
    groups: Dict[Any, List[Tuple[Any, Any, Any]]] = {}
    for entry in checks:
        by_code = getattr(entry[1], "by_code", None)
        if by_code is None:
            out.append(entry)
            continue
        members = groups.get(by_code)
        if members is None:
            members = groups[by_code] = []
            out.append((entry[0], None, None, by_code))  # the group's place, filled in below
        members.append(entry)
    if not groups:
        return checks
    shared: List[Tuple[Any, Any, Any]] = []
    for e in out:
        if len(e) == 4:  # (a group's place)
            members = groups[e[3]]
            e = members[0] if len(members) == 1 else \
                (e[0], None, (e[3], members, frozenset(m[0].code for m in members)))
        shared.append(e)
    return shared


def _walked(group: Tuple[Any, List[Tuple[Any, Any, Any]], frozenset], obj: Any
            ) -> List[Tuple[str, List[Violation]]]:
    """(rule code, violations) of the rules sharing one walk (_share_walks), in their order
    (the rules' order is their codes': the walk's codes with findings, sorted, rather than
    a lookup per member -- most of the two dozen find nothing in a pod). A walk that raises
    is each rule's internal error, as if called rule by rule: the first rule's, then the
    others' own checks run (call_check)."""
    by_code, members, codes = group
    try:
        found = by_code(obj, members[0][2])
    except Exception as e:
        first = members[0][0]
        out = [(first.code, _internal_error(first, e))]
        for rule, fn, ctx in members[1:]:
            violations = call_check(rule, obj, ctx, fn)
            if violations:
                out.append((rule.code, violations))
        return out
    # (codes are distinct: the sort compares them only)
    return [item for item in sorted(found.items()) if item[0] in codes and item[1]]


def _failing(error: Exception) -> Callable[[Any, Any], Any]:
    def check(obj: Any, ctx: Any) -> Any:
        raise error

    return check


def _internal_error(rule: Rule, e: Exception) -> List[Violation]:
    if os.environ.get("KUBELINT_DEBUG"):
        raise e
    return [Violation(f"internal error in {rule.code} {rule.name}: {type(e).__name__}: {e}; "
                      "the object was not fully checked (please report this)", ())]


_UNASKED = object()  # Linter._foresee before the run's first pod

# Where object-level findings go (a missing PodDisruptionBudget, a duplicate): memoised with the
# other positions of a document that has findings, so that the cross-object stage rarely has
# to compose the document again.
OBJECT_POINTER = ("metadata", "name")


def place(doc: Any, pointer: Any, at: str) -> Span:
    """positions.locate in `doc`'s nodes, through the document's memo of spans when it has
    one (the per-file stage fills it for objects the cross-object stage gets; that stage
    composes a document's nodes again only for a position not in it)."""
    try:
        memo = doc.spans
    except AttributeError:  # a document of the language server's chunks (lsp/chunks.py)
        memo = None
    if memo is not None:
        try:
            key = (pointer, at)
            span = memo.get(key)
        except TypeError:  # a list, not a tuple
            key = (tuple(pointer), at)
            span = memo.get(key)
        if span is not None:
            return span
    span = (_locate or _positions())(_position_node(doc), pointer, at)
    if memo is not None:
        memo[key] = span
    return span


_locate: Any = None

# Linter._place_missed places a document's positions at once only after this many documents
# (a small run does not import batchplace.py for a few findings)
BATCH_AFTER = 100


def _positions() -> Any:
    """positions.locate, imported on the first placement."""
    global _locate
    from .positions import locate

    _locate = locate
    return locate


def _position_node(doc: Any) -> Any:
    """The node tree to place a finding of `doc` in (loader.Document.pnode)."""
    try:
        return doc.pnode
    except AttributeError:  # a document of the language server's chunks (lsp/chunks.py)
        return doc.node


def _about_placeholder(doc: Any, obj: Any, pointer: Any, message: str) -> bool:
    """A finding about a `${VAR}` placeholder's value (placeholders.py) is not reported: the
    value is not known until the placeholder is filled in."""
    from .placeholders import about_placeholder

    data = getattr(doc, "data", None)
    return about_placeholder(obj.data if data is None else data, pointer, message)


def _fix_in(fix: Any, item: Optional[int]) -> Any:
    """The fix of a finding, its pointers relative to the List item `item`."""
    if fix is None or fix.item == item:
        return fix
    return fix._replace(item=item)


def _tail(message: str, code: str, name: str, hint: Any, severity: Severity) -> str:
    """formatters.text.tail, imported on a plain run's first row."""
    global _tail
    from .formatters.text import tail

    _tail = tail
    return tail(message, code, name, hint, severity)


_NUMBERS = count()  # Linter._numbers' numbers, never given twice in a process
_NOTHING = {}.get  # (Linter._rows_of: no positions placed yet)

_new_finding = tuple.__new__  # Finding(...) without its generated __new__'s argument handling
_new_object = tuple.__new__  # K8sObject(...) likewise: one or two per object of a run


def _stub(obj: K8sObject, pods: bool = False) -> dict:
    meta = obj.data.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    stub = {"apiVersion": obj.api_version, "kind": obj.kind, "kubelint:stub": True,
            "metadata": {k: meta[k] for k in ("name", "namespace") if k in meta}}
    if pods:  # a custom resource holding a pod template: an operator may run pods (graph.py)
        stub["kubelint:pods"] = True
        # or inject its containers into pods that a Service targets by port name
        from .graph import injected_ports

        injects = injected_ports(obj.data)
        if injects:
            stub["kubelint:injects"] = injects
    return stub


def _is_valid(schema: Any, data: Any) -> bool:
    try:
        return schema.validator.is_valid(data)
    except ValueError:  # too deep for jsonschema-rs: violations() says so
        return False


# --- linting one file -----------------------------------------------------------------------

class Linter:
    """Everything a file needs to be linted; built once per process."""

    def __init__(self, settings: Settings, registry: Optional[Registry] = None) -> None:
        self.settings = settings
        self.version = k8s_schema.check_version(settings.kubernetes_version) \
            if settings.kubernetes_version else k8s_schema.latest_version()
        from .deprecations import check_targets

        self.targets = check_targets(settings.target_versions)  # --target-version
        self._builtin: Dict[str, bool] = {}  # apiVersion -> k8s_schema.is_builtin()
        self.registry = registry or Registry.load(settings.rule_dirs)
        self.enabled = self.registry.select(settings.select, settings.ignore)
        self.enabled_codes = {r.code for r in self.enabled}
        self.severity: Dict[str, Severity] = {r.code: r.severity for r in self.registry.rules}
        self.configured_severity: set = set()  # rules whose severity the user set
        self.options: Dict[str, Dict[str, Any]] = {r.code: r.default_options()
                                                   for r in self.registry.rules}
        for ref, conf in settings.rules.items():
            rule = self.registry.get(ref)
            if "severity" in conf:
                self.severity[rule.code] = Severity.parse(conf["severity"])
                self.configured_severity.add(rule.code)
            for key, value in (conf.get("options") or {}).items():
                self.options[rule.code][key] = value
        self.object_rules = [r for r in self.enabled if not r.builtin and not r.cross]
        self.cross_rules = [r for r in self.enabled if not r.builtin and r.cross]
        # Kinds the late phase needs to see (None: all). Only those objects travel back from
        # worker processes: pickling every object's data cost a third of a parallel run.
        # A cross rule with no `kinds` but a `sees` list (duplicate identities) gets the other
        # objects as identity stubs: apiVersion, kind, name and namespace only.
        # CRDs, and what admission policies need when every object is not sent back anyway
        self.late_kinds: Optional[set] = {"CustomResourceDefinition", "Namespace",
                                          "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"}
        self.late_stubs = False
        for r in self.cross_rules:
            if r.sees is None:
                self.late_kinds = None
                break
            self.late_kinds.update(r.kinds, r.sees)
            self.late_stubs = self.late_stubs or not r.kinds
        if self.late_kinds is not None:  # custom resources that create pods (graph.py)
            self.late_kinds.update(k.rsplit("/", 1)[-1] for k in settings.pod_label_paths)
        # Kept objects travel back as projections (graph.slim) when every cross rule's reads
        # of other objects are known; else whole, as they are.
        from .checks.k8s import POD_SPEC_PATHS
        from .graph import REFS_ENOUGH, SLIM_RULES, embeds_pods, slim

        from .packing import dumps

        self._project = slim  # (bound here: an import in _kept cost microseconds per object)
        self._pack = dumps
        # kinds whose kept objects carry their pod refs (when a rule of the run reads them)
        self._pod_kinds = POD_SPEC_PATHS if any(r.code in REFS_ENOUGH
                                                for r in self.cross_rules) else {}
        self._pod_refs: Any = None  # checks.references._find_pod_refs, imported on first use
        self._ptrs: Dict[Any, Any] = {}  # the pointers of kept pod refs, shared
        self._embeds_pods = embeds_pods
        self.slim = self.late_kinds is not None and not settings.pod_label_paths and \
            all(r.code in SLIM_RULES for r in self.cross_rules)
        # (kind, group) -> whether the whole data of its projected objects is packed
        # (_packs_whole); else read back from the file when asked (reload.py)
        self._packs: Dict[Tuple[str, str], int] = {}
        self._reloading = False  # whether the file being linted can be read back (lint_loaded)
        self._reloaded = False  # whether an object of it was projected without `full`
        self._settled = 0  # reload.settled() of the run: files older may be read back
        if self.slim:
            from .reload import settled

            self._settled = settled()
        self.crds = _load_crds(settings)
        self.policies = _load_policies(self, settings)
        self._schema_files: Dict[Tuple[str, str], Any] = {}
        self._by_kind: Dict[Tuple[str, str, bool], List[Rule]] = {}
        self._checks_by_kind: Dict[Tuple[str, str, bool], List[Any]] = {}
        # (apiVersion, kind, builtin) -> _plan()'s (KL016 violations, schema, checks)
        self._plans: Dict[Tuple[str, str, bool], Any] = {}
        self._contexts: Dict[str, CheckContext] = {}
        self._shared: Dict[Any, Any] = {}  # parts shared between projections (graph.slim)
        self._ref_of: Optional[K8sObject] = None  # from_violation's last object and its ref
        self._ref: Optional[ObjectRef] = None
        # rule code -> (name, severity, severity set by the user) for from_violation
        self._identity: Dict[str, Tuple[str, Severity, bool]] = {}
        # id(violation) -> (violation, its fields, its JSON pointer, whether its message may be
        # about a placeholder, its key in a memo of spans), for findings_of_rules
        self._violations: Dict[int, Tuple[Any, ...]] = {}
        # a plain run's rows: the document last placed in, and its positions (by the number
        # of their (pointer, at) in _numbers) -> (span, line, column, head of the text line)
        self._placed_doc: Any = None
        self._placed: Dict[int, Tuple[Any, ...]] = {}
        self._numbers: Dict[Any, int] = {}
        # id(violation), or (id, rule code) for a second rule's -> its row's template
        # (_row_template), for _rows_of
        self._templates: Dict[Any, Tuple[Any, ...]] = {}
        # Findings made (finding(), from_violation()): a plain run's file whose linting made
        # none has rows only (lint_loaded)
        self._made = 0
        self._keys: Dict[int, Any] = {}  # _numbers the other way round
        self._placed_obj: Any = None
        # _place_missed: the document whose positions were last placed at once, and the keys
        # placed by kind (batchplace.Learned; None: not a run to place them at once)
        self._batched: Any = None
        self._learned: Any = None
        self._docs = self._docs_found = 0  # documents linted, and those with findings
        # the cross rules' positions on a pod placed in the per-file stage (_foreseen): None
        # none, _UNASKED not worked out yet (on the first pod)
        from .admission import may_foresee

        self._foresee: Any = _UNASKED if self.cross_rules and may_foresee(settings) else None
        self._spec_kinds = POD_SPEC_PATHS
        # what the foresee hooks worked out on the way, kept for their checks in the
        # cross-object stage (Pod Security's scans: shared["foreseen"] there), when this
        # process runs that stage on the very objects it lints (_lint_files, serial, whole
        # objects): else emptied file by file
        self._carried: Dict[Any, Any] = {}
        self._carrying = False
        # findings_of_rules makes plain tuples in Finding's field order, not Findings: a run
        # whose findings are only read by position (run(plain=True): the plain text report)
        # sets it (model.Finding's docstring)
        self.rows = False
        self._graph_ahead: Optional["_GraphAhead"] = None  # the run's graph, built while linting
        # the walked folders with a Helm values file: a chart installs objects there that the
        # input does not show, so nothing is claimed absent in them (_incomplete)
        self.helm_folders: frozenset = frozenset()
        self._deprecations: Any = None  # deprecations.deprecations, imported on first use

    # findings -----------------------------------------------------------------------------

    def finding(self, code: str, message: str, path: str, span: Span, *, obj: Optional[ObjectRef] = None,
                pointer: str = "", hint: Optional[str] = None, related: Tuple[Related, ...] = (),
                doc: int = 0, severity: Optional[Severity] = None,
                fix: Any = None) -> Optional[Finding]:
        if code not in self.enabled_codes:
            return None
        rule = self.registry.by_code[code]
        if severity is None or code in self.configured_severity:
            severity = self.severity[code]
        self._made += 1
        return Finding(code, rule.name, severity, message, path, span, obj, pointer,
                       hint, related, doc, fix)

    def from_violation(self, rule_code: str, v: Violation, doc: Document, obj: K8sObject,
                       related_node: Any = None) -> Optional[Finding]:
        if rule_code not in self.enabled_codes:
            return None
        pointer, at = v.pointer, v.at
        if ("$" in v.message or "{" in v.message or "<" in v.message) and \
                _about_placeholder(doc, obj, pointer, v.message):
            return None
        # place(), its memo hit inlined: most findings of the whole rule set take this path
        memo = doc.spans if doc.__class__ is Document else None
        span = None
        if memo is not None and pointer.__class__ is tuple:
            span = memo.get((pointer, at))
        if span is None:
            span = place(doc, pointer, at)
        related: Any = ()
        if v.related:
            related = []
            for other, rpointer, message in v.related:
                if other is None:
                    related.append(Related(doc.path, place(doc, rpointer, "key"), message))
                elif related_node is not None:
                    onode = related_node(other)
                    if onode is not None:
                        from .positions import locate

                        related.append(Related(other.path, locate(onode, rpointer, "key"), message))
            related = tuple(related)
        # a check reports many findings on one object: its identity is built once
        if obj is not self._ref_of:
            self._ref_of, self._ref = obj, obj.ref
        name, severity, configured = self._identity.get(rule_code) or self._ident(rule_code)
        if v.severity is not None and not configured:
            severity = v.severity
        self._made += 1
        # as self.finding() builds it; the tuple directly: tens of thousands of findings
        return _new_finding(Finding, (rule_code, name, severity, v.message, doc.path, span,
                                      self._ref, pointer_to_json(pointer), v.hint,
                                      related, doc.index,
                                      _fix_in(v.fix, doc.item)))

    def _ident(self, rule_code: str) -> Tuple[str, str, bool]:
        """(name, severity, severity configured) of a rule, kept for its next findings."""
        ident = self._identity[rule_code] = (self.registry.by_code[rule_code].name,
                                             self.severity[rule_code],
                                             rule_code in self.configured_severity)
        return ident

    def findings_of(self, rule_code: str, violations: Iterable[Violation], doc: Document,
                    obj: K8sObject, out: List[Finding]) -> None:
        """from_violation() of each of one check's violations, appended to `out`."""
        if rule_code in self.enabled_codes:
            self.findings_of_rules(((rule_code, violations),), doc, obj, out)

    def findings_of_rules(self, found: Iterable[Tuple[str, Iterable[Violation]]], doc: Document,
                          obj: K8sObject, out: List[Finding]) -> None:
        """findings_of() for (rule code, violations) pairs of one object (the rules sharing one
        walk give a dozen): the object's ref and the document's memo are looked up once for
        them all, each rule's identity once for its violations (the whole rule set builds
        tens of thousands of findings, a few per check). A plain run's rows: _rows_of."""
        if self.rows:
            self._rows_of(found, doc, obj, out)
            return
        enabled = self.enabled_codes
        ref = None
        shared = self._violations
        shared_get = shared.get
        for rule_code, violations in found:
            if rule_code not in enabled:
                continue
            name = None
            for v in violations:
                if name is None:  # set up at the first violation (run_rule passes empty iterators)
                    if ref is None:
                        if obj is not self._ref_of:
                            self._ref_of, self._ref = obj, obj.ref
                        ref = self._ref
                        memo = doc.spans if doc.__class__ is Document else None
                        path, index, item = doc.path, doc.index, doc.item
                    name, severity, configured = self._identity.get(rule_code) or \
                        self._ident(rule_code)
                # What depends on the violation alone, by its identity: the checks of the
                # whole rule set return the same Violation objects for many objects (three
                # quarters of its 34,000 findings on the benchmark corpus are 82 objects)
                known = shared_get(id(v))
                if known is not None and known[0] is v:
                    _, message, pointer, at, hint, own, fix, json_pointer, maybe, key = known
                else:
                    if v.__class__ is not Violation or v[3]:  # related locations: the general path
                        f = self.from_violation(rule_code, v, doc, obj)
                        if f:
                            out.append(f)
                        continue
                    message, pointer, at, _, hint, own, fix = v
                    json_pointer = _JSON_PATHS.get(pointer) if pointer.__class__ is tuple else None
                    if json_pointer is None:
                        json_pointer = pointer_to_json(pointer)
                    # about a placeholder? (`${X}`, `{{x}}`, argocd-vault-plugin's `<x>`)
                    maybe = "$" in message or "{" in message or "<" in message
                    # its key in a document's memo of spans (made once, not per finding)
                    key = (pointer, at) if pointer.__class__ is tuple else None
                    if len(shared) > 20_000:
                        shared.clear()
                    shared[id(v)] = (v, message, pointer, at, hint, own, fix, json_pointer, maybe,
                                     key)
                if maybe and _about_placeholder(doc, obj, pointer, message):
                    continue
                if memo is not None and key is not None:
                    span = memo.get(key)
                    if span is None:  # place(), its memo missed
                        span = self._place_missed(doc, obj, memo, key)
                else:
                    span = place(doc, pointer, at)
                if fix is not None and fix.item != item:
                    fix = fix._replace(item=item)
                # (a Finding costs ~800 instructions more than its plain tuple: tuple.__new__'s
                # argument tuples and a tuple subclass's allocation)
                # (out.append, not a bound alias: the call CPython specialises)
                out.append(_new_finding(Finding, (
                    rule_code, name, own if own is not None and not configured else severity,
                    message, path, span, ref, json_pointer, hint, (), index, fix)))

    def _rows_of(self, found: Iterable[Tuple[str, Iterable[Violation]]], doc: Document,
                 obj: K8sObject, out: List[Any]) -> None:
        """findings_of_rules() for a plain run (Linter.rows): a row (model.ROW_FIELDS) is the
        part its position in the document makes -- path, span, ref, index, List item, head
        of the text line, line, column -- and the part its rule and Violation alone make --
        code, message, severity, tail of the text line, the Finding's other fields --
        joined (one tuple.__add__, in C): the first made once per (rule, Violation)
        (_row_template: the whole rule set's 34,000 findings on the benchmark corpus come from
        ~280 Violation objects the checks share between objects), the second once per position
        of the document (_row_place: its ~7 findings are at 2-3). A finding is then two
        lookups and its tuple, where it was ~140 bytecodes (the fields taken apart and put
        together one by one)."""
        get = self._templates.get
        # the document's positions so far (a new document's are made at its first: most
        # calls of the default rule set find nothing, run_rule's empty iterators)
        placed_get = self._placed.get if doc is self._placed_doc and obj is self._placed_obj \
            else _NOTHING
        for rule_code, violations in found:
            for v in violations:
                t = get(id(v))  # (a template keeps its Violation alive: its id is its own)
                if t is None or t[0] is not rule_code:
                    t = self._row_template(rule_code, v)
                    if t is None:  # related locations, not a Violation: a Finding made
                        if rule_code in self.enabled_codes:
                            f = self.from_violation(rule_code, v, doc, obj)
                            if f:
                                out.append(f)
                        continue
                _, pos, maybe, part, _ = t
                if maybe and _about_placeholder(doc, obj, v.pointer, part[1]):
                    continue
                p = placed_get(pos)
                if p is None:
                    p = self._row_place(doc, obj, v, pos)
                    placed_get = self._placed.get
                # (out.append, not a bound alias: the call CPython specialises)
                out.append(p + part)

    def _row_template(self, rule_code: str, v: Any) -> Optional[Tuple[Any, ...]]:
        """(rule code, the number of its position (pointer, at), whether the message may be
        about a placeholder, the row's part made by the rule and Violation (model.ROW_FIELDS:
        code, message, severity, tail, T), v) for _rows_of, kept by id(v); None: a finding to
        make by from_violation (a Violation with related locations; not a Violation), or none
        (a rule not enabled)."""
        if v.__class__ is not Violation or v[3] or rule_code not in self.enabled_codes:
            return None
        key2 = (id(v), rule_code)  # (a Violation two rules give: the second rule's, apart)
        t = self._templates.get(key2)
        if t is not None:
            return t
        message, pointer, at, _, hint, own, fix = v
        name, severity, configured = self._identity.get(rule_code) or self._ident(rule_code)
        sev = own if own is not None and not configured else severity
        pos = -1  # (a pointer that is not a tuple: placed each time, not kept)
        if pointer.__class__ is tuple:
            # the number of its (pointer, at): Linter._placed is looked up by it, an int,
            # rather than by the key (a tuple hashed anew, ~300 instructions)
            key = (pointer, at)
            pos = self._numbers.get(key)
            if pos is None:
                if len(self._numbers) > 20_000:
                    self._numbers.clear()  # (numbers are never given twice)
                    self._keys.clear()
                pos = self._numbers[key] = next(_NUMBERS)
                self._keys[pos] = key
        whole = (rule_code, name, sev, message, None, None, None, pointer_to_json(pointer), hint,
                 (), None, fix)
        t = (rule_code, pos, "$" in message or "{" in message or "<" in message,  # `${X}`...
             (rule_code, message, sev, _tail(message, rule_code, name, hint, sev), whole), v)
        if len(self._templates) > 20_000:
            self._templates.clear()
        self._templates[key2 if id(v) in self._templates else id(v)] = t
        return t

    def _row_place(self, doc: Document, obj: K8sObject, v: Any, pos: int) -> Tuple[Any, ...]:
        """The row's part made by `v`'s position in `doc` (model.ROW_FIELDS: path, span, ref,
        index, List item, head of the text line, line, column), for _rows_of: kept in
        Linter._placed by the position's number."""
        if doc is not self._placed_doc or obj is not self._placed_obj:
            self._placed_doc, self._placed_obj, self._placed = doc, obj, {}
        key = self._keys.get(pos)
        if key is not None:
            memo = doc.spans if doc.__class__ is Document else None
            span = memo.get(key) if memo is not None else None
            if span is None:
                span = self._place_missed(doc, obj, memo, key) if memo is not None else \
                    place(doc, key[0], key[1])
        else:
            span = place(doc, v.pointer, v.at)
        if obj is not self._ref_of:
            self._ref_of, self._ref = obj, obj.ref
        path, line, column = doc.path, span[0], span[1]
        p = (path, span, self._ref, doc.index, doc.item, f"{path}:{line}:{column}: ", line, column)
        if key is not None:
            self._placed[pos] = p
        return p

    def _place_missed(self, doc: Document, obj: K8sObject, memo: Dict[Any, Span],
                      key: Tuple[Any, str]) -> Span:
        """The span of `key` (pointer, at) in `doc`, not in its memo of spans `memo` yet. In a
        run where more than a tenth of the documents get findings (as for keeping their
        trees, Linter.lint), a document's first miss places the positions of documents of
        its kind so far at once (batchplace.py); what is still missing is located alone."""
        node = doc.pnode
        learned = self._learned
        if learned is None and self._docs_found * 10 > self._docs > BATCH_AFTER:
            from .batchplace import Learned

            # (where lint_loaded places each such document for the cross-object stage)
            learned = self._learned = Learned(((OBJECT_POINTER, "value"),))
        if learned is not None:
            kind = obj.kind
            if doc is not self._batched:
                self._batched = doc
                span = learned.place(kind, node, memo, key)
                if span is not None:
                    return span
            else:
                learned.learn(kind, key)
        span = memo[key] = (_locate or _positions())(node, key[0], key[1])
        return span

    # the per-file pipeline -----------------------------------------------------------------

    def lint(self, source: Source, stamp: Optional[int] = None) -> FileOutcome:
        """`stamp`: the file's mtime_ns before its bytes (`source.raw`) were read."""
        # Keep the loading pass's node trees for positions when more than a tenth of the
        # documents so far got findings (the whole rule set finds something in almost every
        # workload), not in a run with few: keeping a tree costs about a tenth to a third of
        # composing it again (loader.KEEP_NODES_MAX_TEXT).
        loaded = load_source(source, self.settings.max_file_size,
                             self._docs_found * 10 > self._docs)
        skip = _not_a_manifest(loaded, self.version) if source.walked else None
        if skip:
            return FileOutcome(FileReport(source.path, skipped=skip), [], [], [], Directives(), [])
        if source.real is None and source.unit == source.path and loaded.documents:
            from .render import onto_live  # a rendering (render_roots: its own unit)

            loaded.documents = [d for d in loaded.documents if not onto_live(d.data)]
        if source.real is None or loaded.text is None:  # stdin, a rendering: nothing to read back
            stamp = None
        elif source.raw is None:
            read = _loader.LAST_READ  # (load_source read it just now)
            # (a text as long as the file's bytes: no byte order mark, no other encoding)
            stamp = read[1] if self.slim and read[0] == source.real and \
                read[2] == len(loaded.text) else None
        elif len(source.raw) != len(loaded.text):
            stamp = None
        return self.lint_loaded(source.path, loaded, release=True, stamp=stamp)

    def lint_loaded(self, path: str, loaded: Loaded, release: bool = False,
                    stamp: Optional[int] = None) -> FileOutcome:
        """`release`: nothing reads `loaded` afterwards, so the data of a document whose
        object the cross-object stage keeps as a projection goes as soon as it is linted
        (a large file's documents do not all stay until its end). `stamp`: the mtime_ns of
        the file at `path` before it was read, if the cross-object stage may read its
        documents back from it (reload.py)."""
        # read back only what the fast pass loaded from a settled file whose text it can
        # slice by line (reload.py); else every projected object keeps its data packed
        simple = None
        self._reloaded = False
        self._reloading = False
        if stamp is not None and stamp < self._settled and self.slim and \
                loaded.lines is not None and loaded.text is not None:
            simple = self._reloading = simple_text(loaded.text, loaded.lines)
        report = FileReport(path, skipped=loaded.skipped)
        made = self._made
        findings: List[Finding] = []
        for p in loaded.problems:
            f = self.finding(p.code, p.message, path, p.span, hint=p.hint, doc=p.doc)
            if f:
                findings.append(f)
        objects: List[K8sObject] = []
        deferred: List[K8sObject] = []
        report.documents = len({d.index for d in loaded.documents})
        # document index -> rules its annotations silence (a List's items share one document)
        ignores: Dict[int, Tuple[str, ...]] = {}
        # positions placed in the documents of objects the cross-object stage gets
        spans: Dict[Tuple[int, Optional[int]], Dict[Any, Span]] = {}
        # Documents with a syntax problem that libyaml got past (a mapping as a key, a bad
        # merge): kubectl refuses the whole file, and their data is not what the author meant,
        # so schema and rule findings on them would only mislead.
        broken = {p.doc for p in loaded.problems if p.code == "KL001"}
        for doc in loaded.documents:
            obj = self._object(doc)
            if obj is None:
                findings.extend(self._not_object(doc))
                continue
            report.objects += 1
            if doc.index in broken:
                continue
            if obj.ignore:
                ignores[doc.index] = ignores.get(doc.index, ()) + obj.ignore
            kind = obj.kind
            keep = self.late_kinds is None or kind in self.late_kinds
            late = keep or self.late_stubs
            if late:
                doc.spans = {}
            before = len(findings)
            findings.extend(self._lint_object(doc, obj, deferred))
            self._docs += 1
            found = len(findings) > before
            if late and found:
                # the nodes are at hand: where object-level findings go, for the late stage
                place(doc, OBJECT_POINTER, "value")
                spans[(doc.index, doc.item)] = doc.spans
            if self._foresee is not None and late and not found and kind in self._spec_kinds:
                # where the cross rules' findings on this pod will go (_foreseen), when it has
                # no findings of its own (those of a pod with some, the pack's, are placed at
                # the same few positions: its containers' names and securityContexts); counted
                # as findings, so that the next files keep their trees (lint())
                try:
                    wanted = self._foreseen(obj)
                except Exception:  # (a check's error is its rule's finding, in that stage)
                    wanted = ()
                if wanted:
                    for pointer, at in wanted:
                        place(doc, pointer, at)
                    spans[(doc.index, doc.item)] = doc.spans
                    found = True
            if found:
                self._docs_found += 1
            if keep:
                late_obj = self._kept(obj)
                objects.append(late_obj)
                if release and late_obj.full is not None:
                    doc.data = None
            elif self.late_stubs or not obj.builtin:
                # every custom resource: an operator may make objects named after it, or run
                # pods from a template it holds (graph.py)
                pods = not obj.builtin and self._embeds_pods(obj.data)
                objects.append(obj._replace(data=_stub(obj, pods)))
            if release:
                # its findings are placed (and the late stage's memo filled): the node tree
                # kept from loading goes now rather than with the file's last document -- the
                # full rule set keeps trees, and freeing them as it goes is ~4% of its run
                doc._pnode = None
        if self._carried and not self._carrying:
            self._carried.clear()
        directives = parse_directives(loaded.text)
        kept, suppressed = self.suppress(findings, path, directives, ignores)
        if self.rows and self._made != made:  # (model.merge_rows: a file's rows taken whole)
            kept, suppressed = as_rows(kept), as_rows(suppressed)
        self._reloading = False
        return FileOutcome(report, kept, suppressed, objects, directives, deferred,
                           _packed_lines(loaded.lines, loaded.text, simple) if objects or deferred
                           else None,
                           spans or None, stamp if self._reloaded else None)

    def _foreseen(self, obj: K8sObject) -> Any:
        """(pointer, at) where the run's cross rules will report on the pod `obj`, as their
        checks' `foresee` hooks tell from its own data (Pod Security at a level that applies
        to every namespace: pod_security._foresee); worked out on the run's first pod. The
        positions are only memoised: one a rule does not ask for costs a lookup, one it asks
        that is not there is placed in the cross-object stage, as before."""
        hooks = self._foresee
        if hooks is _UNASKED:
            hooks = []
            seen = []
            for rule in self.cross_rules:
                try:
                    fn = rule.function() if self.applies(rule, obj) else None
                    hook = getattr(fn, "foresee", None)
                    if hook is None or hook in seen:
                        continue
                    seen.append(hook)
                    where = hook(self.context(rule, (), self._carried))
                except Exception:  # the rule reports it in the cross-object stage
                    continue
                if where is not None:
                    hooks.append(where)
            self._foresee = hooks = hooks or None
            if hooks is None:
                return ()
        if len(hooks) == 1:
            return hooks[0](obj)
        wanted: Dict[Any, None] = {}
        for where in hooks:
            wanted.update(dict.fromkeys(where(obj)))
        return wanted

    def _kept(self, obj: K8sObject) -> K8sObject:
        """`obj` as the cross-object stage keeps it: its projection and pickled data when
        the run's cross rules allow (graph.slim), else whole. The data is not packed (`full`
        empty) when the object's own cross rules read no more than the projection (and its
        pod refs) and its file can be read back (lint_loaded): other objects' rules that
        read more of it read it from the file (graph.full_data, reload.py)."""
        if not self.slim or not obj.builtin:
            return obj
        path, index, item, whole, namespace, ignore, builtin = obj[:7]
        kind = obj.kind
        data = self._project(kind, whole, self._shared)
        if data is None:
            return obj
        reads = 2
        if self._reloading and item is None:
            reads = self._packs.get((kind, obj.group))
            if reads is None:
                reads = self._packs_whole(obj)
        full = b""
        if reads == 2:
            full = self._pack(whole)
            if full is None:
                return obj
        refs = None
        if kind in self._pod_kinds:
            if self._pod_refs is None:
                from .checks.references import _find_pod_refs

                self._pod_refs = _find_pod_refs
            try:
                refs = self._pod_refs(obj)
            except Exception:  # the rules find the same on the whole data: unpickled for them
                refs = None
            if refs:  # their pointers shared, as those of other objects are the same
                ptrs = self._ptrs
                if len(ptrs) > _SHARED_POINTERS:
                    ptrs.clear()
                refs = tuple([(what, ptrs.setdefault(ptr, ptr), ref) for what, ptr, ref in refs])
            elif refs is not None:
                refs = ()
        if not full:
            if reads == 1 and refs is None:  # its rules need the whole data after all
                full = self._pack(whole)
                if full is None:
                    return obj
            else:
                self._reloaded = True
        # obj._replace(data=..., full=..., refs=...), without namedtuple's generic _replace
        return _new_object(K8sObject, (path, index, item, data, namespace, ignore, builtin, full,
                                       refs))

    def _packs_whole(self, obj: K8sObject) -> int:
        """What the cross rules of the run that check objects of obj's kind read of them
        (the cross stage's plan: 0 the projection, 1 with the pod refs, 2 more: `full` packed);
        2 for RBAC kinds, which Graph.makes_pods reads whole all at once."""
        from .graph import PROJECTION_ENOUGH, REFS_ENOUGH

        kind = obj.kind
        if kind in _READ_ALL_AT_ONCE:
            reads = 2
        else:
            codes = {r.code for r in self.cross_rules if self.applies(r, obj)} - PROJECTION_ENOUGH
            reads = 0 if not codes else 1 if codes <= REFS_ENOUGH else 2
        self._packs[(kind, obj.group)] = reads
        return reads

    def _object(self, doc: Document) -> Optional[K8sObject]:
        if not isinstance(doc.data, dict):
            return None
        meta = doc.data.get("metadata")
        ns = meta.get("namespace") if isinstance(meta, dict) else None
        namespace = ns if isinstance(ns, str) and ns else self.settings.default_namespace
        api_version = doc.data.get("apiVersion")
        builtin = False
        if isinstance(api_version, str):
            builtin = self._builtin.get(api_version)
            if builtin is None:
                builtin = self._builtin[api_version] = k8s_schema.is_builtin(api_version, self.version)
        # K8sObject(...) without its generated __new__'s argument handling (full: None)
        return _new_object(K8sObject, (doc.path, doc.index, doc.item, doc.data, namespace,
                                       annotation_refs(doc.data), builtin, None, None))

    def _not_object(self, doc: Document) -> Iterable[Finding]:
        from .loader import span_of

        what = identity.type_name(doc.data)
        f = self.finding("KL004", f"document is a {what}, not a Kubernetes object (a mapping "
                         "with apiVersion and kind)", doc.path, span_of(_position_node(doc)), doc=doc.index)
        return [f] if f else []

    def _lint_object(self, doc: Document, obj: K8sObject, deferred: List[K8sObject]) -> List[Finding]:
        data = doc.data
        api_version, kind = data.get("apiVersion"), data.get("kind")
        plan = None
        if api_version.__class__ is str and kind.__class__ is str:
            plan = self._plans.get((api_version, kind, obj.builtin))
            if plan is None:
                plan = self._plan(obj, api_version, kind)
        if plan is None:  # an identity problem (or a first object whose answer is not known)
            return self._lint_object_once(doc, obj, deferred)
        return self._apply(plan, doc, obj, deferred, [])

    def _apply(self, plan: Any, doc: Document, obj: K8sObject, deferred: List[K8sObject],
               out: List[Finding]) -> List[Finding]:
        """One object through a plan (_plan): its KL016 violations, its schema, its checks."""
        deprecated, schema, checks = plan
        for v in deprecated:
            f = self.from_violation("KL016", v, doc, obj)
            if f:
                out.append(f)
        if obj.builtin:
            if schema is not None and not _is_valid(schema, doc.data):
                out.extend(self.validate(schema, doc, obj))
        else:
            found = self.validate_custom(obj, doc, self.crds)
            if found is None:
                deferred.append(obj)  # its CRD may be in another file of the input
            else:
                out.extend(found)
        # (rule code, violations) of the checks run so far, placed by one findings_of_rules
        # (a call per object rather than per rule: the whole rule set's checks find
        # something in most objects), in the checks' order
        found_by: List[Tuple[str, Any]] = []
        for rule, fn, ctx in checks:
            if fn is None:  # a schema or CEL rule; or rules that share one walk
                if ctx is None:
                    if found_by:
                        self.findings_of_rules(found_by, doc, obj, out)
                        found_by = []
                    out.extend(self.run_rule(rule, doc, obj))
                else:
                    found_by += _walked(ctx, obj)
                continue
            try:  # call_check(), inline: this runs for every rule and object
                found = fn(obj, ctx)  # (the default checks return lists: taken as they are)
                if found.__class__ is not list:
                    found = list(found or ())
            except Exception as e:
                found = _internal_error(rule, e)
            if found:
                found_by.append((rule.code, found))
        if found_by:
            self.findings_of_rules(found_by, doc, obj, out)
        return out

    def _plan(self, obj: K8sObject, api_version: str, kind: str) -> Any:
        """What _lint_object does to every object of one apiVersion, kind and origin, worked
        out once: its KL016 violations, its schema, its checks -- None while identify() has
        not found that identity fine (then each object is identified, as the first is)."""
        if (api_version, kind, self.version) not in identity._FINE:
            return None
        plan = self._plans[(api_version, kind, obj.builtin)] = self._parts(obj, api_version, kind)
        return plan

    def _parts(self, obj: K8sObject, api_version: str, kind: str) -> Any:
        """(KL016 violations, schema or None, checks) of objects of that identity and origin."""
        deprecated: Any = ()
        if "KL016" in self.enabled_codes:
            if self._deprecations is None:
                from .deprecations import deprecations

                self._deprecations = deprecations
            deprecated = tuple(self._deprecations(api_version, kind, self.version, self.targets))
        schema = None
        if obj.builtin and "KL010" in self.enabled_codes:  # else not even loaded and compiled
            schema = k8s_schema.schema_for(self.version, self.settings.strict, api_version, kind)
        return deprecated, schema, self._checks_for(obj)

    def _lint_object_once(self, doc: Document, obj: K8sObject, deferred: List[K8sObject]) -> List[Finding]:
        out: List[Finding] = []
        bad = list(identity.identify(doc.data, self.version))
        for code, v in bad:
            f = self.from_violation(code, v, doc, obj)
            if f:
                out.append(f)
        if bad:
            return out  # the schema and the rules would only repeat the identity problem
        api_version, kind = doc.data.get("apiVersion"), doc.data.get("kind")
        if api_version.__class__ is str and kind.__class__ is str and \
                (api_version, kind, self.version) in identity._FINE:
            return self._lint_object(doc, obj, deferred)  # now planned
        return self._apply(self._parts(obj, obj.api_version, obj.kind), doc, obj, deferred, out)

    def _checks_for(self, obj: K8sObject) -> List[Tuple[Rule, Any, Optional[CheckContext]]]:
        """rules_for(obj) with each Python rule's function and context: (rule, None, None)
        for schema and CEL rules."""
        key = (obj.kind, obj.group, obj.builtin)
        checks = self._checks_by_kind.get(key)
        if checks is None:
            checks = []
            for rule in self.rules_for(obj):
                if "cel" in rule.check or "schema" in rule.check:
                    checks.append((rule, None, None))
                    continue
                ctx = self._contexts.get(rule.code)
                if ctx is None:
                    ctx = self._contexts[rule.code] = self.context(rule)
                try:
                    fn = rule.function()
                except Exception as e:  # as call_check() has it: a finding on each object
                    fn = _failing(e)
                only = getattr(fn, "kinds", None)  # checks.k8s.only_kinds
                if only is not None and not (obj.builtin and obj.kind in only):
                    continue  # it would find nothing in this kind
                checks.append((rule, fn, ctx))
            checks = self._checks_by_kind[key] = _share_walks(checks)
        return checks

    def applies(self, rule: Rule, obj: K8sObject) -> bool:
        return rule.applies_to(obj.kind, obj.group, obj.builtin,
                               k8s_schema.builtin_kinds(self.version))

    def rules_for(self, obj: K8sObject) -> List[Rule]:
        """The per-object rules that apply to `obj`, worked out once per group and kind."""
        key = (obj.kind, obj.group, obj.builtin)
        rules = self._by_kind.get(key)
        if rules is None:
            rules = self._by_kind[key] = [r for r in self.object_rules if self.applies(r, obj)]
        return rules

    def validate(self, schema: Any, doc: Document, obj: K8sObject, data: Any = None) -> List[Finding]:
        """KL010 findings of `obj` (or of `data`, the object as the API server validates
        it) against a compiled schema (built-in or custom)."""
        written = None if data is None or data is doc.data else doc.data
        data = doc.data if data is None else data
        if schema is None or "KL010" not in self.enabled_codes or _is_valid(schema, data):
            return []
        from .validate import violations

        found = (self.from_violation("KL010", v, doc, obj)
                 for v in violations(schema, data, _position_node(doc), written))
        return [f for f in found if f]

    def validate_custom(self, obj: K8sObject, doc: Document, crds: Any) -> Optional[List[Finding]]:
        """Findings of a custom resource; None when no CRD or schema file knows it. With a
        CRD, the object is first pruned and defaulted as the API server does."""
        schema = self.custom_schema(obj, crds)
        if schema is None:
            return None
        structural = crds.structural.get((obj.api_version, obj.kind)) if crds is not None else None
        # (a CRD version with the status subresource: the API server drops the object's
        # status before it validates, so a sample's or a test's status is never judged:
        # baremetal-operator's and keptn's config/samples)
        data = doc.data
        if crds is not None and isinstance(data, dict) and "status" in data \
                and (obj.api_version, obj.kind) in crds.status_subresource:
            data = {k: v for k, v in data.items() if k != "status"}
        out = self._validate_against(schema, structural, obj, doc, data)
        if out and crds is not None:
            # the input holds several differing copies of the CRD (old releases, minimal and
            # full variants, a test's stale copy): which one the cluster has is unknown, so
            # the object is judged by the copy it fits best (no finding if any accepts it)
            for other, other_structural in crds.alternatives(obj.api_version, obj.kind):
                if other is not None:
                    found = self._validate_against(other, other_structural, obj, doc, data)
                    if len(found) < len(out):
                        out = found
                        if not out:
                            break
        return out

    def _validate_against(self, schema: Any, structural: Any, obj: K8sObject, doc: Document,
                          data: Any) -> List[Finding]:
        if structural is not None:
            from .custom import prepare

            data = prepare(structural, data)
        out = self.validate(schema, doc, obj, data)
        lists, rules = "KL022" in self.enabled_codes, "KL021" in self.enabled_codes
        if structural is not None and (lists or rules):
            from .custom import semantics

            for code, v in semantics(structural, data, lists=lists, rules=rules, skip_errors=bool(out)):
                f = self.from_violation(code, v, doc, obj)
                if f:
                    out.append(f)
        return out

    def custom_schema(self, obj: K8sObject, crds: Any) -> Any:
        """The schema of a custom resource: from a CRD, else from --schema-dir, else None."""
        schema = crds.schema(obj.api_version, obj.kind) if crds is not None else None
        if schema is not None or not self.settings.schema_dirs:
            return schema
        from .crd import load_schema_file, schema_dir_lookup

        path = schema_dir_lookup(self.settings.schema_dirs, obj.api_version, obj.kind)
        if path is None:
            return None
        key = (obj.api_version, obj.kind)
        if key not in self._schema_files:
            try:
                self._schema_files[key] = k8s_schema.Schema(load_schema_file(path))
            except Exception as e:  # a broken user schema is a configuration error
                from .registry import RuleError

                raise RuleError(f"{path}: not a usable JSON schema: {e}") from None
        return self._schema_files[key]

    def context(self, rule: Rule, objects: Sequence[K8sObject] = (),
                shared: Optional[Dict[str, Any]] = None) -> CheckContext:
        return CheckContext(rule, self.options[rule.code], self.version,
                            self.settings.default_namespace, objects, {}, shared, self.settings)

    def run_rule(self, rule: Rule, doc: Document, obj: K8sObject) -> List[Finding]:
        out = []
        if "cel" in rule.check:
            found = rule.cel_violations(obj.data)
        elif "schema" in rule.check:
            schema = rule.schema()
            found: Iterable[Violation] = []
            if not _is_valid(schema, doc.data):
                from .validate import violations

                message = rule.check.get("message")
                found = [v._replace(message=message) if message else v
                         for v in violations(schema, doc.data, _position_node(doc))]
        else:
            ctx = self._contexts.get(rule.code)
            if ctx is None:
                ctx = self._contexts[rule.code] = self.context(rule)
            found = call_check(rule, obj, ctx)
        self.findings_of(rule.code, found, doc, obj, out)
        return out

    # suppression ----------------------------------------------------------------------------

    def suppress(self, findings: List[Finding], path: str, directives: Directives,
                 ignores: Dict[int, Tuple[str, ...]]
                 ) -> Tuple[List[Finding], List[Finding]]:
        config_refs: Tuple[str, ...] = ()
        if self.settings.per_file_ignores:
            config = self.settings.config
            config_refs = per_file_refs(path, self.settings.per_file_ignores,
                                        config.base if config is not None else None)
        if not config_refs and not directives.items and not any(ignores.values()):
            return list(findings), []  # nothing to silence: no per-finding work
        kept, suppressed = [], []
        for f in findings:  # (a Finding, or a row: Linter.rows, model.ROW_FIELDS)
            if f.__class__ is tuple:
                code, name, line, index = f[8], f[12][1], f[6], f[3]
            else:
                code, name, line, index = f[0], f[1], f[5][0], f[10]
            refs = config_refs + ignores.get(index, ())
            if refs and refs_match(refs, code, name):
                suppressed.append(f)
                continue
            d = comment_match(directives, code, name, {line})
            if d is not None:
                d.used = True
                suppressed.append(f)
                continue
            kept.append(f)
        return kept, suppressed


# Kinds whose whole data a reader of other objects reads for every object of the kind at once
# (Graph._maker_namespaces): packed, not read back one by one from their files.
_READ_ALL_AT_ONCE = frozenset({"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"})


def _packed_lines(lines: Optional[List[Tuple[int, int, int]]], text: Optional[str] = None,
                  simple: Optional[bool] = None) -> Optional["array[int]"]:
    """Loaded.lines as an outcome keeps them until the cross-object stage: the numbers in an
    array, not a tuple and three ints a document (at 50,000 documents ~1.3 instead of ~6 MB in
    the process that holds every outcome; less to send back from workers too); then the
    length of `text` when the stage may read a document's bytes alone (loader.simple_text,
    alone_in_file). `simple`: simple_text(text, lines) when known."""
    if lines is None:
        return None
    packed = array("q", chain.from_iterable(lines))
    if text is not None and (simple if simple is not None else simple_text(text, lines)):
        packed.append(len(text))
    return packed


def _not_a_manifest(loaded: Loaded, version: Optional[str] = None) -> Optional[str]:
    """Why a walked file is not linted, or None: none of its documents is typed like an object
    (compose files, workflows, package.json, Grafana's `apiVersion: 1`, a Helm repository
    index), every document is a tool's configuration (TOOL_CONFIG_GROUPS, KRM function
    configs, kubeconfig files) or a tool's own kind (_tool_kind), or every document is a
    controller's output and one is partial (CONTROLLER_OUTPUT). A file that does not parse
    is skipped when it is a template (TEMPLATE) or its text mentions neither key."""
    # (only a file's head is searched, for one rare character and one word: a text search of
    # every walked file costs milliseconds per 1,000 files; ytt's `#@ load` heads its
    # templates, and a program's marker is in the metadata of the first document)
    head = loaded.text[:512] if loaded.text is not None else None
    if head is not None and ("@" in head and YTT_TEMPLATE.search(loaded.text) or
                             "FILLED" in head and PROGRAM_FILLED.search(head) or
                             ("#{" in head or "##" in head) and HASH_PLACEHOLDER.search(head)):
        return TEMPLATE
    if head is not None and "roles" in (loaded.path or "") and ANSIBLE_ROLE.search(loaded.path) \
            and "{{" in loaded.text:
        return TEMPLATE  # what an Ansible role's k8s tasks read, Jinja filled in (kiali-operator)
    if "_vars" in (loaded.path or "") and ANSIBLE_VARS.search(loaded.path):
        return NOT_A_MANIFEST
    codes = {p.code for p in loaded.problems}
    # (a duplicate key or a dropped tag leaves the data loaded: judged below by it; a
    # CloudFormation template's `!Ref` is no manifest's)
    if codes - {"KL003", "KL007"}:
        if loaded.text is None or codes - {"KL001", "KL003", "KL007"}:
            return None  # unreadable, binary, too large: say so rather than guess
        if "{{" in loaded.text and (TEMPLATE_NAME.search(os.path.basename(loaded.path or ""))
                                    or GO_TEMPLATE.search(loaded.text)) \
                or "{%" in loaded.text and JINJA_STATEMENT.search(loaded.text) \
                or _placeholders_break(loaded):
            return TEMPLATE
        # (a key named so, not the word: percona's compare/*.log.json, JSON objects one after
        # another with `"span.kind"` in them, is a log)
        return None if _TYPE_KEY.search(loaded.text) else NOT_A_MANIFEST
    # (an apiVersion that is no string, without a kind, is another tool's: Grafana's
    # provisioning files have `apiVersion: 1`; so is one without kind and metadata: a Helm
    # repository's index.yaml (`apiVersion: v1`, `entries:`); a kind that is no Kubernetes
    # kind, without an apiVersion, too: Google APIs' `kind: compute#diskTypeList` in JSON
    # fixtures)
    typed = [d.data for d in loaded.documents
             if isinstance(d.data, dict) and (
                 "apiVersion" in d.data and (isinstance(d.data["apiVersion"], str) and
                                             not (d.data["apiVersion"][:1].isdigit() and
                                                  _NUMBERED.match(d.data["apiVersion"])) or
                                             d.data["apiVersion"] is None) and
                 ("kind" in d.data or "metadata" in d.data)
                 or "kind" in d.data and not _foreign_kind(d.data["kind"]))]
    if not typed:
        return NOT_A_MANIFEST
    # (the group of `kops/v1alpha2` is `kops`; kustomize's `apiVersion: builtin` has no version)
    if all(isinstance(api := _api_version(t), str) and (api.rpartition("/")[0] or api) in TOOL_CONFIG_GROUPS
           or _function_config(t) or _kubeconfig(t) or _groupless_config(t) for t in typed):
        return TOOL_CONFIG
    if version is not None and all(_tool_kind(t, version) for t in typed):
        return NOT_A_MANIFEST
    if all(_controller_owned(t) for t in typed):
        from .render.kustomize import partial

        if partial(typed) or any(_stripped_owner(t) for t in typed):
            return CONTROLLER_OUTPUT
    return None


# a version number as apiVersion (ksonnet's app.yaml: `apiVersion: 0.2.0`, `kind:
# ksonnet.io/app`): another tool's, as a number is (Grafana's `apiVersion: 1`)
_NUMBERED = LazyRegex(r"[0-9]+(?:\.[0-9]+)*\Z")


def _stripped_owner(data: dict) -> bool:
    """An owner reference without the `uid` or `apiVersion` the API server requires: a
    controller's output with its cluster-specific fields stripped for a test to compare
    (percona-xtradb-cluster-operator's e2e-tests/*/compare: 104 KL010)."""
    refs = data["metadata"]["ownerReferences"]
    return any(isinstance(r, dict) and r.get("controller") is True and
               not (r.get("uid") and r.get("apiVersion")) for r in refs)


def _groupless_config(data: dict) -> bool:
    """A document of a version without a group other than the core API's `v1`, and without
    metadata: another system's configuration (Talos' machine config documents, `apiVersion:
    v1alpha1`, `kind: HostnameConfig`, in GitOps repositories beside their manifests)."""
    api = data.get("apiVersion")
    return isinstance(api, str) and "/" not in api and api != "v1" and api[:1] == "v" \
        and "metadata" not in data


def _controller_owned(data: dict) -> bool:
    """Made by a controller (an ownerReference with controller: true): percona's operator
    tests compare `kubectl get -o yaml` with such files, stripped of images and defaults
    (1,420 false findings walking percona-server-mongodb-operator)."""
    meta = data.get("metadata")
    refs = meta.get("ownerReferences") if isinstance(meta, dict) else None
    return isinstance(refs, list) and any(isinstance(r, dict) and r.get("controller") is True for r in refs)


_KIND = LazyRegex(r"[A-Za-z][A-Za-z0-9]*\Z")


def _foreign_kind(kind: Any) -> bool:
    """A `kind` no Kubernetes API has (another API's `compute#diskType`, a number)."""
    return kind is not None and kind != "" and not (isinstance(kind, str) and
                                                    _KIND.match(kind) is not None)


def _placeholders_break(loaded: Loaded) -> bool:
    """Every syntax error is on a line with a placeholder, or names one as where the broken
    construct starts: unquoted placeholders a script fills in (karmada's artifacts:
    `caBundle: {{caBundle}}` for sed; secrets-store-csi-driver's tests: `$CONJUR_SSL_CERT`
    at column 1 in a block scalar, for envsubst), not a mistake of YAML."""
    from .placeholders import PLACEHOLDER_LINE

    if loaded.text is None or "argoproj.io/" in loaded.text:
        # Argo's `{{args.x}}`, `{{inputs.parameters.x}}` are filled in by its controllers
        # after the object is applied: unquoted, kubectl refuses the file (argo-rollouts'
        # rollout-linkerd.yaml example: the KL001 is true)
        return False
    lines = loaded.text.splitlines()

    def at(line: int) -> bool:
        return 0 < line <= len(lines) and PLACEHOLDER_LINE.search(lines[line - 1]) is not None

    # (or on the line after one: a document `{extra}` alone on its line, then `apiVersion:`,
    # breaks at the second line: emissary's Python-formatted test manifests)
    return bool(loaded.problems) and all(
        p.span is not None and (at(p.span.line) or at(p.span.line - 1)
                                or any(at(int(n)) for n in _AT_LINE.findall(p.message)))
        for p in loaded.problems)


_AT_LINE = LazyRegex(r"\bat line (\d+)")
# a key `apiVersion` or `kind`, quoted or not, first on its line or in a flow mapping
_TYPE_KEY = LazyRegex(r"(?m)(?:^[ \t-]*|[{,][ \t]*)[\"']?(?:apiVersion|kind)[\"']?[ \t]*:")


def _api_version(data: dict) -> Any:
    """apiVersion, or a key that differs only in case: tools decode their configs with Go's
    encoding/json, which matches keys case-insensitively (gpu-operator's scorecard
    config.yaml has `apiversion:`); kubectl does not, so an object keeps its KL005."""
    if "apiVersion" in data:
        return data["apiVersion"]
    return next((v for k, v in data.items() if isinstance(k, str) and k.lower() == "apiversion"), None)


def _tool_kind(data: dict, version: str) -> bool:
    """A document with a `kind` no built-in API has and no metadata: a tool's own file, not an
    object that lost a field (that has a name: KL005 says what is missing) -- either without
    apiVersion (kube-state-metrics' `kind: CustomResourceStateMetrics` config), or of a group
    no built-in API serves and without a spec either (Gateway API's conformance reports,
    `gateway.networking.k8s.io/v1` `kind: ConformanceReport`; a custom resource that lost
    its metadata still has a spec, and KL104 says the name is missing)."""
    if "metadata" in data:
        return False
    api = data.get("apiVersion")
    if api is not None and ("spec" in data or not isinstance(api, str) or
                            k8s_schema.group_of(api) in k8s_schema.builtin_groups(version) or
                            "." not in k8s_schema.group_of(api) and not _groupless_tool(api, version)):
        return False
    kind = data.get("kind")
    if not isinstance(kind, str):
        # (a group without a dot that nothing serves, its kind left empty: istio's
        # releasenotes/template.yaml, `apiVersion: release-notes/v2`, `kind:` to fill in)
        return kind is None and api is not None and "." not in k8s_schema.group_of(api)
    found = k8s_schema.kinds_by_lower(version).get(kind.lower())
    # (without apiVersion and metadata, only a built-in kind written exactly is an object that
    # lost them: k8s-config-connector's proto-list-final.yaml has 1,164 `kind: AiFile` ...
    # documents and one `kind: ApiService`, which made the whole file manifests)
    return found is None or api is None and kind not in found


def _groupless_tool(api: str, version: str) -> bool:
    """An apiVersion whose group has no dot, is no built-in one and is no near miss of a
    served apiVersion (`app/v1`): no API server serves it, as a custom resource's group needs
    a dot (kube-scheduler-simulator's `kube-scheduler-simulator-config/v1alpha1`
    SimulatorConfiguration)."""
    from .identify import close

    return bool(k8s_schema.group_of(api)) and close(api, sorted(k8s_schema.index(version))) is None


# files typed `apiVersion: v1` that no API server serves, by kind -> the fields one of which
# they hold: kubectl's client configuration (calico's calicoctl test data: a false "did you
# mean ConfigMap"), the API server's encryption configuration before it had a group
# (cloud-provider-openstack's barbican-kms/encryption-config.yaml), kube-scheduler's policy
# file before its removal in 1.23 (`--policy-config-file`: kubernetes/examples'
# scheduler-policy-config.json)
_V1_CONFIGS = {"Config": ("clusters", "contexts", "users", "current-context"),
               "EncryptionConfig": ("resources",),
               "Policy": ("predicates", "priorities", "extenders")}


def _kubeconfig(data: dict) -> bool:
    """A client or API server configuration file typed `apiVersion: v1` (_V1_CONFIGS)."""
    kind = data.get("kind")
    fields = _V1_CONFIGS.get(kind) if isinstance(kind, str) else None
    return fields is not None and data.get("apiVersion") == "v1" and "metadata" not in data \
        and any(k in data for k in fields)


def _function_config(data: dict) -> bool:
    """A KRM function's configuration (FUNCTION_ANNOTATIONS): kustomize or kpt reads it."""
    meta = data.get("metadata")
    notes = meta.get("annotations") if isinstance(meta, dict) else None
    return isinstance(notes, dict) and any(a in notes for a in FUNCTION_ANNOTATIONS)


# --- the run --------------------------------------------------------------------------------

def load_source(source: Source, max_size: int, keep_nodes: bool = False) -> Loaded:
    if source.real is None or source.raw is not None:  # stdin, rendered, or read already
        loaded = load_bytes(source.path, source.raw or b"", max_size, keep_nodes)
    else:
        loaded = load(source.real, max_size, keep_nodes)
    loaded.path = source.path
    for d in loaded.documents:
        d.path = source.path
    return loaded


def run(paths: Sequence[str], settings: Settings, stdin: Optional[bytes] = None,
        registry: Optional[Registry] = None,
        progress: Optional[Callable[[int, int], None]] = None, plain: bool = False) -> Result:
    """Lint `paths`. `progress(done, total)` is called as files finish (the CLI draws a
    progress line on a terminal with it). `plain`: the caller reads the findings by position
    only (the plain text report): they may be plain tuples in Finding's field order."""
    try:
        with gc_paused():  # the run builds no reference cycles worth collecting
            return _run(paths, settings, stdin, registry, progress, plain)
    finally:
        if KEEP_ALIVE is None and "kubelint.parallel" in sys.modules:
            # forked children left ending (parallel.run(wait=False)); a process that ends
            # after this run (the kubelint command) reaps them on its way out (fastcli._end)
            sys.modules["kubelint.parallel"].reap()


def _run(paths: Sequence[str], settings: Settings, stdin: Optional[bytes],
         registry: Optional[Registry], progress: Optional[Callable[[int, int], None]],
         plain: bool = False) -> Result:
    start = time.perf_counter()
    linter = Linter(settings, registry)
    config = settings.config
    found = _discover(paths, settings.exclude, settings.stdin_filename,
                      base=config.base if config is not None else None,
                      use_ignore_files=settings.use_ignore_files)
    sources = [s._replace(raw=stdin or b"") if s.real is None else s for s in found.sources]
    rendered = None
    if found.kustomize_roots or found.charts:  # kustomize overlays, Helm charts
        from .render import render_roots

        rendered = render_roots(linter, found.kustomize_roots, found.charts, found.focus)
    sources, choice, linters = _per_config(linter, sources)
    if plain and rendered is None:  # (render/ reads the findings it remaps by name)
        for each in [linter] + linters:
            each.rows = True
    if rendered is not None:
        sources.extend(rendered.sources)  # rendered with the root config
        if choice is not None:
            choice.extend([0] * len(rendered.sources))
    missing = found.missing
    _whole_when_small(linters, sources)
    keys: List[Optional[str]] = []  # each file's result-cache key (None: not cached)
    outcomes = _lint_all(linter, sources, progress, linters, choice, keys)
    skipped = list(found.skipped)
    linted, templates = [], []
    for source, o in zip(sources, outcomes):
        if source.walked and o.report.skipped in WALK_SKIPS:
            skipped.append((o.report.path, o.report.skipped))
            if o.report.skipped == TEMPLATE:
                templates.append(o)  # unread text beside its unit's files (_incomplete)
        else:
            linted.append(o)
    if templates:
        linted = _ytt_inputs(sources, outcomes, linted, templates, skipped, settings.max_file_size)
    outcomes = linted
    # (jaeger's examples/oci: an Ingress to the Services of the two releases beside it)
    linter.helm_folders = frozenset(os.path.dirname(p) for p, why in skipped if why == HELM_VALUES_SKIP or
                                    why == NOT_A_MANIFEST and HELM_VALUES.search(p))
    skipped.sort()
    findings: List[Finding] = []
    suppressed: List[Finding] = []
    findings.extend(_layout_findings(linter, found))
    kept, quiet = _late_cached(linter, sources, outcomes + templates, keys)
    if linter.rows:  # (set above only for a run that renders nothing)
        # a plain run: each file's rows sorted and put together with the other findings
        # (model.merge_rows), no flat list of every file's made first
        tail = _unused_directives(linter, outcomes)
        rows = [(False, findings)]
        rows += [(are_rows(o.findings), o.findings) for o in outcomes]
        findings = merge_rows(rows + [(False, kept), (False, tail)])
        rows = [(are_rows(o.suppressed), o.suppressed) for o in outcomes]
        suppressed = merge_rows(rows + [(False, quiet)])
    else:
        for o in outcomes:
            findings.extend(o.findings)
            suppressed.extend(o.suppressed)
        findings.extend(kept)
        suppressed.extend(quiet)
        findings.extend(_unused_directives(linter, outcomes))
        if rendered is not None:
            from .render import dedupe, remap, remap_and_suppress, separate_applications

            findings = separate_applications(findings, rendered.renderings)
            findings, quiet = remap_and_suppress(findings, rendered.renderings)
            findings = dedupe(findings + rendered.findings)
            suppressed = dedupe(remap(suppressed, rendered.renderings) + quiet)
        sort_findings(findings)
        sort_findings(suppressed)
    if KEEP_ALIVE is not None and sum(o.report.objects for o in outcomes) <= KEEP_ALIVE_OBJECTS:
        KEEP_ALIVE.append((linter, linters, sources, outcomes))
    return Result(findings, suppressed, [o.report for o in outcomes], missing, linter.enabled,
                  time.perf_counter() - start, skipped)


def _ytt_inputs(sources: List[Source], every: List[FileOutcome], linted: List[FileOutcome],
                templates: List[FileOutcome], skipped: List[Tuple[str, str]], max_size: int
                ) -> List[FileOutcome]:
    """`linted` less the walked files beside a walked ytt template (ytt reads the folder
    whole: its overlays and data values change these files' objects before use), which are
    skipped and listed (YTT_INPUT)."""
    by_path = {s.path: s for s in sources}
    folders = set()
    for o in templates:
        source = by_path.get(o.report.path)
        text = _text_of(source, max_size) if source is not None else None
        if text is not None and YTT_TEMPLATE.search(text):
            folders.add(os.path.dirname(o.report.path))
    if not folders:
        return linted
    walked = {id(o) for s, o in zip(sources, every) if s.walked}
    kept = []
    for o in linted:
        if id(o) in walked and os.path.dirname(o.report.path) in folders:
            skipped.append((o.report.path, YTT_INPUT))
        else:
            kept.append(o)
    return kept


# A list when the process ends right after its run (the `kubelint` command): what the run
# built is put there rather than freed object by object on the way out (~10% of a run's
# serial part: 12-25 ms on 5,000 documents), and fastcli ends the process without tearing
# the interpreter down. None (language server, tests): freed as usual. Above
# KEEP_ALIVE_OBJECTS the objects are freed before the report after all, so that the report
# reuses their memory. Up to it, keeping them does not raise the peak, which is earlier: at
# 50,000 documents 133.6-135.3 MB freed vs 134.1-134.2 kept (largest process, -j2), one
# 20 MB file (55,000 objects) 239.5 vs 239.9 MB, while freeing them was 60-75 ms of serial
# CPU at the end of the run (load 6).
KEEP_ALIVE: Optional[List[Any]] = None
KEEP_ALIVE_OBJECTS = 100_000


# Below this many bytes of input the cross-object stage keeps objects whole rather than as
# projections (graph.slim) with their data packed (packing.py): those save memory where it
# counts (50,000 documents, 44 MB: ~100 MB), and cost CPU everywhere -- projecting, packing and
# unpacking were 8-10% of the CPU of a 5,000-document run (4.4 MB), with -j1 and -j2 alike.
WHOLE_MAX_BYTES = 16 << 20


# At most this many distinct pointers of pod refs are shared (Linter._ptrs) at once.
_SHARED_POINTERS = 100_000


def _whole_when_small(linters: List[Linter], sources: List[Source]) -> None:
    """Objects kept whole by every Linter of a run of less than WHOLE_MAX_BYTES of input
    (file sizes; ~2 ms per 1,000 files). Findings are the same either way (graph.py)."""
    if not any(each.slim for each in linters):
        return
    total = 0
    for source in sources:
        if source.raw is not None:
            total += len(source.raw)
        elif source.real is not None:
            try:
                total += os.stat(source.real).st_size
            except OSError:
                pass
        if total >= WHOLE_MAX_BYTES:
            return
    for each in linters:
        each.slim = False


# Below this many files a worker pool costs more than it saves.
PARALLEL_MIN_FILES = 48

_WORKERS: List[Linter] = []


def _worker_init(linters: Optional[List[Linter]], settings: List[Settings]) -> None:
    global _WORKERS
    _WORKERS = linters if linters is not None else [Linter(s) for s in settings]


def _worker_task(item: Tuple[int, Any]) -> FileOutcome:
    outcome = _lint_task(_WORKERS, item)
    _flush_results()  # a pool worker is never told that the run is over
    return outcome


def _flush_results() -> None:
    """Write the result-cache entries this process has put (resultcache.py), if any."""
    import sys

    module = sys.modules.get("kubelint.resultcache")
    if module is not None:
        module.flush_all()


def _lint_task(linters: List[Linter], item: Tuple[int, Any]) -> FileOutcome:
    """item: (index of the file's Linter, Source or (Source with its bytes, key, ResultCache,
    the file's mtime_ns before they were read))."""
    which, task = item
    if isinstance(task, Source):
        return linters[which].lint(task)
    source, key, cache, stamp = task
    outcome = linters[which].lint(source, stamp)
    cache.put(key, _cached(outcome))
    return outcome


def _as_findings(findings: List[Any]) -> List[Finding]:
    """`findings` with the rows among them (Linter.rows) made Findings."""
    return [row_finding(f) if f.__class__ is tuple else f for f in findings]


def _cached(outcome: FileOutcome) -> FileOutcome:
    """`outcome` as the result cache keeps it: Findings, never plain tuples (any run may read
    an entry: the language server's, one that remaps rendered findings by name)."""
    if any([f.__class__ is tuple for f in outcome.findings]) or \
            any([f.__class__ is tuple for f in outcome.suppressed]):
        return outcome._replace(findings=_as_findings(outcome.findings),
                                suppressed=_as_findings(outcome.suppressed))
    return outcome


def _fork_is_safe() -> bool:
    """fork() copies only the calling thread: with other threads running (the language
    server's reader) a child could inherit a lock held by one of them. macOS also warns
    against fork once system frameworks are loaded; it keeps multiprocessing's default.
    Without the threading module no thread was started through it, and it would count one
    (threads of _thread alone it does not see either): not imported for that (~0.5 ms)."""
    threads = sys.modules.get("threading")
    return sys.platform.startswith("linux") and (threads is None or threads.active_count() == 1)


def _per_config(linter: Linter, sources: List[Source]
                ) -> Tuple[List[Source], Optional[List[int]], List[Linter]]:
    """Each file's nearest .kubelint.yaml (from its own folder up to the repository root, as
    for the root config): the files kept (a nested config's `exclude:` drops its files), per
    file the index of its Linter, and the Linters (0: the root config's). (sources, None,
    [linter]) when every file has the root config, so a one-config run does no more work."""
    settings = linter.settings
    if settings.for_config is None or not sources:
        return sources, None, [linter]
    from .config import nearest
    from .discover import Excludes

    root = settings.config.path if settings.config is not None else None
    cache: Dict[str, Optional[str]] = {}
    if settings.config_start is not None:
        cache[os.path.abspath(settings.config_start)] = root
    if root is not None:
        cache[os.path.dirname(os.path.abspath(root))] = root
    index: Dict[Optional[str], int] = {root: 0}
    linters, excludes, kept, choice = [linter], [None], [], []  # type: ignore[var-annotated]
    # each folder's config, by the folder as written (a walk's files come folder by folder):
    # the folder of abspath(path) without an abspath (getcwd, normpath) per file
    folders: Dict[str, Optional[str]] = {}
    for source in sources:
        path = source.real or (settings.stdin_filename if source.real is None else None)
        i = 0
        if path is not None:
            folder, name = os.path.split(path)
            if folder in folders and name not in ("", os.curdir, os.pardir):
                found = folders[folder]
            else:
                found = nearest(os.path.dirname(os.path.abspath(path)), cache)
                if name not in ("", os.curdir, os.pardir):
                    folders[folder] = found
            if found not in index:
                nested = settings.for_config(found)
                same = nested.rule_dirs == settings.rule_dirs
                index[found] = len(linters)
                linters.append(Linter(nested, linter.registry if same else None))
                excludes.append(Excludes(nested.exclude, nested.config.base)
                                if nested.exclude and nested.config is not None else None)
            i = index[found]
            if excludes[i] is not None and excludes[i].excluded(path):
                continue
        kept.append(source)
        choice.append(i)
    if len(linters) == 1:
        return kept, None, linters
    return kept, choice, linters


def _lint_all(linter: Linter, sources: List[Source],
              progress: Optional[Callable[[int, int], None]] = None,
              linters: Optional[List[Linter]] = None,
              choice: Optional[List[int]] = None,
              keys: Optional[List[Optional[str]]] = None) -> List[FileOutcome]:
    """Lint every file, or take its outcome from the result cache (resultcache.py) when its
    bytes and the settings of its Linter are those of an earlier run. Outcomes keep input
    order. `choice[i]`: the index in `linters` of sources[i]'s Linter (its nearest config);
    None: `linter` for every file. `keys`, when given, receives each file's cache key (None
    for a file that is not cached)."""
    if linters is None or choice is None:
        linters, choice = [linter], [0] * len(sources)
    caches = []
    if linter.settings.result_cache:  # else not even imported (pickle, hashing)
        from .resultcache import ResultCache

        caches = [ResultCache.open(each) for each in linters]
    if not caches or caches[0] is None:
        return _lint_files(linters, list(zip(choice, sources)), progress,
                           ahead=lambda: _GraphAhead(linter, sources, [None] * len(sources),
                                                     list(range(len(sources)))))
    from .loader import read_bytes

    outcomes: List[Optional[FileOutcome]] = [None] * len(sources)
    todo: List[int] = []
    tasks: List[Any] = []
    if keys is None:
        keys = []
    for i, source in enumerate(sources):
        which = choice[i]
        if source.real is None and (source.raw is None or source.unit != source.path):
            keys.append(None)
            todo.append(i)  # stdin is not cached
            tasks.append((which, source))
            continue
        stamp = None
        if source.real is None:  # a rendering (its own unit): cached by its output's bytes
            raw, problem = source.raw, None
        else:
            raw, problem = read_bytes(source.real, linters[which].settings.max_file_size)
            stamp = _loader.LAST_READ[1]
        if problem is not None:
            keys.append(None)
            todo.append(i)  # reported by the normal path
            tasks.append((which, source))
            continue
        cache = caches[which]
        key = cache.key(source.path, source.walked, raw)
        keys.append(key)
        outcomes[i] = hit = cache.get(key)
        if hit is not None and hit.stamp is not None:
            # objects of it are read back from the file (reload.py): as it is now
            if stamp is not None and stamp < linters[which]._settled and linters[which].slim:
                outcomes[i] = hit._replace(stamp=stamp)
            else:  # (modified just now, or not projected this time: linted again)
                outcomes[i] = None
        if outcomes[i] is None:
            todo.append(i)
            tasks.append((which, (source._replace(raw=raw), key, cache, stamp)))
    if progress is not None and len(todo) < len(sources):
        progress(len(sources) - len(todo), len(sources))
    done = len(sources) - len(todo)
    task_of: List[Optional[int]] = [None] * len(sources)
    for k, i in enumerate(todo):
        task_of[i] = k
    fresh = _lint_files(linters, tasks, (lambda n, _: progress(done + n, len(sources)))
                        if progress is not None else None,
                        ahead=lambda: _GraphAhead(linter, sources, list(outcomes), task_of))
    for i, outcome in zip(todo, fresh):
        outcomes[i] = outcome
    _flush_results()
    if any(c.written for c in caches):
        caches[0].prune()  # one folder for every config
    return outcomes  # type: ignore[return-value]


def _lint_files(linters: List[Linter], tasks: List[Tuple[int, Any]],
                progress: Optional[Callable[[int, int], None]] = None,
                ahead: Optional[Callable[[], "_GraphAhead"]] = None) -> List[FileOutcome]:
    """Lint every file, in worker processes when there are enough of them. Outcomes come back
    in input order, so the report is the same for any --jobs. A task is (index of the file's
    Linter, Source or (Source with its bytes, cache key, ResultCache) to store the outcome).
    `ahead`: makes the _GraphAhead that forked runs fill as outcomes come in."""
    linter = linters[0]
    jobs = max(1, min(linter.settings.jobs, len(tasks) // (PARALLEL_MIN_FILES // 2)))
    outcomes: List[FileOutcome] = []
    if jobs == 1 or len(tasks) < PARALLEL_MIN_FILES:
        for each in linters:  # (whole objects: the cross-object stage gets these very ones)
            each._carrying = not each.slim
        for which, s in tasks:
            if isinstance(s, Source):
                outcomes.append(linters[which].lint(s))
            else:
                outcomes.append(linters[which].lint(s[0], s[3]))
                s[2].put(s[1], _cached(outcomes[-1]))
            if progress is not None:
                progress(len(outcomes), len(tasks))
        return outcomes
    if hasattr(os, "fork") and _fork_is_safe():
        # this process and jobs - 1 forked children (parallel.py): the children inherit the
        # built Linters with their compiled schemas, and this process does its share; their
        # outcomes come back as one stream (nothing changes an outcome once it is made)
        from . import parallel

        graph = None
        if ahead is not None and linter.cross_rules:
            graph = linter._graph_ahead = ahead()
        done = parallel.run(jobs, tasks, lambda item: _lint_task(linters, item), progress,
                            finish=_flush_results, start=lambda: _import_cross_checks(linter),
                            between=graph.feed if graph is not None else None,
                            first=_warm_up(tasks), stream=True, sent=_outcome_sent,
                            received=_outcome_received, wait=False,
                            # whole objects share nothing from file to file; projections do
                            share=any(each.slim for each in linters))
        if graph is not None:
            graph.feed(done)
        return done
    import copy
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods:
        # children inherit the built Linters with their compiled schemas
        ctx, init = multiprocessing.get_context("fork"), (linters, [])
    else:
        plain = []
        for each in linters:  # the nested-settings factory is a closure: not picklable
            copied = copy.copy(each.settings)
            copied.for_config = None
            plain.append(copied)
        ctx, init = multiprocessing.get_context("spawn"), (None, plain)
    chunk = max(1, len(tasks) // (jobs * 8))
    with ctx.Pool(jobs, initializer=_worker_init, initargs=init) as pool:
        for outcome in pool.imap(_worker_task, tasks, chunksize=chunk):
            outcomes.append(outcome)
            if progress is not None:
                progress(len(outcomes), len(tasks))
    return outcomes


def _outcome_sent(outcome: FileOutcome) -> Any:
    """What a child sends back of a file's outcome: a plain tuple of its fields, with its
    objects as plain tuples, its report's and directives' fields, its lines as bytes. pickle
    writes a named tuple or an object with __getstate__ through a Python call (and extra memo
    entries), an array through its reduce method: ~40% of the time to pickle projected
    objects (50,000 documents), and pickling the outcomes of 5,000 whole documents took
    ~24 instead of ~17 ms of CPU."""
    report, directives, lines = outcome[0], outcome[4], outcome[6]
    return (None if report is None else report.__getstate__(), outcome[1], outcome[2],
            [tuple(o) for o in outcome[3]], None if directives is None else directives.items,
            [tuple(o) for o in outcome[5]],
            lines.tobytes() if lines is not None and lines.typecode == "q" else lines,
            outcome[7], outcome[8])


def _outcome_received(sent: Any) -> FileOutcome:
    """_outcome_sent's outcome as it was (K8sObject(*fields), without the Python call)."""
    report, items, lines = sent[0], sent[4], sent[6]
    directives = None
    if items is not None:
        directives = Directives.__new__(Directives)
        directives.items = items
    if lines.__class__ is bytes:
        lines = array("q")
        lines.frombytes(sent[6])
    return _new_object(FileOutcome, (
        None if report is None else FileReport(*report), sent[1], sent[2],
        [_new_object(K8sObject, o) for o in sent[3]], directives,
        [_new_object(K8sObject, o) for o in sent[5]], lines, sent[7], sent[8]))


# The files this process lints before it forks (_warm_up): looked for among the first
# WARM_SCAN, at most WARM_FILES of them and WARM_BYTES in all (linted alone, before the
# children start: a large file would keep them waiting).
WARM_SCAN, WARM_FILES, WARM_BYTES = 64, 8, 256 << 10
# a line that starts with `kind:` (the one at the start of the text on its own: a pattern that
# starts with a literal is searched for that literal, 4x faster than trying `^` everywhere)
_KIND_LINE = LazyRegex(rb"\nkind:[ \t]*[\"']?([A-Za-z0-9]+)")
_KIND_FIRST = LazyRegex(rb"kind:[ \t]*[\"']?([A-Za-z0-9]+)")


def _warm_up(tasks: List[Tuple[int, Any]]) -> List[int]:
    """Tasks (indices) to lint before forking so that the children inherit what linting
    the first objects of each kind prepares (validators compiled, schemas read, checks
    imported, per-kind memos: ~45 ms of CPU that each process paid again on 5,000
    documents): among the first files, each one that adds a kind not yet seen."""
    seen: set = set()
    chosen: List[int] = []
    budget = WARM_BYTES
    for i, (_, task) in enumerate(tasks[:WARM_SCAN]):
        source = task if isinstance(task, Source) else task[0]
        raw = source.raw
        if raw is None and source.real is not None:
            try:
                if os.path.getsize(source.real) > budget:
                    continue
                with open(source.real, "rb") as f:
                    raw = f.read()  # (its size: not a buffer of budget + 1 bytes per file)
            except OSError:
                continue
        if raw is None or len(raw) > budget:
            continue
        kinds = _kinds_in(raw)
        if kinds - seen:
            seen |= kinds
            chosen.append(i)
            budget -= len(raw)
            if len(chosen) == WARM_FILES:
                break
    return chosen


def _kinds_in(raw: bytes) -> set:
    """The kinds named by the lines of `raw` that start with `kind:`."""
    kinds = set(_KIND_LINE.findall(raw))
    first = _KIND_FIRST.match(raw)
    if first is not None:
        kinds.add(first.group(1))
    return kinds


class _GraphAhead:
    """The cross-object stage's graph (graph.py), built by this process while forked children
    lint files: between its own files it indexes the objects of the files whose outcomes are
    in, in file order, so the stage finds the graph ready (built there, it was 20 ms on 5,000
    documents and ~200 ms on 50,000 with nothing else running). Used only when the stage's
    objects turn out to be exactly those indexed, in the same order."""

    def __init__(self, linter: Linter, sources: List[Source],
                 outcomes: List[Optional[FileOutcome]], task_of: List[Optional[int]]) -> None:
        self.sources = sources
        self.settings = linter.settings
        # the units (the stage takes them: same sources) and the graph, made by the first
        # feed, after the fork: not in the serial part before it (~6 M instructions)
        self.units: Optional[Dict[str, str]] = None
        self.graph: Any = None
        self.outcomes = outcomes  # the cached ones; None: being linted, task_of[i] its task
        self.task_of = task_of
        self.next = 0  # the next file to index
        self.added: List[K8sObject] = []
        self.lists: List[List[K8sObject]] = []  # the non-empty lists of objects indexed
        # id(data) -> the pod refs (checks.references._find_pod_refs) of each whole object
        # of a kind that has a pod spec, when a cross rule of the run reads them: worked out
        # here, between this process's files, rather than in the cross-object stage, where
        # nothing else runs (~40 M instructions, 1,610 workloads at 5,000 documents); the
        # forked children take more files meanwhile. (Projections carry theirs: K8sObject.refs)
        self.pod_kinds = linter._pod_kinds
        self.pod_refs: Dict[int, Any] = {}
        self.find_refs: Any = None  # imported by the first feed, after the fork

    def feed(self, results: List[Any]) -> None:
        """Index the files from the next one on whose outcomes are in (`results`: by task)."""
        if self.graph is None:
            from .graph import Graph

            self.units = _units(self.sources, self.settings)
            self.graph = Graph((), self.settings.pod_label_paths or None, self.units)
        outcomes, task_of, add = self.outcomes, self.task_of, self.graph.add
        find, kinds, refs = self.find_refs, self.pod_kinds, self.pod_refs
        if find is None and kinds:
            from .checks.references import _find_pod_refs

            find = self.find_refs = _find_pod_refs
        while self.next < len(outcomes):
            outcome = outcomes[self.next]
            if outcome is None:
                outcome = results[task_of[self.next]]  # type: ignore[index]
                if outcome is None:
                    return
            for obj in outcome.objects:
                add(obj)
                if find is not None and obj[7] is None and obj.kind in kinds:
                    try:
                        refs[id(obj[3])] = find(obj)  # (field 3: data; 7: full)
                    except Exception:  # raised again in the stage, where it is reported
                        pass
            self.added.extend(outcome.objects)
            if outcome.objects:
                self.lists.append(outcome.objects)
            self.next += 1

    def objects_of(self, outcomes: List[FileOutcome]) -> Optional[List[K8sObject]]:
        """The objects it indexed, if they are exactly those of `outcomes` (the very lists,
        in that order: a check per file rather than per object); else None."""
        import operator

        lists = [out.objects for out in outcomes if out.objects]
        if self.next < len(self.outcomes) or len(lists) != len(self.lists) or \
                not all(map(operator.is_, lists, self.lists)):
            return None
        return self.added

    def graph_of(self, objects: List[K8sObject]) -> Any:
        """The graph, if it indexed exactly `objects`; else None."""
        import operator

        if self.graph is None or self.next < len(self.outcomes) or objects is not self.added and (
                len(self.added) != len(objects) or not all(map(operator.is_, self.added, objects))):
            return None
        self.graph.objects = objects
        return self.graph


def _import_cross_checks(linter: Linter) -> None:
    """Import the cross-object rules' checks while the children lint files, rather than in
    the cross-object stage, where nothing else runs (~10 ms). A check that cannot be imported
    is reported there, as before."""
    for rule in linter.cross_rules:
        try:
            rule.function()
        except Exception:
            pass


def _load_crds(settings: Settings) -> Any:
    """CRDs given with --crd (files or folders); their other documents are not linted.
    None without --crd, so runs without custom resources never import crd.py."""
    if not settings.crds:
        return None
    from .crd import CRDIndex

    index = CRDIndex(settings.strict)
    sources, missing = discover(settings.crds)
    if missing:
        from .registry import RuleError

        raise RuleError(f"--crd: no such file or directory: {', '.join(missing)}")
    for src in sources:
        for doc in load_source(src, settings.max_file_size).documents:
            index.add(doc.data)
    return index


def _load_policies(linter: "Linter", settings: Settings) -> List[K8sObject]:
    """Objects of --policy files (policies, bindings, their params); not linted themselves."""
    if not settings.policies:
        return []
    sources, missing = discover(settings.policies)
    if missing:
        from .registry import RuleError

        raise RuleError(f"--policy: no such file or directory: {', '.join(missing)}")
    out = []
    for src in sources:
        for doc in load_source(src, settings.max_file_size).documents:
            obj = linter._object(doc)
            if obj is not None:
                out.append(obj)
    return out


ADMISSION_CODES = ("KL501", "KL502", "KL503", "KL504")


def _admission(linter: "Linter", sources: List[Source], outcomes: List[FileOutcome],
               objects: List[K8sObject], document: Callable, docs_of: Callable, node_of: Callable,
               add: Callable, kinds: Optional[Iterable[str]] = None,
               units: Optional[Dict[str, str]] = None) -> None:
    """ValidatingAdmissionPolicies of the input (and --policy) on every object of the input.
    Objects not sent back by the workers are read again, only when a binding is in play.
    `kinds`: the kinds of `objects` when the caller knows them (a pass over 50,000 objects
    for their kind took ~35 ms)."""
    if not any(c in linter.enabled_codes for c in ADMISSION_CODES):
        return
    policy_kinds = ("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding")
    present = (o.kind for o in objects) if kinds is None else iter(kinds)
    if not any(k in policy_kinds for k in present) and \
            not any(o.kind in policy_kinds for o in linter.policies):
        return  # no policy in play: the module is not even imported
    from .admission.policy import BINDING, evaluate, is_policy_object

    kinds = {o.kind for o in list(objects) + linter.policies if is_policy_object(o)}
    everything = objects
    if BINDING in kinds and linter.late_kinds is not None:
        everything = []
        for out in outcomes:
            if out.report.skipped:
                continue
            for doc in docs_of(out.report.path):
                obj = linter._object(doc)
                if obj is not None:
                    everything.append(obj)
    unit: Optional[Callable[[Any], str]] = None
    if units:
        from .discover import EACH_DOCUMENT

        def unit(obj: Any) -> str:
            # a policy's unit is a folder: a Kyverno CLI test's resources (each document its
            # own unit for the reference rules) are what the policies beside them are tried on
            found = units.get(obj.path, "")  # type: ignore[union-attr]
            return found if found != EACH_DOCUMENT else os.path.dirname(obj.path)
    for outcome in evaluate(everything, linter.policies, unit):
        target = outcome.target
        if any(target is p for p in linter.policies):
            continue
        doc = document(target)
        if doc is not None:
            add(target, [linter.from_violation(outcome.code, outcome.violation, doc, target, node_of)])


_LATE_FILES = 32  # files loaded again for positions that the cross-object stage keeps at once


def _late(linter: Linter, sources: List[Source], outcomes: List[FileOutcome],
          loaded: Optional[Dict[str, Loaded]] = None) -> Tuple[List[Finding], List[Finding]]:
    """What needs every object of the run: custom resources whose CRD was in another file,
    and cross-object rules. Runs once, after all files; documents are loaded again only for
    the files that get a finding (workers do not send node trees back)."""
    ahead = linter._graph_ahead
    # the objects the graph built ahead indexed, if they are these (no second flat list of
    # 50,000 objects made and compared one by one before the fork)
    objects = ahead.objects_of(outcomes) if ahead is not None else None
    if objects is None:
        objects = [o for out in outcomes for o in out.objects]
    linter._shared.clear()  # the projections are made: what they share stays shared
    linter._ptrs.clear()
    by_path = {s.path: s for s in sources}
    outcome_by_path = {o.report.path: o for o in outcomes}
    # the files whose projected objects' whole data is read back from them (reload.py)
    files = {}
    for o in outcomes:
        if o.stamp is not None:
            source = by_path.get(o.report.path)
            if source is not None and source.real is not None and o.lines is not None:
                files[o.report.path] = (source.real, o.lines, o.stamp)
    if files or "kubelint.reload" in sys.modules:
        from . import reload

        reload.begin(files)
    # the files loaded again, the most recently used last; findings are positioned file by
    # file, so a few files are enough (all of them stayed in memory: +270 MB at 50,000 docs)
    cache: Dict[str, Dict[Tuple[int, Optional[int]], Document]] = {}
    # Documents to place findings in, by path and (index, item): the data of the objects the
    # stage has, nodes composed from the file's text for the documents that get findings.
    placing: Dict[str, Dict[Tuple[int, Optional[int]], Optional[Document]]] = {}
    reopened: Dict[str, Any] = {}

    def docs_of(path: str) -> List[Document]:
        if path in cache:
            cache[path] = cache.pop(path)
        else:
            while len(cache) >= _LATE_FILES:
                del cache[next(iter(cache))]
            # the language server keeps the open documents' trees: no second parse; a --policy
            # file is not among the sources (related locations point into it)
            got = (loaded or {}).get(path) or load_source(by_path.get(path) or Source(path, path),
                                                          linter.settings.max_file_size)
            cache[path] = {(d.index, d.item): d for d in got.documents}
            for d in cache[path].values():
                d.path = path
        return list(cache[path].values())

    def nodes_of(path: str) -> Any:
        """The file's nodes to compose again from its text (loader.reopen), read only when
        a position is not in the memo of the per-file stage; None: load the file whole."""
        if path not in reopened:
            outcome = outcome_by_path.get(path)
            source = by_path.get(path)
            nodes = None
            if outcome is not None and outcome.lines is not None and source is not None \
                    and path not in (loaded or {}) and path not in cache:
                nodes = _Reopened(source, outcome.lines, linter.settings.max_file_size)
            reopened[path] = nodes
        return reopened[path]

    def document(obj: K8sObject) -> Optional[Document]:
        docs = placing.setdefault(obj.path, {})
        key = (obj.doc, obj.item)
        if key in docs:
            return docs[key]
        outcome = outcome_by_path.get(obj.path)
        spans = outcome.spans.get(key) if outcome is not None and outcome.spans else None
        nodes = nodes_of(obj.path)
        if nodes is not None:
            doc: Optional[Document] = Document(obj.path, obj.doc, obj.data, item=obj.item,
                                               nodes=nodes, spans=spans)
        else:
            docs_of(obj.path)
            doc = cache[obj.path].get(key)
            if doc is not None:
                doc.path = obj.path
        docs[key] = doc
        return doc

    def done(path: str) -> None:
        """Let the nodes of a file whose findings are all placed go."""
        placing.pop(path, None)
        reopened.pop(path, None)
        cache.pop(path, None)

    def node_of(obj: K8sObject) -> Any:
        doc = document(obj)
        return _position_node(doc) if doc is not None else None

    kept: List[Finding] = []
    quiet: List[Finding] = []
    # related locations placed (_place), by (path, document, item, pointer): kept from part
    # to part of a split stage, where each part is one file and the same Service (KL218's
    # first user of a nodePort) is pointed at from many files
    related: Dict[Tuple[str, int, Optional[int], Any], Span] = {}

    def add(obj: K8sObject, found: Iterable[Optional[Finding]]) -> None:
        outcome = outcome_by_path[obj.path]
        k, q = linter.suppress([f for f in found if f], obj.path, outcome.directives,
                               {obj.doc: obj.ignore})
        kept.extend(k)
        quiet.extend(q)

    deferred = [o for out in outcomes for o in out.deferred]
    if deferred:
        from .crd import CRDIndex

        crds = (linter.crds or CRDIndex(linter.settings.strict)).extended(
            o.data for o in objects if o.kind == "CustomResourceDefinition")
        for obj in deferred:
            doc = document(obj)
            if doc is None:
                continue
            found = linter.validate_custom(obj, doc, crds)
            if found is not None:
                add(obj, found)
            else:
                add(obj, [linter.from_violation("KL015", Violation(
                    f"no schema for {obj.api_version} {obj.kind}: not validated", ("apiVersion",),
                    hint="pass its CustomResourceDefinition with --crd, or a JSON schema with "
                         "--schema-dir"), doc, obj)])

    ahead, linter._graph_ahead = linter._graph_ahead, None
    # each file's unit, as the graph built ahead has them (1,000 dirnames: ~1 ms, serial)
    units = ahead.units if ahead is not None and ahead.graph is not None and \
        ahead.sources is sources else \
        _units(sources, linter.settings)
    shared: Dict[str, Any] = {"units": units, "incomplete": _incomplete(
        outcomes, units, by_path, loaded or {}, linter.settings.max_file_size, linter.helm_folders)}
    if linter._carried:  # (Linter._foreseen: emptied at the end of the stage)
        shared["foreseen"] = linter._carried
    if ahead is not None:
        ready = ahead.graph_of(objects)
        if ready is not None:
            ready.incomplete = shared["incomplete"]
            shared["graph"] = ready
            if ahead.pod_refs:
                shared["pod_refs_ahead"] = ahead.pod_refs
    rules = linter.cross_rules
    contexts = [linter.context(rule, objects, shared) for rule in rules]
    fns: Dict[int, Any] = {}  # a check is imported only when it runs
    # kind, group and builtin decide whether a rule applies: each rule's verdict is worked
    # out once per distinct triple, not once per object
    verdicts: Dict[Tuple[str, str, bool], List[int]] = {}
    from .graph import PROJECTION_ENOUGH, REFS_ENOUGH, full_data

    def rules_of(obj: K8sObject) -> List[int]:
        key = (obj.kind, obj.group, obj.builtin)
        which = verdicts.get(key)
        if which is None:
            which = verdicts[key] = [i for i, rule in enumerate(rules)
                                     if linter.applies(rule, obj) and not idle(i)]
        return which

    quiet_rules: Dict[int, bool] = {}

    def idle(i: int) -> bool:
        """Whether rule i can find nothing in this run, as its check's `idle` hook says (the
        Pod Security rules when no policy applies to any pod): then it is left out of every
        object's rules rather than asked about each."""
        found = quiet_rules.get(i)
        if found is None:
            found = False
            try:
                fn = fns.get(i) or rules[i].function()
                hook = getattr(fn, "idle", None)
                found = hook is not None and hook(contexts[i]) is True
            except Exception:
                pass  # the check reports it on each object, as before
            quiet_rules[i] = found
        return found

    # rule index -> the ids of the objects its check may find something in, as its
    # `candidates` hook says once per run (duplicates, colliding node ports, HPA targets:
    # a few objects of the run), or None: it is called for every object it applies to
    only: Dict[int, Optional[set]] = {}

    def limited(i: int) -> bool:
        found = only.get(i, False)
        if found is False:
            found = None
            try:
                fn = fns.get(i) or rules[i].function()
                hook = getattr(fn, "candidates", None)
                if hook is not None:
                    found = hook(contexts[i])
            except Exception:
                found = None  # the check runs on every object, as before
            only[i] = found
        return found is not None

    # (apiVersion, kind, builtin) -> (what its rules (rules_of()) read of the object: 0 its
    # projection, 1 its projection and pod refs (K8sObject.refs), 2 more; the calls: per
    # step (calls_of), (its check, its context, its candidates or None, its rule's index),
    # or (None, (by_code, members), None, -1) for rules that share one walk)
    plans: Dict[Tuple[Any, Any, bool], Tuple[int, List[Tuple[Any, Any, Any, int]]]] = {}

    def reads(which: List[int]) -> int:
        codes = {rules[i].code for i in which} - PROJECTION_ENOUGH
        return 0 if not codes else 1 if codes <= REFS_ENOUGH else 2

    def steps_of(which: List[int]) -> List[Any]:
        """`which` with the rules that share one walk (Pod Security's controls) as one step
        (_share_walks)."""
        entries = []
        for i in which:
            try:
                fn = fns.get(i) or rules[i].function()
            except Exception:  # raised again where the rule runs, as it was
                fn = None
            entries.append((rules[i], fn, contexts[i]))
        index = {id(rules[i]): i for i in which}
        return [e[2] if e[1] is None and e[2].__class__ is tuple else index[id(e[0])]
                for e in _share_walks(entries)]

    def calls_of(which: List[int]) -> List[Tuple[Any, Any, Any, int]]:
        """steps_of(which) with what the loop reads per step worked out once per plan (no
        lookups of the check, its context and candidates per object and rule); a check that
        could not be imported is None there: imported again where it runs, as it was."""
        calls = []
        for i in steps_of(which):
            if i.__class__ is tuple:
                calls.append((None, i, None, -1))
                continue
            limited(i)
            fn = fns.get(i)
            if fn is None:
                try:
                    fn = fns[i] = rules[i].function()
                except Exception:
                    fn = None
            calls.append((fn, contexts[i], only[i], i))
        return calls

    def check(start: int, end: int) -> None:
        """The cross rules on objects[start:end], their findings placed and suppressed."""
        found: Dict[str, List[Tuple[str, K8sObject, List[Violation]]]] = {}
        for j in range(start, end):
            obj = objects[j]
            data = obj[3]
            # a plan is a function of apiVersion, kind and builtin: their raw values are as
            # good a key (no two K8sObject properties per object), unless not hashable
            key = (data.get("apiVersion"), data.get("kind"), obj[6])
            try:
                plan = plans.get(key)
            except TypeError:  # a list or a map: the values the rules see instead
                key = (obj.api_version, obj.kind, obj.builtin)
                plan = plans.get(key)
            if plan is None:
                which = rules_of(obj)
                plan = plans[key] = (reads(which), calls_of(which))
            whole, calls = plan
            if not calls:
                continue
            # a projected object (graph.slim) is checked on its whole data, unpickled once
            # for all its rules and dropped after them (unless they read no more of it than
            # the projection, or than that and the pod refs made in the per-file stage)
            target = obj
            if whole and obj.full is not None and (whole == 2 or obj[8] is None):
                whole_data = full_data(obj)
                if whole_data is None:
                    continue  # not packed, and its file changed during the run: no claim
                # obj._replace(data=..., full=None, refs=None)
                target = _new_object(K8sObject, obj[:3] + (whole_data,) + obj[4:7]
                                     + (None, None))
            for fn, ctx, cand, i in calls:
                if cand is not None and id(obj) not in cand:
                    continue  # it finds nothing here (its candidates hook)
                if fn is None:
                    if i < 0:  # rules that share one walk (ctx): called once
                        for code, violations in _walked(ctx, target):
                            found.setdefault(obj.path, []).append((code, obj, violations))
                        continue
                    fn = fns[i] = rules[i].function()  # (raises here again, as it did)
                try:  # call_check(), inline: this runs for every cross rule and object
                    violations = fn(target, ctx)
                    if violations:  # (a list, or a generator: its own list, as it was)
                        violations = list(violations)
                except Exception as e:
                    violations = _internal_error(rules[i], e)
                if violations:
                    # the projection is enough to place them: the whole data goes now
                    found.setdefault(obj.path, []).append((rules[i].code, obj, violations))
        if found:  # (most parts of a split stage have none)
            _place(linter, found, document, node_of, add, done, related)

    parts = _late_parts(linter, objects, outcomes) if rules else None
    if parts is None:
        check(0, len(objects))
    else:
        # --jobs N: the graph and the checks are made ready here, then this process and
        # N-1 forked children (which inherit them) take the files' objects from one queue;
        # each part's findings come back in part order, the order of one process
        for i, rule in enumerate(rules):  # (a run this large has objects for most of them)
            fns[i] = rule.function()
        from . import graph, parallel

        graph.of(contexts[0])
        for i in range(len(rules)):  # (children inherit the candidates)
            limited(i)

        def part(task: Tuple[int, int]) -> Tuple[List[Finding], List[Finding], List[Any]]:
            """One file's objects: its findings, and the comment directives they used."""
            start, end = task
            items = outcome_by_path[objects[start].path].directives.items
            before = [d.used for d in items]
            check(start, end)
            used = [i for i, (d, was) in enumerate(zip(items, before)) if d.used and not was]
            out = (kept[:], quiet[:], [(objects[start].path, used)] if used else [])
            del kept[:], quiet[:]
            return out

        head = kept[:], quiet[:]  # custom resources validated above: they come first
        del kept[:], quiet[:]
        results = parallel.run(min(linter.settings.jobs, len(parts)), parts, part,
                               first=_warm_parts(objects, parts), wait=False)
        kept[:], quiet[:] = head
        for k, q, used in results:
            kept.extend(k)
            quiet.extend(q)
            for path, flags in used:
                items = outcome_by_path[path].directives.items
                for i in flags:
                    items[i].used = True
    # the kinds present: from the verdicts (one per kind, group and builtin) when this
    # process checked every object, else from the graph
    kinds = [k for k, _, _ in verdicts] if parts is None else graph.of(contexts[0]).kinds()
    _admission(linter, sources, outcomes, objects, document, docs_of, node_of, add, kinds, units)
    if KEEP_ALIVE is not None and len(objects) <= KEEP_ALIVE_OBJECTS:
        KEEP_ALIVE.append((objects, shared, contexts))  # the graph and the checks' memos
    linter._carried.clear()
    linter._carrying = False
    return kept, quiet


# Below this many objects the cross-object stage runs in this process alone. Forking for it
# costs copy-on-write faults in both processes (each writes reference counts all over the
# inherited heap: ~4,700 pages each at 5,000 documents) on top of the fork and sending the
# findings back. Measured (--jobs 2, interleaved, jobs13.md): one process instead of two at
# 5,000 documents: wall the same (510 vs 508 ms), CPU -35 to -50 ms (and -53 ms of wall on
# one core); 10,000: wall -28 ms, CPU -64; 20,000 (projected objects): wall +19 ms (+1%),
# CPU -148; 50,000: wall +144 ms (+4%), CPU -188. (It was 1,000 before the stage got cheaper
# and the graph was built ahead.)
LATE_PARALLEL_MIN_OBJECTS = 20_000


def _late_parts(linter: Linter, objects: List[K8sObject], outcomes: List[FileOutcome]
                ) -> Optional[List[Tuple[int, int]]]:
    """The cross-object stage's work shared out for --jobs: (start, end) ranges of `objects`,
    one per file (its objects are next to each other, in file order), so that each file's
    findings are placed and suppressed by one process in the order of a single process.
    None: one process (--jobs 1, a small run, no fork, or a path that two outcomes share)."""
    if linter.settings.jobs < 2 or len(objects) < LATE_PARALLEL_MIN_OBJECTS \
            or not hasattr(os, "fork") or not _fork_is_safe():
        return None
    from itertools import groupby
    from operator import itemgetter

    parts: List[Tuple[int, int]] = []
    seen: set = set()
    start = 0
    # runs of objects of one path (grouped in C: a loop over 50,000 objects was ~5 ms of the
    # serial part before the fork)
    for path, run in groupby(map(itemgetter(0), objects)):  # (field 0: K8sObject.path)
        if path in seen:
            return None
        seen.add(path)
        end = start + len(list(run))
        parts.append((start, end))
        start = end
    return parts if len(parts) > 1 else None


def _warm_parts(objects: List[K8sObject], parts: List[Tuple[int, int]]) -> List[int]:
    """Parts checked before the fork, so that the memos the cross checks fill on first use
    (per kind: indexes of services, namespaces, node ports...) are built once and inherited:
    among the first WARM_SCAN parts, each one that adds a kind not yet seen."""
    seen: set = set()
    chosen: List[int] = []
    for i, (start, end) in enumerate(parts[:WARM_SCAN]):
        kinds = {o.kind for o in objects[start:end]}
        if kinds - seen:
            seen |= kinds
            chosen.append(i)
            if len(chosen) == WARM_FILES:
                break
    return chosen


def _place(linter: Linter, found: Dict[str, List[Tuple[str, K8sObject, List[Violation]]]],
           document: Callable, node_of: Callable, add: Callable, done: Callable,
           spans: Optional[Dict[Tuple[str, int, Optional[int], Any], Span]] = None) -> None:
    """Findings of the cross-object rules, placed file by file so that only one file's nodes
    are kept at a time: each file is opened once, for its own findings and for the related
    locations in it, then let go (related locations looked up as they came kept the text and
    nodes of every file they pointed into: +40 MB at 50,000 documents). Within a file in the
    order found (object by object); files are apart in the sorted report anyway."""
    from .positions import locate

    wanted: Dict[str, List[Tuple[K8sObject, Any]]] = {}  # related locations, by file
    relating: set = set()  # ids of the violation lists with related locations
    for items in found.values():
        for _, _, violations in items:
            for v in violations:
                if v.related:
                    relating.add(id(violations))
                    for other, pointer, _ in v.related:
                        if other is not None:
                            wanted.setdefault(other.path, []).append((other, pointer))
    if spans is None:
        spans = {}
    # (object, its findings) or, with related locations in other files, (object, None,
    # [(violation, its finding)]): those are added below
    pending: List[Tuple[K8sObject, Any, Any]] = []
    for path in dict.fromkeys(list(found) + list(wanted)):
        for other, pointer in wanted.get(path, ()):
            key = (other.path, other.doc, other.item, pointer)
            if key in spans:
                continue  # (placed for an earlier finding, maybe of an earlier part)
            node = node_of(other)
            if node is not None:
                spans[key] = locate(node, pointer, "key")
        last = doc = None
        # (rule code, violations) of the last pending object's rules, placed together (one
        # findings_of_rules for an object's rules rather than a call per rule)
        rules: List[Tuple[str, List[Violation]]] = []
        for code, obj, violations in found.get(path, ()):
            if obj is not last:  # (an object's rules are next to each other)
                if rules:
                    linter.findings_of_rules(rules, doc, last, pending[-1][1])
                    rules = []
                last, doc = obj, document(obj)
            if doc is None:
                continue
            if wanted and id(violations) in relating:
                if rules:
                    linter.findings_of_rules(rules, doc, obj, pending[-1][1])
                    rules = []
                pending.append((obj, None, [(v, linter.from_violation(code, v, doc, obj))
                                            for v in violations]))
            elif pending and pending[-1][0] is obj and pending[-1][2] is None:
                # the object's next rule: its findings go to add() (suppression) together
                rules.append((code, violations))
            else:
                pending.append((obj, [], None))
                rules.append((code, violations))
        if rules:
            linter.findings_of_rules(rules, doc, last, pending[-1][1])
        done(path)
    for obj, placed, pairs in pending:
        add(obj, placed if pairs is None else [_with_related(f, v, spans) for v, f in pairs])


def _with_related(f: Optional[Finding], v: Violation,
                  spans: Dict[Tuple[str, int, Optional[int], Any], Span]) -> Optional[Finding]:
    """`f` with its related locations in other objects (from_violation without related_node
    places only those in the object's own document), in the violation's order."""
    if f is None or all(other is None for other, _, _ in v.related):
        return f
    own = iter(f.related)
    related = []
    for other, pointer, message in v.related:
        if other is None:
            related.append(next(own))
        else:
            span = spans.get((other.path, other.doc, other.item, pointer))
            if span is not None:
                related.append(Related(other.path, span, message))
    return f._replace(related=tuple(related))


_CODE, _ROW_CODE = itemgetter(0), itemgetter(8)  # a Finding's code, a row's

# Findings that leave a document of a file unread: the cross-object stage cannot know what it held
_UNREAD = frozenset({"KL001", "KL002", "KL006"})


def _incomplete(outcomes: List[FileOutcome], units: Optional[Dict[str, str]],
                by_path: Dict[str, Source], loaded: Dict[str, Loaded], max_size: int,
                helm_folders: frozenset = frozenset()) -> Dict[str, Optional[List[str]]]:
    """Graph.incomplete: unit (_units; "" when all are one) -> the texts of its files with a
    document that could not be read (None: a text that cannot be known, too big or binary;
    a folder with a Helm values file: the objects of the chart it configures)."""
    out: Dict[str, Optional[List[str]]] = {}
    if units is not None:
        for folder in helm_folders:
            out[folder] = None
    for o in outcomes:
        # a walked template is skipped, not reported, but unread all the same
        template = o.report.skipped == TEMPLATE
        if not template and not o.findings and not o.suppressed:
            continue  # (most files: no two sets made for them before the fork)
        codes = set()
        if not template:  # (in C: the whole rule set's 34,000 rows)
            for found in (o.findings, o.suppressed):  # (a plain run's rows: model.ROW_FIELDS)
                codes.update(map(_ROW_CODE if are_rows(found) else _CODE, found))
        if not template and not codes & _UNREAD:
            continue
        path = o.report.path
        unit = (units or {}).get(path, "")
        text: Optional[str] = None
        if template or "KL001" in codes and not codes & {"KL002", "KL006"}:
            source = by_path.get(path)
            if path in loaded:
                text = loaded[path].text
            elif source is not None:
                text = _text_of(source, max_size)
        texts = out.get(unit, [])
        out[unit] = None if text is None or texts is None else texts + [text]
    return out


def _units(sources: List[Source], settings: Settings) -> Optional[Dict[str, str]]:
    """Each file's unit for the cross-object rules (graph.py): its own (renderings, the
    editor's files), else its folder for a walked file, one unit for the files named; None:
    all one unit."""
    if getattr(settings, "cross_object_scope", "folder") != "folder":
        return None
    units = {s.path: s.unit if s.unit is not None else os.path.dirname(s.path) if s.walked else ""
             for s in sources}
    return units if any(units.values()) else None


def _late_cached(linter: Linter, sources: List[Source], outcomes: List[FileOutcome],
                 keys: List[Optional[str]]) -> Tuple[List[Finding], List[Finding]]:
    """_late(), or its result from an earlier run over the very same files (resultcache.py):
    the cross-object stage is a function of the per-file outcomes, whose keys cover the bytes,
    paths and settings of every file, so a second run over an unchanged tree skips it."""
    key = None
    if linter.settings.result_cache and keys and len(keys) == len(sources) and None not in keys:
        from .resultcache import ResultCache, late_key

        cache = ResultCache.open(linter)
        if linter.helm_folders:  # (skipped by name, so in no file's key: Linter.helm_folders)
            from hashlib import blake2b

            keys = keys + [blake2b("\0".join(sorted(linter.helm_folders)).encode(
                "utf-8", "surrogateescape"), digest_size=20).hexdigest()]
        key = late_key(cache, keys) if cache is not None else None
    if key is not None:
        hit = cache.get(key)
        if hit is not None and len(hit[2]) == len(outcomes):
            kept, quiet, used = hit
            for outcome, flags in zip(outcomes, used):
                for d, flag in zip(outcome.directives.items, flags):
                    d.used = d.used or flag
            return kept, quiet
    before = [[d.used for d in o.directives.items] for o in outcomes]
    kept, quiet = _late(linter, sources, outcomes)
    if key is not None:
        # the directives the stage used (its suppressions count for KL090's "silences nothing")
        used = [[d.used and not was for d, was in zip(o.directives.items, flags)]
                for o, flags in zip(outcomes, before)]
        cache.put(key, (_as_findings(kept), _as_findings(quiet), used))
        cache.flush()
    return kept, quiet


class _Reopened:
    """loader.reopen() of a file linted earlier in the run, its text read on first use: the
    positions the cross-object stage needs are mostly in the per-file stage's memo."""

    __slots__ = ("source", "lines", "max_size", "_nodes")

    def __init__(self, source: Source, lines: "array[int]", max_size: int) -> None:
        self.source, self.lines, self.max_size = source, lines, max_size
        self._nodes: Any = None

    def _get(self) -> Any:
        if self._nodes is None:
            text = _text_of(self.source, self.max_size)
            lines = self.lines  # (_packed_lines)
            # unreadable now (deleted since): positions fall back to the first line
            count = len(lines) // 3
            self._nodes = reopen(text if text is not None else "",
                                 list(zip(lines[0:3 * count:3], lines[1:3 * count:3],
                                          lines[2:3 * count:3])))
        return self._nodes

    def fast(self, index: int, item: Optional[int]) -> Any:
        if self._nodes is None and item is None and self.source.real is not None \
                and self.source.raw is None:
            node = alone_in_file(self.source.real, self.lines, index)
            if node is not None:
                return node
        return self._get().fast(index, item)

    def node(self, index: int, item: Optional[int]) -> Any:
        return self._get().node(index, item)


def _text_of(source: Source, max_size: int) -> Optional[str]:
    """The text of a file linted earlier in the run, or None if it cannot be read now."""
    if source.real is None or source.raw is not None:
        raw = source.raw or b""
        if len(raw) > max_size:
            return None
        text, problem = decode(raw)
    else:
        text, problem = read(source.real, max_size)
    return text if problem is None else None


def _unknown_ref(linter: Linter, ref: str) -> bool:
    if ref == "*":
        return False
    try:
        linter.registry.match(ref)
        return False
    except Exception:
        return True


def _suggest_rule(linter: Linter, ref: str) -> str:
    # the usual slip: the letter O for a zero, I or l for a one
    fixed = ref[:2].upper() + ref[2:].upper().replace("O", "0").replace("I", "1").replace("L", "1")
    if fixed in linter.registry.by_code:
        return f"; did you mean `{fixed}`?"
    return linter.registry._suggest(ref)


def _unused_directives(linter: Linter, outcomes: List[FileOutcome]) -> List[Finding]:
    """KL034 for rules a directive names that do not exist; KL090 for directives that
    silence nothing (unless every rule they name is unknown: KL034 says it better)."""
    out = []
    for o in outcomes:
        for d in o.directives.items:
            unknown = [(ref, col) for ref, col in zip(d.refs, d.columns or (1,) * len(d.refs))
                       if _unknown_ref(linter, ref)]
            for ref, col in unknown:
                f = linter.finding("KL034", f"`# kubelint: disable={ref}` names no rule"
                                   f"{_suggest_rule(linter, ref)}", o.report.path,
                                   Span(d.line, col, d.line, col + len(ref)),
                                   hint="use a rule code (KL101), a code prefix (KL1) or a name "
                                        "(node-port); `kubelint rules` lists them")
                if f:
                    out.append(f)
            if len(unknown) == len(d.refs) or "KL090" not in linter.enabled_codes:
                continue
            if not d.used:
                f = linter.finding("KL090", f"`# kubelint: disable={','.join(d.refs)}` "
                                   "silences nothing", o.report.path, Span(d.line, 1, d.line, 2),
                                   hint="remove the directive")
                if f:
                    out.append(f)
    return out


def display_path(path: str) -> str:
    """A path as findings show it: relative to the working directory when inside it."""
    rel = os.path.relpath(os.path.abspath(path))
    return path if rel.startswith("..") else rel


def _layout_findings(linter: Linter, found: Any) -> List[Finding]:
    """Findings about the walk itself: exclude patterns that matched nothing."""
    out: List[Optional[Finding]] = []
    config = linter.settings.config
    if config is not None and config.path and found.unmatched_excludes:
        from .positions import locate

        for i in found.unmatched_excludes:
            pattern = config["exclude"][i]
            span = locate(config.node, ("exclude", i), "value") if config.node is not None \
                else Span(1, 1, 1, 2)
            out.append(linter.finding(
                "KL035", f"exclude pattern {pattern!r} matches nothing in this run (patterns are "
                "relative to the config file's folder, gitignore syntax)",
                display_path(config.path), span, hint="fix the pattern or remove it"))
    return [f for f in out if f]
