"""Documented character evasions (蕞→最): the table and the check that a match is real writing.

The table is ``data/evasions.tsv`` (each row documents where the evasion was seen in use). A match
is left alone when it is real writing: a keep word (蕞尔), a dictionary word, or part of one that
reaches outside it. Otherwise it is replaced where the repaired text forms a dictionary word, or,
for rows marked ``always`` (蕞, which modern text only uses in 蕞尔), anywhere. The table is read and
the lexicon loaded on first use, never at import.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import regex

from ..model import Step
from .lm import Lexicon, get_lexicon


@dataclass(frozen=True, slots=True)
class Evasion:
    """One row of the evasion table: ``evasion`` written for ``repaired``."""

    evasion: str
    repaired: str
    keep: tuple[str, ...]  # genuine words that contain the evasion (蕞尔)
    where: str  # "word": only where the repaired text makes a dictionary word; "always"
    source: str


@lru_cache(maxsize=1)
def evasion_table() -> dict[str, Evasion]:
    """The active rows of ``data/evasions.tsv`` by evasion string (read on first use)."""
    text = resources.files("xiangtan_nlp.data").joinpath("evasions.tsv").read_text("utf-8")
    table: dict[str, Evasion] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 6 or cols[0] == "evasion":
            continue
        evasion, repaired, keep, where, status, source = (c.strip() for c in cols)
        if status != "on":
            continue
        if where not in ("word", "always") or len(repaired) != len(evasion):
            raise ValueError(f"evasions.tsv: bad row for {evasion!r}")
        table[evasion] = Evasion(evasion, repaired, tuple(w for w in keep.split(",") if w), where, source)
    return table


@lru_cache(maxsize=1)
def _evasion_pattern() -> "regex.Pattern[str]":
    keys = sorted(evasion_table(), key=len, reverse=True)  # longest first
    return regex.compile("|".join(map(regex.escape, keys))) if keys else regex.compile(r"(?!)")


def has_evasion(text: str) -> bool:
    """Whether ``text`` holds an evasion of the table: a substring test per row (two today) is 4x
    faster than the pattern's search over a text that holds none, as most texts do."""
    return any(_holds(text, k) for k in evasion_table())


def _holds(text: str, key: str) -> bool:
    """``key in text``, by finding its first character (a memchr-like scan) and comparing the
    rest there: the substring search for 决对 cost 50% more, as 对 is common."""
    c = key[0]
    i = text.find(c)
    while i >= 0:
        if text.startswith(key, i):
            return True
        i = text.find(c, i + 1)
    return False


def repair_evasions(text: str, lexicon: Lexicon | None = None) -> tuple[str, list[Step]]:
    """Undo the evasions of the table in ``text`` where they are not real writing; a step each."""
    steps: list[Step] = []
    if not has_evasion(text):  # the lexicon is not loaded for nothing
        return text, steps
    table = evasion_table()
    lex = lexicon or get_lexicon()
    out = list(text)  # one character each: replacements keep the length, so spans stay valid
    for m in _evasion_pattern().finditer(text):
        ev = table[m.group()]
        i, j = m.span()
        if _genuine(text, i, j, ev, lex):
            continue
        # the words over the span once repaired: covers() reads WORD_REACH characters each side,
        # so a window is enough (the whole text rebuilt per evasion was quadratic)
        lo = max(0, i - WORD_REACH)
        window = "".join(out[lo:i]) + ev.repaired + "".join(out[j : j + WORD_REACH])
        worded = bool(lex.covers(window, i - lo, j - lo, WORD_REACH))
        if not worded and ev.where == "word":
            continue
        conf = 0.99 if worded else 0.9  # "always" rows: the evasion is not a word of its own
        steps.append(Step("repair", i, j, m.group(), ev.repaired, f"evasion:{ev.evasion}→{ev.repaired}", conf))
        out[i:j] = ev.repaired
    return "".join(out), steps


WORD_REACH = 6  # the longest dictionary word Lexicon.covers looks for


def _genuine(text: str, i: int, j: int, ev: Evasion, lex: Lexicon) -> bool:
    """True when text[i:j] is real writing: inside a keep word (蕞尔), itself a dictionary word, or
    part of one that reaches outside it (解决|对策 holds 决对 across a word boundary)."""
    for w in ev.keep:
        for a in range(max(0, j - len(w)), i + 1):
            if text.startswith(w, a):
                return True
    if lex.is_word(text[i:j]) and j - i > 1:
        return True
    for a, b in lex.spans_over(text, i, j):
        if a < i or b > j:
            return True
    return False
