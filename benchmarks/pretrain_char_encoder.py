"""Pretrain a small ELMo-style character encoder on lm_corpus's train slice (issue 14, experiment).

    python benchmarks/pretrain_char_encoder.py --steps 2617 --out /work/scratch/p14/encoder.pt

A forward LSTM predicts the next character and a backward LSTM the previous one, over the gap
model's alphabet (data/gapnet.npz: its 64-d character embeddings initialise the shared input
embedding, which is also the output softmax's weights through a 64-d projection of each LSTM's
state). Training text: lm_corpus records that train_lm.split_of puts in "train", minus the articles
of the project data's train/dev/silver/train2 files (dev's are the tagger's held-out articles; the
sealed sets' files are not read, so their lm_corpus articles may be in this text);
the records are joined by line boundaries and cut into random chunks. Every --log steps it prints
the per-character perplexity of both directions on the first --dev-records "dev" records. Runs on
one thread with fixed seeds, for --minutes of wall time or --steps steps (the issue-14 encoder:
2,617 steps, the 40 minutes it had; a dev script: reads ../shared, needs torch).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "data" / "lm_corpus"
PROJECTS = ROOT / "tests" / "data" / "projects"


def held_ids() -> set[str]:
    """lm_corpus ids of the project data's train, dev and silver articles (never test*)."""
    out = set()
    for name in ("train.jsonl", "dev.texts.jsonl", "silver.jsonl", "train2.texts.jsonl"):
        for line in (PROJECTS / name).read_text("utf-8").splitlines():
            if line.strip():
                out.add(json.loads(line)["id"].split("#")[0])
    return out


def ids_of(text: str, lut: np.ndarray) -> np.ndarray:
    """Gap-model ids of ``text`` (after lm_text), via a code-point lookup table."""
    from xiangtan_nlp.cleaning.alphabet import lm_text

    cps = np.frombuffer(lm_text(text).encode("utf-32-le"), dtype=np.uint32)
    cps = np.minimum(cps, len(lut) - 1)
    return lut[cps]


def lookup(gap) -> np.ndarray:
    """Code point -> gap-model id (1, unknown, for characters outside its alphabet)."""
    top = max(ord(c) for c in gap.vocab) + 2
    lut = np.ones(top, dtype=np.int64)
    for c, i in gap._id.items():
        lut[ord(c)] = i
    return lut


