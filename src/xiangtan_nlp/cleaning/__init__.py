"""Cleaning: normalise characters -> remove page debris -> repair censored text.

Each pass is ``str -> (str, steps)``; :func:`clean` chains them and concatenates their steps, so
``apply_steps(original, result.steps) == result.text`` always holds.
"""

from __future__ import annotations

from functools import lru_cache
from types import ModuleType

from ..budget import stage
from ..model import Cleaned, Step
from .debris import strip_debris
from .normalize import normalize


def clean(text: str, *, debris: bool = True, repair: bool = True, threshold: float | None = None) -> Cleaned:
    """Normalise, strip page debris and repair censored characters; every change is a step.

    ``threshold`` is the chance of being right a mask restoration needs (``repair``'s; None keeps
    its default, ``repair.MASK_THRESHOLD``)."""
    if isinstance(text, (bytes, bytearray)):
        raise TypeError(
            "clean() needs str, not bytes: decode first (text.decode('utf-8')) "
            "or read files with xiangtan_nlp.read_corpus(), which detects the encoding"
        )
    if not isinstance(text, str):
        raise TypeError(f"clean() needs str, got {type(text).__name__}")
    steps: list[Step] = []
    with stage("normalize"):
        text, s = normalize(text)
    steps += s
    if debris:
        with stage("debris"):
            text, s = strip_debris(text)
        steps += s
    if repair:
        _repair = _repair_module().repair  # read per call: tests and callers may replace it
        with stage("repair"):
            r = _repair(text) if threshold is None else _repair(text, threshold=threshold)
        text = r.text
        steps += r.steps
    return Cleaned(text, tuple(steps))


@lru_cache(maxsize=1)
def _repair_module() -> ModuleType:
    """The repair module, imported on first use (the package's import stays light): an import
    statement run per document cost more than normalising a short one."""
    from . import repair as module

    return module


__all__ = ["clean", "normalize", "strip_debris"]
