"""A per-document time budget that holds in every stage, so one pathological document cannot stall a batch.

Two mechanisms, one deadline:

* **checks**: loops that may run long (the figure scan, page classification) call
  :func:`time_left`, and pass it to the ``regex`` module as its ``timeout``;
* **an alarm**: on the main thread of a POSIX process (the CLI, each worker process, a notebook
  kernel) :func:`time_budget` also sets a real-time timer, so a stage without checks (repair,
  segmentation, project finding) is stopped too, at its next Python instruction.

Whichever fires raises :class:`DocumentTimeout` naming the stage the document was in, as set by
:func:`stage`. Every pattern we run is linear-time, so the budget is a safety net, not a crutch.
Loading a model, once per process, is not a document's time: it runs inside :class:`paused`.
"""

from __future__ import annotations

import signal
import threading
import time
from contextvars import ContextVar
from typing import Any

_DEADLINE: ContextVar[float | None] = ContextVar("xiangtan_nlp_deadline", default=None)
_STAGE: ContextVar[str | None] = ContextVar("xiangtan_nlp_stage", default=None)
_ALARMED: ContextVar[bool] = ContextVar("xiangtan_nlp_alarmed", default=False)  # time_budget set the timer


class DocumentTimeout(TimeoutError):
    """A document used up its time budget; ``stage`` says where it was (cleaning, repair, figures…)."""

    def __init__(self, stage: str | None = None) -> None:
        super().__init__(f"time budget exceeded in {stage}" if stage else "time budget exceeded")
        self.stage = stage


class stage:  # noqa: N801 - a function to its callers (``with stage("repair"):``)
    """Name the stage the work inside the block belongs to (for the timeout message).

    A class rather than a generator context manager: it is entered five times per document, and
    this costs a fifth of what ``contextlib`` does."""

    __slots__ = ("name", "_token")

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> None:
        self._token = _STAGE.set(self.name)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: Any) -> bool:
        _STAGE.reset(self._token)
        if kind is None:
            return False
        if isinstance(error, DocumentTimeout):
            if error.stage is None:
                raise DocumentTimeout(self.name) from None
            return False
        if isinstance(error, TimeoutError):  # the regex module's own timeout, given time_left() by a check
            raise DocumentTimeout(self.name) from None
        return False


def current_stage() -> str | None:
    """The innermost stage named with :func:`stage`, or None."""
    return _STAGE.get()


def _alarm_usable() -> bool:
    """A timer signal can interrupt this thread: POSIX, main thread, and no timer of someone else's."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return False
    return signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def _on_alarm(signum: int, frame: Any) -> None:
    raise DocumentTimeout(_STAGE.get())


class time_budget:  # noqa: N801 - a function to its callers (``with time_budget(60):``)
    """Limit the work inside the block to ``seconds`` (None: no limit); see the module docstring.

    A class, as :class:`stage` is: it is entered once per document."""

    __slots__ = ("seconds", "_token", "_alarm", "_previous", "_alarmed")

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds

    def __enter__(self) -> None:
        seconds = self.seconds
        self._token = _DEADLINE.set(None if seconds is None else time.monotonic() + seconds)
        self._alarm = seconds is not None and seconds > 0 and _alarm_usable()
        self._alarmed = _ALARMED.set(self._alarm)
        if self._alarm:
            self._previous = signal.signal(signal.SIGALRM, _on_alarm)
            signal.setitimer(signal.ITIMER_REAL, seconds)  # type: ignore[arg-type]

    def __exit__(self, *exc: Any) -> None:
        if self._alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous)
        _ALARMED.reset(self._alarmed)
        _DEADLINE.reset(self._token)


class paused:  # noqa: N801 - a function to its callers (``with paused():``)
    """Stop the clock of the current time budget inside the block.

    For loading a model once: the first document that needs the repair models or the project
    tagger would otherwise pay seconds of loading out of its own budget, and fail under a tight
    ``--timeout`` whichever document it is. The deadline moves on by the time spent inside;
    the timer set by :class:`time_budget` is stopped and set again with what was left."""

    __slots__ = ("_deadline", "_start", "_left")

    def __enter__(self) -> None:
        self._deadline = _DEADLINE.get()
        if self._deadline is None:
            return
        self._start = time.monotonic()
        self._left = 0.0
        if _ALARMED.get():
            self._left = signal.setitimer(signal.ITIMER_REAL, 0)[0]  # stops it; returns what was left
            if self._left <= 0:  # it fired already: the budget was spent before the block
                self._left = 1e-6

    def __exit__(self, *exc: Any) -> None:
        if self._deadline is None:
            return
        _DEADLINE.set(self._deadline + (time.monotonic() - self._start))
        if self._left:
            signal.setitimer(signal.ITIMER_REAL, self._left)


def time_left() -> float | None:
    """Seconds left in the current budget (None: unlimited); raises DocumentTimeout when spent."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise DocumentTimeout(_STAGE.get())
    return left


__all__ = ["DocumentTimeout", "current_stage", "paused", "stage", "time_budget", "time_left"]
