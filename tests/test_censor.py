"""Censor repair on what filters really mask (issue 15): a table of realistic cases, the censor prior.

The table is tests/data/censor_cases.json: ``positive`` cases (a sentence as a site's filter leaves
it, and as it was published), and ``negative`` ones that only look masked (check boxes, footnote
marks, ratings, masked numbers, separators, arithmetic, a masked name) and must come back
unchanged. A positive whose ``status`` is not ``right`` is a known failure of today's repair, run as
a strict expected failure with the reason in its ``status_note``, so that fixing it turns the test
red until the table says so.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from xiangtan_nlp.cleaning import infill, masks
from xiangtan_nlp.cleaning.prior import get_prior, read_prior
from xiangtan_nlp.cleaning.repair import repair
from xiangtan_nlp.model import apply_steps

DATA = Path(__file__).resolve().parent / "data"
CASES = json.loads((DATA / "censor_cases.json").read_text(encoding="utf-8"))


def _positive(case: dict) -> object:
    if case["status"] == "right":
        return pytest.param(case, id=case["label"])
    reason = f"known failure ({case['status']}): {case['status_note']}"
    return pytest.param(case, id=case["label"], marks=pytest.mark.xfail(reason=reason, strict=True))


@pytest.mark.parametrize("case", [_positive(c) for c in CASES["positive"]])
def test_positive(case: dict) -> None:
    result = repair(case["text"])
    assert apply_steps(case["text"], result.steps) == result.text
    assert result.text == case["fixed"], result.steps


@pytest.mark.parametrize("case", CASES["negative"], ids=[c["label"] for c in CASES["negative"]])
def test_negative_is_left_alone(case: dict) -> None:
    """No change at any threshold, and no mask found at all (not even a flag)."""
    for threshold in (0.0, 0.5):
        result = repair(case["text"], threshold=threshold)
        assert result.text == case["text"] and not result.steps, (threshold, result.steps)


def test_every_positive_is_found_as_a_mask() -> None:
    """Each mask of a positive case is taken for one, whatever repair then makes of it."""
    for case in CASES["positive"]:
        runs = [m.span() for m in masks.MASK_RUN.finditer(case["text"])]
        assert masks.censor_masks(case["text"]) == runs, case["label"]


def test_the_table_is_what_it_says() -> None:
    """Statuses are the three outcomes; a known failure says why; the fixed text differs from the
    masked one only where marks stand."""
    for case in CASES["positive"]:
        assert case["status"] in ("right", "abstains", "wrong"), case["label"]
        assert case["status"] == "right" or case["status_note"].strip(), case["label"]
        assert masks.MASK_RUN.sub("", case["text"]) != case["text"], case["label"]
    assert len(CASES["positive"]) >= 30 and len(CASES["negative"]) >= 30


@pytest.mark.parametrize(
    "text",
    [
        "请在相应选项打勾：是否首次申报□是□否；是否有代理人□有 □无。",
        "审批意见：□同意□不同意，经办人签字。",
        "该企业已核实□ 未核实□，请复查。",
        "是否在职 ■是□否",
        "全年实现税收2.3亿元；＊注：含地方附加。",
        "净利润下降12%，*为未经审计数据。",
    ],
)
def test_more_check_boxes_and_footnotes_are_no_masks(text: str) -> None:
    assert masks.censor_masks(text) == []
    assert repair(text, threshold=0.0).text == text


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("成员国在加强禁*合作的同时，还积极推动反*禁*宣传。", 3),  # 毒 three times, one star each
        ("推币机等**机具，而且在屋内隐藏的暗室中，还藏有大量**设施。", 2),  # 赌博 twice
    ],
)
def test_masks_a_filter_leaves_twice_are_not_emphasis(text: str, hidden: int) -> None:
    assert len(masks.censor_masks(text)) == hidden


@pytest.mark.parametrize(
    "text",
    [
        "南方日报记者 吴哲 ***颖川 钟啸",  # news_dev (dev slice): a reporter's name, 黄 masked
        "24日电 (记者 陈寂 ×××富慧) 中国－阿拉伯国家",  # news_dev (dev slice): 黄 masked
    ],
)
def test_marks_between_a_space_and_a_word_are_a_mask(text: str) -> None:
    assert len(masks.censor_masks(text)) == 1


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("*业斌表示，惠州将全力支持", (0, 1)),  # news_dev (dev slice): 黄 masked at a sentence start
        ("增长较快。*业斌表示，惠州将全力支持", (5, 6)),  # the same after a full stop
        ("**金周第二日，流花君庭依旧", (0, 2)),  # news_dev (dev slice): 黄
        ("巨头扎堆刺激球市火*** NBA收视人数过亿", (9, 12)),  # news_dev (dev slice): 爆, then a space
        ("海外市场反＊＊＊ QDII基金净值劲升", (5, 8)),  # news_dev (dev slice): 弹
    ],
)
def test_a_masked_first_or_last_character_is_a_mask(text: str, span: tuple[int, int]) -> None:
    """A lone star that opens a sentence before a word that is no note, and a run of stars that
    ends a phrase before a space and more text, hide characters."""
    assert masks.censor_masks(text) == [span]


@pytest.mark.parametrize(
    "text",
    [
        "*为初步统计数",  # a footnote: a note word follows
        "增速较快。*注：未经审计",
        "增速较快。＊数据来源：国家统计局",
        "五星级酒店*** 豪华舒适",  # a rating after a word that rates, then a space
        "推荐指数*** 值得一去",
        "今年的业绩***\n下一段",  # stars ending a line after a word
        "*ST炎黄今日复牌",  # a stock name
        "增速较快* 注：预计数",  # a lone footnote reference before a space
    ],
)
def test_notes_ratings_and_references_near_those_are_no_masks(text: str) -> None:
    assert masks.censor_masks(text) == []
    assert repair(text, threshold=0.0).text == text


def test_a_space_before_marks_does_not_make_a_note_a_mask() -> None:
    for text in ("增速较快。 **为预计数", "银行卡号6222 **** **** 1234。", "上期 ** 本期"):
        assert masks.censor_masks(text) == [], text


def test_the_calibration_trusts_a_share_less_for_what_a_filter_masks() -> None:
    """At the same share, a filler the censor prior pulls up (枪) is less often right than a common
    character the language models chose alone (的): the prior's rate is part of the calibration."""
    from xiangtan_nlp.cleaning.lm import get_models

    fwd = get_models()[0]
    gun, of = infill.rate_terms(["枪", "的"], fwd, get_prior())
    assert gun > of
    for share in (0.3, 0.6, 0.9):
        assert infill.calibrated(share, 1, gun) < infill.calibrated(share, 1, of)
    assert infill.rate_terms(["枪", "的"], fwd, None) == [0.0, 0.0]


