"""The Dask engine: a scheduler and two worker processes on 127.0.0.1 give the local rows, in order,
and a worker killed mid-run loses and repeats no document."""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import signal
from decimal import Decimal

import pytest

pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import dask.bag as db  # noqa: E402
import dask.dataframe as dd  # noqa: E402
import pandas as pd  # noqa: E402
from click.testing import CliRunner  # noqa: E402

import xiangtan_nlp as xt  # noqa: E402
from xiangtan_nlp.pipeline import batch  # noqa: E402
from xiangtan_nlp.cli import cli  # noqa: E402
from xiangtan_nlp.pipeline import dask as engine  # noqa: E402
from xiangtan_nlp.model import COLUMNS, format_decimal, records_frame  # noqa: E402

from conftest import CORPUS  # noqa: E402

KINDS = ("money", "percent")


@pytest.fixture(scope="module")
def cluster():
    """A scheduler and two single-threaded worker processes, on 127.0.0.1 only."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None, silence_logs=40,
    ) as c, distributed.Client(c) as client:  # fmt: skip
        yield c, client


@pytest.fixture(scope="module")
def docs() -> list[xt.Document]:
    return list(xt.read_corpus(CORPUS))


@pytest.fixture(scope="module")
def serial(docs) -> list[tuple]:
    """The local serial run: (doc id, records, error) per document."""
    return [(d.id, recs, err) for d, recs, err in batch.run_batch(docs, KINDS, n_jobs=1)]


@pytest.fixture(scope="module")
def local(serial) -> pd.DataFrame:
    return records_frame([r for _, recs, _ in serial for r in recs])


def rows(frame: pd.DataFrame) -> list[tuple]:
    """Rows as plain tuples: decimals as plain strings, missing values as None."""
    out = []
    for row in frame[list(COLUMNS)].itertuples(index=False, name=None):
        out.append(tuple(
            None if v is None or (isinstance(v, float) and v != v)
            else format_decimal(v) if isinstance(v, Decimal)
            else v.item() if hasattr(v, "item") else v
            for v in row
        ))  # fmt: skip
    return out


def test_bag_of_documents_gives_the_local_rows(cluster, docs, local) -> None:
    ddf = engine.extract_dask(db.from_sequence(docs, npartitions=4), kinds=KINDS)
    assert list(ddf.columns) == list(COLUMNS)
    got = ddf.compute()
    assert len(local) > 300
    assert rows(got) == rows(local)
    # fixed dtypes, whatever rows came out: decimals are exact strings
    assert {str(got[c].dtype) for c in ("value", "low", "high", "project", "stage")} == {"str"}
    assert (got["start"].dtype, got["approx"].dtype) == ("int64", "bool")
    assert Decimal(got["value"].dropna().iloc[0]) == local["value"].dropna().iloc[0]


def test_strings_and_dataframes_get_the_local_ids(cluster, docs) -> None:
    texts = [d.text for d in docs[:12]]
    local = rows(xt.extract_frame(texts, kinds=KINDS))
    from_bag = engine.extract_dask(db.from_sequence(texts, npartitions=5), kinds=KINDS).compute()
    from_frame = engine.extract_dask(dd.from_pandas(pd.DataFrame({"text": texts}), npartitions=3), kinds=KINDS).compute()
    assert rows(from_bag) == local
    assert rows(from_frame) == local
    named = pd.DataFrame({"key": [d.id for d in docs[:12]], "body": texts})
    got = engine.extract_dask(dd.from_pandas(named, npartitions=2), kinds=KINDS, text_column="body", id_column="key").compute()
    assert list(dict.fromkeys(got["doc_id"])) == [d.id for d in docs[:12] if d.id in set(got["doc_id"])]


def test_dataframe_without_the_text_column_is_refused(cluster) -> None:
    with pytest.raises(ValueError, match="no column 'text'"):
        engine.extract_dask(dd.from_pandas(pd.DataFrame({"body": ["投资1亿元"]}), npartitions=1))


def test_run_dask_streams_in_input_order(cluster, docs, serial) -> None:
    _, client = cluster
    got = [(d.id, recs, err) for d, recs, err in engine.run_dask(docs, KINDS, client=client)]
    assert got == serial


def test_worker_killed_mid_run_loses_and_repeats_nothing(cluster, docs, serial, monkeypatch) -> None:
    _, client = cluster
    monkeypatch.setattr(engine, "_CHUNK_DOCS", 2)  # many small tasks, so some are on the victim
    many = [xt.Document(id=f"{k}/{d.id}", text=d.text) for k in range(3) for d in docs]
    expected = [
        (f"{k}/{i}", [dataclasses.replace(r, doc_id=f"{k}/{i}") for r in recs], err)
        for k in range(3) for i, recs, err in serial
    ]  # fmt: skip
    pids = client.run(os.getpid)  # worker address -> process id
    victim = sorted(pids.values())[0]
    got = []
    for i, (d, recs, err) in enumerate(engine.run_dask(many, KINDS, client=client)):
        if i == 3:  # tasks are queued on both workers now
            os.kill(victim, signal.SIGKILL)
        got.append((d.id, recs, err))
    assert _worker_gone(client, victim), "the worker was killed (and replaced)"
    ids = [g[0] for g in got]
    assert len(ids) == len(set(ids)) == len(many)
    assert got == expected


def _worker_gone(client, pid: int, wait: float = 20.0) -> bool:
    """True once no live worker has process id ``pid`` (the nanny may still be restarting it)."""
    import time

    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            if pid not in client.run(os.getpid).values():
                return True
        except Exception:  # noqa: BLE001 - a worker leaving while we ask: ask again
            pass
        time.sleep(0.5)
    return False


@pytest.fixture(scope="module")
def local_csv(tmp_path_factory) -> bytes:
    out = tmp_path_factory.mktemp("local") / "local.csv"
    CliRunner().invoke(cli, ["extract", str(CORPUS), "-o", str(out), "-j", "1", "--kinds", "money,percent"])
    return out.read_bytes()


def test_cli_dask_engine_matches_local_csv(cluster, local_csv, tmp_path) -> None:
    c, _ = cluster
    out = tmp_path / "dask.csv"
    args = ["extract", str(CORPUS), "-o", str(out), "--kinds", "money,percent", "--engine", "dask", "--scheduler", c.scheduler_address]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == local_csv


def test_cli_dask_parquet_is_a_folder_of_parts(cluster, local_csv, tmp_path) -> None:
    c, _ = cluster
    out = tmp_path / "figures"
    args = ["extract", str(CORPUS), "-o", str(out), "--format", "parquet", "--kinds", "money,percent", "--engine", "dask", "--scheduler", c.scheduler_address]  # fmt: skip
    for _ in range(2):  # the second run replaces the first folder
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert out.is_dir() and sorted(p.name for p in out.iterdir()) == ["part-00000.parquet"]
    table = pd.read_parquet(out)
    expected = list(csv.reader(io.StringIO(local_csv.decode("utf-8"))))
    assert list(table.columns) == expected[0]
    cells = [[("" if v is None or v != v else ("true" if v is True else "false" if v is False else str(v))) for v in row]
             for row in table.astype(object).itertuples(index=False, name=None)]  # fmt: skip
    assert cells == expected[1:]


def test_cli_dask_usage_errors(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(engine, "CONNECT_TIMEOUT", "1s")
    run = CliRunner().invoke
    r = run(cli, ["extract", str(CORPUS), "-o", str(tmp_path / "x.csv"), "--scheduler", "tcp://127.0.0.1:1"])
    assert r.exit_code == 2 and "--engine dask" in r.output
    r = run(cli, ["extract", str(CORPUS), "-o", str(tmp_path / "x"), "--format", "parquet", "--engine", "dask", "--resume"])
    assert r.exit_code == 2
    r = run(cli, ["extract", str(CORPUS), "-o", str(tmp_path / "x.csv"), "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9"])
    assert r.exit_code == 1 and "cannot reach the Dask scheduler" in r.output


def test_importing_the_engine_imports_no_dask() -> None:
    import subprocess
    import sys

    code = (
        "import sys, xiangtan_nlp, xiangtan_nlp.pipeline.dask; "
        "print(sorted(m for m in ('dask', 'distributed', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
