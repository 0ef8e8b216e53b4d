"""Every pattern the extractors use, compiled once and named for what it matches.

Quantifiers over digit and numeral runs are possessive and every number must start where no
digit precedes it, so a scan stays linear on hostile input (200,000 digits, 亿 repeated…).

The scans are compiled with the standard library's ``re`` where it has possessive quantifiers
and atomic groups (Python 3.11+; ``regex`` before, see ENGINE): on figure-dense news it runs
FIGURE 3-4x faster than ``regex`` with the same matches (measured on the 345 articles of
news_dev/econ.jsonl). So nothing here uses a feature only ``regex`` has: no Unicode property
classes (HAN_CLASS instead), and every lookbehind has a fixed width.
"""

from __future__ import annotations

import re
import sys
from typing import Callable, Iterable

import regex

from ..chars import (
    BIG_UNITS, HAN_CLASS, INLINE_SPACES, MASK_CHARS, PLACEHOLDER_LETTERS, POINTS, SMALL_UNITS, TEXT_DIGITS, TEXT_UNITS,
)  # fmt: skip

#: The engine of the scans: the standard library's from Python 3.11 (possessive quantifiers),
#: ``regex`` before it. Both read every pattern here the same way.
ENGINE = re if sys.version_info >= (3, 11) else regex

# ------------------------------------------------------------------------------ numerals
# The numeral characters of running text, from the one table (xiangtan_nlp.chars); 兆 is 10^12
# (三兆二千億元, Traditional-script finance), except before 瓦 赫 字节…, where it is the prefix mega.
CN_DIGITS = TEXT_DIGITS
CN_UNITS = TEXT_UNITS + "兆"
# Arabic: grouped by commas (1,000,000; 2，645 as typed with a Chinese keyboard; a group is three
# digits and no more), a decimal part, a small exponent (1.5e9: e308 is no amount anybody wrote).
# Digits of other scripts (٢٠亿元) are made ASCII in the scanned copy first (OTHER_DIGITS).
ARABIC = r"[0-9]++(?:[,，][0-9]{3}+(?![0-9]))*+(?:\.[0-9]++)?+(?:[eE][-+]?+[0-9]{1,2}+(?![0-9]))?+"
# A Chinese numeral run: digits and units, optionally 点/點 and decimal digits (十二点五, 柒點伍).
CHINESE = rf"[{CN_DIGITS}{CN_UNITS}]++(?:[{POINTS}][{CN_DIGITS}]++)?+"
_MEGA = "兆(?![瓦赫字帕焦伏欧歐位比bB])"  # 100兆瓦 is 100 MW
_BIG = rf"(?:[万萬][亿億]|[亿億]|[万萬]|{_MEGA})"
_SMALL = "".join(SMALL_UNITS)
MULT = rf"(?:[十百千拾佰仟]?{_BIG}|[千仟])"
MORE = r"(?:多|余|餘)"


def _mult_values() -> dict[str, int]:
    values = {}
    for small in ("", *_SMALL):
        for big in ("万亿", "萬億", "万億", "萬亿", "亿", "億", "万", "萬", "兆", ""):
            if small or big:
                big_value = BIG_UNITS[big[0]] * BIG_UNITS[big[1]] if len(big) == 2 else BIG_UNITS.get(big, 1)
                values[small + big] = SMALL_UNITS.get(small, 1) * big_value
    return values


#: The value of every multiplier MULT can match (十万 = 10^5, 千亿 = 10^11, 万亿 = 10^12…).
MULT_VALUES: dict[str, int] = _mult_values()

