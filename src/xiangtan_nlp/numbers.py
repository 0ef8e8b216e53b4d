"""Chinese and Arabic numerals to Decimal. Knows nothing of money, percent or surrounding text.

    >>> parse_number("16.4亿") == 1_640_000_000
    True
    >>> parse_number("一百二十亿") == 12_000_000_000
    True

Values are exact Decimals (``format_decimal`` in :mod:`xiangtan_nlp.model` prints them plainly);
a float never appears, so 16.4亿 is exactly 1640000000.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation, localcontext

import regex

#: Chinese digit characters (everyday and financial forms) and their values.
DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "○": 0, "Ｏ": 0, "洞": 0,
    "一": 1, "壹": 1, "幺": 1, "弌": 1,
    "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2, "俩": 2, "倆": 2, "弍": 2,
    "三": 3, "叁": 3, "參": 3, "仨": 3, "弎": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6, "陸": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}  # fmt: skip
#: Multipliers below 万, which combine within a section.
SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
#: Section multipliers.
BIG_UNITS: dict[str, int] = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8, "兆": 10**12}
#: Tens written as one character.
TENS: dict[str, int] = {"廿": 20, "卄": 20, "卅": 30, "卌": 40}

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋", "0123456789.,-+")
_ARABIC = regex.compile(r"[-+]?(?:[0-9]+(?:,[0-9]{3})*|[0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_ARABIC_HEAD = regex.compile(r"[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?|\.[0-9]+")
NUMERAL_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(BIG_UNITS) + "".join(TENS) + "点點"


def parse_number(s: str) -> Decimal:
    """Parse a numeral (Arabic, Chinese or mixed: 23,876 · 2.2亿 · 一百二十 · 十二点五) to Decimal."""
    if not isinstance(s, str):
        raise TypeError(f"parse_number expects str, got {type(s).__name__}: {s!r}")
    t = s.strip().translate(_FULLWIDTH).replace("−", "-").replace(" ", "")
    if not t:
        raise ValueError(f"not a number: {s!r} (empty)")
    sign = 1
    if t[0] in "-+负正":
        sign = -1 if t[0] in "-负" else 1
        t = t[1:]
    try:
        with localcontext() as ctx:
            ctx.prec = 60
            value = _parse_unsigned(t)
    except (ValueError, InvalidOperation, IndexError) as e:
        raise ValueError(f"not a number: {s!r} ({e})") from None
    return -value if sign < 0 else value


def _parse_unsigned(t: str) -> Decimal:
    if not t:
        raise ValueError("no digits")
    # X分之Y: a fraction (百分之十二点五 → 0.125)
    if "分之" in t:
        den, _, num = t.partition("分之")
        base = {"百": 100, "千": 1000, "万": 10**4, "萬": 10**4}.get(den)
        return _parse_unsigned(num) / (Decimal(base) if base else _parse_unsigned(den))
    m = _ARABIC.fullmatch(t)
    if m and any(c.isdigit() for c in t):
        return Decimal(t.replace(",", ""))
    return _parse_mixed(t)


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
    total = Decimal(0)  # finished 亿 groups
    wan = Decimal(0)  # finished 万 groups below the last 亿
    sec = Decimal(0)  # below 万
    num: Decimal | None = None
    last_unit = 0  # the unit just applied, for colloquial 一百五 (=150)
    sec_unit = 0  # the last unit below 万 in this section: they must descend
    zero_seen = False
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
            frac = ""
            j = i + 1
            while j < len(tokens) and tokens[j][0] == "digit" and _is_single_digit(tokens[j][1]):
                frac += str(tokens[j][2])
                j += 1
            if not frac:
                raise ValueError("point without digits after it")
            num = (num if num is not None else Decimal(0)) + Decimal("0." + frac)
            i = j
            last_unit = 0
            continue
        elif kind == "small":
            if num is None:
                if val != 10:  # only 十 may stand without a digit (十二, 二百十)
                    raise ValueError(f"{raw!r} without a digit before it")
                num = Decimal(1)
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
            if part == 0 and not (wan or total):
                raise ValueError(f"{raw!r} without a number before it")
            if val == 10**4:
                wan = (wan + part) * val
            else:
                total = (total + wan + part) * val
                wan = Decimal(0)
            sec, num, last_unit, sec_unit, zero_seen = Decimal(0), None, int(val), 0, False
        i += 1
    if num is not None and last_unit >= 100 and not zero_seen and len(tokens) >= 2 and _is_single_digit(tokens[-1][1]):
        num = num * (last_unit // 10)  # 一百五 = 150, 两万三 = 23000, 三千五 = 3500
    return total + wan + sec + (num if num is not None else Decimal(0))


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
