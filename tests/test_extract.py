"""Money and percent records: a table of real phrasings, negatives, the seed exactly, the gold files."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest

import xiangtan_nlp as xt
from xiangtan_nlp.io.read import read_text
from xiangtan_nlp.model import format_decimal

sys.path.insert(0, str(Path(__file__).parent))
import gold_scorer as gs  # noqa: E402

D = Decimal

# (text, [(record text, kind, value, unit, low, high, approx, qualifier)])
CASES = [
    ("总投资20亿元的湖南中部(湘乡)电力产业园", [("20亿元", "money", "2000000000", "CNY", "2000000000", "2000000000", False, None)]),
    ("企业拟投资2.2亿元在湘潭经开区建设", [("2.2亿元", "money", "220000000", "CNY", "220000000", "220000000", False, None)]),
    ("总投资超过30亿元", [("超过30亿元", "money", "3000000000", "CNY", "3000000000", None, True, "超过")]),
    ("预计年营业收入达60亿元以上", [("60亿元以上", "money", "6000000000", "CNY", "6000000000", None, True, "以上")]),
    ("计划投资一百二十亿元", [("一百二十亿元", "money", "12000000000", "CNY", "12000000000", "12000000000", False, None)]),
    ("今年全国铁路投资1.2万亿元", [("1.2万亿元", "money", "1200000000000", "CNY", "1200000000000", "1200000000000", False, None)]),
    ("融资16.4亿元", [("16.4亿元", "money", "1640000000", "CNY", "1640000000", "1640000000", False, None)]),
    ("投资120亿，建设新厂", [("120亿", "money", "12000000000", "CNY", "12000000000", "12000000000", False, None)]),
    ("赔偿李四人民币50元", [("人民币50元", "money", "50", "CNY", "50", "50", False, None)]),
    ("出资约合人民币3000万元", [("约合人民币3000万元", "money", "30000000", "CNY", None, None, True, "约合")]),
    ("融资0.72亿和0.45亿美元", [
        ("0.72亿", "money", "72000000", "USD", "72000000", "72000000", False, None),
        ("0.45亿美元", "money", "45000000", "USD", "45000000", "45000000", False, None)]),
    ("分别为2.48亿、1.36亿和0.16亿美元", [
        ("2.48亿", "money", "248000000", "USD", "248000000", "248000000", False, None),
        ("1.36亿", "money", "136000000", "USD", "136000000", "136000000", False, None),
        ("0.16亿美元", "money", "16000000", "USD", "16000000", "16000000", False, None)]),
    ("总投资20亿至30亿元", [("20亿至30亿元", "money", None, "CNY", "2000000000", "3000000000", True, None)]),
    ("投资6-8亿元", [("6-8亿元", "money", None, "CNY", "600000000", "800000000", True, None)]),
    ("带动数十亿元投资", [("数十亿元", "money", None, "CNY", None, None, True, "数")]),
    ("打造千亿级产业集群", [("千亿级", "money", None, "CNY", None, None, True, "千")]),
    ("净利润逾3000万美元", [("逾3000万美元", "money", "30000000", "USD", "30000000", None, True, "逾")]),
    ("营收近百亿元", [("近百亿元", "money", "10000000000", "CNY", None, "10000000000", True, "近")]),
    ("投资30多亿元", [("30多亿元", "money", "3000000000", "CNY", "3000000000", None, True, "多")]),
    ("融资不到500万欧元", [("不到500万欧元", "money", "5000000", "EUR", None, "5000000", True, "不到")]),
    ("收购价约120亿港元左右", [("约120亿港元左右", "money", "12000000000", "HKD", None, None, True, "约…左右")]),
    ("贷款5000万日元和200万英镑", [
        ("5000万日元", "money", "50000000", "JPY", "50000000", "50000000", False, None),
        ("200万英镑", "money", "2000000", "GBP", "2000000", "2000000", False, None)]),
    ("突破1,000亿韩元", [("突破1,000亿韩元", "money", "100000000000", "KRW", "100000000000", None, True, "突破")]),
    ("全市投资增长8.1%", [("8.1%", "percent", "8.1", "%", "8.1", "8.1", False, None)]),
    ("较疫情初期提升36.9个百分点", [("36.9个百分点", "percent", "36.9", "pp", "36.9", "36.9", False, None)]),
    ("投资完成率151.67%", [("151.67%", "percent", "151.67", "%", "151.67", "151.67", False, None)]),
    ("同比增长百分之十二点五", [("百分之十二点五", "percent", "12.5", "%", "12.5", "12.5", False, None)]),
    ("增速为5%-8%", [("5%-8%", "percent", None, "%", "5", "8", True, None)]),
    ("出口下降-10.5%", [("-10.5%", "percent", "-10.5", "%", "-10.5", "-10.5", False, None)]),
    ("利润增长负40%", [("负40%", "percent", "-40", "%", "-40", "-40", False, None)]),
    ("出生率为千分之十二", [("千分之十二", "percent", "12", "‰", "12", "12", False, None)]),
    ("自然增长率3.5‰", [("3.5‰", "percent", "3.5", "‰", "3.5", "3.5", False, None)]),
    ("七成以上的企业", [("七成以上", "percent", "70", "%", "70", None, True, "以上")]),
    ("全场商品打八折", [("八折", "percent", "80", "%", "80", "80", False, None)]),
    ("会员享受七五折", [("七五折", "percent", "75", "%", "75", "75", False, None)]),
    ("首付两成", [("两成", "percent", "20", "%", "20", "20", False, None)]),
    ("销量增长三成多", [("三成多", "percent", "30", "%", "30", None, True, "多")]),
    ("回升1余成", [("1余成", "percent", "10", "%", "10", None, True, "余")]),
    ("销量增长一成五，", [("一成五", "percent", "15", "%", "15", "15", False, None)]),
    ("约两成五的企业", [("约两成五", "percent", "25", "%", None, None, True, "约")]),
    ("九成一线城市房价上涨", [("九成", "percent", "90", "%", "90", "90", False, None)]),
    ("有十成把握", [("十成", "percent", "100", "%", "100", "100", False, None)]),
    ("由百分之八到百分之五", [("百分之八", "percent", "8", "%", "8", "8", False, None),
                         ("百分之五", "percent", "5", "%", "5", "5", False, None)]),
    ("占比约30％", [("约30%", "percent", "30", "%", None, None, True, "约")]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_cases(text: str, expected: list[tuple]) -> None:
    records = xt.extract(text, kinds="money,percent")
    got = [
        (r.text, r.kind, _s(r.value), r.unit, _s(r.low), _s(r.high), r.approx, r.qualifier)
        for r in records
    ]
    assert got == expected


def _s(d: Decimal | None) -> str | None:
    return None if d is None else format_decimal(d)


# Numbers that are not money or percentages, and words that only look like them.
NEGATIVES = [
    "2020年前11个月，累计引进入园企业40家",
    "蕞多时有400多人同时在现场施工",
    "占地面积1.2万平方米，年产水泥300万吨",
    "联系电话13391219793，或拨打400 0123 021",
    "人口1.2亿人，耕地3000万亩",
    "装机容量120万千瓦，年发电量50亿千瓦时",
    "成功举办，成为全省第一，一成不变",
    "一波三折，百折不挠，折旧费用",
    "单一元素，统一元件，元旦放假",
    "2011-2015年，第3季度",
    "项目从筹建到厂房交付仅用15个月",
    "全长1.5万公里，共3000万人次",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_negatives(text: str) -> None:
    assert list(xt.extract(text, kinds="money,percent")) == []


def test_labels_and_directions() -> None:
    recs = xt.extract("总投资超过30亿元，全市投资增长8.1%，较疫情初期提升36.9个百分点，出口同比下降3.2%")
    assert [(r.label, r.direction) for r in recs] == [
        ("总投资", None), ("投资增长", "up"), ("提升", "up"), ("同比下降", "down"),
    ]


def test_records_point_into_cleaned_text() -> None:
    raw = "当前位置:首页 > 新闻\n总投资２０亿元的项目，同比增长１２．５％。"
    recs = xt.extract(raw)
    assert [r.text for r in recs] == ["20亿元", "12.5%"]
    for r in recs:
        assert recs.source_text[r.start : r.end] == r.text
        assert r.text in r.sentence


def test_decimal_never_float() -> None:
    (r,) = xt.extract("总投资16.4亿元")
    assert isinstance(r.value, Decimal) and r.value == D("1640000000")
    assert format_decimal(r.value) == "1640000000"


def test_values_past_28_digits_print_exactly() -> None:
    """Decimal's default context rounds at 28 digits; a 36-digit amount still prints (and reprs) whole."""
    (r,) = xt.extract("总投资" + "1" * 24 + "万亿元")
    assert format_decimal(r.value) == "1" * 24 + "0" * 12
    assert "1" * 24 + "0" * 12 in repr(r)
    assert format_decimal(D("1" * 35 + ".250")) == "1" * 35 + ".25"


