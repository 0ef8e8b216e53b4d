"""Reading corpora: formats, encodings, folders, ids, metadata, and named failures."""

from __future__ import annotations

import io
import json
import os
import sys

import pytest

import xiangtan_nlp as xt
from xiangtan_nlp.io.decode import DecodeError, decode

ARTICLE = "湘潭经开区某项目总投资20亿元，同比增长8.1%。"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("utf-8", ARTICLE.encode("utf-8")),
        ("utf-8-sig", ARTICLE.encode("utf-8-sig")),
        ("gb18030", ARTICLE.encode("gb18030")),
        ("gbk", ARTICLE.encode("gbk")),
        ("utf-16", ARTICLE.encode("utf-16")),
        ("utf-16-le", ARTICLE.encode("utf-16-le")),
    ],
    ids=["utf-8", "utf-8-bom", "gb18030", "gbk", "utf-16", "utf-16-le-no-bom"],
)
def test_decode_detects_encoding(encoding: str, data: bytes) -> None:
    text, _ = decode(data)
    assert text == ARTICLE


def test_decode_forced_encoding() -> None:
    data = ARTICLE.encode("gb18030")
    assert decode(data, "gb18030")[0] == ARTICLE
    with pytest.raises(DecodeError, match="not utf-8"):
        decode(data, "utf-8")


@pytest.mark.parametrize(
    "data", [PNG, b"%PDF-1.4\n...", b"PK\x03\x04\x14\x00", bytes(range(256)) * 4], ids=["png", "pdf", "zip", "random"]
)
def test_binary_is_refused(data: bytes) -> None:
    with pytest.raises(DecodeError, match="not text|encoding"):
        decode(data)


def test_folder_recursive_with_ids_and_failures(tmp_path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_bytes(ARTICLE.encode("gb18030"))
    (tmp_path / "sub" / "c.md").write_text("# 标题\n\n" + ARTICLE, encoding="utf-8")
    (tmp_path / "image.txt").write_bytes(PNG)  # a PNG renamed .txt
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")  # other formats are not read
    (tmp_path / "README.md").write_text("本文件夹的说明，投资1亿元仅为示例。", encoding="utf-8")  # documentation
    corpus = xt.read_corpus(tmp_path, on_error="collect")
    docs = list(corpus)
    assert [d.id for d in docs] == ["a.txt", "sub/b.txt", "sub/c.md"]
    assert all(ARTICLE in d.text for d in docs)
    reasons = {os.path.basename(f.path): f.reason for f in corpus.failures}
    assert set(reasons) == {"image.txt", "empty.txt"}
    assert "PNG" in reasons["image.txt"]
    assert "empty" in reasons["empty.txt"]


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_symlinks_never_leave_the_tree_or_loop(tmp_path) -> None:
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text(ARTICLE, encoding="utf-8")
    (root / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (root / "out").symlink_to(outside, target_is_directory=True)
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "same.txt").symlink_to(root / "a.txt")
    corpus = xt.read_corpus(root, on_error="collect")
    ids = [d.id for d in corpus]
    assert ids == ["a.txt"]
    reasons = " ".join(f.reason for f in corpus.failures)
    assert "outside" in reasons and "loop" in reasons


def test_jsonl_with_bad_lines(tmp_path) -> None:
    lines = [
        json.dumps({"id": "n1", "text": ARTICLE, "title": "标题一"}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "n2", "text": None}),
        json.dumps({"id": "n3"}),
        json.dumps({"text": "没有编号的文章，投资5亿元。"}, ensure_ascii=False),
    ]
    p = tmp_path / "news.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus = xt.read_corpus(p, on_error="collect")
    docs = list(corpus)
    assert [d.id for d in docs] == ["n1", "news.jsonl:5"]
    assert docs[0].title == "标题一"
    assert [(f.line, f.reason) for f in corpus.failures] == [
        (2, "not valid JSON (Expecting property name enclosed in double quotes at column 2)"),
        (3, "'text' is null"),
        (4, "'text' is missing"),
    ]


