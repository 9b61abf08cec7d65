"""The batches of a streamed read, fetched ahead by a thread of their own.

A streamed DuckDB result is computed as it is fetched: while the caller stores one batch
(an insert that compresses it, on another connection), nothing reads the next, and in a
10M-event scan's sources stage a third of the two cores sat idle. A thread that fetches up to
``depth`` batches ahead keeps the read going during the insert; memory holds at most
``depth`` + 1 batches more (the queued ones, and one fetched that waits for room).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

_T = TypeVar("_T")
_WAIT = 0.1  # seconds between looks at the stop flag while the queue is full


@dataclass(frozen=True)
class _Failed:
    error: BaseException


class _End:
    pass


@dataclass
class _Ahead(Generic[_T]):
    items: queue.Queue[_T | _Failed | _End]
    stop: threading.Event

    def put(self, item: _T | _Failed | _End) -> bool:
        """Queue ``item`` unless the reader has stopped (then False)."""
        while not self.stop.is_set():
            try:
                self.items.put(item, timeout=_WAIT)
                return True
            except queue.Full:
                continue
        return False


@contextmanager
def fetched_ahead(source: Iterable[_T], depth: int) -> Iterator[Iterator[_T]]:
    """The items of ``source`` in order, fetched by a thread up to ``depth`` ahead. An error of
    the fetch is raised where the item it stopped would have come. Leaving the block, done or
    not, stops the thread and waits for it, so ``source`` (a cursor's result) may be closed
    after."""
    state: _Ahead[_T] = _Ahead(queue.Queue(maxsize=depth), threading.Event())

    def fetch() -> None:
        try:
            for item in source:
                if not state.put(item):
                    return
        except BaseException as e:  # noqa: BLE001 - handed to the reader, raised there
            state.put(_Failed(e))
            return
        state.put(_End())

    def read() -> Iterator[_T]:
        while True:
            item = state.items.get()
            if isinstance(item, _End):
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item

    thread = threading.Thread(target=fetch, name="unmask-fetch-ahead", daemon=True)
    thread.start()
    try:
        yield read()
    finally:
        state.stop.set()
        thread.join()
