"""The shortcuts of cleaning give what the plain rules give, on generated strings.

Debris removal skips the line rules where none can match and searches a rule's pattern only where
a cheaper guard finds what every match holds; these tests build lines and texts from the rules'
own words, marks and separators (so the rules do fire on many of them) and check each shortcut
against the plain path.
"""

from __future__ import annotations

import importlib
import random

import pytest

from xiangtan_nlp import page

# Words of the debris rules, marks, digits and separators, and plain prose to fill lines with.
_PIECES = (
    "版权所有 © 2024 (c) Copyright All Rights Reserved 未经许可 转载 如需转载 转载请注明 本文来源 本文由 发布 整理 侵权 删除 "
    "联系我们删除 ICP备 公网安备 理性评论 文明发言 文明上网 发表评论 我要评论 网友评论 登录后评论 评论 12 条评论 跟帖 发言 "
    "公序良俗 法律法规 不予发表 扫一扫 扫码 二维码 长按识别 识别图中 关注我们 关注公众号 下载客户端 来源： 作者： 编辑： 责任编辑 "
    "责编 审核： 校对： 发布时间 发布日期 发表时间 更新时间 浏览次数： 浏览量 阅读量： 阅读 点击数： 次浏览 人阅读 字号： 【字体 "
    "打印本页 关闭窗口 [打印] [关闭] 2021-07-11 2020/3/1 2019.5.6 2021年7月11日 10:30 3天前 5分钟前 138 0013 8000 "
    "400-123-4567 010-12345678 (0731)1234567 13800138000元 http://a.com/x www.xt.cn 当前位置： 首页 > 相关阅读 上一篇 分享到 "
    "请 您 元 万 亿 前 19 20 0 1 7 8 9 。 ！ ？ ， ： : . - / ( ) [ ] 【 】"
).split()
_PROSE = "国家统计局今天发布数据显示经济增长同比上升投资项目建设明显加快企业利润本月"


def _line(rng: random.Random, size: int) -> str:
    parts = []
    while sum(map(len, parts)) < size:
        parts.append(rng.choice(_PIECES) if rng.random() < 0.5 else rng.choice(_PROSE) * rng.randint(1, 3))
        if rng.random() < 0.2:
            parts.append(" ")
    return "".join(parts)


@pytest.mark.parametrize("name", sorted(page._WORDS))
def test_word_guards_hold_for_every_match(name: str) -> None:
    """A rule's pattern is searched only where its word guard finds something: on lines built
    from the rules' words, every line the pattern matches is one the guard finds something in
    (and the pattern does match many of them, so the check has teeth)."""
    pattern, guard = getattr(page, name), page._WORDS[name]
    rng = random.Random(sorted(page._WORDS).index(name))
    matched = 0
    for _ in range(20_000):
        line = _line(rng, rng.randint(1, 40))
        if pattern.search(line):
            matched += 1
            assert guard.search(line), (name, line)
    assert matched > 500, matched


def test_skipped_long_sentence_lines_match_no_rule() -> None:
    """classify skips a line over 80 characters that ends like a sentence, starts with none of
    _LONG_SENTENCE_FIRST and holds no URL: no strong rule matches such a line (here 5,000 of
    them, from the rules' words), and the lines it does not skip give the same rules as before."""
    rng = random.Random(5)
    skipped = 0
    for _ in range(20_000):
        b = (_line(rng, rng.randint(60, 190)) + rng.choice("。！？!?…」”』）)")).strip()
        long_prose = 80 < len(b) <= page.LONGEST and b[-1] in page._SENTENCE_END_SET
        if long_prose and b[0] not in page._LONG_SENTENCE_FIRST and not page._may_hold_url(b):
            skipped += 1
            assert page._strong_rule(b) is None, b
    assert skipped > 5_000, skipped


def test_text_level_url_check_classifies_as_per_line() -> None:
    """classify(text) tests for a URL once per text and skips lines; classify_lines tests each
    line: on texts of generated lines (debris among them) both give the same rules."""
    rng = random.Random(9)
    debris = 0
    for _ in range(2_000):
        lines = [_line(rng, rng.choice((0, 5, 20, 60, 120, 250))) for _ in range(rng.randint(1, 12))]
        text = "\n".join(lines)
        rules = page.classify(text)
        assert rules == page.classify_lines(page.split_lines(text)), text
        debris += any(rules)
    assert debris > 200, debris


def _mask_text(rng: random.Random) -> str:
    pieces = list("□■☐☑✓√*＊×\n \n:：，、/。）") + ["是", "否", "同意", "不同意", "有", "无", "合格", "本报记者", "带", "标", "号", "的", "在", "内", "中", "为", "**", "**重要**", "某", "记者"]
    return "".join(rng.choice(pieces) for _ in range(rng.randint(1, 60)))