# --------------------------------------------------------------------------- currencies
#: Currency words and symbols -> ISO 4217 code. Longer words first where they share a start.
#: Traditional forms beside the Simplified (港圓, 美圓, 新臺幣, 澳門幣). 圆/圓 alone is written for
#: 元 and read as it is. 比特币 is recorded under BTC, the code exchanges use (ISO 4217 has none).
CURRENCY_WORDS: dict[str, str] = {
    "元人民币": "CNY", "人民币元": "CNY", "元人民幣": "CNY", "人民幣元": "CNY", "元": "CNY", "块钱": "CNY",
    "圆": "CNY", "圓": "CNY", "人民币": "CNY", "人民幣": "CNY",
    "美元": "USD", "美金": "USD", "美圆": "USD", "美圓": "USD",
    "欧元": "EUR", "歐元": "EUR",
    "港元": "HKD", "港币": "HKD", "港幣": "HKD", "港圆": "HKD", "港圓": "HKD",
    "日元": "JPY", "日币": "JPY", "日幣": "JPY", "日圆": "JPY", "日圓": "JPY",
    "英镑": "GBP", "英鎊": "GBP", "韩元": "KRW", "韓元": "KRW", "韩圆": "KRW", "韓圓": "KRW",
    "新台币": "TWD", "台币": "TWD", "新台幣": "TWD", "新臺幣": "TWD", "台幣": "TWD", "臺幣": "TWD",
    "澳元": "AUD", "澳币": "AUD", "澳幣": "AUD", "加元": "CAD", "加币": "CAD", "加幣": "CAD",
    "卢布": "RUB", "盧布": "RUB", "瑞士法郎": "CHF", "法郎": "CHF", "新加坡元": "SGD", "新元": "SGD",
    "泰铢": "THB", "泰銖": "THB", "卢比": "INR", "盧比": "INR", "越南盾": "VND",
    "澳门元": "MOP", "澳门币": "MOP", "澳門元": "MOP", "澳門幣": "MOP", "林吉特": "MYR",
    "新西兰元": "NZD", "紐西蘭元": "NZD", "雷亚尔": "BRL", "兰特": "ZAR", "里拉": "TRY",
    "瑞典克朗": "SEK", "挪威克朗": "NOK", "丹麦克朗": "DKK", "奈拉": "NGN", "尼日利亚奈拉": "NGN",
    "比特币": "BTC", "比特幣": "BTC",
    # coins: the currency's hundredth or tenth (SUBUNITS)
    "美分": "USD", "欧分": "EUR", "歐分": "EUR", "便士": "GBP", "港仙": "HKD",
    "毛钱": "CNY", "毛錢": "CNY", "角钱": "CNY", "角錢": "CNY", "分钱": "CNY", "分錢": "CNY",
}  # fmt: skip
#: Currency words that name a coin, and its value in the currency's base unit (50美分 = 0.50 USD).
SUBUNITS: dict[str, str] = {
    "美分": "0.01", "欧分": "0.01", "歐分": "0.01", "便士": "0.01", "港仙": "0.01",
    "毛钱": "0.1", "毛錢": "0.1", "角钱": "0.1", "角錢": "0.1", "分钱": "0.01", "分錢": "0.01",
}  # fmt: skip
CURRENCY_PREFIXES: dict[str, str] = {
    "人民币": "CNY", "人民幣": "CNY", "RMB": "CNY", "CNY": "CNY", "￥": "CNY", "¥": "CNY",
    "US$": "USD", "USD": "USD", "$": "USD", "美元": "USD", "美金": "USD",
    "HK$": "HKD", "港币": "HKD", "港元": "HKD", "港幣": "HKD",
    "NT$": "TWD", "新台币": "TWD", "新台幣": "TWD", "新臺幣": "TWD",
    "€": "EUR", "EUR": "EUR", "欧元": "EUR", "歐元": "EUR", "£": "GBP", "英镑": "GBP", "英鎊": "GBP",
    "美圆": "USD", "美圓": "USD", "港圆": "HKD", "港圓": "HKD",
    "日元": "JPY", "日圆": "JPY", "日圓": "JPY", "澳门币": "MOP", "澳門幣": "MOP",
}  # fmt: skip


