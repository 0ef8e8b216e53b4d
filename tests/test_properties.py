"""Properties that hold for every string: nothing raises, offsets point at their text, steps replay.

Strategies mix arbitrary Unicode with text built from the pieces of Chinese economic news (digits,
十百千万亿, 元/美元/%/个百分点, qualifiers, punctuation, full-width forms, masks, newlines), and a
generator of money and percent phrases whose value is known in advance.

Runtime: the default profile runs 200 examples per property, derandomized so that CI runs the
same examples every time (a red CI run is then reproducible, not luck); ``HYPOTHESIS_PROFILE=fuzz``
runs many more, freshly random each run, to explore (see also ``benchmarks/fuzz.py``, which reuses
the ``check_*`` functions below). A counterexample fuzzing finds is pinned with ``@example``.
No property has a deadline: the house rule is no wall-clock limits in tests.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import xiangtan_nlp as xt
from xiangtan_nlp.model import Edited, Record, Records, apply_steps
from xiangtan_nlp.numerals import find_numbers, parse_number

# --------------------------------------------------------------------------- profiles
_COMMON = dict(
    deadline=None,  # no wall-clock limits in tests
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("xt", max_examples=200, derandomize=True, **_COMMON)
settings.register_profile("fuzz", max_examples=20_000, **_COMMON)
# Applied per test (not load_profile) so other test modules keep hypothesis' own defaults.
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "xt"))

# ------------------------------------------------------------------------- strategies
#: Pieces of Chinese figure text; a generated text is a run of these (some repeated).
PIECES: tuple[str, ...] = (
    *"0123456789", *"０１２３４５６７８９", ".", "．", ",", "，", "、", "。", "；", "：", "%", "％", "‰",
    *"零〇一二三四五六七八九两", *"壹贰叁肆伍陆柒捌玖拾佰仟", *"十百千万亿兆", "廿", "卅", "点", "又", "分之",
    "元", "美元", "欧元", "港元", "日元", "英镑", "人民币", "RMB", "￥", "¥", "$", "US$", "HK$", "€",
    "亿元", "万元", "万亿元", "个百分点", "百分点", "百分之", "千分之", "成", "折", "级",
    "超过", "超", "逾", "突破", "不到", "不足", "近", "接近", "约", "约合", "大约", "以上", "以下", "左右",
    "多", "余", "许", "之多", "数", "几", "上", "负", "-", "－", "+", "−", "~", "～", "至", "到", "—", "/",
    "^", "e", "E", "个", "和", "与", "及",
    "总投资", "投资", "同比增长", "下降", "增长", "营业收入", "融资", "项目", "湘潭", "最近", "统一", "第",
    "产业园", "高速公路", "个高速公路项目", "开工建设", "签约", "经开区", "新能源汽车",
    "李四", "元素", "2021年", "COVID-19", "H7N9", "G20", "年", "月", "日", "人", "吨", "公里", "兆瓦",
    "***", "*", "＊", "×", "□", "■", "蕞", "蕞尔", "发令", "枪",
    " ", "\u3000", "\xa0", "\t", "\n", "\r\n", "\r", "\u2028", "\u200b", "\ufeff", "\x00", "\x85",
    "（", "）", "(", ")", "“", "”", "www.", "http://", "@", "来源：", "责任编辑", "扫码关注", "版权所有",
    "e\u0301", "\u1100\u1161",  # decomposed forms that NFC composes
    # the forms of issue 16 and the made-up figures of issue 19
    "万分之", "萬分之", "百万分之", "‱", "半", "对折", "對折", "兑", "兌", "对", "=", "億", "萬", "兆", "點",
    "兩", "貳", "參", "圓", "港圓", "美圆", "新台幣", "澳門幣", "比特币", "美分", "角", "毛钱", "块钱", "X", "x",
    "٢", "٠", "，000", "e9", "e308", "个亿元以上项目", "个", "大约", "约需", "分别为", "的设备", "赎回",
    "3. 25", "百 分 之", " 个百分 点",
)  # fmt: skip

_piece = st.sampled_from(PIECES)
#: A repeated piece makes the long runs where a backtracking regex blows up.
_run = st.tuples(_piece, st.integers(1, 60)).map(lambda t: t[0] * t[1])
figure_text = st.lists(st.one_of(_piece, _piece, _piece, _run), max_size=40).map("".join)
#: Arbitrary text, including lone surrogates (str allows them; decoding with surrogateescape makes them).
any_text = st.one_of(
    st.text(),
    st.text(st.characters(codec=None, exclude_categories=())),
    st.text(alphabet=st.sampled_from("".join(p for p in PIECES if len(p) == 1))),
)
texts = st.one_of(figure_text, figure_text, any_text)

_CN_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int, *, financial: bool = False) -> str:
    """Write a non-negative integer below 10**16 in standard Chinese (10500 → 一万零五百)."""
    if not 0 <= n < 10**16:
        raise ValueError(f"out of range: {n}")
    s = _cn(n) if n else "零"
    if financial:
        s = s.translate(str.maketrans("一二三四五六七八九十百千", "壹贰叁肆伍陆柒捌玖拾佰仟"))
    return s


def _cn(n: int) -> str:
    if n < 10**4:
        return _cn4(n)
    for base, unit in ((10**8, "亿"), (10**4, "万")):
        if n >= base:
            hi, lo = divmod(n, base)
            # a gap of a whole digit position after the unit is read 零 (一亿零五百万)
            tail = ("零" if lo < base // 10 else "") + _cn(lo) if lo else ""
            return _cn(hi) + unit + tail
    raise AssertionError(n)


def _cn4(n: int) -> str:
    out: list[str] = []
    gap = False
    for place, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // place % 10
        if d == 0:
            gap = gap or bool(out)
            continue
        if gap:
            out.append("零")
            gap = False
        out.append(_CN_DIGITS[d] + unit)
    return "".join(out)


MULTIPLIERS = {"": 1, "万": 10**4, "十万": 10**5, "百万": 10**6, "千万": 10**7, "亿": 10**8, "万亿": 10**12}
PREFIXES = {"$": "USD", "US$": "USD", "￥": "CNY", "€": "EUR", "人民币": "CNY", "HK$": "HKD"}
CURRENCIES = {"元": "CNY", "美元": "USD", "欧元": "EUR", "港元": "HKD", "英镑": "GBP", "人民币": "CNY"}
# Words before a figure that make it a metric without touching its first character.
_BEFORE = ("", "总投资", "项目投资", "合同金额为", "营业收入", "融资", "，", "\n")
_AFTER = ("", "，", "。", "，同比增长", "\n")


@st.composite
def _arabic(draw: st.DrawFn, big: bool = True) -> tuple[str, Decimal]:
    """An Arabic figure as written (1,234 · 16.4 · １２３) and its value."""
    whole = draw(st.one_of(st.integers(1, 99_999), st.integers(1, 10**12 if big else 999)))
    frac = draw(st.sampled_from(["", "", "5", "25", "08"]))
    text = f"{whole:,}" if frac == "" and whole >= 1000 and draw(st.booleans()) else str(whole)
    if frac:
        text += "." + frac
    if draw(st.booleans()):
        text = text.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    return text, Decimal(f"{whole}.{frac}" if frac else whole)


@st.composite
def money_phrase(draw: st.DrawFn) -> tuple[str, str, Decimal, str]:
    """(text, phrase, value, currency): an exact amount such as 16.4亿元 or 一百二十亿美元 in context."""
    if draw(st.booleans()):
        num, base = draw(_arabic())
        mult = draw(st.sampled_from(sorted(MULTIPLIERS)))
    else:
        n = draw(st.integers(1, 9_999))
        num, base = chinese_numeral(n, financial=draw(st.booleans())), Decimal(n)
        mult = draw(st.sampled_from(["", "万", "亿", "万亿"]))  # 一十十万 is no numeral
    if draw(st.booleans()):
        cur = draw(st.sampled_from(sorted(CURRENCIES)))
        if cur == "人民币" and not mult:
            cur = "元"  # 5人民币 is not how amounts are written
        phrase, code = num + mult + cur, CURRENCIES[cur]
    else:
        sign = draw(st.sampled_from(sorted(PREFIXES)))
        phrase, code = sign + num + mult, PREFIXES[sign]
    text = draw(st.sampled_from(_BEFORE)) + phrase + draw(st.sampled_from(_AFTER))
    return text, phrase, base * MULTIPLIERS[mult], code


@st.composite
def big_chinese_money(draw: st.DrawFn) -> tuple[str, Decimal]:
    """一百二十亿元-style amounts written wholly in Chinese numerals, below 10**12.

    Larger ones can run past extract's MAX_NUMERAL (24 characters) and are then not read at all.
    """
    n = draw(st.integers(1, 10**12 - 1))
    return "总投资" + chinese_numeral(n) + "元。", Decimal(n)


QUALIFIED = {"超过": "low", "逾": "low", "不到": "high", "接近": "high", "约": "about", "大约": "about"}
QUALIFIED_AFTER = {"以上": "low", "以下": "high", "左右": "about"}


@st.composite
def qualified_money(draw: st.DrawFn) -> tuple[str, Decimal, str]:
    """(text, value, bound) for 超过30亿元 / 30亿元以上 / 约30亿元 …"""
    num, base = draw(_arabic())
    mult = draw(st.sampled_from(["万", "亿", "万亿"]))
    if draw(st.booleans()):
        q = draw(st.sampled_from(sorted(QUALIFIED)))
        return f"总投资{q}{num}{mult}元，", base * MULTIPLIERS[mult], QUALIFIED[q]
    q = draw(st.sampled_from(sorted(QUALIFIED_AFTER)))
    return f"总投资{num}{mult}元{q}，", base * MULTIPLIERS[mult], QUALIFIED_AFTER[q]


@st.composite
def money_range(draw: st.DrawFn) -> tuple[str, Decimal, Decimal]:
    """(text, low, high) for 20亿至30亿元 and 6-8亿元."""
    a = draw(st.integers(1, 998))
    b = draw(st.integers(a + 1, 999))
    mult = draw(st.sampled_from(["万", "亿"]))
    sep = draw(st.sampled_from(["至", "到", "-", "~"]))
    both = draw(st.booleans())
    text = f"总投资{a}{mult if both else ''}{sep}{b}{mult}元，"
    return text, Decimal(a) * MULTIPLIERS[mult], Decimal(b) * MULTIPLIERS[mult]


@st.composite
def percent_phrase(draw: st.DrawFn) -> tuple[str, Decimal, str]:
    """(text, value, unit) for 8.1% · 36.9个百分点 · 百分之十二点五 · 千分之三 · 3.5‰."""
    style = draw(st.sampled_from(["%", "％", "个百分点", "‰", "百分之", "千分之"]))
    if style in ("百分之", "千分之"):
        whole = draw(st.integers(1, 99))
        dec = draw(st.sampled_from(["", "五", "二五", "三四五六七八九"]))
        frac = dec.translate(str.maketrans("二三四五六七八九", "23456789"))
        numeral = chinese_numeral(whole)
        numeral = numeral[1:] if numeral.startswith("一十") else numeral  # 十五, as it is written
        text = style + numeral + (f"点{dec}" if dec else "")
        value = Decimal(f"{whole}.{frac}" if frac else whole)
        return "同比增长" + text + "，", value, "%" if style == "百分之" else "‰"
    num, value = draw(_arabic(big=False))
    unit = {"%": "%", "％": "%", "个百分点": "pp", "‰": "‰"}[style]
    return "同比增长" + num + style + "，", value, unit


# -------------------------------------------------------------------------- invariants
STEP_KINDS = {"normalize", "debris", "repair", "flag"}


def check_parse_number(s: str) -> None:
    """parse_number returns a finite Decimal or raises ValueError; nothing else."""
    try:
        v = parse_number(s)
    except ValueError:
        return
    assert isinstance(v, Decimal) and v.is_finite(), (s, v)


def check_find_numbers(text: str) -> None:
    """Spans are ordered, disjoint, the exact slice of the text, and carry finite Decimals."""
    last = 0
    for sp in find_numbers(text):
        assert last <= sp.start < sp.end <= len(text), (text, sp)
        assert text[sp.start : sp.end] == sp.text, (text, sp)
        assert isinstance(sp.value, Decimal) and sp.value.is_finite(), (text, sp)
        last = sp.end


def check_steps(original: str, result: Edited) -> None:
    """The steps replay on the original to the result; each step is well formed."""
    assert isinstance(result.text, str)
    for s in result.steps:
        assert s.kind in STEP_KINDS, s
        assert 0 <= s.start <= s.end, s
        assert 0.0 <= s.confidence <= 1.0, s
        if s.kind == "flag":
            assert s.before == s.after, s  # a flag reports, it never edits
        else:
            assert s.before != s.after, s  # a step is recorded only when it changed something
    assert apply_steps(original, result.steps) == result.text


def check_clean(text: str) -> None:
    """clean (with and without its optional passes) never raises and its steps replay exactly."""
    check_steps(text, xt.clean(text))
    check_steps(text, xt.clean(text, debris=False, repair=False))


def check_repair(text: str) -> None:
    """repair never raises and its steps replay exactly."""
    check_steps(text, xt.repair(text))


def check_record(r: Record, source: str) -> None:
    """One record: anchored to its text, and its numbers consistent with each other."""
    assert r.kind in ("money", "percent", "rate", "project"), r
    assert 0 <= r.start < r.end <= len(source), r
    assert source[r.start : r.end] == r.text, (r, source[r.start : r.end])
    if r.kind == "project":
        assert r.value is None and r.low is None and r.high is None, r
        return
    for v in (r.value, r.low, r.high):
        assert v is None or (isinstance(v, Decimal) and v.is_finite()), r
    if r.kind in ("money", "rate"):
        assert r.currency, r
    if r.masked:  # 总投资**万元: a figure with no value, never one unit
        assert r.value is None and r.low is None and r.high is None, r
    elif r.value is None and not r.vague:
        assert r.low is not None and r.high is not None and r.low <= r.high, r  # a range
    if r.value is not None:
        assert r.low is None or r.low <= r.value, r
        assert r.high is None or r.value <= r.high, r
    if r.low is not None and r.high is not None and r.value is not None:
        assert r.low == r.high == r.value or r.approx, r  # exact figures have low == high == value


def check_extract(text: str) -> Records:
    """extract never raises; every record's text is source_text[start:end]; records in order."""
    records = xt.extract(text)
    assert records.source_text == xt.clean(text).text
    prev_start = -1
    for r in records:
        check_record(r, records.source_text)
        assert r.start >= prev_start, (text, list(records))
        prev_start = r.start
    raw = xt.extract(text, clean=False)
    assert raw.source_text == text
    for r in raw:
        check_record(r, text)
    return records


