"""Project names in a cleaned text: candidate heads from one regex, names grown leftwards word by word.

A name ends in a head word (产业园, 生产线, 大桥, 项目 …) and starts where the words before it stop
describing it: at a verb or preposition that introduces it (位于, 建设, 用于 …), a particle (的), a
determiner or count (该, 一座, 7个), a time, punctuation. Only the clause around each head is
segmented (with POS), never the whole document. Coordinated names are split (潭州大道、芙蓉大道快速化
改造项目 → two projects) or kept whole (研发及生产基地) by what stands on each side of the conjunction.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import Sequence

import regex

from ..chars import HAN_CLASS
from ..segmenter import default_segmenter
from .project_vocab import PHASE, Vocab, head_of, strip_tail, vocab

MAX_NAME = 40  # longer "names" are clauses
CLAUSE_CHARS = "，,。；;：:！？!?\n“”\"「」《》【】"
_CLAUSE_LEFT = regex.compile(rf"[{regex.escape(CLAUSE_CHARS)}]")
# clause marks no word or figure of the segmenter holds (a figure may hold the comma: 1,234)
_SEGMENT_BREAK = frozenset(CLAUSE_CHARS) - {","}
_CONJ = frozenset({"、", "和", "与", "及", "以及", "并", "或", "同", "跟"})
_PROPER_TAGS = frozenset({"ns", "nr", "nrt", "nz", "nt", "nrfg", "j", "x", "eng"})
_PLACE_TAGS = frozenset({"ns"})
_NAME_PUNCT = frozenset("—–-－·/.")
# a figure followed by one of these counts things (7个项目, 一座工厂) or dates them: not a name part
_COUNT_AFTER = regex.compile(r"\s*(?:多|余)?(?:个|座|批|家|条|项|所|栋|处|类|大|年|月|日|号|亿元|万元|元|%|名|位|人|次|倍)")
# 年产300吨…的 / 600台MOCVD及相应的: a capacity phrase may hold 的 inside a production-line name
_CAPACITY = regex.compile(
    r"(?:年产|年处理|年生产|日产|日处理|年加工)(?=[0-9一二三四五六七八九十百千两.]+(?:万|亿)?[吨台套片颗个盏辆件千兆立平米公只条头枚部])"
    r"|[0-9][0-9.,]*(?:万|亿)?(?:台|吨|套|片|颗|个|盏|辆|千瓦|兆瓦|MW|GW|万千瓦)"
)
# heads naming a network rather than one work: a place alone before them is not a name (滨州公路)
_NETWORK = frozenset({"公路", "铁路", "高速公路", "高速", "油路", "高等级公路", "轨道交通"})
_HAN = f"[{HAN_CLASS}]"  # one Han character (the one table of characters)
# 全球最大的…, 亚洲最现代化的…: a description of what something is, not its name
_DESCRIBED = regex.compile(r"(?:最|第一|首个|首座|唯一)" + _HAN + r"{0,8}的\Z")
# 一是黄山风景区生态环境保护建设工程: an enumerated heading names a category
_HEADING = regex.compile(r"\s*[一二三四五六七八九十]是")
_CATEGORY_AFTER = regex.compile(r"[0-9一二三四五六七八九十]+大?类")
_CATEGORY_END = regex.compile(r"(?:重点|重大|民生|招商|产业|新开工|续建|基础设施|新基建|大)(?:建设)?(?:项目|工程)\Z")
_AFFILIATION = regex.compile(r"(?:常务|执行)?(?:副)?(?:教授|院长|校长|博士|研究员|主任|学生|毕业|专家|教师|老师|学者|党委|书记|医生|护士|院士|讲师)")
_COUNTED = regex.compile(r"[0-9一二三四五六七八九十]+(?:多)?(?:个|座|条|家|处|所)(?=[，。；、,;)）]|$)")
_COMPONENT_OF = regex.compile(r"(?:项目|工程)(?:主要)?包括")
_PART_VERB = regex.compile(
    r"(?:(?:将|还将|将要|计划|拟|主要)(?:建立|新建|建设|形成|采用|拥有|包括|配套|引进|具备)|建立|新建|形成|采用|拥有|包括|配套|引进|具备)"
)
_COUNT_WORD = regex.compile(r"第?[0-9一二三四五六七八九十两几数多]+(?:个|座|条|批|家|大|项|类|所|处|栋)")
_ROUTE = regex.compile(_HAN + r"{1,8}(?:至|—|－|-)" + _HAN + r"{1,8}")
_ROAD_END = ("大道", "大街", "公路", "高速", "铁路", "路", "线", "街")
_PLACE_END = ("省", "市", "县", "区", "镇", "乡", "旗", "州", "村")
_PAREN_BAD = regex.compile(r"下称|简称|以下|即|“|”|\"|，|。|；")
# a count or "first" shortly before the name (两个产值超千亿元汽车制造基地, 一座现代化工厂)
_QUANT_BEFORE = regex.compile(
    r"(?:[0-9一二三四五六七八九十两几数多]+(?:个|座|条|批|家|大|项|类|所|处)|一大批|一批|首座|首个|首家"
    r"|第[0-9一二三四五六七八九十]+(?:个|座|条|家)?)[^\p{P}\s]{0,8}$"
)


# patterns used on each token or mention, compiled once (the regex module's own cache lookup per
# call cost more than the match)
_CN_FIGURE = regex.compile(r"[一二三四五六七八九十百千万亿两几数多]+(?:万|亿)?[吨台套片颗个盏辆]?$")
_HAN_WORD = regex.compile(_HAN + "+")
_ORDINAL = regex.compile(r"第[0-9一二三四五六七八九十]")
_NAME_SYMBOL = regex.compile(r"[A-Za-z0-9]+|[—–\-－·/.()（）]|" + _HAN + "+")
_YUAN_END = regex.compile(r"元$")
_DATE_END = regex.compile(r"[年月日]$")
_LIST_BREAK = regex.compile(r"[、，,；;：:]")
_PHASE_RE = regex.compile(PHASE)
_NOT_CONTENT = regex.compile(r"[0-9.%及和与、的·\s()（）—\-]")
_AND = regex.compile(r"[及与和]")
_LIST_ITEMS = regex.compile(r"(、|以及|和|及)")
_PROJECT_WORD_END = regex.compile(r"(?:项目|工程)$")
_PROJECT_AFTER = regex.compile(r"等?项目")
_EXISTING = regex.compile(r"(?:现有|原有|已有)$")
_SUPPORTING = regex.compile(r"配套(?:建设)?$")
_INSIDE_AFTER = regex.compile(r"[内里旁边侧]|附近|周边|[东南西北]侧|以[东南西北]")
_NOT_HAN = regex.compile(f"[^{HAN_CLASS}]")
_MODEL_ONLY = regex.compile(r"[0-9.A-Za-z/]*")
_CODE_START = regex.compile(r"[0-9A-Za-z]|年产")


@dataclass
class Mention:
    """One way the text names a project; ``ref`` mentions only point at a project named elsewhere."""

    start: int  # [start, end) of what is written
    end: int
    name: str  # the name this mention stands for (may add a shared tail: 潭州大道 → 潭州大道快速化改造项目)
    head: str | None = None
    ref: bool = False  # a reference (该…, 一座…, a generic phrase): counts for linking, not as a project
    location: str | None = None
    stage: str | None = None
    aliases: list[str] = field(default_factory=list)
    secondary: bool = False  # built as part of another project (配套建设X): not the topic of its clause
    existing: bool = False  # 现有花都发动机工厂: a plant already there, not a project
    shared: bool = False  # a coordinated piece given the shared tail: a name by construction


@dataclass
class _Tok:
    word: str
    tag: str
    start: int
    end: int


def _tokens(text: str, lo: int, hi: int) -> list[_Tok]:
    """POS tokens of ``text[lo:hi]`` with absolute offsets."""
    out: list[_Tok] = []
    pos = lo
    for w, t in default_segmenter().pos(text[lo:hi]):
        out.append(_Tok(w, t, pos, pos + len(w)))
        pos += len(w)
    return out


class _ClauseTokens:
    """POS tokens of each clause of one text, segmented once however many heads the clause holds.

    Clauses end at punctuation; a clause longer than BLOCK characters is cut into blocks of that
    size, so no character is segmented twice and hostile input (项目项目… without punctuation)
    stays linear. Heads are asked for in text order, so only the current clause's tokens are kept:
    memory stays that of one clause however long the document.
    """

    BLOCK = 160

    def __init__(self, text: str, tokens: Sequence[tuple[str, str]] | None = None) -> None:
        self.text = text
        self._last: tuple[int, tuple[int, list[_Tok]]] | None = None
        # tokens the caller has already (the tagger segments its windows): a clause they tile
        # exactly is read from them, not segmented again. Only their offsets are worked out here;
        # a _Tok is made for the clauses asked about (72% of the tokens on econ.jsonl)
        self._given = list(tokens) if tokens is not None else []
        self._bounds = list(accumulate((len(w) for w, _ in self._given), initial=0))  # token k: [k], [k + 1]
        self._given_starts = self._bounds[:-1]
        starts = [0]
        for m in _CLAUSE_LEFT.finditer(text):
            starts.append(m.end())
        starts.append(len(text))
        cuts: list[int] = []
        for a, b in zip(starts, starts[1:]):
            cuts.extend(range(a, b, self.BLOCK))  # ascending and distinct: the clauses are in order
        self._starts = cuts or [0]

    def around(self, pos: int, end: int) -> tuple[int, list[_Tok]]:
        """(clause start, tokens of the whole clause) for a head at ``[pos, end)``; heads in text order."""
        i = bisect_right(self._starts, pos) - 1
        if self._last is None or self._last[0] != i:
            cs = self._starts[i]
            ce = self._starts[i + 1] if i + 1 < len(self._starts) else len(self.text)
            ce0, ce = ce, max(ce, min(len(self.text), end + 4))  # a head running over a block cut
            toks = self._given_tokens(cs, ce)
            if toks is None and ce > ce0:
                toks = self._given_then_cut(cs, ce0, ce)
            self._last = (i, (cs, toks or _tokens(self.text, cs, ce)))
        return self._last[1]

    def _given_then_cut(self, cs: int, ce0: int, ce: int) -> list[_Tok] | None:
        """The tokens of ``[cs, ce)`` for a clause ``[cs, ce0)`` the given tokens tile, segmenting only
        ``[ce0, ce)`` (the few characters past a head at the clause's end), else None.

        The same tokens as segmenting ``[cs, ce)`` whole when marks stand on both sides of the clause:
        the segmenter cuts each run of Han and ASCII word characters on its own, never across a mark
        (and a figure holds none of these marks), so the text beyond ``ce0`` changes nothing before it.
        """
        text = self.text
        if text[ce0 - 1] not in _SEGMENT_BREAK or (cs and text[cs - 1] not in _SEGMENT_BREAK):
            return None  # a clause cut at BLOCK, or a comma that a figure (1,234) may hold
        if text[ce0 - 2 : ce0] == "\r\n":
            return None  # one token for the segmenter; a window's "\r" and the line break joining it are two
        head = self._given_tokens(cs, ce0)
        return None if head is None else head + _tokens(text, ce0, ce)


    def _given_tokens(self, cs: int, ce: int) -> list[_Tok] | None:
        """The given tokens of ``[cs, ce)`` when some start at ``cs`` and end at ``ce``, else None."""
        i = bisect_left(self._given_starts, cs)
        j = bisect_left(self._given_starts, ce)
        b = self._bounds
        if i == j or b[i] != cs or b[j] != ce:
            return None
        return [_Tok(w, t, b[k], b[k + 1]) for k, (w, t) in enumerate(self._given[i:j], i)]


def _clause_end(text: str, pos: int, limit: int = 80) -> int:
    """End of the clause that runs on from ``pos``: the next punctuation, at most ``limit`` chars on."""
    hi = min(len(text), pos + limit)
    m = _CLAUSE_LEFT.search(text, pos, hi)
    return m.start() if m else hi


def _clause_start(text: str, pos: int, limit: int = 60) -> int:
    lo = max(0, pos - limit)
    last = None
    for m in _CLAUSE_LEFT.finditer(text, lo, pos):
        last = m
    return last.end() if last else lo


def _is_figure(tok: _Tok) -> bool:
    """A number token (300万, 一百二十), possibly with its measure word (3吨)."""
    return any(map(str.isdigit, tok.word)) or (  # map: no generator frame per token
        tok.tag == "m" and _CN_FIGURE.match(tok.word) is not None
    )


def _ends_with_head(word: str, v: Vocab) -> bool:
    return v.head_end_re.search(word) is not None and word not in v.generic


def _proper(tok: _Tok) -> bool:
    """A name-like word: tagged as a proper noun, or too rare for jieba's dictionary to know it."""
    if tok.tag in _PROPER_TAGS and not tok.word.isdigit():
        return True
    freq = default_segmenter().freq.get(tok.word) or 0
    return len(tok.word) >= 2 and freq < 50 and _HAN_WORD.fullmatch(tok.word) is not None


def _stop(toks: list[_Tok], j: int, text: str, v: Vocab) -> bool:
    """Whether token ``j`` ends the name on the left (is not part of it)."""
    t = toks[j]
    w = t.word
    if j > 0 and toks[j - 1].word in ("至", "—", "－") and toks[j - 1].tag != "uj":
        return False  # a route runs on after 至: 区界至日土段, 济南—滨州
    if w in v.left_stop or w in v.determiner:
        # 昌九扩建通远试验段: an action word right after a proper name belongs to the name
        return not (w in v.action and j > 0 and _proper(toks[j - 1]) and not _stop(toks, j - 1, text, v))
    if _COUNT_WORD.fullmatch(w):
        return True  # 八大, 五条, 7个
    if t.tag == "m" and not _is_figure(t) and not _ORDINAL.match(w):
        if not (j > 0 and _is_figure(toks[j - 1])):  # 100万|吨 is a capacity; 一起, 一批 are not names
            return True
    if t.tag == "c" or (t.tag == "d" and _freq(w) >= 3000) or t.tag == "i" or (t.tag == "l" and _freq(w) >= 500):
        return True
    if t.tag == "v" and not _inner_verb(toks, j, text, v):
        return True
    if t.tag.startswith("u") or t.tag in ("t", "r"):
        return True
    if w.isspace():
        return True
    if t.tag == "x" and not _NAME_SYMBOL.fullmatch(w):
        return True
    if _is_figure(t) and (_YUAN_END.search(w) or (j + 1 < len(toks) and _MONEY_UNIT.match(toks[j + 1].word))):
        return True  # a sum of money is not part of a name
    if _is_figure(t) and (_COUNT_AFTER.match(text, t.end) or _DATE_END.search(w)):
        # 年产3.64亿个…: a capacity, not a count of projects
        return not (j > 0 and toks[j - 1].word in ("年产", "日产", "年处理", "年生产", "年加工"))
    if j > 0 and _is_figure(toks[j - 1]) and _COUNT_AFTER.match(text, toks[j - 1].end) and len(w) <= 2:
        return not (j > 1 and toks[j - 2].word in ("年产", "日产", "年处理", "年生产", "年加工"))
    if t.tag == "f" and w in ("中", "内", "上", "下", "后", "前", "里", "之间", "期间", "以来") and (
        j == 0 or toks[j - 1].word != "至"
    ):
        return True
    return False


# verbs that name what a plant does and so sit inside project names (羊绒衫加工项目, 芯片封装生产线)
_NAME_VERBS = frozenset(
    "加工 制造 生产 研发 处理 发电 封装 驱动 监控 利用 储运 转运 收集 冶炼 合成 相应 制冷 节能 供热 供水 配送 孵化 "
    "升级 改造 转型 深加工".split()
)


def _freq(word: str) -> int:
    return default_segmenter().freq.get(word) or 0


def _inner_verb(toks: list[_Tok], j: int, text: str, v: Vocab) -> bool:
    """西南制冷产业基地, 电动汽车驱动电机: a rarer verb between nouns is part of the name."""
    if j == 0:
        return False
    prev = toks[j - 1]
    w = toks[j].word
    if prev.word in ("与", "及", "和", "、") and j >= 2 and toks[j - 2].tag in ("v", "vn", "n") and _freq(w) < 30000:
        return True  # 整治与保护工程, 收集、转运系统: coordinated verbs inside one name
    if prev.word in v.left_stop or prev.word in v.determiner or prev.tag.startswith(("u", "v", "p", "c", "d", "r", "t", "z")):
        return False
    nxt_is_head = v.head_re.fullmatch(toks[j + 1].word if j + 1 < len(toks) else "") is not None
    if nxt_is_head and len(toks[j].word) == 1 and prev.tag.startswith(("n", "eng")) and w not in v.left_stop:
        return True  # 照明灯|具|生产线: a character jieba split off a word of the name
    if nxt_is_head and prev.tag in ("f", "ns", "nz", "nr", "nrt", "eng", "x"):
        return _freq(w) < 30000  # 北部联合水厂: a verb right before the head word
    if w in _NAME_VERBS:
        return True
    if _freq(w) >= 2000 or prev.tag in ("ns", "nt", "nr", "nrt", "nz"):
        return False  # 湘乡市紧盯…, 国家发改委下拨…: a place or body then a verb is a subject and its verb
    return prev.tag.startswith(("n", "j", "b", "m", "q", "eng", "x")) or _proper(prev)


@dataclass
class _Walk:
    start: int  # where the name starts
    j: int  # index of the token just left of the name (-1 when the clause start was reached)
    first: int  # index of the name's first token (len(toks) when the name is only the head)


def _walk(
    toks: list[_Tok], j: int, text: str, v: Vocab, head_start: int, component: bool, first: int | None = None
) -> _Walk:
    """Grow a name leftwards from token ``j`` until a boundary; conjunctions end the walk."""
    start = head_start
    has_tok = first is not None  # the head's own token counts; a piece starts with none
    first = j + 1 if first is None else first
    while j >= 0:
        t = toks[j]
        w = t.word
        if head_start - t.start > MAX_NAME:
            break  # longer "names" are clauses: stop growing
        if w in _CONJ and not (w in ("和", "与", "及") and j + 1 < len(toks) and len(toks[j + 1].word) == 1 and toks[j + 1].tag not in ("n", "ns")):
            break
        if w == "——" or (w == "—" and j > 0 and toks[j - 1].word == "—"):
            break  # 国家重点项目——G0711乌鲁木齐至尉犁高速公路: what follows the dash is the name
        if w in (")", "）"):
            k = j - 1
            while k >= 0 and toks[k].word not in ("(", "（"):
                k -= 1
            inner = text[toks[k].end : t.start] if k >= 0 else ""
            if k < 0 or not inner or len(inner) > 8 or _PAREN_BAD.search(inner):
                break
            start, first, j = toks[k].start, k, k - 1
            has_tok = True
            continue
        if w in ("(", "（"):
            break
        if w in _NAME_PUNCT and w not in "/.":
            # a route dash (济南—滨州) joins two names
            if j == 0 or _stop(toks, j - 1, text, v):
                break
            start, first, j = t.start, j, j - 1
            has_tok = True
            continue
        if _stop(toks, j, text, v):
            if w == "的" or t.tag == "uj":
                cap = _capacity_start(text, toks, j)
                if cap is not None:
                    start, first = cap
                    # the capacity phrase runs from its own start: find the token there
                    while j >= 0 and toks[j].start > start:
                        j -= 1
                    first = j if j >= 0 and toks[j].start == start else first
                    j -= 1
                    continue
            break
        # a company name directly before the project: keep a short one (娲石集团6200t/d…生产线)
        if v.company_end_re.search(w) or w in v.company:
            k = j
            while k > 0 and not _stop(toks, k - 1, text, v) and toks[k - 1].word not in _CONJ:
                k -= 1
            company = text[toks[k].start : t.end]
            if len(company) > 6 or "有限" in company or "(" in company or "（" in company:
                break
            if not any(_proper(x) for x in toks[k : j + 1]) and len(w) <= 2:
                break  # 国外公司: not a company's name
            start, first, j = toks[k].start, k, k - 1
            has_tok = True
            continue
        # an earlier name's head: 绕城线|湘韶大道 are two names; 技术中心|创新能力 is one
        if _ends_with_head(w, v) and has_tok and not component:
            nxt = toks[first]
            if nxt.tag in _PLACE_TAGS or (_proper(nxt) and w.endswith(_ROAD_END)):
                break
        start, first, j = t.start, j, j - 1
        has_tok = True
    return _Walk(start, j, first)


_MONEY_UNIT = regex.compile(r"元|美元|欧元|港元|港币|日元|英镑|韩元|人民币")
_ROAD_HEAD = regex.compile(r"(?:公路|铁路|高速|大道|线|路)\Z")


def _through_road(toks: list[_Tok], walk: _Walk, text: str, v: Vocab) -> _Walk:
    """墨脱公路|嘎隆拉|隧道: a tunnel, section or bridge of a road named just before it keeps the road."""
    k = walk.j
    while k >= 0 and walk.start - toks[k].start <= 6:
        t = toks[k]
        if t.word in _CONJ or _CLAUSE_LEFT.match(t.word) or t.tag.startswith("u"):
            return walk
        if t.word in v.left_stop or t.word in v.determiner or t.tag[:1] in ("d", "c", "p", "u", "r", "t"):
            return walk  # 张吉怀铁路也实现古丈隧道: a verb between, so two things
        if _ROAD_HEAD.search(t.word) and k < walk.j + 1:
            further = _walk(toks, k - 1, text, v, t.start, True, first=k)
            return _Walk(further.start, further.j, further.first)
        k -= 1
    return walk


def _capacity_start(text: str, toks: list[_Tok], j: int) -> tuple[int, int] | None:
    """Start of a capacity phrase ending at 的 token ``j`` (年产100亿颗的 …), else None."""
    lo = toks[0].start if toks else 0
    seg_start = lo
    for m in _LIST_BREAK.finditer(text, lo, toks[j].start):
        seg_start = m.end()
    m = _CAPACITY.match(text, seg_start)
    if m and m.start() == seg_start:
        return seg_start, j
    return None


@lru_cache(maxsize=4096)
def _pos(name: str) -> tuple[tuple[str, str], ...]:
    """POS tags of a short name (names repeat within a document, so they are cached)."""
    return tuple(default_segmenter().pos(name))


def _content(name: str, v: Vocab) -> str:
    """What is left of a name after generic words, its final head, numbers and phases are removed."""
    s = strip_tail(name)
    h = head_of(s)
    if h and s.endswith(h):
        s = s[: -len(h)]  # the final head says what kind; heads inside (科技城新厂区) are content
    s = _PHASE_RE.sub("", s)
    kept = [w for w, _ in _pos(s) if w not in v.generic and w not in v.trailer and not _COUNT_WORD.fullmatch(w)]
    return _NOT_CONTENT.sub("", "".join(kept))


def is_generic(name: str, v: Vocab | None = None) -> bool:
    """True for a phrase that says what kind of project, not which (重点项目, 高速公路项目, 新工厂)."""
    if v is None or v is vocab():
        return _generic(name)
    return len(_content(name, v)) < 2


@lru_cache(maxsize=16384)
def _generic(name: str) -> bool:
    """:func:`is_generic` with the shipped vocabulary (asked again for every suffix of every name)."""
    return len(_content(name, vocab())) < 2


def find_mentions(text: str, tokens: Sequence[tuple[str, str]] | None = None) -> list[Mention]:
    """Every project mention in ``text`` (named and referring), in order, before aliases are merged.

    ``tokens``: the (word, tag) tokens of the whole text when the caller has them (they must tile
    it); the clauses they cover are not segmented again."""
    v = vocab()
    consumed: set[tuple[int, int]] = set()  # spans used as a coordinated piece of another name
    seen: dict[tuple[int, int], Mention] = {}
    clauses = _ClauseTokens(text, tokens)
    for m in v.head_re.finditer(text, overlapped=True):
        hs, he = m.start(), m.end()
        tail = v.tail_re.match(text, he)
        end = tail.end() if tail else he
        head = head_of(text[hs:end]) or m.group()
        cs, toks = clauses.around(hs, end)
        # the head must end a word: 中心|城区 is not 中心; 线|路 … likewise
        if not _ends_at_boundary(toks, end):
            continue
        toks = [t for t in toks if t.end <= end]
        k = next((i for i, t in enumerate(toks) if t.start <= hs < t.end), None)
        if k is None:
            continue
        component = head in v.component
        walk = _walk(toks, k - 1, text, v, toks[k].start, component, first=k)
        if component and walk.j >= 0:
            walk = _through_road(toks, walk, text, v)
        mentions = _coordinate(text, toks, walk, toks[k].start, end, v)
        for mt in mentions[:-1]:
            # a piece given a shared tail replaces the bare piece found on its own (潭州大道)
            consumed.add((mt.start, mt.end))
            seen[(mt.start, mt.end)] = mt
        last = mentions[-1]
        if (last.start, last.end) not in seen:
            seen[(last.start, last.end)] = last
    out = list(seen.values())
    out.extend(_count_lists(text, v))
    out.sort(key=lambda x: (x.start, x.end))
    out = _filter(text, out, v, consumed)
    return out


def _ends_at_boundary(toks: list[_Tok], end: int) -> bool:
    """Whether ``end`` falls between two tokens of the clause (the head ends a word)."""
    for t in toks:
        if t.end == end:
            return True
        if t.start < end < t.end:
            # 工程师, 线路 …: the head runs into a longer word, unless that word is a name part itself
            return t.word in ("项目", "工程")
    return True


def _coordinate(text: str, toks: list[_Tok], walk: _Walk, hs: int, end: int, v: Vocab) -> list[Mention]:
    """The mention(s) for one head: pieces before a conjunction are split off, shared or absorbed."""
    name_start = walk.start
    j = walk.j
    base_first = toks[walk.first] if walk.first < len(toks) else None
    pieces: list[tuple[int, int, list[_Tok]]] = []  # (start, end, tokens) left of the base
    distributive = None
    while j >= 0 and toks[j].word in _CONJ:
        conj = toks[j]
        pw = _walk(toks, j - 1, text, v, conj.start, False)
        if pw.start >= conj.start:
            break
        ptoks = toks[pw.first : j]
        piece = text[pw.start : conj.start]
        if _ends_with_head(piece, v) and not _shares_tail(piece, text[name_start:end], v):
            break  # a name of its own (中联工程器械配套产业园、湘乡电子信息产业园)
        if conj.word == "、" and piece.endswith(tuple(v.action)):
            break  # 老旧小区改造、黑臭水体治理: separate programmes, not one name
        if _distributable(piece, ptoks, v) and base_first is not None:
            if distributive is False:
                break
            distributive = True
            pieces.insert(0, (pw.start, conj.start, ptoks))
            j = pw.j
            continue
        if distributive:
            break
        if conj.word not in ("和", "以及", "或", "并") and _absorbable(ptoks, base_first, v) and (
            conj.word != "、" or _listed_inside(text[name_start:end], ptoks, base_first)
        ):
            distributive = False
            name_start = pw.start
            base_first = ptoks[0] if ptoks else base_first
            j = pw.j
            continue
        break
    base = text[name_start:end]
    det = _determined(text, toks, j, name_start)
    if distributive and pieces:
        shared = _shared_tail(text[pieces[-1][0] : pieces[-1][1]], base, toks, walk, v)
        if shared:
            out = [Mention(s, e, text[s:e] + shared, ref=det, shared=True) for s, e, _ in pieces]
            out.append(Mention(name_start, end, base, ref=det, shared=True))
            return out
    # PLACE1、PLACE2的污水处理厂: a generic facility built in each listed place
    if text[max(0, name_start - 1) : name_start] == "的" and not _bare(base, v) and not _specific(base, v):
        places = _place_list(text, toks, name_start - 1)
        if len(places) >= 2:
            return [Mention(s, e, text[s:e] + base, shared=True) for s, e in places]
    return [Mention(name_start, end, base, ref=det)]


def _determined(text: str, toks: list[_Tok], j: int, name_start: int) -> bool:
    """Whether the words right before the name make it a reference (该, 一座, 7个, 首座 …)."""
    v = vocab()
    if j >= 0 and toks[j].word in v.determiner:
        return True
    before = text[max(0, name_start - 12) : name_start]
    return _QUANT_BEFORE.search(before) is not None


def _shares_tail(piece: str, base: str, v: Vocab) -> bool:
    """潭州大道 before 芙蓉大道快速化改造项目: the piece ends like the base's first part."""
    for h in _ROAD_END:
        if piece.endswith(h):
            i = base.find(h)
            return i > 0 and i + len(h) < len(base)
    return False


def _distributable(piece: str, ptoks: list[_Tok], v: Vocab) -> bool:
    """A short place or proper name (河西, 革吉, 潭州大道, 万载县) that can take a shared tail."""
    if not ptoks or len(piece) > 10:
        return False
    if any(w in v.generic for w in (t.word for t in ptoks)):
        return False
    if piece.endswith(_ROAD_END) and len(piece) <= 8:
        return True
    if len(ptoks) == 1 and (_proper(ptoks[0]) or piece.endswith(_PLACE_END)) and 2 <= len(piece) <= 5:
        return True
    return False


def _listed_inside(base: str, ptoks: list[_Tok], base_first: _Tok | None) -> bool:
    """A、B及C产业化项目 (the list closes inside the name) or 收集、转运系统 (two verbs): one name."""
    if _AND.search(base[:-2]):
        return True
    return base_first is not None and ptoks[-1].tag in ("v", "vn") and base_first.tag in ("v", "vn")


def _absorbable(ptoks: list[_Tok], base_first: _Tok | None, v: Vocab) -> bool:
    """研发及生产基地, 外延材料、芯片及器件: modifiers coordinated inside one name."""
    if not ptoks or base_first is None:
        return False
    last = ptoks[-1]
    if any(v.company_end_re.search(t.word) for t in ptoks):
        return False
    if base_first.tag in _PROPER_TAGS - {"x", "j"} or (_freq(base_first.word) == 0 and len(base_first.word) > 1):
        return False  # a proper name starts a new project (…物流园区、河套酒业集团白酒项目)
    if last.tag in _PLACE_TAGS or base_first.tag in _PLACE_TAGS:
        return False
    if _proper(last) and _proper(base_first) and len(ptoks) == 1:
        return False
    return True


def _shared_tail(piece: str, base: str, toks: list[_Tok], walk: _Walk, v: Vocab) -> str | None:
    """The part of the last coordinated name that the earlier pieces share (快速化改造项目)."""
    for h in _ROAD_END:
        if piece.endswith(h):
            i = base.find(h)
            if i > 0:
                tail = base[i + len(h) :]
                return tail if _tail_ok(tail, v) else None
            return None
    first = toks[walk.first] if walk.first < len(toks) else None
    if first is None:
        return None
    if not (_proper(first) or first.word.endswith(_PLACE_END)) or len(first.word) > 5:
        return None
    tail = base[len(first.word) :]
    return tail if _tail_ok(tail, v) else None


def _tail_ok(tail: str, v: Vocab) -> bool:
    """A tail the pieces can share: it has a head and says more than 项目 (旗舰型、科技型大项目: no)."""
    return bool(tail) and v.head_re.search(tail) is not None and not tail.startswith(("的", "、")) and not (
        _bare(tail, v) and is_generic(tail, v)
    )


def _place_list(text: str, toks: list[_Tok], de: int) -> list[tuple[int, int]]:
    """The places listed right before 的 at ``de`` (徽州区、黟县、祁门县的), right to left."""
    spans: list[tuple[int, int]] = []
    k = next((i for i, t in enumerate(toks) if t.start == de), None)
    if k is None:
        return spans
    k -= 1
    while k >= 0:
        t = toks[k]
        if not (t.tag in _PLACE_TAGS or t.word.endswith(_PLACE_END)) or len(t.word) < 2:
            break
        spans.insert(0, (t.start, t.end))
        if k > 0 and toks[k - 1].word in ("、", "和", "及"):
            k -= 2
            continue
        break
    return spans


# N个高速公路项目 after a list of routes: each route is one such project
_COUNT_LIST = regex.compile(
    r"(?:等|以及)?(?<![0-9一二三四五六七八九十两几])[0-9一二三四五六七八九十两几]++(?:个|条|项)(?P<kind>高速公路|高速|公路|铁路|城际铁路|大桥|隧道)(?:建设)?(?:项目|工程)"
)


def _lead_verbs(v: Vocab) -> regex.Pattern:
    """The verbs that introduce a list of routes (开工建设, 包括 …), longest first."""
    verbs = [w for w in v.left_stop if len(w) > 1 and w not in _CONJ]
    return regex.compile("|".join(regex.escape(w) for w in sorted(verbs, key=len, reverse=True)))


def _count_lists(text: str, v: Vocab) -> list[Mention]:
    """Routes listed before 'N个高速公路项目': 寻乌至全南、…6个高速公路项目 → 寻乌至全南高速公路."""
    out: list[Mention] = []
    lead_verbs = None
    for m in _COUNT_LIST.finditer(text):
        lead_verbs = lead_verbs or _lead_verbs(v)  # built on the first list only: lists are rare
        cs = _clause_start(text, m.start(), 120)
        region = text[cs : m.start()]
        # the list starts after the last verb that introduces it (开工建设, 包括 …)
        lead = 0
        first_item_end = region.find("、") if "、" in region else len(region)
        for lm in lead_verbs.finditer(region[:first_item_end]):
            lead = lm.end()
        pos = cs + lead
        for item in _LIST_ITEMS.split(text[pos : m.start()]):
            if item in ("、", "以及", "和", "及"):
                pos += len(item)
                continue
            s, e = pos, pos + len(item)
            pos = e
            if not item or v.head_re.search(item):
                continue  # an item with its own head is found as a name already
            if _ROUTE.fullmatch(item):
                out.append(Mention(s, e, item + m.group("kind"), head=m.group("kind")))
    return out


def _filter(text: str, mentions: list[Mention], v: Vocab, consumed: set[tuple[int, int]]) -> list[Mention]:
    """Drop non-names, mark references, split off location prefixes; fills head/location."""
    kept: list[Mention] = []
    for mt in mentions:
        name = mt.name
        if not name or len(name) > MAX_NAME:
            continue
        mt.head = mt.head or head_of(name)
        if mt.head is None:
            continue
        core = strip_tail(name)
        if core == mt.head or len(name) < 3:
            mt.ref = True  # 项目, 产业园, 工厂 alone: a reference at most
        if text.startswith("之一", mt.end) or (
            _DESCRIBED.search(text, max(0, mt.start - 16), mt.start) and len(_content(name, v)) < 4
        ):
            mt.ref = True  # 全球最大的重卡生产基地, …生产线之一: a description, not a name
        # a company with 项目 after it (爱可信公司项目) is a company, not a project name
        if v.company_end_re.search(_PROJECT_WORD_END.sub("", name)):
            continue
        if _place_role(text, mt, v):
            continue
        if v.head_type.get(mt.head or "") == "public service" and _AFFILIATION.match(text, mt.end):
            continue  # 北京大学政府管理学院教授: where someone works, not a project
        if mt.head in v.weak or mt.head in v.action:
            if not _has_cue(text, mt, v):
                continue
        loc, rest = _split_location(name, v) if not mt.shared else (None, name)
        if loc:
            mt.location = loc
            if rest != name and not is_generic(rest, v):
                mt.aliases.append(name)
                mt.name = rest
            elif rest != name and (loc.endswith(_ZONES) or _bare(rest, v)):
                mt.ref = True  # 高新区重点工业项目: a zone's projects, not one of them
        if is_generic(mt.name, v) and not (loc and not is_generic(name, v)):
            mt.ref = True
        if (mt.head in v.weak or _bare(mt.name, v)) and not mt.shared and not _specific(mt.name, v):
            mt.ref = True  # 钢铁项目, 焦化厂, 集中供热工程: no name in it
        if mt.head in _ZONE_HEADS and len(_content(_drop_places(mt.name), v)) < 2:
            mt.ref = True  # 乌兰浩特市工业园区: a zone, not a project in it
        if mt.head in _NETWORK and not mt.shared and _network_only(mt.name, v):
            mt.ref = True  # 滨州公路: a place's roads, not one road
        if _CATEGORY_END.search(mt.name):
            mt.ref = True  # 乌兰浩特经济技术开发区重点项目: a zone's key projects, a category
        if mt.head in v.action and not mt.shared and not _specific(mt.name, v) and not (
            mt.name.endswith(("项目", "工程")) or _PROJECT_AFTER.match(text[mt.end : mt.end + 3])
        ):
            mt.ref = True  # 财务系统改造, 大气污染治理: an activity, not a named project
        if _COUNTED.match(text, mt.end):
            mt.ref = True  # 重点客运站场9个: a kind of project, counted
        if _EXISTING.search(text[max(0, mt.start - 2) : mt.start]):
            mt.existing = True
        cs = _clause_start(text, mt.start)
        if _SUPPORTING.search(text[max(0, mt.start - 4) : mt.start]):
            mt.secondary = True  # 配套建设X: a part of another project
        if _COMPONENT_OF.search(text, cs, mt.start):
            mt.ref = mt.secondary = True  # 项目包括…30万吨级原油码头: a part of the project just named
        prev = None
        for o in reversed(kept):
            if o.start < cs:
                break
            if not o.ref and o.end <= mt.start:
                prev = o
                break
        if prev is not None and _PART_VERB.match(text, prev.end, mt.start):
            mt.ref = mt.secondary = True  # X将建立年产…生产线: what X builds, not another project
        ce = _clause_end(text, mt.end, 200)
        if _HEADING.match(text, cs) or _CATEGORY_AFTER.search(text, mt.end, ce):
            mt.ref = True  # 一是…工程, 分为A、B…七大类: categories of projects, not projects
        kept.append(mt)
    kept.sort(key=lambda x: (x.start, -x.end))
    # a name inside a longer name is part of it (科技城 in 科技城新厂区), unless split off on purpose
    result: list[Mention] = []
    widest: Mention | None = None  # the named mention reaching furthest right so far
    for mt in kept:
        inside = (
            widest is not None and widest.end >= mt.end and (widest.end - widest.start) > (mt.end - mt.start)
        )
        if not (inside and (mt.start, mt.end) not in consumed):
            result.append(mt)
        if not mt.ref and (mt.start, mt.end) not in consumed and (widest is None or mt.end > widest.end):
            widest = mt
    # a road named without its section (省道301线) beside the section (省道301线供加至班戈段)
    names = sorted({m.name for m in result if not m.ref})

    def has_longer(name: str) -> bool:
        i = bisect_right(names, name)
        return i < len(names) and names[i].startswith(name)

    return [m for m in result if m.ref or not (m.name.endswith(_ROAD_END) and has_longer(m.name))]


def _place_role(text: str, mt: Mention, v: Vocab) -> bool:
    """在奇台县喇嘛湖梁工业园动工, 位于青岛焦化水清沟热电厂内: where something is, not what is built."""
    before = text[max(0, mt.start - 4) : mt.start]
    if not before.endswith(v.place_verb) or mt.name.endswith(("项目", "工程")):
        return False
    if _INSIDE_AFTER.match(text[mt.end : mt.end + 3]):
        return True
    return v.head_type.get(mt.head or "") == "industrial park"


_ZONE_HEADS = frozenset({"工业园区", "产业园区", "工业园", "园区", "集聚区", "产业集聚区"})
_ZONES = ("经开区", "高新区", "开发区", "新区", "示范区", "保税区", "综保区", "园区", "工业园", "产业园")
_ADMIN = ("省", "市", "县", "区", "镇", "乡", "旗", "州")
# a model, a numbered road or a generation: TCO膜, 8.5代, 318线, 102滑坡群, G0711
_MODEL = regex.compile(r"[A-Za-z]{3,}|[0-9]+(?:\.[0-9]+)?代|[0-9]+(?:号线|线|国道|省道|县道|道班|滑坡|号)|[GSX][0-9]{2,}")
_UNITS = frozenset({"MW", "GW", "KW", "kW", "kV", "KV", "km", "t", "d", "MWp", "GWh", "kWh", "m", "mm"})


def _specific_word(w: str, tag: str) -> bool:
    """A word that names something: a brand or organisation, a rare name, a model (jieba's tags, checked)."""
    if tag in ("nz", "nt", "nrfg"):
        return True
    if tag in ("nr", "nrt", "j"):
        return len(w) <= 3 and _freq(w) < 100  # jieba tags many common words nr (水土保持, 温泉)
    if tag == "eng":
        return len(w) >= 3 and w not in _UNITS
    return False


def _bare(name: str, v: Vocab) -> bool:
    """The name's only head is 项目/工程 or a phase (钢铁项目, 协鑫光伏二期): it must name something."""
    h = head_of(name)
    return h is None or h in ("项目", "工程") or _PHASE_RE.fullmatch(h) is not None


def _specific(name: str, v: Vocab) -> bool:
    """Whether a name names one thing: a proper word, a model or capacity, a route, or a place with more."""
    content = _content(name, v)
    if _ROUTE.search(name) or (_CAPACITY.search(name) and len(_NOT_HAN.sub("", content)) >= 2):
        return True
    if _MODEL.search(name) and not _MODEL_ONLY.fullmatch(content):
        return True  # a model or a numbered road: TCO膜, 8.5代, 102滑坡群
    place = False
    for w, tag in _pos(name):
        if w in v.generic or w in v.head_type or w in v.action or w in v.trailer:
            continue
        if _HAN_WORD.fullmatch(w) and not _ends_with_head(w, v) and (
            (_freq(w) == 0 and len(w) >= 2) or tag == "x"
        ):
            return True  # a word jieba does not know: a name (柏屹, 抚吉, 滨德, 阊)
        if _specific_word(w, tag) or (tag == "ns" and _ends_with_head(w, v)):
            return True
        if tag == "ns" or w.endswith(_ADMIN) and len(w) >= 3:
            place = True
    return place and (len(_content(_drop_places(name), v)) >= 2 or (not _bare(name, v) and name.endswith(("项目", "工程"))))


def _network_only(name: str, v: Vocab) -> bool:
    """滨州公路, 国省干线公路: a known place or nothing before a road-network word."""
    if name.endswith(("项目", "工程")) or _ROUTE.search(name):
        return False
    rest = [
        (w, tag) for w, tag in _pos(name)
        if not (tag == "ns" and _freq(w) > 0) and w not in v.generic and not w.endswith(tuple(_NETWORK))
    ]  # fmt: skip
    return not rest


def _drop_places(name: str) -> str:
    """The name without its place words (滨州公路 → 公路)."""
    return "".join(w for w, tag in _pos(name) if tag != "ns")


def _has_cue(text: str, mt: Mention, v: Vocab) -> bool:
    """The clause speaks of building or investing (needed for 路, 线, 中心 … heads)."""
    lo = _clause_start(text, mt.start, 80)
    hi = _clause_end(text, mt.end)
    # a cue inside the name itself counts (快速化改造项目), the head word alone does not
    name = text[mt.start : mt.end].replace(mt.head or "", "", 1)
    if v.cue_re.search(name):
        return True
    around = text[lo : mt.start] + "|" + text[mt.end : hi]
    return any(m.group() not in ("项目", "工程") for m in v.cue_re.finditer(around))


@lru_cache(maxsize=8)
def _zones_and_admin(location_head: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The location heads of two characters or more (zones: 经开区) and of one (admin: 市, 县)."""
    return tuple(w for w in location_head if len(w) > 1), tuple(w for w in location_head if len(w) == 1)


def _split_location(name: str, v: Vocab) -> tuple[str | None, str]:
    """湘潭经开区宏大真空… → (湘潭经开区, 宏大真空…); 湘潭大数据中心 has no such prefix.

    A development zone before a name is always its location. A city or county is split off only
    when a proper name follows (湘潭县|柏屹自主创新园); 黄山市污水处理厂 keeps its city, which is
    what tells it from other sewage plants.
    """
    toks = list(_pos(name))
    zones, admin = _zones_and_admin(v.location_head)
    acc = ""
    best: tuple[str, int, bool] | None = None
    for i, (w, tag) in enumerate(toks[:-1]):
        if not (tag == "ns" or w.endswith(zones)):
            break
        acc += w
        if acc.endswith(zones):
            best = (acc, i + 1, True)
        elif acc.endswith(admin) and len(acc) >= 3:
            best = (acc, i + 1, False)
    if best is None:
        return None, name
    loc, k, zone = best
    rest = name[len(loc) :]
    if not rest or len(rest) < 2:
        return None, name
    if zone:
        return loc, rest
    nxt = _Tok(toks[k][0], toks[k][1], 0, 0)
    if _proper(nxt) or _CODE_START.match(rest):
        return loc, rest
    return loc, name
