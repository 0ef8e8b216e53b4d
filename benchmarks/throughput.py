"""Throughput of every stage beside plain ``jieba.lcut`` (and JioNLP) on the same text (issue 7).

    python benchmarks/throughput.py                    # ~20 MB of ../shared/data news, 3 rounds
    python benchmarks/throughput.py --size 5 --rounds 5
    python benchmarks/throughput.py --memory-gb 1      # also the streaming run over a 1 GB input

Sections (each figure is the median of interleaved rounds; ratios are to baselines measured in the
same run on the same text):

1. characters per second: read (jsonl files -> Documents), clean, segment (rjieba accelerator when
   installed, and plain jieba with our dictionary), money+percent extraction on cleaned text, the
   CLI job (clean + money + percent), full extraction with projects when "project" is a kind;
   beside ``jieba.lcut`` and JioNLP's ``extract_money`` (when JioNLP is installed);
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

from _common import ROOT, chars, interleaved, jionlp_extract_money, load_texts, plain_jieba, rate, ratio_line

PY = sys.executable
CLI = [PY, "-c", "from xiangtan_nlp.cli import main; main()"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=float, default=20, metavar="MB", help="corpus size (default 20)")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds per section (default 3)")
    ap.add_argument("--memory-sizes", default="8,16,32", metavar="MB,MB,...", help="inputs for the memory section")
    ap.add_argument("--memory-gb", type=float, default=0, help="also a streaming run over an input this large")
    ap.add_argument("--skip", default="", help="comma-separated sections to skip: stages,workers,memory,import")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    warnings.simplefilter("ignore")

    corpus = load_texts(args.size)
    texts = [t for _, t in corpus]
    n = chars(texts)
    print(f"corpus: {len(texts)} documents, {n:,} characters, "
          f"{sum(len(t.encode()) for t in texts) / 1e6:.1f} MB from ../shared/data", flush=True)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="xt-bench-") as tmp:
        folder = Path(tmp)
        if "stages" not in skip:
            stages(corpus, folder, args.rounds)
        if "workers" not in skip:
            workers(texts, args.rounds)
        if "memory" not in skip:
            memory(corpus, folder, [float(s) for s in args.memory_sizes.split(",")], args.memory_gb)
    if "import" not in skip:
        import_time(max(args.rounds, 5))


# -- 1. stages ------------------------------------------------------------------------------------
def stages(corpus: list[tuple[str, str]], folder: Path, rounds: int) -> None:
    import xiangtan_nlp as xt
    from xiangtan_nlp.pipeline.document import extract_document
    from xiangtan_nlp.extraction import KINDS
    from xiangtan_nlp.segmenter import Segmenter, default_segmenter

    texts = [t for _, t in corpus]
    n = chars(texts)
    src = folder / "read"
    src.mkdir()
    _write_jsonl(corpus, src, part_mb=4)

    t0 = time.perf_counter()
    lcut = plain_jieba()
    cleaned = [_clean(xt, t) for t in texts]
    seg = default_segmenter()
    seg.cut("预热")
    jieba_seg = Segmenter()
    jieba_seg._accel = False  # our dictionary on plain jieba: what segment() does without rjieba
    jieba_seg.cut("预热")
    docs = [xt.Document(id=k, text=t) for k, t in corpus]
    cdocs = [xt.Document(id=d.id, text=c) for d, c in zip(docs, cleaned)]
    full = ("money", "percent", "project") if "project" in KINDS else None
    if full:
        _try(extract_document, cdocs[0], full, clean=False)
    money = jionlp_extract_money()
    print(f"warm-up (dictionaries, models): {time.perf_counter() - t0:.1f} s, excluded from the figures\n", flush=True)

    plan = {
        "jieba.lcut": lambda: [lcut(t) for t in texts],
        "read": lambda: list(xt.read_corpus(src)),
        "clean": lambda: [_clean(xt, t) for t in texts],
        "segment": lambda: [seg.cut(t) for t in texts],
        "segment (plain jieba engine)": lambda: [jieba_seg.cut(t) for t in texts],
        "money+percent": lambda: [_try(extract_document, d, ("money", "percent"), clean=False) for d in cdocs],
        "clean+money+percent": lambda: [_try(extract_document, d, ("money", "percent")) for d in docs],
    }
    if full:
        plan["full with projects"] = lambda: [_try(extract_document, d, full, clean=False) for d in cdocs]
    if money is not None:
        plan["JioNLP extract_money"] = lambda: [money(t) for t in cleaned]
    print(f"1. characters per second ({rounds} interleaved rounds, median)", flush=True)
    t = interleaved(plan, rounds)
    nc = chars(cleaned)
    base = n / t["jieba.lcut"]
    jio = nc / t["JioNLP extract_money"] if money is not None else None
    print(f"  {'stage':<40} {'chars/s':>8}  {'/jieba':>8}  {'/JioNLP':>8}  target")
    print(ratio_line("jieba.lcut (baseline)", t["jieba.lcut"], n, base, jio))
    if money is not None:
        print(ratio_line("JioNLP extract_money (baseline)", t["JioNLP extract_money"], nc, base, jio))
    print(ratio_line("read (jsonl -> Documents)", t["read"], n, base, jio))
    print(ratio_line("clean", t["clean"], n, base, jio))
    accel = "rjieba" if seg.accelerated else "jieba: rjieba not installed"
    print(ratio_line(f"segment ({accel})", t["segment"], n, base, jio, target=">= 3x jieba"))
    print(ratio_line("segment (plain jieba engine)", t["segment (plain jieba engine)"], n, base, jio))
    print(ratio_line("money+percent (cleaned text)", t["money+percent"], nc, base, jio, target=">= 10x jieba, >= 2x JioNLP"))
    print(ratio_line("clean + money+percent (the CLI job)", t["clean+money+percent"], n, base, jio))
    if full:
        print(ratio_line("full with projects (cleaned text)", t["full with projects"], nc, base, jio, target=">= 1.5x jieba"))
    else:
        print("  full with projects: skipped ('project' is not in xiangtan_nlp.extraction.KINDS yet)")
    if money is None:
        print("  JioNLP: not installed (pip install jionlp to compare)")
    print(flush=True)


def _clean(xt, text: str) -> str:  # type: ignore[no-untyped-def]
    try:
        return xt.clean(text).text
    except Exception:  # noqa: BLE001 - the batch skips such a document too
        return text


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