def test_mask_look_alike_searches_are_local() -> None:
    """Mask look-alikes search around each run instead of over the whole text: emphasis on the
    lines with a "*", a symbol mention at the mark, check-box lines on the run's line, pairs of
    check boxes only near another box. On 20,000 texts of marks, options and line breaks each
    gives what the whole-text search gives."""
    from bisect import bisect_right

    import regex

    from xiangtan_nlp.cleaning import masks as M

    rng = random.Random(3)
    seen = {"emphasis": 0, "mention": 0, "line": 0, "pair": 0}
    for _ in range(20_000):
        text = _mask_text(rng)
        spans = [m.span() for m in M._MARKDOWN.finditer(text)]
        assert [m.span() for m in M._emphasis(text)] == spans, text
        seen["emphasis"] += bool(spans)
        mentions = {m.span(1) for m in M._SYMBOL_MENTION.finditer(text)}
        starts = [0] + [m.end() for m in regex.finditer("\n", text)]

        def line_of(i: int) -> int:
            return starts[bisect_right(starts, i) - 1]

        lines = {line_of(m.start()) for m in M._CHECKBOX_LINE.finditer(text)}
        lines |= {line_of(m.start()) for m in regex.finditer("[√✓☑]", text)}
        pairs = {i for m in M._CHECKBOX_PAIR.finditer(text) for i in range(*m.span()) if text[i] in M.BOXES}
        for s, e in (m.span() for m in M.MASK_RUN.finditer(text)):
            assert M._mentioned(text, s, e) == ((s, e) in mentions), text
            seen["mention"] += (s, e) in mentions
            if text[s] in M.BOXES:
                assert M._on_check_box_line(text, s) == (line_of(s) in lines), (text, s)
                seen["line"] += line_of(s) in lines
                if s in pairs:  # the shortcut may only rule out boxes that are in no pair
                    near = text[max(0, s - M._PAIR_REACH) : s] + text[s + 1 : s + 1 + M._PAIR_REACH]
                    assert M._ANY_BOX.search(near), (text, s)
                    seen["pair"] += 1
    assert min(seen.values()) > 100, seen


def test_normalize_jumps_find_every_match() -> None:
    """normalize jumps between the characters that can start a change instead of searching with
    its whole pattern: on 20,000 strings of full-width digits and letters, commas, line breaks,
    invisible and odd-space characters, the matches are _PATTERN.finditer's, and a text that
    the one-scan check passes as quiet comes out of the plain path unchanged."""
    import unicodedata

    N = importlib.import_module("xiangtan_nlp.cleaning.normalize")  # the package exports the function

    rng = random.Random(4)
    alphabet = list("０１２３４５６７８９，,ＡｚＸ％．12a中文。\r\n\u2028\x85\u200b\ufeff\x00\u3000\u00a0 \t") + ["\r\n", "e\u0301", "\u1100\u1161", "１，２３４", "，５６７", "８，９０"]
    grouping = 0
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
        first = N._FIRST.search(text)
        if first is not None:
            expect = [(m.span(), m.lastgroup) for m in N._PATTERN.finditer(text, first.start())]
            assert [(m.span(), m.lastgroup) for m in N._matches(text, first.start())] == expect, text
            grouping += any(g == "fullwidth_grouping" for _, g in expect)
        if N._attention().search(text) is None:
            assert first is None and unicodedata.is_normalized("NFC", text), text
    assert grouping > 200, grouping


def test_characters_left_out_of_the_quiet_check_never_change_under_nfc() -> None:
    """The one-scan check passes a text as NFC when it holds none of the characters NFC could
    change or compose: each BMP character it leaves out is NFC alone, and after any character
    that starts a canonical composition (and the Hangul leading jamo) it composes with nothing."""
    import unicodedata

    N = importlib.import_module("xiangtan_nlp.cleaning.normalize")  # the package exports the function

    check = N._attention()
    quiet = [chr(cp) for cp in range(0x10000) if not 0xD800 <= cp <= 0xDFFF and not check.match(chr(cp))]
    assert 40_000 < len(quiet) < 0x10000 - 2_000  # most characters, not all
    starters = {"a", "\u1100", "\uac00"}
    for cp in range(0x10000):
        parts = unicodedata.decomposition(chr(cp)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            starters.add(chr(int(parts[0], 16)))
    for c in quiet:
        assert unicodedata.is_normalized("NFC", c), hex(ord(c))
    for p in sorted(starters):
        pair = [p + c for c in quiet]
        assert all(unicodedata.is_normalized("NFC", s) or not unicodedata.is_normalized("NFC", s[0]) for s in pair), p
    assert check.search("e\u0301") and check.search("\u1100\u1161") and check.search("ｘ") and not check.search("中文。12")


def test_mask_prescan_tests_every_mark() -> None:
    """censor_masks looks for runs only in a text that holds a mark: the written-out test holds
    for each character of MASK_CHARS and for none of a plain text."""
    from xiangtan_nlp.chars import MASK_CHARS
    from xiangtan_nlp.cleaning import masks as M

    assert all(M._has_marks(f"发令{c}案") for c in MASK_CHARS)
    assert not M._has_marks("发令枪案，总投资20亿元 x X") and len(MASK_CHARS) == 5
