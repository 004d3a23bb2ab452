"""The one place that compiles and runs CEL: CRD x-kubernetes-validations, ValidatingAdmissionPolicy
expressions and users' `check: {cel: ...}` rules.

The runtime is cel-expr-python (Google's C++ cel-cpp; chosen by measurement, see README design
notes), imported only when an expression is compiled, so runs without CEL pay nothing. On top
of its standard library and optional types it gets the Kubernetes CEL libraries, written here
in Python: strings (cel-go ext strings, which Kubernetes enables), lists, regex, sets, URLs,
IP/CIDR, quantity and format (k8s.io/apiserver/pkg/cel/library).

cel-cpp dispatches a Python function by the runtime kind of each argument, and a `dyn`
parameter matches nothing at run time: functions taking "any value" get one overload per
kind. Kubernetes' opaque types (Quantity, URL, IP, CIDR, Format) are maps with one marker
key here; CEL sees a map, so `type(quantity("1"))` is the one visible difference.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

# Kubernetes' per-expression limits (k8s.io/apiserver/pkg/apis/cel/config.go).
MAX_EXPRESSION_LENGTH = 5 * 1024 * 1024 // 10  # rough guard: the API server's request limit


class CelError(ValueError):
    """An expression that does not compile; the message is cel-cpp's, positions included."""


class EvalError(Exception):
    """An expression that failed while running (no such key, no matching overload...)."""


class Program:
    """A compiled expression. `run(vars)` returns its value or raises EvalError."""

    __slots__ = ("source", "_expr", "_names", "checked")

    def __init__(self, source: str, expr: Any, names: Tuple[str, ...], checked: bool = True) -> None:
        self.source = source
        self._expr = expr
        self._names = names
        self.checked = checked

    def result_type(self) -> str:
        """The checker's type of the result: BOOL, STRING, INT, DYN, ... (DYN if unchecked)."""
        if not self.checked:
            return "DYN"
        try:
            return self._expr.return_type().name()
        except (AttributeError, RuntimeError):
            return "DYN"

    def run(self, variables: Dict[str, Any]) -> Any:
        try:
            value = self._expr.eval(data={k: v for k, v in variables.items() if k in self._names})
        except (RuntimeError, TypeError, ValueError) as e:  # a value CEL cannot hold
            raise EvalError(_clean(str(e))) from None
        kind = value.type().name()
        if kind == "ERROR":
            raise EvalError(_clean(str(value.plain_value())))
        try:
            return value.plain_value()
        except TypeError:  # an optional or a type cel-expr-python cannot hand back
            raise EvalError(f"the expression evaluates to a {kind.lower()}, which kubelint "
                            "cannot use here") from None


def _clean(message: str) -> str:
    """`NOT_FOUND: Key not found in map : "b"` -> `no such key: b` (cel-go's wording)."""
    message = re.sub(r"\s*\[[A-Z_]+\]$", "", message.strip())
    m = re.match(r'NOT_FOUND: Key not found in map : "?(.*?)"?$', message)
    if m:
        return f"no such key: {m.group(1)}"
    return re.sub(r"^[A-Z_]+: ", "", message)


@lru_cache(maxsize=1)
def available() -> bool:
    """cel-expr-python has wheels for Python 3.11+ only; without it CEL is skipped (CRD
    rules, admission policies) or a configuration error (CEL rule files)."""
    import importlib.util

    return importlib.util.find_spec("cel_expr_python") is not None


def compile(source: str, variables: Sequence[str] = ("self",)) -> Program:
    """Compile `source` with `variables` declared (all dynamically typed). Raises CelError."""
    return _compile(source, tuple(variables))


@lru_cache(maxsize=4096)
def _compile(source: str, variables: Tuple[str, ...]) -> Program:
    if not isinstance(source, str):
        raise CelError("expression must be a string")
    if len(source) > MAX_EXPRESSION_LENGTH:
        raise CelError(f"expression is too long ({len(source)} characters)")
    env = _env(variables)
    text = _rewrite_optionals(source) if ".validate(" in source or "format.named(" in source else source
    if any(f"{name}(" in text for name in _TWO_VAR) or "sortBy(" in text:
        text = _rewrite_two_var(text)
    try:
        expr = env.compile(text)
    except RuntimeError as e:
        if not _only_cross_numeric(str(e)):
            message = _compile_message(_drop_cross_numeric(str(e)))
            if text != source:  # positions in the rewritten text would mislead: messages only
                message = "; ".join(re.sub(r"^\d+:\d+: ", "", line) for line in message.splitlines()
                                    if not line.startswith(" |"))
            raise CelError(message) from None
        # Kubernetes enables cel-go's cross-type numeric comparisons (`1.5 < 2`, `self.n < 2.5`
        # with an integer field); cel-cpp's runtime compares across numeric types, its checker
        # has no such overloads (and refuses extra ones): when those are the only errors, the
        # expression runs unchecked.
        return Program(source, env.compile(text, disable_check=True), variables, checked=False)
    return Program(source, expr, variables)


