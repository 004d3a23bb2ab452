"""The only module that knows kubernetes-validate's file layout.

kubernetes-validate ships, per Kubernetes version, one JSON schema per type
(`deployment-apps-v1.json`) whose `$ref`s point into a 1.8 MB `_definitions.json`. We never
import kubernetes_validate (150 ms): its data is found with importlib.util.find_spec. Each
schema we need is bundled once (the type's schema plus the closure of definitions it uses),
compiled with jsonschema-rs, and cached for the run.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from functools import lru_cache
from typing import Any, Dict, List, Optional, Tuple

_DEFS_REF = "/api/_definitions.json#/$defs/"
_LOCAL_REF = "#/$defs/"


class UnknownVersion(ValueError):
    pass


@lru_cache(maxsize=1)
def schema_root() -> str:
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("kubernetes-validate is not installed; reinstall kubelint")
    return os.path.join(list(spec.submodule_search_locations)[0], "kubernetes-json-schema")


@lru_cache(maxsize=1)
def _version_dirs() -> Dict[str, str]:
    """{"1.37": "v1.37.0"}: the newest patch directory of each minor version."""
    out: Dict[str, Tuple[Tuple[int, ...], str]] = {}
    for name in os.listdir(schema_root()):
        m = re.fullmatch(r"v(\d+)\.(\d+)\.(\d+)-local", name)
        if m:
            key = f"{m.group(1)}.{m.group(2)}"
            nums = tuple(int(x) for x in m.groups())
            if key not in out or nums > out[key][0]:
                out[key] = (nums, name[: -len("-local")])
    return {k: v[1] for k, v in out.items()}


def versions() -> List[str]:
    """Bundled Kubernetes versions, oldest first: ["1.25", ..., "1.37"]."""
    return sorted(_version_dirs(), key=lambda v: tuple(int(x) for x in v.split(".")))


def latest_version() -> str:
    return versions()[-1]


def check_version(version: str) -> str:
    """Normalise "v1.30" / "1.30.2" to "1.30"; unknown versions raise UnknownVersion."""
    m = re.fullmatch(r"v?(\d+)\.(\d+)(?:\.\d+)?", version.strip())
    key = f"{m.group(1)}.{m.group(2)}" if m else version
    if key not in _version_dirs():
        raise UnknownVersion(f"Kubernetes version {version!r} is not bundled; bundled versions: "
                             f"{', '.join(versions())}")
    return key


def _dir(version: str, strict: bool) -> str:
    return os.path.join(schema_root(), _version_dirs()[version] + ("-local-strict" if strict else "-local"))


def group_of(api_version: str) -> str:
    """"apps/v1" -> "apps"; "v1" -> "" (the core group)."""
    return api_version.rpartition("/")[0]


def is_builtin(api_version: str, version: str) -> bool:
    """Built-in iff the bundled schemas of `version` serve this group/version."""
    return api_version in index(version)


@lru_cache(maxsize=None)
def builtin_groups(version: str) -> frozenset:
    """Every group the bundled schemas of `version` serve in some version ("" = core)."""
    return frozenset(group_of(v) for v in index(version))


@lru_cache(maxsize=None)
def builtin_kinds(version: str) -> frozenset:
    """Every kind name some built-in group/version of `version` serves."""
    return frozenset(k for kinds in index(version).values() for k in kinds)


def may_be_custom(api_version: str, version: str) -> bool:
    """A custom resource (validated by a CRD) or a built-in API gone wrong?

    The core group and groups without a dot never come from a CRD, nor do groups the
    bundled schemas serve: there an unknown version or kind is an error. Any other group
    with a dot (`gateway.networking.k8s.io`, `certmanager.k8s.io`) is a custom resource."""
    if api_version in index(version):
        return False
    group = group_of(api_version)
    return "." in group and group not in builtin_groups(version)


def is_core_group(api_version: str) -> bool:
    """Deprecated guess from the name alone; use is_builtin/may_be_custom with a version."""
    return not may_be_custom(api_version, latest_version())


@lru_cache(maxsize=None)
def _definitions(version: str, strict: bool) -> Dict[str, Any]:
    with open(os.path.join(_dir(version, strict), "_definitions.json"), "rb") as f:
        return json.load(f)["$defs"]


def _stamp(version: str, strict: bool) -> str:
    from .cache import stamp_of

    return stamp_of(os.path.join(_dir(version, strict), "_definitions.json")) + "-" + _BUNDLE_FORMAT


@lru_cache(maxsize=None)
def index(version: str) -> Dict[str, Dict[str, str]]:
    """{apiVersion: {Kind: schema file name}} for every top-level kind of `version`."""
    from .cache import cached_json

    return cached_json("schemas", _stamp(version, False), f"index-{version}.json",
                       lambda: _build_index(version))


def _build_index(version: str) -> Dict[str, Dict[str, str]]:
    out: Dict[str, Dict[str, str]] = {}
    files = set(os.listdir(_dir(version, False)))
    for name, schema in _definitions(version, False).items():
        if name.startswith("io.k8s.apimachinery."):
            continue  # DeleteOptions, WatchEvent, Status: not manifests
        for gvk in schema.get("x-kubernetes-group-version-kind", ()):
            group, ver, kind = gvk.get("group", ""), gvk["version"], gvk["kind"]
            if name.rsplit(".", 1)[-1] != kind:
                continue
            prefix = group.split(".", 1)[0] + "-" if group else ""
            fname = f"{kind.lower()}-{prefix}{ver}.json"
            if fname in files:
                out.setdefault(f"{group}/{ver}" if group else ver, {})[kind] = fname
    return out


@lru_cache(maxsize=None)
def kinds_by_lower(version: str) -> Dict[str, Dict[str, List[str]]]:
    """{"deployment": {"Deployment": ["apps/v1"]}}: for case and apiVersion suggestions."""
    out: Dict[str, Dict[str, List[str]]] = {}
    for api_version, kinds in sorted(index(version).items()):
        for kind in kinds:
            out.setdefault(kind.lower(), {}).setdefault(kind, []).append(api_version)
    return out


# Bumped whenever _bundle's output changes, so caches of older bundles are not reused.
_BUNDLE_FORMAT = "2"
_STATUS = "@status"


def _bundle(version: str, strict: bool, fname: str) -> Dict[str, Any]:
    """The type's schema with the definitions it uses inlined under local `$defs`, without
    descriptions (smaller to load and faster to compile).

    The API server ignores `status` on create and update of the main resource (each
    strategy's PrepareForCreate/PrepareForUpdate resets it), so nothing under the top-level
    `status` is required: its definitions are copied under `<name>@status` without
    `required`. Types and (in strict mode) unknown fields still count there: the request
    is decoded, and strict field validation looks at the whole body, status included."""
    defs = _definitions(version, strict)
    with open(os.path.join(_dir(version, strict), fname), "rb") as f:
        top = json.load(f)
    needed: Dict[str, Any] = {}

    def rewrite(obj: Any, status: bool = False, names: bool = False) -> Any:
        if isinstance(obj, dict):
            out = {}
            for k, v in obj.items():
                if names:  # the keys of `properties` are field names, not keywords
                    out[k] = rewrite(v, status)
                elif k == "description" and isinstance(v, str):
                    continue  # prose: two thirds of the bytes, never used for validation
                elif k == "required" and status and isinstance(v, list):
                    continue
                elif k == "$ref" and isinstance(v, str) and "#/$defs/" in v:
                    name = v.rsplit("/", 1)[1]
                    local = name + _STATUS if status else name
                    if local not in needed:
                        needed[local] = None  # reserve before recursing: refs are cyclic
                        needed[local] = rewrite(defs[name], status)
                    out[k] = _LOCAL_REF + local
                else:
                    out[k] = rewrite(v, status, names=k in ("properties", "patternProperties"))
            return out
        if isinstance(obj, list):
            return [rewrite(v, status) for v in obj]
        return obj

    props = top.get("properties")
    status = props.pop("status", None) if isinstance(props, dict) else None
    schema = rewrite(top)
    if status is not None:
        schema["properties"]["status"] = rewrite(status, status=True)
    schema.pop("$id", None)
    schema["$defs"] = needed
    return schema


class Schema:
    """A compiled schema and the JSON it came from (messages look up `properties` in it)."""

    def __init__(self, raw: Dict[str, Any]) -> None:
        from .thirdparty import jsonschema_rs

        self.raw = raw
        self.validator = jsonschema_rs().validator_for(raw)

    def subschema(self, schema_path: List[Any]) -> Any:
        node: Any = self.raw
        for part in schema_path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return None
        return node


@lru_cache(maxsize=None)
def schema_for(version: str, strict: bool, api_version: str, kind: str) -> Optional[Schema]:
    from .cache import cached_json

    fname = index(version).get(api_version, {}).get(kind)
    if fname is None:
        return None
    raw = cached_json("schemas", _stamp(version, strict),
                      f"{version}{'-strict' if strict else ''}-{fname}",
                      lambda: _bundle(version, strict, fname))
    return Schema(raw)
