"""Character-level normalisation: NFC, full-width alphanumerics, invisible and control characters.

Full-width digits, Latin letters, ％ and ． become half-width; Chinese punctuation (，：；？（）)
stays, because it carries meaning the extractors and readers rely on.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterator

import regex

from ..chars import CONTROL_CLASS, FULLWIDTH_ALNUM, FULLWIDTH_ALNUM_CLASS, INVISIBLE_CLASS, ODD_SPACES_CLASS
from ..model import Step

# The classes come from the one table of characters: full-width 0-9 A-Z a-z ％ ． (→ ASCII),
# invisible characters (they split words and numbers), controls and lone surrogates (not
# writable as UTF-8), and spaces that look like a space but are not one.
_PATTERN = re.compile(
    # a full-width comma between full-width digits, before exactly three: a thousands separator
    # (４，５６５万元 is 4565万元); elsewhere ， is Chinese punctuation and stays
    r"(?P<fullwidth_grouping>(?<=[０-９])，(?=[０-９]{3}(?![０-９])))|"
    rf"(?P<fullwidth>[{FULLWIDTH_ALNUM_CLASS}]+)"
    rf"|(?P<newline>\r\n?|[\u2028\u2029\x85])"
    rf"|(?P<invisible>[{INVISIBLE_CLASS}{CONTROL_CLASS}]+)"
    rf"|(?P<space>[{ODD_SPACES_CLASS}]+)"
)
# Every match of _PATTERN starts at one of these characters, or is a grouping comma right after a
# match (a run of full-width digits); most texts hold none. The matches are found by jumping
# from one of these to the next with a stdlib class scan and matching _PATTERN there: a search
# with _PATTERN itself would try its five branches at every character.
_FIRST = re.compile(
    rf"[{FULLWIDTH_ALNUM_CLASS}\r\u2028\u2029\x85{INVISIBLE_CLASS}{CONTROL_CLASS}{ODD_SPACES_CLASS}]"
)


def normalize(text: str) -> tuple[str, list[Step]]:
    """NFC, half-width alphanumerics, no invisible or control characters; return text and steps."""
    steps: list[Step] = []
    if _attention().search(text) is None:  # most texts: nothing to change, found in one scan
        return text, steps
    if not unicodedata.is_normalized("NFC", text):
        text = _nfc(text, steps)
    first = _FIRST.search(text)
    if first is None:
        return text, steps
    out: list[str] = []
    last = 0
    delta = 0  # output position minus input position, for step spans in replay coordinates
    for m in _matches(text, first.start()):
        rule = m.lastgroup
        before = m.group()
        if rule == "fullwidth":
            after = before.translate(FULLWIDTH_ALNUM)
        elif rule == "fullwidth_grouping":
            after = ","
        elif rule == "newline":
            after = "\n"
        elif rule == "space":
            after = " " * len(before)
        else:
            after = ""
        out.append(text[last : m.start()])
        out.append(after)
        last = m.end()
        start = m.start() + delta
        steps.append(Step("normalize", start, start + len(before), before, after, rule))
        delta += len(after) - len(before)
    out.append(text[last:])
    return "".join(out), steps


@lru_cache(maxsize=1)
def _attention() -> "re.Pattern[str]":
    """A class of the characters of _FIRST and of every character NFC could change or join to the
    one before it: each with a canonical decomposition, a non-zero combining class or a place as
    the second of a canonical pair, the Hangul jamo, and all above the BMP (rare; one range). A
    text without any is NFC (nothing decomposes, reorders or composes) and needs no step: one
    stdlib scan instead of is_normalized and _FIRST's (built on first use, in 0.04 s)."""
    chars: set[int] = set(range(0x1100, 0x1200))
    for cp in range(0x10000):
        c = chr(cp)
        parts = unicodedata.decomposition(c).split()
        if parts and not parts[0].startswith("<"):  # canonical: NFD changes it
            chars.add(cp)
            if len(parts) == 2:  # and its second part may compose with what precedes it
                chars.add(int(parts[1], 16))
        elif unicodedata.combining(c):
            chars.add(cp)
    body = "".join(re.escape(chr(cp)) for cp in sorted(chars) if not 0xD800 <= cp <= 0xDFFF)
    return re.compile(f"[{_FIRST.pattern[1:-1]}{body}\U00010000-\U0010ffff]")


def _matches(text: str, pos: int) -> "Iterator[re.Match[str]]":
    """The matches _PATTERN.finditer(text, pos) gives, ``pos`` being a character of _FIRST."""
    while True:
        m = _PATTERN.match(text, pos)  # a character of _FIRST starts a match of one branch
        yield m  # type: ignore[misc]
        pos = m.end()  # type: ignore[union-attr]
        if text.startswith("，", pos):  # after full-width digits, perhaps a grouping comma
            comma = _PATTERN.match(text, pos)
            if comma is not None:
                yield comma
                pos += 1
        nxt = _FIRST.search(text, pos)
        if nxt is None:
            return
        pos = nxt.start()


def _nfc(text: str, steps: list[Step]) -> str:
    """NFC cluster by cluster, so each change is its own small step."""
    out: list[str] = []
    pos = 0  # position in the output so far (== replay coordinates)
    for m in _CLUSTER.finditer(text):
        cluster = m.group()
        fixed = unicodedata.normalize("NFC", cluster)
        if fixed != cluster:
            steps.append(Step("normalize", pos, pos + len(cluster), cluster, fixed, "nfc"))
        out.append(fixed)
        pos += len(fixed)
    return "".join(out)


# A base character with the marks that may compose with it (Hangul jamo included).
_CLUSTER = regex.compile(r"(?s).[\p{M}\u1160-\u11ff]*")
