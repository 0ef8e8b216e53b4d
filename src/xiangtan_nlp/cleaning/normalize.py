"""Character-level normalisation: NFC, full-width alphanumerics, invisible and control characters.

Full-width digits, Latin letters, ％ and ． become half-width; Chinese punctuation (，：；？（）)
stays, because it carries meaning the extractors and readers rely on.
"""

from __future__ import annotations

import re
import unicodedata

import regex

from ..chars import CONTROL_CLASS, FULLWIDTH_ALNUM, FULLWIDTH_ALNUM_CLASS, INVISIBLE_CLASS, ODD_SPACES_CLASS
from ..model import Step

# The classes come from the one table of characters: full-width 0-9 A-Z a-z ％ ． (→ ASCII),
# invisible characters (they split words and numbers), controls and lone surrogates (not
# writable as UTF-8), and spaces that look like a space but are not one.
_PATTERN = regex.compile(
    # a full-width comma between full-width digits, before exactly three: a thousands separator
    # (４，５６５万元 is 4565万元); elsewhere ， is Chinese punctuation and stays
    r"(?P<fullwidth_grouping>(?<=[０-９])，(?=[０-９]{3}(?![０-９])))|"
    rf"(?P<fullwidth>[{FULLWIDTH_ALNUM_CLASS}]+)"
    rf"|(?P<newline>\r\n?|[\u2028\u2029\x85])"
    rf"|(?P<invisible>[{INVISIBLE_CLASS}{CONTROL_CLASS}]+)"
    rf"|(?P<space>[{ODD_SPACES_CLASS}]+)"
)
# Every match of _PATTERN starts at (or, for the grouping comma, just after) one of these
# characters, and most texts hold none: a stdlib scan for one class finds the first in a tenth of
# the time _PATTERN takes to scan a text with nothing to change.
_FIRST = re.compile(
    rf"[{FULLWIDTH_ALNUM_CLASS}\r\u2028\u2029\x85{INVISIBLE_CLASS}{CONTROL_CLASS}{ODD_SPACES_CLASS}]"
)


def normalize(text: str) -> tuple[str, list[Step]]:
    """NFC, half-width alphanumerics, no invisible or control characters; return text and steps."""
    steps: list[Step] = []
    if not unicodedata.is_normalized("NFC", text):
        text = _nfc(text, steps)
    first = _FIRST.search(text)
    if first is None:
        return text, steps
    out: list[str] = []
    last = 0
    delta = 0  # output position minus input position, for step spans in replay coordinates
    for m in _PATTERN.finditer(text, first.start()):
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
