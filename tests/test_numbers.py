"""parse_number and find_numbers: tables of real strings, each failure named by its input."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from xiangtan_nlp.numerals import NumberSpan, find_numbers, parse_number

# --- parse_number -----------------------------------------------------------------------------

PARSE_CASES: list[tuple[str, str]] = [
    # Arabic, with separators, full-width forms, decimals, exponents and signs
    ("0", "0"),
    ("23,876", "23876"),
    ("1,050,000,000", "1050000000"),
    ("１２３", "123"),
    ("４，５６５", "4565"),
    ("３．５", "3.5"),
    ("10.233", "10.233"),
    (".5", "0.5"),
    ("-.5", "-0.5"),
    ("2e5", "200000"),
    ("-1e1", "-10"),
    ("1.5E-3", "0.0015"),
    ("２.７８９０e－１", "0.2789"),
    ("+7", "7"),
    ("-10000", "-10000"),
    # Chinese numerals
    ("零", "0"),
    ("〇", "0"),
    ("一", "1"),
    ("两", "2"),
    ("十", "10"),
    ("十二", "12"),
    ("二十", "20"),
    ("一百零一", "101"),
    ("一千零五十", "1050"),
    ("一千零十二", "1012"),
    ("两万三千", "23000"),
    ("一百二十亿", "12000000000"),
    ("四亿五千六百四十二万零一十五", "456420015"),
    ("一百零一万零三千零十二", "1013012"),
    ("四千五百六十九万八千三百一十一亿四千八百七十二万五千三百八十二", "4569831148725382"),
    ("四万万", "400000000"),
    ("五兆六十二亿四万五千二", "5006200045200"),  # 兆 = 万亿, a section above 亿
    ("四十九兆九千五百九十二億", "49959200000000"),
    ("二〇二一", "2021"),
    ("零十", "10"),
    # financial and traditional forms
    ("壹佰贰拾叁", "123"),
    ("肆佰陸拾", "460"),
    ("拾万零五十六", "100056"),
    ("兩千兩百貳拾二", "2222"),
    ("壹萬零二百五十", "10250"),
    # mixed Arabic and Chinese
    ("2.2亿", "220000000"),
    ("1.2万亿", "1200000000000"),
    ("3千万", "30000000"),
    ("1万2千", "12000"),
    ("3万4000", "34000"),
    ("5亿1万4千6百", "500014600"),
    ("1,100.9亿", "110090000000"),
    ("10萬萬", "1000000000"),
    # decimals in Chinese
    ("十二点五", "12.5"),
    ("零点五", "0.5"),
    ("十二点五亿", "1250000000"),
    ("两千万点五五四四", "20000000.5544"),
    ("四百亿点零五零", "40000000000.05"),
    # colloquial: a last digit after a unit counts in the next unit down
    ("一百五", "150"),
    ("两万三", "23000"),
    ("三千五", "3500"),
    ("九十二万四", "924000"),
    ("百三", "130"),
    ("千三", "1300"),
    ("两千三点一", "2300.1"),
    ("一千六点五", "1600.5"),
    ("半百", "50"),
    # fractions
    ("二分之一", "0.5"),
    ("五分之一", "0.2"),
    ("百分之十二点五", "0.125"),
    ("千分之五", "0.005"),
    ("一百分之五十五点五七九", "0.55579"),
    ("五百分之2333", "4.666"),
    ("二十五分之一千零拾肆", "40.56"),
    ("负一又二分之一", "-1.5"),
    ("一百万又五十万分之二十五", "1000000.00005"),
    ("负３分之负三", "1"),
    ("二分 之一", "0.5"),
    ("3/5", "0.6"),
    ("３／５", "0.6"),
    ("1 3/5", "1.6"),
    ("-3/2", "-1.5"),
    # powers
    ("2^5", "32"),
    ("2.5^-1", "0.4"),
    ("1.1^+23", "8.95430243255237372246531"),
    # signs
    ("负三十二", "-32"),
    ("負三十二", "-32"),
    ("负10000", "-10000"),
    ("负0.2", "-0.2"),
    # spaces inside a numeral
    ("7 万5 千4 百", "75400"),
    ("三千 九百 六十五", "3965"),
    ("1000  万", "10000000"),
    (" 42 ", "42"),
]


@pytest.mark.parametrize(("text", "expected"), PARSE_CASES, ids=[c[0] for c in PARSE_CASES])
def test_parse_number(text: str, expected: str) -> None:
    value = parse_number(text)
    assert type(value) is Decimal, f"{text!r} gave a {type(value).__name__}"
    assert value == Decimal(expected), f"{text!r}: {value} != {expected}"


def test_parse_number_is_exact() -> None:
    assert parse_number("16.4亿") == Decimal("1640000000")
    assert parse_number("0.1") + parse_number("0.2") == Decimal("0.3")
    assert parse_number("1.2万亿") == Decimal("1200000000000")
    assert parse_number("三分之一") == Decimal("0." + "3" * 60)  # rounded to 60 digits, never a float
    huge = "9" * 200_000
    assert parse_number(huge + "亿") == Decimal(huge + "e8")  # exact however long


ERROR_CASES = [
    "数十亿",  # vague: 数 is no digit
    "十多万",  # vague; find_numbers reads its lower bound, parse_number will not guess
    "万",
    "万万",
    "亿元",
    "",
    "   ",
    "abc",
    "一点",
    "五十千",  # units out of order
    "1万1万",
    "1亿2亿",
    "1亿亿亿",
    "零分之一",
    "0^-1",
    "1.1^--23",
    "2021/3/5",
    "百万",
]


@pytest.mark.parametrize("text", ERROR_CASES, ids=[repr(c) for c in ERROR_CASES])
def test_parse_number_rejects(text: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        parse_number(text)
    assert repr(text) in str(excinfo.value), f"the message should name {text!r}: {excinfo.value}"


@pytest.mark.parametrize("bad", [None, 12, 1.5, b"12", ["12"]], ids=repr)
def test_parse_number_wants_str(bad: object) -> None:
    with pytest.raises(TypeError):
        parse_number(bad)  # type: ignore[arg-type]


# --- find_numbers -----------------------------------------------------------------------------

FIND_CASES: list[tuple[str, list[tuple[str, str]]]] = [
    # one-character numerals: numbers before a measure word, words otherwise
    ("一只", [("一", "1")]),
    ("十斤", [("十", "10")]),
    ("小明有十个手指头", [("十", "10")]),
    ("四百多", [("四百", "400")]),
    ("排名第一", [("一", "1")]),
    ("一切", []),
    ("一些", []),
    ("一起", []),
    ("一样", []),
    ("万一", []),
    ("防止万一", []),
    ("十分重要", []),
    ("统一", []),
    ("统一部署", []),
    ("唯一", []),
    ("唯一的机会", []),
    ("进一步加强", []),
    ("股价一度涨停", []),
    ("我家在四川", []),
    ("我准备要退伍了", []),
    ("小明每天收拾房间", []),
    ("零售额增长", []),
    ("一带一路", []),
    # estimates and vague amounts
    ("七八个人", []),
    ("五六百元", []),
    ("两两", []),
    ("数十亿元", []),
    ("几十个", []),
    ("十多万人", [("十多万", "100000")]),
    ("五百余万元", [("五百余万", "5000000")]),
    ("一百零几万", [("一百零几万", "1000000")]),
    # whole numbers, decimals and mixed forms in running text
    ("项目总投资16.4亿元", [("16.4亿", "1640000000")]),
    ("总值2,600.5亿元", [("2,600.5亿", "260050000000")]),
    ("其中三千五百万元", [("三千五百万", "35000000")]),
    ("投资12亿5000万元", [("12亿5000万", "1250000000")]),
    ("二百三十三，五百七十七，一千六点五。", [("二百三十三", "233"), ("五百七十七", "577"), ("一千六点五", "1600.5")]),
    ("两百点两", [("两百", "200"), ("两", "2")]),
    ("上午十点三十分开会", [("十", "10"), ("三十", "30")]),  # a clock time, not 10.3
    ("二〇二一年一月", [("二〇二一", "2021"), ("一", "1")]),
    ("一九九八年", [("一九九八", "1998")]),
    ("负三十二度", [("负三十二", "-32")]),
    ("价格3-5元", [("3", "3"), ("5", "5")]),  # a range, not minus five
    ("日期2021/3/5", [("2021", "2021"), ("3", "3"), ("5", "5")]),
    (
        "2222.2222.22222.222",  # a dotted code, not decimals
        [("2222", "2222"), ("2222", "2222"), ("22222", "22222"), ("222", "222")],
    ),
    ("1, 234, 567", [("1", "1"), ("234", "234"), ("567", "567")]),
    ("装机容量100兆瓦", [("100", "100")]),  # 兆瓦 is a megawatt
    ("7 万5 千4 百", [("7 万5 千4 百", "75400")]),
    ("一美元", [("一", "1")]),
    # fractions and percentages
    ("三分之一的人", [("三分之一", "0." + "3" * 60)]),
    ("三百 五又三分之一", [("三百 五又三分之一", "350." + "3" * 60)]),
    ("1 4/3的美梦,1/2的努力", [("1 4/3", "2." + "3" * 59), ("1/2", "0.5")]),
    ("二分之。", [("二", "2")]),
    ("占比百分之十二点五", [("十二点五", "12.5")]),
    ("增长3个百分点", [("3", "3")]),
    ("同比增长12%", []),
    ("减少了二％", []),
    # names, not numbers
    ("H7N9", []),
    ("G20峰会", []),
    ("COVID-19疫情", []),
    ("5G网络", []),
]


@pytest.mark.parametrize(("text", "expected"), FIND_CASES, ids=[c[0] for c in FIND_CASES])
def test_find_numbers(text: str, expected: list[tuple[str, str]]) -> None:
    spans = find_numbers(text)
    assert [(s.text, s.value) for s in spans] == [(t, Decimal(v)) for t, v in expected], text
    for s in spans:
        assert text[s.start : s.end] == s.text, f"{text!r}: {s} is not the slice it claims"
        assert type(s.value) is Decimal


def test_number_span_is_frozen() -> None:
    span = find_numbers("共三十人")[0]
    assert span == NumberSpan("三十", 1, 3, Decimal(30))
    with pytest.raises(dataclasses.FrozenInstanceError):
        span.value = Decimal(0)  # type: ignore[misc]


def test_find_numbers_wants_str() -> None:
    with pytest.raises(TypeError):
        find_numbers(None)  # type: ignore[arg-type]


def test_found_values_agree_with_parse_number() -> None:
    """A span without 多/余/几 parses back to its own value."""
    text = "1,100.9亿、负三十二、两千三点一、三分之一、3/5、2^5、二〇二一、7 万5 千4 百、十二点五亿、半百"
    spans = find_numbers(text)
    assert len(spans) == 10, spans
    for s in spans:
        assert parse_number(s.text) == s.value, s


# Inputs that make a backtracking pattern take hours. The scan is linear: these run in a second
# or two. No time limit here (machines differ); a regression shows as a test run that hangs.
ADVERSARIAL: list[tuple[str, str, list[str]]] = [
    ("200,000 digits then 亿", "9" * 200_000 + "亿", ["9" * 200_000 + "亿"]),
    ("亿 50,000 times", "亿" * 50_000, []),
    ("1 then 亿 50,000 times", "1" + "亿" * 50_000, ["1亿亿"]),
    ("runs of 一二三", "一二三四五六七八九" * 20_000, []),
    ("runs of ．", "．" * 200_000, []),
    ("runs of .", "." * 100_000 + "5", ["5"]),  # ...9 is 9 in the spec
    ("1万 100,000 times", "1万" * 100_000, []),
    ("spaces inside", "一" + " " * 200_000 + "万", ["一" + " " * 200_000 + "万"]),
    ("signs", "－" * 100_000 + "9", ["9"]),
]


@pytest.mark.parametrize(("name", "text", "expected"), ADVERSARIAL, ids=[a[0] for a in ADVERSARIAL])
def test_find_numbers_on_adversarial_input(name: str, text: str, expected: list[str]) -> None:
    assert [s.text for s in find_numbers(text)] == expected, name
