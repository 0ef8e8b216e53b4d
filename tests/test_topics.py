"""Topic clustering: quality against a plain baseline, determinism, persistence, the analyzer, the CLI.

All data is tests/data/topics_slice.jsonl (150 labelled articles; see README_topics.md). Wall-clock
limits are the benchmark's business (benchmarks/topics_bench.py), not the tests'.
"""

from __future__ import annotations

import csv
import functools
import json
import pickle
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from xiangtan_nlp.model import Document
from xiangtan_nlp.topics import TopicModel, analyze, cluster, stop_words
from xiangtan_nlp.topics.vectorize import content_tokens

from conftest import DATA

SLICE = DATA / "topics_slice.jsonl"
ROWS = [json.loads(line) for line in SLICE.read_text("utf-8").splitlines() if line.strip()]
TEXTS = [r["text"] for r in ROWS]
LABELS = [r["label"] for r in ROWS]
DOCS = [Document(id=r["id"], text=r["text"]) for r in ROWS]


def nmi(labels) -> float:  # type: ignore[no-untyped-def]
    from sklearn.metrics import normalized_mutual_info_score

    return normalized_mutual_info_score(LABELS, labels)


@pytest.fixture(scope="module")
def model() -> TopicModel:
    return cluster(DOCS, 10, random_state=0, progress=False)


# -- quality ------------------------------------------------------------------------------------------
def test_nmi_above_plain_tfidf_kmeans(model: TopicModel) -> None:
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    from xiangtan_nlp.cleaning import clean
    from xiangtan_nlp.segmenter import segment

    joined = [" ".join(segment(clean(t).text)) for t in TEXTS]
    base = KMeans(10, n_init=10, random_state=0).fit_predict(TfidfVectorizer().fit_transform(joined))
    ours, theirs = nmi(model.labels_), nmi(base)
    assert ours > theirs + 0.05, (ours, theirs)  # measured: 0.87 against 0.67
    assert ours > 0.8, ours


def test_labels_are_aligned_with_the_input(model: TopicModel) -> None:
    assert len(model.labels_) == len(DOCS)
    assert model.doc_ids_ == [d.id for d in DOCS]
    frame = model.to_frame()
    assert list(frame.columns) == ["doc_id", "topic", "score"]
    assert frame["doc_id"].tolist() == model.doc_ids_
    assert frame["topic"].tolist() == model.labels_.tolist()


def test_same_random_state_same_topics(model: TopicModel) -> None:
    again = cluster(TEXTS, 10, random_state=0, progress=False)  # strings instead of Documents
    assert np.array_equal(again.labels_, model.labels_)
    assert again.terms == model.terms
    assert again.doc_ids_ == [str(i) for i in range(len(TEXTS))]


# -- what the topics say --------------------------------------------------------------------------------
def test_sizes_terms_and_representatives(model: TopicModel) -> None:
    sizes = model.sizes_
    assert len(sizes) == model.k == 10
    assert sizes.sum() == (model.labels_ >= 0).sum()
    assert list(sizes) == sorted(sizes, reverse=True), "topic 0 is the largest"

    terms = model.top_terms(5)
    assert list(terms.columns) == ["topic", "rank", "term", "weight"]
    assert set(terms["topic"]) == set(range(10))
    assert terms.groupby("topic")["rank"].max().max() == 4
    assert not terms["term"].str.startswith("#").any(), "character n-grams are not shown as terms"
    sport = set(terms[terms["topic"] == model.labels_[LABELS.index("体育")]]["term"])
    assert sport & {"比赛", "球队", "球员", "季后赛", "赛季"}, sport

    reps = model.representative_docs(2)
    assert list(reps.columns) == ["topic", "rank", "doc_id", "score", "snippet"]
    for r in reps.itertuples():
        assert model.labels_[model.doc_ids_.index(r.doc_id)] == r.topic, r
    described = model.describe()
    assert described["size"].tolist() == sizes.tolist()
    assert abs(described["share"].sum() - 1) < 1e-3


def test_repr_is_one_line(model: TopicModel) -> None:
    text = repr(model)
    assert "\n" not in text and text.startswith("TopicModel(method='lsa', k=10")
    assert "<table" in model._repr_html_()


# -- new documents, saving --------------------------------------------------------------------------------
def test_transform_agrees_with_the_fit(model: TopicModel) -> None:
    assert np.array_equal(model.transform(TEXTS), model.labels_)
    assert model.transform(["", "，。！ 123 2.2亿"]).tolist() == [-1, -1], "no words, no topic"
    assert model.transform([]).shape == (0,)


