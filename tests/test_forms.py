"""Every way Chinese text writes a rate or an amount (issue 16), and figures never made up (issue 19).

Tables of positive and negative cases, one per form, written by reading each phrase: the records
it must give (kind, exact text, value, unit or currency, low, high, approx) and nothing else. A
failing case is named by its form and its text.

Decisions these tables pin (README, "What a record holds"):

* 万分之八 is 8 ‱ (unit ``‱``); smaller shares are % with the value scaled exactly
  (百万分之三 = 0.0003 %); 千分之三 stays 3 ‰.
* 成 counts tenths (两成 = 20 %, 半成 = 5 %, 四成半 = 45 %); 折 is the price paid in tenths
  (八折 = 80 %, 八八折 = 85 %… read as written, 对折 = 50 %); 十折 is no discount and no figure.
* 比特币 is money under ``BTC`` (the exchanges' code; ISO 4217 has none).
* An exchange rate is kind ``rate``: value = quote currency per one unit of the base, unit
  ``BASE/QUOTE`` as markets write it (1美元兑人民币6.9元 → 6.9 ``USD/CNY``).
* A masked amount (**万元, X亿元) is a record with no value and ``masked`` true.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

import xiangtan_nlp as xt
from xiangtan_nlp.model import format_decimal
from xiangtan_nlp.numerals import parse_number

KINDS = "money,percent,rate"

# (form, text, [(kind, record text, value, unit, low, high, approx)]); money's unit is its currency.
POSITIVE: list[tuple[str, str, list[tuple]]] = [
    # ---- parts per ten thousand and smaller
    ("万分之", "手续费为万分之八", [("percent", "万分之八", "8", "‱", "8", "8", False)]),
    ("万分之 decimal", "佣金降至万分之二点五", [("percent", "万分之二点五", "2.5", "‱", "2.5", "2.5", False)]),
    ("萬分之", "費率為萬分之五", [("percent", "萬分之五", "5", "‱", "5", "5", False)]),
    ("‱ sign", "印花税率为3‱", [("percent", "3‱", "3", "‱", "3", "3", False)]),
    ("百万分之", "误差为百万分之三", [("percent", "百万分之三", "0.0003", "%", "0.0003", "0.0003", False)]),
    ("百万分之 bound", "误差不超过百万分之三", [("percent", "不超过百万分之三", "0.0003", "%", None, "0.0003", True)]),
    ("千万分之", "精度达千万分之二", [("percent", "千万分之二", "0.00002", "%", "0.00002", "0.00002", False)]),
    ("十万分之", "发生率为十万分之一", [("percent", "十万分之一", "0.001", "%", "0.001", "0.001", False)]),
    ("千分之", "出生率为千分之十二", [("percent", "千分之十二", "12", "‰", "12", "12", False)]),
    ("负百分之", "利润增长负百分之五", [("percent", "负百分之五", "-5", "%", "-5", "-5", False)]),
    ("百分之负", "利润增长百分之负五", [("percent", "百分之负五", "-5", "%", "-5", "-5", False)]),
    # ---- 成
    ("两成", "首付两成", [("percent", "两成", "20", "%", "20", "20", False)]),
    ("兩成", "首付兩成", [("percent", "兩成", "20", "%", "20", "20", False)]),
    ("半成", "利润只有半成", [("percent", "半成", "5", "%", "5", "5", False)]),
    ("四成半", "销量增长四成半，", [("percent", "四成半", "45", "%", "45", "45", False)]),
    ("两成半", "占两成半", [("percent", "两成半", "25", "%", "25", "25", False)]),
    ("六成八", "六成八的受访者", [("percent", "六成八", "68", "%", "68", "68", False)]),
    ("九成九", "九成九的企业", [("percent", "九成九", "99", "%", "99", "99", False)]),
    ("4成", "超过4成", [("percent", "超过4成", "40", "%", "40", None, True)]),
    ("成 range", "增长一到两成", [("percent", "一到两成", None, "%", "10", "20", True)]),
    # a falling "range" keeps its second figure, checked as that figure (it raised TypeError)
    ("falling range into 成", "由9~四成", [("percent", "四成", "40", "%", "40", "40", False)]),
    ("成 range 至", "约二至三成", [("percent", "约二至三成", None, "%", "20", "30", True)]),
    # ---- 折
    ("对折", "商品打对折", [("percent", "对折", "50", "%", "50", "50", False)]),
    ("對折", "全場對折", [("percent", "對折", "50", "%", "50", "50", False)]),
    ("半折", "半折出售", [("percent", "半折", "50", "%", "50", "50", False)]),
    ("八折", "全场商品打八折", [("percent", "八折", "80", "%", "80", "80", False)]),
    ("八八折", "会员八八折", [("percent", "八八折", "88", "%", "88", "88", False)]),
    ("九五折", "享九五折优惠", [("percent", "九五折", "95", "%", "95", "95", False)]),
    ("8.5折", "门票8.5折", [("percent", "8.5折", "85", "%", "85", "85", False)]),
    ("8 5 折", "门票8 5 折", [("percent", "8 5 折", "85", "%", "85", "85", False)]),
    ("七点五折", "机票七点五折", [("percent", "七点五折", "75", "%", "75", "75", False)]),
    ("七 点 五 折", "机票七 点 五 折", [("percent", "七 点 五 折", "75", "%", "75", "75", False)]),
    ("柒點伍折", "機票柒點伍折", [("percent", "柒點伍折", "75", "%", "75", "75", False)]),
    ("九點五折", "九點五折優惠", [("percent", "九點五折", "95", "%", "95", "95", False)]),
    ("兩折", "清倉兩折", [("percent", "兩折", "20", "%", "20", "20", False)]),
    ("1折", "低至1折", [("percent", "1折", "10", "%", "10", "10", False)]),
    ("折 range", "七至八折", [("percent", "七至八折", None, "%", "70", "80", True)]),
    # ---- Traditional script
    ("億", "總投資30億元", [("money", "30億元", "3000000000", "CNY", "3000000000", "3000000000", False)]),
    ("兆", "三兆二千億元", [("money", "三兆二千億元", "3200000000000", "CNY", "3200000000000", "3200000000000", False)]),
    ("兩億三千萬", "投資兩億三千萬元", [("money", "兩億三千萬元", "230000000", "CNY", "230000000", "230000000", False)]),
    ("貳仟參佰肆拾萬", "貳仟參佰肆拾萬元", [("money", "貳仟參佰肆拾萬元", "23400000", "CNY", "23400000", "23400000", False)]),
    ("陸萬", "捐款陸萬元", [("money", "陸萬元", "60000", "CNY", "60000", "60000", False)]),
    ("港圓 before", "港圓100萬", [("money", "港圓100萬", "1000000", "HKD", "1000000", "1000000", False)]),
    ("港圓 after", "售價100萬港圓", [("money", "100萬港圓", "1000000", "HKD", "1000000", "1000000", False)]),
    ("美圓", "美圓50億", [("money", "美圓50億", "5000000000", "USD", "5000000000", "5000000000", False)]),
    ("新台幣", "新台幣30億元", [("money", "新台幣30億元", "3000000000", "TWD", "3000000000", "3000000000", False)]),
    ("新臺幣", "營收120億新臺幣", [("money", "120億新臺幣", "12000000000", "TWD", "12000000000", "12000000000", False)]),
    ("澳門幣", "澳門幣20萬", [("money", "澳門幣20萬", "200000", "MOP", "200000", "200000", False)]),
    ("超過", "總投資超過30億元", [("money", "超過30億元", "3000000000", "CNY", "3000000000", None, True)]),
    ("約", "約20億元", [("money", "約20億元", "2000000000", "CNY", None, None, True)]),
    ("以內", "控制在5億元以內", [("money", "5億元以內", "500000000", "CNY", None, "500000000", True)]),
    ("餘", "投資30餘億元", [("money", "30餘億元", "3000000000", "CNY", "3000000000", None, True)]),
    ("個百分點", "提高3.5個百分點", [("percent", "3.5個百分點", "3.5", "pp", "3.5", "3.5", False)]),
    ("百分之十二點五", "增長百分之十二點五", [("percent", "百分之十二點五", "12.5", "%", "12.5", "12.5", False)]),
    ("數十億", "帶動數十億元投資", [("money", "數十億元", None, "CNY", None, None, True)]),
    # ---- numbers broken by spaces (PDF and scraped text)
    ("3. 25亿元", "投资3. 25亿元", [("money", "3. 25亿元", "325000000", "CNY", "325000000", "325000000", False)]),
    ("百 分 之 十二", "同比增长百 分 之 十二", [("percent", "百 分 之 十二", "12", "%", "12", "12", False)]),
    ("二十 个百分点", "提高二十 个百分点", [("percent", "二十 个百分点", "20", "pp", "20", "20", False)]),
    ("六点 五个百分点", "提高六点 五个百分点", [("percent", "六点 五个百分点", "6.5", "pp", "6.5", "6.5", False)]),
    ("百分之三 十", "增长百分之三 十", [("percent", "百分之三 十", "30", "%", "30", "30", False)]),
    ("１．８ 个百分 点", "提高１．８ 个百分 点", [("percent", "1.8 个百分 点", "1.8", "pp", "1.8", "1.8", False)]),
    ("5 5亿 美元", "金额达5 5亿 美元", [("money", "5 5亿 美元", "5500000000", "USD", "5500000000", "5500000000", False)]),
    ("20 亿元", "总投资20 亿元", [("money", "20 亿元", "2000000000", "CNY", "2000000000", "2000000000", False)]),
    ("12 %", "资金节约率为12 %", [("percent", "12 %", "12", "%", "12", "12", False)]),
    ("ideographic space", "投资3.\u300025亿元", [("money", "3. 25亿元", "325000000", "CNY", "325000000", "325000000", False)]),
    # ---- currency names
    ("美圆", "50万美圆", [("money", "50万美圆", "500000", "USD", "500000", "500000", False)]),
    ("港圆", "100亿港圆", [("money", "100亿港圆", "10000000000", "HKD", "10000000000", "10000000000", False)]),
    ("英镑", "30亿英镑", [("money", "30亿英镑", "3000000000", "GBP", "3000000000", "3000000000", False)]),
    ("欧元", "20亿欧元", [("money", "20亿欧元", "2000000000", "EUR", "2000000000", "2000000000", False)]),
    ("日圆", "50亿日圆", [("money", "50亿日圆", "5000000000", "JPY", "5000000000", "5000000000", False)]),
    ("日元", "五千日元", [("money", "五千日元", "5000", "JPY", "5000", "5000", False)]),
    ("韩元", "30亿韩元", [("money", "30亿韩元", "3000000000", "KRW", "3000000000", "3000000000", False)]),
    ("卢布", "100万卢布", [("money", "100万卢布", "1000000", "RUB", "1000000", "1000000", False)]),
    ("新台币", "30亿新台币", [("money", "30亿新台币", "3000000000", "TWD", "3000000000", "3000000000", False)]),
    ("比特币", "持有1000比特币", [("money", "1000比特币", "1000", "BTC", "1000", "1000", False)]),
    ("个比特币", "挖出100个比特币", [("money", "100个比特币", "100", "BTC", "100", "100", False)]),
    ("港币 then 元", "港币100元", [("money", "港币100元", "100", "HKD", "100", "100", False)]),
    ("美分", "每股派息50美分", [("money", "50美分", "0.5", "USD", "0.5", "0.5", False)]),
    ("便士", "上涨20便士", [("money", "20便士", "0.2", "GBP", "0.2", "0.2", False)]),
    ("元角", "票价一元五角", [("money", "一元五角", "1.5", "CNY", "1.5", "1.5", False)]),
    ("元角分", "单价3元5角2分", [("money", "3元5角2分", "3.52", "CNY", "3.52", "3.52", False)]),
    ("块钱", "花了3块钱", [("money", "3块钱", "3", "CNY", "3", "3", False)]),
    ("毛钱", "票价五毛钱", [("money", "五毛钱", "0.5", "CNY", "0.5", "0.5", False)]),
    # ---- ranges with the unit on both ends
    ("元-元", "投资20万元-80万元", [("money", "20万元-80万元", None, "CNY", "200000", "800000", True)]),
    ("元到元", "月薪1500元到2000元", [("money", "1500元到2000元", None, "CNY", "1500", "2000", True)]),
    ("元至元", "补助20万元至30万元", [("money", "20万元至30万元", None, "CNY", "200000", "300000", True)]),
    ("美元-美元", "融资3亿美元-5亿美元", [("money", "3亿美元-5亿美元", None, "USD", "300000000", "500000000", True)]),
    ("元~元", "售价100元~200元", [("money", "100元~200元", None, "CNY", "100", "200", True)]),
    ("百分点到百分点", "提高3个百分点到5个百分点", [("percent", "3个百分点到5个百分点", None, "pp", "3", "5", True)]),
    ("falling pair", "从20万元-10万元", [
        ("money", "20万元", "200000", "CNY", "200000", "200000", False),
        ("money", "10万元", "100000", "CNY", "100000", "100000", False)]),
    # ---- false figures
    ("个亿元 amount", "投资50个亿", [("money", "50个亿", "5000000000", "CNY", "5000000000", "5000000000", False)]),
    ("rate 兑", "1美元兑人民币6.9元", [("rate", "1美元兑人民币6.9元", "6.9", "USD/CNY", "6.9", "6.9", False)]),
    ("rate 对", "1欧元对人民币7.6元", [("rate", "1欧元对人民币7.6元", "7.6", "EUR/CNY", "7.6", "7.6", False)]),
    ("rate 兑换", "100日元兑换5.8元人民币", [("rate", "100日元兑换5.8元人民币", "0.058", "JPY/CNY", "0.058", "0.058", False)]),
    ("rate =", "当日1美元=6.9元", [("rate", "1美元=6.9元", "6.9", "USD/CNY", "6.9", "6.9", False)]),
    ("conversion is no rate", "1亿美元兑换成6.9亿元人民币", [
        ("money", "1亿美元", "100000000", "USD", "100000000", "100000000", False),
        ("money", "6.9亿元人民币", "690000000", "CNY", "690000000", "690000000", False)]),
    ("赎回", "赎回1800亿", [("money", "1800亿", "180000000000", "CNY", "180000000000", "180000000000", False)]),
    ("限购", "单日限购300万", [("money", "300万", "3000000", "CNY", "3000000", "3000000", False)]),
    ("订单", "新签订单4.6亿", [("money", "4.6亿", "460000000", "CNY", "460000000", "460000000", False)]),
    ("的设备", "购买1500万的设备", [("money", "1500万", "15000000", "CNY", "15000000", "15000000", False)]),
    ("shared backwards", "分别为1860万和0.25美元", [
        ("money", "1860万", "18600000", "USD", "18600000", "18600000", False),
        ("money", "0.25美元", "0.25", "USD", "0.25", "0.25", False)]),
    ("约 covers a list", "投资约2.1亿和1.65亿", [
        ("money", "约2.1亿", "210000000", "CNY", None, None, True),
        ("money", "1.65亿", "165000000", "CNY", None, None, True)]),
    ("约 before the verb", "大约需要投资3000亿元", [("money", "3000亿元", "300000000000", "CNY", None, None, True)]),
    ("约需", "全部建成约需资金5亿元", [("money", "5亿元", "500000000", "CNY", None, None, True)]),
    # ---- read right, never a different number (issue 19)
    ("Arabic-Indic digits", "总投资٢٠亿元", [("money", "٢٠亿元", "2000000000", "CNY", "2000000000", "2000000000", False)]),
    ("exponent", "总投资1.5e9元", [("money", "1.5e9元", "1500000000", "CNY", "1500000000", "1500000000", False)]),
    ("full-width commas", "总投资1，000，000元", [("money", "1，000，000元", "1000000", "CNY", "1000000", "1000000", False)]),
    ("full-width comma group", "营业利润2，645万元", [("money", "2，645万元", "26450000", "CNY", "26450000", "26450000", False)]),
    ("spaced groups", "总投资1 000 000元", [("money", "1 000 000元", "1000000", "CNY", "1000000", "1000000", False)]),
    ("list number", "1. 25亿元的项目", [("money", "25亿元", "2500000000", "CNY", "2500000000", "2500000000", False)]),
    # ---- forms of the peer's Percent and Currency specs (Recognizers-Text) that news also writes
    ("wide spaces", "提高一百五十    个百分点", [("percent", "一百五十    个百分点", "150", "pp", "150", "150", False)]),
    ("spaced 个百分 点", "上升２．４   个百分 点", [("percent", "2.4   个百分 点", "2.4", "pp", "2.4", "2.4", False)]),
    ("成 and a spaced tenth", "约七成 六的企业", [("percent", "约七成 六", "76", "%", None, None, True)]),
    ("full-width minus", "增速为－1２２％", [("percent", "－122%", "-122", "%", "-122", "-122", False)]),
    ("佰分之", "佰分之一百二十点五", [("percent", "佰分之一百二十点五", "120.5", "%", "120.5", "120.5", False)]),
    ("numeral after a word, foreign currency", "这台电脑两美元", [("money", "两美元", "2", "USD", "2", "2", False)]),
    ("奈拉", "汇率跌至445奈拉", [("money", "445奈拉", "445", "NGN", "445", "445", False)]),
    ("成, then a month", "完成七成 六月份", [("percent", "七成", "70", "%", "70", "70", False)]),
    ("digits a table's gap apart", "表1   2.5%", [("percent", "2.5%", "2.5", "%", "2.5", "2.5", False)]),
]  # fmt: skip

# Text that holds no money, percent or rate figure (each one a form above gone wrong).
NEGATIVE: list[tuple[str, str]] = [
    ("十折 is no discount", "十折"),
    ("一波三折", "一波三折，百折不挠"),
    ("成 words", "降低成本，一成不变，半成品，过半成交"),
    ("折 words", "折旧费用，对折叠好，打折扣"),
    ("兆瓦", "装机容量100兆瓦"),
    ("count of projects", "新开工45个亿元以上项目"),
    ("count of projects 千万元", "引进20个千万元以上产业项目"),
    ("亿元 class alone", "新开工亿元以上项目12个"),
    ("亿元 alone", "单位：亿元"),
    ("exponent too large", "1e308亿元"),
    ("30 digits", "总投资" + "1" * 30 + "元"),
    ("30 digits 亿", "总投资" + "1" * 30 + "亿元"),
    ("bad grouping", "总投资1,0000元"),
    ("one spaced group", "序号1 300万元"),
    ("digit after digit and space", "表1 12.5%"),
    ("圆 words", "圆满完成，团圆饭"),
    ("约 in a word", "签约项目3个"),
    ("a word ending in 一 before a currency", "统一美元结算"),
    # marks after a Latin letter are no amount, nor are the marks after the first (a match used to
    # start at the second mark of A***万元); nor is a run of marks longer than any number
    ("marks after a letter", "型号A***万元"),
    ("60 marks", "*" * 60 + "万元"),
]

# Masked or placeholder amounts: a figure with no value, never one unit (issue 19).
MASKED: list[tuple[str, str, str, str, str]] = [
    # (form, text, record text, kind, unit)
    ("**万元", "总投资**万元", "**万元", "money", "CNY"),
    ("**亿元", "**亿元", "**亿元", "money", "CNY"),
    ("□□亿元", "投资□□亿元", "□□亿元", "money", "CNY"),
    ("X亿元", "总投资X亿元", "X亿元", "money", "CNY"),
    ("××万元", "合同金额××万元", "××万元", "money", "CNY"),
    ("xx万美元", "融资xx万美元", "xx万美元", "money", "USD"),
    ("digit and mask", "总投资3**万元", "3**万元", "money", "CNY"),
    ("**%", "同比增长**%", "**%", "percent", "%"),
]


def _s(d: Decimal | None) -> str | None:
    return None if d is None else format_decimal(d)


def _got(text: str) -> list[tuple]:
    return [
        (r.kind, r.text, _s(r.value), r.unit, _s(r.low), _s(r.high), r.approx)
        for r in xt.extract(text, kinds=KINDS)
    ]


@pytest.mark.parametrize(("form", "text", "expected"), POSITIVE, ids=[f"{c[0]}: {c[1]}" for c in POSITIVE])
def test_form(form: str, text: str, expected: list[tuple]) -> None:
    assert _got(text) == expected, f"{form}: {text}"


@pytest.mark.parametrize(("form", "text"), NEGATIVE, ids=[f"{c[0]}: {c[1][:30]}" for c in NEGATIVE])
def test_no_figure(form: str, text: str) -> None:
    assert _got(text) == [], f"{form}: {text}"


@pytest.mark.parametrize(("form", "text", "written", "kind", "unit"), MASKED, ids=[c[0] for c in MASKED])
def test_masked_has_no_value(form: str, text: str, written: str, kind: str, unit: str) -> None:
    (r,) = xt.extract(text, kinds=KINDS)
    assert (r.kind, r.text, r.unit, r.masked) == (kind, written, unit, True), form
    assert (r.value, r.low, r.high) == (None, None, None), form
    assert not r.vague, form


def test_unmasked_records_are_not_masked() -> None:
    assert [r.masked for r in xt.extract("总投资30亿元，增长8.1%", kinds=KINDS)] == [False, False]


def test_rate_amounts_are_not_money() -> None:
    """An exchange rate's two amounts are never money records, whether rates are asked for or not."""
    text = "1美元兑人民币6.9元，总投资30亿元"
    assert [(r.kind, r.text) for r in xt.extract(text, kinds="money,percent")] == [("money", "30亿元")]