_ERROR = re.compile(r"ERROR: <input>:\d+:\d+: (.*)")
_CROSS_NUMERIC = re.compile(r"found no matching overload for '_(?:<|<=|>|>=)_' applied to "
                            r"'\((int|uint|double), (int|uint|double)\)'$")


def _drop_cross_numeric(text: str) -> str:
    """The error blocks of `text` other than cross-type numeric comparisons."""
    m = re.match(r"^([A-Z_]+: )?", text)
    head = m.group(0) if m else ""
    blocks = re.split(r"\n(?=ERROR: )", text[len(head):])
    kept = [b for b in blocks if not _only_cross_numeric(b)]
    return head + "\n".join(kept) if kept else text


def _only_cross_numeric(text: str) -> bool:
    errors = _ERROR.findall(text)
    for message in errors:
        m = _CROSS_NUMERIC.match(message.strip())
        if not m or m.group(1) == m.group(2):
            return False
    return bool(errors)


def _compile_message(text: str) -> str:
    text = re.sub(r"\s*\[[A-Z_]+\]$", "", text.strip())
    text = re.sub(r"^[A-Z_]+: ", "", text)
    return text.replace("ERROR: <input>:", "")


@lru_cache(maxsize=32)
def _env(variables: Tuple[str, ...]) -> Any:
    import cel_expr_python.cel as cel
    from cel_expr_python.ext import ext_bindings, ext_optional

    # cel.bind (cel-go ext bindings, which Kubernetes enables) and optional types
    return cel.NewEnv(variables={v: cel.Type.DYN for v in variables},
                      extensions=[ext_optional.ExtOptional(), ext_bindings.ExtBindings()],
                      functions=_library(cel))


# --- the Kubernetes libraries ----------------------------------------------------------------

