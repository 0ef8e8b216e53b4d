"""Cleaning: character normalisation and page-debris removal, each change a replayable step."""

from __future__ import annotations

import pytest

from xiangtan_nlp import apply_steps, clean
from xiangtan_nlp.cleaning.debris import strip_debris
from xiangtan_nlp.page import page_metadata
from xiangtan_nlp.cleaning.normalize import normalize

NORMALIZE_CASES = [
    ("２０２０年", "2020年"),
    ("ＧＤＰ增长", "GDP增长"),
    ("增长５０％", "增长50%"),
    ("３．５亿元", "3.5亿元"),
    ("（同比增长12%）", "（同比增长12%）"),  # Chinese brackets stay
    ("一、二：三；四？五，六。", "一、二：三；四？五，六。"),  # Chinese punctuation stays
    ("投\u200b资", "投资"),  # zero-width space
    ("\ufeff开头", "开头"),  # stray BOM
    ("控\x07制", "控制"),  # control character
    ("软\u00ad连字符", "软连字符"),  # soft hyphen
    ("e\u0301", "é"),  # NFC
    ("\uf900", "豈"),  # CJK compatibility ideograph -> unified (NFC)
    ("全角\u3000空格", "全角 空格"),
    ("行一\r\n行二\r行三", "行一\n行二\n行三"),
    ("纯文本，不变。", "纯文本，不变。"),
    ("孤\ud800立代理", "孤立代理"),  # a lone surrogate (from a JSON escape) cannot be written as UTF-8
]


@pytest.mark.parametrize(
    ("raw", "expected"), NORMALIZE_CASES, ids=[c[0].encode("utf-8", "backslashreplace").decode() for c in NORMALIZE_CASES]
)
def test_normalize(raw: str, expected: str) -> None:
    text, steps = normalize(raw)
    assert text == expected
    assert apply_steps(raw, steps) == text
    assert bool(steps) == (raw != expected), "a step is recorded only when something changed"


# Written by reading the seed: the first characters of every article paragraph (title included).
SEED_PARAGRAPHS = [
    "湘潭市开展“奋力奔跑 合力攻坚”项目竞赛活动综述",
    "湘潭在线日讯(湘潭日报社全媒体记者王超)",
    "困难面前,更需奋发有为。",
    "得益于深入开展“奋力奔跑 合力攻坚”项目竞赛活动,2020年前11个月",
    "《孙子兵法》云:水因地而制流",
    "2020年8月21日,在“以超常应对非常”战略思想指导下",
    "开局关系全局。经市委、市政府反复研究",
    "在此基础上,精准制定竞赛规则。",
    "“补、稳、保”3个字,指明了奋斗方向。",
    "“奋力奔跑 合力攻坚”项目竞赛“发令",
    "项目竞赛,关键是措施上精准聚焦",
    "对企业和项目来说,“准”就是找到它们的“痛点”",
    "为此,湘潭市建立并强化了市领导联点帮扶机制",
    "“奋力奔跑 合力攻坚项目竞赛活动目标性、导向性非常明确",
    "1月6日,我们走进位于湘乡经开区的湖南中部(湘乡)电力产业园。",
    "放眼全市,其他参赛项目建设工地上,同样是热火朝天。",
    "落户湘潭高新区的中南高科湘潭智造产业园项目,总投资超过30亿元。",
    "湘潭服务项目的“加速度”从何而来?",
    "“项目推进过程中,我们碰到棘手问题不知如何解决时",
    "“原以为政府工作人员就是坐在办公室点点鼠标",
    "金杯银杯不如老百姓的口碑。",
    "道虽迩,不行不至;事虽小,不为不成。",
    "湖南爱可信装备制造有限公司,是一家生产新能源电池箱体",
    "“为确保整体搬迁工作如期完成,我们已经连续奋战60多天了。”",
    "重担压快步,风雨催征程。",
    "“奋力奔跑 合力攻坚项目竞赛,为湘潭高质量发展提供了投资增长新支撑",
    "一处处如火如荼的建设场景,让人感受到蓬勃发展的强劲脉动",
]
# Page debris on the seed, each a string that must not survive cleaning.
SEED_DEBRIS = [
    "当前位置", "正文内容", "admin3年前", "新闻中心1396", "请理性评论", "公序良俗", "葛毅明", "400 0123 021",
    "135246785151356468684613391219793", "对接资源", "扫一扫", "二维码", "版权声明", "如需转载", "本文链接",
    "zhongnangaoke", "分享给朋友", "相关文章", "硬品牌", "湘乡市二医院", "房地产市场交易情况", "独栋边户",
    "湘乡市招商网络", "勋章级别", "成绩单",
]  # fmt: skip