def test_jsonl_field_names_configurable(tmp_path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_text(json.dumps({"key": "k1", "body": ARTICLE}, ensure_ascii=False) + "\n", encoding="utf-8")
    (doc,) = xt.read_corpus(p, id_field="key", text_field="body")
    assert doc.id == "k1" and doc.text == ARTICLE


def test_csv(tmp_path) -> None:
    p = tmp_path / "x.csv"
    p.write_text('id,text\nc1,"' + ARTICLE + '"\nc2,"第二篇，投资3亿元。"\n', encoding="gb18030")
    docs = list(xt.read_corpus(p))
    assert [(d.id, d.text) for d in docs] == [("c1", ARTICLE), ("c2", "第二篇，投资3亿元。")]


def test_csv_without_text_column(tmp_path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("id,body\n1,文本\n", encoding="utf-8")
    corpus = xt.read_corpus(p, on_error="collect")
    assert list(corpus) == []
    assert "no 'text' column" in corpus.failures[0].reason


def test_html_metadata(tmp_path) -> None:
    page = """<html><head><title>站点 - 标题</title>
    <meta property="article:published_time" content="2021-07-11T08:00:00+08:00">
    <link rel="canonical" href="http://example.com/a/1.html">
    <script>var x = "总投资999亿元";</script><style>p{}</style></head>
    <body><div class="nav">首页 &gt; 新闻</div><h1>项目竞赛活动综述</h1>
    <p>总投资20亿元的产业园。</p><p>全市投资增长8.1%。</p></body></html>"""
    p = tmp_path / "page.html"
    p.write_text(page, encoding="utf-8")
    (doc,) = xt.read_corpus(p)
    assert doc.title == "项目竞赛活动综述"
    assert doc.date == "2021-07-11T08:00:00+08:00"
    assert doc.url == "http://example.com/a/1.html"
    assert "999" not in doc.text  # scripts are not text
    assert [r.text for r in xt.extract(doc)] == ["20亿元", "8.1%"]


def test_missing_path_and_on_error_modes(tmp_path) -> None:
    from xiangtan_nlp.io.read import CorpusReadError, ReadWarning

    with pytest.warns(ReadWarning, match="no such file"):
        assert list(xt.read_corpus(tmp_path / "nope")) == []
    with pytest.raises(CorpusReadError, match="nope"):
        list(xt.read_corpus(tmp_path / "nope", on_error="raise"))
    with pytest.raises(ValueError, match="on_error"):
        xt.read_corpus(tmp_path, on_error="ignore")  # type: ignore[arg-type]


def test_stdin(monkeypatch) -> None:
    fake = io.TextIOWrapper(io.BytesIO(ARTICLE.encode("gb18030")))
    monkeypatch.setattr(sys, "stdin", fake)
    (doc,) = xt.read_corpus("-")
    assert doc.text == ARTICLE and doc.id == "-"


def test_too_large_is_refused(tmp_path) -> None:
    p = tmp_path / "big.txt"
    p.write_text(ARTICLE * 100, encoding="utf-8")
    corpus = xt.read_corpus(p, on_error="collect", max_bytes=1000)
    assert list(corpus) == []
    assert "too large" in corpus.failures[0].reason


def test_bundled_corpus_reads_cleanly() -> None:
    from conftest import CORPUS

    corpus = xt.read_corpus(CORPUS, on_error="collect")
    docs = list(corpus)
    assert corpus.failures == []
    assert len(docs) >= 41
    ids = [d.id for d in docs]
    assert "000_9f14ab93c5a18b94.txt" in ids
    assert any(i.startswith("encodings/") for i in ids)
    seed = next(d for d in docs if d.id == "000_9f14ab93c5a18b94.txt")
    assert seed.date == "2021-07-11"


def test_jsonl_streams_past_the_size_limit(tmp_path) -> None:
    """Tables are read a record at a time: the limit is per record, not per file."""
    p = tmp_path / "many.jsonl"
    rows = [json.dumps({"id": f"r{i}", "text": ARTICLE}, ensure_ascii=False) for i in range(50)]
    rows.insert(10, json.dumps({"id": "long", "text": "长" * 2000}, ensure_ascii=False))
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert p.stat().st_size > 3000
    corpus = xt.read_corpus(p, on_error="collect", max_bytes=1000)
    docs = list(corpus)
    assert [d.id for d in docs] == [f"r{i}" for i in range(50)]
    assert [(f.line, f.reason.split(" ")[0]) for f in corpus.failures] == [(11, "line")]


def test_jsonl_bad_bytes_midway_keep_what_came_before(tmp_path) -> None:
    p = tmp_path / "half.jsonl"
    good = (json.dumps({"id": "a", "text": ARTICLE}, ensure_ascii=False) + "\n").encode("utf-8")
    p.write_bytes(good * 3000 + b'{"id": "b", "text": "\xff\xfe"}\n' + good)
    corpus = xt.read_corpus(p, on_error="collect")
    assert len(list(corpus)) == 3001
    assert [(f.line, f.reason) for f in corpus.failures] == [(3001, "not utf-8: undecodable bytes")]
