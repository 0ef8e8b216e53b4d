"""Numerals: Chinese and Arabic numbers to exact Decimals (parse), and found in running text (find).

This package knows nothing of money, percentages or the words around a number; the extractors
build on it. It imports only :mod:`xiangtan_nlp.chars`; the finder's large pattern is compiled
only when :func:`find_numbers` is first asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .parse import parse_number

if TYPE_CHECKING:
    from .find import NumberSpan, find_numbers


def __getattr__(name: str) -> Any:
    if name in ("NumberSpan", "find_numbers"):
        from . import find

        return getattr(find, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["NumberSpan", "find_numbers", "parse_number"]