def test_short_emphasis_between_words_is_still_emphasis() -> None:
    text = "这是**重要**的通知。"
    assert masks.censor_masks(text) == []


def test_the_prior_lists_block_list_fillers() -> None:
    """A listed word raises its characters, and the words that fit a mask's neighbours are found."""
    prior = get_prior()
    assert prior is get_prior()
    for char, common in (("枪", "的"), ("毒", "展"), ("赌", "人")):
        assert prior.chars[char][0] > prior.chars[common][0], char
    assert "毒" in prior.fits("贩", "案", 1) and "赌" in prior.fits("非法", "博", 1)
    assert "暴" in prior.fits("", "力拆迁", 1) and "污" in prior.fits("贪", "受贿", 1)
    assert prior.fits("贩", "案", 1)["毒"][0] == "贩毒"


def test_prior_file_is_checked(tmp_path: Path) -> None:
    bad = tmp_path / "p.tsv"
    bad.write_text("c\t枪\t-0.3\t3.5\t1\t1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="censor-prior"):
        read_prior(bad)


def test_block_list_fillers_are_candidates() -> None:
    """贩***案: the listed 毒 is weighed even where the language models alone would not offer it,
    and a filler the models do not propose is marked as such (feature prior_only)."""
    from xiangtan_nlp.cleaning.lm import get_lexicon, get_models

    text = "广州警方破获一起特大网络贩***案"
    s = text.index("***")
    fillers, x = infill.mask_features(text, [(s, s + 3)], get_models(), get_lexicon())
    assert "毒" in fillers
    col = dict(zip(infill.FEATURES, range(len(infill.FEATURES))))
    du = fillers.index("毒")
    assert x[du, col["fit1"]] == pytest.approx(get_prior().words["贩毒"][0])  # 贩毒 is a listed word
    rate = 10 ** get_prior().chars["毒"][0]  # the file's log10 rate, with the floor for other masks
    assert x[du, col["rate1"]] == pytest.approx(math.log(rate + infill.RATE_KAPPA), abs=1e-6)
    assert x[du, col["rate2"]] == 0.0


def test_written_out_elsewhere_counts_against_a_filler() -> None:
    """A filter masks every occurrence of what it blocks: a character written out elsewhere in the
    text is not the hidden one (feature seen1)."""
    from xiangtan_nlp.cleaning.lm import get_lexicon, get_models

    text = "警方打击***品犯罪。毒品"
    s = text.index("***")
    fillers, x = infill.mask_features(text, [(s, s + 3)], get_models(), get_lexicon())
    seen = x[:, infill.FEATURES.index("seen1")]
    assert seen[fillers.index("毒")] == 1.0
    rest = text[:s] + "\n" + text[s + 3 :]
    assert all(seen[i] == float(c in rest) for i, c in enumerate(fillers) if len(c) == 1)
    assert 0.0 in seen.tolist()


def test_the_same_marks_are_decided_together_where_one_filler_suits_them_all() -> None:
    text = "贵州的此次专项行动将突出解决农村***博、城市聚众***博、网络***博等问题。"
    result = repair(text, threshold=0.0)
    assert len({s.after for s in result.steps}) == 1 and len(result.steps) == 3
    assert len({s.confidence for s in result.steps}) == 1


def test_a_word_masked_again_and_again_is_not_surer_for_it() -> None:
    """A filter masks a word everywhere on a page, and the models' error on it repeats with it:
    the same sentence three times over gets the confidence it gets once (evidence averaged, not
    added up; adding made whole pages twice as often wrong at the default threshold)."""
    once = "打响了项目竞赛活动的“发令***”。"
    (alone,) = repair(once, threshold=0.0).steps
    steps = repair(once * 3, threshold=0.0).steps
    assert len(steps) == 3 and {s.after for s in steps} == {alone.after}
    for step in steps:
        assert step.confidence == pytest.approx(alone.confidence, abs=0.03)
    # two different sentences hiding one word: one decision, its chance within the two alone's
    other = "运动员听到发令***响后迅速起跑。"
    (second,) = repair(other, threshold=0.0).steps
    both = repair(once + other, threshold=0.0).steps
    assert len({(s.after, s.confidence) for s in both}) == 1
    low, high = sorted((alone.confidence, second.confidence))
    assert low - 0.03 <= both[0].confidence <= high + 0.03


def test_where_the_marks_recur_the_cache_counts_against_a_filler() -> None:
    """A filter masks every occurrence, so on a page where its marks recur the hidden word is never
    written out, and a filler that stands next to the same neighbour elsewhere is not it (出***的 →
    出售 because 出售 is written elsewhere): the cache again, as cache_many, with a weight that all
    but rules such a filler out. A lone mask (a gap) keeps its cache."""
    from xiangtan_nlp.cleaning.lm import get_lexicon, get_models

    col = {name: i for i, name in enumerate(infill.FEATURES)}
    page = "公司出售了部分资产。这是一款性能出***的相机，画质同样出***。"
    spans = [(m, m + 3) for m in (page.index("***"), page.rindex("***"))]
    fillers, x = infill.mask_features(page, spans, get_models(), get_lexicon())
    assert "售" in fillers and x[fillers.index("售"), col["cache"]] > 0
    assert x[:, col["cache_many"]].tolist() == x[:, col["cache"]].tolist()
    lone = "公司出售了部分资产。这是一款性能出***的相机。"
    s = lone.index("***")
    fillers, x = infill.mask_features(lone, [(s, s + 3)], get_models(), get_lexicon())
    assert x[fillers.index("售"), col["cache"]] > 0 and not x[:, col["cache_many"]].any()
    assert infill.WEIGHTS[col["cache_many"]] <= -5.0
    filled = repair(page, threshold=0.0)
    assert all(step.after != "售" for step in filled.steps)


def test_the_prior_loads_on_first_mask_only() -> None:
    code = (
        "from xiangtan_nlp.cleaning import prior, repair\n"
        "repair.repair('总投资30亿元，同比增长8.1%。是否同意□是□否')\n"
        "assert prior.get_prior.cache_info().currsize == 0\n"
        "repair.repair('广州警方破获一起特大网络贩***案')\n"
        "assert prior.get_prior.cache_info().currsize == 1\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_lone_seed_mask_is_a_change_with_its_candidates() -> None:
    """What notebook 01 shows: the lone 发令*** is filled (a ``repair`` step in ``.changes``, none in
    ``.flags``), the step lists its candidates with 枪 first; above its chance the mask stays and the
    ``flag`` step carries the same confidence and candidates."""
    text = "打响了项目竞赛活动的“发令***”。"
    filled = repair(text)
    assert filled.text == "打响了项目竞赛活动的“发令枪”。" and filled.flags == ()
    (step,) = filled.changes
    assert filled.steps == (step,) and (step.kind, step.rule, step.after) == ("repair", "mask-infill", "枪")
    assert step.candidates[0] == ("枪", step.confidence) and 0.5 <= step.confidence < 0.95
    kept = repair(text, threshold=0.95)
    (flag,) = kept.flags
    assert kept.text == text and kept.changes == () and flag.rule == "mask-abstain"
    assert (flag.confidence, flag.candidates) == (step.confidence, step.candidates)


def test_the_character_tier_blames_the_telling_character() -> None:
    """The tier's noisy-OR: a listed word counts for the character whose other words are listed
    too (杀), not for one that news writes in many unlisted words (人)."""
    from xiangtan_nlp.cleaning.censor_build import char_tiers

    words = {"杀人": 20, "自杀": 10, "杀手": 10, "人民": 500, "人口": 300, "工人": 200, "民工": 50, "手工": 40}
    tiers = char_tiers(words, {"杀人", "自杀", "杀手"})
    assert tiers["杀"] > 3.0 and "人" not in tiers and "工" not in tiers
    # characters of few words keep some of the smoothing's pseudo-counts, far below 杀
    assert max(v for c, v in tiers.items() if c != "杀") < tiers["杀"] - 2.0
    assert char_tiers(words, set()) == {}


def test_the_shipped_tier_holds_filtered_characters_not_common_ones(tmp_path: Path) -> None:
    prior = get_prior()
    for char in "枪贪腐炸":
        assert prior.tiers[char] > 1.0, char
    for common in "的人大国发展":
        assert common not in prior.tiers, common
    small = tmp_path / "p.tsv"
    small.write_text("# xiangtan-censor-prior/1\nt\t枪\t2.5\n", encoding="utf-8")
    assert read_prior(small).tiers == {"枪": 2.5}


def test_the_tier_is_a_feature_and_proposes_candidates() -> None:
    """A tiered character is weighed at a mask even where the language models would not offer it,
    with its tier as feature tier1 (and none for a common character)."""
    from xiangtan_nlp.cleaning.lm import get_lexicon, get_models

    text = "这部电影讲述了一名***手的故事。"
    s = text.index("***")
    fillers, x = infill.mask_features(text, [(s, s + 3)], get_models(), get_lexicon())
    tier1 = x[:, infill.FEATURES.index("tier1")]
    tier2 = x[:, infill.FEATURES.index("tier2")]
    prior = get_prior()
    for i, c in enumerate(fillers):
        assert tier1[i] == (prior.tiers.get(c, 0.0) if len(c) == 1 else 0.0)
        assert tier2[i] == (max(prior.tiers.get(c[0], 0.0), prior.tiers.get(c[1], 0.0)) if len(c) == 2 else 0.0)
    assert "枪" in fillers and tier1[fillers.index("枪")] > 0


def test_the_gap_model_trainer_cuts_censor_like_gaps_on_what_the_prior_lists(tmp_path: Path) -> None:
    """train_gapnet --censor-mix: in the training slice, one character of a listed word (its tier
    character, else its highest-lift one), a tier character standing elsewhere, and whole listed
    two-character words; the random gaps stay as they were, and no dev or test record is read."""
    from xiangtan_nlp.cleaning import train_gapnet
    from xiangtan_nlp.cleaning.lm import get_models
    from xiangtan_nlp.cleaning.prior import Prior
    from xiangtan_nlp.cleaning.train_lm import split_of

    prior = Prior(chars={"贩": (-1.0, 2.0, 1, 1), "卖": (-1.0, 0.5, 1, 1)}, tiers={"毒": 1.0, "枪": 2.0},
                  words={"贩毒": (3.0, 1, 1, "C"), "贩卖": (2.5, 1, 1, "C")})  # fmt: skip
    assert train_gapnet.censor_pick("贩毒", prior) == 1 and train_gapnet.censor_pick("贩卖", prior) == 0
    ids = {}
    for i in range(200):  # a record id of each slice
        ids.setdefault(split_of(f"r{i}"), f"r{i}")
    text = "他因贩毒被判刑，还有人贩卖手枪。"  # jieba: 他 因 贩毒 被 判刑 ， 还有 人 贩卖 手枪 。
    rows = [{"id": ids[s], "text": text if s == "train" else "毒品交易被查获。"} for s in ("train", "dev", "test")]
    (tmp_path / "a.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    fwd = get_models()[0]
    plain = train_gapnet.examples(str(tmp_path), fwd)
    gaps = train_gapnet.examples(str(tmp_path), fwd, prior=prior)
    assert (plain.stream == gaps.stream).all() and (plain.one == gaps.one).all() and (plain.two == gaps.two).all()
    assert len(plain.censor_one) == 0 and plain.key_one == []
    chars = "".join(fwd.id_char(int(i)) for i in gaps.stream)
    assert "交易" not in chars  # only the training record
    cut = sorted((chars[p], k) for p, k in zip(gaps.censor_one, gaps.key_one))
    assert cut == [("枪", "枪"), ("毒", "贩毒"), ("贩", "贩卖")]
    assert [chars[p : p + 2] for p in gaps.censor_two] == ["贩毒", "贩卖"] and gaps.key_two == ["贩毒", "贩卖"]


def test_the_gap_model_trainer_weighs_rare_listed_words_up_and_continues_a_model() -> None:
    """Censor-like gaps are drawn 1/sqrt(count) each; --init reads a written model back exactly as
    the package's reader does; --listed-words adds only unknown words seen often enough."""
    import numpy as np

    from xiangtan_nlp.cleaning import gapnet, train_gapnet
    from xiangtan_nlp.cleaning.lm import get_models

    w = train_gapnet.rarity_weights(["中共", "中共", "中共", "中共", "贩毒"])
    assert abs(w.sum() - 1.0) < 1e-12 and w[4] == 2 * w[0] and abs(w[:4].sum() - 2 / 3) < 1e-12
    fwd = get_models()[0]
    net = gapnet.get_gapnet()
    weights, words = train_gapnet.load_init(str(resources_path("gapnet.npz")), fwd)
    assert np.allclose(weights["emb.weight"], net.emb) and np.allclose(weights["w1.weight"], net.w1)
    assert ["".join(fwd.id_char(int(i)) for i in pair) for pair in words] == net.words
    stream = np.array(fwd.encode("贩毒贩毒贩毒大会"), dtype=np.int64)
    extra = train_gapnet.listed_words(stream, np.array([0, 2, 4, 6]), words, 3)
    assert ["".join(fwd.id_char(int(i)) for i in pair) for pair in extra] == (["贩毒"] if "贩毒" not in net.words else [])
    assert len(train_gapnet.listed_words(stream, np.array([0, 2, 4, 6]), words, 4)) == 0
    # a gap's class is the row of its word, the same way word_classes numbers its own words
    text = np.array(fwd.encode("贩毒大会贩毒投资大会项目贩毒"), dtype=np.int64)
    starts = np.arange(0, len(text) - 1, 2)
    top, cls = train_gapnet.word_classes(text, starts, 2)
    assert (train_gapnet.classes_of(top, text, starts) == cls).all() and (cls == -1).any()
    assert (train_gapnet.classes_of(top[:0], text, starts) == -1).all()


def resources_path(name: str) -> Path:
    """A package data file's path."""
    from importlib import resources

    return Path(str(resources.files("xiangtan_nlp.data").joinpath(name)))


def test_the_scorer_fitter_recovers_known_weights() -> None:
    # benchmarks/repair_bench.fit_logit fitted infill.WEIGHTS: on masks whose truth is drawn from a
    # softmax of known weights over random candidate features, it must find those weights again
    import numpy as np

    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    from repair_bench import fit_logit

    rng = np.random.default_rng(0)
    true_w = np.array([1.5, -0.5, 0.0])
    data = []
    for _ in range(3000):
        x = rng.normal(size=(int(rng.integers(2, 12)), 3))
        p = np.exp(x @ true_w)
        data.append((x, int(rng.choice(len(x), p=p / p.sum()))))
    w = fit_logit(data, np.zeros(3))
    assert np.abs(w - true_w).max() < 0.12, w
    # a bound holds the weight it names (the data pull it to 1.5) and leaves the others free
    bounded = fit_logit(data, np.zeros(3), [(None, 1.0), (None, None), (None, None)])
    assert bounded[0] == 1.0 and abs(bounded[1] - w[1]) < 0.2