def test_save_load_round_trip(model: TopicModel, tmp_path) -> None:
    path = tmp_path / "topics.model"  # any name: save() must not append .npz
    model.save(path)
    assert path.exists() and not (tmp_path / "topics.model.npz").exists()
    back = TopicModel.load(path)
    assert repr(back) == repr(model)
    assert np.array_equal(back.labels_, model.labels_)
    assert back.doc_ids_ == model.doc_ids_
    assert back.top_terms(10).equals(model.top_terms(10))
    assert back.representative_docs(3).equals(model.representative_docs(3))
    assert np.array_equal(back.transform(TEXTS[:20]), model.labels_[:20])


def test_load_refuses_other_files(tmp_path) -> None:
    bad = tmp_path / "bad.npz"
    np.savez(bad, meta=np.array(json.dumps({"format": "something else"})))
    with pytest.raises(ValueError, match="unsupported model format"):
        TopicModel.load(bad)
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, meta=np.array([{"format": "x"}], dtype=object))  # would need unpickling
    with pytest.raises(ValueError, match="not a saved TopicModel"):
        TopicModel.load(pickled)


# -- k = "auto", other methods, streaming -------------------------------------------------------------------
def test_auto_k_exposes_its_scores(tmp_path) -> None:  # type: ignore[no-untyped-def]
    m = cluster(DOCS, "auto", random_state=0, progress=False)
    ks = m.k_scores_
    assert ks is not None
    assert list(ks.columns) == ["k", "stability", "stability_sd", "silhouette", "chosen"]
    assert ks["chosen"].sum() == 1
    chosen = ks.loc[ks["chosen"], "k"].item()
    assert chosen == ks.loc[ks["stability"].idxmax(), "k"]
    assert m.k == chosen and 4 <= chosen <= 8  # 150 documents: at most sqrt(150/2) = 8 topics
    assert nmi(m.labels_) > 0.75
    m.save(tmp_path / "auto.npz")
    assert TopicModel.load(tmp_path / "auto.npz").k_scores_.equals(ks)


def test_streaming_has_the_same_api() -> None:
    m = cluster(iter(DOCS), 10, streaming=True, batch_size=40, random_state=0, progress=False)
    assert len(m.labels_) == len(DOCS) and m.doc_ids_ == [d.id for d in DOCS]
    assert nmi(m.labels_) > 0.75
    assert set(m.top_terms(3)["topic"]) == set(range(m.k))
    assert np.array_equal(m.transform(TEXTS[:30]), m.labels_[:30])
    again = cluster(DOCS, 10, streaming=True, batch_size=40, random_state=0, progress=False)
    assert np.array_equal(again.labels_, m.labels_)


@pytest.mark.parametrize(
    "method, refine", [("nmf", True), ("tfidf", True), ("lsa", False), ("nmf", False), ("tfidf", False)]
)
def test_other_methods_assign_new_documents_as_the_fit_did(method: str, refine: bool) -> None:
    m = cluster(DOCS[:40], 4, method=method, refine=refine, random_state=0, progress=False)
    assert m.method == method and m.refine is refine and len(m.labels_) == 40
    assert np.array_equal(m.transform(TEXTS[:40]), m.labels_)


