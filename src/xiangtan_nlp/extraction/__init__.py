"""Extraction: money, percent and exchange-rate records (and project records once linked), as frozen Records.

The recognisers are pure functions of a cleaned text: :func:`figures.find_figures`,
:func:`projects.find_projects` and :func:`projects.link_figures`. Running them over documents
(cleaning first, in processes, into files) is the pipeline's job (:mod:`xiangtan_nlp.pipeline`).
"""

from __future__ import annotations

from typing import Iterable

#: Record kinds this version extracts. ``rate`` is an exchange rate (1美元兑人民币6.9元): value
#: 6.9, unit ``USD/CNY``; its two amounts are never money records.
KINDS: tuple[str, ...] = ("money", "percent", "rate", "project")


def check_kinds(kinds: str | Iterable[str] | None) -> tuple[str, ...]:
    """Normalise a ``kinds`` argument ("money,percent", a list, or None for all)."""
    if kinds is None:
        return KINDS
    if isinstance(kinds, str):
        kinds = [k.strip() for k in kinds.split(",") if k.strip()]
    kinds = tuple(kinds)
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        raise ValueError(f"unknown kinds {bad or kinds!r}; allowed: {', '.join(KINDS)}")
    return kinds


__all__ = ["KINDS", "check_kinds"]
