"""Segmentation: domain words, figures whole, offsets, and no side effects."""

from __future__ import annotations

import os
import tempfile

import pytest

import xiangtan_nlp as xt
from xiangtan_nlp.segmenter import Segmenter

FIGURES_WHOLE = [
    ("营业收入23,876万元", "23,876万"),
    ("同比增长23.4%", "23.4%"),
    ("完成率151.67%", "151.67%"),
    ("拟投资2.2亿元", "2.2亿"),
    ("下降-3.5%", "-3.5%"),
    ("1.2万亿元", "1.2万亿"),
]


@pytest.mark.parametrize(("text", "figure"), FIGURES_WHOLE, ids=[c[0] for c in FIGURES_WHOLE])
def test_figures_stay_whole(text: str, figure: str) -> None:
    assert figure in xt.segment(text)


DOMAIN = [
    ("位于湘乡经开区的湖南中部电力产业园", ["湘乡经开区", "产业园"]),
    ("湘潭高新区中南高科", ["湘潭高新区"]),
    ("潭州大道、芙蓉大道快速化改造项目", ["潭州大道", "芙蓉大道", "快速化改造"]),
    ("杨梅洲大桥和下摄司大桥相继开复工", ["杨梅洲大桥", "下摄司大桥", "开复工"]),
    ("全市投资完成率151.67%", ["完成率"]),
]


@pytest.mark.parametrize(("text", "words"), DOMAIN, ids=[c[0] for c in DOMAIN])
def test_domain_dictionary(text: str, words: list[str]) -> None:
    got = xt.segment(text)
    for w in words:
        assert w in got, got


def test_offsets_are_half_open_slices() -> None:
    text = "湘潭经开区总投资23,876万元，增长23.4%。"
    toks = xt.tokenize(text)
    assert "".join(w for w, _, _ in toks) == text
    for w, s, e in toks:
        assert text[s:e] == w


def test_pos_tags_domain_words() -> None:
    tags = dict(Segmenter().pos("位于湘潭经开区的项目增长8.1%"))
    assert tags["湘潭经开区"] == "ns"
    assert tags["8.1%"] == "m"


def test_private_tokenizer_quiet_and_no_temp_writes(capfd: pytest.CaptureFixture[str]) -> None:
    import jieba

    before = {f for f in os.listdir(tempfile.gettempdir()) if f.startswith("jieba")}
    seg = Segmenter()
    assert seg.cut("湘潭市开展项目竞赛活动") == ["湘潭市", "开展", "项目", "竞赛活动"]
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    after = {f for f in os.listdir(tempfile.gettempdir()) if f.startswith("jieba")}
    assert after == before
    assert not jieba.dt.initialized, "the global jieba tokenizer must stay untouched"


def test_cache_is_private(private_cache) -> None:
    Segmenter().cut("测试")
    files = list(private_cache.iterdir())
    assert files, "the prefix dictionary is cached in the private folder"
    assert (private_cache.stat().st_mode & 0o077) == 0


def test_foreign_cache_is_ignored(tmp_path, monkeypatch) -> None:
    """A cache folder that others can write is never trusted (and never written)."""
    from xiangtan_nlp import _cache

    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    monkeypatch.setenv("XIANGTAN_NLP_CACHE", str(shared))
    assert _cache.cache_dir() is None
    assert _cache.write_bytes("x", b"1") is False
    assert Segmenter().cut("湘潭经开区") == ["湘潭经开区"]
    assert list(shared.iterdir()) == []
