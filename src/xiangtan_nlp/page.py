"""The lines of a scraped page and what each one is: title, byline, breadcrumb, share bar, ad…

A scraped news page is article text wrapped in page furniture. :func:`classify` names each
line's role (None for article text) from features that carry over between sites: how long a line
is, whether it ends like a sentence, which keywords it holds, and where it sits (page head, body,
or the tail after the article ends). Cleaning removes the furniture
(:mod:`xiangtan_nlp.cleaning.debris`); reading uses it to find a page's title, date and URL
(:func:`page_metadata`). A body paragraph — long, ending in 。！？ and without a furniture keyword
at its start — is never classed as furniture, whatever it mentions.
"""

from __future__ import annotations

import re
import unicodedata

import regex

from .budget import time_left
from .chars import CONTROL_CLASS, FULLWIDTH_ALNUM, INVISIBLE_CLASS, ODD_SPACES_CLASS, is_han

# ---------------------------------------------------------------- patterns, compiled once
URL = regex.compile(r"(?i:https?://|www\.)[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]*[A-Za-z0-9/_=#%-]")
PHONE = regex.compile(
    r"(?<![\d.,$¥￥€£币])(?:1[3-9]\d(?:[- ]?\d{4}){2}"  # mobile 138 0013 8000; $13000000000 is money
    r"|400[- ]?\d{3}[- ]?\d{3,4}|800[- ]?\d{3}[- ]?\d{4}"  # service numbers
    r"|0\d{2,3}[- ]\d{7,8}|0\d{2,3}\)\d{7,8}|\(0\d{2,3}\)\d{7,8})"
    r"(?![\d.,十百千万亿元%％‰美欧港日英])"  # 13000000000元 is an amount, not a phone number
)
DATE = regex.compile(
    r"(?:(?:19|20)\d{2}(?:-\d{1,2}-\d{1,2}|/\d{1,2}/\d{1,2}|\.\d{1,2}\.\d{1,2}(?!\d)|年\d{1,2}月\d{1,2}日)"
    r"(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?)"
    r"|\d+\s*(?:秒|分钟|小时|天|周|个月|年)前"
)
SENTENCE_END_CHARS = "。！？!?…」”』）)"
SENTENCE_END = regex.compile(f"[{regex.escape(SENTENCE_END_CHARS)}]\\s*$")

BREADCRUMB = regex.compile(
    r"^\s*(?:当前位置|您的位置|你的位置|您现在的位置|所在位置|位置)\s*[:：]"
    r"|^\s*(?:首页|网站首页|主页)\s*(?:[>＞»›/→-]|&gt;)"
)
META = regex.compile(
    r"来源\s*[:：]|作者\s*[:：]|编辑\s*[:：]|责任编辑|责编|审核\s*[:：]|校对\s*[:：]|发布时间|发布日期|发表时间|更新时间"
    r"|浏览(?:次数|量)?\s*[:：]?\s*\d|阅读(?:量|数)?\s*[:：]?\s*\d|点击(?:数|量|率)?\s*[:：]\s*\d|\d+\s*(?:次浏览|次阅读|人阅读|阅读)"
    r"|字号\s*[:：]|【\s*字体|打印本页|关闭窗口|\[\s*打印\s*\]|\[\s*关闭\s*\]"
)
COMMENT = regex.compile(
    r"理性评论|文明发言|文明上网|发表评论|我要评论|网友评论|登录后评论|评论\s*\d+|\d+\s*条评论|跟帖"
    r"|(?:评论|发言).{0,40}(?:公序良俗|法律法规|不予发表|删除)"
)
CONTACT = regex.compile(r"电话|手机|热线|微信|QQ|qq|联系人|联系方式|咨询|加盟|租售|招商热线|公众号|邮箱")
QR = regex.compile(r"扫一扫|扫码|二维码|长按(?:识别|图片)|识别图中|关注(?:我们|公众号|微信)|下载(?:客户端|APP|App)")
COPYRIGHT = regex.compile(
    r"版权(?:声明|所有)|©|\(c\)|copyright|all rights reserved|未经(?:许可|授权).{0,10}(?:转载|使用)"
    r"|如需转载|转载请注明|本文(?:来源|转自|由).{0,20}(?:发布|转载|整理)|侵权.{0,6}删除|联系我们删除"
    r"|ICP备|公网安备",
    regex.IGNORECASE,
)
SHARE = regex.compile(
    r"^\s*(?:分享(?:给朋友|到)?|转发|收藏|点赞|打印|返回顶部|上一篇|下一篇|上一条|下一条|本文链接|原文链接|相关链接)\s*[:：]?"
)
RELATED = regex.compile(
    r"^\s*[【\[]?\s*(?:相关(?:文章|阅读|新闻|推荐|链接|报道)|推荐阅读|延伸阅读|猜你喜欢|热门(?:文章|推荐|新闻)|热点推荐|更多(?:新闻|文章|阅读)|你可能感兴趣的|您可能感兴趣的)\s*[】\]]?\s*[:：]?\s*$"
)
SECOND_PERSON = regex.compile(r"您")
_STOPS = re.compile("[。！？!?]")  # the stdlib call costs a fifth of the regex module's

