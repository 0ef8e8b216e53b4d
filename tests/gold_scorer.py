"""Score extracted figures and project names against the hand-written gold files.

This is a helper module for the test-suite (it defines no tests itself) and a
tiny command-line scorer.  It uses only the standard library.

Gold files live in ``tests/gold/*.json``; their schema and conventions are
described in ``tests/gold/README.md``.  A *figure* is a dict with at least
``kind`` ("money" or "percent"), ``unit``, ``value``, ``low`` and ``high``
(decimal strings, numbers or None); the attributes ``approx``, ``qualifier``,
``label``, ``direction`` and ``project`` are compared on matched pairs.

Matching rules (one document at a time):

* a predicted figure can only match a gold figure of the same ``kind`` and the
  same ``unit``;
* numeric identity: if the gold ``value`` is not None the predicted ``value``
  must be equal to it (compared as ``Decimal``, so "2000000000", 2e9 and
  "2000000000.0" are equal); if the gold ``value`` is None (a range or a vague
  amount) the predicted ``low`` and ``high`` must both equal the gold ones
  (None equals None);
* greedy, one-to-one: gold figures are taken in order and each takes the first
  unmatched predicted figure with the same identity, preferring one whose
  ``text`` is the same as the gold text (this keeps repeated figures such as
  two occurrences of "85亿元" paired sensibly).

Usage from the command line::

    python tests/gold_scorer.py predictions.jsonl [--verbose]

where each line of ``predictions.jsonl`` is a JSON object shaped like a gold
figure plus ``"doc"`` (the path relative to ``corpus/``, e.g.
``"encodings/eb-...txt"``; a bare file name is accepted too).  Lines with
``"kind": "project"`` and a ``"name"`` are scored as project names.
"""
from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable

GOLD_DIR = Path(__file__).resolve().parent / "gold"
CORPUS_DIR = Path(__file__).resolve().parent.parent / "corpus"

KINDS = ("money", "percent")
ATTRIBUTES = ("approx", "low_high", "direction", "qualifier", "label", "project")
# how much longer than the gold name a predicted project name may be
PROJECT_SLACK = 8


# --------------------------------------------------------------------------- files
def load_gold(path: str | Path) -> dict:
    """Read one gold JSON file (UTF-8) and return it as a dict."""
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def gold_files() -> list[Path]:
    """All gold files, sorted by name (``tests/gold/*.json``)."""
    return sorted(GOLD_DIR.glob("*.json"))


def corpus_path(gold: dict | str) -> Path:
    """Path of the corpus document a gold dict (or its ``doc`` string) refers to."""
    doc = gold["doc"] if isinstance(gold, dict) else gold
    return CORPUS_DIR / doc