_UNIT_WORDS = tuple(CURRENCIES) + ("美元", "欧元", "港元", "日元", "英镑", "韩元", "￥", "¥", "$", "€", "£", "RMB")


_LIST_NUMBER_SHAPE = re.compile(r"[0-9]{1,2}\.[ \u3000\xa0]")


def check_reparse(records: Records) -> None:
    """A self-contained record, extracted again from its own text, comes back with the same numbers.

    Self-contained: a percent, or money whose text names its currency. A bare 120亿 is money only
    because of the words around it, 0.72亿 in 0.72亿和0.45亿美元 borrows its currency, and 1.65亿
    in 约2.1亿和1.65亿 its 约, so those are not expected to stand alone. The record text is already cleaned, hence clean=False.
    """
    for r in records:
        if r.kind == "project" or r.kind == "money" and not any(w in r.text for w in _UNIT_WORDS):
            continue
        if r.qualifier and r.qualifier.split("…")[0] not in r.text:
            continue  # 大约需要投资3000亿元, 约2.1亿和1.65亿: the 约 is the context's, not the record's
        if _LIST_NUMBER_SHAPE.match(r.text):
            continue  # 3. 25元 is one figure mid-sentence, but at the start of a text 3. is a list number
        again = [x for x in xt.extract(r.text, "money,percent,rate", clean=False) if x.kind == r.kind]
        assert len(again) == 1, (r, list(again))
        x = again[0]
        got = (x.text, x.value, x.low, x.high, x.unit, x.currency, x.approx, x.vague, x.masked)
        want = (r.text, r.value, r.low, r.high, r.unit, r.currency, r.approx, r.vague, r.masked)
        assert got == want, (r, x)


