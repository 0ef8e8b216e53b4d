"""Character-level normalisation: NFC, full-width alphanumerics, invisible and control characters.

Full-width digits, Latin letters, ％ and ． become half-width; Chinese punctuation (，：；？（）)
stays, because it carries meaning the extractors and readers rely on.
"""

from __future__ import annotations

import unicodedata

import regex

from ..model import Step

# Full-width 0-9 A-Z a-z ％ ．  →  ASCII (U+FF10.. are ASCII + 0xFEE0).
_FW_CHARS = "０-９Ａ-Ｚａ-ｚ％．"
_FW_TABLE = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)}
_FW_TABLE.update({cp: cp - 0xFEE0 for cp in range(0xFF21, 0xFF3B)})
_FW_TABLE.update({cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)})
_FW_TABLE.update({ord("％"): ord("%"), ord("．"): ord(".")})

# Zero-width, bidi and soft-hyphen characters: invisible, and they split words and numbers.
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060-\u2064\ufeff\u00ad\u180e\u202a-\u202e\u2066-\u2069"
# C0/C1 controls except tab and newline (carriage returns are handled as line ends), and lone
# surrogates (a JSON "\\ud800" escape gives one): they cannot be written as UTF-8.
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff"
# Spaces that look like a space but are not one: no-break, ideographic, en/em/thin…
_SPACES = "\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"

_PATTERN = regex.compile(
    # a full-width comma between full-width digits, before exactly three: a thousands separator
    # (４，５６５万元 is 4565万元); elsewhere ， is Chinese punctuation and stays
    r"(?P<fullwidth_grouping>(?<=[０-９])，(?=[０-９]{3}(?![０-９])))|"
    rf"(?P<fullwidth>[{_FW_CHARS}]+)"
    rf"|(?P<newline>\r\n?|[\u2028\u2029\x85])"
    rf"|(?P<invisible>[{_INVISIBLE}{_CONTROL}]+)"
    rf"|(?P<space>[{_SPACES}]+)"
)


def normalize(text: str) -> tuple[str, list[Step]]:
    """NFC, half-width alphanumerics, no invisible or control characters; return text and steps."""
    steps: list[Step] = []
    if not unicodedata.is_normalized("NFC", text):
        text = _nfc(text, steps)
    out: list[str] = []
    last = 0
    delta = 0  # output position minus input position, for step spans in replay coordinates
    for m in _PATTERN.finditer(text):
        rule = m.lastgroup
        before = m.group()
        if rule == "fullwidth":
            after = before.translate(_FW_TABLE)
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
