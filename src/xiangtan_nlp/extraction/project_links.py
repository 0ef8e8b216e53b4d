"""Which project a money or percent figure belongs to, from where the text puts them.

In order: a project named in the figure's own clause (总投资20亿元的X, X，总投资超过30亿元); a word that
refers back (该项目, 项目, 二期 …) → the project under discussion; a project named earlier in the
sentence (its subject first); one named later in it; the project under discussion in the previous
sentences of the paragraph; a project whose name shares a long stretch with the sentence (a headline
such as 东风日产5年投资36亿元扩大发动机产能). Otherwise no project.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

import regex

from ..model import Record
from .context import Sentences
from .project_groups import core
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
        # one scan for all forms, longest first; a stretch already named is not counted again
        pattern = regex.compile("|".join(regex.escape(f) for f in sorted(owned, key=len, reverse=True)))
        taken = sorted((r.start, r.end) for r in refs)
        starts = [a for a, _ in taken]
        for m in pattern.finditer(text):
            i = bisect_right(starts, m.end() - 1)
            if i and taken[i - 1][1] > m.start():
                continue  # overlaps the named mention starting before its end
            refs.append(_Ref(m.start(), m.end(), owned[m.group()]))
    secondary = regex.compile(r"配套(?:建设)?\Z")
    out = [_Ref(r.start, r.end, r.project, bool(secondary.search(text, max(0, r.start - 4), r.start))) for r in refs]
    return sorted(out, key=lambda r: r.start)


def link_projects(text: str, figures: list[Record], projects: list[Record]) -> list[str | None]:
    """The project each figure belongs to (None when the text ties it to none), in figure order."""
    refs = _mentions(text, projects)
    if not refs:
        return [None] * len(figures)
    starts = [r.start for r in refs]
    sentences = Sentences(text)
    names = sorted({r.project for r in refs})
    out: list[str | None] = []
    last_linked: tuple[int, str] | None = None
    for f in figures:
        p = _link_one(text, f, refs, starts, sentences, names, last_linked)
        out.append(p)
        if p is not None:
            last_linked = (f.start, p)
    return out


def _in(refs: list[_Ref], starts: list[int], lo: int, hi: int) -> list[_Ref]:
    i = bisect_right(starts, lo - 1)
    out = []
    while i < len(refs) and refs[i].start < hi:
        if refs[i].end <= hi:
            out.append(refs[i])
        i += 1
    return out


def _topic(refs: list[_Ref], starts: list[int], pos: int, para_start: int, last_linked: tuple[int, str] | None) -> str | None:
    """The project under discussion at ``pos``: the last one linked or named (not as a side part)."""
    before = [r for r in _in(refs, starts, para_start, pos) if not r.secondary]
    named = before[-1] if before else None
    if last_linked and last_linked[0] >= para_start and (named is None or last_linked[0] > named.start):
        return last_linked[1]
    if named:
        return named.project
    return None


def _link_one(
    text: str, f: Record, refs: list[_Ref], starts: list[int], sentences: Sentences, names: list[str],
    last_linked: tuple[int, str] | None,
) -> str | None:  # fmt: skip
    s_lo, s_hi = sentences.span(f.start)
    para_start = text.rfind("\n", 0, f.start) + 1
    clauses = _clause_spans(text, s_lo, s_hi)
    ci = next((i for i, (a, b) in enumerate(clauses) if a <= f.start < b), len(clauses) - 1)
    c_lo, c_hi = clauses[ci]
    here = _in(refs, starts, c_lo, c_hi)
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
    v = vocab()
    # 2. 该项目, or 项目 opening the clause: the project under discussion
    if (
        _STRONG.search(text, c_lo, f.start)
        or _SUBJECT_ANAPHOR.match(text[c_lo : f.start].lstrip())
        or _SUBJECT_ANAPHOR.match(text[s_lo : f.start].lstrip())
    ):
        t = _topic(refs, starts, f.start, _previous_paragraph(text, para_start), last_linked)
        if t:
            return t
    if after:
        return after[0].project
    # 3. a project named earlier in the sentence: the first one of the nearest clause (its subject)
    for a, b in reversed(clauses[:ci]):
        named = [r for r in _in(refs, starts, a, b) if not r.secondary] or _in(refs, starts, a, b)
        if named:
            return named[0].project
    # a figure earlier in this sentence was tied to a project: the sentence goes on about it
    if last_linked and last_linked[0] >= s_lo:
        return last_linked[1]
    # 4. later in the sentence
    for a, b in clauses[ci + 1 :]:
        named = _in(refs, starts, a, b)
        if named:
            return named[0].project
    # 5. the project under discussion: in the previous sentences of the paragraph, or further back
    # when a word such as 二期 or 工厂 refers to it
    lo = s_lo
    for _ in range(_MAX_SENTENCES_BACK):
        if lo <= para_start:
            break
        lo = sentences.span(max(para_start, lo - 1))[0]
    weak = vocab().anaphor_re.search(text, s_lo, f.start) is not None
    back = _previous_paragraph(text, para_start) if weak else max(lo, para_start)
    if back < s_lo:
        t = _topic(refs, starts, s_lo, back, last_linked)
        if t:
            return t
    # 6. a headline or a sentence that repeats a long stretch of one project's name
    hit = _overlap(text[max(para_start, lo) : s_hi], names)
    if hit:
        return hit
    # 7. an article about one project: a figure in the same opening sentence as a reference to it
    if len(names) == 1 and weak and f.start < refs[0].start:
        return names[0]
    return None


def _previous_paragraph(text: str, para_start: int) -> int:
    """Start of the paragraph before the one starting at ``para_start`` (blank lines skipped)."""
    i = para_start - 1
    while i > 0 and text[i - 1] == "\n":
        i -= 1
    return text.rfind("\n", 0, max(0, i)) + 1 if i > 0 else 0


def _clause_spans(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    spans = []
    start = lo
    for m in _CLAUSE.finditer(text, lo, hi):
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, hi))
    return spans


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