def check_segment(text: str) -> None:
    """segment's words concatenate to the input; tokenize's offsets tile it exactly."""
    words = xt.segment(text)
    assert "".join(words) == text, (text, words)
    pos = 0
    for w, start, end in xt.tokenize(text):
        assert start == pos and text[start:end] == w and w, (text, w, start, end)
        pos = end
    assert pos == len(text)


# ------------------------------------------------------------------------------ tests


@PROFILE
@given(st.one_of(texts, st.builds(str, st.integers()), st.builds(str, st.decimals(allow_nan=False))))
@example("1" * 30 + "亿")
@example("三分之一又")
@example("零分之一")
@example("9^9999")
@example("1 3/5")
@example("百分之" * 5000)  # RecursionError: one stack frame per 分之 (hypothesis raises the limit)
def test_parse_number_raises_only_value_error(s: str) -> None:
    check_parse_number(s)


@PROFILE
@given(st.integers(0, 10**16 - 1), st.booleans())
@example(10**8 + 5, False)  # 一亿零五
@example(10**12, False)  # 一万亿
@example(1010, True)  # 壹仟零壹拾
def test_parse_number_reads_chinese_numerals(n: int, financial: bool) -> None:
    assert parse_number(chinese_numeral(n, financial=financial)) == n


@PROFILE
@given(st.integers(0, 10**30), st.booleans())
def test_parse_number_reads_arabic_integers(n: int, grouped: bool) -> None:
    assert parse_number(f"{n:,}" if grouped else str(n)) == n


