"""Throughput of every stage beside plain ``jieba.lcut`` (and JioNLP) on the same text (issues 7, 17).

    python benchmarks/throughput.py                    # section 1 on xwlb and econ, then 20 MB of news
    python benchmarks/throughput.py --skip workers,memory,import --rounds 5
    python benchmarks/throughput.py --memory-gb 1      # also the streaming run over a 1 GB input

Sections (each figure is the median of interleaved rounds; ratios are to baselines measured in the
same run on the same text):

1. characters per second on two kinds of raw text, as users pass it to ``xt.extract``: light news
   (xwlb, few figures) and figure-dense economic news (../shared/data/news_dev/econ.jsonl, figures
   in most sentences). Rows: read (jsonl files -> Documents), segment (rjieba accelerator when
   installed, and plain jieba with our dictionary), ``extract`` money+percent and ``extract`` with
   projects (cleaning included: normalize, debris, repair), beside ``jieba.lcut`` and JioNLP's
   ``extract_money`` (when installed); then the job stage by stage (normalize, debris, repair,
   figures, projects, links), so each owner sees their share of the time;
2. 1 vs 2 worker processes (``run_batch(n_jobs=...)``, the job behind ``--workers``);
3. peak memory (RSS of the whole process tree) of ``xiangtan-nlp extract`` streaming inputs of
   growing size made by repeating the corpus: flat means constant memory whatever the size;
4. import time of ``xiangtan_nlp`` vs ``jieba`` + ``sklearn`` + ``pandas``, in fresh subprocesses.

Reads ../shared/data (set XT_SHARED_DATA to point elsewhere); run by hand, never by the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

from _common import (
    ROOT, SOURCES, STAGES, chars, interleaved, jionlp_extract_money, load_source, load_texts, plain_jieba, rate,
    ratio_line, stage_seconds,
)

PY = sys.executable
CLI = [PY, "-c", "from xiangtan_nlp.cli import main; main()"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--text-mb", type=float, default=None, metavar="MB",
                    help="section 1: MB of each kind of text (default: econ.jsonl whole, as much xwlb)")
    ap.add_argument("--sources", default=",".join(SOURCES), help=f"section 1: kinds of text (default {','.join(SOURCES)})")
    ap.add_argument("--size", type=float, default=20, metavar="MB", help="corpus size for sections 2-3 (default 20)")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds per section (default 3)")
    ap.add_argument("--memory-sizes", default="8,16,32", metavar="MB,MB,...", help="inputs for the memory section")
    ap.add_argument("--memory-gb", type=float, default=0, help="also a streaming run over an input this large")
    ap.add_argument("--skip", default="", help="comma-separated sections to skip: stages,workers,memory,import")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    warnings.simplefilter("ignore")

    with tempfile.TemporaryDirectory(prefix="xt-bench-") as tmp:
        folder = Path(tmp)
        if "stages" not in skip:
            stages(folder, args.rounds, args.text_mb, args.sources.split(","))
        if {"workers", "memory"} - skip:
            corpus = load_texts(args.size)
            texts = [t for _, t in corpus]
            print(f"sections 2-3 corpus: {len(texts)} documents, {chars(texts):,} characters, "
                  f"{sum(len(t.encode()) for t in texts) / 1e6:.1f} MB from ../shared/data", flush=True)  # fmt: skip
        if "workers" not in skip:
            workers(texts, args.rounds)
        if "memory" not in skip:
            memory(corpus, folder, [float(s) for s in args.memory_sizes.split(",")], args.memory_gb)
    if "import" not in skip:
        import_time(max(args.rounds, 5))


# -- 1. stages ------------------------------------------------------------------------------------
MONEY_PERCENT = ("money", "percent")
FULL = ("money", "percent", "project")
#: The per-document job's stages, in order; each owner reads their share of the time here.


def stages(folder: Path, rounds: int, megabytes: float | None, sources: list[str]) -> None:
    """Section 1 on light (xwlb) and on figure-dense (econ) text, raw text in, as users call extract."""
    import xiangtan_nlp as xt
    from xiangtan_nlp.segmenter import Segmenter, default_segmenter

    t0 = time.perf_counter()
    lcut = plain_jieba()
    seg = default_segmenter()
    seg.cut("预热")
    jieba_seg = Segmenter()
    jieba_seg._accel = False  # our dictionary on plain jieba: what segment() does without rjieba
    jieba_seg.cut("预热")
    money = jionlp_extract_money()
    for source in sources:
        corpus = load_source(source, megabytes)
        texts = [t for _, t in corpus]
        for t in texts:  # warm every cache (models, dictionaries, POS tables) before timing
            _try(xt.extract, t, kinds=FULL)
        n = chars(texts)
        src = folder / f"read-{source}"
        src.mkdir()
        _write_jsonl(corpus, src, part_mb=4)
        per_stage: dict[str, list[float]] = {k: [] for k in STAGES}
        plan = {
            "jieba.lcut": lambda: [lcut(t) for t in texts],
            "read": lambda: list(xt.read_corpus(src)),
            "segment": lambda: [seg.cut(t) for t in texts],
            "segment (plain jieba engine)": lambda: [jieba_seg.cut(t) for t in texts],
            "money+percent": lambda: [_try(xt.extract, t, kinds=MONEY_PERCENT) for t in texts],
            "full with projects": lambda: [_try(xt.extract, t, kinds=FULL) for t in texts],
            "by stage": lambda: _by_stage(texts, per_stage),
        }
        if money is not None:
            plan["JioNLP extract_money"] = lambda: [money(t) for t in texts]
        print(f"1. {source}: {len(texts)} documents, {n:,} characters, {sum(len(t.encode()) for t in texts) / 1e6:.2f} MB, "
              f"raw text in (warm-up {time.perf_counter() - t0:.1f} s excluded; CPU seconds, {rounds} interleaved rounds, median)",
              flush=True)  # fmt: skip
        t = interleaved(plan, rounds, clock=time.process_time)
        base = n / t["jieba.lcut"]
        jio = n / t["JioNLP extract_money"] if money is not None else None
        print(f"  {'stage':<40} {'chars/s':>8}  {'/jieba':>8}  {'/JioNLP':>8}  target")
        print(ratio_line("jieba.lcut (baseline)", t["jieba.lcut"], n, base, jio))
        if money is not None:
            print(ratio_line("JioNLP extract_money (baseline)", t["JioNLP extract_money"], n, base, jio))
        print(ratio_line("read (jsonl -> Documents)", t["read"], n, base, jio))
        accel = "rjieba" if seg.accelerated else "jieba: rjieba not installed"
        print(ratio_line(f"segment ({accel})", t["segment"], n, base, jio, target=">= 3x jieba"))
        print(ratio_line("segment (plain jieba engine)", t["segment (plain jieba engine)"], n, base, jio))
        print(ratio_line("extract money+percent (clean included)", t["money+percent"], n, base, jio, target=">= 10x jieba"))
        print(ratio_line("extract with projects (clean included)", t["full with projects"], n, base, jio, target=">= 1.5x jieba"))
        if money is None:
            print("  JioNLP: not installed (pip install jionlp to compare)")
        secs = {k: statistics.median(v) for k, v in per_stage.items()}
        total = sum(secs.values())
        print(f"  the job by stage (seconds of one pass over the {len(texts)} documents; chars/s and /jieba of each stage alone):")
        for k in STAGES:
            print(f"    {k:<10} {secs[k]:6.2f} s  {secs[k] / total:5.1%}  {rate(n, secs[k]):>8}  {n / secs[k] / base:7.2f}x")
        print(f"    {'total':<10} {total:6.2f} s          {rate(n, total):>8}  {n / total / base:7.2f}x\n", flush=True)
        t0 = time.perf_counter()


def _by_stage(texts: list[str], seconds: dict[str, list[float]]) -> None:
    """One pass of the per-document job, stage by stage as extract runs them; seconds per stage."""
    acc = dict.fromkeys(STAGES, 0.0)
    for text in texts:
        try:
            spent = stage_seconds(text)
        except Exception:  # noqa: BLE001 - the batch reports and skips such a document too
            continue
        for k, v in spent.items():
            acc[k] += v
    for k, v in acc.items():
        seconds[k].append(v)


def _try(fn, *a, **kw):  # type: ignore[no-untyped-def]
    try:
        return fn(*a, **kw)
    except Exception:  # noqa: BLE001 - the batch reports and skips such a document too
        return None


def _write_jsonl(corpus: list[tuple[str, str]], folder: Path, part_mb: float, limit_mb: float | None = None) -> int:
    """Write the corpus as jsonl files of about ``part_mb`` MB each; with ``limit_mb``, cycle
    through it again (fresh ids) until that many MB are written. Returns the bytes written."""
    part, size, total, rnd = 0, 0, 0, 0
    out = (folder / f"part{part:04d}.jsonl").open("w", encoding="utf-8")
    try:
        while True:
            for key, text in corpus:
                line = json.dumps({"id": f"{rnd}/{key}", "text": text}, ensure_ascii=False) + "\n"
                n = len(line.encode())
                if size and size + n > part_mb * 1e6:
                    out.close()
                    part, size = part + 1, 0
                    out = (folder / f"part{part:04d}.jsonl").open("w", encoding="utf-8")
                out.write(line)
                size += n
                total += n
                if limit_mb is not None and total >= limit_mb * 1e6:
                    return total
            rnd += 1
            if limit_mb is None:
                return total
    finally:
        out.close()


# -- 2. workers -----------------------------------------------------------------------------------
def workers(texts: list[str], rounds: int) -> None:
    from xiangtan_nlp.pipeline import run_batch
    from xiangtan_nlp.extraction import KINDS

    n = chars(texts)

    def run(jobs: int, items: list[str] = texts) -> None:
        for _ in run_batch(items, KINDS, n_jobs=jobs, progress=False):
            pass

    run(1, texts[:3])  # this process's dictionaries load here, not in the first timed run
    cpu: dict[str, list[float]] = {"1 worker": [], "2 workers": []}

    def timed(name: str, jobs: int) -> None:
        # CPU seconds of this process and its (reaped) workers: on a machine that other jobs
        # keep busy, the wall-clock ratio is capped by the free cores, the CPU cost is not
        before = _cpu_seconds()
        run(jobs)
        cpu[name].append(_cpu_seconds() - before)

    print(f"2. worker processes: clean + {'+'.join(KINDS)} (the default job), run_batch(n_jobs=...), "
          f"pool start-up included ({rounds} interleaved rounds, median)", flush=True)  # fmt: skip
    t = interleaved({"1 worker": lambda: timed("1 worker", 1), "2 workers": lambda: timed("2 workers", 2)}, rounds)
    c1, c2 = (statistics.median(cpu[k]) for k in ("1 worker", "2 workers"))
    print(f"  1 worker   {rate(n, t['1 worker']):>8} chars/s  CPU {c1:6.1f} s")
    print(f"  2 workers  {rate(n, t['2 workers']):>8} chars/s  CPU {c2:6.1f} s  "
          f"{t['1 worker'] / t['2 workers']:.2f}x one worker  (target >= 1.8x)")  # fmt: skip
    print(f"  CPU per character, 2 workers vs 1: {c2 / c1:.2f} (1.00: no parallel overhead; "
          f"the most 2 idle cores could give is then about {2 * c1 / c2:.2f}x)")  # fmt: skip
    print(f"  (cores this process may use: {len(os.sched_getaffinity(0))}; load average now: "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())})\n", flush=True)  # fmt: skip


def _cpu_seconds() -> float:
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


# -- 3. memory ------------------------------------------------------------------------------------
def memory(corpus: list[tuple[str, str]], folder: Path, sizes_mb: list[float], gigabytes: float) -> None:
    sizes = sorted(set(sizes_mb + ([gigabytes * 1000] if gigabytes else [])))
    print("3. peak memory of `xiangtan-nlp extract IN/ -o OUT.csv` (default kinds; whole process tree)", flush=True)
    for jobs in (1, 2):
        for mb in sizes:
            src = folder / f"mem-{mb:g}"
            if not src.exists():
                src.mkdir()
                # files of 4 MB: the reader holds one file at a time, so this measures the
                # pipeline's memory against the corpus size, not the largest file's
                _write_jsonl(corpus, src, part_mb=4, limit_mb=mb)
            size = sum(p.stat().st_size for p in src.glob("*.jsonl")) / 1e6
            out = folder / "mem-out.csv"
            t0 = time.perf_counter()
            rss, pss, code = _peak_rss([*CLI, "extract", str(src), "-o", str(out), "-j", str(jobs), "--no-progress"])
            secs = time.perf_counter() - t0
            print(f"  -j {jobs}: input {size:7.1f} MB  peak PSS {pss / 2**20:5.0f} MiB  RSS {rss / 2**20:5.0f} MiB  "
                  f"({n_chars(src) / secs / 1e3:.0f}k chars/s, exit {code})", flush=True)  # fmt: skip
            out.unlink(missing_ok=True)
    print("  target: under 500 MB on a 1 GB input (flat in the input size)\n", flush=True)


def _peak_rss(cmd: list[str]) -> tuple[int, int, int]:
    """Run ``cmd``; peaks of the summed RSS and PSS of it and its children (sampled every 0.25 s).

    RSS counts pages shared between processes (forked workers) once per process; PSS splits
    them, so the PSS sum is the memory the run really holds."""
    import psutil

    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak_rss = peak_pss = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_rss, peak_pss
        p = psutil.Process(proc.pid)
        while not done.is_set():
            rss = pss = 0
            try:
                for q in [p, *p.children(recursive=True)]:
                    info = q.memory_full_info()
                    rss += info.rss
                    pss += info.pss
            except psutil.Error:
                pass
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            time.sleep(0.25)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    code = proc.wait()
    done.set()
    th.join()
    return peak_rss, peak_pss, code


def n_chars(folder: Path) -> int:
    """Characters of text in the jsonl files of ``folder``."""
    total = 0
    for f in folder.glob("*.jsonl"):
        with f.open(encoding="utf-8") as fh:
            total += sum(len(json.loads(line)["text"]) for line in fh)
    return total


# -- 4. import time -------------------------------------------------------------------------------
def import_time(rounds: int) -> None:
    snippets = {
        "xiangtan_nlp": "import xiangtan_nlp",
        "jieba+sklearn+pandas": "import jieba, sklearn, pandas",
    }
    times: dict[str, list[float]] = {k: [] for k in snippets}
    for r in range(rounds):
        for name in (list(snippets) if r % 2 == 0 else list(snippets)[::-1]):
            code = f"import time; t = time.perf_counter(); {snippets[name]}; print(time.perf_counter() - t)"
            out = subprocess.run([PY, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
            times[name].append(float(out.stdout.strip().splitlines()[-1]))
    a, b = (statistics.median(times[k]) for k in snippets)
    print(f"4. import time in a fresh interpreter ({rounds} interleaved rounds, median)")
    print(f"  import xiangtan_nlp              {a * 1000:7.1f} ms")
    print(f"  import jieba, sklearn, pandas    {b * 1000:7.1f} ms")
    print(f"  ratio {a / b:.3f}  (target < 0.333)")


if __name__ == "__main__":
    main()