# The seed's eight figures, written by reading the article.
SEED_FIGURES = [
    ("percent", "8.1%", "8.1", "%", False, None, "up"),
    ("percent", "36.9个百分点", "36.9", "pp", False, None, "up"),
    ("percent", "151.67%", "151.67", "%", False, None, None),
    ("percent", "153.97%", "153.97", "%", False, None, None),
    ("money", "20亿元", "2000000000", "CNY", False, None, None),
    ("money", "60亿元以上", "6000000000", "CNY", True, "以上", None),
    ("money", "超过30亿元", "3000000000", "CNY", True, "超过", None),
    ("money", "2.2亿元", "220000000", "CNY", False, None, None),
]
SEED_LABELS = ["投资增长", "提升", "完成率", "完成率", "总投资", "营业收入", "总投资", "拟投资"]


def test_seed_exact(seed_text: str) -> None:
    recs = xt.extract(seed_text, kinds="money,percent")
    got = [(r.kind, r.text, format_decimal(r.value), r.unit, r.approx, r.qualifier, r.direction) for r in recs]
    assert got == SEED_FIGURES
    for r, label in zip(recs, SEED_LABELS):
        assert r.label is not None and label in r.label, (r.text, r.label)


def _predictions(path: Path) -> list[dict]:
    recs = xt.extract(read_text(path), kinds="money,percent")
    return [
        {k: (format_decimal(v) if isinstance(v, Decimal) else v) for k, v in r.as_dict().items()}
        for r in recs
    ]