@PROFILE
@given(st.decimals(min_value=-(10**15), max_value=10**15, allow_nan=False, allow_infinity=False))
def test_parse_number_reads_arabic_decimals(d: Decimal) -> None:
    assert parse_number(format(d, "f")) == d


@PROFILE
@given(texts)
def test_find_numbers_spans(text: str) -> None:
    check_find_numbers(text)


@PROFILE
@given(texts)
@example("发令***响起，蕞大的投资30亿元")
@example("来源：湘潭日报\n总投资30亿元。\n扫码关注")
@example("a\r\nb\u2028c\x00d\u200be\u0301")
def test_clean_steps_replay(text: str) -> None:
    check_clean(text)


@PROFILE
@given(texts)
@example("发令***响起")
@example("蕞大的蕞尔小国")
@example("王**和*ST")
def test_repair_steps_replay(text: str) -> None:
    check_repair(text)


@PROFILE
@given(texts)
@example("总投资４，５６５万元")
@example("2020-8%")
@example("最近30亿元")
@example("赔偿李四人民币50元")
@example("美元00000000000RMB")  # the scan window cut the number short
@example("元百分之0000000000")
@example("111111111111111111111亿元")  # 29-digit value: decimal.InvalidOperation in tidy()
@example("%伍折")  # 伍折 is read only inside another figure's scan window
@example("元1余成")  # 1余成 was read only inside another figure's scan window
@example("1 折£")  # … and so was 1 折 (a space before the unit)
@example("百分之" + "零" * 20 + "一" * 80 + "成")  # no length limit on the 百分之 numeral
@example("六到百分之亿六***万六到百分之亿")  # a falling 百分之 "range" had low > high (atheris)
@example("约\n€0")  # a regex $ matched before the line break: 约 qualified the next line's figure
@example("大约万分之万分之万分之万分之")  # 约 from earlier in the clause is not in the record's text
@example("0萬亿")  # a multiplier of mixed scripts had no value (KeyError)
@example(",3. 25元")  # read whole after a comma; alone, "3." would start a list
@example("$1~0元")  # no range (0 < 1): 0元 is CNY, the $ stays with the 1
@example("111111111-亿元")  # 亿元 after a range's dash was read as one 亿
@example("9~四成")  # a falling range into tenths: 四成 was checked with the first number's value (TypeError)
def test_extract_offsets_and_reparse(text: str) -> None:
    check_reparse(check_extract(text))


