"""Topic clustering benchmark: xt.cluster against a plain TF-IDF + k-means baseline, same run.

Run by hand (it reads the shared development data, which tests must never do):

    /work/venv/bin/python benchmarks/topics_bench.py            # everything, about 10 minutes
    /work/venv/bin/python benchmarks/topics_bench.py --quick    # one seed, no method table

Data: ../shared/data/news_dev/labelled.jsonl (1,000 Sina news articles, ten sections; see
SOURCES.md there), or the file given with --data. Reported, each beside the baseline:

* k=10 on full articles: NMI and ARI against the section labels (targets: NMI >= 0.90);
* k="auto": the k chosen and its NMI (targets: 7 <= k <= 14, NMI >= 0.85);
* short texts, the first sentence of each article: NMI (target: >= 1.5 x the baseline's);
* a method table (lsa / nmf / tfidf, refinement on and off, streaming) that justifies the default;
* time to cluster 10,000 articles, the 1,000 repeated with small edits (target: < 2 minutes on 2 cores).

Baseline: the package's cleaned text (xt.clean) cut by its segmenter, words joined by spaces,
scikit-learn's ``TfidfVectorizer()`` with default settings, ``KMeans(k, n_init=10)``: what a data
scientist would write first, on the same cleaned input xt.cluster sees. It swings with the seed
(0.68-0.82 NMI on full articles over seeds and cleaning versions; the issue quotes about 0.82), so
scores are given for random_state 0 (the default) and as mean and minimum over the seeds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    import numpy as np

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "news_dev" / "labelled.jsonl"

_SENTENCE_END = re.compile(r"[。！？!?]")


def first_sentence(text: str, min_chars: int = 8) -> str:
    """Text up to the first sentence end that leaves at least ``min_chars`` characters."""
    for m in _SENTENCE_END.finditer(text):
        if len(text[: m.end()].strip()) >= min_chars:
            return text[: m.end()].strip()
    return text.strip()


def load(path: Path) -> tuple[list[str], list[str], list[str]]:
    """Ids, texts and labels of the labelled file; exits with a clear message when it is absent."""
    if not path.is_file():
        sys.exit(
            f"topics_bench: {path} not found. This benchmark needs the shared development data "
            "(news_dev/labelled.jsonl); pass --data PATH if it lives elsewhere."
        )
    ids, texts, labels = [], [], []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                ids.append(r["id"])
                texts.append(r["text"])
                labels.append(r["label"])
    return ids, texts, labels


def baseline(texts: list[str], k: int, seed: int, words: list[list[str]] | None = None) -> "np.ndarray":
    """Plain TF-IDF + k-means labels (``words`` reuses a segmentation of the cleaned texts)."""
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    words = words if words is not None else cleaned_words(texts)
    X = TfidfVectorizer().fit_transform([" ".join(w) for w in words])
    return KMeans(k, n_init=10, random_state=seed).fit_predict(X)


def cleaned_words(texts: list[str]) -> list[list[str]]:
    """Each text cleaned by xt.clean and cut by the package segmenter."""
    from xiangtan_nlp.cleaning import clean
    from xiangtan_nlp.segmenter import segment

    return [segment(clean(t).text) for t in texts]


def scores(labels: "Sequence[int] | np.ndarray", truth: Sequence[str]) -> tuple[float, float]:
    """NMI and ARI of ``labels`` against the true sections."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return normalized_mutual_info_score(truth, labels), adjusted_rand_score(truth, labels)


def summary(values: list[float]) -> str:
    """First value (seed 0) with the mean and minimum over all seeds."""
    return f"{values[0]:.3f} (mean {sum(values) / len(values):.3f}, min {min(values):.3f})"


