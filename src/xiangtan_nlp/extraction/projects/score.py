"""Scoring project names and amount links against the annotated articles of tests/data/projects.

The rules (benchmarks/projects_bench.py and the tests use these functions, nothing else):

* **Names, per document.** The gold side is the document's annotated projects, each with its
  canonical name and the surface forms the annotator listed (GUIDELINE.md 5.1). The predicted side
  is the set of distinct ``project`` values of the document's project records (one per merged
  project). Names are compared after :func:`name_key`: NFKC (full-width letters, digits and
  brackets to half-width), no whitespace, no quotation marks, one kind of dash. A predicted name
  matches a gold project when its key equals the key of the canonical name or of one of the
  listed forms; a coordinated conjunct therefore matches by its distributed canonical name
  (潭州大道快速化改造项目) or by its written form (潭州大道). Matching is one to one: canonical-name
  matches are taken first, then form matches, each in text order, so a project that the
  recognizer did not merge (two rows for one project) costs a false positive.
  ``strict`` counts only canonical-name matches.
* **Links.** Only money is linked (GUIDELINE.md 7). Each gold link is one occurrence of an amount
  with its project. A predicted money record takes the gold link whose span it overlaps (spans of
  the cleaned text are mapped back with :func:`offset_map`). A gold link is right when that record
  names a project that matches the gold project as above. ``link accuracy`` = right / gold links;
  ``link precision`` = right / predicted links (money records with a project).
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from bisect import bisect_left
from typing import Callable, Iterable, Sequence

import regex

from ...model import Record, Step

_QUOTES = regex.compile(r"[\"'“”‘’「」『』〝〞＂＇]")
_DASHES = regex.compile(r"[—–―－‐‑‒−]+")


def name_key(name: str) -> str:
    """A project name reduced for comparison: NFKC, no spaces, no quotes, one dash."""
    s = unicodedata.normalize("NFKC", name)
    s = "".join(s.split())
    s = _QUOTES.sub("", s)
    return _DASHES.sub("-", s)


def read_split(path: str | Path) -> list[dict]:
    """The resolved records of one split (``<split>.jsonl``, one article per line)."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def offset_map(n: int, steps: Sequence[Step]) -> list[int]:
    """For each position 0..n of the original text, its position after ``steps`` are replayed.

    A position inside a replaced stretch goes to the same offset in the replacement when the
    lengths agree (a width fold), else to the replacement's start (or end, for the stretch's end).
    """
    pos = list(range(n + 1))
    for s in steps:
        if s.before == s.after:
            continue  # a flag, or a no-op
        delta = len(s.after) - len(s.before)
        for i, p in enumerate(pos):
            if p > s.start and p >= s.end:
                pos[i] = p + delta
            elif s.start < p < s.end and delta:
                pos[i] = s.start
    return pos


@dataclass
class DocScore:
    """What one document scored: name counts, link counts and the differences, for reports."""

    doc_id: str
    source: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    strict_tp: int = 0
    links: int = 0  # gold links
    links_right: int = 0
    predicted_links: int = 0
    missed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    wrong_links: list[tuple[str, str, str | None]] = field(default_factory=list)  # amount, gold, predicted
    spurious_links: list[tuple[str, str]] = field(default_factory=list)  # amount, predicted


def _keys(project: dict) -> set[str]:
    return {name_key(project["name"]), *(name_key(m) for m in project.get("mentions", []))}


def denotes(predicted: str | None, project: dict) -> bool:
    """Whether a predicted project name names the gold ``project`` (its canonical name or a form)."""
    return predicted is not None and name_key(predicted) in _keys(project)


def match_names(projects: list[dict], predicted: Iterable[str]) -> tuple[list[tuple[int, str, bool]], list[int], list[str]]:
    """One-to-one matches ``(gold index, predicted name, exact canonical)``, unmatched gold, unmatched predicted."""
    preds = list(dict.fromkeys(p for p in predicted if p and name_key(p)))
    gold_used = [False] * len(projects)
    pred_used = [False] * len(preds)
    matches: list[tuple[int, str, bool]] = []
    canon = [name_key(p["name"]) for p in projects]
    keys = [_keys(p) for p in projects]
    for exact in (True, False):
        for pi, p in enumerate(preds):
            if pred_used[pi]:
                continue
            k = name_key(p)
            for gi in range(len(projects)):
                if not gold_used[gi] and (k == canon[gi] if exact else k in keys[gi]):
                    gold_used[gi] = pred_used[pi] = True
                    matches.append((gi, p, exact))
                    break
    return (
        matches,
        [i for i, u in enumerate(gold_used) if not u],
        [p for p, u in zip(preds, pred_used) if not u],
    )


