"""Word clusters for the project-name tagger, learned from unlabelled news (issue 14).

    python benchmarks/project_clusters.py            # writes src/xiangtan_nlp/data/project_clusters.tsv

Names the tagger has never seen are made of words that behave like words it has seen (甬温 like
京沪 before 线). Each word of the news is described by the words on its left and right; words with
like neighbours fall into one cluster (positive PMI of the neighbour counts, a 100-dimension SVD,
k-means at two sizes). The tagger reads a word's two cluster numbers as features.

Source: ../shared/data/lm_corpus (CCTV 新闻联播 items and e-procurement news pages, see
tests/data/projects/README.md), **only the items of the train period** of the project split:
xwlb ids dated 2012-2018 and eb pages created before 2011-06-01 (decoded from the id), and none of
the corpus/ documents. No dev or sealed-test article, nor any article of their periods, is read.
Deterministic: files and lines in order, fixed seeds, sorted output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("XT_SHARED_DATA", ROOT.parent / "shared" / "data"))
OUT = ROOT / "src" / "xiangtan_nlp" / "data" / "project_clusters.tsv"
MIN_COUNT = 5
MAX_WORDS = 60000
CONTEXTS = 3000
SIZES = (64, 512)


def in_train_period(rid: str) -> bool:
    """xwlb 2012-2018, eb before June 2011 (the train side of tests/data/projects' split rule)."""
    parts = rid.split("-")
    if parts[0] == "xwlb":
        return 2012 <= int(parts[1][:4]) <= 2018
    if parts[0] == "eb":
        ms = int(parts[-1][16:28], 16)  # Hibernate uuid.hex: 8 hex IP, 8 hex JVM start, 12 hex ms
        return dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).date() < dt.date(2011, 6, 1)
    return False


def texts(shared: Path) -> list[str]:
    """The train-period texts of lm_corpus, corpus/ documents left out."""
    corpus_ids = {p.stem for p in (ROOT / "corpus").rglob("*.txt")}
    out = []
    for f in sorted((shared / "lm_corpus").glob("*.jsonl")):
        with f.open(encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                if rec["id"] not in corpus_ids and in_train_period(rec["id"]):
                    out.append(rec["text"])
    return out


def main(argv: list[str] | None = None) -> int:
    """Build the clusters and write them."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from scipy import sparse

    from xiangtan_nlp.segmenter import default_segmenter

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    docs = texts(args.shared)
    if not docs:
        sys.exit(f"no train-period texts under {args.shared}/lm_corpus")
    seg = default_segmenter()
    sents = [seg.cut(line) for d in docs for line in d.split("\n") if line.strip()]
    counts = Counter(w for s in sents for w in s)
    vocab = [w for w, c in sorted(counts.items(), key=lambda x: (-x[1], x[0])) if c >= MIN_COUNT][:MAX_WORDS]
    index = {w: i for i, w in enumerate(vocab)}
    ctx = {w: i for i, w in enumerate(vocab[:CONTEXTS])}
    rows, cols = [], []
    for s in sents:
        ids = [index.get(w, -1) for w in s]
        cids = [ctx.get(w, -1) for w in s]
        for k, i in enumerate(ids):
            if i < 0:
                continue
            if k > 0 and cids[k - 1] >= 0:
                rows.append(i)
                cols.append(cids[k - 1])  # left neighbour
            if k + 1 < len(s) and cids[k + 1] >= 0:
                rows.append(i)
                cols.append(CONTEXTS + cids[k + 1])  # right neighbour
    m = sparse.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(vocab), 2 * CONTEXTS)).tocsr()
    m.sum_duplicates()
    total = m.sum()
    pw = np.asarray(m.sum(axis=1)).ravel() / total
    pc = np.asarray(m.sum(axis=0)).ravel() / total
    m = m.tocoo()
    pmi = np.log(m.data / total / (pw[m.row] * pc[m.col]))
    keep = pmi > 0
    ppmi = sparse.csr_matrix((pmi[keep], (m.row[keep], m.col[keep])), shape=m.shape)
    vec = TruncatedSVD(100, algorithm="arpack", random_state=0).fit_transform(ppmi)
    vec /= np.linalg.norm(vec, axis=1, keepdims=True) + 1e-12
    labels = [KMeans(k, n_init=3, random_state=0).fit_predict(vec) for k in SIZES]
    lines = [f"{w}\t" + "\t".join(str(int(lab[i])) for lab in labels) for i, w in sorted(enumerate(vocab), key=lambda x: x[1])]
    args.out.write_text(
        "# word clusters for the project tagger: word, cluster of 64, cluster of 512 (benchmarks/project_clusters.py)\n"
        + "\n".join(lines) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    print(f"{len(docs)} texts, {len(sents)} lines, {len(vocab)} words -> {args.out} ({args.out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
