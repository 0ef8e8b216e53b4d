"""Money, percent and exchange-rate records from one scan of the text.

``FIGURE`` finds every candidate in one pass; each match is parsed where it stands: numerals to
Decimal, qualifiers to bounds, the unit to a currency or percent unit. Then the candidates are read
together, in order: two amounts joined by 至/到/- are one range (20万元-80万元: never −80万元),
two currencies joined by 兑 are an exchange rate (kind ``rate``: 1美元兑人民币6.9元), a list
shares its currency and its 约 (分别为1860万和0.25美元, 约2.1亿和1.65亿). Bare amounts
(投资120亿, 赎回1800亿) become money only when the context makes them money. Last, each figure
gets its label, direction and sentence from the words around it (context.py).

A figure whose digits are masked or a template's X (总投资**万元, X亿元) is a record with no value
and ``masked`` set: never "one unit". Spaces inside a figure (3. 25亿元 from a PDF, 百 分 之 十二,
8 5 折) are taken out before the scan and put back in the offsets, so a record's ``text`` is always
the exact slice of the text it was found in.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Iterable

import re

from ..budget import time_left
from ..chars import HAN_CLASS, INLINE_SPACES, MASK_CHARS, PLACEHOLDER_LETTERS
from ..model import WIDE_CONTEXT, Record
from ..numerals import parse_number
from . import context
from .patterns import (
    ANCHOR,
    ANCHOR_AFTER,
    ANCHOR_BEFORE,
    ANCHOR_NEIGHBOURS,
    ENGINE,
    COUNTED_CLASS_AFTER,
    CURRENCY_PREFIXES,
    CURRENCY_WORDS,
    DIGIT_RUN,
    DIGIT_RUN_BEFORE,
    FIGURE,
    FIGURE_SPACE,
    FRACTION_BASES,
    LIST_JOIN,
    LIST_NUMBER,
    MULT_VALUES,
    OTHER_DIGIT,
    OTHER_DIGIT_CHARS,
    OTHER_DIGITS,
    OTHER_UNIT,
    PERCENT_UNIT_WORDS,
    PREFIX_ANCHOR_CHARS,
    QUAL_BEFORE_END,
    QUALIFIERS_AFTER,
    QUALIFIERS_BEFORE,
    RANGE_SEP,
    RARE_FIGURE,
    RARE_TRIGGER,
    RATE_JOIN,
    SUBUNITS,
)

MAX_NUMERAL = 24  # longer digit runs are not figures (and would be slow to parse)
MAX_CHINESE_NUMERAL = 40  # 四万八千八百二十八亿一千二百四十六万一千一百一十一 is 25 characters
PERCENT_UNITS = {**PERCENT_UNIT_WORDS, "成": "%", "折": "%"}
# Characters that may stand right before a one-character Chinese numeral: anything else makes
# the numeral part of a word (赔偿李四人民币 → not 四人民币; 统一元件 → not 一元).
_NUMERAL_OK_AFTER = set("约約近达達超逾为為是了共计計余餘多过過至到和及与與或、，,（(：: 以仅僅只值额額资資入出款价價费費金税稅息付花赚賺亏虧省收欠借贷貸赔賠罚罰奖獎捐筹籌拨撥补補")
# 统一 第一 唯一 之一 万一 …: the 一 belongs to the word, so 统一成 is not 10%.
_WORDS_ENDING_IN_ONE = set("统統第唯之万萬专專初同单單划劃归歸合")
# "近" and "超" are qualifiers only when they are not the end of another word (最近, 高超).
_QUALIFIER_WORD_END = {"近": set("最附靠临臨亲親邻鄰将將接逼"), "超": set("高赶趕")}
# 元 after a currency prefix is that currency's unit: 港币100元 is HKD, 人民币50元 CNY.
_GENERIC_YUAN = frozenset("元圆圓")
_QUALIFIER_LAST = frozenset(w[-1] for w in QUALIFIERS_BEFORE)
# a currency word of two or more characters other than the yuan's: no word ends in a numeral
# followed by one of these (一美元, 两欧元), as words do before 元 and 人民币 (统一元件, 李四人民币)
_FOREIGN_CURRENCY = frozenset(w for w, code in CURRENCY_WORDS.items() if code != "CNY" and len(w) >= 2)
_BIG_ONLY = frozenset("万萬亿億兆")  # 亿元 alone is a unit, not an amount (近亿元 is one)
_TENTHS = {"半": 5, "两": 2, "兩": 2}
_HYPHENS = frozenset("-−－")
_RANGE_SEP_ONLY = ENGINE.compile(rf"[{INLINE_SPACES}]*+{RANGE_SEP}[{INLINE_SPACES}]*+")
_UNIT_AMOUNTS = frozenset(Decimal(10) ** k for k in range(5))  # 1美元, 100日元: the base of a rate


@dataclass(slots=True)
class _Figure:
    """A parsed candidate before it becomes a record (offsets into the scanned text)."""

    start: int
    end: int
    kind: str  # money | percent | rate | bare (an amount with a multiplier and no unit yet)
    value: Decimal | None
    low: Decimal | None
    high: Decimal | None
    unit: str | None
    currency: str | None
    qualifier: str | None
    bound: str | None  # low | high | about
    approx: bool
    vague: bool = False
    negative: bool = False
    mult: str | None = None  # the multiplier written after the last number
    masked: bool = False
    hyphen: bool = False  # the sign is a hyphen, which between two amounts is a range's dash


# The first character of every RARE_TRIGGER match
_RARE_FIRST = re.compile("[" + re.escape(MASK_CHARS + PLACEHOLDER_LETTERS) + "半对對]")
_PLAIN_ARABIC = re.compile(r"[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?")
_HAN_CHAR = re.compile(f"[{HAN_CLASS}]")
_ENDS_WITH_MULT = re.compile(r"[万萬亿億千仟兆]\D{0,6}\Z")
# FIGURE's groups by position: one m.groups() call is far cheaper than a m.group(name) per field
_G = {name: i - 1 for name, i in FIGURE.groupindex.items()}
_VG, _VG2, _VUNIT, _FR, _FN1, _FN2 = (_G[k] for k in ("vg", "vg2", "vunit", "fr", "fn1", "fn2"))
_N1, _N2, _M1, _M2, _X1, _X1B, _X2, _X2B = (_G[k] for k in ("n1", "n2", "m1", "m2", "x1", "x1b", "x2", "x2b"))
_UNIT, _CP, _NEG, _NEG2, _U1, _POST = (_G[k] for k in ("unit", "cp", "neg", "neg2", "u1", "post"))
_TENTH, _FNEG, _FNEG2, _JIAO, _FEN = (_G[k] for k in ("tenth", "fneg", "fneg2", "jiao", "fen"))
_SUBUNITS = {w: Decimal(v) for w, v in SUBUNITS.items()}


@lru_cache(maxsize=4096)  # a value is written again and again (8.1, 2.2亿): 45% of econ's are repeats
def _num(raw: str, mult: str | None) -> Decimal:
    if raw.isdigit() and raw.isascii():  # the common cases first, in integers: 30, 2.2亿, 8.1
        return Decimal(int(raw) * MULT_VALUES[mult]) if mult else Decimal(raw)
    whole, point, frac = raw.partition(".")
    if point and whole.isdigit() and frac.isdigit() and whole.isascii() and frac.isascii():
        scale = 10 ** len(frac)
        if mult and MULT_VALUES[mult] % scale == 0:  # 2.2亿 = 22 * 10^7, exactly
            return Decimal(int(whole + frac) * (MULT_VALUES[mult] // scale))
        if not mult and frac[-1] != "0":
            return Decimal(raw)  # 8.1, 0.25: already as short as it gets
    if _PLAIN_ARABIC.fullmatch(raw):
        v = Decimal(raw.replace(",", ""))
        return tidy(WIDE_CONTEXT.multiply(v, MULT_VALUES[mult]) if mult else v)
    if raw[0] in "百千万亿佰仟萬億兆":
        raw = "一" + raw  # 百亿 = 一百亿 when it stands alone (近百亿元)
    v = parse_number(raw)
    return tidy(WIDE_CONTEXT.multiply(v, MULT_VALUES[mult]) if mult else v)


def tidy(v: Decimal) -> Decimal:
    """Integral values without exponent or trailing zeros (Decimal('72000000'), not '7.2E+7')."""
    if abs(v) >= Decimal(10) ** 60:
        return v
    if v == v.to_integral_value():
        return v.quantize(Decimal(1), context=WIDE_CONTEXT)
    return v.normalize(context=WIDE_CONTEXT)


def _parse(m: re.Match, text: str) -> _Figure | None:
    """Parse one FIGURE match; None when it is not a figure after all."""
    start = m.start()
    q = _qualifier_before(text, start)
    if q:
        start -= len(q)
    bound = QUALIFIERS_BEFORE.get(q) if q else None
    qualifier = q
    g = m.groups()
    post = g[_POST]
    end = m.end()

    if g[_VG] or g[_VG2]:
        cur = CURRENCY_WORDS.get(g[_VUNIT] or "元", "CNY")
        word = g[_VG] or g[_VG2]
        word = word[:2] if word[0] == "十" and g[_VG] else word[:1]  # 十几亿元: 十几; 数十亿元: 数
        return _Figure(start, end, "money", None, None, None, cur, cur, qualifier or word, None, True, vague=True)

    if g[_FR]:
        return _parse_fraction(m, g, start, end, qualifier, bound, post)

    n1, n2 = g[_N1], g[_N2]
    if _too_long(n1) or (n2 and _too_long(n2)):
        return None
    unit_word = g[_UNIT]
    cp = g[_CP]
    if not cp and not q and _big_only(n1) or n2 and _big_only(n2):
        return None  # 亿元, 万元 alone: a unit with no number (after a mask or a foreign digit)
    # A one-character Chinese numeral glued to the word before it is part of that word.
    if not n1[0].isdigit() and len(n1) == 1 and not cp and not q:
        prev = text[m.start("n1") - 1] if m.start("n1") else ""
        if unit_word in ("成", "折"):
            if prev in _WORDS_ENDING_IN_ONE:
                return None
        elif prev and _HAN_CHAR.match(prev) and prev not in _NUMERAL_OK_AFTER:
            if unit_word not in _FOREIGN_CURRENCY or prev in _WORDS_ENDING_IN_ONE:
                return None  # 李四人民币, 统一元件; but 这台电脑两美元 is two dollars
    m1, m2 = g[_M1], g[_M2]
    if m1 and text[m.end("n1")] in "个個" and COUNTED_CLASS_AFTER.match(text, end):
        return None  # 45个亿元以上项目: 45 projects of the 亿元 class, not 45亿元
    x = g[_X1] or g[_X1B] or g[_X2] or g[_X2B]
    if x and not qualifier:
        qualifier, bound = x, "low"
    if post and not qualifier:
        qualifier, bound = post, QUALIFIERS_AFTER[post]
    elif post:
        qualifier = f"{qualifier}…{post}"
        bound = bound or QUALIFIERS_AFTER[post]
    try:
        if n2 is not None and not m1 and m2 and (n1[0].isdigit() == n2[0].isdigit()):
            m1 = m2  # 6-8亿元: the multiplier is shared
        v1 = _num(n1, m1)
        v2 = _num(n2, m2) if n2 is not None else None
    except (ValueError, ArithmeticError):
        return None
    sign, lead = g[_NEG], "n1"  # the sign and group of the number the figure is read from
    neg1 = bool(sign) and sign != "+"
    hyphen = sign in _HYPHENS and not cp
    if neg1:
        v1 = -v1
    if v2 is not None and g[_NEG2]:
        v2 = -v2
    if v2 is not None and v2 < v1:
        # not a range after all (2020-8%): keep the figure after the separator, read as it stands
        # (9~四成 is 四成: its numeral, multiplier and sign, never the first number's)
        v1, v2, start, neg1 = v2, None, m.start("n2") - (1 if g[_NEG2] else 0), bool(g[_NEG2])
        n1, n2, m1, sign, lead = n2, None, m2, g[_NEG2], "n2"
        hyphen, cp = False, None  # the prefix stays with the first number ($1~0元: 0元 is CNY)
        qualifier = post
        bound = QUALIFIERS_AFTER.get(post) if post else None

    if unit_word in PERCENT_UNITS:
        unit = PERCENT_UNITS[unit_word]
        if unit_word in ("成", "折"):
            if m1 or sign or not _fraction_word_ok(n1, v1, unit_word, text, m.start(lead)):
                return None
            if n2 is not None:  # 一到两成, 七至八折: both ends in tenths
                if g[_TENTH] or not _fraction_word_ok(n2, v2, unit_word, text, m.start("n2")):  # type: ignore[arg-type]
                    return None
                v2 = _tenths(v2, unit_word)  # type: ignore[arg-type]
            # 七成 = 70%, 十成 = 100%; 八折 = 80%, 七五折 and 7.5折 = 75%
            v1 = _tenths(v1, unit_word)
            if g[_TENTH]:
                if v1 % 10 or x:  # 一成五 only after a whole number of tenths: not 1.5成五, 一成多五
                    return None
                v1 += _TENTHS.get(g[_TENTH]) or parse_number(g[_TENTH])
        if g[_U1] and g[_U1] != unit_word:
            return None
        fig = _range_or_single(start, end, "percent", v1, v2, unit, None, qualifier, bound, None)
        fig.negative, fig.hyphen = neg1, hyphen
        return fig
    if cp and not unit_word:
        currency = CURRENCY_PREFIXES[cp]
    elif unit_word:
        currency = CURRENCY_WORDS[unit_word]
        if cp and CURRENCY_PREFIXES[cp] != currency:
            if unit_word not in _GENERIC_YUAN:
                return None  # 美元100英镑: two currencies, no figure
            currency = CURRENCY_PREFIXES[cp]  # 港币100元 is 100 HKD
    else:
        currency = None
    if currency is None:
        # bare amount with a multiplier: money only if no other unit follows
        if OTHER_UNIT.match(text, end) or g[_U1]:
            return None
        fig = _range_or_single(start, end, "bare", v1, v2, None, None, qualifier, bound, None)
        fig.mult = m2 or m1 or _trailing_mult(n1)
        fig.hyphen = hyphen
        return fig
    if g[_U1]:
        return None
    scale = _SUBUNITS.get(unit_word)  # type: ignore[arg-type]
    if scale is not None:  # 50美分 = 0.5 USD
        v1 = tidy(v1 * scale)
        v2 = tidy(v2 * scale) if v2 is not None else None
    if g[_JIAO] and v2 is None:  # 一元五角 = 1.5
        try:
            v1 = tidy(v1 + parse_number(g[_JIAO]) / 10 + (parse_number(g[_FEN]) / 100 if g[_FEN] else 0))
        except ValueError:
            return None
    fig = _range_or_single(start, end, "money", v1, v2, currency, currency, qualifier, bound, None)
    fig.mult = m2 or m1 or _trailing_mult(n1)
    fig.hyphen = hyphen
    return fig


def _parse_rare(m: re.Match, text: str) -> _Figure:
    """Parse one RARE_FIGURE match: a masked amount (no value) or 半成, 半折, 对折."""
    start, end = m.start(), m.end()
    post = m.group("post")
    if m.group("hf"):  # 半成 = 5 %; 半折, 对折 = 50 %
        q = _qualifier_before(text, start)
        v = Decimal(5 if m.group("hf") == "半" and m.group("hfu") == "成" else 50)
        bound = QUALIFIERS_BEFORE.get(q) if q else None
        return _range_or_single(start - len(q or ""), end, "percent", v, None, "%", None, q, bound, post)
    while start and text[start - 1] in "0123456789" and m.start() - start < 3:
        start -= 1  # 3**万元: the digits left visible belong to the masked figure
    q = _qualifier_before(text, start)
    qualifier, bound = q, QUALIFIERS_BEFORE.get(q) if q else None
    if post and not qualifier:
        qualifier, bound = post, QUALIFIERS_AFTER[post]
    unit_word = m.group("mku")
    if unit_word in PERCENT_UNIT_WORDS:
        unit, cur, kind = PERCENT_UNIT_WORDS[unit_word], None, "percent"
    else:
        unit = cur = CURRENCY_WORDS[unit_word]
        kind = "money"
    start -= len(q or "")
    return _Figure(start, end, kind, None, None, None, unit, cur, qualifier, bound, bound is not None, masked=True)


def _parse_fraction(
    m: re.Match, g: tuple, start: int, end: int, qualifier: str | None, bound: str | None, post: str | None
) -> _Figure | None:
    """百分之十二点五, 千分之三, 万分之八, 百万分之三, 百分之五至百分之八."""
    unit, divisor = FRACTION_BASES[g[_FR]]
    if _too_long(g[_FN1]) or (g[_FN2] and _too_long(g[_FN2])):
        return None  # 百分之 and a hundred digits: no percentage, and no end to the scan window
    try:
        v1 = _num(g[_FN1], None)
        v2 = _num(g[_FN2], None) if g[_FN2] else None
    except (ValueError, ArithmeticError):
        return None
    if divisor != 1:  # 百万分之三 = 0.0003 %
        v1 = tidy(WIDE_CONTEXT.divide(v1, divisor))
        v2 = tidy(WIDE_CONTEXT.divide(v2, divisor)) if v2 is not None else None
    if g[_FNEG] or g[_FNEG2]:  # 负百分之五, 百分之负五: -5 %
        if v2 is not None:
            return None
        fig = _range_or_single(start, end, "percent", -v1, None, unit, None, qualifier, bound, post)
        fig.negative = True
        return fig
    if v2 is not None and v2 < v1:  # 百分之八到百分之五 is two figures: this one ends at 八
        return _range_or_single(start, m.end("fn1"), "percent", v1, None, unit, None, qualifier, bound, None)
    return _range_or_single(start, end, "percent", v1, v2, unit, None, qualifier, bound, post)


def _big_only(numeral: str) -> bool:
    return numeral[0] in _BIG_ONLY and not numeral.strip("万萬亿億兆")


def _tenths(v: Decimal, unit_word: str) -> Decimal:
    """七成 = 70 %; 八折 = 80 %, but 八五折 = 85 % (two digits are read as they stand)."""
    return tidy(v * 10 if unit_word == "成" or v < 10 else v)


def _too_long(numeral: str) -> bool:
    return len(numeral) > (MAX_NUMERAL if numeral[0].isdigit() else MAX_CHINESE_NUMERAL)


def _windows(text: str) -> list[tuple[int, int]]:
    """Merged spans around every anchor (unit, multiplier, currency sign): where figures can be."""
    spans: list[tuple[int, int]] = []
    n = len(text)
    neighbours = ANCHOR_NEIGHBOURS
    reach = ANCHOR_BEFORE + 1  # an anchor's window ends at most this far after it
    lo_now = hi_now = -reach  # the window being built
    for a in ANCHOR.finditer(text):
        i = a.start()
        if i + reach <= hi_now:
            continue  # inside the window and cannot lengthen it (most anchors of figure-dense text)
        g = text[i]
        need = neighbours.get(g)
        if need is not None and not (
            (i and text[i - 1] in need[0]) or (need[1] and i + 1 < n and text[i + 1] in need[1])
        ):
            continue  # 分 成 金 … away from the words they anchor (部分, 完成, 黄金)
        lo = i - ANCHOR_BEFORE if i > ANCHOR_BEFORE else 0
        # a currency sign or 百分之 comes before its number: the figure runs on after it
        hi = i + 1 + (ANCHOR_BEFORE if g in PREFIX_ANCHOR_CHARS else ANCHOR_AFTER)
        if hi > n:
            hi = n
        if lo <= hi_now:
            if hi > hi_now:
                hi_now = hi
        else:
            if hi_now > 0:
                spans.append((lo_now, hi_now))
            lo_now, hi_now = lo, hi
    if hi_now > 0:
        spans.append((lo_now, hi_now))
    return spans


def _qualifier_before(text: str, start: int) -> str | None:
    """The qualifier word ending right before a figure (超过30亿元), unless it ends another word."""
    if not start or text[start - 1] not in _QUALIFIER_LAST:
        return None  # most figures: no qualifier word can end here
    q = QUAL_BEFORE_END.search(text, max(0, start - 3), start)
    if q is None:
        return None
    word = q.group()
    prev = text[q.start() - 1] if q.start() else ""
    if prev and prev in _QUALIFIER_WORD_END.get(word, ()):
        return None  # 最近 附近 高超: not a qualifier
    return word


def _glued_numeral(m: re.Match) -> bool:
    """The match began with a one-character numeral that belongs to the word before it."""
    n1 = m.group("n1")
    return n1 is not None and len(n1) == 1 and not n1.isdigit()


def _trailing_mult(numeral: str) -> str | None:
    return numeral[-1] if numeral and numeral[-1] in "万萬亿億千仟兆" else None


def _fraction_word_ok(n1: str, value: Decimal, unit_word: str, text: str, pos: int) -> bool:
    """七成 / 八折 / 8.5折 are fractions; 万成, 一波三折, 百折, 十折 (no discount) are not."""
    if any(c in n1 for c in "百千万亿佰仟萬億兆"):
        return False
    if unit_word == "成" and not (0 < value <= 10):
        return False
    # 折 is a price in tenths: one digit (八折), or two read as digits (八八折, 75折, 8.5折)
    if unit_word == "折" and (not (0 < value < 100) or value == 10 or any(c in n1 for c in "十拾")):
        return False
    return not (pos and text[pos - 1] in "波曲周转轉对對")


def _range_or_single(
    start: int, end: int, kind: str, v1: Decimal, v2: Decimal | None, unit: str | None,
    currency: str | None, qualifier: str | None, bound: str | None, post: str | None,
) -> _Figure:  # fmt: skip
    if post and not qualifier:
        qualifier, bound = post, QUALIFIERS_AFTER[post]
    if v2 is not None:
        return _Figure(start, end, kind, None, v1, v2, unit, currency, qualifier, bound, True)
    low = high = v1
    if bound == "low":
        high = None
    elif bound == "high":
        low = None
    elif bound == "about":
        low = high = None
    return _Figure(start, end, kind, v1, low, high, unit, currency, qualifier, bound, bound is not None)


# ------------------------------------------------------------------------- spaces inside figures


def _join_spaces(text: str) -> tuple[str, list[int], list[int]]:
    """The text with the spaces inside figures taken out, and how to map offsets back.

    Returns ``(scan, at, total)``: a character at ``i`` in ``scan`` was at ``i + total[k - 1]`` in
    ``text``, where ``k = bisect_right(at, i)`` (no shift when k == 0). Two digit runs are joined
    only when they are letter-spaced (8 5 折) or groups of three (1 000 000元); a point at the
    start of a line is a list number (1. 25亿元的项目), not a decimal point.
    """
    if not any(c in text for c in INLINE_SPACES):
        return text, [], []
    cuts: list[tuple[int, int]] = []
    for m in FIGURE_SPACE.finditer(text):
        a, b = m.span()
        left, right = text[a - 1], text[b]
        if left.isdecimal() and right.isdecimal():
            if not _digits_join(text, a, b):
                continue
        elif left in ".．":
            if not (a >= 2 and text[a - 2].isdecimal()) or LIST_NUMBER.search(text, max(0, a - 8), a):
                continue
        cuts.append((a, b))
    if not cuts:
        return text, [], []
    parts: list[str] = []
    at: list[int] = []
    total: list[int] = []
    prev = removed = 0
    for a, b in cuts:
        parts.append(text[prev:a])
        removed += b - a
        at.append(b - removed)
        total.append(removed)
        prev = b
    parts.append(text[prev:])
    return "".join(parts), at, total


def _digits_join(text: str, a: int, b: int) -> bool:
    """Whether the space text[a:b] between two digits is inside one number."""
    nl = _run_length(DIGIT_RUN_BEFORE.search(text, max(0, a - 30), a))
    nr = _run_length(DIGIT_RUN.match(text, b))
    if nl == 1 and nr == 1:
        return b - a <= 2  # 8 5 折, 5 5亿: letters spaced out (a wider gap between digits is a table's)
    if b - a != 1 or nr != 3 or not 1 <= nl <= 3:
        return False
    # groups of three: a group after this one (1 000 000), or a group before it (…000 000)
    after = b + 3
    more = after < len(text) and text[after] in INLINE_SPACES and _run_length(DIGIT_RUN.match(text, after + 1)) == 3
    if more:
        return True
    head = a - nl
    return nl == 3 and head >= 2 and text[head - 1] in INLINE_SPACES and text[head - 2].isdecimal()


def _run_length(m: re.Match | None) -> int:
    return m.end() - m.start() if m else 0


def _to_text(i: int, at: list[int], total: list[int]) -> int:
    k = bisect_right(at, i)
    return i + total[k - 1] if k else i


# ------------------------------------------------------------------------------- the scan


def _scan(text: str, rare_chars: bool = True) -> list[_Figure]:
    """Every candidate figure in ``text``, in order, each parsed alone (``rare_chars`` False: the
    caller knows ``text`` holds no mask or placeholder letter)."""
    figs: list[_Figure] = []
    for seg_start, seg_end in _windows(text):
        pos = seg_start
        while True:
            time_left()  # raises when the document's budget is spent (each search is linear)
            m = FIGURE.search(text, pos, seg_end)
            if m is None:
                break
            f = _parse(m, text)
            if f is not None:
                figs.append(f)
                pos = f.end  # the match's end, or earlier when it held two figures
            elif _glued_numeral(m):
                pos = m.start("n1") + 1  # 李四人民币50元: rescan after the word's numeral
            else:
                pos = m.end()
    # masks and 半成/对折: rare, so scanned only when present
    if _has_rare(text) if rare_chars else any(w in text for w in _HALF_WORDS):
        rare = [_parse_rare(m, text) for m in RARE_FIGURE.finditer(text)]
        if rare:
            figs = sorted(figs + rare, key=lambda f: f.start)
    return figs


_HALF_WORDS = ("半成", "半折", "对折", "對折")  # RARE_TRIGGER's words (the rest of it is one class of marks)
# The rare characters of three stages in one class: digits of other scripts (made ASCII for the
# scan), masks and placeholder letters (RARE_FIGURE), the Traditional characters of the label
# words (context.simplified). Most texts hold none of them: one scan for all three costs a third
# of a scan for each (three were ~8% of money+percent extraction on figure-dense news).
_RARE_CHARS = re.compile(
    f"[{OTHER_DIGIT_CHARS}{re.escape(MASK_CHARS + PLACEHOLDER_LETTERS)}{context.TRADITIONAL_CHARS}]"
)


def _has_rare(text: str) -> bool:
    """Whether ``text`` holds a mask or 半成/对折 (RARE_TRIGGER), found by a scan for one class
    of characters first: three times faster than RARE_TRIGGER's search over a text without one."""
    return any(RARE_TRIGGER.match(text, m.start()) for m in _RARE_FIRST.finditer(text))