def _library(cel: Any) -> List[Any]:
    T = cel.Type
    MAP = T.MAP
    LIST = T.List(T.DYN)
    SCALARS = {"int": T.INT, "uint": T.UINT, "double": T.DOUBLE, "string": T.STRING,
               "bool": T.BOOL, "bytes": T.BYTES}
    ANY = dict(SCALARS, list=LIST, map=MAP, null=T.NULL)
    decls: Dict[str, List[Any]] = {}

    def fn(name: str, params: Sequence[Any], ret: Any, impl: Callable, member: bool = False,
           oid: str = "") -> None:
        overload_id = f"k8s_{name}_{oid or '_'.join(p.name().lower() for p in params)}_{len(decls.get(name, ()))}"
        decls.setdefault(name, []).append(
            cel.Overload(overload_id, ret, list(params), is_member=member, impl=_guard(impl)))

    # strings (cel-go ext strings v2, which Kubernetes enables)
    S, I, B = T.STRING, T.INT, T.BOOL
    fn("charAt", [S, I], S, lambda s, i: _char_at(s, i), True)
    fn("indexOf", [S, S], I, lambda s, x: _cp_index(s, x, 0), True)
    fn("indexOf", [S, S, I], I, lambda s, x, o: _cp_index(s, x, o), True)
    fn("lastIndexOf", [S, S], I, lambda s, x: _cp_rindex(s, x, None), True)
    fn("lastIndexOf", [S, S, I], I, lambda s, x, o: _cp_rindex(s, x, o), True)
    fn("lowerAscii", [S], S, lambda s: "".join(c.lower() if c.isascii() else c for c in s), True)
    fn("upperAscii", [S], S, lambda s: "".join(c.upper() if c.isascii() else c for c in s), True)
    fn("replace", [S, S, S], S, lambda s, a, b: s.replace(a, b), True)
    fn("replace", [S, S, S, I], S, lambda s, a, b, n: s.replace(a, b, n if n >= 0 else -1), True)
    fn("split", [S, S], T.List(S), lambda s, sep: _split(s, sep, -1), True)
    fn("split", [S, S, I], T.List(S), lambda s, sep, n: _split(s, sep, n), True)
    fn("substring", [S, I], S, lambda s, a: _substring(s, a, len(s)), True)
    fn("substring", [S, I, I], S, lambda s, a, b: _substring(s, a, b), True)
    fn("trim", [S], S, lambda s: s.strip(" \t\n\r\v\f\u0085\u00a0"), True)
    fn("join", [T.List(S)], S, lambda xs: "".join(xs), True)
    fn("join", [T.List(S), S], S, lambda xs, sep: sep.join(xs), True)
    fn("reverse", [S], S, lambda s: s[::-1], True)
    fn("strings.quote", [S], S, lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"')
    # regex
    fn("find", [S, S], S, lambda s, r: (lambda m: m.group(0) if m else "")(_re(r).search(s)), True)
    fn("findAll", [S, S], T.List(S), lambda s, r: [m.group(0) for m in _re(r).finditer(s)], True)
    fn("findAll", [S, S, I], T.List(S), lambda s, r, n: _find_all(s, r, n), True)
    # lists
    fn("isSorted", [LIST], B, lambda xs: all(_le(a, b) for a, b in zip(xs, xs[1:])), True)
    # (cel-cpp registers implementations by argument kind: one `sum` for every list)
    fn("sum", [LIST], T.DYN, lambda xs: _sum(xs), True)
    fn("min", [LIST], T.DYN, lambda xs: _extreme(xs, min), True)
    fn("max", [LIST], T.DYN, lambda xs: _extreme(xs, max), True)
    for oid, typ in ANY.items():
        fn("indexOf", [LIST, typ], I, lambda xs, x: _list_index(xs, x), True, "list_" + oid)
        fn("lastIndexOf", [LIST, typ], I, lambda xs, x: _list_rindex(xs, x), True, "list_" + oid)
    # sets (cel-go ext sets)
    fn("sets.contains", [LIST, LIST], B, lambda a, b: all(_in(x, a) for x in b))
    fn("sets.equivalent", [LIST, LIST], B, lambda a, b: all(_in(x, a) for x in b) and all(_in(x, b) for x in a))
    fn("sets.intersects", [LIST, LIST], B, lambda a, b: any(_in(x, a) for x in b))
    # URLs
    fn("url", [S], MAP, lambda s: _url(s))
    fn("isURL", [S], B, lambda s: _url(s, check=True))
    for name, part in (("getScheme", "scheme"), ("getHost", "host"), ("getHostname", "hostname"),
                       ("getPort", "port"), ("getEscapedPath", "path"), ("getQuery", "query")):
        fn(name, [MAP], T.Map(S, T.List(S)) if part == "query" else S,
           (lambda p: lambda u: u[p] if isinstance(u, dict) and "@url" in u else _opaque(u, "url"))(part), True)
    # IP and CIDR
    fn("ip", [S], MAP, lambda s: _ip(s))
    fn("isIP", [S], B, lambda s: _ip(s, check=True))
    fn("ip.isCanonical", [S], B, lambda s: _ip(s)["@ip"] == s)
    fn("family", [MAP], I, lambda a: _opaque(a, "ip").version, True)
    for name, attr in (("isUnspecified", "is_unspecified"), ("isLoopback", "is_loopback"),
                       ("isLinkLocalMulticast", "is_link_local_multicast"),
                       ("isLinkLocalUnicast", "is_link_local"), ("isGlobalUnicast", "is_global_unicast")):
        fn(name, [MAP], B, (lambda at: lambda a: _ip_predicate(_opaque(a, "ip"), at))(attr), True)
    fn("cidr", [S], MAP, lambda s: _cidr(s))
    fn("isCIDR", [S], B, lambda s: _cidr(s, check=True))
    fn("containsIP", [MAP, S], B, lambda c, s: _opaque(_ip(s), "ip") in _opaque(c, "cidr"), True)
    fn("containsIP", [MAP, MAP], B, lambda c, a: _opaque(a, "ip") in _opaque(c, "cidr"), True)
    fn("containsCIDR", [MAP, S], B, lambda c, s: _subnet(_opaque(c, "cidr"), _opaque(_cidr(s), "cidr")), True)
    fn("containsCIDR", [MAP, MAP], B, lambda c, o: _subnet(_opaque(c, "cidr"), _opaque(o, "cidr")), True)
    fn("prefixLength", [MAP], I, lambda c: _opaque(c, "cidr").prefixlen, True)
    fn("masked", [MAP], MAP, lambda c: {"@cidr": str(_opaque(c, "cidr"))}, True)
    fn("ip", [MAP], MAP, lambda c: {"@ip": c["@cidr"].split("/")[0]} if "@cidr" in c else _ip(""), True)
    # quantity (k8s.io/apimachinery resource.Quantity)
    fn("quantity", [S], MAP, lambda s: {"@quantity": str(_quantity(s))})
    fn("isQuantity", [S], B, lambda s: _quantity(s, check=True))
    fn("sign", [MAP], I, lambda q: (lambda v: (v > 0) - (v < 0))(_opaque(q, "quantity")), True)
    fn("isInteger", [MAP], B, lambda q: _opaque(q, "quantity").denominator == 1, True)
    fn("asInteger", [MAP], I, lambda q: _as_integer(_opaque(q, "quantity")), True)
    fn("asApproximateFloat", [MAP], T.DOUBLE, lambda q: float(_opaque(q, "quantity")), True)
    # (semver values share these: cel-cpp dispatches on the argument kind, both are maps here)
    fn("compareTo", [MAP, MAP], I, lambda a, b: _cmp(*_ordered(a, b)), True)
    fn("isGreaterThan", [MAP, MAP], B, lambda a, b: _cmp(*_ordered(a, b)) > 0, True)
    fn("isLessThan", [MAP, MAP], B, lambda a, b: _cmp(*_ordered(a, b)) < 0, True)
    for op, sign in (("add", 1), ("sub", -1)):
        fn(op, [MAP, MAP], MAP, (lambda k: lambda a, b: {"@quantity": str(_opaque(a, "quantity") + k * _opaque(b, "quantity"))})(sign), True)
        fn(op, [MAP, I], MAP, (lambda k: lambda a, b: {"@quantity": str(_opaque(a, "quantity") + k * b)})(sign), True)
    # string formatting (cel-go ext strings v2: `'%s: %d'.format([name, n])`)
    fn("format", [S, LIST], S, lambda f, xs: _format_string(f, xs), True)
    # semver (k8s.io/apiserver/pkg/cel/library/semverlib.go)
    fn("semver", [S], MAP, lambda v: {"@semver": _semver(v)})
    fn("semver", [S, B], MAP, lambda v, norm: {"@semver": _semver(v, norm)})
    fn("isSemver", [S], B, lambda v: _semver(v, check=True))
    fn("isSemver", [S, B], B, lambda v, norm: _semver(v, norm, check=True))
    for i, part in enumerate(("major", "minor", "patch")):
        fn(part, [MAP], I, (lambda k: lambda v: _semver_parts(_opaque(v, "semver"))[k])(i), True)
    # (the two-variable comprehension rewrite iterates these: keys of a map, indexes of a list)
    fn("__kl_keys", [LIST], T.List(I), lambda xs: list(range(len(xs))))
    fn("__kl_keys", [MAP], LIST, lambda m: list(m.keys()))
    fn("__kl_to_map", [LIST, LIST], MAP, lambda ks, vs: dict(zip(ks, vs)))
    fn("__kl_merge", [LIST], MAP, lambda ms: _merge_entries(ms))
    fn("__kl_sort_by", [LIST, LIST], LIST, lambda xs, keys: _sort_by(xs, keys))
    # lists (cel-go ext lists v3)
    fn("lists.range", [I], T.List(I), lambda n: list(range(n)))
    fn("distinct", [LIST], LIST, lambda xs: _distinct(xs), True)
    fn("flatten", [LIST], LIST, lambda xs: _flatten(xs, 1), True)
    fn("flatten", [LIST, I], LIST, lambda xs, d: _flatten(xs, d), True)
    fn("reverse", [LIST], LIST, lambda xs: xs[::-1], True)
    fn("slice", [LIST, I, I], LIST, lambda xs, a, b: _slice(xs, a, b), True)
    fn("sort", [LIST], LIST, lambda xs: _sort(xs), True)
    # format (k8s.io/apiserver/pkg/cel/library/format.go): validate() returns optional<list>;
    # cel-expr-python cannot hand an optional back from Python, so it returns null or the list
    # of errors, and `_rewrite_optionals` turns the optional operations on it into null tests
    for name in FORMATS:
        fn(f"format.{name}", [], MAP, (lambda n: lambda: {"@format": n})(name))
    fn("format.named", [S], T.DYN, lambda n: {"@format": n} if n in FORMATS else None)
    fn("validate", [MAP, S], T.DYN, lambda f, s: FORMATS[_opaque(f, "format")](s) or None, True)
    return [cel.FunctionDecl(name, overloads) for name, overloads in decls.items()]


def _guard(impl: Callable) -> Callable:
    """Python errors become CEL errors with a readable message."""
    def call(*args: Any) -> Any:
        try:
            return impl(*args)
        except EvalError:
            raise
        except (ValueError, TypeError, IndexError, KeyError, ZeroDivisionError) as e:
            raise ValueError(str(e) or type(e).__name__) from None
    return call


def _opaque(value: Any, kind: str) -> Any:
    """The Python value behind an opaque map (CEL maps hold only CEL values: the payload is
    kept as a string and parsed again, cached)."""
    if isinstance(value, dict) and isinstance(value.get(f"@{kind}"), str):
        return _PARSE[kind](value[f"@{kind}"])
    raise ValueError(f"not a {kind}")


@lru_cache(maxsize=1024)
def _parse_ip(text: str) -> Any:
    import ipaddress

    return ipaddress.ip_address(text)


@lru_cache(maxsize=1024)
def _parse_cidr(text: str) -> Any:
    import ipaddress

    return ipaddress.ip_network(text, strict=False)


@lru_cache(maxsize=1024)
def _parse_fraction(text: str) -> Any:
    from fractions import Fraction

    return Fraction(text)


_PARSE: Dict[str, Callable[[str], Any]] = {
    "ip": _parse_ip, "cidr": _parse_cidr, "quantity": _parse_fraction, "format": str, "semver": str}


def _char_at(s: str, i: int) -> str:
    if i < 0 or i > len(s):
        raise ValueError(f"index out of range: {i}")
    return s[i] if i < len(s) else ""


def _cp_index(s: str, x: str, offset: int) -> int:
    if offset < 0 or offset > len(s):
        raise ValueError(f"index out of range: {offset}")
    return s.find(x, offset)


def _cp_rindex(s: str, x: str, offset: Optional[int]) -> int:
    if offset is None:
        return s.rfind(x)
    if offset < 0 or offset > len(s):
        raise ValueError(f"index out of range: {offset}")
    return s.rfind(x, 0, offset + len(x))


def _split(s: str, sep: str, n: int) -> List[str]:
    if n == 0:
        return []
    if sep == "":
        parts = list(s)
        return parts if n < 0 or n >= len(parts) else parts[: n - 1] + ["".join(parts[n - 1:])]
    return s.split(sep) if n < 0 else s.split(sep, n - 1)


def _substring(s: str, a: int, b: int) -> str:
    if a < 0 or b > len(s) or a > b:
        raise ValueError(f"substring out of range: [{a}, {b}) of a string of {len(s)} characters")
    return s[a:b]


@lru_cache(maxsize=256)
def _re(pattern: str) -> Any:
    # RE2 syntax; Python's re agrees on what CRDs use (classes, anchors, repetition)
    return re.compile(pattern)


def _find_all(s: str, r: str, n: int) -> List[str]:
    found = [m.group(0) for m in _re(r).finditer(s)]
    return found if n < 0 else found[:n]


def _le(a: Any, b: Any) -> bool:
    return a <= b


def _extreme(xs: List[Any], pick: Callable) -> Any:
    if not xs:
        raise ValueError("min/max of an empty list")
    return pick(xs)


def _sum(xs: List[Any]) -> Any:
    import datetime

    if xs and isinstance(xs[0], datetime.timedelta):
        return sum(xs, datetime.timedelta())
    return sum(xs)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b or (
        isinstance(a, (int, float)) and isinstance(b, (int, float))
        and not isinstance(a, bool) and not isinstance(b, bool) and a == b)


def _in(x: Any, xs: List[Any]) -> bool:
    return any(_same(x, y) for y in xs)


def _list_index(xs: List[Any], x: Any) -> int:
    return next((i for i, y in enumerate(xs) if _same(x, y)), -1)


def _list_rindex(xs: List[Any], x: Any) -> int:
    return next((i for i in range(len(xs) - 1, -1, -1) if _same(x, xs[i])), -1)


def _url(s: str, check: bool = False) -> Any:
    """Go's url.ParseRequestURI: absolute URL or absolute path; no fragment."""
    from urllib.parse import urlsplit

    ok = True
    try:
        u = urlsplit(s)
        if not (u.scheme or s.startswith("/")) or "#" in s or " " in s:
            ok = False
    except ValueError:
        ok = False
    if check:
        return ok
    if not ok:
        raise ValueError(f"URL parse error during conversion from string: {s}")
    from urllib.parse import parse_qs

    host = u.netloc.rpartition("@")[2]
    hostname = u.hostname or ""
    return {"@url": s, "scheme": u.scheme, "host": host, "hostname": hostname,
            "port": str(u.port) if u.port is not None else "", "path": u.path,
            "query": parse_qs(u.query, keep_blank_values=True)}


def _ip(s: str, check: bool = False) -> Any:
    import ipaddress

    try:
        if "%" in s:
            raise ValueError("zones are not allowed")
        addr = ipaddress.ip_address(s)
        if addr.version == 6 and addr.ipv4_mapped is not None:
            raise ValueError("IPv4-mapped IPv6 addresses are not allowed")
    except ValueError as e:
        if check:
            return False
        raise ValueError(f"IP Address {s!r} parse error during conversion from string: {e}") from None
    return True if check else {"@ip": str(addr)}


def _ip_predicate(addr: Any, attr: str) -> bool:
    if attr == "is_global_unicast":  # Go's IsGlobalUnicast
        return not (addr.is_unspecified or addr.is_loopback or addr.is_multicast or addr.is_link_local
                    or (addr.version == 4 and str(addr) == "255.255.255.255"))
    if attr == "is_link_local_multicast":
        return addr.is_multicast and (str(addr).startswith("224.0.0.") if addr.version == 4
                                      else (int(addr) >> 112) & 0xff0f == 0xff02)
    return bool(getattr(addr, attr))


def _cidr(s: str, check: bool = False) -> Any:
    import ipaddress

    try:
        if "/" not in s:
            raise ValueError("missing prefix length")
        net = ipaddress.ip_network(s, strict=False)
        _ip(s.split("/", 1)[0])
    except ValueError as e:
        if check:
            return False
        raise ValueError(f"network address parse error during conversion from string: {e}") from None
    return True if check else {"@cidr": s}


def _subnet(outer: Any, inner: Any) -> bool:
    return outer.version == inner.version and inner.subnet_of(outer)


_QTY = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$")
_SUFFIX = {"Ki": 2 ** 10, "Mi": 2 ** 20, "Gi": 2 ** 30, "Ti": 2 ** 40, "Pi": 2 ** 50, "Ei": 2 ** 60,
           "n": (1, 10 ** 9), "u": (1, 10 ** 6), "m": (1, 1000), "": 1, "k": 10 ** 3, "M": 10 ** 6,
           "G": 10 ** 9, "T": 10 ** 12, "P": 10 ** 15, "E": 10 ** 18}


def _quantity(s: str, check: bool = False) -> Any:
    from fractions import Fraction

    m = _QTY.match(s) if isinstance(s, str) else None
    if not m:
        if check:
            return False
        raise ValueError(f"quantities must match the regular expression "
                         f"'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': {s!r}")
    if check:
        return True
    number, suffix = Fraction(m.group(1)), m.group(2) or ""
    if suffix[:1] in ("e", "E"):
        return number * Fraction(10) ** int(suffix[1:])
    factor = _SUFFIX[suffix]
    return number * (Fraction(*factor) if isinstance(factor, tuple) else factor)


def _ordered(a: Any, b: Any) -> Tuple[Any, Any]:
    """Comparable Python values of two quantities or two semvers."""
    if isinstance(a, dict) and "@semver" in a:
        return _semver_key(_opaque(a, "semver")), _semver_key(_opaque(b, "semver"))
    return _opaque(a, "quantity"), _opaque(b, "quantity")


_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
                     r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
                     r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$")


def _semver(v: str, normalize: bool = False, check: bool = False) -> Any:
    """Semantic versions (blang/semver as Kubernetes uses it); `normalize` accepts a leading
    v and missing minor/patch (v1.2 -> 1.2.0)."""
    text = v
    if normalize and isinstance(text, str):
        text = text[1:] if text.startswith("v") else text
        core, sep, rest = re.match(r"^([0-9.]*)(.*)$", text).group(1, 0, 2)
        parts = core.split(".") if core else []
        if 0 < len(parts) < 3 and all(p.isdigit() for p in parts):
            parts = [str(int(p)) for p in parts] + ["0"] * (3 - len(parts))
            text = ".".join(parts) + rest
    ok = isinstance(text, str) and bool(_SEMVER.match(text))
    if check:
        return ok
    if not ok:
        raise ValueError(f"could not parse semver {v!r}")
    return text


def _semver_parts(text: str) -> Tuple[int, int, int]:
    m = _SEMVER.match(text)
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def _semver_key(text: str) -> Any:
    m = _SEMVER.match(text)
    pre = m.group(4)
    ids = tuple((0, int(x), "") if x.isdigit() else (1, 0, x) for x in pre.split(".")) if pre else None
    # a version without pre-release ranks above any pre-release of the same core
    return (int(m.group(1)), int(m.group(2)), int(m.group(3)), ids is None, ids or ())


def _format_string(fmt: str, args: List[Any]) -> str:
    """cel-go ext strings `format`: %s %d %f %.Nf %e %x %X %o %b %%."""
    out, i, n = [], 0, 0
    while i < len(fmt):
        c = fmt[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        m = re.match(r"%(\.\d+)?([sdfeExXob%])", fmt[i:])
        if not m:
            raise ValueError(f"could not parse formatting clause at {fmt[i:]!r}")
        i += m.end()
        verb, prec = m.group(2), m.group(1)
        if verb == "%":
            out.append("%")
            continue
        if n >= len(args):
            raise ValueError(f"index {n} out of range")
        arg = args[n]
        n += 1
        if verb == "s":
            out.append(_format_value(arg))
        elif verb == "d":
            if isinstance(arg, bool) or not isinstance(arg, int):
                raise ValueError(f"error during formatting: decimal clause can only be used on integers, was given {type(arg).__name__}")
            out.append(str(arg))
        elif verb in "fe":
            p = int(prec[1:]) if prec else 6
            out.append(f"{float(arg):.{p}{verb}}" if verb == "f" else f"{float(arg):.{p}e}")
        elif verb in "xX":
            text = arg.encode().hex() if isinstance(arg, str) else arg.hex() if isinstance(arg, bytes) \
                else format(int(arg), "x")
            out.append(text.upper() if verb == "X" else text)
        elif verb == "o":
            out.append(format(int(arg), "o"))
        elif verb == "b":
            out.append(format(int(arg), "b") if not isinstance(arg, bool) else str(arg).lower())
    return "".join(out)


def _format_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, list):
        return "[" + ", ".join(_format_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_format_value(k)}: {_format_value(x)}" for k, x in sorted(v.items(), key=lambda kv: str(kv[0]))) + "}"
    if isinstance(v, float):
        return repr(v) if v != int(v) or abs(v) >= 1e21 else str(int(v))
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return str(v)


