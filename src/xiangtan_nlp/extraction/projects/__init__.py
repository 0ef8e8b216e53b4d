"""Project records, the figures that belong to them, and one table of projects per corpus.

>>> import xiangtan_nlp as xt
>>> xt.projects(["位于湘乡经开区的湖南中部(湘乡)电力产业园总投资20亿元。"])   # doctest: +SKIP

:func:`find_projects` returns one record per mention (``text`` is the exact slice, ``project`` the
name the mention stands for, merged across aliases); :func:`link_figures` fills ``project`` on money
records; :func:`project_rows` turns one document's records into rows of the projects table
(``xt.projects`` in :mod:`xiangtan_nlp.pipeline` runs the whole job).

The package (issue 14): :mod:`.tagger` the learned name recognizer (a character CRF over candidate
windows), :mod:`.mentions` its spans checked by the rules and coordinations completed, :mod:`.linker`
the learned amount-to-project linker, :mod:`.score` the scorer of tests/data/projects, :mod:`.train`
retrains the two shipped models (``python -m xiangtan_nlp.extraction.projects.train``). The rule
modules beside it (``project_names``, ``project_groups``, ``project_links``, ``project_vocab``) give
features, post-filters, alias grouping and canonical names.
"""

from __future__ import annotations

import dataclasses
from typing import Iterable

import regex

from ...model import Record
from ..project_groups import Group, group_mentions
from ..project_links import CappedSentences
from ..project_names import Mention
from .linker import link
from .mentions import recognize
from ..project_vocab import type_of, vocab

#: Columns of the table :func:`projects` returns. Public: add, never rename.
PROJECT_COLUMNS: tuple[str, ...] = (
    "doc_id", "project", "location", "type", "stage", "investment", "investment_text", "amounts",
    "n_figures", "aliases", "mentions", "start", "sentence",
)  # fmt: skip

# money labels that say how much is invested in the project itself
INVESTMENT_LABELS = ("总投资", "投资总额", "拟投资", "计划投资", "投资额", "项目投资", "投资", "投入", "募集资金")
_LOC_BEFORE = regex.compile(r"(?:位于|落户于?|地处|坐落于?|落地)(?P<loc>[^，。；、,\s的]{2,14})的\Z")
_LOC_AFTER = regex.compile(
    r"(?:项目)?(?:将|已|正式)?(?:位于|落户于?|地处|坐落于?|选址于?|在)(?P<loc>[^，。；、,\s]{2,18}?)"
    r"(?=[，。；,]|内|动工|开工|奠基|举行|建设|正式|隆重|核心|以)"
)
_CLAUSE_END = regex.compile(r"[，,。；;！？!?\n]")
_LOC_EVENT = regex.compile(
    r"(?:在|于)(?P<loc>[^，。；、,\s在于]{2,16}?(?:省|市|县|区|镇|乡|旗|州|新区|园区|开发区|经开区|高新区|工业园|产业园))"
    r"(?=举行|投资|建设|开工|动工|奠基|设立|兴建|新建|落户|签约|开建)"
)
# an announced start: 将开工建设, 计划7月份开工 → 计划开工
_PLANNED = regex.compile(r"(?:将|计划|拟|预计|要|力争|即将|准备)[^，。；]{0,10}\Z")
_STARTS = frozenset({"开工", "开工建设", "动工", "开建"})
# work going on: 正在加紧施工, 加快建设, 稳步推进 → 在建
_ONGOING = regex.compile(r"(?:正在|正|加紧|加快|稳步)(?:施工|建设|推进)|建设中|施工中")


def _stage(text: str, m: Mention) -> str | None:
    """The stage word in the mention's clause, normalised as the gold convention has it.

    After the name the last stage word counts (奠基…正式开工建设 → 开工建设); else the last one
    just before it (落户湘潭高新区的X). 计划开工 for an announced start, 在建 for work under way.
    """
    v = vocab()
    hi = min(len(text), m.end + 60)
    e = _CLAUSE_END.search(text, m.end, hi)
    after_end = e.start() if e else hi
    b = None
    lo = max(0, m.start - 14)
    for b in _CLAUSE_END.finditer(text, lo, m.start):
        pass
    before_start = b.end() if b else lo
    # 建成后, 投产后: a condition, not the stage
    hits = [(h.start(), h.group()) for h in v.stage_re.finditer(text, m.end, after_end) if text[h.end() : h.end() + 1] != "后"]
    ongoing = _ONGOING.search(text, m.end, after_end) or _ONGOING.search(text, before_start, m.start)
    if not hits:
        hits = [(h.start(), h.group()) for h in v.stage_re.finditer(text, before_start, m.start) if h.group() != "完成"]
        hits = hits[-1:]
    if not hits:
        return "在建" if ongoing else None
    pos, word = hits[-1]
    starts = [h for h in hits if h[1] in _STARTS]
    if word == "奠基" and starts:
        pos, word = starts[-1]  # 开工奠基仪式: the start is the event
    if word in ("加快建设", "加紧建设", "正在建设"):
        return "在建"
    if word in _STARTS and _PLANNED.search(text, max(before_start, pos - 12), pos):
        return "计划开工"
    if word in ("施工", "建设") and ongoing:
        return "在建"
    return word


