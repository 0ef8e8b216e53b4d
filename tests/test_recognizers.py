"""find_numbers and xt.extract against a peer's test suite: the Chinese number, percent and currency specs of Microsoft Recognizers-Text.

The specs (tests/data/recognizers/, see SOURCE.md there) give each input sentence the numbers it
must yield: ``Text``, ``Resolution.value``, ``Start`` and an *inclusive* ``End``. A case passes only
when every result matches ours exactly, in order, and nothing else is found. How we compare:

* text: their ``Text`` is written after their own normalisation (full-width to half-width, lower
  case: ``４，５６５`` → ``4,565``), so our slice is compared after the same normalisation;
* offsets: their ``End`` is inclusive, ours is half-open, so ours must equal ``End + 1``;
* values: theirs come from .NET doubles printed to 15 significant digits (``350.333333333333``);
  ours are exact Decimals, so they must be equal, or, when theirs has 15 or more significant
  digits, equal after both are rounded to 15.

NumberRangeModel.json has no case our project could pass whole (find_numbers finds numbers, not
ranges), so it gets a smaller check: every finite bound of an expected range must be the value of
a number we find inside that range's text.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

import pytest

import xiangtan_nlp as xt
from xiangtan_nlp.numerals import NumberSpan, find_numbers

DATA = Path(__file__).parent / "data" / "recognizers"
MIN_PASS_RATE = 0.90

_K_M = (
    "k and M suffixes are not read as thousand and million: in Chinese news 4K, 5G and 3M are "
    "names, and amounts are written with 万 and 亿"
)
_DOZEN = (
    "打 is not read as a dozen: after a numeral in news it is as often the verb (三打白骨精, "
    "一打就通), and 12 times a verb is worse than a miss"
)
_POW_FLOAT = (
    "the spec's value is a .NET floating-point power; the exact 1.1^23 is "
    "8.95430243255237372246531, which differs in the 15th digit"
)
_CURRENCY = (
    "a numeral before a currency (一美元) is a figure for us, a money toolkit; Recognizers "
    "leaves it to its currency model and expects nothing here"
)

#: Cases we accept to fail, with why. Every other case must pass.
KNOWN_FAILURES: dict[str, str] = {
    "40k": _K_M,
    "-2.5 M": _K_M,
    "一打": _DOZEN,
    "五十打": _DOZEN,
    "十打苹果": _DOZEN,
    "壹打": _DOZEN,
    "十打蘋果": _DOZEN,
    "1.1^+23": _POW_FLOAT,
    "-1.1^+23": _POW_FLOAT,
    "-1.1^--23": (
        "a doubled sign in an exponent (^--23) is a typo we do not guess at: we find -1.1 and 23 "
        "(and the spec's value is a float power anyway)"
    ),
    "一美元": _CURRENCY,
    "苹果折扣一美元": _CURRENCY,
}


def _load(name: str) -> list[dict[str, Any]]:
    with open(DATA / name, encoding="utf-8-sig") as f:
        return json.load(f)


NUMBER_CASES = _load("NumberModel.json")
RANGE_CASES = _load("NumberRangeModel.json")


def _normalise(s: str) -> str:
    """Recognizers' normalisation of reported text: full-width ASCII to half-width, lower case."""
    return "".join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in s).lower()


def _same_value(ours: Decimal, theirs: str) -> bool:
    expected = Decimal(theirs)
    if ours == expected:
        return True
    if len(expected.as_tuple().digits) >= 15:  # a double printed in full: compare 15 digits
        with localcontext() as ctx:
            ctx.prec = 15
            return +ours == +expected
    return False


