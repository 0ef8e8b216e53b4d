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


# -- the jieba version guard: the accelerators run only on the jieba they were checked against --
def test_the_installed_jieba_is_a_checked_one() -> None:
    import jieba

    from xiangtan_nlp.segmenter._guard import CHECKED_JIEBA

    assert jieba.__version__ in CHECKED_JIEBA, (
        f"jieba {jieba.__version__}: check the accelerators on it (this file), then add it to "
        "CHECKED_JIEBA and to the jieba pin in pyproject.toml"
    )


def test_the_overridden_jieba_internals_are_there() -> None:
    """The private methods we override and the patterns we mirror are jieba's own."""
    import re

    import jieba
    import jieba.posseg

    from xiangtan_nlp.segmenter import _pos_route, _rjieba

    for name in ("_POSTokenizer__cut_DAG", "_POSTokenizer__cut", "_POSTokenizer__cut_detail", "load_word_tag"):
        assert callable(getattr(jieba.posseg.POSTokenizer, name, None)), name
    everything = "".join(map(chr, range(0x110000)))

    def chars(pattern: str) -> str:
        return "".join(re.findall(pattern, everything))

    assert chars(f"[{_rjieba._BLOCK_WORD}{_rjieba._BLOCK_PUNCT}]") == chars(jieba.re_han_default.pattern[1:-2])
    assert chars(_pos_route._PURE_HAN.pattern) == chars(jieba.posseg.re_han_detail.pattern[1:-2])


def test_an_unchecked_jieba_runs_plain_jieba(segmenters, monkeypatch, caplog) -> None:
    """On a jieba the accelerators were not checked against, no override runs, tokens are jieba's."""
    import jieba
    import jieba.posseg

    from xiangtan_nlp.segmenter._posseg import FastPOSTokenizer

    text = "\n".join(CASES)
    plain = segmenters[True][1]
    checked = Segmenter()
    checked.pos(text)
    assert checked.accelerated and isinstance(checked._pos, FastPOSTokenizer)  # the checked jieba

    monkeypatch.setattr(jieba, "__version__", "0.99.9-unchecked")
    seg = Segmenter()
    with caplog.at_level("WARNING", logger="xiangtan_nlp.segmenter"):
        assert not seg.accelerated
    assert "0.99.9-unchecked" in caplog.text
    assert seg.cut(text) == plain.cut(text)
    assert seg.pos(text) == plain.pos(text)
    assert type(seg._pos) is jieba.posseg.POSTokenizer  # no override
