"""Train and prune the character language model used by censor repair (run by hand, not at import).

    python -m xiangtan_nlp.cleaning.train_lm --corpus ../shared/data/lm_corpus \\
        --out src/xiangtan_nlp/data/charlm.npz --min-counts 1,1,1,1,1,1 --target-ngrams 2950000
    python -m xiangtan_nlp.cleaning.train_lm --corpus ../shared/data/lm_corpus \\
        --out src/xiangtan_nlp/data/charlm_rev.npz --reverse --min-counts 1,1,1,1,1,1 --target-ngrams 2350000

Reads the ``*.jsonl`` records of the corpus folder (``{"id", "source", "text"}``), keeps the
held-out slices out of training, counts character n-grams with numpy, estimates interpolated
modified Kneser-Ney probabilities, prunes n-grams by count and by weighted difference (their mass
moves to the backoff weights, so the model stays normalised), quantises log-probabilities to one
byte and writes a compressed .npz.

Held-out slices, chosen by record id so that they never depend on file order:
``bucket = int(sha1(id).hexdigest(), 16) % 20``; bucket 0 is the benchmark (test) slice and
bucket 1 the tuning (dev) slice. Neither is ever trained on.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import sys
import time
from collections import Counter
from typing import Iterator

import numpy as np

from .alphabet import BOUNDARY, UNK, lm_text
from .lm import CTX_BITS, FORMAT, H0, ctx_key_np, mix_np

TEST_BUCKET, DEV_BUCKET, N_BUCKETS = 0, 1, 20


def split_of(record_id: str) -> str:
    """``"test"``, ``"dev"`` or ``"train"`` for a corpus record id (sha1 of the id, mod 20)."""
    bucket = int(hashlib.sha1(record_id.encode("utf-8")).hexdigest(), 16) % N_BUCKETS
    return "test" if bucket == TEST_BUCKET else "dev" if bucket == DEV_BUCKET else "train"


def iter_records(corpus: str) -> Iterator[dict]:
    """Records of every ``*.jsonl`` file of the corpus folder, in file-name order."""
    files = sorted(glob.glob(os.path.join(corpus, "*.jsonl")))
    if not files:
        raise FileNotFoundError(f"no *.jsonl files in {corpus}")
    for path in files:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield json.loads(line)


def training_stream(corpus: str, min_char_count: int = 2, reverse: bool = False) -> tuple[np.ndarray, list[str], dict]:
    """Ids of all training text (records joined by line boundaries) and the vocabulary.

    With ``reverse`` every record is read right to left, for the backward model.
    """
    texts: list[str] = []
    stats = Counter()
    for r in iter_records(corpus):
        part = split_of(r["id"])
        stats[part] += 1
        if part == "train":
            t = lm_text(r["text"])
            texts.append(t[::-1] if reverse else t)
    chars = Counter()
    for t in texts:
        chars.update(t)
    chars.pop(BOUNDARY, None)
    vocab = [BOUNDARY] + [c for c, n in chars.most_common() if n >= min_char_count]
    lut = {c: i + 2 for i, c in enumerate(vocab)}
    stream = BOUNDARY * 8 + BOUNDARY.join(texts) + BOUNDARY
    # map characters through a code-point table in chunks (a Python loop over 33M chars is slow)
    cps = np.frombuffer(stream.encode("utf-32-le"), dtype=np.uint32)
    table = np.full(int(cps.max()) + 1, UNK, dtype=np.uint16)
    for c, i in lut.items():
        table[ord(c)] = i
    ids = table[cps]
    info = {"records": dict(stats), "train_chars": int(len(ids)), "vocab": len(vocab)}
    return ids, vocab, info


def count_orders(ids: np.ndarray, order: int) -> list[dict]:
    """Distinct n-grams of each order with raw counts, continuation counts and suffix links."""
    n_pos = len(ids)
    start = order  # every counted position has a full history inside the stream
    idu = ids.astype(np.uint64)
    h = np.full(n_pos, H0, dtype=np.uint64)
    levels: list[dict] = []
    prev_keys = None
    for n in range(1, order + 1):
        if n > 1:  # extend every position's context by one more character to the left
            shifted = np.empty_like(idu)
            shifted[: n - 1] = idu[0]
            shifted[n - 1 :] = idu[: n_pos - (n - 1)]
            h = mix_np(h, shifted)
        keys = (ctx_key_np(h) << np.uint64(16)) | idu
        uniq, first, counts = np.unique(keys[start:], return_index=True, return_counts=True)
        first += start
        level = {"keys": uniq, "count": counts.astype(np.int64)}
        if prev_keys is not None:
            suffix = prev_keys[first]  # the (n-1)-gram that ends this n-gram
            low = np.searchsorted(levels[-1]["keys"], suffix)
            level["low"] = low
            # the (n-1)-gram that starts it: its context read as an n-gram one order down (the
            # model file reaches contexts through these links instead of storing their hashes)
            head = prev_keys[first - 1]
            prefix = np.minimum(np.searchsorted(levels[-1]["keys"], head), len(levels[-1]["keys"]) - 1)
            if not np.array_equal(levels[-1]["keys"][prefix], head):
                raise AssertionError(f"order {n}: an n-gram's prefix is missing one order down")
            level["prefix"] = prefix
            # Kneser-Ney continuation count of the (n-1)-gram: distinct left extensions (at least
            # one: a rare hash collision can hide an n-gram's only extension behind another's)
            cont = np.bincount(low, minlength=len(levels[-1]["keys"]))
            levels[-1]["cont"] = np.maximum(cont, 1).astype(np.int64)
        levels.append(level)
        prev_keys = keys
        print(f"  order {n}: {len(uniq):,} distinct", file=sys.stderr)
    levels[-1]["cont"] = levels[-1]["count"]  # the top order uses raw counts
    return levels


def discounts(c: np.ndarray) -> tuple[float, float, float]:
    """Modified Kneser-Ney discounts D1, D2, D3+ from counts-of-counts (Chen & Goodman)."""
    n1, n2, n3, n4 = (int(np.sum(c == k)) for k in (1, 2, 3, 4))
    y = n1 / (n1 + 2 * n2)
    d1 = 1 - 2 * y * n2 / n1
    d2 = 2 - 3 * y * n3 / n2
    d3 = 3 - 4 * y * n4 / n3
    return max(d1, 0.05), max(d2, 0.05), max(d3, 0.05)


def estimate(levels: list[dict], vocab_size: int, min_counts: list[int], target: int | None = None) -> None:
    """Compute every n-gram's probability, mark the kept ones, then each context's backoff weight.

    Pruning keeps an n-gram when its Kneser-Ney count reaches ``min_counts`` for its order and,
    with ``target``, when it is among the ``target`` n-grams (orders 2 and up) that matter most by
    weighted difference (Seymore & Rosenfeld): its count times log(p / backed-off p), how much
    log-probability the text would lose if the n-gram were dropped. That keeps a frequent n-gram the
    lower order already predicts only if nothing better is left, and a rarer one that the lower
    order gets badly wrong. Every suffix of a kept n-gram is kept too (interpolation stays exact),
    and so is every prefix (its context, as an n-gram one order down: the model file reaches
    contexts through them).
    """
    order = len(levels)
    for n in range(1, order + 1):  # probabilities of the unpruned model, bottom up
        lv = levels[n - 1]
        c = lv["cont"].astype(np.float64)
        d1, d2, d3 = discounts(lv["cont"])
        disc = np.where(c == 1, d1, np.where(c == 2, d2, d3))
        ctx = lv["keys"] >> np.uint64(16)
        starts = np.flatnonzero(np.r_[True, ctx[1:] != ctx[:-1]])
        group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(ctx)]))
        total = np.add.reduceat(c, starts)
        gamma = np.add.reduceat(disc, starts) / total
        lower = np.full(len(c), 1.0 / vocab_size) if n == 1 else levels[n - 2]["p"][lv["low"]]
        backed = gamma[group] * lower  # about what p becomes without this n-gram
        lv["p"] = np.maximum(c - disc, 0) / total[group] + backed
        if n > 1 and target is not None:
            lv["weight"] = lv["count"] * np.log(lv["p"] / backed)
        lv["lower"] = lower
        lv["disc"] = (d1, d2, d3)
        lv["ctx_starts"] = starts
        lv["group"] = group
    theta = -np.inf
    if target is not None:
        weight = np.concatenate([lv["weight"] for lv in levels[1:]])
        if target < len(weight):
            theta = float(np.partition(weight, len(weight) - target)[len(weight) - target])
        del weight
    for n in range(order, 0, -1):  # keep top down, so that suffixes of kept n-grams stay
        lv = levels[n - 1]
        keep = lv["cont"] >= min_counts[n - 1]
        if n > 1 and target is not None:
            keep &= lv.pop("weight") >= theta
        if n < order:
            up = levels[n]
            keep[up["low"][up["keep"]]] = True
            keep[up["prefix"][up["keep"]]] = True  # every context is a kept n-gram one order down
        if n == 1:
            keep[:] = True
        lv["keep"] = keep
    for n in range(1, order + 1):
        lv = levels[n - 1]
        if n == 1:
            del lv["lower"]
            lv["ctx_alpha"] = np.zeros(len(lv["ctx_starts"]))
            continue
        keep, group, p, lower = lv["keep"], lv["group"], lv["p"], lv.pop("lower")
        size = len(lv["ctx_starts"])
        num = 1.0 - np.bincount(group[keep], weights=p[keep], minlength=size)
        den = 1.0 - np.bincount(group[keep], weights=lower[keep], minlength=size)
        lv["ctx_alpha"] = np.log(np.maximum(num, 1e-12) / np.maximum(den, 1e-12))


def codebook(values: np.ndarray, size: int = 64, iters: int = 12, seed: int = 0) -> np.ndarray:
    """A 1-D k-means codebook of ``size`` levels (sorted, float32)."""
    rng = np.random.default_rng(seed)
    sample = values if len(values) <= 400_000 else rng.choice(values, 400_000, replace=False)
    uniq = np.unique(sample)
    if len(uniq) <= size:
        return np.pad(uniq, (0, size - len(uniq)), mode="edge").astype(np.float32)
    cb = np.quantile(sample, (np.arange(size) + 0.5) / size)
    for _ in range(iters):
        idx = quantise(sample, cb)
        sums = np.bincount(idx, weights=sample, minlength=size)
        cnt = np.bincount(idx, minlength=size)
        cb = np.where(cnt > 0, sums / np.maximum(cnt, 1), cb)
        cb.sort()
    return cb.astype(np.float32)


def quantise(values: np.ndarray, cb: np.ndarray) -> np.ndarray:
    """Index of the nearest codebook level for each value."""
    mid = (cb[1:] + cb[:-1]) / 2
    return np.searchsorted(mid, values).astype(np.uint8)


def byte_planes(a: np.ndarray) -> np.ndarray:
    """A (itemsize, n) uint8 array of the bytes of ``a`` grouped by position: the high bytes of
    small numbers are mostly zero and compress far better together (undone by ``lm.from_planes``)."""
    return np.ascontiguousarray(a.view(np.uint8).reshape(-1, a.itemsize).T)


def pack(levels: list[dict], vocab: list[str], info: dict, p_levels: int = 64, a_levels: int = 32) -> dict[str, np.ndarray]:
    """The arrays of the model file: per order, child ids and quantised log-probs, as a trie.

    Every context of order n + 1 is a kept n-gram of order n (the pruning keeps prefixes), so a
    context is stored as nothing more than its number of children, on its n-gram's row: the
    n-grams of order n + 1 follow in the order of their contexts' rows, each context's children
    sorted by id and stored as differences. :class:`~.lm.CharLM` rebuilds the context hashes from
    the characters when it loads. The hashes were 29% of the file in the format before.
    """
    arrays: dict[str, np.ndarray] = {}
    sizes = []
    row_of = np.zeros(1, dtype=np.int64)  # packed row of each n-gram one order down (the root: 0)
    for n, lv in enumerate(levels, start=1):
        keep = np.flatnonzero(lv["keep"])
        group = lv["group"][keep]
        if n == 1:
            parent = np.zeros(len(keep), dtype=np.int64)
        else:
            # a context's n-gram: the prefix of its first kept child (all its children share it,
            # short of a hash collision, which then merges them as counting did)
            gid, first = np.unique(group, return_index=True)
            head = np.zeros(len(lv["ctx_starts"]), dtype=np.int64)
            head[gid] = lv["prefix"][keep[first]]
            parent = row_of[head[group]]
            if (parent < 0).any():
                raise AssertionError(f"order {n}: a context's n-gram was pruned")
        ids = (lv["keys"][keep] & np.uint64(0xFFFF)).astype(np.int64)
        order = np.lexsort((ids, parent))
        keep, group, parent, ids = keep[order], group[order], parent[order], ids[order]
        n_rows = 1 if n == 1 else int(levels[n - 2]["keep"].sum())
        nchild = np.bincount(parent, minlength=n_rows)
        alpha = np.zeros(n_rows)
        alpha[parent] = lv["ctx_alpha"][group]
        alpha = alpha[nchild > 0]
        lp = np.log(lv["p"][keep])
        pcb = codebook(lp, p_levels, seed=n)
        acb = codebook(alpha, a_levels, seed=100 + n)
        arrays[f"o{n}_nchild"] = byte_planes(nchild.astype(np.uint16 if nchild.max() < 2**16 else np.uint32))
        arrays[f"o{n}_aq"] = quantise(alpha, acb)
        arrays[f"o{n}_acb"] = acb
        first = np.r_[True, parent[1:] != parent[:-1]]
        arrays[f"o{n}_ids"] = byte_planes(np.where(first, ids, ids - np.r_[0, ids[:-1]]).astype(np.uint16))
        arrays[f"o{n}_pq"] = quantise(lp, pcb)
        arrays[f"o{n}_pcb"] = pcb
        row_of = np.full(len(lv["keys"]), -1, dtype=np.int64)
        row_of[keep] = np.arange(len(keep))
        sizes.append({"order": n, "ngrams": int(len(keep)), "contexts": int((nchild > 0).sum()),
                      "discounts": [round(d, 4) for d in lv["disc"]]})  # fmt: skip
    meta = dict(info, format=FORMAT, order=len(levels), ctx_bits=CTX_BITS, levels=sizes)
    arrays["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
    arrays["vocab"] = np.array([ord(c) for c in vocab], dtype=np.uint32)
    return arrays


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: train, prune and write the model."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", required=True, help="folder of lm_corpus *.jsonl files")
    ap.add_argument("--out", required=True, help="model file to write (.npz)")
    ap.add_argument("--order", type=int, default=6)
    ap.add_argument("--min-counts", default="1,2,3,3,4,5",
                    help="per order (1..N), the Kneser-Ney count an n-gram needs to be kept")  # fmt: skip
    ap.add_argument("--reverse", action="store_true", help="read every record right to left (backward model)")
    ap.add_argument("--target-ngrams", type=int, default=None,
                    help="also prune by weighted difference to about this many n-grams of order 2+")  # fmt: skip
    args = ap.parse_args(argv)
    t0 = time.time()
    mins = [int(x) for x in args.min_counts.split(",")]
    if len(mins) != args.order:
        ap.error(f"--min-counts needs {args.order} values")
    if not os.path.isdir(args.corpus):
        print(f"train_lm: {args.corpus}: no such folder (the lm_corpus is in ../shared/data)", file=sys.stderr)
        return 1
    ids, vocab, info = training_stream(args.corpus, reverse=args.reverse)
    print(f"read {info} in {time.time() - t0:.0f}s", file=sys.stderr)
    levels = count_orders(ids, args.order)
    del ids
    estimate(levels, len(vocab) + 2, mins, args.target_ngrams)
    info["min_counts"] = mins
    info["target_ngrams"] = args.target_ngrams
    info["reverse"] = args.reverse
    info["held_out"] = "sha1(id) % 20: bucket 0 = test (benchmark), bucket 1 = dev; both excluded"
    arrays = pack(levels, vocab, info)
    tmp = args.out + ".tmp.npz"
    np.savez_compressed(tmp, **arrays)
    os.replace(tmp, args.out)
    meta = json.loads(bytes(arrays["meta"]).decode("utf-8"))
    print(json.dumps(meta["levels"], ensure_ascii=False), file=sys.stderr)
    print(f"wrote {args.out}: {os.path.getsize(args.out) / 1e6:.1f} MB in {time.time() - t0:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
