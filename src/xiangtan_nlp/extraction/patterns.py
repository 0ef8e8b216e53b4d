"""Every pattern the extractors use, compiled once and named for what it matches.

Quantifiers over digit and numeral runs are possessive and every number must start where no
digit precedes it, so a scan stays linear on hostile input (200,000 digits, 亿 repeated…).
"""

from __future__ import annotations

import re

import regex

from ..chars import TEXT_DIGITS, TEXT_UNITS

# ------------------------------------------------------------------------------ numerals
# The numeral characters of running text, from the one table (xiangtan_nlp.chars).
CN_DIGITS = TEXT_DIGITS
CN_UNITS = TEXT_UNITS
ARABIC = r"[0-9]++(?:,[0-9]{3})*+(?:\.[0-9]++)?+"
# A Chinese numeral run: digits and units, optionally 点 and decimal digits (十二点五).
CHINESE = rf"[{CN_DIGITS}{CN_UNITS}]++(?:点[{CN_DIGITS}]++)?+"
MULT = r"(?:万亿|千亿|百亿|十亿|亿|千万|百万|十万|万|千)"
MORE = r"(?:多|余)"

# --------------------------------------------------------------------------- currencies
#: Currency words and symbols -> ISO 4217 code. Longer words first where they share a start.
CURRENCY_WORDS: dict[str, str] = {
    "元人民币": "CNY", "人民币元": "CNY", "元": "CNY", "块钱": "CNY",
    "美元": "USD", "美金": "USD", "欧元": "EUR", "港元": "HKD", "港币": "HKD",
    "日元": "JPY", "日币": "JPY", "英镑": "GBP", "韩元": "KRW", "新台币": "TWD", "台币": "TWD",
    "澳元": "AUD", "澳币": "AUD", "加元": "CAD", "加币": "CAD", "卢布": "RUB", "瑞士法郎": "CHF",
    "法郎": "CHF", "新加坡元": "SGD", "新元": "SGD", "泰铢": "THB", "卢比": "INR", "越南盾": "VND",
    "澳门元": "MOP", "澳门币": "MOP", "林吉特": "MYR", "新西兰元": "NZD", "雷亚尔": "BRL",
    "兰特": "ZAR", "里拉": "TRY", "瑞典克朗": "SEK", "挪威克朗": "NOK", "丹麦克朗": "DKK",
    "人民币": "CNY",
}  # fmt: skip
CURRENCY_PREFIXES: dict[str, str] = {
    "人民币": "CNY", "RMB": "CNY", "CNY": "CNY", "￥": "CNY", "¥": "CNY",
    "US$": "USD", "USD": "USD", "$": "USD", "美元": "USD", "HK$": "HKD", "港币": "HKD", "港元": "HKD",
    "€": "EUR", "EUR": "EUR", "欧元": "EUR", "£": "GBP", "英镑": "GBP", "日元": "JPY",
}  # fmt: skip


def _alt(words: object) -> str:
    return "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))  # type: ignore[arg-type]


CURRENCY = _alt(CURRENCY_WORDS)
CURRENCY_PREFIX = _alt(CURRENCY_PREFIXES)
# 元 in words that are not money: 元素 元件 元旦 元宵 元首 元老 单元…
NOT_YUAN = r"(?<=元)(?=[素件器旦宵首老帅气凶勋曲音朝代年月])"

# ------------------------------------------------------------------------- qualifiers
#: Qualifier before a figure -> which bound the stated figure is ("low": at least, "high":
#: at most, "about": approximately). These words become part of the record's text.
QUALIFIERS_BEFORE: dict[str, str] = {
    "超过": "low", "超出": "low", "超": "low", "逾": "low", "突破": "low", "不少于": "low",
    "不低于": "low", "至少": "low", "多于": "low", "高于": "low",
    "不到": "high", "不足": "high", "不超过": "high", "低于": "high", "少于": "high", "最高": "high",
    "最多": "high", "近": "high", "接近": "high", "将近": "high", "逼近": "high",
    "约": "about", "大约": "about", "约合": "about", "约为": "about", "大概": "about", "估计": "about",
}  # fmt: skip
QUALIFIERS_AFTER: dict[str, str] = {
    "以上": "low", "之多": "low", "多": "low", "余": "low",
    "以下": "high", "以内": "high", "之内": "high",
    "左右": "about", "上下": "about", "许": "about",
}  # fmt: skip
QUAL_BEFORE = _alt(QUALIFIERS_BEFORE)
QUAL_AFTER = r"(?:以上|之多|以下|以内|之内|左右|上下(?![游班级])|许)"

RANGE_SEP = r"(?:至|到|-|－|~|～|—|–|—)"

