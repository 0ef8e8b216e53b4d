"""The rjieba accelerator (and the faster POS path) give exactly jieba's tokens and tags with our
dictionary, on the whole corpus."""

from __future__ import annotations

import pytest

pytest.importorskip("rjieba")

import xiangtan_nlp as xt  # noqa: E402
from xiangtan_nlp.segmenter import Segmenter, default_segmenter  # noqa: E402

from conftest import CORPUS  # noqa: E402


def pair(hmm: bool = True) -> tuple[Segmenter, Segmenter]:
    fast, plain = Segmenter(hmm=hmm), Segmenter(hmm=hmm)
    plain._accel = False
    assert fast.accelerated and not plain.accelerated
    return fast, plain


@pytest.fixture(scope="module")
def segmenters() -> dict[bool, tuple[Segmenter, Segmenter]]:
    return {True: pair(True), False: pair(False)}


@pytest.fixture(scope="module")
def corpus_texts() -> list[tuple[str, str]]:
    docs = list(xt.read_corpus(CORPUS))
    assert len(docs) > 40
    texts = [(d.id, d.text) for d in docs]
    cleaned = [(f"{d.id} (cleaned)", xt.clean(d.text, repair=False).text) for d in docs]
    return texts + cleaned


def test_segment_uses_the_accelerator() -> None:
    assert default_segmenter().accelerated


@pytest.mark.parametrize("hmm", [True, False], ids=["hmm", "no-hmm"])
def test_identical_tokens_on_the_whole_corpus(segmenters, corpus_texts, hmm: bool) -> None:
    fast, plain = segmenters[hmm]
    for name, text in corpus_texts:
        got, want = list(fast.tokenize(text)), list(plain.tokenize(text))
        if got != want:
            i = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
            pytest.fail(f"{name}: rjieba {got[i:i + 4]} vs jieba {want[i:i + 4]}")


# Where the engines differ by design, and our dictionary words: each must come out as jieba's.
CASES = [
    "8.5代TFT-LCD面板生产线",  # jieba-rs's HMM keeps TFT-LCD whole, jieba splits it
    "请登录www.example.com下载",
    "新冠病毒变异株XBB.1.5和BA.2.86",
    "C++语言和Wi-Fi模块，A-E地块",
    "㐀㐁古籍中的䶵字与鿐字",  # CJK Extension A and U+9FD6-9FFF: not Han to jieba
    "兀﨑﨡豈更車",  # compatibility ideographs
    "𠀀𠀁𪜀𫝀汉字",  # Extensions B-F
    "位于湘乡经开区的湖南中部电力产业园",  # domain dictionary
    "湘潭经开区总投资23,876万元，增长23.4%。",
    "潭州大道、芙蓉大道快速化改造项目\r\n杨梅洲大桥和下摄司大桥相继开复工",
    "他来到了网易杭研大厦我们中出了一个叛徒",  # HMM new words
    "  \t全角　空格\u3000和\xa0不换行空格 ",
]


@pytest.mark.parametrize("text", CASES, ids=CASES)
@pytest.mark.parametrize("hmm", [True, False], ids=["hmm", "no-hmm"])
def test_identical_tokens_on_hard_cases(segmenters, text: str, hmm: bool) -> None:
    fast, plain = segmenters[hmm]
    assert fast.cut(text) == plain.cut(text)


def test_a_changed_dictionary_is_followed() -> None:
    fast, plain = pair()
    text = "某某新材料产业园区开工"
    for seg in (fast, plain):
        seg.tokenizer.add_word("某某新材料", 10**7)
    assert "某某新材料" in fast.cut(text)
    assert fast.cut(text) == plain.cut(text)


def test_identical_pos_tags_on_the_whole_corpus(segmenters, corpus_texts) -> None:
    """pos(): the route from rjieba and the unknown-word HMM in numpy give jieba.posseg's tags."""
    fast, plain = segmenters[True]
    for name, text in corpus_texts:
        got, want = fast.pos(text), plain.pos(text)
        if got != want:
            i = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
            pytest.fail(f"{name}: fast {got[i:i + 4]} vs jieba.posseg {want[i:i + 4]}")


@pytest.mark.parametrize("text", CASES, ids=CASES)
def test_identical_pos_tags_on_hard_cases(segmenters, text: str) -> None:
    fast, plain = segmenters[True]
    assert fast.pos(text) == plain.pos(text)
