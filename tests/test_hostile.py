"""Hostile input end to end: every bad file is named with its reason, the rest is processed."""

from __future__ import annotations

import csv
import json
import os
import socket
import sys

import pytest
from click.testing import CliRunner

from xiangtan_nlp.cli import cli

GOOD_TXT = "湘潭经开区某项目总投资20亿元，同比增长8.1%。"
GOOD_JSONL = [
    {"id": "j1", "text": "拟投资2.2亿元建设新厂，完成率151.67%。"},
    None,  # a broken line goes here
    {"id": "j3", "text": None},
    {"id": "j4", "text": "融资0.72亿和0.45亿美元。"},
]


def _good_files(folder) -> None:
    (folder / "good.txt").write_text(GOOD_TXT, encoding="utf-8")
    (folder / "gbk.txt").write_bytes("投资增长12.5%，总投资超过30亿元。".encode("gbk"))
    lines = [json.dumps(x, ensure_ascii=False) if x is not None else '{"id": "j2", "text": "断了' for x in GOOD_JSONL]
    (folder / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "table.csv").write_text('id,text\nc1,"营收5000万元，下降3.2%。"\n', encoding="utf-8")


def _bad_files(folder) -> dict[str, str]:
    """Create the bad inputs; return {file name: words its error message must contain}."""
    expect: dict[str, str] = {}
    (folder / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2048))
    expect["photo.txt"] = "not text: looks like a PNG image"
    (folder / "nul.txt").write_bytes("总投资1亿元".encode() + b"\x00\x00" + "其余文字".encode())
    expect["nul.txt"] = "NUL"
    (folder / "mixed.txt").write_bytes("湘潭经开区总投资二十亿元".encode() + "湘潭高新区项目竞赛活动".encode("gbk"))
    expect["mixed.txt"] = "mixed encodings"
    (folder / "empty.txt").write_bytes(b"")
    expect["empty.txt"] = "empty file"
    with open(folder / "huge.txt", "wb") as f:  # 100 MB on one line
        chunk = "总投资20亿元，增长8.1%，".encode() * 4096
        for _ in range(100 * 2**20 // len(chunk) + 1):
            f.write(chunk)
    expect["huge.txt"] = "too large"
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    expect["loop"] = "symlink loop"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "socket.txt"))
    sock.close()
    expect["socket.txt"] = "not a regular file"
    if os.geteuid() != 0:  # root reads everything, so a mode-000 file only fails for others
        locked = folder / "locked.txt"
        locked.write_text(GOOD_TXT, encoding="utf-8")
        locked.chmod(0)
        expect["locked.txt"] = "permission denied"
    return expect


def _rows(path) -> list[dict]:
    return list(csv.DictReader(path.open(encoding="utf-8")))


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks and sockets are POSIX")
def test_bad_inputs_are_named_and_the_rest_is_kept(tmp_path) -> None:
    clean_dir = tmp_path / "clean"
    dirty_dir = tmp_path / "dirty"
    clean_dir.mkdir()
    dirty_dir.mkdir()
    _good_files(clean_dir)
    _good_files(dirty_dir)
    expect = _bad_files(dirty_dir)

    runner = CliRunner()
    ref_out = tmp_path / "reference.csv"
    ref = runner.invoke(cli, ["extract", str(clean_dir), "-o", str(ref_out), "--kinds", "money,percent"])
    out = tmp_path / "dirty.csv"
    missing = tmp_path / "no-such-folder"
    result = runner.invoke(cli, ["extract", str(dirty_dir), str(missing), "-o", str(out), "--kinds", "money,percent"])

    assert result.exit_code == 1
    err = result.stderr
    assert "Traceback" not in err
    for name, words in expect.items():
        line = next((ln for ln in err.splitlines() if f"{name}:" in ln or f"{name} " in ln or ln.endswith(name)), None)
        assert line is not None, f"{name} not reported:\n{err}"
        assert words in line, (name, line)
    assert f"{missing}: no such file or folder" in err
    # JSONL failures carry their line numbers
    assert "news.jsonl:2: not valid JSON" in err
    assert "news.jsonl:3: 'text' is null" in err
    # the clean run itself reported the two bad JSONL lines and nothing else
    assert ref.exit_code == 1 and ref.stderr.count("news.jsonl:") == 2
    # every good figure is there, exactly as in the run without the bad files
    assert _rows(out) == _rows(ref_out)
    assert {r["text"] for r in _rows(out)} >= {"20亿元", "8.1%", "2.2亿元", "151.67%", "0.72亿", "0.45亿美元", "5000万元"}
    summary = err.strip().splitlines()[-1]
    assert summary.startswith("xiangtan-nlp: 5 documents")  # good.txt, gbk.txt, j1, j4, c1


def test_debug_shows_traceback_otherwise_one_line(tmp_path) -> None:
    """An unexpected error is one line on stderr (exit 1); --debug shows the traceback."""
    import subprocess

    code = (
        "import xiangtan_nlp.io.read as r\n"
        "def broken(*a, **k): raise RuntimeError('disk on fire')\n"
        "r.read_corpus = broken\n"
        "from xiangtan_nlp.cli import main\n"
        "import sys; main(sys.argv[1:])\n"
    )
    plain = subprocess.run([sys.executable, "-c", code, "extract", str(tmp_path)], capture_output=True, text=True)
    assert plain.returncode == 1
    assert "Traceback" not in plain.stderr
    assert "RuntimeError: disk on fire" in plain.stderr and "--debug" in plain.stderr
    debug = subprocess.run([sys.executable, "-c", code, "--debug", "extract", str(tmp_path)], capture_output=True, text=True)
    assert "Traceback" in debug.stderr


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to make a file owned by another user")
def test_cache_owned_by_another_user_is_never_loaded(tmp_path, monkeypatch) -> None:
    from xiangtan_nlp import _cache

    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("XIANGTAN_NLP_CACHE", str(folder))
    planted = folder / "jieba-planted.marshal"
    planted.write_bytes(b"not ours")
    os.chown(planted, 65534, 65534)
    assert _cache.read_bytes("jieba-planted.marshal") is None
    os.chown(folder, 65534, 65534)
    assert _cache.cache_dir() is None