# ------------------------------------------------------------------------- line features
LONGEST = 200  # debris lines are short: a longer line is article text whatever it mentions
MONEY_HINT = regex.compile(r"\d\s*(?:万|亿)?(?:元|美元)")


class Line:
    """One line of the page with the features the rules use.

    A plain slotted class: a page of news is split into a Line per line before any rule is read,
    and a frozen dataclass with a derived field cost 4x as much to make (split_lines was a quarter
    of debris removal on figure-dense news)."""

    __slots__ = ("start", "end", "text", "body")

    def __init__(self, start: int, end: int, text: str) -> None:
        self.start = start
        self.end = end  # end of the line's text, before its newline
        self.text = text
        self.body = text.strip()  # the text stripped, found once

    def __repr__(self) -> str:
        return f"Line({self.start}, {self.end}, {self.text!r})"

    @property
    def is_blank(self) -> bool:
        return not self.body

    @property
    def is_sentence(self) -> bool:
        """Long enough and ending like prose, or holding several sentences: an article paragraph."""
        return _is_sentence(self.body)


def _is_sentence(b: str) -> bool:
    """:attr:`Line.is_sentence` of a line's stripped text."""
    if len(b) < 30:
        return False
    if b[-1] in _SENTENCE_END_SET:
        return True
    stop = _STOPS.search(b)  # a full sentence inside, then a trailing fragment
    return stop is not None and stop.start() >= 15


def _ends_like_sentence(body: str) -> bool:
    """SENTENCE_END on a stripped line: its last character is enough (str.strip removes every
    character the pattern's ``\\s`` matches, checked over all of Unicode)."""
    return body[-1:] in _SENTENCE_END_SET


_SENTENCE_END_SET = frozenset(SENTENCE_END_CHARS)


def _strong_rule(b: str, urls: bool = True) -> str | None:
    """A rule that marks a line (its stripped text ``b``) as debris wherever it stands; ``urls``
    False says the whole text holds no URL (:func:`_may_hold_url` fails on it).

    The cheap tests (length, whether the line reads as a sentence) come before the searches, and a
    sentence longer than 80 characters (article text, most lines of a page) meets only the rules
    that read its start or need it to be a bare link. Each pattern is searched on its own: one
    alternation of all of them was 5x slower than the ten searches (the regex module loses each
    pattern's literal prefix scan in the union).
    """
    n = len(b)
    if n > LONGEST:
        return None
    sentence = _is_sentence(b)
    # Three rules read a line's start and URL needs "://" or "www.": most lines fail these exact
    # tests of a character or two, and skip the searches (two thirds of them on news pages).
    first = b[0]
    if n <= 120 and first in _BREADCRUMB_FIRST and BREADCRUMB.search(b):
        return "breadcrumb"
    if first in _RELATED_FIRST and RELATED.match(b):
        return "related-list"
    url = URL.search(b) if urls and _may_hold_url(b) else None
    if (url or n <= 30) and first in _SHARE_FIRST and SHARE.match(b):
        return "share"
    if url and len(URL.sub("", b).strip(" :：|·-")) <= 12:
        return "url"
    if (
        _GUARDS["COPYRIGHT"].search(b) and _WORDS["COPYRIGHT"].search(b) and COPYRIGHT.search(b)
        if (n <= 160 and not sentence or n <= 80)
        else first in _COPYRIGHT_FIRST and COPYRIGHT.match(b)
    ):
        return "copyright"
    if (
        (not sentence or b.startswith("请") and n <= 160)
        and _GUARDS["COMMENT"].search(b)
        and _WORDS["COMMENT"].search(b)
        and COMMENT.search(b)
    ):
        return "comment-rules"
    if sentence and n > 80:
        return None  # article text: the rules below need a short line or one that is no sentence
    if n <= 40 and _GUARDS["QR"].search(b) and QR.search(b):
        return "qr-prompt"
    if (
        (n <= 60 or not sentence)
        and ("0" in b or "1" in b)
        and _WORDS["PHONE"].search(b)
        and PHONE.search(b)
        and (n <= 60 or CONTACT.search(b))
    ):
        return "contact-ad"
    if sentence or n > 100 or "元" in b and MONEY_HINT.search(b):
        return None
    if _GUARDS["META"].search(b) and _WORDS["META"].search(b) and META.search(b):
        return "byline"
    if n <= 60 and ("前" in b or "19" in b or "20" in b) and _WORDS["DATE"].search(b) and DATE.search(b) and _mostly_meta(b):
        return "byline"
    return None