def trie_pattern(words: Iterable[str], end_of: Callable[[str], str] = lambda w: "") -> str:
    """A pattern for the longest of ``words`` (each followed by ``end_of(word)``, a guard, which
    must hold) at each match, written as a trie (工(?:程技术中心|业园区|程)…). It matches what the
    alternation of the words longest first matches, but one branch is read per character instead
    of every word in turn: 1.4-1.6x faster over econ.jsonl for the project heads, 25% for the money
    labels (tests compare the two forms). For ``re`` and ``regex`` alike.

    The children of a node hold different characters, so at most one matches the next character;
    it is tried before the word ending at the node, so the longest word whose guard holds wins."""
    trie: dict[str, dict] = {}
    for w in set(words):
        node = trie
        for c in w:
            node = node.setdefault(c, {})
        node[""] = {w: {}}  # a word ends here

    def pattern(node: dict[str, dict]) -> str:
        alts = [re.escape(c) + pattern(node[c]) for c in sorted(node) if c]
        if "" in node:
            alts.extend(end_of(w) for w in node[""])
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return pattern(trie)


def _alt(words: object) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))  # type: ignore[arg-type]


CURRENCY = _alt(CURRENCY_WORDS)
CURRENCY_PREFIX = _alt(CURRENCY_PREFIXES)
# 元 and 圆 in words that are not money: 元素 元件 元旦 元宵 元首 单元…, 圆满 圆桌 圆形 圆梦…
NOT_YUAN = (
    r"(?:(?<=元)(?=[素件器旦宵首老帅帥气氣凶勋勳曲音朝代年月])"
    r"|(?<=[圆圓])(?=[满滿桌形心周柱梦夢顶頂弧规規润潤滑锥錐盘盤舞场場]))"
)

# ------------------------------------------------------------------------- qualifiers
#: Qualifier before a figure -> which bound the stated figure is ("low": at least, "high":
#: at most, "about": approximately). These words become part of the record's text.
QUALIFIERS_BEFORE: dict[str, str] = {
    "超过": "low", "超出": "low", "超": "low", "逾": "low", "突破": "low", "不少于": "low",
    "不低于": "low", "至少": "low", "多于": "low", "高于": "low",
    "超過": "low", "不少於": "low", "不低於": "low", "多於": "low", "高於": "low",
    "不到": "high", "不足": "high", "不超过": "high", "低于": "high", "少于": "high", "最高": "high",
    "最多": "high", "近": "high", "接近": "high", "将近": "high", "逼近": "high",
    "不超過": "high", "低於": "high", "少於": "high", "將近": "high",
    "约": "about", "大约": "about", "约合": "about", "约为": "about", "大概": "about", "估计": "about",
    "約": "about", "大約": "about", "約合": "about", "約為": "about", "估計": "about",
}  # fmt: skip
QUALIFIERS_AFTER: dict[str, str] = {
    "以上": "low", "之多": "low", "多": "low", "余": "low", "餘": "low",
    "以下": "high", "以内": "high", "之内": "high", "以內": "high", "之內": "high",
    "左右": "about", "上下": "about", "许": "about", "許": "about",
}  # fmt: skip
QUAL_BEFORE = _alt(QUALIFIERS_BEFORE)
QUAL_AFTER = r"(?:以上|之多|以下|以内|以內|之内|之內|左右|上下(?![游班级級])|许|許)"

#: The words between the two ends of a range (20万元-80万元, 一到两成, 5～8%).
RANGE_SEPARATORS = ("至", "到", "-", "－", "~", "～", "—", "–")
RANGE_SEP = "(?:" + "|".join(map(re.escape, RANGE_SEPARATORS)) + ")"