def test_seed_debris_gone_and_every_paragraph_kept(seed_text: str) -> None:
    result = clean(seed_text, repair=False)
    lines = result.text.split("\n")
    for junk in SEED_DEBRIS:
        assert junk not in result.text, f"debris survived: {junk}"
    raw_lines = [ln.strip() for ln in seed_text.split("\n")]
    for head in SEED_PARAGRAPHS:
        kept = [ln for ln in lines if ln.startswith(head)]
        assert kept, f"paragraph lost: {head}"
        raw = next(ln for ln in raw_lines if ln.startswith(head))
        assert kept[0] == raw, f"paragraph changed: {head}"
    body = [ln for ln in lines if ln.strip()]
    # the title appears twice on the page (header and article); nothing else is left
    assert len(body) == len(SEED_PARAGRAPHS) + 1


def test_seed_steps_replay(seed_text: str) -> None:
    result = clean(seed_text)
    assert apply_steps(seed_text, result.steps) == result.text
    rules = {s.rule for s in result.steps if s.kind == "debris"}
    assert {"breadcrumb", "byline", "comment-rules", "qr-prompt", "copyright", "related-list"} <= rules
    for s in result.steps:
        assert s.before != s.after or s.kind == "flag"


def test_seed_metadata(seed_text: str) -> None:
    meta = page_metadata(normalize(seed_text)[0])
    assert meta == {
        "title": "湘潭市开展“奋力奔跑 合力攻坚”项目竞赛活动综述",
        "date": "2021-07-11",
        "url": "http://zhongnangaoke.com.cn/index.php/post/4850.html",
    }


# A page laid out like another site's, written for this test.
OTHER_SITE = """首页 > 新闻中心 > 经济要闻
某市一季度固定资产投资同比增长12.5%
来源：某市日报  作者：张三  发布时间：2023-05-01 10:20  浏览次数：2381
【字体：大 中 小】【打印本页】【关闭窗口】
一季度，全市完成固定资产投资356.7亿元，同比增长12.5%，增速比上年同期提高2.1个百分点。
其中，工业投资完成128亿元，占全部投资的35.9%。市民可扫描二维码查询重点项目进展，咨询电话0731-12345678，全市已有超过10万人次通过手机查询。
责任编辑：李四
上一篇：某市召开重点项目调度会
下一篇：某县签约5个产业项目
Copyright © 2023 某市日报社 All Rights Reserved
湘ICP备12345678号
"""


def test_other_site_layout() -> None:
    result = clean(OTHER_SITE, repair=False)
    kept = result.text.split("\n")
    assert kept[0] == "某市一季度固定资产投资同比增长12.5%"
    assert any(ln.startswith("一季度，全市完成固定资产投资356.7亿元") for ln in kept)
    # a body sentence that mentions a QR code and a phone number is article text, not an ad
    assert any(ln.startswith("其中，工业投资完成128亿元") and "0731-12345678" in ln for ln in kept)
    for junk in ("首页 >", "浏览次数", "打印本页", "责任编辑", "上一篇", "下一篇", "Copyright", "ICP备"):
        assert junk not in result.text, junk
    assert apply_steps(OTHER_SITE, result.steps) == result.text


KEEP_AS_ARTICLE = [
    # one-line articles (as in labelled.jsonl) that mention comments, phones or URLs
    "内地富豪最喜欢居住的城市之一是青岛，很多高档名牌车的专卖店纷纷在青岛落户，值得人们关注。我要评论",
    "活动期间，玩家可登录官网www.example.com参与，客服电话400-123-4567，奖品总价值超过10万元，详情请关注官方公众号。",
    "据介绍，该项目总投资20亿元，建成后年产值可达50亿元，带动就业3000人。",
]


