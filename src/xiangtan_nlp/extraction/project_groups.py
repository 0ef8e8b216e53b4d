"""Mentions of the same project grouped: with and without a location or company prefix, abbreviated
(抚吉高速 for 抚州至吉安高速公路), or with a one-character slip (组建/组件); one canonical name each."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import regex

from .project_names import Mention, is_generic
from .project_vocab import PHASE, vocab

_TRAILING = regex.compile(rf"(?:{PHASE}|建设项目|建设工程|项目|工程)+\Z")


def core(name: str) -> str:
    """A name reduced for comparison: NFKC, no spaces, no trailing 项目/工程/phase; 高速公路 → 高速."""
    s = "".join(unicodedata.normalize("NFKC", name).split())
    s2 = _TRAILING.sub("", s)
    s = s2 if len(s2) >= 2 else s
    return s.replace("高速公路", "高速")


@dataclass
class Group:
    """One project of one document: its mentions and what they say about it."""

    name: str
    mentions: list[Mention] = field(default_factory=list)
    location: str | None = None
    stage: str | None = None

    @property
    def aliases(self) -> list[str]:
        """Every other way the text names this project, in order of appearance."""
        seen: list[str] = []
        for m in self.mentions:
            for n in [*m.aliases, m.name]:
                if n != self.name and n not in seen:
                    seen.append(n)
        return seen


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


def _one_off(a: str, b: str) -> bool:
    """Same length, one character different (组建/组件), long enough and late enough in the name that
    it is a slip, not another place (黄山市/黄山区污水处理厂)."""
    if len(a) != len(b) or len(a) < 10:
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    return len(diff) == 1 and diff[0] >= 4


def _suffix_alias(a: str, b: str) -> bool:
    """One name is the other with something before it (湘潭经开区X / X, 福田汽车欧曼重汽厂 / 欧曼重汽厂)."""
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and long.endswith(short) and not is_generic(short)


def _abbreviation(short: str, long: str, headline: bool = False) -> bool:
    """抚吉高速 for 抚州至吉安高速, 福田新型节能重卡数字工厂 for 福田汽车欧曼GTL新型节能重卡数字工厂
    (a headline shortens freely)."""
    if len(short) < 4 or len(short) >= len(long) or short[-1] != long[-1]:
        return False
    if len(short) > 6 and len(long) - len(short) > 2 and not headline:
        return False  # 半导体照明光源产业化 is another project than 半导体照明光源用LED器件产业化
    return short[:2] in long[: len(long) - 2] and _is_subsequence(short, long) or (
        short[0] == long[0] and _is_subsequence(short, long)
    )


def group_mentions(mentions: list[Mention], body_start: int = 0) -> list[Group]:
    """Group a document's mentions into projects; reference-only mentions join a group when unambiguous.

    Groups are formed from named mentions only, so a generic word (污水处理厂) never joins two plants.
    The canonical name is that of the first named mention after ``body_start`` (the title line is
    often a shortened headline), else the first one.
    """
    named = [m for m in mentions if not m.ref]
    # compare each distinct spelling once (a name repeated 30 times is one comparison)
    cores = [core(m.name) for m in named]
    distinct = list(dict.fromkeys(cores))
    index = {c: i for i, c in enumerate(distinct)}
    parent = list(range(len(distinct)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_last: dict[str, list[int]] = {}
    for i, c in enumerate(distinct):
        by_last.setdefault(c[-1:], []).append(i)
    for ids in by_last.values():  # aliases end alike: only names with the same last character meet
        for x in range(len(ids)):
            for y in range(x):
                a, b = distinct[ids[x]], distinct[ids[y]]
                if _suffix_alias(a, b) or _one_off(a, b):
                    parent[find(ids[x])] = find(ids[y])
    # abbreviations join only one group, never bridge two
    in_headline = {c: all(m.start < body_start for m, c2 in zip(named, cores) if c2 == c) for c in distinct}
    for r in sorted({find(i) for i in range(len(distinct))}):
        members = [i for i in range(len(distinct)) if find(i) == r]
        targets = set()
        for i in members:
            for j in by_last.get(distinct[i][-1:], ()):
                if find(j) == r:
                    continue
                a, b = distinct[i], distinct[j]
                if _abbreviation(a, b, in_headline[a]) or _abbreviation(b, a, in_headline[b]):
                    targets.add(find(j))
        if len(targets) == 1:
            parent[find(r)] = targets.pop()
    groups: dict[int, list[Mention]] = {}
    for m, c in zip(named, cores):
        groups.setdefault(find(index[c]), []).append(m)
    out = [Group(_canonical(ms, body_start), sorted(ms, key=lambda m: m.start)) for ms in groups.values()]
    # references (该…, 重卡数字工厂, 一期技改工程) attach to the one group they can stand for
    for m in mentions:
        if not m.ref:
            continue
        c = core(m.name)
        if len(c) < 2 or c == core(m.head or ""):
            continue
        hits = [
            g for g in out
            if any(core(x.name).endswith(c) or (len(c) >= 4 and _abbreviation(c, core(x.name))) for x in g.mentions)
        ]  # fmt: skip
        if len(hits) == 1:
            hits[0].mentions.append(m)
            hits[0].mentions.sort(key=lambda x: x.start)
    for g in out:
        g.location = next((m.location for m in g.mentions if m.location), None)
        g.stage = next((m.stage for m in g.mentions if m.stage), None)
    # a plant the text calls existing (现有花都发动机工厂) is not a project
    out = [g for g in out if not next(m for m in g.mentions if not m.ref).existing]
    out.sort(key=lambda g: g.mentions[0].start)
    return out


def _canonical(ms: list[Mention], body_start: int) -> str:
    ms = sorted(ms, key=lambda m: m.start)
    body = [m for m in ms if m.start >= body_start] or ms
    first = body[0]
    # prefer a fuller form of the same name (欧曼GTL… → 福田汽车欧曼GTL…) when the text gives one
    longer = [m.name for m in body if m.name != first.name and core(m.name).endswith(core(first.name))]
    if longer and not vocab().location_end_re.search(longer[0][: len(longer[0]) - len(first.name)]):
        return max(longer, key=len) if len(max(longer, key=len)) <= len(first.name) + 6 else first.name
    return first.name