# ------------------------------------------------------------------- percent forms
#: X分之 words -> (unit, divisor): 百分之五 is 5 %, 千分之三 3 ‰, 万分之八 8 ‱ (per ten thousand,
#: the basis point of fees and rates); smaller shares are written in % with the value scaled
#: exactly (百万分之三 = 0.0003 %, 千万分之二 = 0.00002 %), so no unit is needed beyond these three.
FRACTION_BASES: dict[str, tuple[str, int]] = {
    "百分之": ("%", 1), "千分之": ("‰", 1), "万分之": ("‱", 1), "萬分之": ("‱", 1),
    "佰分之": ("%", 1), "仟分之": ("‰", 1),  # the capital numerals of bank forms
    "十万分之": ("%", 10**3), "十萬分之": ("%", 10**3), "百万分之": ("%", 10**4),
    "百萬分之": ("%", 10**4), "千万分之": ("%", 10**5), "千萬分之": ("%", 10**5),
    "亿分之": ("%", 10**6), "億分之": ("%", 10**6),
}  # fmt: skip
FRACTION = _alt(FRACTION_BASES)
#: Percent units written after the number; 成 (tenths) and 折 (a price paid, in tenths) are read
#: apart (七成 = 70 %, 八五折 = 85 %).
PERCENT_UNIT_WORDS: dict[str, str] = {
    "%": "%", "‰": "‰", "‱": "‱", "个百分点": "pp", "個百分點": "pp", "百分点": "pp", "百分點": "pp",
}  # fmt: skip
_PERCENT_UNIT = _alt(PERCENT_UNIT_WORDS)
# 成 and 折 after a numeral, unless the characters after make a word (成功 成本 折旧 折扣…)
_CHENG = "成(?![功为為立果本交绩績效熟长長员員都品型人年就分家材语語全册冊活不])"
_ZHE = "折(?![合算旧舊叠疊射腾騰线線扣服磨损損价價痕返不])"

# ------------------------------------------------------------------------------ digits
# Decimal digits of other scripts (Arabic-Indic ٢٠亿元, Devanagari, Thai…) and full-width ones
# (in uncleaned text): the scan reads a copy with them made ASCII, one character for one, so every
# offset holds and every pattern below can say [0-9]. A digit of a script not listed is still no
# place for a number to start (the lookbehinds use \d), so it is never read as a smaller number.
_DIGIT_ZEROS = (
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
    0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0xFF10,
)  # fmt: skip
OTHER_DIGITS: dict[int, int] = {z + d: ord("0") + d for z in _DIGIT_ZEROS for d in range(10)}
OTHER_DIGITS[ord("．")] = ord(".")  # １．５亿元 in uncleaned text
#: Those digits as the body of a character class.
OTHER_DIGIT_CHARS = "".join(chr(z) + "-" + chr(z + 9) for z in _DIGIT_ZEROS)
OTHER_DIGIT = re.compile(f"[{OTHER_DIGIT_CHARS}]")

# ------------------------------------------------------------------------------ masks
# A figure whose digits are blanked out (总投资**万元, □□亿元) or left as a template's X: a figure
# with no value. Masks and the half forms (半成, 对折) are rare, so they have their own scan
# (RARE_FIGURE), run only on a text that holds one of their characters.
_MASK_SET = re.escape(MASK_CHARS + PLACEHOLDER_LETTERS)
_MASK = "[" + _MASK_SET + "]"

# ---------------------------------------------------------------------- the one scan
# One pass over the text finds every money or percent candidate; the builders parse only
# these spans. Group names: cp=currency prefix, neg=sign,
# n1/x1/m1 first number (numeral, 多/余, multiplier), u1=percent sign after the first number
# of a range, n2/x2/m2 second number, unit=currency or percent unit, post=qualifier after.
# a space or 个 may stand between a number and its multiplier: "60800 万元", "50个亿元"
_GAP = r"(?:[ 个個](?=[万萬亿億千仟]))?+"
_NUM1 = rf"(?P<n1>{ARABIC}|{CHINESE})(?P<x1>{MORE})?+{_GAP}(?P<m1>{MULT})?+(?P<x1b>{MORE})?+"
_NUM2 = rf"(?P<n2>{ARABIC}|{CHINESE})(?P<x2>{MORE})?+{_GAP}(?P<m2>{MULT})?+(?P<x2b>{MORE})?+"
# No number starts inside another (after a digit, a numeral, a point or a mask), after a digit
# and a grouping comma (1，000: never 000), in an exponent (1e308: never 308), or after a digit
# and a space (a number broken by a space is read whole by the spacing step, or not at all).
_NOT_AFTER = (
    rf"(?<![\d.．{CN_DIGITS}{CN_UNITS}{_MASK_SET}])(?<![0-9][,，eE{INLINE_SPACES}])(?<![0-9][eE][-+])"
)


