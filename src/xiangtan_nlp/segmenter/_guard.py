"""The jieba versions the accelerators were checked against, and the guard that turns them off.

The accelerators (:mod:`._rjieba`, :mod:`._pos_route`, :mod:`._pos_hmm`, :mod:`._pos_tags`)
override private methods of ``jieba.posseg.POSTokenizer`` or mirror jieba's private patterns and
state (``re_han_default``, ``finalseg.Force_Split_Words``). They give jieba's exact tokens and tags
only for the jieba source they were checked against, so on any other version the segmenter runs
plain jieba: slower, never different.

Checked: jieba 0.42.1 (tests/test_accel.py run on it) and 0.42, whose ``jieba/__init__.py``,
``posseg/``, ``finalseg/`` and ``dict.txt`` are the same as 0.42.1's except for the version string
and a line of the paddle branch, which we never use. Keep the pin in pyproject.toml the same.
"""

from __future__ import annotations

import logging
from functools import lru_cache

#: jieba versions whose private methods the accelerators were checked against.
CHECKED_JIEBA: frozenset[str] = frozenset({"0.42", "0.42.1"})


def jieba_checked() -> bool:
    """True when the installed jieba is one the accelerators were checked against."""
    import jieba

    version = str(getattr(jieba, "__version__", "unknown"))
    if version in CHECKED_JIEBA:
        return True
    _warn_unchecked(version)
    return False


@lru_cache(maxsize=None)
def _warn_unchecked(version: str) -> None:
    # once per version and process: the fallback is correct, only slower, so one line is enough
    logging.getLogger("xiangtan_nlp.segmenter").warning(
        "jieba %s is not a version the segmenter's accelerators were checked against (%s): "
        "segmenting with plain jieba",
        version,
        ", ".join(sorted(CHECKED_JIEBA)),
    )