def find_figures(text: str, kinds: Iterable[str] = ("money", "percent"), doc_id: str | None = None) -> list[Record]:
    """Money, percent and (when asked for) exchange-rate records in ``text``, in order of appearance."""
    want = set(kinds)
    rare = _RARE_CHARS.search(text) is not None  # what follows asks which only when there is one
    scan = text.translate(OTHER_DIGITS) if rare and OTHER_DIGIT.search(text) else text  # ٢٠亿元: same length
    scan, at, total = _join_spaces(scan)
    figs = _merge_ranges(_scan(scan, rare), scan)
    _share_units(figs, scan)
    figs = _rates(figs, scan)
    _share_about(figs, scan)
    reader = context.Reader(scan, traditional=rare) if figs else None
    approx_words = reader is not None and context.may_approx(reader.read)
    sentences: context.Sentences | None = None
    out: list[Record] = []
    prev: _Figure | None = None
    prev_label = prev_direction = None
    for f in figs:
        if f.kind == "bare":
            if not reader.is_money(f.start, f.end):  # type: ignore[union-attr]
                continue
            f.kind, f.unit, f.currency = "money", "CNY", "CNY"
        if f.kind not in want:
            continue
        assert reader is not None
        sentences = sentences or context.Sentences(text)
        if f.kind == "rate":
            label = direction = None
        elif f.kind == "money":
            label = reader.money_label(f.start, f.end)
            direction = None
        else:
            label = reader.percent_label(f.start, f.end)
            direction = reader.direction(f.start, f.negative or (f.value is not None and f.value < 0))
        if approx_words and f.kind != "rate" and f.qualifier is None and f.value is not None:
            word = reader.approx_before(f.start)  # 大约需要投资3000亿元: 约 before the verb
            if word:
                f.qualifier, f.bound, f.approx, f.low, f.high = word, "about", True, None, None
        if prev is not None and prev.kind == f.kind and LIST_JOIN.fullmatch(scan, prev.end, f.start):
            # 分别达到44.97亿元、34.89亿元和24.54亿元: later items share the first one's context
            label = label or prev_label
            direction = direction or prev_direction
        start, end = (_to_text(f.start, at, total), _to_text(f.end - 1, at, total) + 1) if at else (f.start, f.end)
        # positional, in the order of Record's fields (kind, text, start, end, value, unit, currency,
        # low, high, approx, qualifier, direction, label, project, sentence, doc_id, vague,
        # location, type, stage, masked): matching 17 keywords cost 4k instructions a record
        out.append(
            Record(
                f.kind, text[start:end], start, end, f.value, f.unit,  # type: ignore[arg-type]
                f.currency if f.kind in ("money", "rate") else None, f.low, f.high, f.approx,
                f.qualifier, direction, label, None, sentences.around(start), doc_id, f.vague,
                None, None, None, f.masked,
            )
        )
        prev, prev_label, prev_direction = f, label, direction
    return out