def test_gold_f1() -> None:
    files = gs.gold_files()
    assert len(files) >= 16, "the seed and at least 15 articles have gold"
    results = []
    misses = []
    for f in files:
        gold = gs.load_gold(f)
        res = gs.score(gold["figures"], _predictions(gs.corpus_path(gold)))
        results.append(res)
        misses += [(gold["doc"], "missed", g["text"]) for g in res["unmatched_gold"]]
        misses += [(gold["doc"], "extra", p["text"]) for p in res["unmatched_pred"]]
    agg = gs.aggregate(results)
    for kind in ("money", "percent"):
        assert agg[kind]["f1"] >= 0.98, (kind, agg[kind]["f1"], misses)
        attrs = agg[kind]["attributes"]
        for a in ("approx", "low_high", "direction"):
            assert attrs[a] >= 0.95, (kind, a, attrs[a])


def test_records_of_one_sentence_share_it() -> None:
    """One string per sentence, not one per record: a 200k-character line with 20,000 figures
    held 20,000 copies of itself (6 GB) before."""
    text = "增长12.5%，" * 100 + "\n总投资30亿元。"
    recs = xt.extract(text, kinds="money,percent", clean=False)
    assert len(recs) == 101
    assert len({id(r.sentence) for r in recs}) == 2
    assert recs[0].sentence == text.split("\n")[0]


def test_a_page_without_stops_gives_bounded_sentences() -> None:
    """A page flattened without sentence ends: each record carries a piece of at most MAX_SENTENCE
    characters around it, cut at a comma, not the whole page (33,000 rows x 1 MB each before)."""
    from xiangtan_nlp.extraction.context import MAX_SENTENCE

    text = "全年投资增长12.5%，产值达到30亿元，" * 3000  # 63,000 characters, no stop
    recs = xt.extract(text, kinds="money,percent", clean=False)
    assert len(recs) == 6000
    assert max(len(r.sentence) for r in recs) <= MAX_SENTENCE
    for r in recs[::500]:
        assert r.text in r.sentence and r.sentence.endswith("，") or r.sentence.endswith("元")


