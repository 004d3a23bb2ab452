"""typing.NamedTuple's class syntax without evaluating the annotations when the class is made.

`class Span(NamedTuple): line: int ...` makes the same class as typing's (collections.namedtuple
with the defaults, methods and docstring of the class body), but typing turns each annotation
string (`from __future__ import annotations`) into a ForwardRef, compiling it: ~30 us a field,
~3 ms for the 97 fields of the classes a run imports -- all of it in the serial start of every
run. Here `__annotations__` keeps the strings, which typing.get_type_hints() reads the same way.
Type checkers see typing.NamedTuple itself."""

from __future__ import annotations

import collections
from typing import TYPE_CHECKING, Any, Dict

if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:
    # as typing: attributes a class body may not set, and those not copied onto the class
    _PROHIBITED = frozenset({"__new__", "__init__", "__slots__", "__getnewargs__", "_fields",
                             "_field_defaults", "_make", "_replace", "_asdict", "_source"})
    _SPECIAL = frozenset({"__module__", "__name__", "__annotations__"})

    class _NamedTupleMeta(type):
        def __new__(cls, typename: str, bases: tuple, ns: Dict[str, Any]) -> Any:
            for base in bases:
                if base is not NamedTuple:
                    raise TypeError("can only inherit from a NamedTuple type")
            types = ns.get("__annotations__", {})
            default_names = []
            for name in types:
                if name in ns:
                    default_names.append(name)
                elif default_names:
                    raise TypeError(f"Non-default namedtuple field {name} cannot follow "
                                    f"default field{'s' if len(default_names) > 1 else ''} "
                                    f"{', '.join(default_names)}")
            made = collections.namedtuple(typename, list(types),
                                          defaults=[ns[n] for n in default_names],
                                          module=ns["__module__"])
            made.__annotations__ = made.__new__.__annotations__ = dict(types)
            for key in ns:
                if key in _PROHIBITED:
                    raise AttributeError("Cannot overwrite NamedTuple attribute " + key)
                if key not in _SPECIAL and key not in made._fields:
                    setattr(made, key, ns[key])
            return made

    NamedTuple = type.__new__(_NamedTupleMeta, "NamedTuple", (), {"__module__": __name__})
