"""The command line end to end: outputs, exit status, messages, and refusal to overwrite inputs."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from xiangtan_nlp.cli import cli
from xiangtan_nlp.model import COLUMNS

from conftest import CORPUS, SEED

ARTICLE = "湘潭经开区某项目总投资20亿元，同比增长8.1%。"


def run(*args: str, input: str | bytes | None = None):  # noqa: A002
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_every_command_has_help() -> None:
    assert cli.commands, "commands are registered"
    for name, cmd in cli.commands.items():
        assert (cmd.help or "").strip(), f"{name} has no help text"
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert "Usage:" in result.output


def test_extract_seed_to_csv(tmp_path) -> None:
    out = tmp_path / "figures.csv"
    result = run("extract", str(SEED), "-o", str(out), "--kinds", "money,percent")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == list(COLUMNS)
    assert [(r["kind"], r["text"], r["value"]) for r in rows] == [
        ("percent", "8.1%", "8.1"), ("percent", "36.9个百分点", "36.9"), ("percent", "151.67%", "151.67"),
        ("percent", "153.97%", "153.97"), ("money", "20亿元", "2000000000"), ("money", "60亿元以上", "6000000000"),
        ("money", "超过30亿元", "3000000000"), ("money", "2.2亿元", "220000000"),
    ]  # fmt: skip
    assert "1 documents, 8 records" in result.stderr


def test_extract_jsonl_to_stdout_keeps_chinese() -> None:
    result = run("extract", "-", "--format", "jsonl", "--kinds", "money", input=ARTICLE.encode("gb18030"))
    assert result.exit_code == 0
    (line,) = result.stdout.strip().split("\n")
    obj = json.loads(line)
    assert obj["text"] == "20亿元" and obj["value"] == "2000000000" and obj["unit"] == "CNY"
    assert "亿元" in line  # not \\u-escaped


def test_bom_option(tmp_path) -> None:
    out = tmp_path / "f.csv"
    run("extract", str(SEED), "-o", str(out), "--bom")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_exit_1_names_each_failure_and_keeps_the_rest(tmp_path) -> None:
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    out = tmp_path.parent / f"{tmp_path.name}-out.csv"
    result = run("extract", str(tmp_path), str(tmp_path / "missing"), "-o", str(out))
    assert result.exit_code == 1
    assert "photo.txt: not text: looks like a PNG image" in result.stderr
    assert "missing: no such file or folder" in result.stderr
    assert "Traceback" not in result.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {r["text"] for r in rows} == {"20亿元", "8.1%"}


def test_usage_errors_exit_2(tmp_path) -> None:
    assert run("extract").exit_code == 2
    assert run("extract", str(SEED), "--kinds", "money,weight").exit_code == 2
    assert run("extract", str(SEED), "--format", "xml").exit_code == 2
    assert run("no-such-command").exit_code == 2


def test_refuses_to_overwrite_input(tmp_path) -> None:
    src = tmp_path / "a.txt"
    src.write_text(ARTICLE, encoding="utf-8")
    result = run("extract", str(src), "-o", str(src))
    assert result.exit_code == 2
    assert "refusing to write over the input" in result.stderr
    assert src.read_text(encoding="utf-8") == ARTICLE
    result = run("extract", str(tmp_path), "-o", str(tmp_path / "out.csv"))
    assert result.exit_code == 2 and "inside the input folder" in result.stderr


def test_clean_and_explain() -> None:
    result = run("clean", str(SEED))
    assert result.exit_code == 0
    assert "当前位置" not in result.stdout and "湘潭在线日讯" in result.stdout
    explained = run("clean", "--explain", str(SEED))
    assert explained.exit_code == 0
    assert "debris:breadcrumb" in explained.stdout
    assert "'当前位置:首页 > 新闻中心 > 正文内容⏎' → ''" in explained.stdout
    # the seed's masked 枪 is listed with the fillers weighed for it, its own first
    (line,) = [ln for ln in explained.stdout.splitlines() if "mask-infill" in ln][:1]
    assert "'***' → '枪'" in line and "candidates: 枪 " in line


def test_clean_not_text() -> None:
    result = run("clean", "-", input=b"\x89PNG\r\n\x1a\n" + bytes(64))
    assert result.exit_code == 1
    assert "not text" in result.stderr


def test_segment_command() -> None:
    result = run("segment", "-", input="湘潭经开区总投资2.2亿元")
    assert result.stdout.strip() == "湘潭经开区 总投资 2.2亿 元"


def test_extract_bundled_corpus(tmp_path) -> None:
    out = tmp_path / "figures.csv"
    result = run("extract", str(CORPUS), "-o", str(out), "--kinds", "money,percent")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    docs = {r["doc_id"] for r in rows}
    assert len(docs) >= 40 and len(rows) > 500
    assert all(r["text"] in r["sentence"] for r in rows)


def test_console_script_no_traceback(tmp_path) -> None:
    """The installed entry point turns an unexpected error into one line (exit 1)."""
    r = subprocess.run(
        [sys.executable, "-c", "from xiangtan_nlp.cli import main; main(['extract', '--kinds', 'money', '-'])"],
        input=ARTICLE, capture_output=True, text=True,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "20亿元" in r.stdout