def _merge_entries(maps: List[Any]) -> Dict[Any, Any]:
    out: Dict[Any, Any] = {}
    for m in maps:
        if not isinstance(m, dict):
            raise ValueError("transformMapEntry: the expression must return a map")
        for k, v in m.items():
            if k in out:
                raise ValueError(f"insert failed: key {k!r} already exists")
            out[k] = v
    return out


def _sort_by(xs: List[Any], keys: List[Any]) -> List[Any]:
    if keys and not all(type(x) is type(keys[0]) for x in keys):
        raise ValueError("sortBy: the keys must have the same type")
    order = sorted(range(len(xs)), key=lambda i: keys[i])
    return [xs[i] for i in order]


def _distinct(xs: List[Any]) -> List[Any]:
    out: List[Any] = []
    for x in xs:
        if not _in(x, out):
            out.append(x)
    return out


def _flatten(xs: List[Any], depth: int) -> List[Any]:
    if depth < 0:
        raise ValueError("level must be non-negative")
    out: List[Any] = []
    for x in xs:
        if isinstance(x, list) and depth > 0:
            out.extend(_flatten(x, depth - 1))
        else:
            out.append(x)
    return out


def _slice(xs: List[Any], a: int, b: int) -> List[Any]:
    if a < 0 or b < 0 or a > b or b > len(xs):
        raise ValueError(f"cannot slice({a}, {b}) a list of {len(xs)} elements")
    return xs[a:b]


