"""Mentions of the same project grouped: with and without a location or company prefix, abbreviated
(抚吉高速 for 抚州至吉安高速公路), or with a one-character slip (组建/组件); one canonical name each.

Names are grouped by keys, never by comparing every name with every other: a name meets only the
names it is a suffix of, those that differ from it in one place (same length, the rest as key), and
those holding its rarest character (the candidates for an abbreviation, checked one by one). The
work grows with the number of mentions, not with its square (tests/test_linear.py counts it).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Generic, Hashable, Iterable, TypeVar

import regex

from .project_names import Mention, is_generic
from .project_vocab import PHASE, vocab

_TRAILING = regex.compile(rf"(?:{PHASE}|建设项目|建设工程|项目|工程)+\Z")
T = TypeVar("T", bound=Hashable)


@lru_cache(maxsize=16384)
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
        seen = dict.fromkeys(n for m in self.mentions for n in [*m.aliases, m.name])
        seen.pop(self.name, None)
        return list(seen)


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


# ------------------------------------------------------------------------------ keyed look-ups
class _Longer(Generic[T]):
    """Names that may contain a given name: every suffix, and (last character, any other character)
    postings, so an abbreviation is checked only against names holding its rarest character."""

    def __init__(self) -> None:
        self._suffix: dict[str, set[T]] = {}
        self._postings: dict[tuple[str, str], list[tuple[str, T]]] = {}

    def add(self, name: str, owner: T) -> None:
        """Index ``name`` (a core) as belonging to ``owner``."""
        for i in range(len(name)):
            self._suffix.setdefault(name[i:], set()).add(owner)
        last = name[-1:]
        for c in set(name[:-1]):
            self._postings.setdefault((last, c), []).append((name, owner))

    def ending_with(self, name: str) -> set[T]:
        """Owners of an indexed name that ends with ``name`` (or is it)."""
        return self._suffix.get(name, set())

    def abbreviated_by(self, short: str) -> Iterable[tuple[str, T]]:
        """(name, owner) pairs that may have ``short`` as an abbreviation (a superset; check each)."""
        if len(short) < 4:
            return ()
        lists = [self._postings.get((short[-1], c), []) for c in set(short[:-1])]
        return min(lists, key=len)  # every character of the abbreviation is in the full name


def _unions(distinct: list[str], generic: Callable[[str], bool]) -> list[tuple[int, int]]:
    """Pairs of distinct cores that name one project: a suffix alias or a one-character slip."""
    index = {c: i for i, c in enumerate(distinct)}
    pairs: list[tuple[int, int]] = []
    slips: dict[tuple[int, str, str], int] = {}
    for i, c in enumerate(distinct):
        for k in range(1, len(c) - 3):  # proper suffixes of 4 characters or more
            j = index.get(c[k:])
            if j is not None and not generic(c[k:]):
                pairs.append((i, j))
        if len(c) >= 10:
            # one place different, at index 4 or later and not the last character (names that
            # alias each other end alike): the name with that place blanked is the key
            for k in range(4, len(c) - 1):
                key = (k, c[:k], c[k + 1 :])
                if key in slips:
                    pairs.append((i, slips[key]))
                else:
                    slips[key] = i
    return pairs


def group_mentions(mentions: list[Mention], body_start: int = 0) -> list[Group]:
    """Group a document's mentions into projects; reference-only mentions join a group when unambiguous.

    Groups are formed from named mentions only, so a generic word (污水处理厂) never joins two plants.
    The canonical name is that of the first named mention after ``body_start`` (the title line is
    often a shortened headline), else the first one.

    Of each mention it reads ``start``, ``name``, ``head``, ``ref``, ``location``, ``stage`` and
    ``existing`` (``aliases`` for :attr:`Group.aliases`): any recogniser that fills those can use it.
    """
    named = [m for m in mentions if not m.ref]
    # each distinct spelling is indexed once (a name repeated 30 times is one entry)
    cores = [core(m.name) for m in named]
    distinct = list(dict.fromkeys(cores))
    index = {c: i for i, c in enumerate(distinct)}
    in_headline = dict.fromkeys(distinct, True)
    for m, c in zip(named, cores):
        if m.start >= body_start:
            in_headline[c] = False
    generic = lru_cache(maxsize=None)(is_generic)
    # union-find whose root is the component's first-seen name, so groups are weighed in text order
    parent = list(range(len(distinct)))
    members = {i: [i] for i in range(len(distinct))}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            ra, rb = min(ra, rb), max(ra, rb)
            parent[rb] = ra
            members[ra].extend(members.pop(rb))

    for a, b in _unions(distinct, generic):
        union(a, b)
    # abbreviations join only one group, never bridge two
    longer: _Longer[int] = _Longer()
    for i, c in enumerate(distinct):
        longer.add(c, i)
    abbrev: dict[int, set[int]] = {}  # distinct name -> names it abbreviates or is abbreviated by
    for i, c in enumerate(distinct):
        for full, j in longer.abbreviated_by(c):
            if j != i and _abbreviation(c, full, in_headline[c]):
                abbrev.setdefault(i, set()).add(j)
                abbrev.setdefault(j, set()).add(i)
    for r in sorted({find(i) for i in range(len(distinct))}):
        # a group joins its one target; a later target is then weighed with it as a member
        targets = {find(j) for i in members[r] for j in abbrev.get(i, ())} - {r}
        if len(targets) == 1:
            t = targets.pop()
            parent[r] = t
            members[t].extend(members.pop(r))
    groups: dict[int, list[Mention]] = {}
    for m, c in zip(named, cores):
        groups.setdefault(find(index[c]), []).append(m)
    out = [Group(_canonical(ms, body_start), sorted(ms, key=lambda m: m.start)) for ms in groups.values()]
    _attach_references(mentions, out)
    for g in out:
        g.location = next((m.location for m in g.mentions if m.location), None)
        g.stage = next((m.stage for m in g.mentions if m.stage), None)
    # a plant the text calls existing (现有花都发动机工厂) is not a project
    out = [g for g in out if not next(m for m in g.mentions if not m.ref).existing]
    out.sort(key=lambda g: g.mentions[0].start)
    return out


def _attach_references(mentions: list[Mention], groups: list[Group]) -> None:
    """References (该…, 重卡数字工厂, 一期技改工程) join the one group they can stand for: a group
    with a name (or an attached reference) ending in them, or abbreviated by them."""
    names: _Longer[int] = _Longer()
    for gi, g in enumerate(groups):
        for c in dict.fromkeys(core(x.name) for x in g.mentions):
            names.add(c, gi)
    for m in mentions:
        if not m.ref:
            continue
        c = core(m.name)
        if len(c) < 2 or c == core(m.head or ""):
            continue
        ending = names.ending_with(c)
        if len(ending) > 1:
            continue  # a phrase every plant of the text ends with (污水处理厂): it picks none
        hits = set(ending)
        if len(c) >= 4:
            for full, gi in names.abbreviated_by(c):
                if gi not in hits and _abbreviation(c, full):
                    hits.add(gi)
                    if len(hits) > 1:
                        break
        if len(hits) == 1:
            gi = hits.pop()
            groups[gi].mentions.append(m)
            names.add(c, gi)  # an attached reference counts for the next ones, as a name does
    for g in groups:
        g.mentions.sort(key=lambda x: x.start)  # stable: a named mention before a reference at its start


def _canonical(ms: list[Mention], body_start: int) -> str:
    ms = sorted(ms, key=lambda m: m.start)
    body = [m for m in ms if m.start >= body_start] or ms
    first = body[0]
    # prefer a fuller form of the same name (欧曼GTL… → 福田汽车欧曼GTL…) when the text gives one
    longer = [m.name for m in body if m.name != first.name and core(m.name).endswith(core(first.name))]
    if longer and not vocab().location_end_re.search(longer[0][: len(longer[0]) - len(first.name)]):
        return max(longer, key=len) if len(max(longer, key=len)) <= len(first.name) + 6 else first.name
    return first.name
