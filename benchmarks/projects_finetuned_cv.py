"""projects_neural_cv.py's BiLSTM-CRF with the pretrained character encoder below it, fine-tuned per
fold (issue 14, experiment (b); the same folds, articles, pipeline and rows).

    python benchmarks/projects_finetuned_cv.py --encoder /work/scratch/p14/encoder.pt --epochs 5 --seeds 0
    python benchmarks/projects_finetuned_cv.py --set char_lr=0.1 ...   # the encoder at a tenth of the rate

Every option but --encoder is projects_neural_cv.py's. The net is that script's (the CRF's symbolic
features, dropout, one BiLSTM, a CRF layer) with, per character, the pretrained encoder's forward
and backward states (benchmarks/pretrain_char_encoder.py; each window read alone between two line
boundaries) added to its inputs. The encoder is the net's ``char`` module, so projects_neural_cv's
``char_lr`` sets its learning rate (0 freezes it). Dev script: needs torch; never reads test*.jsonl.

Result (tests/data/projects/README.md, "The seventh session's pretrained encoder experiment"): not
better than the CRF. One seed, 5 epochs: fine-tuned (char_lr 0.1) CV 0.580, dev 0.516; frozen CV
0.560, dev 0.537; against the CRF's 0.620 and 0.710.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import projects_neural_cv as ncv  # noqa: E402
from pretrain_char_encoder import build_encoder  # noqa: E402

ENCODER: dict[str, object] = {}  # the checkpoint, loaded by main
_plain_net = ncv.build_net


def build_net(enc: "ncv.Encoder", s: dict[str, float]):
    """projects_neural_cv's net with the pretrained encoder's states among its inputs."""
    import torch
    from torch import nn

    base = _plain_net(enc, s)
    ck = ENCODER["checkpoint"]
    hidden = int(ck["hidden"])  # type: ignore[index]
    boundary = enc.gap.char_id("\n")

    class Tuned(type(base)):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            lm = build_encoder(enc.gap.emb, hidden)
            lm.load_state_dict(ck["state"])  # type: ignore[index]
            self.char = lm  # "char.": projects_neural_cv's char_lr applies to the whole encoder
            width = self.lstm.input_size + 2 * hidden
            h, layers = int(s["hidden"]), int(s["layers"])
            self.lstm = nn.LSTM(width, h, num_layers=layers, batch_first=True, bidirectional=True,
                                dropout=s["dropout"] if layers > 1 else 0.0)  # fmt: skip

        def emissions(self, x: "torch.Tensor", lengths: "torch.Tensor", z: "torch.Tensor | None" = None) -> "torch.Tensor":
            """B x n x 3 scores of the windows ``x`` (ids as projects_neural_cv's net reads them)."""
            bsz, _, n = x.shape
            c = x[:, 0]
            pos = torch.arange(n)[None, :]
            valid = pos < lengths[:, None]
            # each window reversed on its own (padding stays at the end), a boundary before both
            rev = torch.where(valid, (lengths[:, None] - 1 - pos).clamp(min=0), pos)
            cr = torch.where(valid, torch.gather(c, 1, rev), torch.zeros_like(c))
            lead = torch.full((bsz, 1), boundary, dtype=c.dtype)
            states = []
            for ids, lstm in ((c, self.char.fwd), (cr, self.char.bwd)):
                e = self.char.emb(torch.cat([lead, ids], dim=1))
                packed = nn.utils.rnn.pack_padded_sequence(e, lengths + 1, batch_first=True, enforce_sorted=False)
                hs, _ = nn.utils.rnn.pad_packed_sequence(lstm(packed)[0], batch_first=True, total_length=n + 1)
                states.append(hs[:, 1:])
            hb = torch.gather(states[1], 1, rev[:, :, None].expand(-1, -1, hidden))
            e = torch.cat([self.char.emb(c), states[0], hb] + [emb(x[:, k + 1]) for k, emb in enumerate(self.feats)], dim=-1)
            e = self.drop(e)
            if z is not None:
                e = torch.cat([e, z], dim=-1)
            packed = nn.utils.rnn.pack_padded_sequence(e, lengths, batch_first=True, enforce_sorted=False)
            h, _ = self.lstm(packed)
            h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=n)
            return self.out(self.drop(h))

    return Tuned()


def main(argv: list[str] | None = None) -> int:
    """Load the encoder, then run projects_neural_cv.main with this net."""
    import torch

    ap = argparse.ArgumentParser(add_help=False)
    ap.add_argument("--encoder", type=Path, default=Path("/work/scratch/p14/encoder.pt"))
    args, rest = ap.parse_known_args(argv)
    ENCODER["checkpoint"] = torch.load(args.encoder, map_location="cpu")
    print(f"encoder {args.encoder} step {ENCODER['checkpoint'].get('step')}", flush=True)  # type: ignore[union-attr]
    ncv.build_net = build_net
    return ncv.main(rest)


if __name__ == "__main__":
    sys.exit(main())
