"""Hostile inputs (issue 8, item 2) run through every public text function and come back sane.

Each family is a long run of one shape that makes a backtracking pattern blow up: 200,000 digits
then 亿, 亿 repeated 50,000 times, 百分之 repeated, runs of 一二三…, runs of ．, and more found
while fuzzing. Every function must finish and return a result that still holds its invariants;
a real figure written after the hostile run must still be found, exactly where it is.

There are no time limits here (house rule): a quadratic pattern shows up as a slow test, and
``benchmarks/regex_linearity.py`` measures the growth of each family at n, 2n, 4n and 8n.
``XT_HOSTILE_SCALE=0.05`` runs every family at a twentieth of its size, for a quick local pass.
"""

from __future__ import annotations

import os
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import xiangtan_nlp as xt
from xiangtan_nlp.numerals import find_numbers, parse_number

sys.path.insert(0, str(Path(__file__).parent))
from test_properties import (  # noqa: E402  (the invariants are shared with the property tests)
    check_parse_number,
    check_record,
    check_steps,
)

#: Fraction of the issue's sizes to run (XT_HOSTILE_SCALE=0.05 for a quick local pass); default 1.
SCALE = float(os.environ.get("XT_HOSTILE_SCALE", "1"))


def _n(size: int) -> int:
    return max(1, int(size * SCALE))


# (name, text): the five shapes of the issue at the sizes, then shapes found since.
FAMILIES: list[tuple[str, str]] = [
    ("200k digits then 亿", "1" * _n(200_000) + "亿"),
    ("亿 x 50,000", "亿" * _n(50_000)),
    ("百分之 x 50,000", "百分之" * _n(50_000)),
    ("一二三… x 200k", "一二三四五六七八九十" * _n(20_000)),
    ("． x 200k", "．" * _n(200_000)),
    ("1,000,000,… 50k groups", "1" + ",000" * _n(50_000)),
    ("1,000,000,…元", "1" + ",000" * _n(50_000) + "元"),
    ("一亿一亿… x 50k", "一亿" * _n(50_000)),
    ("1亿1亿… x 50k", "1亿" * _n(50_000)),
    ("1.1.1.… x 100k", "1." * _n(100_000)),
    ("$ then 200k digits", "$" + "1" * _n(200_000)),
    ("50k spaces inside a line", "1" + " " * _n(50_000) + "x"),
    ("50k tabs inside a line", "1" + "\t" * _n(50_000) + "x"),
    ("\\r\\n x 100k", "\r\n" * _n(100_000)),
    ("blank lines with spaces", " \n" * _n(100_000)),
    ("12.5% list x 20k", "增长12.5%，" * _n(20_000)),
    ("money list x 20k", "总投资30亿元，" * _n(20_000)),
    ("超过 x 50k then 30亿元", "超过" * _n(50_000) + "30亿元"),
    ("- x 200k then 1%", "-" * _n(200_000) + "1%"),
    ("一成五 x 50k", "一成五" * _n(50_000)),
    ("1/ x 100k", "1/" * _n(100_000)),
    ("分之 x 50k", "分之" * _n(50_000) + "一"),
    ("又 x 50k", "一又" * _n(50_000)),
    ("十 x 200k", "十" * _n(200_000)),
    ("零 x 200k", "零" * _n(200_000)),
    ("点 x 100k", "一点" * _n(100_000)),
    ("1e1e… x 100k", "1e" * _n(100_000)),
    ("www.a.a.… x 100k", "www." + "a." * _n(100_000)),
    ("a x 200k", "a" * _n(200_000)),
    ("* x 200k", "*" * _n(200_000)),
    ("蕞 x 2,000", "蕞" * _n(2_000)),
    ("发令*** x 20", "发令***响起，" * 20),  # each mask is scored by the language model: kept small
    ("NUL and invisibles", "\x00\u200b\ufeff" * _n(50_000)),
    ("combining marks x 100k", "e" + "\u0301" * _n(100_000)),
    ("N个高速公路项目 after 200k digits", "1" * _n(200_000) + "个高速公路项目"),
    # the forms of issue 16 and the made-up figures of issue 19
    ("1 1 1 … x 100k then 亿元", "1 " * _n(100_000) + "亿元"),
    ("1 000 000 … 50k groups", "1" + " 000" * _n(50_000) + "元"),
    ("百 分 之 x 30k", "百 分 之 " * _n(30_000) + "十二"),
    ("1，000，… 50k groups", "1" + "，000" * _n(50_000) + "元"),
    ("* x 200k then 亿元", "*" * _n(200_000) + "亿元"),
    ("：□ x 50k on one line", "：□" * _n(50_000)),  # each box's line was read once per box
    ("X x 200k then 亿元", "X" * _n(200_000) + "亿元"),
    ("20万元- x 40k", "20万元-" * _n(40_000) + "80万元"),
    ("1美元兑 x 50k", "1美元兑" * _n(50_000) + "人民币6.9元"),
    ("约2.1亿和 x 30k", "约2.1亿和" * _n(30_000) + "1.65亿"),
    ("万分之 x 50k", "万分之" * _n(50_000) + "八"),
    ("对折半成 x 50k", "对折半成" * _n(50_000)),
    ("億萬兆 x 50k", "億萬兆" * _n(50_000) + "元"),
    ("٢ x 200k then 亿元", "٢" * _n(200_000) + "亿元"),
]
IDS = [name for name, _ in FAMILIES]