def _first(*alternations: object) -> str:
    """A lookahead for the first characters of words: put before an alternation of many words, one
    class check turns away a position where none of them can start (sre otherwise tries every
    word's first character in turn: a hundred currency words after every numeral of the text)."""
    chars = sorted({w[0] for words in alternations for w in words})  # type: ignore[attr-defined]
    return "(?=[" + re.escape("".join(chars)) + "])"


_UNIT_FIRST = _first(CURRENCY_WORDS, PERCENT_UNIT_WORDS, "成折")
_CP_FIRST = _first(CURRENCY_PREFIXES)
_FR_FIRST = _first(FRACTION_BASES, "负負")
_SEP_FIRST = _first("%‰‱", RANGE_SEPARATORS)

# Every figure starts with one of these characters. Checking it first lets the engine skip
# ordinary text quickly instead of trying every alternative at every position (5x faster).
_FIRST = rf"0-9{CN_DIGITS}{CN_UNITS}数數几幾上人RUCHEN$￥¥€£负負\-−－+美港欧歐英日新澳"
FIGURE = ENGINE.compile(
    rf"""
    (?=[{_FIRST}])
    (?:
      # vague money: 数十亿元, 上百亿元, 几千万元, 上亿元; 千亿级, 百亿元级
      (?P<vg>(?:数|數|几|幾|上|十[几幾])(?:十|百|千)?(?:万亿|萬億|亿|億|万|萬|千))(?P<vunit>{CURRENCY})(?!{NOT_YUAN})
    | (?P<vg2>(?:十|百|千|万|萬)[亿億](?:元)?[级級])
    |
      # 百分之十二点五 / 千分之三 / 万分之八 / 百分之五至百分之八
      {_FR_FIRST}(?P<fneg>[负負])?(?P<fr>{FRACTION})(?P<fneg2>[负負])?(?P<fn1>{CHINESE}|{ARABIC})
        (?:{RANGE_SEP}(?:{FRACTION})?(?P<fn2>{CHINESE}|{ARABIC}))?
    |
      (?:{_CP_FIRST}(?P<cp>{CURRENCY_PREFIX})\x20?+)?
      {_NOT_AFTER}
      (?P<neg>负|負|-|−|－|\+)?
      {_NUM1}
      (?:
        {_SEP_FIRST}(?P<u1>%|‰|‱)?{RANGE_SEP}(?P<neg2>负|負|-|−|－)?{_NUM2}
      )?
      (?:
        \x20?+(?:[个個枚](?=比特))?+{_UNIT_FIRST}(?P<unit>  # 100个比特币, 5枚比特币
            (?:{CURRENCY})(?!{NOT_YUAN})
          | {_PERCENT_UNIT}
          | {_CHENG}
          | {_ZHE}
        )
        # 一元五角, 3元5角2分: the coins after the yuan
        (?:(?<=[元圆圓])(?P<jiao>[{CN_DIGITS}0-9])[角毛](?:(?P<fen>[{CN_DIGITS}0-9])分(?![之钟鐘析布散]))?+)?+
        # a bare amount with a multiplier: money if the context says so
        | (?(cp)|(?:(?<=[万萬亿億千仟兆])|(?<=[万萬亿億千仟兆][多余餘])))
      )
    )
    # 一成五 = 15%, 四成半 = 45%: a digit after 成 counts tenths, when nothing after it makes it a
    # word (九成一线城市)
    (?:(?<=成)\x20?+(?P<tenth>[一二三四五六七八九两兩半])(?=[^{HAN_CLASS}]|\Z|的|左右|以[上下内內]|之多|多|[和与與至到或及]))?
    (?P<post>{QUAL_AFTER}|(?<=成)多)?  # 三成多: more than 30%
    """,
    ENGINE.VERBOSE,
)
# The rare forms: masked amounts (总投资**万元, X亿元, 增长**%; digits beside the mask are taken
# into the record by the builder) and 半成 (5 %), 半折 and 对折 (50 %). A masked amount starts where
# its run of marks starts (no mark before it) and holds at most MASK_RUN marks, then at most
# MASK_RUN marks or digits. Unbounded, a match was tried at every mark of a long run with no unit
# after it (a separator line of asterisks), each reading the rest of the run: the scan was
# quadratic (50,000 marks: 4.9 s).
MASK_RUN = 24  # as long as the longest written number (figures.MAX_NUMERAL)
RARE_FIGURE = ENGINE.compile(
    rf"""
    (?=[{_MASK_SET}半对對])
    (?:
      (?<![A-Za-z.．{_MASK_SET}])(?P<mk>{_MASK}{{1,{MASK_RUN}}}+(?:[0-9]|{_MASK}){{0,{MASK_RUN}}}+)\x20?+(?P<mkm>{MULT})?+\x20?+
      (?P<mku>(?:{CURRENCY})(?!{NOT_YUAN})|{_PERCENT_UNIT})
    | (?P<hf>半(?=[成折])|[对對](?=折))(?P<hfu>{_CHENG}|{_ZHE})
    )
    (?P<post>{QUAL_AFTER})?
    """,
    ENGINE.VERBOSE,
)
RARE_TRIGGER = re.compile(rf"[{_MASK_SET}]|半[成折]|[对對]折")