def test_short_texts_get_character_ngrams() -> None:
    heads = [t[:30] for t in TEXTS]
    m = cluster(heads, 10, random_state=0, progress=False)
    assert m.features == "words+chars"
    assert nmi(m.labels_) > 0.5


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"method": "kmeans"}, "method must be one of 'lsa', 'nmf', 'tfidf'"),
        ({"k": 1}, "k must be an integer >= 2 or 'auto'"),
        ({"k": "many"}, "k must be an integer >= 2 or 'auto'"),
        ({"features": "bigrams"}, "features must be one of"),
        ({"k_range": (8, 4)}, "k_range"),
        ({"streaming": True, "method": "nmf"}, "streaming=True supports"),
    ],
)
def test_bad_arguments_name_the_allowed_values(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cluster(TEXTS[:5], **{"k": 2, **kwargs})


def test_bad_inputs() -> None:
    with pytest.raises(TypeError, match="collection"):
        cluster("一篇文章", 2)
    with pytest.raises(TypeError, match="position 1"):
        cluster(["一篇文章", 3], 2)
    with pytest.raises(ValueError, match="no documents"):
        cluster([], 2)
    with pytest.raises(ValueError, match="need at least 5 documents"):
        cluster(TEXTS[:3], 5)


def test_documents_without_words_get_topic_minus_one() -> None:
    m = cluster(TEXTS[:30] + ["", "123 4.5% 2.2亿"], 3, random_state=0, progress=False)
    assert m.labels_[-2:].tolist() == [-1, -1]
    assert (m.labels_[:30] >= 0).all()


# -- the analyzer ---------------------------------------------------------------------------------------------
def test_analyzer_is_picklable() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    assert pickle.loads(pickle.dumps(analyze)) is analyze
    with_chars = pickle.loads(pickle.dumps(functools.partial(analyze, chars=True)))
    assert with_chars("篮球比赛") == analyze("篮球比赛", chars=True)
    vec = TfidfVectorizer(analyzer=analyze, token_pattern=None).fit(TEXTS[:10])
    again = pickle.loads(pickle.dumps(vec))
    assert again.transform(TEXTS[:2]).nnz == vec.transform(TEXTS[:2]).nnz


@pytest.mark.parametrize(
    "text, present, absent",
    [
        ("记者表示，我们的球队今天赢得了比赛。", {"球队", "赢得", "比赛"},
         {"记者", "表示", "我们", "今天", "的", "了"}),
        ("总投资30亿元，同比增长8.1%，三十五岁的他", {"总投资", "同比增长"},
         {"30亿", "8.1%", "三十五岁", "30"}),
        ("详见www.sina.com.cn/news或邮件 a@b.com", {"详见", "邮件"}, {"www", "sina", "com", "cn", "news"}),
        ("新浪体育讯 湖人队击败马刺", {"湖人队", "击败", "马刺"}, {"新浪", "体育讯"}),
        ("iPhone4售价4999元，像素500万", {"iphone4", "售价", "像素"}, {"4999", "500万"}),
    ],
)
def test_stop_words_figures_and_links_stay_out(text: str, present: set, absent: set) -> None:
    words = set(analyze(text))
    assert present <= words, (text, words)
    assert not (absent & words), (text, absent & words)


def test_shipped_stop_words_never_reach_the_vocabulary(model: TopicModel) -> None:
    stop = stop_words()
    assert {"的", "我们", "表示", "记者", "www"} <= stop
    assert model.vocab is not None
    assert not stop & set(model.vocab)
    assert not any(t[0].isdigit() for t in model.vocab)


def test_character_ngrams_from_content_tokens_only() -> None:
    feats = analyze("我们的球队赢了", chars=True)
    assert "球队" in feats and "#球" in feats and "#球队" in feats
    assert not {"#的", "#我", "#们"} & set(feats)
    assert content_tokens("我们的球队赢了") == ["球队", "赢"]


def test_import_stays_light() -> None:
    heavy = "('sklearn', 'pandas', 'numpy', 'scipy', 'jieba')"
    code = f"import sys, xiangtan_nlp, xiangtan_nlp.topics; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# -- the command line ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small_input(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("cluster-cli")
    path = folder / "news.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS[::3]), "utf-8")
    return path


def invoke(*args: str):  # type: ignore[no-untyped-def]
    from xiangtan_nlp.cli.cluster import command

    return CliRunner().invoke(command, [*args, "--no-progress", "-j", "1"], catch_exceptions=False)


def test_cli_writes_documents_and_topics(small_input, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "topics.csv"
    saved = tmp_path / "model.npz"
    result = invoke(str(small_input), "-k", "4", "-o", str(out), "--save", str(saved), "--n-terms", "6")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["doc_id"] for r in rows] == [r["id"] for r in ROWS[::3]]
    assert set(rows[0]) == {"doc_id", "title", "topic", "score", "topic_terms"}
    assert {r["topic"] for r in rows} <= {"-1", "0", "1", "2", "3"}
    terms = list(csv.DictReader((tmp_path / "topics.terms.csv").open(encoding="utf-8")))
    assert [t["topic"] for t in terms] == ["0", "1", "2", "3"]
    assert sum(int(t["size"]) for t in terms) == sum(r["topic"] != "-1" for r in rows)
    assert all(len(t["terms"].split()) <= 6 for t in terms)
    assert TopicModel.load(saved).labels_.tolist() == [int(r["topic"]) for r in rows]


def test_cli_stdout_jsonl_and_auto(small_input) -> None:  # type: ignore[no-untyped-def]
    result = invoke(str(small_input), "-k", "auto", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.stdout.splitlines() if x.startswith("{")]
    assert len(lines) == len(ROWS[::3]) and "topic" in lines[0]
    assert "k chosen from data" in result.stderr
    assert "topic  0 (" in result.stderr  # the per-topic section goes to stderr with stdout output


@pytest.mark.parametrize(
    "args, status, message",
    [
        (["-k", "1"], 2, "too few"),
        (["-k", "lots"], 2, "neither a number nor 'auto'"),
        (["-k", "60"], 1, "try a smaller -k"),  # 50 documents
        (["--format", "parquet"], 2, "parquet cannot go to stdout"),
    ],
)
def test_cli_errors(small_input, args: list, status: int, message: str) -> None:  # type: ignore[no-untyped-def]
    result = invoke(str(small_input), *args)
    assert result.exit_code == status, result.output
    assert message in result.output


def test_cli_refuses_to_overwrite_its_input(small_input) -> None:  # type: ignore[no-untyped-def]
    result = invoke(str(small_input), "-k", "3", "-o", str(small_input))
    assert result.exit_code == 2
    assert "refusing to write over the input" in result.output
