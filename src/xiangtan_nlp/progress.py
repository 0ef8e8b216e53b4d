"""Progress bars that appear only where someone can see them."""

from __future__ import annotations

import sys
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")


def want_progress(progress: bool | None) -> bool:
    """Resolve ``progress=None`` (automatic): a bar on a terminal or in a notebook, else none."""
    if progress is not None:
        return progress
    try:
        if sys.stderr is not None and sys.stderr.isatty():
            return True
    except (AttributeError, ValueError):
        pass
    return "ipykernel" in sys.modules


def progress_bar(items: Iterable[T], *, progress: bool | None = None, total: int | None = None, unit: str = "it", desc: str | None = None) -> Iterator[T]:
    """Wrap ``items`` in a tqdm bar when progress is wanted; otherwise return them unchanged."""
    if not want_progress(progress):
        yield from items
        return
    from tqdm.auto import tqdm

    yield from tqdm(items, total=total, unit=unit, desc=desc, file=sys.stderr, leave=False)
