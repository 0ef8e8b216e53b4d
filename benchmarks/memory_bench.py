"""Issue 17's memory target: peak memory of ``extract --format parquet`` on 1 GB of input within
10% of that on 64 MB (the writer streams row groups; nothing may grow with the input).

    python benchmarks/memory_bench.py                       # 64 MB and 1024 MB, every kind
    python benchmarks/memory_bench.py --sizes 16,128 --kinds money,percent --workers 1

The input is the bundled corpus (corpus/*.txt) repeated as JSONL records with varied ids, so
the duplicate-id check and the journal see as many distinct documents as real input would.
Peak memory is measured as in _proc.py: the command's own VmHWM, and the sampled peak of
its resident memory summed with its workers'. Prints each and the ratio of the largest size
to the smallest.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _proc import load_average, run_cli  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def corpus_jsonl(path: Path, megabytes: int) -> int:
    """Write about ``megabytes`` MB of the corpus's texts as records d0, d1…; returns how many."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))]
    limit, size, n = megabytes * 2**20, 0, 0
    with open(path, "w", encoding="utf-8") as f:
        while size < limit:
            line = json.dumps({"id": f"d{n}", "text": texts[n % len(texts)]}, ensure_ascii=False) + "\n"
            f.write(line)
            size += len(line.encode())
            n += 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="64,1024", help="comma-separated input sizes in MB")
    ap.add_argument("--kinds", default="money,percent,project")
    ap.add_argument("--workers", default="2")
    ap.add_argument("--folder", default=None, help="where to write the inputs (default: a temporary folder)")
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    with tempfile.TemporaryDirectory(dir=a.folder) as tmp:
        peaks: dict[int, tuple[float, float]] = {}
        for mb in sizes:
            src = Path(tmp) / f"in{mb}.jsonl"
            n = corpus_jsonl(src, mb)
            out = Path(tmp) / f"out{mb}.parquet"
            r = run_cli(["extract", str(src), "-o", str(out), "--format", "parquet", "--kinds", a.kinds,
                         "--workers", a.workers, "--no-progress"])  # fmt: skip
            summary = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ""
            print(f"{mb:5d} MB ({n:,} records): exit {r.status}, {r.seconds:.0f} s, peak own {r.hwm_mib:.0f} MiB, "
                  f"with workers {r.tree_mib:.0f} MiB; {load_average()}\n      {summary}")  # fmt: skip
            peaks[mb] = (r.hwm_mib, r.tree_mib)
            src.unlink()
            out.unlink(missing_ok=True)
        small, large = peaks[min(sizes)], peaks[max(sizes)]
        print(f"peak at {max(sizes)} MB / at {min(sizes)} MB: own {large[0] / small[0]:.3f}, "
              f"with workers {large[1] / small[1]:.3f} (target: within 1.10)")  # fmt: skip


if __name__ == "__main__":
    main()