# --------------------------------------------------------------------- figures read together


def _merge_ranges(figs: list[_Figure], text: str) -> list[_Figure]:
    """20万元-80万元, 1500元到2000元: two amounts joined by a range word are one range.

    A hyphen between two amounts is the range's dash, never a minus sign: when the two do not
    make a range (the second is smaller), the second keeps its value without the sign.
    """
    out: list[_Figure] = []
    for f in figs:
        prev = out[-1] if out else None
        if prev is None or not _single(prev) or not _single(f) or _kind(prev) != _kind(f):
            out.append(f)
            continue
        dash = prev.end == f.start and f.hyphen
        if not dash and not _RANGE_SEP_ONLY.fullmatch(text, prev.end, f.start):
            out.append(f)
            continue
        v2 = -f.value if dash else f.value  # type: ignore[operator]
        if dash:  # the hyphen leaves the second figure
            f = _range_or_single(f.start + 1, f.end, f.kind, v2, None, f.unit, f.currency, f.qualifier, f.bound, None)
        unit = prev.unit or f.unit
        if prev.unit and f.unit and prev.unit != f.unit or v2 <= prev.value:  # type: ignore[operator]
            out.append(f)
            continue
        kind = "money" if "money" in (prev.kind, f.kind) else prev.kind
        qualifier = prev.qualifier or f.qualifier
        merged = _range_or_single(prev.start, f.end, kind, prev.value, v2, unit, unit if kind == "money" else None, qualifier, None, None)  # type: ignore[arg-type]
        merged.bound = prev.bound or f.bound
        merged.mult = f.mult
        out[-1] = merged
    return out


