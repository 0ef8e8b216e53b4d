"""Which project a money amount belongs to: a scored decision over (amount, candidate project) pairs.

The candidates of an amount are the projects named in its sentence or the one before it, and the
project under discussion (the last one named before it, for 该项目 / 项目一期 that point back). Each
pair is described by where the two stand (order, distance, clause marks and other names between,
same or previous sentence), what stands between them (的, 为, 总投资, 其中, 分别 …), the amount's
label (investment, contract, revenue …) and the sentence (a count of projects makes a total). A
logistic regression scores each pair; the best candidate is linked when its probability reaches
the threshold. The weights are plain data (``data/project_links.json``), trained by
``python -m xiangtan_nlp.extraction.projects.train`` and read on first use.

Only money is linked (GUIDELINE.md 7 of tests/data/projects): a percentage is a share or a rate,
not a figure of a project.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Sequence

from ...model import Record
from ..context import Sentences
from ..project_links import link_projects

MODEL_FILE = "project_links.json"

_CLAUSE = re.compile(r"[，,：:]")
_AGGREGATE = re.compile(
    r"[0-9一二两三四五六七八九十百千几多]+(?:个|项|批|大)[^，。；,;\n]{0,12}?(?:项目|工程)|这批|一批|多个(?:项目|工程)"
)
# a sentence that sums over many works, or speaks of a company's results, not one work's money
_COMPANY_RESULT = re.compile(r"净利润|净利|市值|股价|每股")  # never a work's figure in the annotations
_SUM = re.compile(r"合计|共计|总计|一共|总共")
_TOTAL = re.compile(r"合计|共计|累计|总计|全部|平均|一共|总共|其余|分别")
_RESULTS = re.compile(r"同比|营业收入|营业总收入|净利润|利润总额|年报|半年报|季度|股|市值|实现利润")
_ANAPHOR = re.compile(r"(?:该|本|此|这个|这一|整个|其)(?:项目|工程|基地|工厂|园区|产业园)|^(?:项目|工程)|[，,](?:项目|工程)")
_PHASE = re.compile(r"[一二三四首]期")
# words between an amount and a name (or a name and an amount) that tie or part them
_BETWEEN = {
    "de": re.compile(r"的$"), "wei": re.compile(r"为|是|达|约|近|超"), "inv": re.compile(r"投资"),
    "total": re.compile(r"总投资|投资总额|概算|预算"), "qizhong": re.compile(r"其中"),
    "contract": re.compile(r"合同|中标|标的|签约|签订"), "fenbie": re.compile(r"分别"),
    "list": re.compile(r"[、和及与]"), "yi": re.compile(r"以|用于|建设|建成"),
    "company": re.compile(r"公司|集团|企业"), "year": re.compile(r"[0-9]{4}年|今年|去年|明年"),
}  # fmt: skip
_LABELS = (
    ("inv", re.compile(r"投资|投入|概算|预算|造价")),
    ("contract", re.compile(r"合同|中标|标的|签约|成交|招标|采购")),
    ("finance", re.compile(r"融资|贷款|募集|募资|补助|资金|拨付")),
    ("yield", re.compile(r"产值|收入|销售|利税|税收|税金|效益|营业")),
    ("company", re.compile(r"利润|营收|市值|股价|净利|资产|注册资本")),
    ("region", re.compile(r"GDP|生产总值|固定资产|全国|全省|全市")),
)


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    project: str


def _bucket(n: int, cuts: Sequence[int]) -> str:
    for c in cuts:
        if n <= c:
            return f"<={c}"
    return f">{cuts[-1]}"


def _label_kind(label: str | None) -> str:
    if not label:
        return "none"
    for name, rx in _LABELS:
        if rx.search(label):
            return name
    return "other"


def pair_features(
    text: str, fig: Record, m: _Mention, sentences: Sentences, mentions: list[_Mention], starts: list[int],
    n_candidates: int, is_topic: bool, nearest_before: bool, nearest_after: bool, first_newline: int | None = None,
) -> dict[str, float]:  # fmt: skip
    """The features of one (amount, project mention) pair (``first_newline``: ``text.find("\\n")``, passed
    by callers that score many pairs of one text so it is not searched again for each)."""
    before = m.end <= fig.start
    lo, hi = (m.end, fig.start) if before else (fig.end, m.start)
    lo, hi = min(lo, hi), max(lo, hi)
    between = text[lo:hi]
    s_lo, s_hi = sentences.span(fig.start)
    same = s_lo <= m.start < s_hi
    f: dict[str, float] = {
        "bias": 1.0,
        "order=" + ("before" if before else "after"): 1.0,
        "sent=" + ("same" if same else ("prev" if m.start >= sentences.span(max(0, s_lo - 1))[0] else "far")): 1.0,
        "dist=" + _bucket(hi - lo, (0, 2, 5, 10, 20, 40, 80)): 1.0,
        "clauses=" + _bucket(len(_CLAUSE.findall(between)), (0, 1, 2)): 1.0,
        "label=" + _label_kind(fig.label): 1.0,
        "cands=" + _bucket(n_candidates, (1, 2, 3)): 1.0,
    }
    others = bisect_left(starts, hi) - bisect_right(starts, lo - 1)
    f["others=" + _bucket(max(0, others), (0, 1))] = 1.0
    for name, rx in _BETWEEN.items():
        if rx.search(between):
            f["btw=" + name + ("<" if before else ">")] = 1.0
    if not before and len(between) <= 15 and between.endswith("的"):
        f["of_pattern"] = 1.0  # 总投资20亿元的X
    if before and len(between) <= 8 and not _CLAUSE.search(between):
        f["name_then_amount_close"] = 1.0  # X总投资20亿元
    if nearest_before:
        f["nearest_before"] = 1.0
    if nearest_after:
        f["nearest_after"] = 1.0
    if is_topic:
        f["topic"] = 1.0
        if _ANAPHOR.search(text, s_lo, fig.start):
            f["topic_anaphor"] = 1.0
    sentence = text[s_lo:s_hi]
    if _AGGREGATE.search(sentence):
        f["aggregate"] = 1.0
    if _TOTAL.search(text, s_lo, fig.start):
        f["total_word"] = 1.0
    if _RESULTS.search(sentence):
        f["results"] = 1.0
    if "\n" in between:
        f["paragraph"] = 1.0
    if not same:
        back = text.count("。", m.end, s_lo) + text.count("\n", m.end, s_lo)
        f["back=" + _bucket(back, (0, 1, 3))] = 1.0
    if "分别" in sentence:
        f["fenbie"] = 1.0
    if _PHASE.search(text, max(s_lo, fig.start - 12), fig.start):
        f["phase_before"] = 1.0
    # the first mention of the sentence (mentions are sorted by start, ``starts`` are theirs)
    k = bisect_left(starts, s_lo)
    if k < len(mentions) and mentions[k].start < s_hi and mentions[k].project == m.project:
        f["subject"] = 1.0
    if first_newline is None:
        first_newline = text.find("\n")
    if first_newline >= fig.start:  # no line break before the amount, one after it: the headline
        f["headline"] = 1.0
    for k in list(f):
        if k.startswith(("order=", "sent=")):
            f[k + "|" + ("label=" + _label_kind(fig.label))] = 1.0
    return f


def candidates(
    text: str, figures: Sequence[Record], projects: Sequence[Record]
) -> list[list[tuple[str, dict[str, float]]]]:
    """For each figure, its candidate projects with the pair features (empty for non-money figures)."""
    mentions = sorted(
        (_Mention(p.start, p.end, p.project or p.text) for p in projects if p.kind == "project"),
        key=lambda m: (m.start, m.end),
    )
    starts = [m.start for m in mentions]
    sentences = Sentences(text)
    money = [f for f in figures if f.kind == "money"]
    # the rule linker's choice is one feature among the others
    picks = dict(zip(map(id, money), link_projects(text, money, projects))) if mentions and money else {}
    first_newline = text.find("\n")
    out: list[list[tuple[str, dict[str, float]]]] = []
    for fig in figures:
        if fig.kind != "money" or not mentions:
            out.append([])
            continue
        s_lo, s_hi = sentences.span(fig.start)
        p_lo = sentences.span(s_lo - 1)[0] if s_lo > 0 else s_lo
        i, j = bisect_left(starts, p_lo), bisect_left(starts, s_hi)
        near = [m for m in mentions[i:j] if m.end <= fig.start or m.start >= fig.end]
        # the project under discussion: the last one named before the window
        topic = mentions[i - 1] if i > 0 and mentions[i - 1].end <= fig.start else None
        best: dict[str, tuple[int, _Mention]] = {}
        for m in near:
            d = fig.start - m.end if m.end <= fig.start else m.start - fig.end
            if m.project not in best or d < best[m.project][0]:
                best[m.project] = (d, m)
        cands = [m for _, m in best.values()]
        is_topic = {m.project: False for m in cands}
        if topic is not None and topic.project not in best:
            cands.append(topic)
            is_topic[topic.project] = True
        before = [m for m in cands if m.end <= fig.start and not is_topic[m.project]]
        after = [m for m in cands if m.start >= fig.end]
        nb = max(before, key=lambda m: m.end).project if before else None
        na = min(after, key=lambda m: m.start).project if after else None
        pick = picks.get(id(fig))
        row = []
        for m in sorted(cands, key=lambda m: m.start):
            feats = pair_features(
                text, fig, m, sentences, mentions, starts, len(cands), is_topic[m.project], m.project == nb, m.project == na,
                first_newline,
            )
            feats["rule=" + ("this" if pick == m.project else "none" if pick is None else "other")] = 1.0
            row.append((m.project, feats))
        out.append(row)
    return out


@dataclass(frozen=True)
class LinkModel:
    """Logistic-regression weights over pair features and the probability a link needs."""

    weights: dict[str, float]
    intercept: float
    threshold: float

    def probability(self, feats: dict[str, float]) -> float:
        """The chance that the pair is a link."""
        z = self.intercept + sum(self.weights.get(k, 0.0) * v for k, v in feats.items())
        return 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0

    def to_json(self) -> str:
        """The model as JSON text (sorted keys: the file is reproducible)."""
        return json.dumps(
            {"intercept": self.intercept, "threshold": self.threshold, "weights": self.weights},
            ensure_ascii=False, indent=0, sort_keys=True,
        ) + "\n"  # fmt: skip


@lru_cache(maxsize=1)
def load_model() -> LinkModel:
    """The shipped link model, read on first use."""
    raw = json.loads(resources.files("xiangtan_nlp.data").joinpath(MODEL_FILE).read_text("utf-8"))
    return LinkModel(dict(raw["weights"]), float(raw["intercept"]), float(raw["threshold"]))


def _total(text: str, fig: Record, sentences: Sentences, starts: Sequence[int]) -> bool:
    """The rules' post-filter: a count of projects before the amount in its sentence with no project
    named after it (7个外资项目，合计总投资…), or 合计/共计/总计 just before the amount: a total."""
    s_lo, _ = sentences.span(fig.start)
    if _SUM.search(text, max(s_lo, fig.start - 8), fig.start):
        return True
    last = None
    for last in _AGGREGATE.finditer(text, s_lo, fig.start):
        pass
    return last is not None and bisect_left(starts, last.end()) == bisect_left(starts, fig.start)


def link(
    text: str, figures: Sequence[Record], projects: Sequence[Record], model: LinkModel | None = None
) -> list[str | None]:
    """The project each figure belongs to (None when no candidate is likely enough), in figure order."""
    model = model or load_model()
    sentences = Sentences(text)
    starts = sorted(p.start for p in projects if p.kind == "project")
    out: list[str | None] = []
    for fig, cands in zip(figures, candidates(text, figures, projects)):
        if cands and (_total(text, fig, sentences, starts) or (fig.label and _COMPANY_RESULT.search(fig.label))):
            out.append(None)  # GUIDELINE 7: a total over several projects, a company's results
            continue
        best, p_best = None, -1.0
        for project, feats in cands:
            p = model.probability(feats)
            if p > p_best:
                best, p_best = project, p
        out.append(best if best is not None and p_best >= model.threshold else None)
    return out


__all__ = ["MODEL_FILE", "LinkModel", "candidates", "link", "load_model", "pair_features"]
