"""Numerals in running text: find_numbers.

    >>> [(s.text, s.start, s.end) for s in find_numbers("统一规划，共一千零五十人，占三分之一")]
    [('一千零五十', 6, 11), ('三分之一', 14, 18)]

find_numbers follows the Chinese number specs of Microsoft Recognizers-Text (tests/data/recognizers)
where they suit news, and says where it parts from them:

* A one-character numeral counts only before a measure word, unit, currency, comparison or
  punctuation: 一只 and 十斤 are numbers, 一切, 一看, 四川, 统一, 万一 and 十分 (very) are words.
  Neighbouring digits (七八个, 五六百, 两两) are estimates or words and yield nothing.
* 十多万, 五百余万, 二十几万 keep their 多/余/几 in ``text``; ``value`` is the lower bound
  (100000). 四百多 yields 四百. A numeral right after 数 or 几 (数十亿, 几十个) yields nothing.
* Percentages are left to the percent extractor: 12% and 二％ yield nothing; in 百分之十二点五
  the number is 十二点五, and in 3个百分点 it is 3.
* Unlike Recognizers: a numeral before a currency (一美元) is a number; 40k, 2.5 M and 一打
  (a dozen) are not multiplied; numbers glued to Latin letters (G20, H7N9, 5G, 4K) are names.
* 兆 is 万亿 (五兆六十二亿 = 5006200000000), except before 瓦, 赫, 字节...: 100兆瓦 is 100 MW,
  and the number found is 100.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import regex

from ..chars import DIGITS
from .parse import parse_number


@dataclass(frozen=True, slots=True)
class NumberSpan:
    """A numeral found in text: ``text == source[start:end]`` (half-open) and its exact value."""

    text: str
    start: int
    end: int
    value: Decimal


# Character classes. Every quantifier below is possessive (*+, ++) or sits in an atomic group,
# so a failed match never re-tries shorter splits: the scan stays linear on any input.
# The digits of the table in xiangtan_nlp.chars, less the variants that in running text are
# mostly other words or symbols (幺, the ancient 弌 弍 弎, Ｏ, 洞).
_RARE = "幺弌弍弎Ｏ洞"
_NZ = "".join(c for c, v in DIGITS.items() if v and c not in _RARE)  # digits 1-9
_ZERO = "".join(c for c, v in DIGITS.items() if not v and c not in _RARE)
_CN_DIGIT = _NZ + _ZERO
_AFTER_POINT = _CN_DIGIT.translate(str.maketrans("", "", "两兩俩倆仨"))  # 两百点两 is 两百 and 两
_YEAR_DIGIT = "零〇○一二三四五六七八九"
_SP = r"[ \u3000\xa0]*+"  # spaces inside a numeral: 7 万5 千4 百, 1000  万
_MARK = "余多几幾"  # 十多万, 五百余万, 二十几万: the value is the lower bound

_P = {
    "SP": _SP,
    "NZ": f"[{_NZ}]",
    "Z": f"[{_ZERO}]",
    "TEN": "[十拾]",
    "HUN": "[百佰]",
    "THO": "[千仟]",
    # 兆 before 瓦, 赫, 字节 is the prefix mega (100兆瓦 is 100 MW), not a multiplier
    "BIG": "(?:[万萬亿億]|兆(?![瓦赫字帕焦伏欧歐位比bBＢ]))",
    "MARK": f"[{_MARK}]",
    "DEC": f"[{_AFTER_POINT}]",
    "YD": f"[{_YEAR_DIGIT}]",
    "D": "[0-9０-９]",
    "PT": "[.．]",
    "SIGN": "[-－+＋]",
}
# An Arabic integer: 1,050,000 (half-width commas), ４，５６５ (full-width digits and comma), 1000.
# A full-width comma between half-width digits is a clause break (100，200，300), not grouping.
_P["AI"] = (
    r"(?:[0-9０-９]{{1,3}}+(?:,[0-9０-９]{{3}}+)++(?![0-9０-９])"
    r"|[０-９]{{1,3}}+(?:，[０-９]{{3}}+)++(?![0-９０-９])"
    r"|{D}++)"
).format(**_P)
_P["ADEC"] = "{AI}{PT}{D}++".format(**_P)
_P["EXP"] = "[eE]{SIGN}?{D}++".format(**_P)
# A digit inside a Chinese numeral: 五, or Arabic digits as in 5万4千6百, 1,100万, ４，５６５.
# Shorter than AI (the grammar repeats it a dozen times, and the pattern's size is its speed);
# parse_number rejects the odd grouping this lets through.
_P["N"] = "(?:{NZ}|{D}++(?:[,，]{D}{{3}}+(?!{D}))*+)".format(**_P)
_P["BIGS"] = "{BIG}(?:{SP}(?:{MARK}{SP})?{BIG})?".format(**_P)  # 万亿, 万万, 三十万多亿
# Sections below 万, built so units can only descend: S1 = tens and ones, S2 adds 百, S3 adds 千.
_P["AFTER1"] = "(?:{SP}{N})?".format(**_P)
_P["S1"] = "(?:{N}(?:{SP}{TEN}{AFTER1})?|{TEN}{AFTER1})".format(**_P)
_P["AFTER2"] = "(?:{SP}(?:{Z}{SP})?{S1})?".format(**_P)  # 一百零五, 一百五十, 四百五 (=450)
_P["S2"] = "(?:{N}(?:{SP}{HUN}{AFTER2}|{SP}{TEN}{AFTER1})?|{TEN}{AFTER1})".format(**_P)
_P["AFTER3"] = "(?:{SP}(?:{Z}{SP})?{S2})?".format(**_P)
_P["S3"] = (
    "(?>{N}(?:{SP}{THO}{AFTER3}|{SP}{HUN}{AFTER2}|{SP}{TEN}{AFTER1})?|{TEN}{AFTER1})".format(**_P)
)
# a big unit after a section, perhaps after 多/余/几: 五百万, 十多万, 一百零几万
_P["BIGTAIL"] = "(?:{SP}{Z}?{SP}{MARK})?{SP}{BIGS}".format(**_P)
# A whole number. A real one has at most a few big-unit groups (兆, 亿, 万: 四千五百六十九万
# 八千三百一十一亿四千八百七十二万...), so the groups are capped and 1万1万1万... cannot grow
# into one huge match.
_P["INT"] = (
    "(?>{S3}(?:{BIGTAIL}(?:{SP}(?:{Z}{SP})?{S3}{BIGTAIL}){{0,5}}+(?:{SP}{Z}?{SP}{S3})?)?"
    "|{Z}(?:{SP}{TEN}{AFTER1})?"  # 零, 零十 (第零十刃)
    "|(?:{HUN}|{THO}){NZ}(?!{SP}[十拾百佰千仟万萬亿億兆点點]))"  # 百三 = 130, 千三 = 1300
).format(**_P)
# 十二点五亿; digits after 点 that run into 十/百/千 are a clock time (十点三十分), not a decimal
_P["DECPART"] = "{SP}[点點]{SP}{DEC}++(?!{SP}[十拾百佰千仟])(?:{SP}{BIGS})?".format(**_P)
_P["CN"] = "{INT}(?:{DECPART})?".format(**_P)
# Where a numeral can start: a cheap first test, so that characters which cannot start one
# (most of any text, and runs of ．, -, 亿) cost one look each.
_P["START"] = (
    f"(?=[0-9０-９]|{{PT}}{{D}}|(?:[负負]|{{SIGN}}{{PT}}?){{D}}|[负負]?[十拾{_NZ}{_ZERO}]"
    "|[负負]?(?:{HUN}|{THO}){NZ}|半[百佰])"
).format(**_P)

_NUMERAL = regex.compile(
    (
        r"{START}"
        r"(?<![0-9０-９])"
        # sign: 负 anywhere; - and + only before a digit and not after a digit, letter or sign,
        # so 3-5, COVID-19 and －－9 keep their numbers positive
        r"(?P<sign>[负負]|(?<![0-9A-Za-z０-９Ａ-Ｚａ-ｚ.．\-－+＋]){SIGN}(?={PT}?{D}))?"
        r"(?P<core>"
        # 3/5, 1 3/5 (not a date 2021/3/5)
        r"(?<![/／.．]){D}++(?:[ \u3000]++{D}++)?[/／]{D}++(?![/／]?{D})"
        # 2^5, 1.1^+23
        r"|(?:{ADEC}|{AI})\^{SIGN}?{D}{{1,4}}+(?!{D})"
        # 10.233, 2.2亿, 4.78万亿, 1,100.9亿, 2e5, .5; never one piece of 2222.2222.2222
        r"|(?:(?<![0-9０-９]{PT}){ADEC}(?!{PT}{D})(?:{EXP})?"
        r"|{AI}{EXP}"
        r"|(?<!{PT}){PT}{D}++(?!{PT}{D})(?:{EXP})?)"
        r"(?:{SP}(?:{MARK}{SP})?{BIGS})?"
        r"|半[百佰]"
        # years read digit by digit: 二〇二一, 一九九八年
        r"|(?<!{YD})(?:{YD}{{4}}+(?=年)|(?={YD}{{0,3}}[〇○]){YD}{{2,4}}+(?!{YD}))"
        # whole numbers and decimals: 一千零五十, 3万4000, 十二点五亿
        r"|{CN}"  # fractions: _fraction_end
        r")"
    ).format(**_P)
)
# What joins a whole number to the rest of a fraction: 三|分之|一, 三百五十|又|三分之一.
# (Not a pattern that needs 分之 alone: regex looks ahead for such a required literal on every
# match, which made a scan of a long text quadratic.)
_FRACTION_JOIN = regex.compile(r"[ \u3000\xa0]*+(?:(?P<and>又)|分[ \u3000\xa0]*+之)[ \u3000\xa0]*+")

# A numeral that is one Chinese character (一, 十, 两) is also a letter of many words, so it
# counts only before a word that counts things: a measure word, a unit, a currency, a
# comparison, or no word at all (punctuation, space, the end of the text).
_COUNTED_AFTER_ONE = (
    # measure words
    "个個位名人口户戶家间間所座栋棟套层層楼樓台臺辆輛架艘列部项項件条條张張本册冊篇章节節页頁"
    "段句首封份批类類种種款支只隻头頭匹尾棵株朵颗顆粒块塊片根枚幅把对對双雙群队隊组組轮輪场場"
    "次回遍趟届屆期级級档檔等倍票股笔筆单單箱包袋桶瓶杯碗盘盤盒罐车車船处處号號岁歲代辈輩步"
    # time, weights and measures, money
    "年月日天周週时時分秒季刻斤两兩克吨噸磅米里亩畝升度寸尺丈元圆圓角毛"
    # comparisons and joins: 一到五, 四不是五, 三的, 一点两, 十多, 十几
    "是的和与與及或到至比加减減乘除点點又多余几幾"
)
_COUNTED_AFTER_WORDS = (
    "小时 小時 星期 世纪 世紀 公里 公斤 公顷 公頃 公分 公升 英里 英尺 英寸 英亩 平方 平米 立方 千米 千克"
    " 毫米 毫升 厘米 美元 美金 欧元 歐元 日元 英镑 英鎊 港元 港币 港幣 韩元 韓元 人民币 人民幣 卢布"
    " 这是 這是 那是 不是 而是 却是 卻是 但是 也是 还是 還是 就是 以上 以下 以内 以內 左右"
).split()
_COUNTED_AFTER = regex.compile(
    r"[^\p{L}\p{N}]|" + "|".join(sorted(_COUNTED_AFTER_WORDS, key=len, reverse=True))
    + f"|[{_COUNTED_AFTER_ONE}]"
)
# Words in which a one-character numeral is no number even before a counting word:
# 统一的, 唯一的, 万一, 十分重要, 一度上涨, 进一步, 四处, 再三强调. 之一 stays a number after 分.
_NOT_A_NUMBER = regex.compile(
    "|".join(
        [
            "一点儿", "一点點", "一点点", "一點點", "一点也", "一点都", "一點也", "一點都",
            "一度(?!电|電)", "一时", "一時", "一分为二", "一分為二", "一把手", "一块儿", "一塊兒",
            "一口气", "一口氣", "进一步", "進一步",
            "统一", "統一", "唯一", "万一", "萬一", "同一", "单一", "單一", "专一", "專一",
            "划一", "劃一", "逐一", "不一", "(?<!分)之一", "无二", "無二",
            "十分(?![钟鐘之])",
            "四处", "四處", "四周", "再三",
        ]
    )
)  # fmt: skip
_NEVER_ALONE = set("伍陆陸肆拾")  # alone, 伍 is 队伍, 陆 is 大陆, 肆 is 放肆, 拾 is 收拾
_ZERO_ALONE_AFTER = regex.compile(r"[^\p{L}\p{N}]|[度分元岁歲次个個点點]")  # 零售, 零件 are words
_VAGUE_BEFORE = set("数數几幾")  # 数十亿, 几十个: no definite number
_LATIN_BEFORE = regex.compile(r"[A-Za-zＡ-Ｚａ-ｚ][-－_]?\Z")  # H7N9, G20, COVID-19 are names
_CAPITAL_AFTER = regex.compile(r"[A-ZＡ-Ｚ](?![A-Za-zＡ-Ｚａ-ｚ])")  # so are 5G, 4K, 3D, 5A级: not 100MW
_PERCENT_AFTER = regex.compile(r"[ \u3000\xa0]*+[%％‰]")
_APPROX_MARK = regex.compile(f"[{_ZERO}]?[ \u3000\xa0]*[{_MARK}]")
_CN_DIGIT_SET = set(_CN_DIGIT)


def find_numbers(text: str) -> list[NumberSpan]:
    """Find Arabic, Chinese and mixed numerals in running text, left to right, with exact values."""
    if not isinstance(text, str):
        raise TypeError(f"find_numbers expects str, got {type(text).__name__}")
    found: list[NumberSpan] = []
    pos = 0
    while True:
        m = _NUMERAL.search(text, pos)
        if m is None:
            break
        start, end = m.span()
        end = _fraction_end(text, end) or end
        pos = end
        core_start = m.start("core")
        core = text[core_start:end]
        before = text[start - 1] if start else ""
        if _PERCENT_AFTER.match(text, end):
            continue  # 12%, 二％: a percentage is the percent extractor's, as in Recognizers
        if before in _VAGUE_BEFORE:
            continue
        if core[0].isdigit() or core[0] in ".．":
            if _LATIN_BEFORE.search(text, max(0, start - 2), start):
                continue
            if _CAPITAL_AFTER.match(text, end):
                continue
        else:
            # 七八个, 五六百, 两两, 九九: neighbouring digits make an estimate or a word
            if before in _CN_DIGIT_SET or text[end : end + 1] in _CN_DIGIT_SET:
                continue
            if len(core) == 1 and not _counts_alone(text, core_start, core):
                continue
        raw = text[start:end]
        try:
            value = parse_number(_APPROX_MARK.sub("", raw) if _has_mark(raw) else raw)
        except ValueError:
            continue  # the pattern is a little looser than the parser; the parser decides
        found.append(NumberSpan(raw, start, end, value))
    return found


def _fraction_end(text: str, end: int) -> int | None:
    """Where a fraction ends that continues the number ending at ``end``; None if none does.

    三分之一, 三百五十又三分之一, 负3分之负157, 一百万又五十万分之二十五, 五百分之2333: the
    denominator and numerator are numerals themselves, so _NUMERAL reads them.
    """
    join = _FRACTION_JOIN.match(text, end)
    if join is None:
        return None
    pos = join.end()
    if join.group("and"):  # 又: a whole number, then a fraction
        den = _NUMERAL.match(text, pos)
        of = den and not den.group("sign") and _FRACTION_JOIN.match(text, den.end())
        if not of or of.group("and"):
            return None
        pos = of.end()
    num = _NUMERAL.match(text, pos)
    return num.end() if num else None


def _has_mark(raw: str) -> bool:
    return any(c in _MARK for c in raw)


def _counts_alone(text: str, i: int, c: str) -> bool:
    """Whether a one-character numeral at text[i] is a number here (一只, 十斤) or a word (一切)."""
    if c in _NEVER_ALONE:
        return False
    if i and text[i - 1] in "第":
        return True  # ordinals: 第一, 排名第三
    end = i + 1
    counted_after = _ZERO_ALONE_AFTER if c in _ZERO else _COUNTED_AFTER
    if end < len(text) and not counted_after.match(text, end):
        return False
    # a word around the character: look a few characters each side, as the words are short
    lo = max(0, i - 3)
    window = text[lo : i + 4]
    words = _NOT_A_NUMBER.finditer(window, overlapped=True)
    return not any(w.start() <= i - lo < w.end() for w in words)
