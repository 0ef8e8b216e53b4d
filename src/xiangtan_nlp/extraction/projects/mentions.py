"""Project mentions from the learned tagger: its spans, checked by the rules, coordinations given
their shared head, and every other occurrence of a recognised name.

:func:`recognize` returns :class:`Mention` objects as the rule finder did, so grouping (aliases,
canonical names), stage and location read them unchanged.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from itertools import accumulate

from ...segmenter import default_segmenter
from ..project_names import (
    _CATEGORY_END, _NETWORK, _ZONE_HEADS, Mention, _content, _drop_places, _network_only, _split_location,
    is_generic,
)
from .tagger import Span, lexicon, tag
from ..project_vocab import head_of, vocab

_EDGE = "“”‘’\"'「」『』《》〈〉【】()（）、，,。；;：: \t\n"
_DASH = "-—－–"  # never the first character of a name (--秀宁隧道: a list's dash)
_CONJ = ("、", "和", "及", "与", "以及", "或")
_ROAD_END = ("大道", "大街", "公路", "高速", "铁路", "路", "线", "街", "大桥", "隧道")
_LEGAL = re.compile(r"(?:有限责任公司|股份有限公司|有限公司|集团公司|总公司|分公司|公司)$")
_PLACE_END = re.compile(r"(?:省|市|县|区|镇|乡|旗|州)$")
_HAS_HAN = re.compile(r"[\u4e00-\u9fff]")


def _trim(text: str, s: Span) -> tuple[int, int]:
    """The span without quotes, brackets or punctuation at its edges (balanced brackets stay)."""
    a, b = s.start, s.end
    while a < b and (text[a] in _EDGE or text[a] in _DASH) and not (text[a] in "(（" and (")" in text[a:b] or "）" in text[a:b])):
        a += 1
    while b > a and text[b - 1] in _EDGE and not (text[b - 1] in ")）" and ("(" in text[a:b] or "（" in text[a:b])):
        b -= 1
    return a, b


# words that open a clause, not a name: verbs and adverbs before the name the tagger ran into
_LEAD_EXTRA = (
    "隆重举行", "成功", "中标", "续建", "短期内", "配套", "国家重点", "重点", "目前", "今天", "昨天", "日前", "近日",
    "东至", "西至", "南至", "北至", "东到", "西到", "南到", "北到", "起点接", "终点接", "上跨", "下穿",
)  # fmt: skip
# a category before the name it describes (2022年亚运会配套工程湖杭铁路 → 湖杭铁路)
_CATEGORY = re.compile(r"(?:项目配套(?:基础)?工程|配套(?:基础)?工程|重点工程|重点项目|重大项目|民生工程|控制性工程|重点建设项目)(?=.{2})")
# a count inside a "name" (昌樟扩建3个高速公路项目, 郑州八大生产基地): what follows counts works
_COUNT = re.compile(r"(?:等|以及)?[0-9一二三四五六七八九十两几数多]+(?:多)?(?:个|座|条|批|家|大|项|类|所|处|栋)")
_MAX_HEAD = 6  # the longest head word


@lru_cache(maxsize=1)
def _lead_words() -> tuple[str, ...]:
    lex = lexicon()
    words = {w for w, f in lex.flags.items() if ("L" in f or "D" in f or "E" in f or "V" in f) and len(w) >= 2}
    return tuple(sorted(words | set(_LEAD_EXTRA), key=lambda w: (-len(w), w)))


def _head_end(name: str) -> int:
    """Where the last head word of ``name`` ends (0 when none): 板塘客运枢纽站场 ends in 站场, not 枢纽站."""
    heads = lexicon().heads
    for end in range(len(name), 0, -1):
        if any(name[end - k : end] in heads for k in range(1, min(_MAX_HEAD, end) + 1)):
            return end
    return 0


# a name ends at 项目/工程 when a verb of place or money follows (X项目位于Y工业园, X项目在Y县)
_VERB_AFTER = re.compile(r"(?<=项目|工程)(?:位于|落户|坐落|选址|地处|在|总投资|计划|预计)")


# after any head word (and its phase), what opens the rest of the clause, not more of the name:
# 南水北调中线一期工程|主体工程, X产业园区|落户广州, 唐津高速公路(…)|起自…
_RUN_ON = re.compile(
    r"(?:落户|位于|坐落|选址|地处|起自|起于|止于|进入|实现|列为|迁至|外迁|建成|开工|动工|竣工|投产|通车|开通|签约|"
    r"总投资|计划|预计|正式|顺利|全面|全线|主体工程|主体)"
)
_WHOLE_LINE = re.compile(r"(?:全线|正线)$")
_BRACKETED = re.compile(r"[（(][^（()）]{1,20}[)）]")


def _run_on(name: str) -> int | None:
    """Where a name that ran on into its clause ends: the first head (with its phase) a run-on word follows."""
    tail_re = vocab().tail_re
    for h in lexicon().head_re.finditer(name):
        end = h.end()
        t = tail_re.match(name, end)
        if t is not None:
            end = max(end, t.end())
        br = _BRACKETED.match(name, end)
        if br is not None:
            end = br.end()  # 唐津高速公路(津塘公路-荣乌高速)起自…
        if end >= 2 and _RUN_ON.match(name, end):
            return end
    return None


_OPENERS, _CLOSERS = "“‘「『《(（【", "”’」』》)）】"


def _balance(name: str) -> tuple[int, int]:
    """(start, end) of ``name`` without an unmatched closing mark and what precedes it (伊钢”)钢铁项目…
    → 钢铁项目…) or an unclosed opening mark and what follows it (…堤防（不含 → …堤防)."""
    start, stack = 0, []
    for i, c in enumerate(name):
        if c in _OPENERS:
            stack.append(i)
        elif c in _CLOSERS:
            if stack:
                stack.pop()
            else:
                start = i + 1
    end = stack[0] if stack and stack[0] >= start + 2 else len(name)
    return start, end


def _repair(text: str, a: int, b: int) -> tuple[int, int]:
    """Boundaries the rules know: no clause opener, category or count on the left, nothing after the head."""
    # the opening mark _trim took off the edge (“北溪-2”天然气管道项目) still pairs with its closer
    lo = a - 1 if a and text[a - 1] in _OPENERS else a
    s, e = _balance(text[lo:b])
    a, b = max(a, lo + s), lo + e
    name = text[a:b]
    verb = _VERB_AFTER.search(name, 2)
    if verb is not None:
        b = a + verb.start()
        name = text[a:b]
    cut = _run_on(name)
    if cut is not None:
        b = a + cut
        name = text[a:b]
    whole = _WHOLE_LINE.search(name)
    if whole is not None and whole.start() >= 4:
        b = a + whole.start()  # 大张高铁正线, X至Y全线: the line, not "its whole length"
        name = text[a:b]
    cat = None
    for cat in _CATEGORY.finditer(name):
        pass
    if cat is not None:
        a += cat.end()
        name = text[a:b]
    changed = True
    while changed and len(name) > 2:
        changed = False
        for w in _lead_words():
            if name.startswith(w) and len(name) - len(w) >= 2:
                a += len(w)
                name = text[a:b]
                changed = True
                break
    count = _COUNT.search(name, 1)
    if count is not None and count.start() >= 2:
        b = a + count.start()  # the works before a count of them: their name ends there
        name = text[a:b]
        if len(name) <= 3 and not _head_end(name):
            return a, a  # 郑州八大生产基地: a place before the count, not a name

    # after the last head word only a phase or a trailer (一期, 改造项目) stays in the name; a bracket
    # opened or closed there stays too (the last head may sit in a note: X高速公路(津塘公路-荣乌高速))
    end = _head_end(name)
    if 0 < end < len(name):
        tail = vocab().tail_re.match(name, end)
        keep = tail.end() if tail else end
        rest = name[keep:]
        if rest and not rest.startswith(("(", "（", "“", '"', ")", "）")) and len(rest) <= 3:
            b = a + keep
    return a, b


def _keep(name: str) -> bool:
    """The post-filters: what a name must be whatever the tagger says (the rules' tests of a name)."""
    if len(name) < 2 or not _HAS_HAN.search(name):
        return False
    if _LEGAL.search(name) or _CATEGORY_END.search(name):
        return False  # a company; a zone's key projects (a category)
    if is_generic(name) or "某" in name:
        return False  # 某项目, 某市某工程: an anonymised work says which kind, not which one
    head = head_of(name)
    v = vocab()
    if head in _NETWORK and _network_only(name, v):
        return False  # 滨州公路: a place's roads, not one road
    if head in _ZONE_HEADS and len(_content(_drop_places(name), v)) < 2:
        return False  # 乌兰浩特市工业园区: a zone, not a project in it
    return True


def _shared_tail(first: str, last: str) -> str | None:
    """潭州大道 before 芙蓉大道快速化改造项目 → 快速化改造项目; 河西 before 板塘客运枢纽站场 → 客运枢纽站场."""
    if head_of(first) and not first.endswith(_ROAD_END):
        return None  # the first conjunct names its own kind of work
    for h in _ROAD_END:
        if first.endswith(h):
            i = last.find(h)
            tail = last[i + len(h) :] if i > 0 else ""
            return tail if tail and head_of(tail) else None
    # a short place or name: the last conjunct starts with its counterpart, a word as long
    words = default_segmenter().cut(last)
    if len(first) <= 3 and words and len(words[0]) == len(first) and not is_generic(first):
        tail = last[len(first) :]
        if len(tail) >= 2 and head_of(tail):
            return tail
    return None


def recognize(text: str) -> list[Mention]:
    """Project mentions in a cleaned ``text``, in order: tagged, filtered, coordinated, repeated."""
    spans = tag(text)
    v = vocab()
    out: list[Mention] = []
    for s in spans:
        a, b = _trim(text, s)
        a, b = _repair(text, a, b)
        name = text[a:b]
        if _keep(name):
            # a zone or county written before the name is its location too (the name keeps it)
            out.append(Mention(a, b, name, head=head_of(name), location=_split_location(name, v)[0]))
    # coordinations: the conjuncts before the last one take its shared tail, right to left
    listed: set[int] = set()
    for i in range(len(out) - 2, -1, -1):
        m, nxt = out[i], out[i + 1]
        between = text[m.end : nxt.start]
        if between in _CONJ:
            listed.update((i, i + 1))
            tail = _shared_tail(text[m.start : m.end], text[nxt.start : nxt.end])
            if tail:
                m.name = m.name + tail
                m.shared = True
    # a name without any head word, alone, is a company, a place or a product (中核苏阀, 湖南金龙): 8
    # of the 389 annotated projects of train and dev lack one; in a list (随岳、岳常…) it may be a
    # conjunct, unless it is a county or district (歙县、黟县、祁门县…: places, not works)
    out = [m for i, m in enumerate(out) if _head_end(m.name) or (i in listed and not _PLACE_END.search(m.name))]
    return _repeat(text, out)


def _repeat(text: str, mentions: list[Mention]) -> list[Mention]:
    """Every other occurrence of a recognised written form is a mention too (outside the windows)."""
    forms = {text[m.start : m.end]: m.name for m in mentions if m.end - m.start >= 3}
    if not forms:
        return mentions
    # a hit [a, b) overlaps a mention when one starting before b ends after a: the mentions sorted by
    # start with the furthest end so far, looked up by bisection (not every mention for every hit)
    taken = sorted((m.start, m.end) for m in mentions)
    starts = [x for x, _ in taken]
    reach = list(accumulate((y for _, y in taken), max))
    pattern = re.compile("|".join(re.escape(f) for f in sorted(forms, key=lambda f: (-len(f), f))))
    extra = []
    for hit in pattern.finditer(text):
        a, b = hit.span()
        i = bisect_left(starts, b)
        if i and reach[i - 1] > a:
            continue
        extra.append(Mention(a, b, forms[hit.group()], head=head_of(hit.group())))
    return sorted(mentions + extra, key=lambda m: (m.start, m.end))


__all__ = ["recognize"]
