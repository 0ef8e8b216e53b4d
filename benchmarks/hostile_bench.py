"""The figures issue 19 asks for: a million tiny JSONL records with --workers 1 and 2, and the
memory a 50 MB CSV field costs.

    python benchmarks/hostile_bench.py                  # both, a million records
    python benchmarks/hostile_bench.py --records 200000 --skip field

Every figure is a real ``xiangtan-nlp extract`` process (see _proc.py for how memory and CPU
are read). The speed-up is printed two ways: wall clock (meaningless when other work holds the
cores, so the machine's load is printed beside it) and from CPU time: the serial run's CPU over
that of the busiest process of the two-worker run (or half its total, on two cores), which is
what two free cores would give at most.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _proc import Run, load_average, run_cli  # noqa: E402


def tiny_records(path: Path, n: int) -> None:
    """``n`` one-sentence records, each with one amount."""
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"t{i}", "text": f"第{i}条：湘潭某项目总投资{i % 90 + 1}亿元。"}, ensure_ascii=False) + "\n")


def field_csv(path: Path, megabytes: int, big: bool) -> None:
    """A CSV of two short rows around one field of ``megabytes`` MB over many lines (``big``), or without it."""
    para = "湘潭经开区某项目总投资20亿元，同比增长8.1%。\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write('id,text\ns1,"投资1亿元"\n')
        if big:
            f.write('big,"')
            block = para * 1000
            for _ in range(megabytes * 2**20 // len(block.encode()) + 1):
                f.write(block)
            f.write('"\n')
        f.write('s2,"投资3亿元"\n')


def show(label: str, r: Run) -> None:
    print(
        f"{label:<34} exit {r.status}  {r.seconds:7.1f} s  CPU own {r.cpu_self:6.1f} s, workers {r.cpu_children:6.1f} s  "
        f"peak own {r.hwm_mib:6.0f} MiB, with workers {r.tree_mib:6.0f} MiB"
    )


def speed(tmp: Path, n: int, kinds: str) -> None:
    src = tmp / "tiny.jsonl"
    tiny_records(src, n)
    print(f"\n{n:,} tiny JSONL records ({src.stat().st_size / 2**20:.0f} MB), --kinds {kinds}; {load_average()}")
    runs = {}
    for w in (1, 2):
        out = tmp / f"w{w}.csv"
        runs[w] = r = run_cli(["extract", str(src), "-o", str(out), "--kinds", kinds, "--workers", str(w), "--no-progress"])
        show(f"--workers {w}", r)
    same = (tmp / "w1.csv").read_bytes() == (tmp / "w2.csv").read_bytes()
    one, two = runs[1], runs[2]
    total = two.cpu_self + two.cpu_children
    # the busiest process (the parent, or each of the two workers) or the two cores, whichever binds
    busiest = max(two.cpu_self, two.cpu_children / 2, total / min(2, os.cpu_count() or 1))
    print(f"outputs identical: {same}; {load_average()}")
    print(f"wall-clock speed-up of 2 workers: {one.seconds / two.seconds:.2f}x")
    print(f"CPU-time speed-up of 2 workers on two free cores: {(one.cpu_self + one.cpu_children) / busiest:.2f}x "
          f"(at most; the parent's own share of the CPU: {two.cpu_self / total:.0%}, 2 workers' extra CPU: "
          f"{total / (one.cpu_self + one.cpu_children) - 1:+.0%})")  # fmt: skip


def field(tmp: Path, megabytes: int) -> None:
    print(f"\na {megabytes} MB CSV field (over lines), --workers 1; {load_average()}")
    base, big = tmp / "small.csv", tmp / "big.csv"
    field_csv(base, megabytes, big=False)
    field_csv(big, megabytes, big=True)
    args = ["--kinds", "money,percent", "--workers", "1", "--no-progress"]
    without = run_cli(["extract", str(base), "-o", str(tmp / "small.out.csv"), *args])
    show("without the field", without)
    refused = run_cli(["extract", str(big), "-o", str(tmp / "big.out.csv"), *args])
    show("with it (default --max-size 8)", refused)
    print(f"  named: {[ln for ln in refused.stderr.splitlines() if ':3:' in ln]}")
    print(f"the field costs {refused.hwm_mib - without.hwm_mib:+.0f} MiB (the issue: 1.55 GB before the fix)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--kinds", default="money,percent,project", help="--kinds of the speed runs")
    ap.add_argument("--field-mb", type=int, default=50)
    ap.add_argument("--skip", default="", help="comma-separated: speed, field")
    a = ap.parse_args()
    skip = set(filter(None, a.skip.split(",")))
    with tempfile.TemporaryDirectory() as tmp:
        if "field" not in skip:
            field(Path(tmp), a.field_mb)
        if "speed" not in skip:
            speed(Path(tmp), a.records, a.kinds)


if __name__ == "__main__":
    main()
