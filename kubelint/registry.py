"""Rules are files: rules/*.yaml (and users' rule-dirs). This module loads them, binds their
checks and resolves --select/--ignore. The rule files are the single source for `kubelint
rules`, `kubelint explain`, SARIF rule descriptors, config validation and the example tests."""

from __future__ import annotations

import importlib
import os
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence

from .model import Severity


# what a `check: {cel: ...}` expression sees: the names of ValidatingAdmissionPolicy expressions
CEL_VARIABLES = ("object", "oldObject", "params")


class RuleError(ValueError):
    """A rule file or a rule reference is wrong: a configuration error (exit 2)."""


class Rule:
    """One rule file, bound. (A plain class: a dataclass costs start-up time.)"""

    def __init__(self, *, code: str, name: str, severity: Severity, summary: str, rationale: str,
                 fix: str, kinds: List[str], tags: List[str], check: Dict[str, Any],
                 examples: Dict[str, List[str]], options: Optional[Dict[str, Dict[str, Any]]] = None,
                 default_enabled: bool = True, cross: bool = False,
                 sees: Optional[List[str]] = None, source: str = "",
                 see_also: Optional[List[str]] = None, fixable: Optional[str] = None,
                 groups: Optional[List[str]] = None) -> None:
        self.code = code
        self.name = name
        self.severity = severity
        self.summary = summary
        self.rationale = rationale
        self.fix = fix
        self.kinds = kinds
        self.tags = tags
        self.check = check
        self.examples = examples
        self.options = options or {}
        self.default_enabled = default_enabled
        self.cross = cross  # sees every object of the run (ctx.objects)
        self.sees = sees  # the kinds a cross-object rule reads from ctx.objects (None: all)
        self.source = source
        self.see_also = see_also or []  # peers' checks: "kube-linter:privileged-container"
        self.fixable = fixable  # "safe", "unsafe" (only with --unsafe-fixes) or None
        # API groups the rule applies to ("" = core, "*" = any). None: `kinds` names built-in
        # kinds (resolved against the bundled schemas), or custom kinds when no built-in kind
        # has that name -- so `kinds: [Service]` never matches serving.knative.dev Services.
        self.groups = groups
        self._fn: Optional[Callable] = None
        self._schema: Any = None
        self._cel: Any = None

    def __repr__(self) -> str:
        return f"Rule({self.code} {self.name})"

    @property
    def builtin(self) -> Optional[str]:
        return self.check.get("builtin")

    def function(self) -> Callable:
        """The bound Python check; imported on first use, so rule modules load only when a
        rule actually runs."""
        if self._fn is None:
            target = self.check["python"]
            module, _, attr = target.partition(":")
            try:
                self._fn = getattr(importlib.import_module(module), attr)
            except (ImportError, AttributeError) as e:
                raise RuleError(f"{self.source}: check `{target}` cannot be imported: {e}") from e
        return self._fn

    def schema(self) -> Any:
        if self._schema is None:
            from .k8s_schema import Schema
            from .thirdparty import jsonschema_rs

            try:
                self._schema = Schema(self.check["schema"])
            except (ValueError, jsonschema_rs().ValidationError) as e:
                raise RuleError(f"{self.source}: invalid `check.schema`: {e}") from e
        return self._schema

    def cel_program(self) -> Any:
        """The compiled `check.cel` expression (over `object`); RuleError if it does not compile."""
        if self._cel is None:
            from . import cel

            try:
                self._cel = cel.compile(self.check["cel"], CEL_VARIABLES)
            except cel.CelError as e:
                raise RuleError(f"{self.source}: `check.cel` does not compile: {e}") from None
        return self._cel

    def cel_violations(self, data: Any) -> List[Any]:
        """A `check: {cel: ...}` rule on one object, with admission-policy semantics: false
        or an evaluation error (no such key...) is a violation."""
        from . import cel
        from .custom import field_path
        from .model import Violation

        pointer = field_path(self.check.get("fieldPath"))
        variables = {"object": data, "oldObject": None, "params": None}
        try:
            if self.cel_program().run(variables) is True:
                return []
        except cel.EvalError as e:
            return [Violation(f"{self.summary.rstrip('.')}: expression `{self.check['cel']}` failed: {e}",
                              pointer, at="key" if pointer else "value")]
        message = self.check.get("message") or f"failed expression: {self.check['cel']}"
        expr = self.check.get("messageExpression")
        if isinstance(expr, str):
            try:
                text = cel.compile(expr, CEL_VARIABLES).run(variables)
                if isinstance(text, str) and text.strip():
                    message = text
            except (cel.CelError, cel.EvalError):
                pass
        return [Violation(message, pointer, at="key" if pointer else "value")]

    def default_options(self) -> Dict[str, Any]:
        return {k: spec.get("default") for k, spec in self.options.items()}

    def applies_to(self, kind: str, group: Optional[str] = None, builtin: bool = True,
                   builtin_kinds: Any = frozenset()) -> bool:
        """Does the rule run on an object of `kind` in `group` (built-in or custom)?"""
        if self.groups is not None:
            if group is not None and group not in self.groups and "*" not in self.groups:
                return False
            return not self.kinds or kind in self.kinds
        if not self.kinds:
            return True
        return kind in self.kinds and (builtin or kind not in builtin_kinds)


