"""Money and percent records from one scan of the text.

``FIGURE`` finds every candidate in one pass; each match is parsed where it stands: numerals to
Decimal, qualifiers to bounds, the unit to a currency or percent unit, the clause before it to a
label and a direction. Bare amounts (投资120亿, 0.72亿和0.45亿美元) become money only when the
context makes them money.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

import regex

from ..budget import time_left
from ..chars import HAN_CLASS
from ..model import WIDE_CONTEXT, Record
from ..numerals import parse_number
from . import context
from .patterns import (
    ANCHOR,
    ANCHOR_AFTER,
    ANCHOR_BEFORE,
    PREFIX_ANCHOR_CHARS,
    QUAL_BEFORE_END,
    CURRENCY_PREFIXES,
    CURRENCY_WORDS,
    FIGURE,
    LIST_JOIN,
    OTHER_UNIT,
    QUALIFIERS_AFTER,
    QUALIFIERS_BEFORE,
)

MAX_NUMERAL = 24  # longer digit runs are not figures (and would be slow to parse)
MAX_CHINESE_NUMERAL = 40  # 四万八千八百二十八亿一千二百四十六万一千一百一十一 is 25 characters
PERCENT_UNITS = {"%": "%", "‰": "‰", "个百分点": "pp", "百分点": "pp", "成": "%", "折": "%"}
# Characters that may stand right before a one-character Chinese numeral: anything else makes
# the numeral part of a word (赔偿李四人民币 → not 四人民币; 统一元件 → not 一元).
_NUMERAL_OK_AFTER = set("约近达超逾为是了共计余多过至到和及与或、，,（(：: 以仅只值额资入出款价费金税息付花赚亏省收欠借贷赔罚奖捐筹拨补")
# 统一 第一 唯一 之一 万一 …: the 一 belongs to the word, so 统一成 is not 10%.
_WORDS_ENDING_IN_ONE = set("统第唯之万专初同单划归合")
# "近" and "超" are qualifiers only when they are not the end of another word (最近, 高超).
_QUALIFIER_WORD_END = {"近": set("最附靠临亲邻将接逼"), "超": set("高赶")}


@dataclass(slots=True)
class _Figure:
    """A parsed candidate before it becomes a record."""

    start: int
    end: int
    kind: str  # money | percent | bare (an amount with a multiplier and no unit yet)
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


_MULT_VALUE = {
    "万亿": 10**12, "千亿": 10**11, "百亿": 10**10, "十亿": 10**9, "亿": 10**8,
    "千万": 10**7, "百万": 10**6, "十万": 10**5, "万": 10**4, "千": 10**3,
}  # fmt: skip
_PLAIN_ARABIC = regex.compile(r"[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?")
_HAN_CHAR = regex.compile(f"[{HAN_CLASS}]")
_ENDS_WITH_MULT = regex.compile(r"[万亿千]\D{0,6}\Z")
# FIGURE's groups by position: one m.groups() call is far cheaper than a m.group(name) per field
_G = {name: i - 1 for name, i in FIGURE.groupindex.items()}
_VG, _VG2, _VUNIT, _FR, _FN1, _FN2 = (_G[k] for k in ("vg", "vg2", "vunit", "fr", "fn1", "fn2"))
_N1, _N2, _M1, _M2, _X1, _X1B, _X2, _X2B = (_G[k] for k in ("n1", "n2", "m1", "m2", "x1", "x1b", "x2", "x2b"))
_UNIT, _CP, _NEG, _NEG2, _U1, _POST = (_G[k] for k in ("unit", "cp", "neg", "neg2", "u1", "post"))
_TENTH = _G["tenth"]


def _num(raw: str, mult: str | None) -> Decimal:
    if _PLAIN_ARABIC.fullmatch(raw):  # the common case, without the general parser
        v = Decimal(raw.replace(",", ""))
        return tidy(WIDE_CONTEXT.multiply(v, _MULT_VALUE[mult]) if mult else v)
    if raw[0] in "百千万亿":
        raw = "一" + raw  # 百亿 = 一百亿 when it stands alone (近百亿元)
    return tidy(parse_number(raw + (mult or "")))




def tidy(v: Decimal) -> Decimal:
    """Integral values without exponent or trailing zeros (Decimal('72000000'), not '7.2E+7')."""
    if abs(v) >= Decimal(10) ** 60:
        return v
    if v == v.to_integral_value():
        return v.quantize(Decimal(1), context=WIDE_CONTEXT)
    return v.normalize(context=WIDE_CONTEXT)


def _parse(m: regex.Match, text: str) -> _Figure | None:
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
        return _Figure(start, end, "money", None, None, None, cur, cur, qualifier or (g[_VG] or g[_VG2])[:1], None, True, vague=True)

    if g[_FR]:
        per_mille = g[_FR] == "千分之"
        if _too_long(g[_FN1]) or (g[_FN2] and _too_long(g[_FN2])):
            return None  # 百分之 and a hundred digits: no percentage, and no end to the scan window
        try:
            v1 = _num(g[_FN1], None)
            v2 = _num(g[_FN2], None) if g[_FN2] else None
        except ValueError:
            return None
        unit = "‰" if per_mille else "%"
        if v2 is not None and v2 < v1:  # 百分之八到百分之五 is two figures: this one ends at 八
            return _range_or_single(start, m.end("fn1"), "percent", v1, None, unit, None, qualifier, bound, None)
        return _range_or_single(start, end, "percent", v1, v2, unit, None, qualifier, bound, post)

    n1, n2 = g[_N1], g[_N2]
    if _too_long(n1) or (n2 and _too_long(n2)):
        return None
    unit_word = g[_UNIT]
    cp = g[_CP]
    # A one-character Chinese numeral glued to the word before it is part of that word.
    if not n1[0].isdigit() and len(n1) == 1 and not cp and not q:
        prev = text[m.start("n1") - 1] if m.start("n1") else ""
        if unit_word in ("成", "折"):
            if prev in _WORDS_ENDING_IN_ONE:
                return None
        elif prev and _HAN_CHAR.match(prev) and prev not in _NUMERAL_OK_AFTER:
            return None
    m1, m2 = g[_M1], g[_M2]
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
    except ValueError:
        return None
    neg1 = bool(g[_NEG]) and g[_NEG] != "+"
    if neg1:
        v1 = -v1
    if v2 is not None and g[_NEG2]:
        v2 = -v2
    if v2 is not None and v2 < v1:
        # not a range after all (2020-8%): keep the figure after the separator
        v1, v2, start, neg1 = v2, None, m.start("n2") - (1 if g[_NEG2] else 0), bool(g[_NEG2])
        qualifier = post
        bound = QUALIFIERS_AFTER.get(post) if post else None

    if unit_word in PERCENT_UNITS:
        unit = PERCENT_UNITS[unit_word]
        if unit_word in ("成", "折"):
            if n2 is not None or m1 or not _fraction_word_ok(n1, v1, unit_word, text, m.start("n1")):
                return None
            # 七成 = 70%, 十成 = 100%; 八折 = 80%, 七五折 = 75%
            v1 = tidy(v1 * 10 if unit_word == "成" or v1 < 10 else v1)
            if g[_TENTH]:
                if v1 % 10 or x:  # 一成五 only after a whole number of tenths: not 1.5成五, 一成多五
                    return None
                v1 += parse_number(g[_TENTH])
        if g[_U1] and g[_U1] != unit_word:
            return None
        fig = _range_or_single(start, end, "percent", v1, v2, unit, None, qualifier, bound, None)
        fig.negative = neg1
        return fig
    if cp and not unit_word:
        currency = CURRENCY_PREFIXES[cp]
    elif unit_word:
        currency = CURRENCY_WORDS[unit_word]
        if cp and CURRENCY_PREFIXES[cp] != currency and unit_word != "元":
            return None
    else:
        currency = None
    if currency is None:
        # bare amount with a multiplier: money only if no other unit follows
        if OTHER_UNIT.match(text, end) or g[_U1]:
            return None
        fig = _range_or_single(start, end, "bare", v1, v2, None, None, qualifier, bound, None)
        fig.mult = m2 or m1 or _trailing_mult(n1)
        return fig
    if g[_U1]:
        return None
    return _range_or_single(start, end, "money", v1, v2, currency, currency, qualifier, bound, None)


def _too_long(numeral: str) -> bool:
    return len(numeral) > (MAX_NUMERAL if numeral[0].isdigit() else MAX_CHINESE_NUMERAL)


def _windows(text: str) -> list[tuple[int, int]]:
    """Merged spans around every anchor (unit, multiplier, currency sign): where figures can be."""
    spans: list[tuple[int, int]] = []
    n = len(text)
    for a in ANCHOR.finditer(text):
        lo = max(0, a.start() - ANCHOR_BEFORE)
        g = a.group()
        # a currency sign or 百分之 comes before its number: the figure runs on after it
        after = ANCHOR_BEFORE if g[-1] in PREFIX_ANCHOR_CHARS or g[0] in "RUEC" or g in ("百分", "千分") else ANCHOR_AFTER
        hi = min(n, a.end() + after)
        if spans and lo <= spans[-1][1]:
            if hi > spans[-1][1]:
                spans[-1] = (spans[-1][0], hi)
        else:
            spans.append((lo, hi))
    return spans


def _qualifier_before(text: str, start: int) -> str | None:
    """The qualifier word ending right before a figure (超过30亿元), unless it ends another word."""
    q = QUAL_BEFORE_END.search(text, max(0, start - 3), start)
    if q is None:
        return None
    word = q.group()
    prev = text[q.start() - 1] if q.start() else ""
    if prev and prev in _QUALIFIER_WORD_END.get(word, ()):
        return None  # 最近 附近 高超: not a qualifier
    return word


def _glued_numeral(m: regex.Match, text: str) -> bool:
    """The match began with a one-character numeral that belongs to the word before it."""
    n1 = m.group("n1")
    return n1 is not None and len(n1) == 1 and not n1.isdigit()


def _trailing_mult(numeral: str) -> str | None:
    return numeral[-1] if numeral and numeral[-1] in "万亿千" else None


def _fraction_word_ok(n1: str, value: Decimal, unit_word: str, text: str, pos: int) -> bool:
    """七成 / 八折 / 8.5折 are fractions; 万成, 一波三折, 百折 are not."""
    if any(c in n1 for c in "百千万亿"):
        return False
    if unit_word == "成" and not (0 < value <= 10):
        return False
    if unit_word == "折" and not (0 < value < 100):
        return False
    return not (pos and text[pos - 1] in "波曲周转对")


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


def find_figures(text: str, kinds: Iterable[str] = ("money", "percent"), doc_id: str | None = None) -> list[Record]:
    """Money and percent records in ``text``, in order of appearance."""
    want = set(kinds)
    figs: list[_Figure] = []
    for seg_start, seg_end in _windows(text):
        pos = seg_start
        while True:
            m = FIGURE.search(text, pos, seg_end, timeout=time_left())
            if m is None:
                break
            f = _parse(m, text)
            if f is not None:
                figs.append(f)
                pos = f.end  # the match's end, or earlier when it held two figures
            elif _glued_numeral(m, text):
                pos = m.start("n1") + 1  # 李四人民币50元: rescan after the word's numeral
            else:
                pos = m.end()
    _share_units(figs, text)
    sentences: context.Sentences | None = None
    out: list[Record] = []
    prev: Record | None = None
    for f in figs:
        if f.kind == "bare":
            if not context.money_context(text, f.start, f.end):
                continue
            f.kind, f.unit, f.currency = "money", "CNY", "CNY"
        if f.kind not in want:
            continue
        sentences = sentences or context.Sentences(text)
        if f.kind == "money":
            label = context.money_label(text, f.start, f.end)
            direction = None
        else:
            label = context.percent_label(text, f.start, f.end)
            direction = context.direction(text, f.start, f.negative or (f.value is not None and f.value < 0))
        if prev is not None and prev.kind == f.kind and LIST_JOIN.fullmatch(text, prev.end, f.start):
            # 分别达到44.97亿元、34.89亿元和24.54亿元: later items share the first one's context
            label = label or prev.label
            direction = direction or prev.direction
        out.append(
            Record(
                kind=f.kind,  # type: ignore[arg-type]
                text=text[f.start : f.end],
                start=f.start,
                end=f.end,
                value=f.value,
                unit=f.unit,
                currency=f.currency if f.kind == "money" else None,
                low=f.low,
                high=f.high,
                approx=f.approx,
                qualifier=f.qualifier,
                direction=direction,
                label=label,
                sentence=sentences.around(f.start),
                doc_id=doc_id,
                vague=f.vague,
            )
        )
        prev = out[-1]
    return out


def _share_units(figs: list[_Figure], text: str) -> None:
    """0.72亿和0.45亿美元 / 2.48亿、1.36亿和0.16亿美元: a listed amount takes the last one's unit."""
    for i in range(len(figs) - 2, -1, -1):
        f, nxt = figs[i], figs[i + 1]
        if f.kind != "bare" or nxt.kind not in ("money", "bare"):
            continue
        if not LIST_JOIN.fullmatch(text, f.end, nxt.start):
            continue
        if nxt.kind == "money" and nxt.mult is None and not _ends_with_mult(text, nxt):
            continue  # 5万、20元: different scales, no shared unit
        if nxt.kind == "money":
            f.kind, f.unit, f.currency = "money", nxt.unit, nxt.currency


def _ends_with_mult(text: str, f: _Figure) -> bool:
    return _ENDS_WITH_MULT.search(text[f.start : f.end]) is not None