# Every figure contains one of these (its unit, multiplier or currency sign). The scan runs only
# in windows around them: most text holds none, and a stdlib scan for one class of characters is
# ten times faster than for words. The characters in ANCHOR_NEIGHBOURS are anchors only beside
# one of the characters given (分 of 百分之, 成 after a numeral, 金 of 美金…).
_NUMERAL_BEFORE = f"0123456789{CN_DIGITS}十拾多余餘 "
ANCHOR_NEIGHBOURS: dict[str, tuple[str, str]] = {
    "分": ("百千万萬佰仟美欧歐", "之钱錢"), "成": (_NUMERAL_BEFORE, ""), "折": (_NUMERAL_BEFORE, ""),
    "金": ("美", ""), "布": ("卢盧", ""), "郎": ("法", ""), "铢": ("泰", ""), "銖": ("泰", ""),
    "特": ("吉兰", ""), "尔": ("亚", ""), "拉": ("里奈", ""), "朗": ("克", ""), "比": ("卢盧", ""),
    "盾": ("南", ""), "钱": ("块毛角分", ""), "錢": ("塊毛角分", ""), "士": ("便", ""), "仙": ("港", ""),
    "R": ("", "M"), "U": ("", "S"), "E": ("", "U"), "C": ("", "N"),
}  # fmt: skip
ANCHOR = re.compile("[元圆圓币幣镑鎊%％‰‱亿万千億萬兆$￥¥€£" + "".join(ANCHOR_NEIGHBOURS) + "]")
# A figure starts at most this many characters before an anchor in it: the longest is an Arabic
# number of MAX_NUMERAL (24) digits with its commas, point, sign and a space (under 40); a Chinese
# numeral holds a unit anchor (十 百 千 万 亿) every few characters. (80 scanned 54% of figure-dense
# news, 48 scans 43%, with the same records on all 345 articles of news_dev/econ.jsonl.)
ANCHOR_BEFORE = 48
ANCHOR_AFTER = 10  # … and ends at most this many after it (以上, 左右, lookaheads)
# Anchors that may also be a currency written before the number (美元1000万, $5, RMB 100), or a
# fraction word before its numeral (百分之, 万分之): the figure can then run up to ANCHOR_BEFORE
# characters after them (百分之 and a Chinese numeral of up to 40 characters fit).
PREFIX_ANCHOR_CHARS = frozenset("元币幣镑鎊圆圓$￥¥€£RUEC分")

