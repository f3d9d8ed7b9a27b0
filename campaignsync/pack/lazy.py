"""Values of the pack read where they were written: equal to, and hashing as, the plain ones.

A build after an edit takes most of its outputs and cards from the render cache, a
clean build its files from the staging folder and spill files: each is a value of a
frozen class (``Output``, ``Drawn``, ``PackFile``) whose fields are filled through
its slots, its bytes read when asked for. :class:`AsPlain` makes it equal the plain
value with the same fields, and ``dataclasses.replace`` and pickling give a plain one.
"""

from __future__ import annotations

from typing import Any


class AsPlain:
    """Mixed in before a frozen value's class (``_base``): equal and hashing as the plain value."""

    __slots__ = ()
    _base: Any

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls._base(*args, **kwargs)  # what replace() makes: a plain value

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._base.__slots__)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, self._base):
            return NotImplemented
        return self._fields() == tuple(getattr(other, n) for n in self._base.__slots__)

    def __hash__(self) -> int:
        return hash(self._fields())  # as the frozen dataclass hashes its fields


def slot_setters(kind: type, base: type, names: tuple[str, ...]) -> tuple[Any, ...]:
    """Return the setters of ``names``: the base's slots, then ``kind``'s own (``_``-named).

    Outputs and cards are frozen: a lazy one is filled through its slots' own descriptors.
    """
    return tuple(getattr(kind if name.startswith("_") else base, name).__set__ for name in names)


def kept_value(kind: type[Any], setters: tuple[Any, ...], values: tuple[Any, ...]) -> Any:
    """Return a ``kind`` whose slots are filled with ``values`` through ``setters``."""
    made = object.__new__(kind)
    for put, value in zip(setters, values, strict=True):
        put(made, value)
    return made
