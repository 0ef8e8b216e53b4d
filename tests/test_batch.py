"""Batches: worker processes give the serial output in input order; budgets; resuming a killed run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

import xiangtan_nlp as xt
from xiangtan_nlp import budget, jobs
from xiangtan_nlp.pipeline import batch, document
from xiangtan_nlp.cli import cli

from conftest import CORPUS


@pytest.fixture(scope="module")
def docs() -> list[xt.Document]:
    """The bundled corpus twice over (enough documents to start worker processes)."""
    base = list(xt.read_corpus(CORPUS))
    return base + [xt.Document(id=f"copy/{d.id}", text=d.text, path=f"copy/{d.path}") for d in base]


def test_workers_match_serial_in_input_order(docs) -> None:
    serial = xt.extract_frame(docs, kinds="money,percent", n_jobs=1)
    parallel = xt.extract_frame(docs, kinds="money,percent", n_jobs=2)
    assert len(serial) > 1000
    assert serial.equals(parallel)
    order = list(dict.fromkeys(serial["doc_id"]))
    expected = [d.id for d in docs if d.id in set(order)]
    assert order == expected


def test_time_budget_skips_and_reports(monkeypatch) -> None:
    clock = iter(range(0, 10**6, 5))  # every reading of the clock is 5 s later than the last
    monkeypatch.setattr(budget.time, "monotonic", lambda: next(clock))
    doc = xt.Document(id="slow", text="第一行\n" * 600 + "总投资20亿元")
    _, records, error = document.process_one(doc, ("money",), timeout=1.0)
    assert records == [] and "budget" in error
    monkeypatch.undo()
    _, records, error = document.process_one(doc, ("money",), timeout=60.0)
    assert error is None and [r.text for r in records] == ["20亿元"]


def test_one_failing_document_does_not_stop_the_batch(monkeypatch) -> None:
    real = document.extract_document

    def flaky(doc, kinds, **kw):
        if doc.id == "bad":
            raise RuntimeError("boom")
        return real(doc, kinds, **kw)

    monkeypatch.setattr(document, "extract_document", flaky)
    items = [xt.Document("a", "投资1亿元"), xt.Document("bad", "投资2亿元"), xt.Document("c", "投资3亿元")]
    results = list(batch.run_batch(items, ("money",)))
    assert [(d.id, [r.text for r in recs], err) for d, recs, err in results] == [
        ("a", ["1亿元"], None), ("bad", [], "RuntimeError: boom"), ("c", ["3亿元"], None),
    ]


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_resume_after_interrupt(tmp_path, monkeypatch) -> None:
    out = tmp_path / "figures.csv"
    reference = tmp_path / "reference.csv"
    assert _run("extract", str(CORPUS), "-o", str(reference), "--workers", "1", "--kinds", "money,percent").exit_code == 0

    real = document.process_one
    seen = []

    def interrupt(doc, *a, **kw):
        seen.append(doc.id)
        if len(seen) == 20:
            raise KeyboardInterrupt
        return real(doc, *a, **kw)

    monkeypatch.setattr(document, "process_one", interrupt)
    stopped = _run("extract", str(CORPUS), "-o", str(out), "--workers", "1", "--kinds", "money,percent")
    monkeypatch.undo()
    assert stopped.exit_code != 0
    assert "interrupted after 19 documents; run the same command with --resume" in stopped.stderr
    assert not out.exists(), "an interrupted run never leaves a half-written output in place"
    assert (tmp_path / "figures.csv.partial").exists()
    result = _run("extract", str(CORPUS), "-o", str(out), "--workers", "1", "--kinds", "money,percent", "--resume")
    assert result.exit_code == 0, result.stderr
    assert "resuming: 19 documents already written" in result.stderr
    assert out.read_bytes() == reference.read_bytes()
    assert not (tmp_path / "figures.csv.partial").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_resume_after_kill(tmp_path) -> None:
    """A hard kill in the middle of a document loses nothing and duplicates nothing."""
    out = tmp_path / "figures.jsonl"
    reference = tmp_path / "reference.jsonl"
    args = ["extract", str(CORPUS), "--workers", "1", "--kinds", "money,percent", "--no-progress"]
    assert _run(*args, "-o", str(reference)).exit_code == 0
    script = textwrap.dedent(
        f"""
        import os, signal
        from xiangtan_nlp.pipeline import document as batch
        from xiangtan_nlp.cli import main
        real, n = batch.process_one, [0]
        def killer(doc, *a, **kw):
            n[0] += 1
            if n[0] == 30:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(doc, *a, **kw)
        batch.process_one = killer
        main({args + ["-o", str(out)]!r})
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()
    resumed = _run(*args, "-o", str(out), "--resume")
    assert resumed.exit_code == 0, resumed.stderr
    assert out.read_text(encoding="utf-8") == reference.read_text(encoding="utf-8")