@pytest.mark.parametrize("text", KEEP_AS_ARTICLE, ids=[t[:12] for t in KEEP_AS_ARTICLE])
def test_article_text_is_never_debris(text: str) -> None:
    out, steps = strip_debris(text)
    assert out == text
    assert steps == []


def test_clean_refuses_bytes() -> None:
    with pytest.raises(TypeError, match="decode"):
        clean("文本".encode())  # type: ignore[arg-type]


def test_clean_is_deterministic(seed_text: str) -> None:
    assert clean(seed_text) == clean(seed_text)


def _consumes_one_of(seq: object, chars: str) -> bool:
    """Whether every match of the parsed pattern ``seq`` holds one of ``chars`` (a proof over the
    parse tree: a literal of the set, or a group, repeat (at least once) or every branch that does)."""
    from re import _constants as c

    for op, av in seq:  # type: ignore[attr-defined]
        if op is c.LITERAL and chr(av) in chars:
            return True
        if op is c.SUBPATTERN and _consumes_one_of(av[-1], chars):
            return True
        if op is c.BRANCH and all(_consumes_one_of(b, chars) for b in av[1]):
            return True
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] >= 1 and _consumes_one_of(av[2], chars):
            return True
    return False


_GUARDED_LINES = {
    "COPYRIGHT": ("版权所有 © 2024 湘潭在线", "Copyright 2023 All Rights Reserved", "湘ICP备12345678号"),
    "COMMENT": ("文明上网 理性发言", "网友评论 12 条"),
    "QR": ("扫一扫 关注我们", "长按识别二维码"),
    "META": ("来源：湘潭日报", "责任编辑：张三", "浏览次数：1234", "【字体：大 中 小】"),
}


@pytest.mark.parametrize("name", sorted(_GUARDED_LINES))
def test_debris_guards_hold_for_every_match(name: str) -> None:
    """A line is searched with a debris rule's pattern only when it holds one of the rule's guard
    characters: every match of the pattern must hold one, or a debris line would be kept."""
    from re import _parser

    from xiangtan_nlp import page

    assert set(_GUARDED_LINES) == set(page._GUARDS)  # every guard is checked here
    pattern, guard = getattr(page, name), page._GUARDS[name]
    chars = _parser.parse(guard.pattern)[0][1]  # the guard is one class of literals
    members = "".join(chr(v) for _, v in chars)
    assert _consumes_one_of(_parser.parse(pattern.pattern), members)
    # and the lines each rule is there for pass its guard and are still classed as debris
    for line in _GUARDED_LINES[name]:
        assert pattern.search(line) and guard.search(line), line
        assert page.classify(line) != [None], line


def test_whitespace_prechecks_never_skip_a_match() -> None:
    """Debris tidying skips its two whitespace scans on a text whose substrings rule them out;
    on 20,000 random texts of spaces, tabs, line breaks and letters, neither scan would have
    found anything on a text it skipped (and each check lets through texts with a match)."""
    import random

    from xiangtan_nlp.cleaning import debris

    rng = random.Random(11)
    hits = {"edge": 0, "blank": 0}
    for _ in range(20_000):
        text = "".join(rng.choice(" \t\n中a") for _ in range(rng.randint(0, 12)))
        if any(debris._edge_spaces(text)):
            assert debris._may_have_edge_spaces(text), repr(text)
            hits["edge"] += 1
        if any(debris._blank_lines(text)):
            assert debris._may_have_blank_lines(text), repr(text)
            hits["blank"] += 1
    assert min(hits.values()) > 1000
    assert debris._may_have_edge_spaces("增长8.1%，\n总投资20亿元 ")  # a trailing space
    assert not debris._may_have_edge_spaces("增长 8.1%，\n总投资20亿元")
    assert not debris._may_have_blank_lines("增长 8.1%，\n总投资20亿元")
