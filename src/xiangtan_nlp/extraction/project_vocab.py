"""The project vocabulary (data/project_vocab.txt), read once on first use and compiled to regexes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import regex

from .patterns import trie_pattern


def _alt(words: object) -> str:
    return "|".join(regex.escape(w) for w in sorted(set(words), key=len, reverse=True))  # type: ignore[arg-type]


def parse_vocab(text: str) -> dict[str, tuple[str, ...]]:
    """Parse the ``[section]`` / one-entry-a-line format into ``{section: entries}``."""
    out: dict[str, list[str]] = {}
    section: str | None = None
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            out.setdefault(section, [])
        elif section is None:
            raise ValueError(f"project vocabulary entry {line!r} before any [section]")
        else:
            out[section].append(line)
    return {k: tuple(v) for k, v in out.items()}


@dataclass(frozen=True)
class Vocab:
    """Word lists and the patterns compiled from them."""

    head_type: dict[str, str]  # head word -> project type
    weak: frozenset[str]
    component: frozenset[str]
    action: frozenset[str]
    trailer: tuple[str, ...]
    generic: frozenset[str]
    left_stop: frozenset[str]
    determiner: frozenset[str]
    company: tuple[str, ...]
    location_head: tuple[str, ...]
    place_verb: tuple[str, ...]
    cue: tuple[str, ...]
    stage: tuple[str, ...]
    anaphor: tuple[str, ...]
    head_re: regex.Pattern  # every head, action word or phase ending, longest first
    tail_re: regex.Pattern  # what may follow a head and stay in the name
    cue_re: regex.Pattern
    stage_re: regex.Pattern
    anaphor_re: regex.Pattern
    generic_re: regex.Pattern  # a whole modifier made of generic words, numbers and heads
    company_end_re: regex.Pattern
    location_end_re: regex.Pattern
    head_end_re: regex.Pattern  # any head at the end of a string (searched backwards: cheap)
    heads_longest_first: tuple[str, ...]


# 一期 / 二期 / (一期) / （二期）: a phase, part of the name it follows.
PHASE = r"(?:[(（][一二三四五六七八九首]期(?:工程|项目)?[)）]|[一二三四五六七八九首]期(?:工程|项目)?)"
# Characters a head must not run into (中心城区, 线路, 站在, 段落 …): the head would be part of a word.
HEAD_NOT_BEFORE = {
    "线": "路上下索条性虫圈框材缆",
    "路": "线径面口况灯由过人网段演子",
    "段": "落位时子",
    "站": "在着立起长点内房",
    "桥": "梁头",
    "港": "口币股元澳台",
    "厂": "家商房长区址管",
    "中心": "城区组小市",
    "设施": "农",
    "基地": "化",
    "公园": "里",
    "车间": "主",
    "工程": "师机院学局队化兵量款设",
    "项目": "部组经负单建主管竞",
    "高速": "发增度增长路铁运列公光缆网宽",
    "公路": "局段网运客",
    "工厂": "化",
    "之家": "长",
    "隧道": "灯口",
    "水厂": "管",
}


# Characters a head must not follow (阶段, 道路, 网站, 香港 …): the head would end another word.
HEAD_NOT_AFTER = {
    "段": "阶手地片时分身路区河",
    "线": "一二三四前火主在热连视光天防底路航曲界直无干战红",
    "路": "道思套线出网铁公马门后去生前退走来回让带电",
    "站": "网车",
    "港": "香临",
    "小学": "中",
    "学校": "小",
    "桥": "搭",
    "厂": "出设建办进",
    "设施": "础",
    "中心": "为",
}


@lru_cache(maxsize=1)
def vocab() -> Vocab:
    """The project vocabulary, loaded and compiled on first use."""
    raw = resources.files("xiangtan_nlp.data").joinpath("project_vocab.txt").read_text("utf-8")
    return build_vocab(parse_vocab(raw))


def _guards(word: str) -> str:
    """HEAD_NOT_AFTER before a head word and HEAD_NOT_BEFORE after it, read at its end (the first as
    a lookbehind over the word)."""
    back, guard = HEAD_NOT_AFTER.get(word), HEAD_NOT_BEFORE.get(word)
    return (f"(?<![{back}]{regex.escape(word)})" if back else "") + (f"(?![{guard}])" if guard else "")


def build_vocab(sections: dict[str, tuple[str, ...]]) -> Vocab:
    """Compile parsed sections into a :class:`Vocab`."""
    head_type: dict[str, str] = {}
    for name, words in sections.items():
        if name.startswith("head."):
            kind = name[5:]
            for w in words:
                head_type.setdefault(w, kind)
    action = frozenset(sections.get("action", ()))
    head_re = regex.compile(rf"(?:{trie_pattern(set(head_type) | action, _guards)}){PHASE}?|(?<=\p{{Han}}|[A-Za-z0-9]){PHASE}")
    trailer = tuple(sections.get("trailer", ()))
    tail_re = regex.compile(rf"(?:{_alt(trailer)}|{PHASE}){{1,3}}")  # 快速化改造项目: a few words, not a run
    generic = frozenset(sections.get("generic", ()))
    generic_parts = _alt(set(generic) | set(head_type) | action | set(trailer))
    generic_re = regex.compile(
        rf"(?:{generic_parts}|[0-9一二三四五六七八九十百千万亿两几多个座条批家类大及和与、的·\s]|{PHASE})+"
    )
    company = tuple(sections.get("company", ()))
    location_head = tuple(sections.get("location_head", ()))
    return Vocab(
        head_type=head_type,
        weak=frozenset(sections.get("weak", ())),
        component=frozenset(sections.get("component", ())),
        action=action,
        trailer=trailer,
        generic=generic,
        left_stop=frozenset(sections.get("left_stop", ())),
        determiner=frozenset(sections.get("determiner", ())),
        company=company,
        location_head=location_head,
        place_verb=tuple(sections.get("place_verb", ())),
        cue=tuple(sections.get("cue", ())),
        stage=tuple(sections.get("stage", ())),
        anaphor=tuple(sections.get("anaphor", ())),
        head_re=head_re,
        tail_re=tail_re,
        cue_re=regex.compile(_alt(sections.get("cue", ()))),
        stage_re=regex.compile(_alt(sections.get("stage", ()))),
        anaphor_re=regex.compile(_alt(sections.get("anaphor", ()))),
        generic_re=generic_re,
        company_end_re=regex.compile(rf"(?r)(?:{_alt(company)})\Z"),
        location_end_re=regex.compile(rf"(?r)(?:{_alt(location_head)})\Z"),
        head_end_re=regex.compile(rf"(?r)(?:{_alt(head_type)})\Z"),
        heads_longest_first=tuple(sorted(head_type, key=len, reverse=True)),
    )


_TRAILING = regex.compile(rf"(?r)(?:{PHASE}|项目|工程|建设)\Z")
_PROJECT_END = regex.compile(r"(?r)(?:项目|工程)(?:[(（]?[一二三四五六七八九首]期[)）]?)?\Z")
_PHASE_END = regex.compile(rf"(?r){PHASE}\Z")


@lru_cache(maxsize=16384)
def head_of(name: str) -> str | None:
    """The head word a name ends with (after any phase or trailer), or None."""
    v = vocab()
    core = strip_tail(name)
    m = v.head_end_re.search(core)
    if m:
        return m.group()
    for w in v.action:
        if core.endswith(w):
            return w
    m = _PROJECT_END.search(name)
    if m:
        return m.group()[:2]
    m = _PHASE_END.search(name)
    return m.group() if m and m.start() > 0 else None


@lru_cache(maxsize=16384)
def strip_tail(name: str) -> str:
    """The name without trailing phase, 项目/工程 and similar trailers (潭州大道快速化改造项目 → 潭州大道)."""
    v = vocab()
    core = name
    while True:
        m = _TRAILING.search(core)
        if not m or m.start() == 0:
            break
        core = core[: m.start()]
    for t in sorted(v.trailer, key=len, reverse=True):
        if core.endswith(t) and len(core) > len(t) and t not in ("项目", "工程"):
            stripped = core[: -len(t)]
            if v.head_end_re.search(stripped):
                return stripped
    return core


@lru_cache(maxsize=16384)
def type_of(name: str) -> str | None:
    """The project type read from the name's head (产业园 → industrial park …), None when unknown."""
    v = vocab()
    core = name
    # look through 项目/工程/phase endings to the word that says what is built
    for _ in range(4):
        m = regex.search(rf"(?:{PHASE}|建设项目|建设工程|项目|工程|建设|改扩建|改造|改建|扩建|整治|治理)$", core)
        if not m or m.start() == 0:
            break
        core = core[: m.start()]
    for w in v.heads_longest_first:
        if core.endswith(w) and v.head_type[w] != "project":
            return v.head_type[w]
    if regex.search(r"年产|生产线|产能|[0-9]+(?:万)?(?:吨|台|套|辆|片|颗|只|盏|个)", name):
        return "company plant"
    if regex.search(r"公路|铁路|大道|大桥|水利|供水|饮水|污水|垃圾|水库|电站|管网|供热|热电|风光带|治理|整治", name):
        return "infrastructure"
    if regex.search(r"研发|技术中心|设计中心", name):
        return "R&D centre"
    if regex.search(r"产业化|扩产|扩建|技改|制造|加工", name):
        return "company plant"
    return None
