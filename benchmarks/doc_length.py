"""Seconds per MB as one document grows: linear stages give a flat line (issue 17).

    python benchmarks/doc_length.py                        # 1, 10, 100, 1000 copies; adversarial; hostile folder
    python benchmarks/doc_length.py --copies 1,10,100 --skip hostile
    python benchmarks/doc_length.py --stages               # also seconds per stage at each size

Scraped pages are often flattened to one line (HTML stripped, newlines lost), so the inputs are
built the way the world makes them:

* **the seed on one line**: corpus/000_9f14ab93c5a18b94.txt with its line breaks removed, repeated
  N times on a single line (1,000 copies is about 3.5 MB), through ``xiangtan-nlp extract`` with
  every kind, as a user runs it. Printed: seconds, seconds per MB, and the ratio of the largest
  size's seconds per MB to the smallest's (the baseline, measured in the same run): 1.0 is
  linear, 2.0 means each size costs twice as much per MB as the first.
* **an adversarial file** of 1 MB: a run of digits, then runs of 亿, 百分之 and numerals, then
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
    cmd = [*CLI, "extract", str(path), "-o", str(out), "--workers", "1", "--no-progress", "--timeout", "600", *extra]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    return time.perf_counter() - t0, proc.returncode, proc.stderr


def startup(tmp: Path) -> float:
    """Seconds of a run on an empty document: interpreter, imports and model loading."""
    empty = tmp / "empty-start.txt"
    empty.write_text("。", encoding="utf-8")
    best = min(run_extract(empty, tmp / "empty.csv")[0] for _ in range(2))
    return best


def stage_seconds(text: str) -> dict[str, float]:
    """Seconds per stage for one text, in this process (models loaded beforehand)."""
    from xiangtan_nlp.cleaning import clean
    from xiangtan_nlp.extraction.figures import find_figures
    from xiangtan_nlp.extraction.projects import find_projects, link_figures

    out = {}
    t0 = time.perf_counter()
    cleaned = clean(text).text
    out["clean"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    figs = find_figures(cleaned, ("money", "percent"))
    out["figures"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    projects = find_projects(cleaned)
    out["projects"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    link_figures(cleaned, figs, projects)
    out["links"] = time.perf_counter() - t0
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--copies", default="1,10,100,1000", help="sizes, as copies of the seed on one line")
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: lengths,adversarial,hostile")
    ap.add_argument("--stages", action="store_true", help="also time each stage in-process at each size")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    sizes = [int(c) for c in args.copies.split(",")]
    with tempfile.TemporaryDirectory(prefix="xt-doclen-") as tmpdir:
        tmp = Path(tmpdir)
        base = startup(tmp)
        print(f"start-up (imports, models) on an empty document: {base:.2f} s, subtracted below", flush=True)
        if "lengths" not in skip:
            print("\n1. the seed on one line, xiangtan-nlp extract (all kinds), seconds per MB")
            per_mb = []
            for n in sizes:
                path = tmp / f"seed-x{n}.txt"
                path.write_text(one_line(n), encoding="utf-8")
                mb = path.stat().st_size / 1e6
                secs, status, err = run_extract(path, tmp / f"seed-x{n}.csv")
                work = max(secs - base, 1e-9)
                per_mb.append(work / mb)
                note = "" if status == 0 else f"  exit {status}: {err.strip().splitlines()[-1][:120]}"
                print(f"   {n:>5} copies  {mb:7.2f} MB  {work:8.2f} s  {work / mb:7.2f} s/MB{note}", flush=True)
                if args.stages:
                    parts = stage_seconds(one_line(n))
                    print("          " + "  ".join(f"{k} {v:.2f} s" for k, v in parts.items()), flush=True)
            print(f"   ratio of s/MB, {sizes[-1]} copies to {sizes[0]} (baseline, same run): {per_mb[-1] / per_mb[0]:.2f}x"
                  f"   ({sizes[-1]} to {sizes[1] if len(sizes) > 1 else sizes[0]}: {per_mb[-1] / per_mb[min(1, len(per_mb) - 1)]:.2f}x)")
        if "adversarial" not in skip:
            path = tmp / "adversarial.txt"
            path.write_text(adversarial(), encoding="utf-8")
            secs, status, err = run_extract(path, tmp / "adversarial.csv")
            mb = path.stat().st_size / 1e6
            print(f"\n2. adversarial file ({mb:.1f} MB): {secs - base:.2f} s after start-up (exit {status})", flush=True)
        if "hostile" not in skip:
            folder = tmp / "hostile"
            expected = hostile_folder(folder)
            secs, status, err = run_extract(folder, tmp / "hostile.csv")
            named = [name for name in expected if name in err]
            print(f"\n3. hostile folder ({len(expected)} bad inputs): {secs:.2f} s, exit {status}, "
                  f"{len(named)}/{len(expected)} bad inputs named", flush=True)
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
    # reported: the binary file, the broken JSONL line, the symlink loop (empty, NUL and the
    # encodings are read; the adversarial file and the long line are processed, or named if slow)
    return ["binary.txt", "broken.jsonl", "back"]


if __name__ == "__main__":
    main()
