"""Static cost of CRD `x-kubernetes-validations` rules, as the API server estimates it when a
CRD is created or updated, and the schema-derived types the rules are checked against.

The API server (apiextensions-apiserver) type-checks every rule against a declaration derived
from the structural schema and rejects the CRD when a rule's estimated worst-case cost,
multiplied by how many times the rule can run in one object, exceeds 10,000,000, or when the
sum over the CRD exceeds 100,000,000 (pkg/apis/apiextensions/validation). The estimate is
cel-go's static cost model (checker/cost.go) with Kubernetes' library costs, sizes taken from
the schema (maxItems, maxLength, maxProperties, enums) and, where the schema sets no bound,
from the largest request (3 MiB) divided by the smallest serialized element.

This module re-implements that model in Python (cel-expr-python has no cost tracking): a small
CEL parser with the standard macros, the schema -> declared type conversion, and the cost walk.
Where the model here cannot know what cel-go knows (an unknown function, a value of dynamic
type, a size cel-go leaves unknown), it under-estimates: sizes it cannot derive count as 0,
so a reported cost is never above the API server's own estimate.
"""

from __future__ import annotations

import math
import re
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

# k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation and apiserver/pkg/apis/cel
STATIC_ESTIMATED_COST_LIMIT = 10_000_000
STATIC_ESTIMATED_CRD_COST_LIMIT = 100_000_000
PER_CALL_LIMIT = 1_000_000
MAX_REQUEST_SIZE_BYTES = 3 * 1024 * 1024

MAXU = 2 ** 64 - 1
STRING_TRAVERSAL = 0.1
REGEX_LENGTH = 0.25
MAX_NAME_FORMAT_REGEX_SIZE = 128
MAX_FORMAT_SIZE = 64


def _sat(x: int) -> int:
    return MAXU if x > MAXU else x


def _factor(x: int, f: float) -> int:
    """cel-go's multiplyByCostFactor: ceil(x * f), saturating."""
    if x > 0 and f > 0 and x > MAXU / f:
        return MAXU
    v = math.ceil(x * f)
    return MAXU if v >= 2 ** 64 else int(v)


# --- declared types from the structural schema (k8s.io/apiserver/pkg/cel/common/schemas.go) ----

class DT:
    """A CEL declared type with the size facts the cost model needs."""

    __slots__ = ("kind", "fields", "elem", "max_elements", "min_size", "open", "props", "name")

    def __init__(self, kind: str, *, fields: Optional[Dict[str, "DT"]] = None, elem: Optional["DT"] = None,
                 max_elements: int = 0, min_size: int = 1, open: bool = False,
                 props: Optional[set] = None, name: str = "") -> None:
        self.kind = kind
        self.fields = fields
        self.elem = elem
        self.max_elements = max_elements
        self.min_size = min_size
        self.open = open      # fields beyond `fields` may exist: never report an undefined one
        self.props = props    # raw property names of an object schema
        self.name = name      # opaque type name (quantity, url, ip, cidr, format, optional...)

    def __repr__(self) -> str:  # for tests and debugging
        return f"DT({self.kind}, max={self.max_elements}, min={self.min_size})"


DYN = DT("dyn")
STRING_KEY = DT("string", min_size=2)
INT, UINT, DOUBLE, BOOL = DT("int"), DT("uint"), DT("double"), DT("bool", min_size=4)
NULL, TYPE = DT("null", min_size=4), DT("type")
SCALARS = ("bool", "double", "duration", "int", "timestamp", "uint")

_RESERVED = {"true", "false", "null", "in", "as", "break", "const", "continue", "else", "for",
             "function", "if", "import", "let", "loop", "package", "namespace", "return", "var",
             "void", "while"}
_VALID_NAME = re.compile(r"^[A-Za-z0-9_./-]*$")


def escape(name: str) -> Optional[str]:
    """A property name as CEL expressions spell it (apiserver/pkg/cel/escaping.go), or None."""
    if not isinstance(name, str):
        return None
    if name in _RESERVED:
        return f"__{name}__"
    if not name or not _VALID_NAME.match(name) or name[0].isdigit():
        return None
    return re.sub(r"__|[./-]", lambda m: {"__": "__underscores__", ".": "__dot__", "-": "__dash__",
                                          "/": "__slash__"}[m.group(0)], name)


def _int(v: Any) -> Optional[int]:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _max_string(s: Dict[str, Any]) -> int:
    if s.get("x-kubernetes-int-or-string"):
        return MAX_REQUEST_SIZE_BYTES - 2
    fmt = s.get("format")
    if fmt in ("duration", "date-time"):
        return 32
    if fmt == "date":
        return 12
    return MAX_REQUEST_SIZE_BYTES - 2


# decl_type of a schema node, by the node's identity (the node is kept with its answer, so
# that its id is not reused): each rule of a CRD types `self` by the schema below it, and
# rules nested at many levels typed the same subtrees again (Argo Workflows' CRDs: 112,000
# calls for 154 rules). Schemas are not changed while they are checked.
_DECL_MEMO: Dict[Tuple[int, bool], Tuple[Any, Optional[DT]]] = {}


def decl_type(s: Any, root: bool = False) -> Optional[DT]:
    """SchemaDeclType: the CEL type of values of schema `s`, None when CEL cannot see them."""
    if not isinstance(s, dict):
        return None
    key = (id(s), root)
    hit = _DECL_MEMO.get(key)
    if hit is not None and hit[0] is s:
        return hit[1]
    if len(_DECL_MEMO) > 50_000:
        _DECL_MEMO.clear()
    dt = _decl_type(s, root)
    _DECL_MEMO[key] = (s, dt)
    return dt