def _sort(xs: List[Any]) -> List[Any]:
    if xs and not all(type(x) is type(xs[0]) for x in xs):
        raise ValueError("list elements must have the same type")
    return sorted(xs)


def _as_integer(q: Any) -> int:
    if q.denominator != 1 or not -2 ** 63 <= q <= 2 ** 63 - 1:
        raise ValueError("cannot convert value to integer")
    return int(q)


def _cmp(a: Any, b: Any) -> int:
    return (a > b) - (a < b)


def _format_check(fn_name: str) -> Callable[[str], List[str]]:
    def check(value: str) -> List[str]:
        from .checks import k8s

        return getattr(k8s, fn_name)(value)
    return check


def _regex_format(pattern: str, what: str) -> Callable[[str], List[str]]:
    def check(value: str) -> List[str]:
        return [] if re.fullmatch(pattern, value) else [f"must be {what}"]
    return check


FORMATS: Dict[str, Callable[[str], List[str]]] = {
    "dns1123Label": _format_check("dns1123_label"),
    "dns1123Subdomain": _format_check("dns1123_subdomain"),
    "dns1035Label": _format_check("dns1035_label"),
    "qualifiedName": _format_check("qualified_name"),
    "labelValue": _regex_format(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?", "a valid label value"),
    "uri": lambda s: [] if _url(s, check=True) else ["must be a URI"],
    "uuid": _regex_format(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", "a UUID"),
    "byte": _regex_format(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?", "base64"),
    "date": _regex_format(r"\d{4}-\d{2}-\d{2}", "a date (YYYY-MM-DD)"),
    "datetime": _regex_format(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", "an RFC 3339 date-time"),
}


def _rewrite_optionals(source: str) -> str:
    """The Kubernetes format library returns optionals (`format.named(n)`: optional<Format>,
    `f.validate(s)`: optional<list<string>>); cel-expr-python cannot hand an optional back from
    Python, so these return null or the value, and the optional operations applied to them
    are rewritten: `C.hasValue()` -> `(C != null)`, `C.value()` -> `C`, `C.orValue(d)` ->
    `(C != null ? C : d)`."""
    from .cel_cost import ParseError, _tokens

    for _ in range(64):  # one rewrite per pass, innermost calls first
        try:
            toks = _tokens(source)
        except ParseError:
            return source
        found = _optional_call(toks)
        if found is None:
            return source
        a, b, method, c, d = found  # call source[a:b], method args source[c:d], end after ")"
        call = source[a:b]
        if method == "hasValue":
            repl = f"({call} != null)"
        elif method == "value":
            repl = call
        else:
            repl = f"({call} != null ? {call} : {source[c:d]})"
        source = source[:a] + repl + source[d + 1:]
    return source


def _rewrite_two_var(source: str) -> str:
    """Two-variable comprehensions (cel-go ext comprehensions, Kubernetes 1.32+) in terms of the
    one-variable macros cel-cpp has: `R.all(k, v, P)` ->
    `cel.bind(__kl_rN, R, __kl_keys(__kl_rN).all(k, cel.bind(v, __kl_rN[k], P)))` (keys of a
    map, indexes of a list); likewise exists, existsOne, and transformList via map/filter."""
    from .cel_cost import ParseError, _tokens

    for n in range(64):
        try:
            toks = _tokens(source)
        except ParseError:
            return source
        found = None
        for i in range(1, len(toks) - 6):
            name = toks[i][1]
            if toks[i][0] == "id" and name in _TWO_VAR and toks[i - 1][1] == "." and toks[i + 1][1] == "(" \
                    and toks[i + 2][0] == "id" and toks[i + 3][1] == "," and toks[i + 4][0] == "id" \
                    and toks[i + 5][1] == ",":
                found = i
                break
            if toks[i][0] == "id" and name == "sortBy" and toks[i - 1][1] == "." and toks[i + 1][1] == "(" \
                    and toks[i + 2][0] == "id" and toks[i + 3][1] == ",":
                found = i
                break
        if found is None:
            return source
        i = found
        start = _chain_start(toks, i - 1)
        args = _split_args(toks, i + 1)
        if args is None or start >= i - 1:
            return source
        (close_pos, parts) = args
        name = toks[i][1]
        recv = source[toks[start][2]:toks[i - 1][2]]
        r = f"__kl_r{n}"
        if name == "sortBy":  # R.sortBy(x, key) -> sorted by the keys R.map(x, key) gives
            if len(parts) != 2:
                return source
            x, key = toks[i + 2][1], source[parts[1][0]:parts[1][1]].strip()
            repl = f"cel.bind({r}, {recv}, __kl_sort_by({r}, {r}.map({x}, ({key}))))"
            source = source[:toks[start][2]] + repl + source[close_pos + 1:]
            continue
        k, v = toks[i + 2][1], toks[i + 4][1]
        if len(parts) != 3 and not (name in ("transformList", "transformMap", "transformMapEntry")
                                    and len(parts) == 4):
            return source
        body = [source[a:b].strip() for a, b in parts[2:]]

        def bound(expr: str) -> str:
            return f"cel.bind({v}, {r}[{k}], ({expr}))"
        keys = f"__kl_keys({r})" if len(body) == 1 else f"__kl_keys({r}).filter({k}, {bound(body[0])})"
        if name == "transformList":
            repl = f"{keys}.map({k}, {bound(body[-1])})"
        elif name == "transformMap":
            repl = f"__kl_to_map({keys}, {keys}.map({k}, {bound(body[-1])}))"
        elif name == "transformMapEntry":
            repl = f"__kl_merge({keys}.map({k}, {bound(body[-1])}))"
        else:
            repl = f"{keys}.{'exists_one' if name == 'existsOne' else name}({k}, {bound(body[0])})"
        repl = f"cel.bind({r}, {recv}, {repl})"
        source = source[:toks[start][2]] + repl + source[close_pos + 1:]
    return source


def _chain_start(toks: List[Tuple[str, str, int]], i: int) -> int:
    """The first token of the postfix chain (`a.b(c)[d]`) that ends just before token i."""
    k = i - 1
    while k >= 0:
        text = toks[k][1]
        if text in (")", "]") and toks[k][0] == "op":
            depth = 0
            while k >= 0:
                if toks[k][1] in (")", "]") and toks[k][0] == "op":
                    depth += 1
                elif toks[k][1] in ("(", "[") and toks[k][0] == "op":
                    depth -= 1
                    if depth == 0:
                        break
                k -= 1
            k -= 1
            if k >= 0 and toks[k][0] == "id":  # the function before a call's arguments
                continue
            return k + 1
        if toks[k][0] == "id" and text != "in" or toks[k][0] in ("str", "num"):
            if k > 0 and toks[k - 1][1] in (".",) and toks[k - 1][0] == "op":
                k -= 2
                continue
            return k
        return k + 1
    return 0


def _split_args(toks: List[Tuple[str, str, int]], i: int) -> Optional[Tuple[int, List[Tuple[int, int]]]]:
    """(position of the closing paren, [(start, end) of each argument]) of the call whose "("
    is token i."""
    depth, parts, begin = 0, [], toks[i][2] + 1
    for k in range(i, len(toks)):
        kind, text, pos = toks[k]
        if kind != "op":
            continue
        if text in ("(", "[", "{"):
            depth += 1
        elif text in (")", "]", "}"):
            depth -= 1
            if depth == 0:
                parts.append((begin, pos))
                return pos, parts
        elif text == "," and depth == 1:
            parts.append((begin, pos))
            begin = pos + 1
    return None


def _optional_call(toks: List[Tuple[str, str, int]]) -> Optional[Tuple[int, int, str, int, int]]:
    """The first `format.named(...)` / `<receiver>.validate(...)` followed by `.hasValue()`,
    `.value()` or `.orValue(...)`: (call start, call end, method, args start, closing paren)."""
    def close(i: int) -> int:  # index of the token closing the bracket at i, or -1
        depth = 0
        for k in range(i, len(toks)):
            if toks[k][1] in ("(", "[", "{") and toks[k][0] == "op":
                depth += 1
            elif toks[k][1] in (")", "]", "}") and toks[k][0] == "op":
                depth -= 1
                if depth == 0:
                    return k
        return -1

    for i, (kind, text, pos) in enumerate(toks):
        if kind != "id" or i + 1 >= len(toks) or toks[i + 1][1] != "(":
            continue
        if text == "named" and i >= 2 and toks[i - 1][1] == "." and toks[i - 2][1] == "format":
            first = i - 2
        elif text == "validate" and i >= 1 and toks[i - 1][1] == ".":
            first = _chain_start(toks, i - 1)
        else:
            continue
        end = close(i + 1)
        if end < 0 or end + 3 >= len(toks) or toks[end + 1][1] != "." or toks[end + 3][1] != "(":
            continue
        method = toks[end + 2][1]
        if method not in ("hasValue", "value", "orValue"):
            continue
        args_close = close(end + 3)
        if args_close < 0 or (method != "orValue") != (args_close == end + 4):
            continue
        return (toks[first][2], toks[end][2] + 1, method, toks[end + 3][2] + 1, toks[args_close][2])
    return None


_TWO_VAR = {"all", "exists", "existsOne", "exists_one", "transformList", "transformMap",
            "transformMapEntry"}


def names_in(source: str) -> Iterable[str]:
    """Identifiers an expression mentions (a cheap test for `oldSelf` and the like)."""
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", re.sub(r"'[^']*'|\"[^\"]*\"", "", source)))