def _mismatch(case: dict[str, Any], got: list[NumberSpan]) -> str | None:
    """None when find_numbers gives exactly the expected results, else what differs."""
    want = [
        (r["Text"], r["Resolution"]["value"], r["Start"], r["End"] + 1) for r in case["Results"]
    ]
    have = [(s.text, str(s.value), s.start, s.end) for s in got]
    if len(want) != len(have):
        return f"expected {want}, found {have}"
    for w, g, span in zip(want, have, got):
        text, value, start, end = w
        if _normalise(span.text) != _normalise(text) or (span.start, span.end) != (start, end):
            return f"expected {want}, found {have}"
        if not _same_value(span.value, value):
            return f"expected value {value} for {text!r}, found {span.value}"
    return None


def _failures() -> dict[str, str]:
    out = {}
    for case in NUMBER_CASES:
        problem = _mismatch(case, find_numbers(case["Input"]))
        if problem:
            out[case["Input"]] = problem
    return out


def test_known_failures_are_real_cases() -> None:
    inputs = {c["Input"] for c in NUMBER_CASES}
    stray = set(KNOWN_FAILURES) - inputs
    assert not stray, f"not in NumberModel.json: {stray}"


@pytest.mark.parametrize("case", NUMBER_CASES, ids=[c["Input"][:40] for c in NUMBER_CASES])
def test_number_model_case(case: dict[str, Any]) -> None:
    """Each case on its own, so a failure names its input; accepted failures are xfail."""
    problem = _mismatch(case, find_numbers(case["Input"]))
    reason = KNOWN_FAILURES.get(case["Input"])
    if reason:
        if problem is None:
            pytest.fail(f"{case['Input']!r} now passes: take it out of KNOWN_FAILURES")
        pytest.xfail(reason)
    assert problem is None, f"{case['Input']!r}: {problem}"


def test_number_model_pass_rate() -> None:
    failures = _failures()
    rate = 1 - len(failures) / len(NUMBER_CASES)
    passed = len(NUMBER_CASES) - len(failures)
    print(f"NumberModel.json: {passed}/{len(NUMBER_CASES)} passed ({rate:.1%})")
    unexpected = {k: v for k, v in failures.items() if k not in KNOWN_FAILURES}
    assert not unexpected, "regressions: " + "; ".join(f"{k!r}: {v}" for k, v in unexpected.items())
    assert rate >= MIN_PASS_RATE, f"pass rate {rate:.1%} < {MIN_PASS_RATE:.0%}: {sorted(failures)}"


# --- NumberRangeModel.json: the bounds of each range are numbers we find ---------------------

#: Range cases whose bounds we do not check, and why.
RANGE_SKIPPED: dict[str, str] = {
    "5k-20k": _K_M,
    "还有20万次以上来观影的呀？": "the spec gives the bound 20000 for 20万, which is 200000",
}
_BOUND = re.compile(r"[-0-9.E+]+")


def _bounds(resolution: str) -> list[Decimal]:
    """The finite bounds of an interval written like '(20,35]', '[4565,)', '(,100]'."""
    return [Decimal(b) for b in _BOUND.findall(resolution)]


RANGE_ITEMS = [
    (case["Input"], r)
    for case in RANGE_CASES
    if case["Input"] not in RANGE_SKIPPED
    for r in case["Results"]
]


@pytest.mark.parametrize(
    ("text", "result"), RANGE_ITEMS, ids=[f"{t[:30]}:{r['Text']}" for t, r in RANGE_ITEMS]
)
def test_number_range_bounds_are_found(text: str, result: dict[str, Any]) -> None:
    lo, hi = result["Start"], result["End"] + 1
    inside = [s.value for s in find_numbers(text) if lo <= s.start and s.end <= hi]
    for bound in _bounds(result["Resolution"]["value"]):
        assert any(_same_value(v, str(bound)) for v in inside), (
            f"{text!r}: bound {bound} of {result['Text']!r} is not among the numbers found "
            f"there: {inside}"
        )


# -- the percent and currency specs, through xt.extract ----------------------------------------
# PercentModel.tsv and CurrencyModel.tsv (SOURCE.md) hold the cases of the peer's Chinese
# PercentModel and CurrencyModel specs as input and expected values only (their offsets follow
# their own text normalisation): a case passes when xt.extract gives exactly those values, in order.