def _decl_type(s: Dict[str, Any], root: bool) -> Optional[DT]:
    if s.get("x-kubernetes-int-or-string"):
        ml = _int(s.get("maxLength"))
        return DT("dyn", min_size=1, max_elements=max(ml, 0) * 4 if ml is not None else _max_string(s))
    if root:
        s = _with_type_and_object_meta(s)
    t = s.get("type")
    if t == "array":
        items = s.get("items")
        if not isinstance(items, dict):
            return None
        it = decl_type(items, bool(items.get("x-kubernetes-embedded-resource")))
        if it is None:
            return None
        mi = _int(s.get("maxItems"))
        n = max(mi, 0) if mi is not None else (MAX_REQUEST_SIZE_BYTES - 2) // (it.min_size + 1)
        return DT("list", elem=it, max_elements=n, min_size=2)
    if t == "object":
        ap = s.get("additionalProperties")
        if isinstance(ap, dict):
            vt = decl_type(ap, bool(ap.get("x-kubernetes-embedded-resource")))
            if vt is None:
                return None
            mp = _int(s.get("maxProperties"))
            n = max(mp, 0) if mp is not None else (MAX_REQUEST_SIZE_BYTES - 2) // (vt.min_size + 6)
            return DT("map", elem=vt, max_elements=n, min_size=2)
        props = s.get("properties") if isinstance(s.get("properties"), dict) else {}
        required = set(x for x in s.get("required") or () if isinstance(x, str)) \
            if isinstance(s.get("required"), list) else set()
        fields: Dict[str, DT] = {}
        min_size = 2
        for name, prop in props.items():
            ft = decl_type(prop, bool(isinstance(prop, dict) and prop.get("x-kubernetes-embedded-resource")))
            if ft is None:
                continue
            esc = escape(name)
            if esc is not None:
                fields[esc] = ft
            if name in required and "default" not in prop:
                min_size += len(str(name)) + ft.min_size + 4
        open_ = bool(s.get("x-kubernetes-preserve-unknown-fields")) or ap is True \
            or bool(s.get("x-kubernetes-embedded-resource"))
        return DT("object", fields=fields, min_size=min_size, open=open_, props=set(props))
    if t == "string":
        fmt = s.get("format")
        ml = _int(s.get("maxLength"))
        if fmt == "byte":
            return DT("bytes", min_size=2, max_elements=max(ml, 0) if ml is not None else _max_string(s))
        if fmt == "duration":
            return DT("duration", min_size=3, max_elements=_max_string(s))
        if fmt == "date":
            return DT("timestamp", min_size=12, max_elements=_max_string(s))
        if fmt == "date-time":
            return DT("timestamp", min_size=21, max_elements=_max_string(s))
        if ml is not None:
            n = max(ml, 0) * 4
        elif isinstance(s.get("enum"), list) and s["enum"]:
            n = max((len(v) for v in s["enum"] if isinstance(v, str)), default=0)
        else:
            n = _max_string(s)
        return DT("string", min_size=2, max_elements=n)
    if t == "boolean":
        return DT("bool", min_size=4)
    if t == "number":
        return DT("double", min_size=1)
    if t == "integer":
        return DT("int", min_size=1)
    return None


def _with_type_and_object_meta(s: Dict[str, Any]) -> Dict[str, Any]:
    props = dict(s.get("properties") or {}) if isinstance(s.get("properties"), dict) else {}
    meta = props.get("metadata") if isinstance(props.get("metadata"), dict) else {}
    mprops = meta.get("properties") if isinstance(meta.get("properties"), dict) else {}

    def capped(existing: Any, limit: int) -> Dict[str, Any]:
        ml = _int(existing.get("maxLength")) if isinstance(existing, dict) else None
        return {"type": "string", "maxLength": ml if ml is not None and ml < limit else limit}

    props["kind"] = {"type": "string"}
    props["apiVersion"] = {"type": "string"}
    # (metadata is marked open: kubelint never reports an undefined field under it)
    props["metadata"] = {"type": "object", "x-kubernetes-preserve-unknown-fields": True, "properties": {
        "name": capped(mprops.get("name"), 253), "generateName": capped(mprops.get("generateName"), 252)}}
    out = dict(s)
    out["properties"] = props
    return out


def max_cardinality(min_size: int) -> int:
    """How often data of `min_size` bytes can occur in one request (compilation.go)."""
    return MAX_REQUEST_SIZE_BYTES // (min_size + 1)


def max_elements_factor(s: Dict[str, Any]) -> Optional[int]:
    """extractMaxElements: how a schema multiplies its children's cardinality; None: unbounded."""
    t = s.get("type")
    if t == "object":
        if s.get("additionalProperties") is not None and s.get("additionalProperties") is not False:
            mp = _int(s.get("maxProperties"))
            return max(mp, 0) if mp is not None else None
        return 1
    if t == "array":
        mi = _int(s.get("maxItems"))
        return max(mi, 0) if mi is not None else None
    return 1


# --- parsing ------------------------------------------------------------------------------------

class ParseError(ValueError):
    pass


class Node:
    __slots__ = ("op", "a", "pos", "id")
    _next = 0

    def __init__(self, op: str, pos: int, *a: Any) -> None:
        self.op = op      # lit ident select call list map comp
        self.a = a
        self.pos = pos
        Node._next += 1
        self.id = Node._next


_TOKEN = re.compile(r"""
 (?P<ws>\s+|//[^\n]*)
|(?P<num>0[xX][0-9a-fA-F]+[uU]?|(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+[uU]?)
|(?P<str>(?:[rR][bB]?|[bB][rR]?)?(?:'''(?:\\.|[^\\])*?'''|\"\"\"(?:\\.|[^\\])*?\"\"\"|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"))
|(?P<id>[A-Za-z_][A-Za-z0-9_]*)
|(?P<op>&&|\|\||==|!=|<=|>=|[<>!+\-*/%?:.,()\[\]{}])
""", re.X)


def _tokens(src: str) -> List[Tuple[str, str, int]]:
    out, pos = [], 0
    while pos < len(src):
        m = _TOKEN.match(src, pos)
        if not m:
            raise ParseError(f"unexpected character {src[pos]!r} at {pos}")
        kind = m.lastgroup
        if kind != "ws":
            out.append((kind, m.group(0), pos))
        pos = m.end()
    out.append(("eof", "", pos))
    return out


def _string_value(tok: str) -> Any:
    prefix = re.match(r"[rRbB]*", tok).group(0).lower()
    body = tok[len(prefix):]
    q = 3 if body[:3] in ("'''", '"""') else 1
    text = body[q:-q]
    if "r" not in prefix:  # each escape is one character (\\n, \\x41, \\u00e9, \\101...)
        text = re.sub(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-3][0-7]{2}|.)", "?", text)
    return text.encode() if "b" in prefix else text