def test_record_quick_init_is_the_dataclass_init() -> None:
    """Record's fast __init__ (model._quick_init) takes the same arguments as the dataclass's own
    and gives an equal, frozen, hashable record of class Record (a subclass's too); missing or
    unknown arguments still raise."""
    import dataclasses
    import inspect
    import pickle

    from xiangtan_nlp.model import Record

    fields = dataclasses.fields(Record)
    reference = dataclasses.make_dataclass(
        "Reference", [(f.name, f.type, dataclasses.field(default=f.default)) if f.default is not dataclasses.MISSING
                      else (f.name, f.type) for f in fields], frozen=True, slots=True)  # fmt: skip
    params = inspect.signature(Record).parameters
    assert list(params) == [f.name for f in fields]
    assert [p.default for p in params.values()] == [
        inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default for f in fields
    ]
    full = {f.name: f"v{i}" for i, f in enumerate(fields)}
    for kwargs in (full, {"kind": "money", "text": "20亿元", "start": 3, "end": 8}, {**full, "value": Decimal("2E9")}):
        r = Record(**kwargs)
        assert dataclasses.astuple(r) == dataclasses.astuple(reference(**kwargs))
        assert r == Record(*kwargs.values()) and hash(r) == hash(Record(**kwargs))
        assert pickle.loads(pickle.dumps(r)) == r
        assert dataclasses.replace(r, text="x").text == "x"
        with pytest.raises(dataclasses.FrozenInstanceError):
            r.text = "changed"  # type: ignore[misc]
    assert type(Record(**full)) is Record  # built as its open twin, handed out frozen

    class Sub(Record):  # a subclass is filled through the slot descriptors, and stays itself
        pass

    sub = Sub(**full)
    assert type(sub) is Sub and dataclasses.astuple(sub) == tuple(full.values())
    with pytest.raises(dataclasses.FrozenInstanceError):
        sub.text = "changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Record(kind="money", text="1元", start=0)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Record(kind="money", text="1元", start=0, end=2, colour="red")  # type: ignore[call-arg]


def test_scan_windows_find_what_a_whole_text_scan_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    """figures._windows limits the scan to the spans around the anchors: on 30,000 strings woven
    from every currency, percent, fraction, qualifier and range word, numerals and prose, the
    records are those of one scan of the whole text."""
    import random

    from xiangtan_nlp.extraction import figures as F
    from xiangtan_nlp.extraction import patterns as P

    words = [*P.CURRENCY_WORDS, *P.CURRENCY_PREFIXES, *P.QUALIFIERS_BEFORE, *P.QUALIFIERS_AFTER,
             *P.PERCENT_UNIT_WORDS, *P.FRACTION_BASES, *P.RANGE_SEPARATORS, "12", "3.5", "2,500",
             "1,000,000", "十二点五", "数十", "上百", "个", "负", "。", "，", "\n", " ", "投资", "增长", "的"]  # fmt: skip
    pieces = words + list("0123456789.,一二三四五六七八九十百千万亿多余成折分之为达")
    rng = random.Random(3)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(3, 40))) for _ in range(30_000)]
    kinds = ("money", "percent", "rate")
    windowed = [F.find_figures(t, kinds) for t in texts]
    monkeypatch.setattr(F, "_windows", lambda t: [(0, len(t))] if t else [])
    whole = [F.find_figures(t, kinds) for t in texts]
    assert windowed == whole
    assert sum(map(len, whole)) > 20_000  # the strings are full of figures


def test_filler_strip_is_the_plus_pattern() -> None:
    """context._FILLER is written X X* for speed: on 50,000 random clauses of filler characters it
    strips exactly what (?:X)+\\Z does."""
    import random
    import re

    from xiangtan_nlp.extraction import context

    plus = re.compile(rf"(?:{'|'.join(context.FILLERS)})+\Z")
    rng = random.Random(5)
    alphabet = "".join(sorted(set("".join(context.FILLERS)))) + "增长投资元，"
    stripped = 0
    for _ in range(50_000):
        clause = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        assert context._FILLER.sub("", clause) == plus.sub("", clause), clause
        stripped += context._FILLER.sub("", clause) != clause
    assert stripped > 10_000
    assert context._strip_filler("营业收入分别达到") == "营业收入"
