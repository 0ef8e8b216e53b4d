"""Chinese and Arabic numerals to Decimal: parse_number.

    >>> parse_number("16.4亿") == 1_640_000_000
    True
    >>> parse_number("一百二十亿") == 12_000_000_000
    True
    >>> parse_number("兩億三千萬") == 230_000_000  # Traditional script; 兆 is 10^12 (三兆二千億)
    True

Values are exact Decimals (``format_decimal`` in :mod:`xiangtan_nlp.model` prints them plainly);
a float never appears, so 16.4亿 is exactly 1640000000. Only a fraction that does not terminate
(三分之一) or a huge power (2^999) is rounded, to 60 significant digits.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal, localcontext

import regex

from ..chars import BIG_UNITS, DIGITS, SMALL_UNITS, TENS

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋／", "0123456789.,-+/")
# possessive: a long run of ",000" groups that fails at its end must not be re-tried (linear)
_ARABIC = regex.compile(r"[-+]?+(?:[0-9]++(?:,[0-9]{3})*+|[0-9]*+)(?:\.[0-9]++)?+(?:[eE][-+]?+[0-9]++)?+")
_ARABIC_HEAD = regex.compile(r"[0-9]++(?:,[0-9]{3})*+(?:\.[0-9]++)?+|\.[0-9]++")

# decimal digits of other scripts (Arabic-Indic ٢٠, Devanagari २०…): read as the digits they are
_OTHER_DIGIT = regex.compile(r"(?![0-9])\d")
_SIGNS = {"-": -1, "负": -1, "負": -1, "+": 1, "正": 1}
_WHITESPACE = regex.compile(r"\s+")
# 1 3/5: a whole number, a space, a fraction
_MIXED_SLASH = regex.compile(r"(?<![0-9])([0-9]++)\s++(?=[0-9]++/[0-9]++$)")
_POWER = regex.compile(r"([0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?)\^([-+]?[0-9]{1,4})")
_PERCENT_BASES = {"百": 100, "佰": 100, "千": 1000, "仟": 1000, "万": 10**4, "萬": 10**4}
_HALF = {"半百": 50, "半佰": 50}
_FRACTION_PREC = 60  # digits kept when a fraction does not terminate


def parse_number(s: str) -> Decimal:
    """Parse a numeral (Arabic, Chinese or mixed: 23,876 · 2.2亿 · 一百二十 · 十二点五) to Decimal."""
    if not isinstance(s, str):
        raise TypeError(f"parse_number expects str, got {type(s).__name__}: {s!r}")
    t = s.strip().translate(_FULLWIDTH).replace("−", "-")
    if not t.isascii():
        t = _OTHER_DIGIT.sub(_ascii_digit, t)
    if not t:
        raise ValueError(f"not a number: {s!r} (empty)")
    t = _MIXED_SLASH.sub(r"\1又", _WHITESPACE.sub(" ", t))  # keep the one space that means 又
    t = t.replace(" ", "")
    try:
        with localcontext() as ctx:
            # every digit and unit can add at most 13 digits, so this precision keeps
            # integers exact however long; only division and powers round
            ctx.prec = 60 + 13 * len(t)
            value = _parse_signed(t)
            if not value.is_finite():  # 0^-1
                raise ValueError("not finite")
            return value
    except (ValueError, IndexError, ArithmeticError) as e:  # ArithmeticError: 零分之一, overflow
        detail = type(e).__name__ if isinstance(e, ArithmeticError) else str(e)[:80]
        shown = s if len(s) <= 60 else f"{s[:40]}…({len(s)} characters)"
        raise ValueError(f"not a number: {shown!r} ({detail})") from None


def _ascii_digit(m: regex.Match) -> str:
    return str(unicodedata.decimal(m[0]))


def _parse_signed(t: str) -> Decimal:
    sign = 1
    if t and t[0] in _SIGNS:
        sign, t = _SIGNS[t[0]], t[1:]
    value = _parse_unsigned(t)
    return -value if sign < 0 else value


def _parse_unsigned(t: str) -> Decimal:
    if not t:
        raise ValueError("no digits")
    # W又X分之Y, W又X/Y: a mixed number (三百五十又三分之一)
    if "又" in t:
        whole, _, frac = t.partition("又")
        if "分之" not in frac and "/" not in frac or "分之" in whole or "/" in whole:
            raise ValueError("又 must join a whole number and a fraction")
        return _parse_unsigned(whole) + _parse_unsigned(frac)
    # X分之Y: a fraction (百分之十二点五 → 0.125); the numerator may carry a sign (3分之负1)
    if "分之" in t:
        den, _, num = t.partition("分之")
        if "分之" in num or "又" in num:  # one fraction only: 百分之百分之… would recurse per repeat
            raise ValueError("more than one 分之")
        base = _PERCENT_BASES.get(den)
        return _divide(_parse_signed(num), Decimal(base) if base else _parse_unsigned(den))
    if "/" in t:
        num, _, den = t.partition("/")
        if not (num.isdigit() and den.isdigit() and num.isascii() and den.isascii()):
            raise ValueError("a slash fraction takes digits on both sides")
        return _divide(Decimal(num), Decimal(den))
    m = _POWER.fullmatch(t)
    if m:
        with localcontext() as ctx:
            ctx.prec = _FRACTION_PREC
            return Decimal(m[1].replace(",", "")) ** int(m[2])
    if t in _HALF:
        return Decimal(_HALF[t])
    m = _ARABIC.fullmatch(t)
    if m and any(c.isdigit() for c in t):
        return Decimal(t.replace(",", ""))
    return _parse_mixed(t)


def _divide(num: Decimal, den: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = _FRACTION_PREC  # a fixed precision, so 三分之一 reads the same however it is spaced
        return num / den


def _parse_mixed(t: str) -> Decimal:
    """Chinese numerals, possibly with Arabic digit groups in place of Chinese digits."""
    tokens = _tokens(t)
    if all(kind == "digit" for kind, _, _ in tokens):
        # a digit string read one by one: 二〇二一 → 2021, 一二三 → 123
        if any(raw == "." for _, raw, _ in tokens):
            raise ValueError("misplaced point")
        if len(tokens) == 1:
            return tokens[0][2]
        if any(not _is_single_digit(raw) for _, raw, _ in tokens):
            raise ValueError("digits without units")
        return Decimal("".join(str(v) for _, _, v in tokens))
    zhao = Decimal(0)  # finished 兆 groups (兆 = 万亿, so 五兆六十二亿 = 5006200000000)
    total = Decimal(0)  # finished 亿 groups below the last 兆
    wan = Decimal(0)  # finished 万 groups below the last 亿
    sec = Decimal(0)  # below 万
    num: Decimal | None = None
    last_unit = 0  # the unit just applied, for colloquial 一百五 (=150)
    sec_unit = 0  # the last unit below 万 in this section: they must descend
    zero_seen = False
    run = 0  # big units in a row
    i = 0
    while i < len(tokens):
        kind, raw, val = tokens[i]
        if kind == "digit":
            if num is not None:
                raise ValueError(f"two numbers in a row at {raw!r}")
            num = val
            if val == 0:
                zero_seen, num = True, None
        elif kind == "point":
            if i + 1 >= len(tokens) or tokens[i + 1][0] != "digit":
                raise ValueError("point without digits after it")
            digits = []
            j = i + 1
            while j < len(tokens) and tokens[j][0] == "digit" and _is_single_digit(tokens[j][1]):
                digits.append(str(tokens[j][2]))
                j += 1
            frac = "".join(digits)
            if not frac:
                raise ValueError("point without digits after it")
            if i > 0:  # 两千三点一 is 2300.1: the colloquial digit keeps its place before the point
                num = _colloquial(num, last_unit, zero_seen, tokens[i - 1][1])
            num = (num if num is not None else Decimal(0)) + Decimal("0." + frac)
            i = j
            last_unit = 0
            continue
        elif kind == "small":
            if num is None:
                if val == 10:  # 十 may stand without a digit (十二, 二百十)
                    num = Decimal(1)
                elif i == 0 and len(tokens) == 2 and _is_single_digit(tokens[1][1]):
                    num = Decimal(1)  # 百三 = 130, 千三 = 1300: colloquial, nothing else may follow
                else:
                    raise ValueError(f"{raw!r} without a digit before it")
            if sec_unit and val >= sec_unit:
                raise ValueError(f"units out of order at {raw!r}")
            sec += num * val
            num, last_unit, sec_unit, zero_seen = None, int(val), int(val), False
        elif kind == "tens":
            if num is not None:
                raise ValueError(f"digit before {raw!r}")
            sec += val
            last_unit = sec_unit = 10
        else:  # big unit
            part = sec + (num if num is not None else Decimal(0))
            if part == 0 and not (wan or total or zhao):
                raise ValueError(f"{raw!r} without a number before it")
            # two big units in a row multiply (万万 = 亿, 万亿); a third is no numeral
            run = run + 1 if i and tokens[i - 1][0] == "big" else 1
            if run > 2:
                raise ValueError(f"too many big units in a row at {raw!r}")
            # a new group must sit below the groups already finished: 1亿2万 but not 1万2万,
            # 1亿2亿; this also keeps parsing linear on 1万1万1万...
            fresh = part != 0
            if val == 10**4:
                if fresh and wan:
                    raise ValueError(f"units out of order at {raw!r}")
                wan = (wan + part) * val
            elif val == 10**8:
                if total and (fresh or wan):
                    raise ValueError(f"units out of order at {raw!r}")
                total = (total + wan + part) * val
                wan = Decimal(0)
            else:
                if zhao and (fresh or wan or total):
                    raise ValueError(f"units out of order at {raw!r}")
                zhao = (zhao + total + wan + part) * val
                total = wan = Decimal(0)
            sec, num, last_unit, sec_unit, zero_seen = Decimal(0), None, int(val), 0, False
        i += 1
    num = _colloquial(num, last_unit, zero_seen, tokens[-1][1])  # 一百五 = 150, 两万三 = 23000
    return zhao + total + wan + sec + (num if num is not None else Decimal(0))


def _colloquial(
    num: Decimal | None, last_unit: int, zero_seen: bool, prev_raw: str
) -> Decimal | None:
    """A lone digit right after 百 or a bigger unit counts in the next unit down: 一百五 = 150."""
    if num is not None and last_unit >= 100 and not zero_seen and _is_single_digit(prev_raw):
        return num * (last_unit // 10)
    return num


def _is_single_digit(raw: str) -> bool:
    return len(raw) == 1 and (raw in DIGITS or raw.isdigit())


def _tokens(t: str) -> list[tuple[str, str, Decimal]]:
    out: list[tuple[str, str, Decimal]] = []
    i = 0
    while i < len(t):
        c = t[i]
        if c.isdigit() and c.isascii() or c == ".":
            m = _ARABIC_HEAD.match(t, i)
            if m is None:
                raise ValueError(f"bad character {c!r}")
            raw = m.group()
            if raw.startswith(".") or ("." in raw and out and out[-1][0] == "point"):
                raise ValueError("misplaced point")
            out.append(("digit", raw, Decimal(raw.replace(",", ""))))
            i = m.end()
            continue
        if c in DIGITS:
            out.append(("digit", c, Decimal(DIGITS[c])))
        elif c in SMALL_UNITS:
            out.append(("small", c, Decimal(SMALL_UNITS[c])))
        elif c in BIG_UNITS:
            out.append(("big", c, Decimal(BIG_UNITS[c])))
        elif c in TENS:
            out.append(("tens", c, Decimal(TENS[c])))
        elif c in "点點":
            out.append(("point", c, Decimal(0)))
        else:
            raise ValueError(f"bad character {c!r}")
        i += 1
    return out