# ---------------------------------------------------------------------- the one scan
# One pass over the text finds every money or percent candidate; the builders parse only
# these spans. Group names: cp=currency prefix, neg=sign,
# n1/x1/m1 first number (numeral, 多/余, multiplier), u1=percent sign after the first number
# of a range, n2/x2/m2 second number, unit=currency or percent unit, post=qualifier after.
# a space or 个 may stand between a number and its multiplier: "60800 万元", "50个亿元"
_GAP = r"(?:[ 个](?=[万亿千]))?+"
_NUM1 = rf"(?P<n1>{ARABIC}|{CHINESE})(?P<x1>{MORE})?+{_GAP}(?P<m1>{MULT})?+(?P<x1b>{MORE})?+"
_NUM2 = rf"(?P<n2>{ARABIC}|{CHINESE})(?P<x2>{MORE})?+{_GAP}(?P<m2>{MULT})?+(?P<x2b>{MORE})?+"
# Every figure starts with one of these characters. Checking it first lets the engine skip
# ordinary text quickly instead of trying every alternative at every position (5x faster).
_FIRST = rf"0-9{CN_DIGITS}{CN_UNITS}数几上人RUCHE$￥¥€£负\-−+美港欧英日"
FIGURE = regex.compile(
    rf"""
    (?=[{_FIRST}])
    (?:
      # vague money: 数十亿元, 上百亿元, 几千万元, 上亿元; 千亿级, 百亿元级
      (?P<vg>(?:数|几|上)(?:十|百|千)?(?:万亿|亿|万|千))(?P<vunit>{CURRENCY})(?!{NOT_YUAN})
    | (?P<vg2>(?:十|百|千|万)亿(?:元)?级)
    |
      # 百分之十二点五 / 千分之三 / 百分之五至百分之八
      (?P<fr>百分之|千分之)(?P<fn1>{CHINESE}|{ARABIC})
        (?:{RANGE_SEP}(?:百分之|千分之)?(?P<fn2>{CHINESE}|{ARABIC}))?
    |
      (?:(?P<cp>{CURRENCY_PREFIX})\x20?+)?
      (?<![0-9.{CN_DIGITS}{CN_UNITS}])
      (?P<neg>负|-|−|\+)?
      {_NUM1}
      (?:
        (?P<u1>%|‰)?{RANGE_SEP}(?P<neg2>负|-|−)?{_NUM2}
      )?
      (?:
        \x20?+(?P<unit>
            (?:{CURRENCY})(?!{NOT_YUAN})
          | %|‰|个百分点|百分点
          | 成(?![功为立果本交绩效熟长员都品型人年就分家材语全本册活不])
          | 折(?![合算旧叠射腾线扣服磨损价痕返不])
        )
        | (?(cp)|(?<=[万亿千][多余]?+))  # a bare amount with a multiplier: money if the context says so
      )
    )
    # 一成五 = 15%: a digit after 成 counts tenths, when nothing after it makes it a word (九成一线城市)
    (?:(?<=成)(?P<tenth>[一二三四五六七八九])(?=\P{{Han}}|\Z|的|左右|以[上下内]|之多|多|[和与至到或及]))?
    (?P<post>{QUAL_AFTER}|(?<=成)多)?  # 三成多: more than 30%
    """,
    regex.VERBOSE,
)

# Every figure contains one of these (its unit, multiplier or currency sign). The scan runs only
# in windows around them: most text holds none, and a stdlib scan for them is ten times faster.
ANCHOR = re.compile(
    rf"百分|千分|[元币镑%％‰亿万千億萬$￥¥€£]|[0-9{CN_DIGITS}十拾][多余]?\x20?[成折]"
    r"|美金|卢布|法郎|泰铢|林吉特|雷亚尔|兰特|里拉|克朗|卢比|越南盾|RMB|USD|EUR|CNY"
)
ANCHOR_BEFORE = 80  # a figure starts at most this many characters before an anchor in it
ANCHOR_AFTER = 10  # … and ends at most this many after it (以上, 左右, lookaheads)
# Anchors that may also be a currency written before the number (美元1000万, $5, RMB 100):
# the figure can then run up to ANCHOR_BEFORE characters after them.
PREFIX_ANCHOR_CHARS = frozenset("元币镑$￥¥€£RUEC")

# A qualifier right before a figure (checked after the scan, on the few characters before it).
QUAL_BEFORE_END = regex.compile(rf"(?:{QUAL_BEFORE})\Z")

# Units that make a bare number-with-multiplier a count, area, weight… and never money.
OTHER_UNIT = regex.compile(
    r"(?:人|名|位|个|家|户|吨|千克|公斤|克|斤|米|千米|公里|平方|㎡|亩|公顷|立方|辆|台|套|件|次|项|天|年|"
    r"月|日|小时|分钟|秒|岁|倍|千瓦|兆瓦|瓦|度|桶|张|份|册|间|栋|座|所|条|艘|架|头|只|股|手|点|分|"
    r"字|句|页|本|部|集|首|篇|盒|瓶|箱|包|袋|颗|粒|枚|片|块|根|支|双|对|副|层|楼|级|批|届|期|季|"
    r"亩|平|方|升|毫|厘|码|英|镑|卡|例|床|宗|单|笔|款|类|种|所|处|帧|像素|兆|G|M|K|k|T|w|W)"
)

# List connectors between figures that share a unit: 0.72亿和0.45亿美元, 2.48亿、1.36亿和0.16亿美元.
LIST_JOIN = regex.compile(r"\s*(?:和|与|及|以及|、|或|,|，)\s*")

SENTENCE_END = regex.compile(r"[。！？!?\n]+|；|;")
CLAUSE_BREAK = regex.compile(r"[，,。；;：:！？!?\n（(）)“”\"、]")