def build_encoder(emb: np.ndarray, hidden: int):
    """The two-direction character LM (torch module) with input embeddings ``emb``."""
    import torch
    from torch import nn

    class CharLM(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.emb = nn.Embedding.from_pretrained(torch.tensor(emb), freeze=False, padding_idx=0)
            d = emb.shape[1]
            self.fwd = nn.LSTM(d, hidden, batch_first=True)
            self.bwd = nn.LSTM(d, hidden, batch_first=True)
            self.proj_f = nn.Linear(hidden, d)
            self.proj_b = nn.Linear(hidden, d)
            self.bias = nn.Parameter(torch.zeros(emb.shape[0]))
            self.drop = nn.Dropout(0.1)

        def states(self, x: "torch.Tensor") -> tuple["torch.Tensor", "torch.Tensor"]:
            """Forward and backward states (B x n x hidden) of ids ``x``: at i, the forward LSTM has
            read characters ..i, the backward one i.. (right to left)."""
            e = self.emb(x)
            hf, _ = self.fwd(e)
            hb, _ = self.bwd(torch.flip(e, dims=[1]))
            return hf, torch.flip(hb, dims=[1])

        def loss(self, x: "torch.Tensor") -> tuple["torch.Tensor", "torch.Tensor"]:
            """Mean cross-entropy of the next (forward) and previous (backward) character."""
            import torch.nn.functional as F

            hf, hb = self.states(x)
            w = self.emb.weight
            lf = F.linear(self.proj_f(self.drop(hf[:, :-1])), w, self.bias)
            lb = F.linear(self.proj_b(self.drop(hb[:, 1:])), w, self.bias)
            v = w.shape[0]
            return (F.cross_entropy(lf.reshape(-1, v), x[:, 1:].reshape(-1)),
                    F.cross_entropy(lb.reshape(-1, v), x[:, :-1].reshape(-1)))  # fmt: skip

    return CharLM()


def main(argv: list[str] | None = None) -> int:
    """Train for --minutes and save the encoder (torch state dict and settings)."""
    import torch

    from xiangtan_nlp.cleaning.gapnet import get_gapnet
    from xiangtan_nlp.cleaning.train_lm import iter_records, split_of

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--out", type=Path, default=Path("/work/scratch/p14/encoder.pt"))
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--length", type=int, default=128)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--minutes", type=float, default=40.0)
    ap.add_argument("--steps", type=int, help="stop after this many steps instead (the same run, whatever the load)")
    ap.add_argument("--log", type=int, default=200)
    ap.add_argument("--dev-records", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    gap = get_gapnet()
    lut = lookup(gap)
    skip = held_ids()
    t0 = time.time()
    train, dev, skipped = [], [], 0
    for r in iter_records(str(args.corpus)):
        part = split_of(r["id"])
        if r["id"] in skip:
            skipped += 1
        elif part == "train":
            train.append(ids_of(r["text"] + "\n", lut))
        elif part == "dev" and len(dev) < args.dev_records:
            dev.append(ids_of("\n" + r["text"] + "\n", lut))
    stream = np.concatenate([np.full(1, gap.char_id("\n"))] + train)
    print(f"train {len(train)} records, {len(stream):,} chars ({(stream == 1).mean():.2%} unknown); "
          f"dev {len(dev)} records, {sum(map(len, dev)):,} chars; {skipped} project articles left out; "
          f"{time.time() - t0:.0f} s", flush=True)  # fmt: skip
    net = build_encoder(gap.emb, args.hidden)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)

    def dev_ppl() -> tuple[float, float]:
        """Per-character perplexity of both directions on the dev records (chunks of 512)."""
        net.eval()
        tot = np.zeros(2)
        n = 0
        with torch.no_grad():
            for d in dev:
                for k in range(0, len(d) - 1, 512):
                    x = torch.tensor(d[k : k + 513])[None]
                    if x.shape[1] < 2:
                        continue
                    lf, lb = net.loss(x)
                    tot += [lf.item() * (x.shape[1] - 1), lb.item() * (x.shape[1] - 1)]
                    n += x.shape[1] - 1
        net.train()
        return math.exp(tot[0] / n), math.exp(tot[1] / n)

    print("step 0 dev ppl fwd %.1f bwd %.1f" % dev_ppl(), flush=True)
    step, start, run = 0, time.time(), np.zeros(2)
    sched_end = start + args.minutes * 60
    while (step < args.steps) if args.steps else (time.time() < sched_end):
        step += 1
        at = rng.integers(0, len(stream) - args.length - 1, size=args.batch)
        x = torch.tensor(np.stack([stream[a : a + args.length + 1] for a in at]))
        lf, lb = net.loss(x)
        opt.zero_grad()
        (lf + lb).backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        run += [lf.item(), lb.item()]
        if step % args.log == 0:
            f, b = dev_ppl()
            print(f"step {step} {time.time() - start:.0f} s train ppl fwd {math.exp(run[0] / args.log):.1f} "
                  f"bwd {math.exp(run[1] / args.log):.1f}; dev ppl fwd {f:.1f} bwd {b:.1f}", flush=True)  # fmt: skip
            run[:] = 0
            torch.save({"state": net.state_dict(), "hidden": args.hidden, "step": step}, args.out)
    f, b = dev_ppl()
    print(f"final step {step} {time.time() - start:.0f} s dev ppl fwd {f:.1f} bwd {b:.1f}", flush=True)
    torch.save({"state": net.state_dict(), "hidden": args.hidden, "step": step, "dev_ppl": (f, b)}, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