_RANGE = "5-20% is one range for us (low 5, high 20, no single value); the spec reads only 20%"
_FOLD = (
    "对折 alone is read as 50% like 打对折: news writes 商品对折出售 without 打; the spec's "
    "对折 alone is folding in half"
)
_NOT_SHARE = "五百分之2.2 is a typo or a fraction we do not guess at; we read the 百分之2.2 in it"
_COMPOUND = "a sum of two currencies' units across 又 or 日本銭 is not a form news writes"
_BARE_KUAI = "三块 without 钱 is as often three pieces (三块地) as three yuan"
_AFTER_WORD_YUAN = (
    "a one-character numeral right after a word before 元 is part of the word (李四人民币, "
    "统一元件); 手机壳五元三毛 is lost with them"
)
PERCENT_KNOWN: dict[str, str] = {
    "对折": _FOLD, "對折": _FOLD,
    "百分之15Ｋ": _K_M, "百分之3.2k": _K_M, "百分之3.2M": _K_M, "12k个百分点": _K_M,
    "１５k个百分点": _K_M, "百 分 之  ５２.５ k": _K_M, "12k個百分點": _K_M, "１５k個百分點": _K_M,
    "五百分之2.2": _NOT_SHARE,
    "找出酒精量在5-20%之间的产品": _RANGE,
}  # fmt: skip
CURRENCY_KNOWN: dict[str, str] = {
    "10日元5日本銭": _COMPOUND, "这台电脑两美元又三美分": _COMPOUND,
    "这个手机壳花费你五美元和花费我三块": _BARE_KUAI, "这个手机壳五元三毛": _AFTER_WORD_YUAN,
}  # fmt: skip


def _tsv(name: str) -> list[tuple[str, str]]:
    rows = (line.rstrip("\n").split("\t") for line in (DATA / name).open(encoding="utf-8") if not line.startswith("#"))
    return [(r[0], r[1]) for r in rows]


PERCENT_CASES = _tsv("PercentModel.tsv")
CURRENCY_CASES = _tsv("CurrencyModel.tsv")


def _mark(cases: list[tuple[str, str]], known: dict[str, str]) -> list[Any]:
    return [pytest.param(i, e, marks=pytest.mark.xfail(strict=True, reason=known[i])) if i in known else (i, e) for i, e in cases]


@pytest.mark.parametrize(("text", "expected"), _mark(PERCENT_CASES, PERCENT_KNOWN), ids=[c[0][:30] for c in PERCENT_CASES])
def test_percent_model_case(text: str, expected: str) -> None:
    want = [Decimal(v) for v in expected.split(",")] if expected else []
    assert [r.value for r in xt.extract(text, kinds=("percent",))] == want


@pytest.mark.parametrize(("text", "expected"), _mark(CURRENCY_CASES, CURRENCY_KNOWN), ids=[c[0][:30] for c in CURRENCY_CASES])
def test_currency_model_case(text: str, expected: str) -> None:
    want = [(Decimal(v), code) for v, code in (p.split(":") for p in expected.split(";"))]
    assert [(r.value, r.currency) for r in xt.extract(text, kinds=("money",))] == want


def test_percent_and_currency_known_failures_are_real_cases() -> None:
    assert set(PERCENT_KNOWN) <= {c[0] for c in PERCENT_CASES}
    assert set(CURRENCY_KNOWN) <= {c[0] for c in CURRENCY_CASES}
    # floors at what passes today (125 of 137, 15 of 19; issue 16's targets are 95% and 90%): the
    # known list may shrink, never grow past them
    assert len(PERCENT_CASES) - len(PERCENT_KNOWN) >= 125
    assert len(CURRENCY_CASES) - len(CURRENCY_KNOWN) >= 15
