"""Seconds per MB as one document grows: linear stages give a flat line (issue 17).

    python benchmarks/doc_length.py                        # 10, 100, 1000 copies; adversarial; hostile folder
    python benchmarks/doc_length.py --copies 1,10,100 --skip hostile
    python benchmarks/doc_length.py --stages               # also seconds per stage at each size

Scraped pages are often flattened to one line (HTML stripped, newlines lost), so the inputs are
built the way the world makes them:

* **the seed on one line**: corpus/000_9f14ab93c5a18b94.txt with its line breaks removed, repeated
  N times on a single line (1,000 copies is about 4.4 million characters, 12 MB), with every kind.
  Two timings at each size: the per-document job in this process (``extract_document``, cleaning
  included, every model loaded by a warm-up run first; CPU seconds, small sizes repeated until
  they take a second), and ``xiangtan-nlp extract`` as a user runs it, less its start-up (the
  CLI's seconds on one copy minus the job's in-process seconds on it: interpreter, imports and
  every model the seed makes it load). Printed: seconds per MB and the ratio of the largest
  size's seconds per MB to the smallest's (the baseline, measured in the same run): 1.0 is
  linear, 2.0 means each size costs twice as much per MB as the first.
* **an adversarial file** of a million characters (2.6 MB of UTF-8): a run of digits, then runs of 亿, 百分之 and numerals, then
  full-width dots — what a fuzzer finds, not what news holds.
* **a hostile folder**: binary, NUL bytes, GB18030, UTF-16, empty, the adversarial file, the long
  line, a broken JSONL, a symlink loop; one ``extract`` run over it, which must finish with exit
  status 1 and name every bad input.

Reads only corpus/ (no ../shared); run by hand, never by the tests.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import stage_seconds

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "corpus" / "000_9f14ab93c5a18b94.txt"
CLI = [sys.executable, "-c", "from xiangtan_nlp.cli import main; main()"]


def one_line(copies: int) -> str:
    """The seed without its line breaks, ``copies`` times on one line."""
    text = SEED.read_text(encoding="utf-8").replace("\r", "").replace("\n", "")
    return text * copies


def adversarial(size: int = 1_000_000) -> str:
    """About ``size`` characters of runs that make backtracking patterns explode."""
    part = size // 5
    return "".join(
        (
            "1" * part,
            "亿" * part,
            "百分之" * (part // 3),
            "一二三四五六七八九十百千万" * (part // 13),
            "．" * part,
        )
    )


def run_extract(path: Path, out: Path, *extra: str) -> tuple[float, int, str]:
    """Seconds, exit status and stderr of one ``xiangtan-nlp extract`` run."""
    cmd = [*CLI, "extract", str(path), "-o", str(out), "--workers", "1", "--no-progress", "--timeout", "600",
           "--max-size", "64", *extra]  # fmt: skip
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    return time.perf_counter() - t0, proc.returncode, proc.stderr


def job_seconds(text: str, least: float = 1.0) -> float:
    """CPU seconds of the per-document job (every kind, cleaning included) on ``text`` in this
    process; a short text is run again until ``least`` seconds are spent, and the mean is kept."""
    from xiangtan_nlp.extraction import KINDS
    from xiangtan_nlp.model import Document
    from xiangtan_nlp.pipeline.document import extract_document

    doc = Document(id="long", text=text)
    runs, spent = 0, 0.0
    while spent < least or not runs:
        t0 = time.process_time()
        extract_document(doc, KINDS, timeout=None)
        spent += time.process_time() - t0
        runs += 1
    return spent / runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--copies", default="10,100,1000", help="sizes, as copies of the seed on one line")
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: lengths,cli,adversarial,hostile")
    ap.add_argument("--stages", action="store_true", help="also time each stage in-process at each size")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    sizes = [int(c) for c in args.copies.split(",")]
    with tempfile.TemporaryDirectory(prefix="xt-doclen-") as tmpdir:
        tmp = Path(tmpdir)
        one = one_line(1)
        job_seconds(one, least=0)  # warm-up: every model the seed needs is loaded before timing
        base = 0.0
        if "cli" not in skip:
            path = tmp / "seed-x1.txt"
            path.write_text(one, encoding="utf-8")
            base = min(run_extract(path, tmp / "seed-x1.csv")[0] for _ in range(2)) - job_seconds(one)
            print(f"CLI start-up (interpreter, imports, every model the seed loads): {base:.2f} s, subtracted below",
                  flush=True)  # fmt: skip
        if "lengths" not in skip:
            print("\n1. the seed on one line, all kinds, seconds per MB (UTF-8): the job in-process (CPU) | the CLI")
            per_mb, cli_mb, cli_secs = [], [], []
            for n in sizes:
                text = one_line(n)
                mb = len(text.encode()) / 1e6
                work = job_seconds(text)
                per_mb.append(work / mb)
                line = f"   {n:>5} copies  {len(text):>9,} chars  {mb:6.2f} MB  {work:7.2f} s  {work / mb:6.2f} s/MB"
                if "cli" not in skip:
                    path = tmp / f"seed-x{n}.txt"
                    path.write_text(text, encoding="utf-8")
                    secs, status, err = run_extract(path, tmp / f"seed-x{n}.csv")
                    cli = max(secs - base, 1e-9)
                    cli_mb.append(cli / mb)
                    cli_secs.append(cli)
                    line += f"  | {secs:7.2f} s, {cli:7.2f} s after start-up, {cli / mb:6.2f} s/MB"
                    if status != 0:
                        line += f"  exit {status}: {err.strip().splitlines()[0][:160]}"
                print(line, flush=True)
                if args.stages:
                    parts = stage_seconds(text)
                    print("          s/MB by stage: " + "  ".join(f"{k} {v / mb:.3f}" for k, v in parts.items()), flush=True)
            # the CLI's ratio is taken against the first size whose time after start-up is a second
            # or more: below that, what is left after subtracting start-up is mostly its noise
            # (0.00 s at 10 copies gave a ratio of 10^8)
            firm = next((i for i, c in enumerate(cli_secs[:-1]) if c >= 1.0), None)
            cli_ratio = (f", CLI {cli_mb[-1] / cli_mb[firm]:.2f}x against {sizes[firm]} copies" if firm is not None
                         else ", CLI: no smaller size takes a second after start-up" if cli_mb else "")  # fmt: skip
            print(f"   ratio of s/MB, {sizes[-1]} copies to {sizes[0]} (baseline, same run): in-process {per_mb[-1] / per_mb[0]:.2f}x"
                  + cli_ratio + "   target <= 1.5x")  # fmt: skip
        if "adversarial" not in skip:
            text = adversarial()
            path = tmp / "adversarial.txt"
            path.write_text(text, encoding="utf-8")
            work = job_seconds(text, least=0)
            mb = path.stat().st_size / 1e6
            line = f"\n2. adversarial file ({len(text):,} characters, {mb:.1f} MB): the job in-process {work:.2f} s"
            if "cli" not in skip:
                secs, status, err = run_extract(path, tmp / "adversarial.csv")
                line += f"; the CLI {secs:.2f} s in all, start-up included (exit {status})"
            print(line + "   target < 5 s", flush=True)
        if "hostile" not in skip:
            folder = tmp / "hostile"
            expected = hostile_folder(folder)
            secs, status, err = run_extract(folder, tmp / "hostile.csv")
            named = [name for name in expected if name in err]
            print(f"\n3. hostile folder ({len(expected)} bad inputs): {secs:.2f} s with start-up, exit {status}, "
                  f"{len(named)}/{len(expected)} bad inputs named   target < 60 s, exit 1, all named", flush=True)
            missing = sorted(set(expected) - set(named))
            if missing:
                print(f"   not named: {', '.join(missing)}")
            for line in err.strip().splitlines()[-12:]:
                print(f"   | {line[:160]}")


def hostile_folder(folder: Path) -> list[str]:
    """Write the hostile folder; return the names of the inputs that must be reported."""
    folder.mkdir()
    (folder / "good.txt").write_text("湘潭经开区拟投资2.2亿元建设新厂房。", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(4096))
    (folder / "nul.txt").write_bytes("总投资20亿元".encode() + b"\x00" * 5000 + "增长8.1%".encode())
    (folder / "gb18030.txt").write_bytes("总投资超过30亿元，同比增长8.1%。".encode("gb18030"))
    (folder / "utf16.txt").write_bytes("拟投资2.2亿元，完成率151.67%。".encode("utf-16"))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "adversarial.txt").write_text(adversarial(), encoding="utf-8")
    (folder / "long-line.txt").write_text(one_line(300), encoding="utf-8")
    (folder / "broken.jsonl").write_text('{"id": "a", "text": "投资1亿元"}\n{"id": "b", "text": \n{"id": "c", "text": "投资3亿元"}\n', encoding="utf-8")
    loop = folder / "loop"
    loop.mkdir()
    os.symlink("..", loop / "back")  # a symlink loop: loop/back -> folder
    # reported: the binary file, NUL bytes, the empty file, the broken JSONL line, the symlink loop
    # (the encodings are read; the adversarial file and the long line are processed, or named if slow)
    return ["binary.txt", "nul.txt", "empty.txt", "broken.jsonl", "back"]


if __name__ == "__main__":
    main()