@PROFILE
@given(money_phrase())
@example(("营收$12,345,678,901。", "$12,345,678,901", Decimal(12345678901), "USD"))
@example(("人民币1234567890123", "人民币1234567890123", Decimal(1234567890123), "CNY"))
@example(("总投资13000000000元。", "13000000000元", Decimal(13000000000), "CNY"))  # phone-shaped
@example(("$13000000000", "$13000000000", Decimal(13000000000), "USD"))  # phone-shaped, alone
@example(("13000000000十万人民币", "13000000000十万人民币", Decimal(1300000000000000), "CNY"))
def test_money_value_known(case: tuple[str, str, Decimal, str]) -> None:
    text, phrase, value, currency = case
    money = [r for r in check_extract(text) if r.kind == "money"]
    assert [(r.value, r.currency, r.approx) for r in money] == [(value, currency, False)], (text, money)
    check_reparse(Records(money))


@PROFILE
@given(big_chinese_money())
def test_money_value_known_chinese(case: tuple[str, Decimal]) -> None:
    text, value = case
    money = [r for r in check_extract(text) if r.kind == "money"]
    assert [r.value for r in money] == [value], (text, money)


@PROFILE
@given(qualified_money())
def test_money_qualified_bounds(case: tuple[str, Decimal, str]) -> None:
    text, value, bound = case
    money = [r for r in check_extract(text) if r.kind == "money"]
    assert len(money) == 1, (text, money)
    r = money[0]
    want = {"low": (value, None), "high": (None, value), "about": (None, None)}[bound]
    assert (r.value, (r.low, r.high), r.approx) == (value, want, True), (text, r)
    check_reparse(Records(money))