# --------------------------------------------------------------------------- helpers
def _dec(x: Any) -> Decimal | None:
    """Decimal of a value given as str/int/float/Decimal; None for None or junk."""
    if x is None or isinstance(x, bool):
        return None
    try:
        return Decimal(str(x).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None


def _same_num(a: Any, b: Any) -> bool:
    da, db = _dec(a), _dec(b)
    if a is None or b is None:
        return a is None and b is None
    return da is not None and db is not None and da == db


def _identity_ok(g: dict, p: dict) -> bool:
    if g.get("kind") != p.get("kind") or g.get("unit") != p.get("unit"):
        return False
    if g.get("value") is not None:
        return _same_num(g.get("value"), p.get("value"))
    return _same_num(g.get("low"), p.get("low")) and _same_num(g.get("high"), p.get("high"))


def _norm_name(s: str | None) -> str:
    if not s:
        return ""
    s = unicodedata.normalize("NFKC", s)
    return "".join(s.split())


def _strip_xm(s: str) -> str:
    return s[:-2] if s.endswith("项目") else s


def project_name_matches(predicted: str | None, gold: str | None) -> bool:
    """True when ``predicted`` covers ``gold`` up to a prefix (e.g. a location)
    and/or a 项目 suffix difference, and is not more than ``PROJECT_SLACK``
    characters longer than the gold name.  Comparison is after NFKC
    normalisation (full-width brackets/digits) with whitespace removed."""
    p, g = _norm_name(predicted), _norm_name(gold)
    if not p or not g:
        return False
    if p == g:
        return True
    if len(p) > len(g) + PROJECT_SLACK:
        return False
    return _strip_xm(p).endswith(_strip_xm(g))


def _label_ok(g: Any, p: Any) -> bool:
    if not g and not p:
        return True
    if not g or not p:
        return False
    g, p = _norm_name(g), _norm_name(p)
    return g in p or p in g


def _project_ok(g: Any, p: Any) -> bool:
    if not g and not p:
        return True
    return project_name_matches(p, g)


def _agree(g: dict, p: dict) -> dict[str, bool]:
    return {
        "approx": bool(g.get("approx")) == bool(p.get("approx")),
        "low_high": _same_num(g.get("low"), p.get("low")) and _same_num(g.get("high"), p.get("high")),
        "direction": (g.get("direction") or None) == (p.get("direction") or None),
        "qualifier": (g.get("qualifier") or None) == (p.get("qualifier") or None),
        "label": _label_ok(g.get("label"), p.get("label")),
        "project": _project_ok(g.get("project"), p.get("project")),
    }


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1.  With nothing predicted precision is 1.0 when
    there was also nothing to find and 0.0 otherwise; with nothing to find
    recall is 1.0."""
    precision = tp / (tp + fp) if tp + fp else (1.0 if fn == 0 else 0.0)
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _kind_result(tp: int, fp: int, fn: int, agree: dict[str, int],
                 unmatched_gold: list, unmatched_pred: list, matched: list) -> dict:
    precision, recall, f1 = _prf(tp, fp, fn)
    return {
        "tp": tp, "fp": fp, "fn": fn,
        "precision": precision, "recall": recall, "f1": f1,
        "agree": dict(agree),
        "attributes": {a: (agree[a] / tp if tp else None) for a in ATTRIBUTES},
        "unmatched_gold": unmatched_gold,
        "unmatched_pred": unmatched_pred,
        "matched": matched,
    }


# --------------------------------------------------------------------------- scoring
def score(gold_figures: list[dict], predicted: list[dict],
          kinds: Iterable[str] = KINDS) -> dict:
    """Match ``predicted`` figures to ``gold_figures`` of one document.

    Returns ``{kind: {...} for kind in kinds}`` where each entry holds
    ``tp, fp, fn, precision, recall, f1``, ``agree`` (counts of matched pairs
    agreeing on each attribute), ``attributes`` (those counts as fractions of
    ``tp``; None when nothing matched) for approx, low_high, direction,
    qualifier, label (one label contains the other) and project (same name up
    to :func:`project_name_matches`), plus ``unmatched_gold``,
    ``unmatched_pred`` and ``matched`` (list of ``(gold, predicted)`` pairs).
    The top level also has ``unmatched_gold`` and ``unmatched_pred`` over all
    kinds, for printing in a failing test.
    """
    kinds = tuple(kinds)
    out: dict[str, Any] = {}
    all_ug: list = []
    all_up: list = []
    for kind in kinds:
        golds = [g for g in gold_figures if g.get("kind") == kind]
        preds = [p for p in predicted if p.get("kind") == kind]
        used = [False] * len(preds)
        pairs: list[tuple[dict, dict]] = []
        unmatched_gold: list = []
        for g in golds:
            cand = [i for i, p in enumerate(preds) if not used[i] and _identity_ok(g, p)]
            if not cand:
                unmatched_gold.append(g)
                continue
            same_text = [i for i in cand if preds[i].get("text") == g.get("text")]
            i = (same_text or cand)[0]
            used[i] = True
            pairs.append((g, preds[i]))
        unmatched_pred = [p for i, p in enumerate(preds) if not used[i]]
        agree = {a: 0 for a in ATTRIBUTES}
        for g, p in pairs:
            for a, ok in _agree(g, p).items():
                agree[a] += ok
        out[kind] = _kind_result(len(pairs), len(unmatched_pred), len(unmatched_gold),
                                 agree, unmatched_gold, unmatched_pred, pairs)
        all_ug += unmatched_gold
        all_up += unmatched_pred
    out["unmatched_gold"] = all_ug
    out["unmatched_pred"] = all_up
    return out


def score_projects(gold_projects: list[str], predicted_names: list[str]) -> dict:
    """Project-name precision/recall/F1 for one document.

    ``gold_projects`` may be names or the gold ``projects`` dicts (their
    ``name`` is used).  Names are de-duplicated after normalisation; matching
    is one-to-one and greedy (exact matches first) using
    :func:`project_name_matches`."""
    def names(xs: Iterable) -> list[str]:
        seen, res = set(), []
        for x in xs:
            n = x.get("name") if isinstance(x, dict) else x
            key = _norm_name(n)
            if key and key not in seen:
                seen.add(key)
                res.append(n)
        return res

    golds, preds = names(gold_projects), names(predicted_names)
    g_used = [False] * len(golds)
    p_used = [False] * len(preds)
    matched = []
    for exact in (True, False):
        for pi, p in enumerate(preds):
            if p_used[pi]:
                continue
            for gi, g in enumerate(golds):
                if g_used[gi]:
                    continue
                ok = _norm_name(p) == _norm_name(g) if exact else project_name_matches(p, g)
                if ok:
                    g_used[gi] = p_used[pi] = True
                    matched.append((g, p))
                    break
    tp = len(matched)
    fp = p_used.count(False)
    fn = g_used.count(False)
    precision, recall, f1 = _prf(tp, fp, fn)
    return {
        "tp": tp, "fp": fp, "fn": fn,
        "precision": precision, "recall": recall, "f1": f1,
        "matched": matched,
        "unmatched_gold": [g for g, u in zip(golds, g_used) if not u],
        "unmatched_pred": [p for p, u in zip(preds, p_used) if not u],
    }


def aggregate(results: Iterable[dict]) -> dict:
    """Micro-average a list of per-document results.

    Accepts results of :func:`score` (returns per-kind totals with P/R/F1 and
    attribute fractions) or of :func:`score_projects` (returns one total)."""
    results = list(results)
    if not results:
        return {}
    if "tp" in results[0]:  # score_projects results
        tp = sum(r["tp"] for r in results)
        fp = sum(r["fp"] for r in results)
        fn = sum(r["fn"] for r in results)
        precision, recall, f1 = _prf(tp, fp, fn)
        return {"tp": tp, "fp": fp, "fn": fn, "precision": precision,
                "recall": recall, "f1": f1, "docs": len(results)}
    out: dict[str, Any] = {}
    kinds = [k for k in results[0] if isinstance(results[0][k], dict) and "tp" in results[0][k]]
    for kind in kinds:
        rs = [r[kind] for r in results if kind in r]
        tp = sum(r["tp"] for r in rs)
        fp = sum(r["fp"] for r in rs)
        fn = sum(r["fn"] for r in rs)
        agree = {a: sum(r["agree"][a] for r in rs) for a in ATTRIBUTES}
        res = _kind_result(tp, fp, fn, agree, [], [], [])
        for k in ("unmatched_gold", "unmatched_pred", "matched"):
            del res[k]
        res["docs"] = len(rs)
        out[kind] = res
    return out


# --------------------------------------------------------------------------- CLI
def _doc_key(doc: str) -> str:
    return Path(str(doc).replace("\\", "/")).name


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Score predicted figures (JSON lines) against tests/gold.")
    ap.add_argument("predictions", help="JSON lines file; each line a figure dict with a 'doc' field")
    ap.add_argument("--verbose", "-v", action="store_true", help="list unmatched items per document")
    args = ap.parse_args(argv)

    figs: dict[str, list[dict]] = {}
    projs: dict[str, list[str]] = {}
    with open(args.predictions, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            key = _doc_key(rec.get("doc", ""))
            if rec.get("kind") == "project":
                projs.setdefault(key, []).append(rec.get("name"))
            else:
                figs.setdefault(key, []).append(rec)

    fig_results, proj_results = [], []
    for gp in gold_files():
        gold = load_gold(gp)
        key = _doc_key(gold["doc"])
        r = score(gold["figures"], figs.get(key, []))
        fig_results.append(r)
        pr = score_projects(gold.get("projects", []), projs.get(key, []))
        proj_results.append(pr)
        if args.verbose and (r["unmatched_gold"] or r["unmatched_pred"] or pr["fn"] or pr["fp"]):
            print(f"== {gold['doc']}")
            for g in r["unmatched_gold"]:
                print(f"   missed   {g['kind']:7} {g.get('text')!s:20} value={g.get('value')} unit={g.get('unit')}")
            for p in r["unmatched_pred"]:
                print(f"   spurious {p.get('kind')!s:7} {p.get('text')!s:20} value={p.get('value')} unit={p.get('unit')}")
            for g in pr["unmatched_gold"]:
                print(f"   missed   project {g}")
            for p in pr["unmatched_pred"]:
                print(f"   spurious project {p}")

    agg = aggregate(fig_results)
    print(f"{'kind':8} {'tp':>5} {'fp':>5} {'fn':>5} {'P':>6} {'R':>6} {'F1':>6}")
    for kind, r in agg.items():
        print(f"{kind:8} {r['tp']:5d} {r['fp']:5d} {r['fn']:5d} {r['precision']:6.3f} {r['recall']:6.3f} {r['f1']:6.3f}")
    if projs:
        pa = aggregate(proj_results)
        print(f"{'project':8} {pa['tp']:5d} {pa['fp']:5d} {pa['fn']:5d} {pa['precision']:6.3f} {pa['recall']:6.3f} {pa['f1']:6.3f}")
    for kind, r in agg.items():
        attrs = ", ".join(f"{a}={v:.2f}" for a, v in r["attributes"].items() if v is not None)
        if attrs:
            print(f"{kind} attribute agreement on matched pairs: {attrs}")
    unknown = set(figs) | set(projs)
    unknown -= {_doc_key(load_gold(g)["doc"]) for g in gold_files()}
    if unknown:
        print(f"(ignored predictions for {len(unknown)} document(s) without gold)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