def _read_rule_file(path: str) -> Any:
    from .loader import load

    loaded = load(path)
    if loaded.problems:
        p = loaded.problems[0]
        raise RuleError(f"{path}:{p.span.line}:{p.span.column}: {p.message}")
    if len(loaded.documents) != 1:
        raise RuleError(f"{path}: expected one YAML document")
    return loaded.documents[0].data


def _load_rule_file(path: str, validate: bool = True, data: Any = None) -> Rule:
    if data is None:
        data = _read_rule_file(path)
    if validate:
        _validate_rule(path, data)
        if isinstance(data.get("check"), dict) and "cel" in data["check"]:
            _check_cel(path, data["check"])
    try:
        return Rule(
            code=data["code"], name=data["name"], severity=Severity.parse(data["severity"]),
            summary=data["summary"].strip(), rationale=data["rationale"].strip(),
            fix=data["fix"].strip(), kinds=list(data.get("kinds") or []),
            tags=list(data.get("tags") or []), check=dict(data["check"]),
            examples={"fail": list((data.get("examples") or {}).get("fail") or []),
                      "pass": list((data.get("examples") or {}).get("pass") or [])},
            options=dict(data.get("options") or {}),
            default_enabled=bool(data.get("enabled", True)), cross=bool(data.get("cross", False)),
            sees=list(data["sees"]) if "sees" in data else None,
            source=path, see_also=list(data.get("see-also") or []), fixable=data.get("fixable"),
            groups=list(data["groups"]) if "groups" in data else None)
    except (KeyError, TypeError, AttributeError, ValueError) as e:
        raise RuleError(f"{path}: malformed rule: {e}") from e


def _check_cel(path: str, check: Dict[str, Any]) -> None:
    """A user's CEL rule must compile: a configuration error (exit 2) otherwise."""
    from . import cel

    if not cel.available():
        raise RuleError(f"{path}: `check.cel` needs the package cel-expr-python (Python 3.11 or newer)")

    for key in ("cel", "messageExpression"):
        if isinstance(check.get(key), str):
            try:
                cel.compile(check[key], CEL_VARIABLES)
            except cel.CelError as e:
                raise RuleError(f"{path}: `check.{key}` does not compile: {e}") from None


def _validate_rule(path: str, data: Any) -> None:
    from .resources import schema_path

    validator = _rule_validator(schema_path("rule.schema.json"))
    errors = list(validator.iter_errors(data))
    if errors:
        from .model import pointer_to_k8s

        first = errors[0]
        where = pointer_to_k8s(tuple(first.instance_path))
        raise RuleError(f"{path}: {where}: {first.message}")