class _Parser:
    def __init__(self, src: str) -> None:
        self.toks = _tokens(src)
        self.i = 0

    def peek(self, k: int = 0) -> Tuple[str, str, int]:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def take(self, text: Optional[str] = None) -> Tuple[str, str, int]:
        if self.i >= len(self.toks) - 1 and text != "":
            tok = self.toks[-1]
            raise ParseError(f"unexpected end of expression at {tok[2]}")
        tok = self.toks[self.i]
        if text is not None and tok[1] != text:
            raise ParseError(f"expected {text!r} at {tok[2]}, found {tok[1]!r}")
        self.i += 1
        return tok

    def at(self, text: str) -> bool:
        tok = self.toks[min(self.i, len(self.toks) - 1)]
        return tok[1] == text and tok[0] in ("op", "id")

    def expr(self) -> Node:
        cond = self.binary(0)
        if self.at("?"):
            pos = self.take()[2]
            t = self.binary(0)
            self.take(":")
            f = self.expr()
            return Node("call", pos, "_?_:_", None, [cond, t, f])
        return cond

    _LEVELS = [("||",), ("&&",), ("<", "<=", ">", ">=", "==", "!=", "in"), ("+", "-"), ("*", "/", "%")]
    _NAMES = {"||": "_||_", "&&": "_&&_", "<": "_<_", "<=": "_<=_", ">": "_>_", ">=": "_>=_",
              "==": "_==_", "!=": "_!=_", "in": "@in", "+": "_+_", "-": "_-_", "*": "_*_",
              "/": "_/_", "%": "_%_"}

    def binary(self, level: int) -> Node:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while True:
            kind, text, pos = self.peek()
            if text in self._LEVELS[level] and kind in ("op", "id"):
                self.take()
                right = self.binary(level + 1)
                left = Node("call", pos, self._NAMES[text], None, [left, right])
            else:
                return left

    def unary(self) -> Node:
        kind, text, pos = self.peek()
        if text == "!" and kind == "op":
            self.take()
            return Node("call", pos, "!_", None, [self.unary()])
        if text == "-" and kind == "op":
            self.take()
            if self.peek()[0] == "num" and self.peek(1)[1] not in (".", "["):
                lit = self.primary()
                v = lit.a[0]
                return Node("lit", pos, -v if not isinstance(v, bool) else v, lit.a[1])
            return Node("call", pos, "-_", None, [self.unary()])
        return self.member()

    def member(self) -> Node:
        node = self.primary()
        while True:
            kind, text, pos = self.peek()
            if text == "." and kind == "op":
                self.take()
                optional = False
                if self.at("?"):
                    self.take()
                    optional = True
                name = self.take()
                if name[0] != "id":
                    raise ParseError(f"expected a field name at {name[2]}")
                if self.at("(") and not optional:
                    args = self.args(")")
                    if node.op == "ident" and node.a[0] in _NAMESPACES and not (node.a[0] == "cel" and name[1] == "bind"):
                        node = Node("call", pos, f"{node.a[0]}.{name[1]}", None, args)
                    else:
                        node = _macro(name[1], node, args, pos) or Node("call", pos, name[1], node, args)
                else:
                    node = Node("select", pos, node, name[1], False, optional)
            elif text == "[" and kind == "op":
                self.take()
                optional = False
                if self.at("?"):
                    self.take()
                    optional = True
                idx = self.expr()
                self.take("]")
                node = Node("call", pos, "_[?_]" if optional else "_[_]", None, [node, idx])
            elif text == "{" and kind == "op" and node.op in ("ident", "select"):
                # message construction: treated like a map
                self.take()
                entries = []
                while not self.at("}"):
                    if self.at("?"):
                        self.take()
                    field = self.take()
                    self.take(":")
                    entries.append((Node("lit", field[2], field[1], "string"), self.expr()))
                    if not self.at(","):
                        break
                    self.take()
                self.take("}")
                node = Node("map", pos, entries, True)
            else:
                return node

    def args(self, close: str) -> List[Node]:
        self.take("(" if close == ")" else None)
        out = []
        while not self.at(close):
            out.append(self.expr())
            if not self.at(","):
                break
            self.take()
        self.take(close)
        return out

    def primary(self) -> Node:
        kind, text, pos = self.take()
        if kind == "num":
            t = text.lower()
            if t.endswith("u"):
                return Node("lit", pos, int(t[:-1], 0), "uint")
            if t.startswith("0x"):
                return Node("lit", pos, int(t, 16), "int")
            if any(c in t for c in ".e"):
                return Node("lit", pos, float(t), "double")
            return Node("lit", pos, int(t), "int")
        if kind == "str":
            v = _string_value(text)
            return Node("lit", pos, v, "bytes" if isinstance(v, bytes) else "string")
        if kind == "id":
            if text in ("true", "false"):
                return Node("lit", pos, text == "true", "bool")
            if text == "null":
                return Node("lit", pos, None, "null")
            if self.at("("):
                args = self.args(")")
                return _macro(text, None, args, pos) or Node("call", pos, text, None, args)
            return Node("ident", pos, text)
        if text == "." and self.peek()[0] == "id":  # leading-dot qualified name
            return self.primary()
        if text == "(":
            e = self.expr()
            self.take(")")
            return e
        if text == "[":
            elems = []
            while not self.at("]"):
                if self.at("?"):
                    self.take()
                elems.append(self.expr())
                if not self.at(","):
                    break
                self.take()
            self.take("]")
            return Node("list", pos, elems)
        if text == "{":
            entries = []
            while not self.at("}"):
                if self.at("?"):
                    self.take()
                k = self.expr()
                self.take(":")
                entries.append((k, self.expr()))
                if not self.at(","):
                    break
                self.take()
            self.take("}")
            return Node("map", pos, entries, False)
        raise ParseError(f"unexpected {text!r} at {pos}")


ACCU = "@result"
# qualified function names: `format.dns1123Label()` is one global function, not a member call
_NAMESPACES = {"format", "strings", "sets", "optional", "math", "base64", "lists", "ip", "cel"}


def _comp(pos: int, rng: Node, v1: str, v2: Optional[str], init: Node, cond: Node, step: Node,
          result: Node) -> Node:
    return Node("comp", pos, rng, v1, v2, ACCU, init, cond, step, result)