def _single(f: _Figure) -> bool:
    return f.value is not None and not f.vague and not f.masked and f.kind in ("money", "bare", "percent")


def _kind(f: _Figure) -> str:
    return "money" if f.kind == "bare" else f.kind


def _share_units(figs: list[_Figure], text: str) -> None:
    """0.72亿和0.45亿美元 / 分别为1860万和0.25美元: a listed amount takes the last one's unit."""
    for i in range(len(figs) - 2, -1, -1):
        f, nxt = figs[i], figs[i + 1]
        if f.kind != "bare" or nxt.kind not in ("money", "bare"):
            continue
        if not LIST_JOIN.fullmatch(text, f.end, nxt.start):
            continue
        if nxt.kind == "money" and nxt.currency == "CNY" and nxt.mult is None and not _ends_with_mult(text, nxt):
            continue  # 5万、20元: different scales, no shared unit (a foreign currency is shared)
        if nxt.kind == "money":
            f.kind, f.unit, f.currency = "money", nxt.unit, nxt.currency


def _rates(figs: list[_Figure], text: str) -> list[_Figure]:
    """1美元兑人民币6.9元: two currencies joined by 兑/对/= are an exchange rate, not two amounts.

    The rate's value is the second currency per one unit of the first (6.9), its unit the pair as
    markets write it, base/quote (``USD/CNY``), its currency the quote currency.
    """
    out: list[_Figure] = []
    i = 0
    while i < len(figs):
        f = figs[i]
        nxt = figs[i + 1] if i + 1 < len(figs) else None
        if (
            nxt is not None and f.kind == "money" and nxt.kind == "money" and f.currency != nxt.currency
            and f.value in _UNIT_AMOUNTS and f.bound is None and nxt.value is not None
            and RATE_JOIN.fullmatch(text, f.end, nxt.start)
        ):  # fmt: skip
            v = tidy(WIDE_CONTEXT.divide(nxt.value, f.value))
            rate = _range_or_single(f.start, nxt.end, "rate", v, None, f"{f.currency}/{nxt.currency}", nxt.currency, nxt.qualifier, nxt.bound, None)
            out.append(rate)
            i += 2
            continue
        out.append(f)
        i += 1
    return out


def _share_about(figs: list[_Figure], text: str) -> None:
    """约2.1亿和1.65亿: an 约 before the first of a list covers every amount in it."""
    for f, nxt in zip(figs, figs[1:]):
        if (
            f.bound == "about" and f.qualifier in QUALIFIERS_BEFORE and nxt.qualifier is None
            and nxt.value is not None and _kind(f) == _kind(nxt) and LIST_JOIN.fullmatch(text, f.end, nxt.start)
        ):  # fmt: skip
            nxt.qualifier, nxt.bound, nxt.approx, nxt.low, nxt.high = f.qualifier, "about", True, None, None


def _ends_with_mult(text: str, f: _Figure) -> bool:
    return _ENDS_WITH_MULT.search(text[f.start : f.end]) is not None