def edited_copies(texts: list[str], copies: int, seed: int = 0) -> list[str]:
    """``copies`` versions of each text, each with one sentence dropped and a tag appended."""
    rng = random.Random(seed)
    out = []
    for c in range(copies):
        for t in texts:
            parts = re.split(r"(?<=[。！？])", t)
            if len(parts) > 2:
                del parts[rng.randrange(1, len(parts))]
            out.append("".join(parts) + f"（副本{c}）")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="labelled JSONL (id, label, text)")
    ap.add_argument("--seeds", type=int, default=5, help="random states 0..N-1 for the k=10 runs")
    ap.add_argument("--quick", action="store_true", help="one seed, no method table, no timing")
    ap.add_argument("--no-timing", action="store_true", help="skip the 10,000-article timing")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes for the timing run")
    ap.add_argument("--timing-only", action="store_true", help="only the 10,000-article timing")
    args = ap.parse_args()

    import xiangtan_nlp as xt  # noqa: F401 - the package under test
    from xiangtan_nlp.topics import cluster

    ids, texts, truth = load(args.data)
    seeds = [0] if args.quick else list(range(args.seeds))
    print(f"data: {args.data} ({len(texts)} articles, {len(set(truth))} labels); cores: {os.cpu_count()}; "
          f"load average: {os.getloadavg()[0]:.1f}")  # fmt: skip

    if args.timing_only:
        return timing(texts, truth, args.jobs)

    # -- full articles, k = 10 -------------------------------------------------------------------
    words = cleaned_words(texts)
    base = [scores(baseline(texts, 10, s, words), truth) for s in seeds]
    ours = []
    t0 = time.perf_counter()
    for s in seeds:
        ours.append(scores(cluster(texts, 10, random_state=s, progress=False).labels_, truth))
    t_ours = (time.perf_counter() - t0) / len(seeds)
    b_nmi, o_nmi = [b[0] for b in base], [o[0] for o in ours]
    print("\n== full articles, k=10 ==")
    print(f"baseline TF-IDF + k-means  NMI {summary(b_nmi)}  ARI {summary([b[1] for b in base])}")
    print(f"xt.cluster (lsa)           NMI {summary(o_nmi)}  ARI {summary([o[1] for o in ours])}  "
          f"[{t_ours:.1f} s per fit]")  # fmt: skip
    print(f"ratio NMI ours/baseline: {o_nmi[0] / b_nmi[0]:.2f} (seed 0), "
          f"{sum(o_nmi) / sum(b_nmi):.2f} (means)   target NMI >= 0.90")  # fmt: skip

    # -- k = auto --------------------------------------------------------------------------------
    m = cluster(texts, "auto", random_state=0, progress=False)
    a_nmi, a_ari = scores(m.labels_, truth)
    print("\n== full articles, k='auto' ==")
    print(f"chosen k = {m.k}   NMI {a_nmi:.3f}  ARI {a_ari:.3f}   (baseline at k=10: NMI {b_nmi[0]:.3f}; "
          f"ratio {a_nmi / b_nmi[0]:.2f})   target 7 <= k <= 14, NMI >= 0.85")  # fmt: skip
    print(m.k_scores_.round(3).to_string(index=False))
    print(m.describe(6).to_string(index=False, max_colwidth=40))

    # -- short texts -----------------------------------------------------------------------------
    shorts = [first_sentence(t) for t in texts]
    s_words = cleaned_words(shorts)
    s_base = [scores(baseline(shorts, 10, s, s_words), truth)[0] for s in seeds]
    s_ours = [scores(cluster(shorts, 10, random_state=s, progress=False).labels_, truth)[0] for s in seeds]
    mean_len = sum(map(len, shorts)) / len(shorts)
    print(f"\n== short texts: first sentence, {mean_len:.0f} characters on average, k=10 ==")
    print(f"baseline NMI {summary(s_base)}")
    print(f"xt.cluster NMI {summary(s_ours)}")
    print(f"ratio NMI ours/baseline: {s_ours[0] / s_base[0]:.2f} (seed 0), "
          f"{sum(s_ours) / sum(s_base):.2f} (means)   target >= 1.5")  # fmt: skip

    if args.quick:
        return

    # -- what each choice is worth ---------------------------------------------------------------
    print("\n== variants, k=10, NMI mean over seeds 0-2 (full articles | first sentences) ==")
    variants = [
        ("lsa + refine (default)", {}),
        ("lsa, no refinement", {"refine": False}),
        ("tfidf k-means + refine", {"method": "tfidf"}),
        ("tfidf k-means, no refinement", {"method": "tfidf", "refine": False}),
        ("nmf + refine", {"method": "nmf"}),
        ("nmf, no refinement", {"method": "nmf", "refine": False}),
        ("lsa, words only", {"features": "words"}),
        ("lsa, words + char n-grams", {"features": "words+chars"}),
        ("streaming (hashing, mini-batch)", {"streaming": True, "batch_size": 250}),
        ("streaming, no refinement", {"streaming": True, "batch_size": 250, "refine": False}),
    ]
    for name, kw in variants:
        row = []
        for data in (texts, shorts):
            fits = [cluster(data, 10, random_state=s, progress=False, **kw) for s in range(3)]
            vals = [scores(m.labels_, truth)[0] for m in fits]
            row.append(sum(vals) / len(vals))
        print(f"{name:34s} {row[0]:.3f} | {row[1]:.3f}")

    if not args.no_timing:
        timing(texts, truth, args.jobs)


def timing(texts: list[str], truth: list[str], jobs: int) -> None:
    """Time xt.cluster on 10,000 articles: the 1,000 repeated with small edits."""
    from xiangtan_nlp.topics import cluster

    big = edited_copies(texts, 10)
    print(f"\n== time: {len(big)} articles (the 1,000 x 10, one sentence dropped from each copy), "
          f"n_jobs={jobs} ==")  # fmt: skip
    print("(wall time depends on what else the machine runs: compare the load average above; CPU is "
          "this process + its worker processes)")  # fmt: skip
    runs = [("k=10", {"k": 10}), ("k='auto'", {"k": "auto"}), ("k=10 streaming", {"k": 10, "streaming": True})]
    for name, kw in runs:
        t0 = time.perf_counter()
        cpu0, kids0 = time.process_time(), _children_cpu()
        m = cluster(big, random_state=0, progress=False, n_jobs=jobs, **kw)
        wall = time.perf_counter() - t0
        cpu, kids = time.process_time() - cpu0, _children_cpu() - kids0
        nmi = scores(m.labels_, truth * 10)[0]
        print(f"{name:16s} {wall:6.1f} s wall, CPU {cpu:.1f} s + {kids:.1f} s in workers, "
              f"load average {os.getloadavg()[0]:.1f}; k={m.k}, NMI {nmi:.3f}   target < 120 s")  # fmt: skip


def _children_cpu() -> float:
    """CPU seconds used by finished child processes (the segmentation workers)."""
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


if __name__ == "__main__":
    main()
