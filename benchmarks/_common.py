"""Shared by the benchmarks: the test corpus, interleaved timing, and plain baselines.

Wall-clock figures on a shared machine are noisy, so every stage is timed in the same run as its
baseline, stages are interleaved (the order rotates each round) and the median round is kept.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("XT_SHARED_DATA", ROOT.parent / "shared" / "data"))


def load_texts(megabytes: float, data: Path = SHARED_DATA) -> list[tuple[str, str]]:
    """About ``megabytes`` MB (UTF-8) of real news as (id, text): news_dev first, then lm_corpus."""
    files = sorted((data / "news_dev").glob("*.jsonl")) + sorted((data / "lm_corpus").glob("*.jsonl"))
    if not files:
        _missing(f"no *.jsonl under {data}/news_dev or {data}/lm_corpus")
    return _take(files, megabytes, lambda rec: True)


#: The two kinds of text the speed targets are set on (issue 17): light news (CCTV's 新闻联播
#: transcripts, few figures) and figure-dense economic news (figures in most sentences).
SOURCES = ("xwlb", "econ")


def load_source(source: str, megabytes: float | None = None, data: Path = SHARED_DATA) -> list[tuple[str, str]]:
    """Raw (id, text) of one kind of text, as users pass it to ``extract`` (nothing cleaned).

    ``econ``: news_dev/econ.jsonl (345 economic articles); ``xwlb``: the xwlb records of lm_corpus.
    Up to ``megabytes`` MB (UTF-8) when given, else econ whole and xwlb as large as econ.
    """
    if source == "econ":
        files, keep = [data / "news_dev" / "econ.jsonl"], lambda rec: True
    elif source == "xwlb":
        files, keep = sorted((data / "lm_corpus").glob("*.jsonl")), lambda rec: rec.get("source") == "xwlb"
    else:
        raise ValueError(f"source must be one of {SOURCES}, not {source!r}")
    if not files or not files[0].exists():
        _missing(str(files[0] if files else data / "lm_corpus"))
    if megabytes is None:
        megabytes = 1e9 if source == "econ" else _size_mb(load_source("econ", data=data))
    return _take(files, megabytes, keep)


def _take(files: list[Path], megabytes: float, keep: Callable[[dict], bool]) -> list[tuple[str, str]]:
    """(id, text) of the records ``keep`` accepts, distinct ids, until ``megabytes`` MB (UTF-8)."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    size = 0
    for f in files:
        with f.open(encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                text, key = rec.get("text") or "", str(rec.get("id"))
                if not text or key in seen or not keep(rec):
                    continue
                seen.add(key)
                out.append((key, text))
                size += len(text.encode("utf-8"))
                if size >= megabytes * 1e6:
                    return out
    return out  # all there is


def _missing(what: str) -> None:
    sys.exit(
        f"benchmark data not found: {what}\n"
        "  hint: run from a checkout beside shared/, or set XT_SHARED_DATA=/path/to/shared/data"
    )


def _size_mb(corpus: list[tuple[str, str]]) -> float:
    return sum(len(t.encode("utf-8")) for _, t in corpus) / 1e6


def chars(texts: Sequence[str]) -> int:
    """Total characters."""
    return sum(len(t) for t in texts)


def interleaved(
    stages: dict[str, Callable[[], object]], rounds: int, *, quiet: bool = False, clock: Callable[[], float] = time.perf_counter
) -> dict[str, float]:
    """Run every stage once per round, rotating the order; the median seconds per stage.

    ``clock=time.process_time`` counts this process's CPU seconds: steadier than the wall clock
    on a machine other jobs keep busy (only for work done in this process)."""
    times: dict[str, list[float]] = {name: [] for name in stages}
    names = list(stages)
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            t0 = clock()
            stages[name]()
            times[name].append(clock() - t0)
        if not quiet:
            print(f"  round {r + 1}/{rounds}: " + ", ".join(f"{n} {times[n][-1]:.2f}s" for n in names), file=sys.stderr)
    return {n: statistics.median(v) for n, v in times.items()}


def plain_jieba() -> Callable[[str], list[str]]:
    """Plain ``jieba.lcut``, initialised (quietly) before any timing."""
    import logging

    import jieba

    logging.getLogger("jieba").setLevel(logging.WARNING)
    jieba.initialize()
    return jieba.lcut


def jionlp_extract_money() -> Callable[[str], list] | None:
    """JioNLP's ``extract_money`` when JioNLP is installed (it prints a banner on import)."""
    import contextlib
    import io

    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            import jionlp

            jionlp.ner.extract_money("总投资30亿元")  # load its dictionaries before timing
    except ImportError:
        return None
    return jionlp.ner.extract_money


def rate(n_chars: int, seconds: float) -> str:
    """Characters per second, human-readable."""
    cps = n_chars / seconds if seconds else float("inf")
    return f"{cps / 1e6:.2f}M" if cps >= 1e6 else f"{cps / 1e3:.0f}k"


def ratio_line(name: str, seconds: float, n_chars: int, *baselines: float | None, target: str = "") -> str:
    """One row of a results table: stage, chars/s, ratio to each baseline's chars/s, target."""
    cps = n_chars / seconds
    ratios = "  ".join(f"{cps / b:7.2f}x" if b else "       -" for b in baselines)
    return f"  {name:<40} {rate(n_chars, seconds):>8}  {ratios}  {target}"


#: The stages of the per-document job, in the order extract runs them.
STAGES = ("normalize", "debris", "repair", "figures", "projects", "links")


def stage_seconds(text: str) -> dict[str, float]:
    """CPU seconds per stage of the job for one text, in this process (load the models first)."""
    from xiangtan_nlp.cleaning.debris import strip_debris
    from xiangtan_nlp.cleaning.normalize import normalize
    from xiangtan_nlp.cleaning.repair import repair
    from xiangtan_nlp.extraction.figures import find_figures
    from xiangtan_nlp.extraction.projects import find_projects, link_figures

    t = [time.process_time()]
    text = normalize(text)[0]
    t.append(time.process_time())
    text = strip_debris(text)[0]
    t.append(time.process_time())
    text = repair(text).text
    t.append(time.process_time())
    figures = find_figures(text, ("money", "percent"))
    t.append(time.process_time())
    projects = find_projects(text)
    t.append(time.process_time())
    link_figures(text, figures, projects)
    t.append(time.process_time())
    return {k: b - a for k, a, b in zip(STAGES, t, t[1:])}