def score_document(
    record: dict, predicted_names: Iterable[str], predicted_links: Iterable[tuple[int, int, str | None]]
) -> DocScore:
    """Score one resolved record against predicted names and money spans ``(start, end, project)``.

    Spans are offsets into ``record["doc"]``; ``project`` None is an amount left unlinked.
    """
    projects = record["projects"]
    matches, missed, extra = match_names(projects, predicted_names)
    res = DocScore(record["id"], record["source"], tp=len(matches), fp=len(extra), fn=len(missed))
    res.strict_tp = sum(1 for _, _, exact in matches if exact)
    res.missed = [projects[i]["name"] for i in missed]
    res.extra = extra
    by_name = {p["name"]: p for p in projects}
    gold_links = record["links"]
    res.links = len(gold_links)
    taken: set[int] = set()
    for start, end, project in sorted(predicted_links, key=lambda x: (x[0], x[1])):
        hit = next(
            (i for i, g in enumerate(gold_links) if i not in taken and start < g["end"] and g["start"] < end), None
        )
        if project is not None:
            res.predicted_links += 1
        if hit is None:
            if project is not None:
                res.spurious_links.append((record["doc"][start:end], project))
            continue
        taken.add(hit)
        g = gold_links[hit]
        if denotes(project, by_name[g["project"]]):
            res.links_right += 1
        else:
            res.wrong_links.append((g["text"], g["project"], project))
    for i, g in enumerate(gold_links):
        if i not in taken:
            res.wrong_links.append((g["text"], g["project"], None))
    return res


@dataclass
class Totals:
    """Micro-averaged sums over documents."""

    docs: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    strict_tp: int = 0
    links: int = 0
    links_right: int = 0
    predicted_links: int = 0

    def add(self, s: DocScore) -> None:
        """Add one document's counts."""
        self.docs += 1
        for k in ("tp", "fp", "fn", "strict_tp", "links", "links_right", "predicted_links"):
            setattr(self, k, getattr(self, k) + getattr(s, k))

    def merge(self, other: "Totals") -> None:
        """Add another set of documents' sums (cross-validation folds pooled)."""
        for k in ("docs", "tp", "fp", "fn", "strict_tp", "links", "links_right", "predicted_links"):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    @property
    def precision(self) -> float:
        """Name precision."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Name recall."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Name F1."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def strict_f1(self) -> float:
        """Name F1 counting only exact canonical-name matches as right."""
        gold, pred = self.tp + self.fn, self.tp + self.fp
        return 2 * self.strict_tp / (gold + pred) if gold + pred else 1.0

    @property
    def link_accuracy(self) -> float:
        """Gold links whose amount went to the right project."""
        return self.links_right / self.links if self.links else 1.0

    @property
    def link_precision(self) -> float:
        """Predicted links that are gold links to the right project."""
        return self.links_right / self.predicted_links if self.predicted_links else 1.0


def raw_span(positions: Sequence[int], start: int, end: int) -> tuple[int, int]:
    """The original-text span of a cleaned-text span, given :func:`offset_map`'s positions."""
    return bisect_left(positions, start), max(bisect_left(positions, start) + 1, bisect_left(positions, end))


#: What a predictor gives for one article: the cleaning steps it applied and its records.
Analysis = tuple[Sequence[Step], Sequence[Record]]


def evaluate(records: Iterable[dict], analyse: Callable[[str], Analysis]) -> list[DocScore]:
    """Score ``analyse`` (article text -> cleaning steps, records of the cleaned text) on resolved records."""
    out = []
    for rec in records:
        steps, recs = analyse(rec["doc"])
        positions = offset_map(len(rec["doc"]), steps)
        names = [r.project for r in recs if r.kind == "project" and r.project]
        links = [(*raw_span(positions, r.start, r.end), r.project) for r in recs if r.kind == "money"]
        out.append(score_document(rec, names, links))
    return out


def totals(scores: Iterable[DocScore]) -> Totals:
    """Sum document scores."""
    t = Totals()
    for s in scores:
        t.add(s)
    return t


__all__ = [
    "Analysis", "DocScore", "Totals", "denotes", "evaluate", "match_names", "name_key", "offset_map", "raw_span",
    "read_split", "score_document", "totals",
]  # fmt: skip