# Spaces inside a figure (3. 25亿元, 百 分 之 十二, 二十 个百分点, 8 5 折): a space between two
# characters that both belong to figures. Which of them are taken out is decided in figures.py
# (digits on both sides are read as grouping or letter-spacing only).
_SPACE_LEFT = rf"\d.．{CN_DIGITS}{CN_UNITS}{POINTS}半分之个個"
_SPACE_RIGHT = rf"\d{CN_DIGITS}{CN_UNITS}{POINTS}分之个個成折%％‰‱"
# (It starts at the space, so the scan skips to spaces, which are rarer than figure characters.)
FIGURE_SPACE = re.compile(
    rf"([{INLINE_SPACES}])(?<=[{_SPACE_LEFT}][{INLINE_SPACES}])([{INLINE_SPACES}]{{0,3}})(?=[{_SPACE_RIGHT}])"
)
#: A digit run and the run of digits after one space: 1 000 000 (groups of three) or 8 5 (letters
#: spaced out) are one number; anything else is two.
DIGIT_RUN_BEFORE = ENGINE.compile(r"\d++\Z")
DIGIT_RUN = ENGINE.compile(r"\d++")
# A list number at the start of a line (1. 25亿元的项目): its point is not a decimal point.
LIST_NUMBER = ENGINE.compile(rf"(?:\A|\n)[{INLINE_SPACES}\t]*+\d{{1,2}}\.\Z")

# Between two amounts of different currencies, the word that makes them an exchange rate:
# 1美元兑人民币6.9元, 1欧元对人民币7.6元, 100日元兑换5.8元人民币, 1美元=6.9元.
RATE_JOIN = ENGINE.compile(r"[ ]*+(?:兑换成?|兌換成?|可兑换|可兌換|兑|兌|对|對|合|=|＝)[ ]*+")
# After 45个亿元(以上): the amount is a size class of projects being counted, not an amount.
COUNTED_CLASS_AFTER = ENGINE.compile(rf"(?:级|級|规模|規模)?+(?:的)?+[{HAN_CLASS}]{{0,4}}?(?:项目|項目|企业|企業|工程)")

# A qualifier right before a figure (checked after the scan, on the few characters before it).
QUAL_BEFORE_END = ENGINE.compile(rf"(?:{QUAL_BEFORE})\Z")

# Units that make a bare number-with-multiplier a count, area, weight… and never money.
OTHER_UNIT = ENGINE.compile(
    r"(?:噸|輛|臺|項|個|畝|間|棟|條|張|隻|頭|層|樓|級|屆|顆|塊|雙|對|戶|歲|週|點|"
    r"人|名|位|个|家|户|吨|千克|公斤|克|斤|米|千米|公里|平方|㎡|亩|公顷|立方|辆|台|套|件|次|项|天|年|"
    r"月|日|小时|分钟|秒|岁|倍|千瓦|兆瓦|瓦|度|桶|张|份|册|间|栋|座|所|条|艘|架|头|只|股|手|点|分|"
    r"字|句|页|本|部|集|首|篇|盒|瓶|箱|包|袋|颗|粒|枚|片|块|根|支|双|对|副|层|楼|级|批|届|期|季|"
    r"亩|平|方|升|毫|厘|码|英|镑|卡|例|床|宗|单|笔|款|类|种|所|处|帧|像素|兆|G|M|K|k|T|w|W)"
)

# List connectors between figures that share a unit: 0.72亿和0.45亿美元, 2.48亿、1.36亿和0.16亿美元.
LIST_JOIN = ENGINE.compile(r"\s*(?:和|与|與|及|以及|、|或|,|，)\s*")

SENTENCE_END = ENGINE.compile(r"[。！？!?\n]+|；|;")
CLAUSE_BREAK = ENGINE.compile(r"[，,。；;：:！？!?\n（(）)“”\"、]")
