"""What a process keeps of work it did before, for the next document or participant of a batch."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Kept(Generic[V]):
    """At most `size` values by key; keeping one more drops the least recently used. Values are
    shared between their users, so they are only read."""

    def __init__(self, size: int):
        self.size = size
        self._values: dict[Hashable, V] = {}

    def get(self, key: Hashable) -> V | None:
        """The value kept for `key` (now the most recently used), or None."""
        value = self._values.pop(key, None)
        if value is not None:
            self._values[key] = value
        return value

    def keep(self, key: Hashable, value: V) -> V:
        """`value` kept for `key`, the least recently used dropped if `size` are kept; returns `value`."""
        if len(self._values) >= self.size:
            del self._values[next(iter(self._values))]
        self._values[key] = value
        return value

    def clear(self) -> None:
        """Nothing kept any more."""
        self._values.clear()

    def __len__(self) -> int:
        return len(self._values)