def test_resume_rejected_for_stdout() -> None:
    result = _run("extract", str(CORPUS), "--resume")
    assert result.exit_code == 2 and "needs an output file" in result.stderr


def test_default_workers_is_all_cores() -> None:
    n = jobs.default_workers()
    assert n >= 1
    if hasattr(os, "sched_getaffinity"):
        assert n == len(os.sched_getaffinity(0))


@pytest.mark.parametrize("stage", ["repair", "projects"])
def test_a_stage_without_checks_is_stopped_and_named(monkeypatch, stage) -> None:
    """The budget holds in stages that never look at the clock (repair, project finding)."""
    import time

    from xiangtan_nlp.cleaning import repair as repair_module
    from xiangtan_nlp.extraction import projects as projects_module

    def stuck(*args, **kwargs):  # pure Python work that would run for 30 s unless stopped
        end = time.monotonic() + 30
        while time.monotonic() < end:
            pass
        return [] if stage == "projects" else None

    target = (projects_module, "find_projects") if stage == "projects" else (repair_module, "repair")
    monkeypatch.setattr(*target, stuck)
    doc = xt.Document(id="stuck", text="湖南中部(湘乡)电力产业园项目总投资20亿元。")
    _, records, error = document.process_one(doc, ("money", "project"), timeout=0.5)
    assert records == []
    assert error is not None and "budget" in error and f"stopped in {stage}" in error, error
    # the next document is processed as usual: the alarm is off again
    monkeypatch.undo()
    _, records, error = document.process_one(doc, ("money",), timeout=60.0)
    assert error is None and [r.text for r in records] == ["20亿元"]


def test_paused_stops_the_clock_of_the_budget() -> None:
    """Inside ``paused`` neither the deadline nor the alarm runs; outside it both do."""
    import time

    with budget.time_budget(0.3):
        with budget.paused():
            time.sleep(0.5)  # would be stopped by the alarm at 0.3 s without the pause
        left = budget.time_left()
        assert left is not None and 0 < left <= 0.3
    with pytest.raises(budget.DocumentTimeout):
        with budget.time_budget(0.3):
            time.sleep(0.5)


def test_first_document_does_not_pay_for_loading_the_models() -> None:
    """The repair models and lexicon load on first use, with the budget paused: under a budget
    shorter than the loading, the first masked document is still repaired, not failed."""
    from xiangtan_nlp.cleaning import gapnet, lm, prior, repair

    for loader in (lm.get_models, lm.get_lexicon, gapnet.get_gapnet, prior.get_prior, repair._loaded):
        loader.cache_clear()
    doc = xt.Document(id="first", text="打响了项目竞赛活动的“发令***”，总投资20亿元。")
    _, records, error = document.process_one(doc, ("money",), timeout=0.5)
    assert error is None, error
    assert [r.text for r in records] == ["20亿元"]
    assert "发令枪" in records[0].sentence


# -- the job runner's workers (issue 19): a death costs one item, never the run ----------------------------
def _double_or_die(chunk: list[int]) -> list[int]:
    """Doubles; items 37 and 150 kill their worker as the OOM killer would (SIGKILL)."""
    out = []
    for x in chunk:
        if x in (37, 150):
            os.kill(os.getpid(), signal.SIGKILL)
        out.append(2 * x)
    return out


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_dead_worker_costs_only_its_item() -> None:
    heard: list[str] = []
    got = list(jobs.ordered_map(_double_or_die, range(200), workers=2, chunk_size=8,
                                on_lost=lambda x, why: (x, why), notify=heard.append))  # fmt: skip
    assert [g for g in got if isinstance(g, tuple)] == [
        (37, "the worker process died while processing it (killed by SIGKILL: out of memory?)"),
        (150, "the worker process died while processing it (killed by SIGKILL: out of memory?)"),
    ]
    assert [g for g in got if not isinstance(g, tuple)] == [2 * x for x in range(200) if x not in (37, 150)]
    assert heard == ["a worker process died (killed by SIGKILL: out of memory?); the 8 items it held are run again one by one"] * 2
    with pytest.raises(jobs.WorkerDied, match="while running one item"):
        list(jobs.ordered_map(_double_or_die, range(200), workers=2, chunk_size=8))


def _fail_to_start() -> None:
    raise RuntimeError("no model file")


def test_a_failing_initializer_stops_the_run_at_once() -> None:
    """Every worker would fail the same way: the error is raised, workers are not restarted forever."""
    import multiprocessing

    with pytest.raises(RuntimeError, match="no model file"):
        list(jobs.ordered_map(_double_or_die, range(200), workers=2, chunk_size=8, initializer=_fail_to_start))
    assert multiprocessing.active_children() == []


def test_a_consumer_that_stops_early_leaves_no_worker() -> None:
    import multiprocessing

    results = jobs.ordered_map(_double_or_die, range(38, 10**6), workers=2, chunk_size=8)
    assert next(results) == 76
    results.close()
    assert multiprocessing.active_children() == []
