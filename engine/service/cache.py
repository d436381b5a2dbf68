"""In-memory caches: restored specs per process version, and hot workflows per case."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


class WorkflowCache:
    """Hot workflows by case id, guarded by the case version they were saved at.

    ``take`` removes the entry, so a runner is owned by one command at a time; the handler puts it
    back only after its transaction committed. A failed command simply never puts it back.
    """

    def __init__(self, capacity: int = 256) -> None:
        self.capacity = capacity
        self._items: OrderedDict[int, tuple[int, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def take(self, case_id: int, version: int) -> Any | None:
        with self._lock:
            item = self._items.pop(case_id, None)
            if item is not None and item[0] == version:
                self.hits += 1
                return item[1]
            self.misses += 1
            return None

    def put(self, case_id: int, version: int, runner: Any) -> None:
        if self.capacity <= 0:
            return
        with self._lock:
            self._items[case_id] = (version, runner)
            self._items.move_to_end(case_id)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
