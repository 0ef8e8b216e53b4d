"""Extraction speed beside plain ``jieba.lcut`` on the same text, in the same run (issue 2).

    python benchmarks/extract_speed.py                 # the bundled corpus/ (always present)
    python benchmarks/extract_speed.py --shared 5      # 5 MB of ../shared/data news instead
    python benchmarks/extract_speed.py --econ          # figure-dense news: news_dev/econ.jsonl
    python benchmarks/extract_speed.py --rounds 7

Prints characters per second of ``xt.extract`` (clean + money + percent, what a user calls), of
extraction alone on already-cleaned text, and of cleaning alone (so the cost outside the figure
scan shows), each beside ``jieba.lcut`` over the same texts; stages are interleaved and the median
round is kept (see benchmarks/_common.py). Issue 17's target on raw figure-dense text (--econ) is
10x jieba.lcut for clean + money + percent.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings

from _common import ROOT, SHARED_DATA, chars, interleaved, load_texts, plain_jieba, ratio_line


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=float, metavar="MB", help="use this many MB of ../shared/data news")
    ap.add_argument("--econ", action="store_true", help="use ../shared/data/news_dev/econ.jsonl (figure-dense)")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()

    import xiangtan_nlp as xt
    from xiangtan_nlp.pipeline.document import extract_document

    warnings.simplefilter("ignore")  # a failing document is skipped either way; speed is the point
    if args.econ:
        path = SHARED_DATA / "news_dev" / "econ.jsonl"
        if not path.exists():
            sys.exit(f"not found: {path} (set XT_SHARED_DATA=/path/to/shared/data)")
        with path.open(encoding="utf-8") as f:
            texts = [t for t in (json.loads(line).get("text") or "" for line in f) if t]
        source = "news_dev/econ.jsonl (figure-dense)"
    elif args.shared:
        texts = [t for _, t in load_texts(args.shared)]
        source = f"{args.shared:g} MB of ../shared/data news"
    else:
        texts = [d.text for d in xt.read_corpus(ROOT / "corpus")]
        source = "the bundled corpus/"
    docs = [xt.Document(id=str(i), text=t) for i, t in enumerate(texts)]
    cleaned = [xt.Document(id=d.id, text=_clean(xt, d.text)) for d in docs]  # also warms up
    lcut = plain_jieba()
    kinds = ("money", "percent")
    n = chars(texts)
    print(f"{len(texts)} documents, {n:,} characters ({source}); {args.rounds} interleaved rounds, median", file=sys.stderr)

    def safe_extract(doc: xt.Document, clean: bool) -> None:
        try:
            extract_document(doc, kinds, clean=clean)
        except Exception:  # noqa: BLE001 - a broken document must not stop the benchmark
            pass

    t = interleaved(
        {
            "jieba.lcut": lambda: [lcut(s) for s in texts],
            "extract": lambda: [safe_extract(d, True) for d in docs],
            "extract (cleaned text)": lambda: [safe_extract(d, False) for d in cleaned],
            "clean": lambda: [_clean(xt, t) for t in texts],
        },
        args.rounds,
    )
    base = n / t["jieba.lcut"]
    print(f"  {'stage':<40} {'chars/s':>8}  vs jieba.lcut")
    print(ratio_line("jieba.lcut (baseline)", t["jieba.lcut"], n, base))
    print(ratio_line("xt.extract: clean + money + percent", t["extract"], n, base, target="target >= 10x on --econ (issue 17)"))
    n_clean = chars([d.text for d in cleaned])
    print(ratio_line("money + percent on cleaned text", t["extract (cleaned text)"], n_clean, base, target="target >= 10x (issue 7)"))
    print(ratio_line("clean alone (normalize, debris, repair)", t["clean"], n, base))


def _clean(xt, text: str) -> str:  # type: ignore[no-untyped-def]
    try:
        return xt.clean(text).text
    except Exception:  # noqa: BLE001 - the batch skips such a document too; keep it as it is
        return text


if __name__ == "__main__":
    main()