_VALIDATORS: Dict[str, Any] = {}


def _rule_validator(path: str) -> Any:
    if path not in _VALIDATORS:
        import json

        from .thirdparty import jsonschema_rs

        with open(path, "rb") as f:
            _VALIDATORS[path] = jsonschema_rs().validator_for(json.load(f))
    return _VALIDATORS[path]


def _builtin_data() -> List[Any]:
    """[(path, rule data)] of the bundled rules/ folder, through the on-disk cache."""
    from .cache import cached_json, stamp_of
    from .resources import rules_dir

    folder = rules_dir()
    paths = [os.path.join(folder, f) for f in sorted(os.listdir(folder)) if f.endswith((".yaml", ".yml"))]
    data = cached_json("rules", stamp_of(folder, *paths), "rules.json",
                       lambda: [_read_rule_file(p) for p in paths])
    return list(zip(paths, data))


class Registry:
    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules: List[Rule] = sorted(rules, key=lambda r: r.code)
        self.by_code: Dict[str, Rule] = {}
        self.by_name: Dict[str, Rule] = {}
        for r in self.rules:
            for table, key in ((self.by_code, r.code), (self.by_name, r.name)):
                if key in table:
                    raise RuleError(f"{r.source}: `{key}` is already used by {table[key].source}")
                table[key] = r

    @classmethod
    def load(cls, rule_dirs: Sequence[str] = ()) -> "Registry":
        # Built-in rule files are checked against the rule schema by the test suite and
        # parsed once into the cache; users' rule files are read and checked on every load.
        rules = [_load_rule_file(path, validate=False, data=data) for path, data in _builtin_data()]
        for d in rule_dirs:
            if not os.path.isdir(d):
                raise RuleError(f"rule directory not found: {d}")
            for fname in sorted(os.listdir(d)):
                if fname.endswith((".yaml", ".yml")):
                    rules.append(_load_rule_file(os.path.join(d, fname)))
        return cls(rules)

    def get(self, ref: str) -> Rule:
        rule = self.by_code.get(ref.upper()) or self.by_name.get(ref)
        if rule is None:
            raise RuleError(f"unknown rule `{ref}`{self._suggest(ref)}")
        return rule

    def _suggest(self, ref: str) -> str:
        from .identify import close

        guess = close(ref, list(self.by_name) + list(self.by_code))
        return f"; did you mean `{guess}`?" if guess else ""

    def match(self, ref: str) -> List[Rule]:
        """Rules a select/ignore entry names: a code, a code prefix (`KL1`), a name or a tag
        (`security`: every rule with that tag)."""
        ref = ref.strip()
        if not ref:
            return []
        if ref.upper() == "ALL":
            return list(self.rules)
        if ref in self.by_name:
            return [self.by_name[ref]]
        tagged = [r for r in self.rules if ref in r.tags]
        if tagged:
            return tagged
        up = ref.upper()
        found = [r for r in self.rules if r.code.startswith(up)]
        if not found:
            raise RuleError(f"unknown rule or prefix `{ref}`{self._suggest(ref)}")
        return found

    def select(self, select: Sequence[str] = (), ignore: Sequence[str] = ()) -> List[Rule]:
        """Enabled rules. Without `select`, every rule that is on by default; a rule that is
        off by default is enabled only when `select` names it (code, prefix or name)."""
        if select:
            chosen = {r.code for ref in select for r in self.match(ref)
                      if r.default_enabled or ref.upper() != "ALL"}
        else:
            chosen = {r.code for r in self.rules if r.default_enabled}
        for ref in ignore:
            for r in self.match(ref):
                chosen.discard(r.code)
        return [r for r in self.rules if r.code in chosen]


def split_refs(values: Optional[Iterable[str]]) -> List[str]:
    """["KL1,KL2", "x"] -> ["KL1", "KL2", "x"]."""
    out: List[str] = []
    for v in values or ():
        out.extend(p.strip() for p in str(v).split(",") if p.strip())
    return out