# A character every match of a rule's pattern holds: a stdlib scan for one class of characters
# costs a fifth of the pattern's search with the regex module, and most short lines of a news
# page hold none of them (tests/test_clean.py checks each guard against its pattern).
_GUARDS = {
    "COPYRIGHT": re.compile("[版©cCgG未转本侵删备]"),  # (c) copyright, all rights reserved, ICP备 …
    "COMMENT": re.compile("[评言明帖]"),  # 评论 发言 文明上网 跟帖
    "QR": re.compile("[扫码按识注载]"),  # 扫一扫 二维码 长按识别 识别图中 关注我们 下载客户端
    "META": re.compile("[源作编责审校发更览读击字印关]"),  # 来源 作者 编辑 … 浏览 阅读 点击 字号 打印 关闭
}
# Second guards, searched only where the first one found a character: a word (or a mark) every
# match of the pattern holds, read off its alternatives (本 明 发 作 alone are in many lines of
# news, 本文 转载 评论 编辑 in few). The Latin letters stand for themselves and their other case
# only: under the regex module's IGNORECASE, c, g and p match nothing else (checked over all of
# Unicode). DATE needs a year and a separator after two more characters, or 前; lines hold no
# line break, so "." stands for any digit.
_WORDS = {
    "COPYRIGHT": re.compile(r"版权|©|\(|c|C|g|G|未经|转载|本文|侵权|删除|p备|P备|安备"),
    "COMMENT": re.compile("评论|发言|文明|跟帖"),
    "META": re.compile("来源|作者|编辑|责编|审核|校对|发布|发表|更新|浏览|阅读|点击|字号|字体|打印|关闭"),
    "DATE": re.compile("19..(?:[-/.]|年..?月)|20..(?:[-/.]|年..?月)|前"),
    # a mobile's 1[3-9], 400, 800, or 0 and two or three digits before -, a space or ")"
    "PHONE": re.compile(r"1[3-9]|400|800|0...?[- )]"),
}
# The characters a body (stripped, so no space first) must start with for BREADCRUMB, RELATED,
# SHARE and COPYRIGHT.match to match it: the first characters of their words and brackets (and
# what IGNORECASE matches to i: İ ı). Below, a rule's search runs only where a string every match
# holds is there: PHONE "0" or "1", MONEY_HINT 元, DATE 前, 19 or 20, SECOND_PERSON 您.
_BREADCRUMB_FIRST = frozenset("当您你所位首网主")
_RELATED_FIRST = frozenset("【[相推延猜热更你您")
_SHARE_FIRST = frozenset("分转收点打返上下本原相")
_COPYRIGHT_FIRST = frozenset("版©(cCaA未如转本侵联Iiİı公")


def _may_hold_url(text: str) -> bool:
    """False only when URL finds nothing in ``text``: every match holds "://" or "www." (substring
    tests, far cheaper than the search); false for a whole text, it is false for each of its lines.
    A one-character test comes first: ":" is in few texts (12 of 345 in econ), "://" costs twice."""
    return ":" in text and "://" in text or "." in text and ("w" in text or "W" in text)


# The first characters of a long sentence line (over 80 characters, ending like prose) that a
# rule can class as debris: breadcrumb, related list, share bar and copyright read its start,
# and the comment rules read such a line only when it starts with 请. Any other such line is
# debris only through a URL (share, url): most lines of a page skip _strong_rule.
_LONG_SENTENCE_FIRST = _BREADCRUMB_FIRST | _RELATED_FIRST | _SHARE_FIRST | _COPYRIGHT_FIRST | {"请"}


def _mostly_meta(b: str) -> bool:
    """A date line whose remaining text is short: a byline, not a dated headline."""
    rest = DATE.sub("", b)
    han = sum(1 for c in rest if is_han(c))
    return han <= 12 or regex.search(r"\d{3,}\s*$", rest) is not None


AD_WORDS = regex.compile(r"微信|公众号|联系人|手机号|QQ|qq|租售|加盟|对接资源|客服")
# AD_WORDS is literals only: the stdlib finds the same matches, with a fifth of the work on a
# page's last line (read on every page).
_AD_WORDS = re.compile(AD_WORDS.pattern)
END_MARKERS = frozenset({"comment-rules", "copyright", "qr-prompt", "share", "related-list", "url", "contact-ad"})


def _tail_rule(b: str) -> str | None:
    """Weaker evidence, trusted only in a tail that also holds an end-of-article marker (``b`` is
    a line's stripped text)."""
    if len(b) > LONGEST:
        return None
    if _AD_WORDS.search(b) and (len(b) <= 60 or "您" in b):
        return "contact-ad"
    if "您" in b and not _is_sentence(b):
        return "contact-ad"
    if len(b) <= 12 and not _ends_like_sentence(b):
        return "tail-fragment"
    return None


