"""Small per-process caches: least recently used, bounded in entries (and optionally bytes), entries may expire.

One cache per name per app, kept in ``app.extensions``: each web process has its own, so a cache
only ever saves work, and whatever must be seen at once on every process and node has to be in
the key (the library puts a generation number from the database in it) or expire soon enough
(the thematic view's counts).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from flask import Flask, current_app

EXTENSION = "lmi_caches"


class LRUCache:
    """At most ``size`` entries and ``max_bytes`` of values (as the caller sizes them); 0 entries: off."""

    def __init__(self, size: int, max_bytes: int | None = None) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self.bytes = 0
        # key → (expires at on the monotonic clock or None, value, bytes)
        self.entries: OrderedDict[Any, tuple[float | None, Any, int]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any) -> Any | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            if entry[0] is not None and entry[0] < time.monotonic():
                self._remove(key)
                return None
            self.entries.move_to_end(key)
            return entry[1]

    def put(self, key: Any, value: Any, seconds: float | None = None, *, size: int = 0) -> None:
        """Keep ``value`` (for ``seconds``, or until pushed out); ``size``: its bytes, counted against ``max_bytes``."""
        if self.size <= 0 or (self.max_bytes is not None and size > self.max_bytes):
            return
        with self.lock:
            if key in self.entries:
                self._remove(key)
            self.entries[key] = (None if seconds is None else time.monotonic() + seconds, value, size)
            self.bytes += size
            while len(self.entries) > self.size or (self.max_bytes is not None and self.bytes > self.max_bytes):
                self._remove(next(iter(self.entries)))

    def _remove(self, key: Any) -> None:
        self.bytes -= self.entries.pop(key)[2]

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self.entries)


def app_cache(name: str, size: int, max_bytes: int | None = None) -> LRUCache:
    """This app's cache called ``name``, with the bounds given now (a smaller bound applies from the next put)."""
    cache = current_app.extensions.setdefault(EXTENSION, {}).setdefault(name, LRUCache(size, max_bytes))
    cache.size, cache.max_bytes = size, max_bytes
    return cache


def clear_app_caches(app: Flask) -> None:
    """Empty every cache of ``app`` (tests: a fresh database may repeat a generation number another test saw)."""
    for cache in app.extensions.get(EXTENSION, {}).values():
        cache.clear()