@PROFILE
@given(money_range())
def test_money_range_bounds(case: tuple[str, Decimal, Decimal]) -> None:
    text, low, high = case
    money = [r for r in check_extract(text) if r.kind == "money"]
    assert [(r.value, r.low, r.high, r.approx) for r in money] == [(None, low, high, True)], (text, money)
    check_reparse(Records(money))


@PROFILE
@given(percent_phrase())
@example(("同比增长百分之十二点三四五六七八九，", Decimal("12.3456789"), "%"))  # cut at the scan window
@example(("同比增长百分之12.34567890，", Decimal("12.3456789"), "%"))
@example(("出生率为千分之十二点三四五六七八九，", Decimal("12.3456789"), "‰"))
def test_percent_value_known(case: tuple[str, Decimal, str]) -> None:
    text, value, unit = case
    pct = [r for r in check_extract(text) if r.kind == "percent"]
    assert [(r.value, r.unit) for r in pct] == [(value, unit)], (text, pct)
    check_reparse(Records(pct))


@PROFILE
@given(texts)
@example("亿" * 300)
@example("23,876元\r\n同比增长23.4%")
@example("\ud800abc")
def test_segment_round_trip(text: str) -> None:
    check_segment(text)


@pytest.mark.parametrize(
    ("n", "written"),
    [(0, "零"), (10, "一十"), (105, "一百零五"), (10500, "一万零五百"), (10**8 + 5, "一亿零五"),
     (105_000_000, "一亿零五百万"), (1_234_567_890_123, "一万二千三百四十五亿六千七百八十九万零一百二十三")],
)  # fmt: skip
def test_chinese_numeral_helper(n: int, written: str) -> None:
    """The generator itself writes standard Chinese, so a failure above is the library's."""
    assert chinese_numeral(n) == written