#: Real figures after the hostile run, on their own line: they must come out unchanged.
TAIL = "\n总投资30亿元，同比增长8.1%。"


@pytest.mark.parametrize(("name", "text"), FAMILIES, ids=IDS)
def test_extract_survives(name: str, text: str) -> None:
    records = xt.extract(text + TAIL)
    source = records.source_text
    body = TAIL.lstrip("\n")  # the newline goes too when cleaning empties everything before it
    assert source is not None and source.endswith(body), repr(source[-40:])
    for r in records:
        check_record(r, source)
    base = len(source) - len(body)
    tail = [(r.kind, r.text, r.value, r.start - base) for r in records if r.start >= base]
    assert tail == [("money", "30亿元", Decimal(3_000_000_000), 3), ("percent", "8.1%", Decimal("8.1"), 12)]


@pytest.mark.parametrize(("name", "text"), FAMILIES, ids=IDS)
def test_clean_survives(name: str, text: str) -> None:
    check_steps(text, xt.clean(text))


@pytest.mark.parametrize(("name", "text"), FAMILIES, ids=IDS)
def test_repair_survives(name: str, text: str) -> None:
    result = xt.repair(text)
    check_steps(text, result)
    if not any(c in text for c in "*蕞"):
        assert result.text == text and not result.steps  # nothing censored, nothing touched


@pytest.mark.parametrize(("name", "text"), FAMILIES, ids=IDS)
def test_segment_survives(name: str, text: str) -> None:
    assert "".join(xt.segment(text)) == text


@pytest.mark.parametrize(("name", "text"), FAMILIES, ids=IDS)
def test_find_numbers_survives(name: str, text: str) -> None:
    last = 0
    for sp in find_numbers(text):
        assert last <= sp.start < sp.end <= len(text) and text[sp.start : sp.end] == sp.text
        assert isinstance(sp.value, Decimal) and sp.value.is_finite()
        last = sp.end


@pytest.mark.parametrize(("name", "text"), FAMILIES, ids=IDS)
def test_parse_number_survives(name: str, text: str) -> None:
    check_parse_number(text)


def test_long_numeral_value_is_exact_or_refused() -> None:
    """200,000 digits then 亿: the exact value (a Decimal, never a float) or a ValueError."""
    try:
        v = parse_number("1" * _n(200_000) + "亿")
    except ValueError:
        return
    assert v == Decimal("1" * _n(200_000) + "0" * 8)


def test_many_figures_each_read() -> None:
    """20,000 percentages in a row: every one is found, with its value, at its place."""
    text = "增长12.5%，" * _n(20_000)
    records = xt.extract(text)
    assert len(records) == _n(20_000)
    assert {(r.text, r.value) for r in records} == {("12.5%", Decimal("12.5"))}
    assert [r.start for r in records] == list(range(2, len(text), len("增长12.5%，")))


def test_qualifier_run_keeps_the_last_qualifier() -> None:
    """超过超过…超过30亿元: one figure, qualified by the 超过 right before it."""
    records = [r for r in xt.extract("超过" * _n(50_000) + "30亿元") if r.kind == "money"]
    assert [(r.text, r.value, r.low, r.high) for r in records] == [
        ("超过30亿元", Decimal(3_000_000_000), Decimal(3_000_000_000), None)
    ]


def test_deep_fraction_refused() -> None:
    """百分之百分之…: a ValueError, not a RecursionError from reading one 分之 per stack frame."""
    check_parse_number("百分之" * 1_000)