def split_lines(text: str) -> list[Line]:
    """Lines with their offsets (without newline characters)."""
    lines: list[Line] = []
    pos = 0
    for raw in text.split("\n"):
        lines.append(Line(pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return lines


# --------------------------------------------------------------------------- the pass
def classify(text: str) -> list[str | None]:
    """For each line, the rule that makes it debris, or None if it stays."""
    return split_classify(text)[2]


def classify_lines(lines: list[Line]) -> list[str | None]:
    """:func:`classify` for a text already split by :func:`split_lines`."""
    return _classify([ln.body for ln in lines], urls=True)


def split_classify(text: str) -> tuple[list[str], list[str], list[str | None]]:
    """The lines of ``text`` (split at line breaks), each stripped, and :func:`classify`'s rule for
    each: without a :class:`Line` per line, which cost more than the rules on most lines."""
    lines = text.split("\n")
    bodies = list(map(str.strip, lines))
    return lines, bodies, _classify(bodies, urls=_may_hold_url(text))


def _classify(bodies: list[str], urls: bool) -> list[str | None]:
    """The rule for each line, given each line's stripped text; ``urls`` as for _strong_rule."""
    n = len(bodies)
    rules: list[str | None] = [None] * n
    for k in range(0, n, 256):
        time_left()  # raises when the document's time budget is spent
        # Blank lines, lines over LONGEST and long lines that end like prose, start with no
        # furniture word's character and hold no URL are article text: no call for them.
        for i in [
            i
            for i, b in enumerate(bodies[k : k + 256], k)
            if 0 < (size := len(b)) <= LONGEST
            and (
                size <= 80
                or b[-1] not in _SENTENCE_END_SET
                or b[0] in _LONG_SENTENCE_FIRST
                or urls and _may_hold_url(b)
            )
        ]:
            rules[i] = _strong_rule(bodies[i], urls)
    # Everything after a related-articles header is the list itself.
    if "related-list" in rules:
        for j in range(rules.index("related-list") + 1, n):
            if bodies[j]:
                rules[j] = "related-list"
    # The tail: walking up from the end, lines that are debris or weak debris belong to the page
    # chrome until the first line that is neither. Weak rules count only when that tail also
    # holds a strong end-of-article marker (comment rules, copyright, QR prompt, share bar…).
    weak: dict[int, str] = {}
    i = n - 1
    while i >= 0:
        if bodies[i] and rules[i] is None:
            w = _tail_rule(bodies[i])
            if w is None:
                break
            weak[i] = w
        i -= 1
    if any(r in END_MARKERS for r in rules[i + 1 :]):
        for j, w in weak.items():
            rules[j] = w
    return rules


# ------------------------------------------------------------------------ page metadata
_HEAD_LINES = 12  # titles and bylines sit at the top of a scraped page


_HIDDEN = regex.compile(f"[{INVISIBLE_CLASS}{CONTROL_CLASS}]+")
_ODD_SPACE = regex.compile(f"[{ODD_SPACES_CLASS}]")


def _readable(text: str) -> str:
    """NFC, half-width alphanumerics, no invisible or control characters, plain spaces: the page
    head as a reader sees it (cleaning does the same, with a step per change, to whole texts)."""
    text = unicodedata.normalize("NFC", text).translate(FULLWIDTH_ALNUM).replace("\r\n", "\n").replace("\r", "\n")
    return _ODD_SPACE.sub(" ", _HIDDEN.sub("", text))


def page_metadata(text: str) -> dict[str, str | None]:
    """Title, date (ISO) and source URL when the page shows them; values are None otherwise."""
    text = _readable(text[:20_000])
    _, bodies, rules = split_classify(text)  # one split for the rules and the reading below
    title = date = url = None
    seen = 0
    for b, rule in zip(bodies, rules):
        if not b:
            continue
        seen += 1
        if seen > _HEAD_LINES:
            break
        if date is None and rule in ("byline", None) and (rule == "byline" or not _is_sentence(b)):
            date = next((iso_date(m.group()) for m in DATE.finditer(b) if not m.group().endswith("前")), None)
        if title is None and rule is None and 4 <= len(b) <= 80 and not _is_sentence(b):
            title = b
    for b, rule in zip(bodies, rules):
        if rule in ("share", "url", "copyright") or b.startswith(("本文链接", "原文链接", "原文地址")):
            m = URL.search(b)
            if m:
                url = m.group()
                break
    return {"title": title, "date": date, "url": url}


def iso_date(s: str) -> str | None:
    """2021-07-11 / 2021年7月11日 / 2021.7.11 → '2021-07-11'."""
    m = regex.match(r"((?:19|20)\d{2})\D(\d{1,2})\D(\d{1,2})", s)
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"