def _macro(name: str, target: Optional[Node], args: List[Node], pos: int) -> Optional[Node]:
    """cel-go's macro expansions (parser/macro.go, ext/bindings.go, ext comprehensions)."""
    def ident(n: Node) -> Optional[str]:
        return n.a[0] if n.op == "ident" else None

    def accu() -> Node:
        return Node("ident", pos, ACCU)

    def lit(v: Any, k: str) -> Node:
        return Node("lit", pos, v, k)

    def call(fn: str, *xs: Node) -> Node:
        return Node("call", pos, fn, None, list(xs))

    if target is None:
        if name == "has" and len(args) == 1 and args[0].op == "select":
            sel = args[0]
            return Node("select", sel.pos, sel.a[0], sel.a[1], True, False)
        return None
    if target.op == "ident" and target.a[0] == "cel" and name == "bind" and len(args) == 3 and ident(args[0]):
        return Node("comp", pos, Node("list", pos, []), "#unused", None, ident(args[0]), args[1],
                    lit(False, "bool"), Node("ident", pos, ident(args[0])), args[2])
    quant = {"all", "exists", "exists_one", "existsOne"}
    if name in quant and len(args) in (2, 3) and all(ident(a) for a in args[:-1]):
        v1 = ident(args[0])
        v2 = ident(args[1]) if len(args) == 3 else None
        p = args[-1]
        if name == "all":
            return _comp(pos, target, v1, v2, lit(True, "bool"), call("@not_strictly_false", accu()),
                         call("_&&_", accu(), p), accu())
        if name == "exists":
            return _comp(pos, target, v1, v2, lit(False, "bool"),
                         call("@not_strictly_false", call("!_", accu())), call("_||_", accu(), p), accu())
        return _comp(pos, target, v1, v2, lit(0, "int"), lit(True, "bool"),
                     call("_?_:_", p, call("_+_", accu(), lit(1, "int")), accu()),
                     call("_==_", accu(), lit(1, "int")))
    if name == "map" and len(args) in (2, 3) and ident(args[0]):
        fn = args[-1]
        step = call("_+_", accu(), Node("list", pos, [fn]))
        if len(args) == 3:
            step = call("_?_:_", args[1], step, accu())
        return _comp(pos, target, ident(args[0]), None, Node("list", pos, []), lit(True, "bool"), step, accu())
    if name == "filter" and len(args) == 2 and ident(args[0]):
        step = call("_?_:_", args[1], call("_+_", accu(), Node("list", pos, [args[0]])), accu())
        return _comp(pos, target, ident(args[0]), None, Node("list", pos, []), lit(True, "bool"), step, accu())
    if name == "transformList" and len(args) in (3, 4) and ident(args[0]) and ident(args[1]):
        step = call("_+_", accu(), Node("list", pos, [args[-1]]))
        if len(args) == 4:
            step = call("_?_:_", args[2], step, accu())
        return _comp(pos, target, ident(args[0]), ident(args[1]), Node("list", pos, []), lit(True, "bool"),
                     step, accu())
    return None


def parse(src: str) -> Node:
    p = _Parser(src)
    node = p.expr()
    if p.peek()[0] != "eof":
        raise ParseError(f"unexpected {p.peek()[1]!r} at {p.peek()[2]}")
    return node


# --- types and costs ----------------------------------------------------------------------------

Size = Tuple[int, Optional[int]]  # (min, max); max None: unknown
UNKNOWN: Size = (0, None)


class UndefinedField(Exception):
    def __init__(self, name: str, pos: int) -> None:
        super().__init__(name)
        self.name = name
        self.pos = pos


_STRING_RESULT = {"lowerAscii", "upperAscii", "substring", "trim", "replace", "charAt", "reverse",
                  "join", "find", "strings.quote", "format", "string", "getScheme", "getHost",
                  "getHostname", "getPort", "getEscapedPath"}
_BOOL_RESULT = {"matches", "contains", "startsWith", "endsWith", "isSorted", "isURL", "isIP", "isCIDR",
                "isQuantity", "isInteger", "isGreaterThan", "isLessThan", "ip.isCanonical",
                "isUnspecified", "isLoopback", "isLinkLocalMulticast", "isLinkLocalUnicast",
                "isGlobalUnicast", "containsIP", "containsCIDR", "sets.contains", "sets.equivalent",
                "sets.intersects", "hasValue", "isSemver", "_<_", "_<=_", "_>_", "_>=_", "_==_",
                "_!=_", "@in", "!_", "_&&_", "_||_", "@not_strictly_false"}
_INT_RESULT = {"size", "indexOf", "lastIndexOf", "int", "sign", "asInteger", "compareTo", "family",
               "prefixLength", "major", "minor", "patch"}
_OPAQUE_RESULT = {"quantity": "quantity", "url": "url", "ip": "ip", "cidr": "cidr", "masked": "cidr",
                  "semver": "semver", "format.named": "optional", "validate": "optional",
                  "optional.of": "optional", "optional.none": "optional", "optional.ofNonZeroValue": "optional"}


