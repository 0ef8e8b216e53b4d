"""The project stage's fast paths give what the plain computations they stand in for give.

Each test builds texts (generated, with the marks, figures and head words the fast paths turn on,
and the annotated project articles) and compares a fast path with the plain computation.
"""

from __future__ import annotations

import random
from pathlib import Path

from xiangtan_nlp.cleaning import clean
from xiangtan_nlp.extraction import project_names as pn
from xiangtan_nlp.extraction.projects import tagger
from xiangtan_nlp.extraction.projects.score import read_split
from xiangtan_nlp.segmenter import default_segmenter

PROJECT_DATA = Path(__file__).parent / "data" / "projects"

# pieces of news text: words, head words, figures (with a comma inside), marks of every kind
_PIECES = (
    "湘潭", "经开区", "电力", "产业园", "项目", "工程", "一期", "大桥", "高速公路", "生产线", "建设", "开工",
    "总投资", "亿元", "的", "和", "、", "年产", "万吨", "位于", "湖南", "中部", "物流", "中心", "新区", "至",
    "1,234", "12,345.6", "3.5", "20", "2023年", "TFT-LCD", "G0711", "AB", " ", "\n", "\r\n", "，", ",", "。",
    "；", ";", "：", ":", "！", "？", "!", "?", "“", "”", '"', "「", "」", "《", "》", "【", "】", "(", ")",
    "（", "）", "—", "-", "%",
)  # fmt: skip


def _texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_PIECES) for _ in range(rng.randint(5, 60))) for _ in range(n)]


def _articles(limit: int) -> list[str]:
    docs = [rec["doc"] for rec in read_split(PROJECT_DATA / "dev.jsonl")][:limit]
    return [clean(d).text for d in docs]


def _tok(t: pn._Tok) -> tuple:
    return (t.word, t.tag, t.start, t.end)


def test_clause_tokens_given_then_cut_is_the_whole_clause_segmented() -> None:
    # a clause the window tokens tile, with a few characters past its end (a head at the end of
    # the clause): the given tokens plus those characters cut alone = the whole stretch cut again
    seg = default_segmenter()
    checked = 0
    for text in _texts(600, 17) + _articles(60):
        folded = tagger.fold(text)
        spans = list(tagger.windows(folded))
        if not spans:
            continue
        joined = tagger._JOIN.join(folded[a:b] for a, b in spans)
        tokens = [seg.pos(folded[a:b]) for a, b in spans]
        given = [tok for i, toks in enumerate(tokens) for tok in ((*toks,) if i == 0 else (tagger._JOIN_TOKEN, *toks))]
        clauses = pn._ClauseTokens(joined, given)
        bounds = [*clauses._starts, len(joined)]
        for cs, ce0 in zip(bounds, bounds[1:]):
            for ce in range(ce0 + 1, min(len(joined), ce0 + 4) + 1):
                fast = clauses._given_then_cut(cs, ce0, ce)
                if fast is not None:
                    assert [_tok(t) for t in fast] == [_tok(t) for t in pn._tokens(joined, cs, ce)], joined[cs:ce]
                    checked += 1
    assert checked > 300


def test_find_mentions_with_window_tokens_as_with_none() -> None:
    # the rule finder over the tagger's windows finds the same mentions whether it is handed the
    # window tokens (and takes its fast paths) or segments every clause itself
    seg = default_segmenter()
    compared = found = 0
    for text in _texts(300, 5) + _articles(60):
        folded = tagger.fold(text)
        spans = list(tagger.windows(folded))
        if not spans:
            continue
        tokens = [seg.pos(folded[a:b]) for a, b in spans]
        assert tagger.rule_labels(folded, spans, tokens) == tagger.rule_labels(folded, spans)
        compared += 1
        found += any(any(lab) for lab in tagger.rule_labels(folded, spans, tokens))
    assert compared > 100 and found > 20


# more pieces for the tagger's features: quotes and brackets to open and close, capacities, routes,
# words of every frequency, characters beyond the BMP and a lone surrogate
_FEATURE_PIECES = (
    *_PIECES, "年产", "100", "万台", "吨", "装机", "兆瓦", "长沙至株洲", "京港澳", "—", "到", "‘", "’", "『", "』",
    "该项目", "这个", "物流园", "中心城区", "数据库", "𠀀", "\ud800", "ＡＢ１２", "采购", "包", "城",
)  # fmt: skip


def test_fast_rows_are_the_rows_of_the_feature_strings() -> None:
    # the tagger's rows from numbers (tag's path) against analyse's strings looked up one by one
    seg = default_segmenter()
    model = tagger.load_model()
    fast = model.fast_rows()
    rng = random.Random(29)
    texts = ["".join(rng.choice(_FEATURE_PIECES) for _ in range(rng.randint(5, 120))) for _ in range(800)]
    compared = chars = 0
    for text in texts + _articles(80):
        folded = tagger.fold(text)
        spans = list(tagger.windows(folded))
        if not spans:
            continue
        tokens = [seg.pos(folded[a:b]) for a, b in spans]
        rules = tagger.rule_labels(folded, spans, tokens)
        windows = [tagger.analyse(folded[a:b], t, r) for (a, b), t, r in zip(spans, tokens, rules)]
        plain = model.rows(windows)
        quick = fast.rows([folded[a:b] for a, b in spans], tokens, rules, seg.freq)
        assert quick.shape == plain.shape and (quick == plain).all(), folded
        compared += len(spans)
        chars += len(plain)
    assert compared > 500 and chars > 20000


def test_capped_sentences_of_a_text_are_its_own() -> None:
    # the spans made once per text object serve only that object: a new text (even an equal one)
    # or another cap gets spans of its own, the same as made afresh
    from xiangtan_nlp.extraction.project_links import CappedSentences

    texts = _texts(50, 3) + ["句子。" * 400, "没有句号的长句" * 300]
    for text in texts:
        for cap in (1000, 40):
            got = CappedSentences.of(text, cap)
            assert got.starts == CappedSentences(text, cap).starts
            assert CappedSentences.of(text, cap) is got
    copy = "".join(list(texts[0]))
    assert copy == texts[0] and CappedSentences.of(copy, 40) is not CappedSentences.of(texts[0], 40)
