"""A per-document time budget, so one pathological document cannot stall a batch.

Every pattern we run is linear-time, so the budget is a safety net, not a crutch: the scan loops
check it between matches and pass the time left to the ``regex`` module as its ``timeout``.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

_DEADLINE: ContextVar[float | None] = ContextVar("xiangtan_nlp_deadline", default=None)


class DocumentTimeout(TimeoutError):
    """A document used up its time budget and was skipped."""


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Limit the work inside the block to ``seconds`` (None: no limit)."""
    token = _DEADLINE.set(None if seconds is None else time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def time_left() -> float | None:
    """Seconds left in the current budget (None: unlimited); raises DocumentTimeout when spent."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise DocumentTimeout("time budget exceeded")
    return left