class Estimate:
    """The cost walk over one expression (cel-go checker/cost.go with Kubernetes' estimator)."""

    def __init__(self, root: Optional[DT], variables: Sequence[str] = ("self",)) -> None:
        self.root = root
        self.variables = set(variables)
        self.inexact = False
        self.undefined: List[UndefinedField] = []
        self.types: Dict[int, DT] = {}
        self.paths: Dict[int, Optional[List[str]]] = {}
        self.sizes: Dict[int, Size] = {}
        self.entry: Dict[int, Tuple[str, Size, Size]] = {}
        self.locals: Dict[str, List[Tuple[Optional[List[str]], Optional[Size], Optional[tuple], DT]]] = {}

    # sizes -----------------------------------------------------------------------------------
    def hi(self, size: Size) -> int:
        if size[1] is None:
            self.inexact = True
            return 0
        return size[1]

    def estimate_size(self, path: Optional[List[str]]) -> Optional[Size]:
        """compilation.go sizeEstimator: walk the declared type along the path after its first
        element (which it assumes is `self`, as cel-go does)."""
        if not path or self.root is None:
            return None
        return self._walk(path)

    def _walk(self, path: List[str]) -> Optional[Size]:
        node = self.root
        for name in path[1:]:
            if node is None:
                return None
            if name in ("@items", "@values"):
                node = node.elem
            elif name == "@keys":
                node = STRING_KEY if node.kind == "map" else None
            elif name == "@indices":
                return None
            else:
                node = node.fields.get(name) if node.fields is not None else None
            if node is None:
                return None
        return (0, node.max_elements)

    def size(self, e: Node) -> Size:
        if e.id in self.sizes:
            return self.sizes[e.id]
        s = self._expr_size(e)
        if s is not None:
            return s
        path = self.path(e)
        if path:
            s = self.estimate_size(path)
            if s is not None:
                self.sizes[e.id] = s
                return s
        t = self.types.get(e.id, DYN)
        if t.kind in SCALARS or (t.kind == "opaque" and t.name == "optional" and t.elem is not None
                                 and t.elem.kind in SCALARS):
            return (1, 1)
        if e.op == "ident" and self.locals.get(e.a[0]):
            v = self.locals[e.a[0]][-1]
            if v[1] is not None:
                return v[1]
        return UNKNOWN

    @staticmethod
    def _expr_size(e: Node) -> Optional[Size]:
        if e.op == "lit":
            v, k = e.a
            if k == "string":
                return (len(v), len(v))
            if k == "bytes":
                return (len(v), len(v))
            return (1, 1)
        if e.op == "list":
            return (len(e.a[0]), len(e.a[0]))
        if e.op == "map":
            return (len(e.a[0]), len(e.a[0]))
        return None

    def path(self, e: Node) -> Optional[List[str]]:
        if e.op == "ident" and self.locals.get(e.a[0]):
            return self.locals[e.a[0]][-1][0]
        return self.paths.get(e.id)

    def node_path(self, e: Node) -> Optional[List[str]]:
        p = self.path(e)
        return None if p and p[0] == ACCU else p

    # the walk --------------------------------------------------------------------------------
    def cost(self, e: Node) -> int:
        op = e.op
        if op == "lit":
            self.types[e.id] = _lit_type(e.a[1])
            return 0
        if op == "ident":
            name = e.a[0]
            if self.locals.get(name):
                v = self.locals[name][-1]
                self.paths[e.id] = v[0]
                self.types[e.id] = v[3]
            else:
                self.paths[e.id] = [name]
                self.types[e.id] = self.root if name in ("self", "oldSelf") and self.root is not None else DYN
            return 1
        if op == "select":
            operand, field, test_only, optional = e.a
            c = self.cost(operand)
            t = self.types.get(operand.id, DYN)
            if test_only:
                # has(): the vendored cel-go adds only the presence test's cost, which
                # Kubernetes sets to 0 (PresenceTestHasCost(false)), not the operand's
                self._field(t, field, e, operand)
                self.types[e.id] = BOOL
                return 0
            if optional:  # `_?._` is a call: 1 + its arguments (operand, field name literal)
                ft = self._field(t, field, e, operand, report=False)
                self.types[e.id] = DT("opaque", name="optional", elem=ft)
                self.sizes.pop(e.id, None)
                return c + 1
            if t.kind in ("object", "map"):
                c += 1
            self.types[e.id] = self._field(t, field, e, operand)
            p = self.path(operand)
            self.paths[e.id] = (p or []) + [field]
            return c
        if op == "list":
            c = 0
            lo, hi_ = MAXU, 0
            elem_t: Optional[DT] = None
            if not e.a[0]:
                lo = 0
            for x in e.a[0]:
                c += self.cost(x)
                s = self.size(x)
                lo = min(lo, s[0])
                hi_ = None if hi_ is None or s[1] is None else max(hi_, s[1])
                elem_t = _join(elem_t, self.types.get(x.id, DYN))
            self.entry[e.id] = ("list", (1, 1), (lo, hi_))
            self.types[e.id] = DT("list", elem=elem_t or DYN)
            return _sat(c + 10)
        if op == "map":
            entries, is_struct = e.a
            c = 0
            vt: Optional[DT] = None
            klo, khi, vlo, vhi = MAXU, 0, MAXU, 0
            if not entries:
                klo = vlo = 0
            for k, v in entries:
                c += (self.cost(k) if not is_struct else 0) + self.cost(v)
                ks, vs = self.size(k), self.size(v)
                klo, vlo = min(klo, ks[0]), min(vlo, vs[0])
                khi = None if khi is None or ks[1] is None else max(khi, ks[1])
                vhi = None if vhi is None or vs[1] is None else max(vhi, vs[1])
                vt = _join(vt, self.types.get(v.id, DYN))
            self.entry[e.id] = ("map", (klo, khi), (vlo, vhi))
            self.types[e.id] = DYN if is_struct else DT("map", elem=vt or DYN)
            return _sat(c + (40 if is_struct else 30))
        if op == "comp":
            return self._comprehension(e)
        if op == "call":
            return self._call(e)
        return 0

    def _field(self, t: DT, field: str, e: Node, operand: Node, report: bool = True) -> DT:
        if t.kind == "object":
            ft = t.fields.get(field) if t.fields is not None else None
            if ft is not None:
                return ft
            if report and not t.open and field not in (t.props or ()):
                self.undefined.append(UndefinedField(field, e.pos))
            return DYN
        if t.kind == "map":
            return t.elem or DYN
        return DYN

    def _push(self, name: str, path: Optional[List[str]], size: Optional[Size], entry: Optional[tuple],
              typ: DT) -> None:
        self.locals.setdefault(name, []).append((path, size, entry, typ))

    def _pop(self, name: str) -> None:
        self.locals[name].pop()

    def _entry(self, e: Node) -> Optional[tuple]:
        if e.id in self.entry:
            return self.entry[e.id]
        if e.op == "ident" and self.locals.get(e.a[0]):
            return self.locals[e.a[0]][-1][2]
        return None

    def _comprehension(self, e: Node) -> int:
        rng, v1, v2, accu, init, cond, step, result = e.a
        c = self.cost(rng) + self.cost(init)
        is_bind = rng.op == "list" and not rng.a[0] and cond.op == "lit" and cond.a[0] is False and accu != ACCU
        if is_bind:
            self._push(accu, self.path(init), self._maybe_size(init), self._entry(init),
                       self.types.get(init.id, DYN))
            c += self.cost(result)
            rs = self.size(result)
            ent = self._entry(result)
            self._pop(accu)
            if rs != UNKNOWN:
                self.sizes[e.id] = rs
            if ent is not None:
                self.entry[e.id] = ent
            self.types[e.id] = self.types.get(result.id, DYN)
            return _sat(c)
        rt = self.types.get(rng.id, DYN)
        ent = self._entry(rng)
        container = ent[0] if ent else ("map" if rt.kind == "map" else "list" if rt.kind == "list" else "")
        rpath = list(self.path(rng) or [])
        self._push(accu, self.path(init), self._maybe_size(init), self._entry(init), self.types.get(init.id, DYN))
        elem_t = rt.elem if rt.kind in ("list", "map") and rt.elem is not None else DYN
        key_t = STRING_KEY if rt.kind == "map" else INT if rt.kind == "list" else DYN
        if v2 is not None:
            self._push(v1, rpath + ["@indices" if container == "list" else "@keys"],
                       ent[1] if ent else None, None, key_t)
            self._push(v2, rpath + ["@items" if container == "list" else "@values"],
                       ent[2] if ent else None, None, elem_t)
        elif container == "list":
            self._push(v1, rpath + ["@items"], ent[2] if ent else None, None, elem_t)
        else:
            self._push(v1, rpath + ["@keys"], ent[1] if ent else None, None, key_t)
        loop = self.cost(cond)
        stepc = self.cost(step)
        self._pop(v1)
        if v2 is not None:
            self._pop(v2)
        c += self.cost(result)
        self._pop(accu)
        n = self.size(rng)
        c = _sat(c + _sat(self.hi(n) * _sat(stepc + loop)))
        if init.op == "lit":
            s = self._expr_size(init)
            if s is not None:
                self.sizes[e.id] = s
            self.types[e.id] = self.types.get(result.id, DYN)
        elif init.op in ("list", "map"):
            self.sizes[e.id] = n
            se = self._entry(step)
            if se is not None:
                self.entry[e.id] = se
            st = self.types.get(step.id)
            self.types[e.id] = st if st is not None and st.kind in ("list", "map") else \
                DT("list", elem=elem_t) if init.op == "list" else DT("map", elem=DYN)
        else:
            self.types[e.id] = self.types.get(result.id, DYN)
        return c

    def _maybe_size(self, e: Node) -> Optional[Size]:
        s = self.size(e)
        return None if s == UNKNOWN else s

    def _call(self, e: Node) -> int:
        fn, target, args = e.a
        if fn == "dyn" and len(args) == 1 and target is None:
            c = self.cost(args[0])
            if args[0].id in self.sizes:
                self.sizes[e.id] = self.sizes[args[0].id]
            ent = self._entry(args[0])
            if ent is not None:
                self.entry[e.id] = ent
            self.types[e.id] = DYN
            return 1 + c
        arg_costs = [self.cost(a) for a in args]
        c = 0
        if target is not None:
            c += self.cost(target)
        fc, result = self._function(e, fn, target, args, arg_costs)
        if fn in ("_[_]", "_[?_]") and len(args) == 2:
            t = self.types.get(args[0].id, DYN)
            ent = self._entry(args[0])
            if t.kind in ("list", "map") or (ent and ent[0] in ("list", "map")):
                kind = t.kind if t.kind in ("list", "map") else ent[0]
                result = ent[2] if ent else None
                self.paths[e.id] = list(self.path(args[0]) or []) + ["@items" if kind == "list" else "@values"]
            else:
                self.inexact = True
        if result is None:
            result = self.size(e)
        self.sizes[e.id] = result
        return _sat(c + fc)

    def _function(self, e: Node, fn: str, target: Optional[Node], args: List[Node],
                  arg_costs: List[int]) -> Tuple[int, Optional[Size]]:
        """(cost of the call including its arguments but not its target, result size)."""
        argsum = _sat(sum(arg_costs))
        tt = self.types.get(target.id, DYN) if target is not None else None
        ats = [self.types.get(a.id, DYN) for a in args]
        self.types[e.id] = self._result_type(fn, tt, ats, args)
        tsize = self.size(target) if target is not None else None
        S = STRING_TRAVERSAL

        # Kubernetes' library estimator first (apiserver/pkg/cel/library/cost.go)
        if fn in ("isSorted", "sum", "max", "min", "indexOf", "lastIndexOf") and target is not None:
            if tt is not None and tt.kind == "list":
                el_cost = 1
                el = tt.elem or DYN
                if el.kind in ("string", "bytes"):
                    p = self.node_path(target)
                    el_size = self.estimate_size(p + ["@items"]) if p else None
                    el_cost += _factor(self.hi(el_size or UNKNOWN), S)
                return _sat(self.hi(tsize) * el_cost) + argsum, None
            if tt is not None and tt.kind == "string":
                return _factor(self.hi(tsize), S) + argsum, None
            self.inexact = True
            return 1 + argsum, None
        if fn in ("url", "jsonpatch.escapeKey") and len(args) == 1 and target is None:
            sz = self.size(args[0])
            return _factor(self.hi(sz), S) + argsum, sz
        if fn in ("lowerAscii", "upperAscii", "substring", "trim") and target is not None:
            return _factor(self.hi(tsize), S) + argsum, tsize
        if fn == "replace" and target is not None and len(args) >= 2:
            return _factor(self.hi(tsize), 2 * S) + argsum, self._replace_size(tsize, args)
        if fn == "split" and target is not None:
            mx = tsize[1]
            if len(args) > 1 and args[1].op == "lit" and args[1].a[1] == "int":
                mx = args[1].a[0]
            return _factor(self.hi(tsize), 2 * S) + argsum, (0, mx)
        if fn == "join" and target is not None:
            ls = tsize
            sz: Size = (0, 0)
            if tt is not None and tt.kind == "list":
                p = self.node_path(target)
                es = (self.estimate_size(p + ["@items"]) if p else None) or UNKNOWN
                sz = _mul(ls, es)
            if args:
                sep = self.size(args[0])
                sz = _add(sz, _mul(sep, (max(ls[0] - 1, 0), None if ls[1] is None else max(ls[1] - 1, 0))))
            return _factor(self.hi(sz), S) + argsum, sz
        if fn in ("find", "findAll") and target is not None and args:
            str_cost = _factor(_sat(self.hi(tsize) + 1), S)
            regex_cost = _factor(self.hi(self.size(args[0])), REGEX_LENGTH)
            return _sat(str_cost * regex_cost) + argsum, (0, tsize[1])
        if fn in ("cidr", "isIP", "isCIDR", "quantity", "isQuantity", "semver", "isSemver") and args:
            return _factor(self.hi(self.size(args[0])), S) + argsum, None
        if fn == "ip":
            if target is not None:  # cidr.ip()
                return 1 + argsum, None
            if args:
                return _factor(self.hi(self.size(args[0])), S) + argsum, None
        if fn == "ip.isCanonical" and args:
            return _factor(self.hi(self.size(args[0])), 2 * S) + argsum, None
        if fn in ("masked", "prefixLength", "family", "isUnspecified", "isLoopback", "isLinkLocalMulticast",
                  "isLinkLocalUnicast", "isGlobalUnicast", "format.named", "sign", "asInteger", "isInteger",
                  "asApproximateFloat", "isGreaterThan", "isLessThan", "compareTo", "add", "sub", "major",
                  "minor", "patch", "getScheme", "getHostname", "getHost", "getPort", "getEscapedPath",
                  "getQuery") and (target is not None or fn == "format.named"):
            if fn in ("add", "sub") and not (tt is not None and tt.kind == "opaque"):
                pass  # not the quantity library: fall through
            else:
                return 1 + argsum, None
        if fn == "containsIP" and target is not None and args:
            c = _factor(32, S)
            if ats[0].kind == "string":
                c += _factor(self.hi(self.size(args[0])), S)
            return c + argsum, None
        if fn == "containsCIDR" and target is not None and args:
            c = _factor(32, S) + _factor(16, S) + 1
            if ats[0].kind == "string":
                c += _factor(self.hi(self.size(args[0])), S)
            return c + argsum, None
        if fn == "validate" and target is not None and args:
            return _factor(_factor(self.hi(self.size(args[0])), S), MAX_NAME_FORMAT_REGEX_SIZE * REGEX_LENGTH) \
                + argsum, None
        if fn in ("_==_", "_!=_") and len(args) == 2 and fn == "_==_" and ats[0].kind == "opaque" \
                and ats[1].kind == "opaque" and ats[0].name == ats[1].name:
            if ats[0].name in ("ip", "cidr", "quantity", "semver"):
                return 1 + argsum, None

        # cel-go's own estimates (checker/cost.go functionCost)
        if fn == "format" and target is not None:
            return _factor(self.hi(tsize), S) + argsum, None
        if fn == "strings.quote" and len(args) == 1:
            sz = self.size(args[0])
            return _factor(self.hi(sz), S) + argsum, (sz[0] + 2, None if sz[1] is None else _sat(sz[1] * 2 + 2))
        if fn == "string" and len(args) == 1 and ats[0].kind == "bytes":
            sz = self.size(args[0])
            return _factor(self.hi(sz), S) + argsum, (sz[0] // 4, sz[1])
        if fn == "bytes" and len(args) == 1 and ats[0].kind == "string":
            sz = self.size(args[0])
            return _factor(self.hi(sz), S) + argsum, (sz[0], None if sz[1] is None else _sat(sz[1] * 4))
        if fn in ("startsWith", "endsWith") and target is not None and len(args) == 1:
            return _factor(self.hi(self.size(args[0])), S) + argsum, None
        if fn == "@in" and len(args) == 2:
            t = ats[1]
            ent = self._entry(args[1])
            if t.kind == "list" or (ent and ent[0] == "list"):
                return _factor(self.hi(self.size(args[1])), 1) + argsum, None
            if t.kind != "map" and not (ent and ent[0] == "map"):
                self.inexact = True
            return 1 + argsum, None
        if fn == "matches" and target is not None and len(args) == 1:
            str_cost = _factor(_sat(self.hi(tsize) + 1), S)
            regex_cost = _factor(self.hi(self.size(args[0])), REGEX_LENGTH)
            return _sat(str_cost * regex_cost) + argsum, None
        if fn == "contains" and target is not None and len(args) == 1 and (tt is None or tt.kind != "list"):
            if tt is None or tt.kind != "string":
                self.inexact = True
                return 1 + argsum, None
            return _sat(_factor(self.hi(tsize), S) * _factor(self.hi(self.size(args[0])), S)) + argsum, None
        if fn in ("_||_", "_&&_"):
            return argsum, None
        if fn == "_?_:_" and len(args) == 3:
            s1, s2 = self.size(args[1]), self.size(args[2])
            size = (min(s1[0], s2[0]), None if s1[1] is None or s2[1] is None else max(s1[1], s2[1]))
            e1, e2 = self._entry(args[1]), self._entry(args[2])
            if e1 is not None and e2 is not None:
                self.entry[e.id] = (e1[0], _union(e1[1], e2[1]), _union(e1[2], e2[2]))
            return _sat(arg_costs[0] + max(arg_costs[1], arg_costs[2])), size
        if fn == "_+_" and len(args) == 2:
            k0, k1 = ats[0].kind, ats[1].kind
            kinds = {k0, k1}
            if kinds <= {"string"} or kinds <= {"bytes"} or kinds <= {"list"} or \
                    (self._entry(args[0]) and self._entry(args[0])[0] == "list"):
                result = _add(self.size(args[0]), self.size(args[1]))
                e0, e1 = self._entry(args[1]), self._entry(args[0])
                if e0 is not None and e1 is not None:
                    self.entry[e.id] = (e0[0], _union(e0[1], e1[1]), _union(e0[2], e1[2]))
                if kinds <= {"string"} or kinds <= {"bytes"}:
                    return _factor(self.hi(result), S) + argsum, result
                return 1 + argsum, result
            if "dyn" in kinds:
                self.inexact = True
            return 1 + argsum, None
        if fn in ("_<_", "_>_", "_<=_", "_>=_", "_==_", "_!=_") and len(args) == 2:
            if fn in ("_==_", "_!=_") or (ats[0].kind in ("string", "bytes") and ats[1].kind == ats[0].kind):
                l, r = self.size(args[0]), self.size(args[1])
                if l[1] is None and r[1] is None:
                    smallest = self.hi(l)
                else:
                    smallest = min(x for x in (l[1], r[1]) if x is not None)
                    if (l[1] is None or r[1] is None) and smallest == 0:
                        pass
                return _factor(smallest, S) + argsum, None
            if "dyn" in (ats[0].kind, ats[1].kind):
                self.inexact = True
            return 1 + argsum, None
        if fn not in _KNOWN_DEFAULT and not fn.startswith("format."):
            self.inexact = True
        return 1 + argsum, None

    def _replace_size(self, sz: Size, args: List[Node]) -> Size:
        to_replace, with_ = self.size(args[0]), self.size(args[1])
        if sz[1] is None or to_replace[1] is None or with_[1] is None:
            return UNKNOWN
        if to_replace[0] == 0:
            cnt_max, kept_max = sz[1] + 1, sz[1]
        elif with_[1] <= to_replace[0]:
            cnt_max, kept_max = 0, sz[1]
        else:
            cnt_max, kept_max = math.ceil(sz[1] / to_replace[0]), 0
        if to_replace[1] == 0:
            cnt_min, kept_min = sz[0] + 1, sz[0]
        elif to_replace[1] <= with_[0]:
            cnt_min, kept_min = 0, sz[0]
        else:
            cnt_min, kept_min = math.ceil(sz[0] / to_replace[1]), 0
        return (_sat(cnt_min * with_[0] + kept_min), _sat(cnt_max * with_[1] + kept_max))

    def _result_type(self, fn: str, tt: Optional[DT], ats: List[DT], args: List[Node]) -> DT:
        if fn in _BOOL_RESULT:
            return BOOL
        if fn in _INT_RESULT:
            return INT
        if fn in ("split", "findAll"):
            return DT("list", elem=DT("string"))
        if fn in _STRING_RESULT and not (fn == "string" and False):
            return DT("string")
        if fn == "_?_:_" and len(ats) == 3:
            a, b = ats[1], ats[2]
            if a.kind == b.kind:
                return a if a.kind not in ("list", "map") or a.elem is not None and a.elem.kind != "dyn" else b
            return a if b.kind == "null" else b if a.kind == "null" else DYN
        if fn.startswith("format.") and fn != "format.named":
            return DT("opaque", name="format")
        if fn in _OPAQUE_RESULT:
            return DT("opaque", name=_OPAQUE_RESULT[fn])
        if fn in ("add", "sub") and tt is not None and tt.kind == "opaque":
            return tt
        if fn in ("_[_]", "_[?_]") and ats and ats[0].kind in ("list", "map"):
            el = ats[0].elem or DYN
            return DT("opaque", name="optional", elem=el) if fn == "_[?_]" else el
        if fn in ("orValue", "value") and tt is not None and tt.kind == "opaque" and tt.name == "optional":
            return tt.elem or DYN
        if fn in ("_+_", "_-_", "_*_", "_/_", "_%_", "-_") and ats:
            a = ats[0]
            if a.kind in ("int", "uint", "double", "string", "bytes", "duration", "timestamp"):
                return DT(a.kind)
            if a.kind == "list":
                return DT("list", elem=_join(a.elem, ats[1].elem if len(ats) > 1 and ats[1].kind == "list" else None)
                          or DYN)
        if fn == "double" or fn == "asApproximateFloat":
            return DOUBLE
        if fn == "uint":
            return UINT
        if fn == "bytes":
            return DT("bytes")
        if fn in ("duration",):
            return DT("duration")
        if fn in ("timestamp",):
            return DT("timestamp")
        if fn == "type":
            return TYPE
        if fn in ("sum", "min", "max") and tt is not None and tt.kind == "list":
            return tt.elem or DYN
        if fn == "getQuery":
            return DT("map", elem=DT("list", elem=DT("string")))
        return DYN


_KNOWN_DEFAULT = {
    "size", "!_", "-_", "_-_", "_*_", "_/_", "_%_", "_[_]", "_[?_]", "@not_strictly_false", "int", "uint",
    "double", "string", "bytes", "bool", "duration", "timestamp", "type", "dyn", "has", "hasValue", "value",
    "orValue", "or", "optional.of", "optional.none", "optional.ofNonZeroValue", "getFullYear", "getMonth",
    "getDayOfMonth", "getDayOfYear", "getDayOfWeek", "getDate", "getHours", "getMinutes", "getSeconds",
    "getMilliseconds", "charAt", "reverse", "sets.contains", "sets.equivalent", "sets.intersects",
    "isURL", "getQuery", "contains", "math.greatest", "math.least", "base64.encode", "base64.decode",
}


def _lit_type(kind: str) -> DT:
    return {"string": DT("string"), "bytes": DT("bytes"), "int": INT, "uint": UINT, "double": DOUBLE,
            "bool": BOOL, "null": NULL}.get(kind, DYN)


def _join(a: Optional[DT], b: Optional[DT]) -> Optional[DT]:
    if a is None:
        return b
    if b is None or a.kind == b.kind:
        return a
    return DYN


def _add(a: Size, b: Size) -> Size:
    return (_sat(a[0] + b[0]), None if a[1] is None or b[1] is None else _sat(a[1] + b[1]))


def _mul(a: Size, b: Size) -> Size:
    return (_sat(a[0] * b[0]), None if a[1] is None or b[1] is None else _sat(a[1] * b[1]))


def _union(a: Size, b: Size) -> Size:
    return (min(a[0], b[0]), None if a[1] is None or b[1] is None else max(a[1], b[1]))


# --- the API surface ----------------------------------------------------------------------------

class RuleCost:
    """What the API server computes for one rule: its own estimate, how often it can run, the
    product (compared with the per-expression limit) and whether the model was exact."""

    __slots__ = ("max_cost", "cardinality", "total", "inexact", "undefined", "result_kind")

    def __init__(self, max_cost: int, cardinality: int, inexact: bool, undefined: List[UndefinedField],
                 result_kind: Optional[str] = None) -> None:
        self.max_cost = max_cost
        self.cardinality = cardinality
        self.total = _sat(max_cost * cardinality) if max_cost else 0
        self.inexact = inexact
        self.undefined = undefined
        # the schema type of the whole expression when it is a plain field selection
        # (`self.size`): None when the expression is anything else or the type is dynamic
        self.result_kind = result_kind


def estimate(source: str, decl: Optional[DT], cardinality: int,
             variables: Sequence[str] = ("self", "oldSelf")) -> Optional[RuleCost]:
    """The estimated cost of `source` against the type `decl`; None when it does not parse."""
    try:
        tree = parse(source)
    except (ParseError, ValueError, RecursionError):
        return None
    est = Estimate(decl, variables)
    try:
        c = est.cost(tree)
    except (RecursionError, LookupError, TypeError, ValueError, AttributeError):
        return None  # an expression the model does not understand: no estimate, no finding
    kind = None
    if tree.op == "select" and not tree.a[2] and not tree.a[3]:
        t = est.types.get(tree.id)
        kind = t.kind if t is not None and t.kind not in ("dyn", "opaque") else None
    return RuleCost(c, cardinality, est.inexact, est.undefined, kind)


def cost_message(name: str, cost: int, limit: int) -> str:
    """getCostErrorMessage, word for word."""
    factor = cost / limit
    if factor > 100.0:
        shown = "more than 100x"
    elif factor < 1.5:
        shown = f"{factor:f}x"
    else:
        shown = f"{factor:.1f}x"
    return (f"{name} exceeds budget by factor of {shown} (try simplifying the rule, or adding maxItems, "
            "maxProperties, and maxLength where arrays, maps, and strings are declared)")


class RuleSite:
    """One rule of a CRD schema with everything the limits need."""

    __slots__ = ("ptr", "index", "key", "source", "cost")

    def __init__(self, ptr: tuple, index: int, key: str, source: str, cost: RuleCost) -> None:
        self.ptr = ptr
        self.index = index
        self.key = key
        self.source = source
        self.cost = cost


def schema_rules(root: Dict[str, Any], ptr: tuple = ()) -> Iterator[RuleSite]:
    """Every rule and messageExpression of an openAPIV3Schema with its estimated cost, in the
    order the API server visits them (the schema node, then properties, items, values)."""
    yield from _visit(root, ptr, 1, True, None)


def _visit(s: Any, ptr: tuple, card: Optional[int], root: bool, parent_decl: Optional[DT]
           ) -> Iterator[RuleSite]:
    if not isinstance(s, dict):
        return
    rules = s.get("x-kubernetes-validations")
    if isinstance(rules, list) and rules:
        decl = decl_type(s, root or bool(s.get("x-kubernetes-embedded-resource")))
        if decl is not None:
            fallback = max_cardinality(decl.min_size)
            for j, rule in enumerate(rules):
                if not isinstance(rule, dict):
                    continue
                for key in ("rule", "messageExpression"):
                    src = rule.get(key)
                    if not isinstance(src, str) or not src.strip():
                        continue
                    rc = estimate(src, decl, card if card is not None else fallback)
                    if rc is not None:
                        yield RuleSite(ptr + ("x-kubernetes-validations", j, key), j, key, src, rc)
    factor = max_elements_factor(s)
    child = None if card is None or factor is None else _sat(card * factor)
    props = s.get("properties")
    if isinstance(props, dict):
        for name, sub in props.items():
            yield from _visit(sub, ptr + ("properties", name), child, False, None)
    if isinstance(s.get("items"), dict):
        yield from _visit(s["items"], ptr + ("items",), child, False, None)
    if isinstance(s.get("additionalProperties"), dict):
        yield from _visit(s["additionalProperties"], ptr + ("additionalProperties",), child, False, None)
