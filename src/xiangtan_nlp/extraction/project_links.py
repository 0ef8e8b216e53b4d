"""Which project a money or percent figure belongs to, from where the text puts them.

In order: a project named in the figure's own clause (总投资20亿元的X, X，总投资超过30亿元); a word that
refers back (该项目, 项目, 二期 …) → the project under discussion; a project named earlier in the
sentence (its subject first); one named later in it; the project under discussion in the previous
sentences of the paragraph; a project whose name shares a long stretch with the sentence (a headline
such as 东风日产5年投资36亿元扩大发动机产能). Otherwise no project.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

import regex

from ..model import Record
from .project_groups import core
from .patterns import SENTENCE_END
from .project_names import is_generic
from .project_vocab import vocab

_CLAUSE = regex.compile(r"[，,；;：:]")
# X总投资20亿元的Y: a figure, a few words, 的, then the project it describes
_OF = regex.compile(r"[^，。；,;\n]{0,14}的\Z")
_SUBJECT_ANAPHOR = regex.compile(r"^(?:该|本|此|这个|这一|整个)?(?:项目|工程)")
# a word that can only mean the project under discussion
_STRONG = regex.compile(r"(?:该|本|此|这个|这一|整个)(?:项目|工程|基地|工厂|园区|产业园)")
# A count of projects earlier in the sentence makes its amounts totals over all of them.
_AGGREGATE = regex.compile(
    r"[0-9一二两三四五六七八九十百千几多]++个[^，。；,;\n]{0,12}?(?:项目|工程)|(?:项目|工程)[0-9一二两三四五六七八九十百千]++个"
    r"|这批|一批|批次|多个(?:项目|工程)"
)
_MAX_SENTENCES_BACK = 3
_OVERLAP = 5  # characters a sentence must share with a project name to be linked by overlap alone
# the longest stretch read as one sentence: real sentences are far shorter (365 characters at most
# in 1,069 news articles), a page flattened without stops is cut here so every window stays bounded
MAX_SENTENCE = 1000
_NEWLINE = regex.compile(r"\n")
_LAST_SOFT_BREAK = regex.compile(r"[，,、；;：:\s]", regex.REVERSE)  # searches right to left


@dataclass(frozen=True)
class _Ref:
    start: int
    end: int
    project: str
    secondary: bool = False


def _mentions(text: str, projects: list[Record]) -> list[_Ref]:
    """Named mentions plus shorter forms of the names found again in the text (重卡数字工厂)."""
    refs = [_Ref(p.start, p.end, p.project or p.text) for p in projects if p.kind == "project"]
    # shorter forms: suffixes of a name or alias that belong to one project only
    forms: dict[str, set[str]] = {}
    for n, owner in {(n, p.project or p.text) for p in projects if p.kind == "project" for n in (p.text, p.project)}:
        if not n:
            continue
        c = core(n)
        for i in range(len(c) - 3):
            if not is_generic(c[i:]):
                forms.setdefault(c[i:], set()).add(owner)
    owned = {f: next(iter(o)) for f, o in forms.items() if len(o) == 1}
    if owned:
        # a stretch already named is not counted again
        taken = sorted((r.start, r.end) for r in refs)
        starts = [a for a, _ in taken]
        for a, b in _occurrences(text, owned):
            i = bisect_right(starts, b - 1)
            if i and taken[i - 1][1] > a:
                continue  # overlaps the named mention starting before its end
            refs.append(_Ref(a, b, owned[text[a:b]]))
    secondary = regex.compile(r"配套(?:建设)?\Z")
    out = [_Ref(r.start, r.end, r.project, bool(secondary.search(text, max(0, r.start - 4), r.start))) for r in refs]
    return sorted(out, key=lambda r: r.start)


def _occurrences(text: str, forms: dict[str, str]) -> list[tuple[int, int]]:
    """Where the forms occur: leftmost first, the longest at each start, none overlapping (what one
    alternation of them, longest first, finds). Every form ends as the name it comes from, so only
    the places where a name's last four characters stand are looked at: the work grows with the
    text and those places, not with the text times the number of forms."""
    if not forms:
        return []
    endings = {f[-4:] for f in forms}
    lengths = sorted({len(f) for f in forms}, reverse=True)
    last = regex.compile("[" + regex.escape("".join(sorted({e[-1] for e in endings}))) + "]")
    found = []
    for m in last.finditer(text, 3):
        b = m.end()
        if text[b - 4 : b] in endings:
            found.extend((b - n, b) for n in lengths if n <= b and text[b - n : b] in forms)
    found.sort(key=lambda ab: (ab[0], -ab[1]))
    out: list[tuple[int, int]] = []
    pos = 0
    for a, b in found:
        if a >= pos:
            out.append((a, b))
            pos = b
    return out


def link_projects(text: str, figures: list[Record], projects: list[Record]) -> list[str | None]:
    """The project each figure belongs to (None when the text ties it to none), in figure order."""
    refs = _mentions(text, projects)
    if not refs:
        return [None] * len(figures)
    where = _Layout(text, refs)
    out: list[str | None] = []
    last_linked: tuple[int, str] | None = None
    for f in figures:
        p = _link_one(text, f, where, last_linked)
        out.append(p)
        if p is not None:
            last_linked = (f.start, p)
    return out


class _Layout:
    """Where things are in one text, found once and looked up by bisection: the mentions (all, and
    those not built as part of another project), sentences, clauses, lines and names' 5-grams.

    Every look-up for a figure reads a bounded stretch around it, so linking is linear in the
    number of figures and mentions however long the document (one line of 3 MB included).
    """

    def __init__(self, text: str, refs: list[_Ref]) -> None:
        self.refs = refs
        self.starts = [r.start for r in refs]
        self.primary = [r for r in refs if not r.secondary]
        self.primary_starts = [r.start for r in self.primary]
        self.text = text
        self.sentences = CappedSentences.of(text)
        self._clause_ends: dict[int, list[int]] = {}  # per sentence start, found when first asked
        self.newlines = [m.start() for m in _NEWLINE.finditer(text)]
        # the first newline of the run of blank lines each newline belongs to
        self.run_first = list(range(len(self.newlines)))
        for k in range(1, len(self.newlines)):
            if self.newlines[k - 1] == self.newlines[k] - 1:
                self.run_first[k] = self.run_first[k - 1]
        self.names = sorted({r.project for r in refs})
        self.grams: dict[str, set[str]] = {}
        for n in self.names:
            c = core(n)
            for i in range(len(c) - _OVERLAP + 1):
                self.grams.setdefault(c[i : i + _OVERLAP], set()).add(n)

    def clause(self, pos: int, s_lo: int, s_hi: int) -> tuple[int, int]:
        """``[start, end)`` of the clause holding ``pos`` within the sentence ``[s_lo, s_hi)``."""
        ends = self._clause_ends.get(s_lo)
        if ends is None:
            ends = self._clause_ends[s_lo] = [m.end() for m in _CLAUSE.finditer(self.text, s_lo, s_hi)]
        i = bisect_right(ends, pos)
        return ends[i - 1] if i else s_lo, ends[i] if i < len(ends) else s_hi

    def paragraph_start(self, pos: int) -> int:
        """Start of the line holding ``pos``."""
        k = bisect_left(self.newlines, pos)
        return self.newlines[k - 1] + 1 if k else 0

    def previous_paragraph(self, para_start: int) -> int:
        """Start of the paragraph before the one starting at ``para_start`` (blank lines skipped)."""
        if para_start <= 0:
            return 0
        first = self.run_first[bisect_left(self.newlines, para_start - 1)]
        if self.newlines[first] <= 0:
            return 0
        return self.newlines[first - 1] + 1 if first else 0

    def within(self, lo: int, hi: int) -> list[_Ref]:
        """Mentions starting in ``[lo, hi)`` and ending by ``hi``."""
        return _in(self.refs, self.starts, lo, hi)

    def nearest_clause_before(self, lo: int, s_lo: int, s_hi: int) -> list[_Ref]:
        """The mentions of the nearest clause before position ``lo`` (in its sentence) that holds any."""
        i = bisect_left(self.starts, lo)
        while i and self.refs[i - 1].start >= s_lo:
            a, b = self.clause(self.refs[i - 1].start, s_lo, s_hi)
            found = self.within(a, b)
            if found:
                return found
            i = bisect_left(self.starts, a)  # the clause holds none that ends in it: go on before it
        return []

    def nearest_clause_after(self, hi: int, s_lo: int, s_hi: int) -> list[_Ref]:
        """The mentions of the nearest clause after position ``hi`` (in its sentence) that holds any."""
        i = bisect_left(self.starts, hi)
        while i < len(self.refs) and self.refs[i].start < s_hi:
            a, b = self.clause(self.refs[i].start, s_lo, s_hi)
            found = self.within(a, b)
            if found:
                return found
            i = bisect_left(self.starts, b)
        return []

    def topic(self, pos: int, para_start: int, last_linked: tuple[int, str] | None) -> str | None:
        """The project under discussion at ``pos``: the last one linked or named (not as a side part)."""
        named = None
        i = bisect_left(self.primary_starts, pos)
        while i and self.primary[i - 1].start >= para_start:
            if self.primary[i - 1].end <= pos:  # a mention running over pos is not before it
                named = self.primary[i - 1]
                break
            i -= 1
        if last_linked and last_linked[0] >= para_start and (named is None or last_linked[0] > named.start):
            return last_linked[1]
        if named:
            return named.project
        return None

    def overlap(self, passage: str) -> str | None:
        """The one project whose name shares the longest stretch (>= _OVERLAP chars) with the passage."""
        candidates: set[str] = set()
        if len(self.grams) < len(passage):  # few names: look for each of their 5-grams
            for gram, owners in self.grams.items():
                if gram in passage:
                    candidates |= owners
        else:  # many names: look up each 5-gram of the passage
            for i in range(len(passage) - _OVERLAP + 1):
                candidates |= self.grams.get(passage[i : i + _OVERLAP], set())
        return _overlap(passage, sorted(candidates)) if candidates else None


def _in(refs: list[_Ref], starts: list[int], lo: int, hi: int) -> list[_Ref]:
    i = bisect_right(starts, lo - 1)
    out = []
    while i < len(refs) and refs[i].start < hi:
        if refs[i].end <= hi:
            out.append(refs[i])
        i += 1
    return out


def _link_one(text: str, f: Record, where: _Layout, last_linked: tuple[int, str] | None) -> str | None:
    s_lo, s_hi = where.sentences.span(f.start)
    para_start = where.paragraph_start(f.start)
    c_lo, c_hi = where.clause(f.start, s_lo, s_hi)
    here = where.within(c_lo, c_hi)
    # 1. the figure's own clause
    for r in here:
        if r.start >= f.end and _OF.search(text, f.end, r.start) and text[f.end : r.start].endswith("的"):
            return r.project
    before = [r for r in here if r.end <= f.start]
    if before:
        return before[-1].project
    if _AGGREGATE.search(text, s_lo, f.start):
        return None  # 86个投资亿元以上项目……总投资936亿元: a total over many projects, not one's
    after = [r for r in here if r.start >= f.end]
    # 2. 该项目, or 项目 opening the clause: the project under discussion
    if (
        _STRONG.search(text, c_lo, f.start)
        or _SUBJECT_ANAPHOR.match(text[c_lo : f.start].lstrip())
        or _SUBJECT_ANAPHOR.match(text[s_lo : f.start].lstrip())
    ):
        t = where.topic(f.start, where.previous_paragraph(para_start), last_linked)
        if t:
            return t
    if after:
        return after[0].project
    # 3. a project named earlier in the sentence: the first one of the nearest clause (its subject)
    earlier = where.nearest_clause_before(c_lo, s_lo, s_hi)
    if earlier:
        return ([r for r in earlier if not r.secondary] or earlier)[0].project
    # a figure earlier in this sentence was tied to a project: the sentence goes on about it
    if last_linked and last_linked[0] >= s_lo:
        return last_linked[1]
    # 4. later in the sentence
    later = where.nearest_clause_after(c_hi, s_lo, s_hi)
    if later:
        return later[0].project
    # 5. the project under discussion: in the previous sentences of the paragraph, or further back
    # when a word such as 二期 or 工厂 refers to it
    lo = s_lo
    for _ in range(_MAX_SENTENCES_BACK):
        if lo <= para_start:
            break
        lo = where.sentences.span(max(para_start, lo - 1))[0]
    weak = vocab().anaphor_re.search(text, s_lo, f.start) is not None
    back = where.previous_paragraph(para_start) if weak else max(lo, para_start)
    if back < s_lo:
        t = where.topic(s_lo, back, last_linked)
        if t:
            return t
    # 6. a headline or a sentence that repeats a long stretch of one project's name
    hit = where.overlap(text[max(para_start, lo) : s_hi])
    if hit:
        return hit
    # 7. an article about one project: a figure in the same opening sentence as a reference to it
    if len(where.names) == 1 and weak and f.start < where.refs[0].start:
        return where.names[0]
    return None


class CappedSentences:
    """Sentence spans of one text, looked up by offset; a stretch longer than ``cap`` characters
    without a sentence end (a page flattened without stops) is cut at its last comma or space
    before each ``cap`` characters (or at ``cap`` when the second half holds none), so no window
    read around a figure or a mention is unbounded."""

    def __init__(self, text: str, cap: int = MAX_SENTENCE) -> None:
        self.text = text
        starts = [0]
        for m in SENTENCE_END.finditer(text):
            self._cut(starts, m.end(), cap)
            starts.append(m.end())
        self._cut(starts, len(text), cap)
        self.starts = starts

    _last: "tuple[str, int, CappedSentences] | None" = None  # the spans last made, with their text and cap

    @classmethod
    def of(cls, text: str, cap: int = MAX_SENTENCE) -> "CappedSentences":
        """The spans of ``text``: those made last when they were made for this very text object (the
        projects of a document and the links of its figures read one text, so they are cut once)."""
        last = cls._last
        if last is not None and last[0] is text and last[1] == cap:
            return last[2]
        spans = cls(text, cap)
        cls._last = (text, cap, spans)
        return spans

    def _cut(self, starts: list[int], end: int, cap: int) -> None:
        while end - starts[-1] > cap:
            lo = starts[-1]
            b = _LAST_SOFT_BREAK.search(self.text, lo + cap // 2, lo + cap)
            starts.append(b.end() if b else lo + cap)

    def span(self, pos: int) -> tuple[int, int]:
        """``[start, end)`` of the sentence holding ``pos``."""
        i = bisect_right(self.starts, pos) - 1
        return self.starts[i], self.starts[i + 1] if i + 1 < len(self.starts) else len(self.text)

    def around(self, start: int, end: int | None = None) -> str:
        """The stripped sentence holding ``start``, through ``end`` when a cut falls before it."""
        s, e = self.span(start)
        return self.text[s : max(e, end or e)].strip()


def _overlap(passage: str, names: list[str]) -> str | None:
    """The one project whose name shares the longest stretch (>= _OVERLAP chars) with the passage."""
    best: tuple[int, str] | None = None
    tie = False
    for n in names:
        c = core(n)
        k = _longest_common(passage, c)
        if k < _OVERLAP:
            continue
        if best is None or k > best[0]:
            best, tie = (k, n), False
        elif k == best[0]:
            tie = True
    return None if best is None or tie else best[1]


def _longest_common(a: str, b: str) -> int:
    """Length of the longest common substring of a and b, ignoring generic stretches."""
    best = 0
    for i in range(len(b)):
        for j in range(i + best + 1, len(b) + 1):
            piece = b[i:j]
            if piece in a:
                if not is_generic(piece):
                    best = j - i
            else:
                break
    return best