def _location(text: str, m: Mention) -> str | None:
    """A place the text puts the project in: 位于X的NAME, NAME位于X / NAME在X动工, or a prefix."""
    if m.location:
        return m.location
    mb = _LOC_BEFORE.search(text, max(0, m.start - 20), m.start)
    if mb:
        return mb.group("loc")
    ma = _LOC_AFTER.match(text, m.end, min(len(text), m.end + 40))
    if ma:
        return ma.group("loc")
    # 格力电器在重庆两江新区举行开工仪式，…开建…西南产业基地: where the sentence says it happens
    lo = max(0, m.start - 60)
    s = max((text.rfind(c, lo, m.start) for c in "。！？\n"), default=-1)
    hits = list(_LOC_EVENT.finditer(text, max(lo, s + 1), m.start))
    if hits:
        return hits[-1].group("loc")
    return None


def _analyse(text: str) -> list[Group]:
    mentions = recognize(text)
    for m in mentions:
        m.stage = _stage(text, m)
        m.location = _location(text, m)
    first_line = text.find("\n")
    # the first line of an article with several lines is its headline: names there are shortened
    body_start = first_line + 1 if 0 <= first_line < 80 and text.count("\n") >= 2 else 0
    return group_mentions(mentions, body_start)


def find_projects(text: str, doc_id: str | None = None) -> list[Record]:
    """Project records in ``text`` (already cleaned): one per mention, ``project`` = the merged name."""
    if not isinstance(text, str):
        raise TypeError(f"find_projects() needs str, got {type(text).__name__}")
    groups = _analyse(text)
    if not groups:
        return []
    sentences = CappedSentences.of(text)  # the links of the figures read the same spans
    out: list[Record] = []
    for g in groups:
        kind = type_of(g.name)
        for m in g.mentions:
            out.append(
                Record(
                    kind="project",
                    text=text[m.start : m.end],
                    start=m.start,
                    end=m.end,
                    project=g.name,
                    sentence=sentences.around(m.start, m.end),
                    doc_id=doc_id,
                    location=g.location,
                    type=kind,
                    stage=g.stage,
                )
            )
    out.sort(key=lambda r: (r.start, r.end))
    return out


def link_figures(text: str, figures: list[Record], projects: list[Record]) -> list[Record]:
    """The figures with ``project`` filled where the text ties them to one of ``projects``."""
    targets = [f for f in figures if f.kind == "money"]  # a percentage is a share or a rate, not a project's figure
    names = link(text, targets, projects) if targets and projects else []
    linked = {id(f): n for f, n in zip(targets, names)}
    return [dataclasses.replace(f, project=linked[id(f)]) if linked.get(id(f)) else f for f in figures]


def _investment(figs: list[Record]) -> Record | None:
    """The amount invested in the project: the first money figure with an investment label."""
    for lab in INVESTMENT_LABELS:
        for f in figs:
            if f.kind == "money" and f.label and f.label.endswith(lab):
                return f
    return None


def project_rows(doc_id: str | None, records: Iterable[Record]) -> list[tuple]:
    """Rows of the projects table (PROJECT_COLUMNS) for one document's records."""
    by_name: dict[str, list[Record]] = {}
    figures: dict[str, list[Record]] = {}  # one pass: each project's figures, in record order
    for r in records:
        if r.kind == "project" and r.project:
            by_name.setdefault(r.project, []).append(r)
        elif r.kind != "project" and r.project:
            figures.setdefault(r.project, []).append(r)
    rows = []
    for name, ms in by_name.items():
        figs = figures.get(name, [])
        inv = _investment(figs)
        amounts = "; ".join(f"{f.label or ''} {f.text}".strip() for f in figs if f.kind == "money")
        aliases = list(dict.fromkeys(m.text for m in ms if m.text != name))
        first = ms[0]
        rows.append((
            doc_id if doc_id is not None else first.doc_id, name, first.location, first.type, first.stage,
            inv.value if inv else None, inv.text if inv else None, amounts, len(figs), "; ".join(aliases),
            len(ms), first.start, first.sentence,
        ))  # fmt: skip
    rows.sort(key=lambda row: row[11])
    return rows


__all__ = ["INVESTMENT_LABELS", "PROJECT_COLUMNS", "find_projects", "link_figures", "project_rows"]
