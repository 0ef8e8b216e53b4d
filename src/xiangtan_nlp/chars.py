"""The one table of characters: Han ranges, numerals, units, measure words, width and marks.

Every pattern and check in the package that asks "is this a Han character", "is this a numeral",
"is this a measure word" or "is this full-width" is built from the constants here, so the answers
cannot drift apart between modules. This module imports nothing of ours and nothing heavy.

Sources: Unicode 15.1 block ranges (CJK Unified Ideographs and their Extensions A-H, the
Compatibility Ideographs); the numeral forms are the everyday, financial (大写) and Traditional
forms of written Chinese.
"""

from __future__ import annotations

# ----------------------------------------------------------------------------- Han ranges
#: Unicode blocks of Han ideographs, as (first, last) code points, most common first.
HAN_RANGES: tuple[tuple[int, int], ...] = (
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0x3400, 0x4DBF),  # Extension A
    (0xF900, 0xFAFF),  # Compatibility Ideographs
    (0x20000, 0x3134F),  # Extensions B-G (and the supplementary compatibility block)
    (0x31350, 0x323AF),  # Extension H
)
#: The ranges as a character class body for ``re`` (which has no ``\p{Han}``).
HAN_CLASS: str = "".join(f"{chr(a)}-{chr(b)}" for a, b in HAN_RANGES)

#: jieba's own idea of a Han character (its ``re_han_default`` stops at U+9FD5). The segmenter
#: must mirror it exactly to give jieba's tokens, so it is kept apart from :data:`HAN_RANGES`.
JIEBA_HAN_CLASS: str = "\u4e00-\u9fd5"
#: What jieba-rs counts as Han but jieba does not (each such character is a token of its own
#: in jieba): the rest of :data:`HAN_RANGES`.
RJIEBA_ONLY_HAN_CLASS: str = "\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff\U00020000-\U0002ebef\U0002f800-\U0002fa1f"

#: CJK symbols and punctuation (U+3000-U+303F) and the half/full-width forms (U+FF00-U+FFEF):
#: characters that are common in Chinese text although they are not Han.
CJK_SYMBOLS_CLASS: str = "\u3000-\u303f\uff00-\uffef"


def is_han(c: str) -> bool:
    """True for one Han ideograph (any block of :data:`HAN_RANGES`)."""
    o = ord(c)
    return any(a <= o <= b for a, b in HAN_RANGES)


def is_cjk_text_char(c: str) -> bool:
    """True for a Han ideograph, CJK punctuation or a full-width form: what Chinese text is made of."""
    o = ord(c)
    return is_han(c) or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF


# -------------------------------------------------------------------------------- numerals
#: Chinese digit characters (everyday, financial and Traditional forms, and the rarer variants
#: that appear in scanned and informal text) and their values.
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
#: The digits that write numbers in running text (figure scans are built from these): the
#: everyday, financial and Traditional forms, without the variants that are mostly other words
#: (洞 hole, 幺, 俩 a pair of, 仨, the ancient 弌 弍 弎, the circles ○ Ｏ).
TEXT_DIGITS: str = "零〇一二两兩三四五六七八九壹贰貳叁參肆伍陆陸柒捌玖"
#: Multipliers below 万, which combine within a section.
SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
#: Section multipliers (兆 is 10^12 in Traditional-script finance: 三兆二千億元).
BIG_UNITS: dict[str, int] = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8, "兆": 10**12}
#: Tens written as one character.
TENS: dict[str, int] = {"廿": 20, "卄": 20, "卅": 30, "卌": 40}
#: The unit characters of running text (十百千万亿 and their financial and Traditional forms).
TEXT_UNITS: str = "十百千万亿拾佰仟萬億"
#: The decimal point of a Chinese numeral (十二点五, 柒點伍).
POINTS: str = "点點"
#: Every character that can be part of a Chinese numeral.
NUMERAL_CHARS: frozenset[str] = frozenset(
    "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(BIG_UNITS) + "".join(TENS) + POINTS
)
#: Arabic digits.
ASCII_DIGITS: str = "0123456789"

# ----------------------------------------------------------------------------- measure words
#: Measure words and units that, after a numeral, make it a count (and, before a mask, a sign
#: that the mask hides a number): 个 名 位 人 家 … and the units of time, length and money.
MEASURE_WORDS: frozenset[str] = frozenset(
    "个名位人家座条项所次年月日天号层栋台辆艘架吨米亩元角岁倍届期批件种类只头匹张本份篇部场轮%‰"
)