def test_traditional_labels_and_directions() -> None:
    """Labels are found in Traditional script too, and given as written."""
    recs = xt.extract("總投資30億元，營業收入同比增長百分之十二點五，出口下降3.2%", kinds=KINDS)
    assert [(r.text, r.label, r.direction) for r in recs] == [
        ("30億元", "總投資", None),
        ("百分之十二點五", "同比增長", "up"),
        ("3.2%", "出口下降", "down"),
    ]


def test_spaced_figure_offsets_point_into_the_text() -> None:
    """A figure with spaces taken out still points at its exact characters, and so do later ones."""
    text = "投资3. 25亿元，同比增长百 分 之 十二，总投资20亿元。"
    recs = xt.extract(text, kinds=KINDS, clean=False)
    assert [(r.text, text[r.start : r.end]) for r in recs] == [
        ("3. 25亿元", "3. 25亿元"), ("百 分 之 十二", "百 分 之 十二"), ("20亿元", "20亿元"),
    ]  # fmt: skip
    assert recs[2].sentence == "投资3. 25亿元，同比增长百 分 之 十二，总投资20亿元。"
    raw = "投资3.\u300025亿元，增长百\xa0分之十二"  # uncleaned: odd spaces stay, and are read through
    assert [(r.text, r.value) for r in xt.extract(raw, kinds=KINDS, clean=False)] == [
        ("3.\u300025亿元", Decimal(325000000)), ("百\xa0分之十二", Decimal(12)),
    ]  # fmt: skip


# ---- parse_number reads every numeral form above
PARSE: list[tuple[str, str]] = [
    ("兩億三千萬", "230000000"),
    ("三兆二千億", "3200000000000"),
    ("柒點伍", "7.5"),
    ("十二點五", "12.5"),
    ("貳仟參佰肆拾", "2340"),
    ("陸萬", "60000"),
    ("壹佰萬", "1000000"),
    ("兩", "2"),
    ("٢٠", "20"),
    ("٢٠亿", "2000000000"),
    ("1，000，000", "1000000"),
    ("1 000 000", "1000000"),
    ("六点 五", "6.5"),
    ("1.5e9", "1500000000"),
]


@pytest.mark.parametrize(("written", "value"), PARSE, ids=[c[0] for c in PARSE])
def test_parse_number_forms(written: str, value: str) -> None:
    assert parse_number(written) == Decimal(value), written


def test_parse_number_example_from_the_issue() -> None:
    assert xt.parse_number("兩億三千萬") == 230000000
