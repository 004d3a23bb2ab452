"""`.kubelint.yaml`: found by walking up from a folder (the paths' for the run's root
config, each file's own for its config: `nearest`) to the repository root, or given with
--config. Validated against schemas/config.schema.json; every problem is a ConfigError with a position (exit 2)."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Optional

from .model import Severity

NAMES = (".kubelint.yaml", ".kubelint.yml")


class ConfigError(ValueError):
    pass


class ConfigNotFound(ConfigError):
    pass


def find(start: str) -> Optional[str]:
    here = os.path.abspath(start)
    while True:
        for name in NAMES:
            candidate = os.path.join(here, name)
            if os.path.isfile(candidate):
                return candidate
        if os.path.exists(os.path.join(here, ".git")):
            return None  # the repository root: a config above it belongs to something else
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def nearest(folder: str, cache: Dict[str, Optional[str]]) -> Optional[str]:
    """find() for many files of one run: every folder on the way up is looked at once, and
    `cache` (folder -> config path or None) remembers the answer for all of them."""
    here = os.path.abspath(folder)
    chain: List[str] = []
    result: Optional[str] = None
    while True:
        if here in cache:
            result = cache[here]
            break
        chain.append(here)
        found = [c for c in (os.path.join(here, n) for n in NAMES) if os.path.isfile(c)]
        if found:
            result = found[0]
            break
        parent = os.path.dirname(here)
        if os.path.exists(os.path.join(here, ".git")) or parent == here:
            break  # the repository root: a config above it belongs to something else
        here = parent
    for folder in chain:
        cache[folder] = result
    return result


class Config(dict):
    """The validated keys of a config file, and where it is: rule-dirs and other paths are
    relative to its folder, and later errors point into its node tree."""

    def __init__(self, data: Dict[str, Any], path: Optional[str] = None, node: Any = None) -> None:
        super().__init__(data)
        self.path = path
        self.node = node

    @property
    def base(self) -> str:
        return os.path.dirname(os.path.abspath(self.path)) if self.path else os.getcwd()

    def paths(self, key: str) -> List[str]:
        """A list of paths from the config (rule-dirs, crds, schema-dirs), made absolute."""
        return [os.path.join(self.base, p) for p in self.get(key) or []]


def discover(config_path: Optional[str], start: str) -> Config:
    """--config if given (it must exist), else the .kubelint.yaml found upward from `start`,
    else an empty Config."""
    if config_path is None:
        config_path = find(start)
    elif not os.path.isfile(config_path):
        raise ConfigNotFound(f"config file not found: {config_path}")
    return load(config_path) if config_path else Config({})


def load(path: str) -> Config:
    from .loader import load as load_yaml
    from .positions import locate
    from .resources import schema_path

    loaded = load_yaml(path)
    if loaded.problems:
        p = loaded.problems[0]
        raise ConfigError(f"{path}:{p.span.line}:{p.span.column}: {p.message}")
    if not loaded.documents:
        return Config({}, path)
    if len(loaded.documents) > 1:
        raise ConfigError(f"{path}: expected one YAML document")
    doc = loaded.documents[0]
    from .k8s_schema import Schema
    from .validate import violations

    with open(schema_path("config.schema.json"), "rb") as f:
        schema = Schema(json.load(f))
    lines = []
    for v in violations(schema, doc.data, doc.node):
        span = locate(doc.node, v.pointer, v.at)
        lines.append(f"{path}:{span.line}:{span.column}: {v.message}")
    if lines:
        raise ConfigError("\n".join(lines))
    return Config(doc.data, path, doc.node)


def position(config: Config, pointer: tuple) -> str:
    """`path:line:col` of a config key, for errors found after schema validation."""
    from .positions import locate

    if config.node is None:
        return config.path or "config"
    span = locate(config.node, pointer, "key")
    return f"{config.path}:{span.line}:{span.column}"


def check_rules(config: Config, registry: Any) -> None:
    """Rule references and option values need the registry: unknown rules, wrong option
    names and values of the wrong type are positioned errors too."""
    from .registry import RuleError

    for key in ("select", "ignore"):
        for i, ref in enumerate(config.get(key) or []):
            try:
                registry.match(ref)
            except RuleError as e:
                raise ConfigError(f"{position(config, (key, i))}: {e}") from None
    for pattern, refs in (config.get("per-file-ignores") or {}).items():
        for i, ref in enumerate(refs):
            try:
                registry.match(ref)
            except RuleError as e:
                raise ConfigError(f"{position(config, ('per-file-ignores', pattern, i))}: {e}") from None
    for ref, conf in (config.get("rules") or {}).items():
        try:
            rule = registry.get(ref)
        except RuleError as e:
            raise ConfigError(f"{position(config, ('rules', ref))}: {e}") from None
        for opt, value in (conf.get("options") or {}).items():
            if opt not in rule.options:
                known = ", ".join(rule.options) or "none"
                raise ConfigError(f"{position(config, ('rules', ref, 'options', opt))}: rule "
                                  f"{rule.code} {rule.name} has no option `{opt}` (options: {known})")
            default = rule.options[opt].get("default")
            if default is not None and not _same_type(default, value):
                raise ConfigError(f"{position(config, ('rules', ref, 'options', opt))}: option "
                                  f"`{opt}` of {rule.name} takes {_type_phrase(default)}, "
                                  f"found {json.dumps(value)}")
        if "severity" in conf:
            Severity.parse(conf["severity"])


def _same_type(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))


def _type_phrase(value: Any) -> str:
    """`an integer`, `a string`: for messages (type(x).__name__ gives "a int")."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number" if isinstance(value, float) else "an integer"
    return {str: "a string", list: "a list", dict: "a mapping"}.get(type(value), f"a {type(value).__name__}")