# ------------------------------------------------------------------------------------ width
#: Full-width digits, Latin letters, ％ and ． → their ASCII forms (U+FF10.. are ASCII + 0xFEE0).
#: Chinese punctuation (，：；？（）) is deliberately absent: it carries meaning.
FULLWIDTH_ALNUM: dict[int, int] = {
    **{cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)},
    **{cp: cp - 0xFEE0 for cp in range(0xFF21, 0xFF3B)},
    **{cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)},
    ord("％"): ord("%"),
    ord("．"): ord("."),
}
#: The same characters as a class body for regular expressions.
FULLWIDTH_ALNUM_CLASS: str = "０-９Ａ-Ｚａ-ｚ％．"

#: Zero-width, bidi and soft-hyphen characters: invisible, and they split words and numbers.
INVISIBLE_CLASS: str = "\u200b\u200c\u200d\u200e\u200f\u2060-\u2064\ufeff\u00ad\u180e\u202a-\u202e\u2066-\u2069"
#: Lone surrogates (U+D800-U+DFFF): a Python str may hold them, UTF-8 cannot encode them.
SURROGATE_CLASS: str = "\ud800-\udfff"
#: C0/C1 controls except tab and newline, and lone surrogates (not writable as UTF-8).
CONTROL_CLASS: str = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + SURROGATE_CLASS
#: Characters that look like a space but are not one: no-break, ideographic, en/em/thin…
ODD_SPACES_CLASS: str = "\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"

# ------------------------------------------------------------------------------ punctuation
#: Chinese and ASCII punctuation that ends or separates clauses and quotes.
CJK_PUNCT: frozenset[str] = frozenset("，。、；：？！“”‘’（）《》〈〉【】「」『』…—·～,.;:?!()")

# ------------------------------------------------------------------------------------ masks
#: Characters a censor or a form uses to blank out text (发令***, 总投资××万元, □□).
MASK_CHARS: str = "*＊×□■"


# ---------------------------------------------------------------------------------- figures
#: Letters a form or a template writes in place of a number (X亿元, xx万元): like a mask, they
#: say a figure was there without its value.
PLACEHOLDER_LETTERS: str = "XxＸｘ"
#: Spaces that fall inside a figure in text flattened from PDFs or tables (3. 25亿元, 百 分 之 十二,
#: 1 000 000元): plain, no-break, ideographic, thin and narrow no-break.
INLINE_SPACES: str = " \u00a0\u3000\u2009\u202f"
#: Traditional characters of the words the figure extractors read (總投資, 營業收入, 增長, 超過, 億),
#: each to its Simplified form. One character to one, so a translated text keeps every offset and
#: one word list serves both scripts. Numerals are not here: DIGITS and BIG_UNITS hold both forms.
TRADITIONAL_TO_SIMPLIFIED: dict[str, str] = dict(
    zip(
        "業為買於虧亞產僅從價會債償蘭興冊淨減劃務勵區盧發臺總對將爾幣並應彈擴報擬撥損數權標歐潤漲"
        "滿環電蓋稅競籌簽約納經縮罰營補計認讓許負貢財購貼貸貿費資賠躍轉較達過進錢銖銷鎊長門際韓順"
        "預額麥億萬兩點圓個餘內幾與佔據庫協議採勝濟統實現項設備廠這價場貨單額兌換匯億虛擬銀險"
        "東產權車輛廣們來後時間處員運動選舉萊聯網絡規劃嗎續類標準場館",
        "业为买于亏亚产仅从价会债偿兰兴册净减划务励区卢发台总对将尔币并应弹扩报拟拨损数权标欧润涨"
        "满环电盖税竞筹签约纳经缩罚营补计认让许负贡财购贴贷贸费资赔跃转较达过进钱铢销镑长门际韩顺"
        "预额麦亿万两点圆个余内几与占据库协议采胜济统实现项设备厂这价场货单额兑换汇亿虚拟银险"
        "东产权车辆广们来后时间处员运动选举莱联网络规划吗续类标准场馆",
    )
)


__all__ = [
    "ASCII_DIGITS", "CJK_PUNCT", "CJK_SYMBOLS_CLASS", "CONTROL_CLASS", "DIGITS", "FULLWIDTH_ALNUM",
    "FULLWIDTH_ALNUM_CLASS", "HAN_CLASS", "HAN_RANGES", "INLINE_SPACES", "INVISIBLE_CLASS", "JIEBA_HAN_CLASS",
    "MASK_CHARS", "MEASURE_WORDS", "NUMERAL_CHARS", "ODD_SPACES_CLASS", "PLACEHOLDER_LETTERS", "POINTS",
    "RJIEBA_ONLY_HAN_CLASS", "SMALL_UNITS", "SURROGATE_CLASS", "BIG_UNITS", "TENS", "TEXT_DIGITS", "TEXT_UNITS",
    "TRADITIONAL_TO_SIMPLIFIED",
    "is_cjk_text_char", "is_han",
]  # fmt: skip
