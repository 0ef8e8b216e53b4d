"""The gap model's reader: the shipped weights, the numpy forward pass, and how repair uses it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from xiangtan_nlp.cleaning import gapnet, infill, lm


@pytest.fixture(scope="module")
def net() -> gapnet.GapNet:
    shipped = gapnet.get_gapnet()
    assert shipped is not None, "data/gapnet.npz is missing from the package"
    return shipped


def test_shipped_model_shares_the_forward_alphabet(net: gapnet.GapNet) -> None:
    fwd, _ = lm.get_models()
    assert net.vocab == fwd.vocab
    assert (net.for_model(fwd)[2:] == np.arange(2, len(fwd.vocab) + 2)).all()


@pytest.mark.parametrize("g", [1, 2])
def test_log_probabilities_are_normalised(net: gapnet.GapNet, g: int) -> None:
    lp = net.logprobs("湘潭市人民政府召开新闻发布会，", "经济运行情况。", g)
    assert lp.shape == ((len(net.vocab) + 2,) if g == 1 else (len(net.words),))
    assert abs(np.exp(lp).sum() - 1.0) < 1e-4
    # the same input gives the same output (no state kept between calls)
    assert np.array_equal(lp, net.logprobs("湘潭市人民政府召开新闻发布会，", "经济运行情况。", g))


def test_it_reads_context_beyond_the_ngram_window(net: gapnet.GapNet) -> None:
    # the n-gram models see five characters each side; the gap model sees 32, so text far
    # from the gap must still move its prediction
    near_l, near_r = "，这一", "在全国推广。"
    a = net.logprobs("足球联赛今天开幕，各队球员精神饱满" + near_l, near_r, 1)
    b = net.logprobs("水稻种植面积扩大，农民收入稳步增长" + near_l, near_r, 1)
    assert not np.allclose(a, b)


def test_it_knows_common_words(net: gapnet.GapNet) -> None:
    # fully determined gaps: 中华人民共*国 (和), 国内生产总* (值): the model has to rank the right
    # character first of 5,000 without any help from the n-gram models
    for left, right, want in (("庆祝中华人民共", "国成立七十周年。", "和"), ("今年一季度国内生产总", "同比增长。", "值")):
        lp = net.logprobs(left, right, 1)
        assert net.vocab[int(np.argmax(lp)) - 2] == want
    # the word head is weaker (18% top-1 on dev): 全国代表**在北京开幕 must bring 大会 into its
    # first three of 16,000 words (it ranks 今天 first: 全国代表今天在北京开幕 reads well too)
    lp = net.logprobs("中国共产党第二十次全国代表", "在北京开幕。", 2)
    assert "大会" in [net.words[int(i)] for i in np.argsort(-lp)[:3]]
    assert len(set(net.words)) == len(net.words) and all(len(w) == 2 for w in net.words)


def test_reader_matches_a_float_forward_pass(tmp_path) -> None:
    # a random model written in the shipped layout: the reader's int8 weights, once scaled back,
    # must give the log-probabilities of the plain float computation (up to quantisation)
    rng = np.random.default_rng(0)
    vocab = [chr(c) for c in range(0x4E00, 0x4E00 + 40)] + ["\n"]
    v, dim, hidden, out, near, wide = len(vocab) + 2, 8, 16, 8, 2, 5
    words = [vocab[i] + vocab[i + 1] for i in range(0, 30, 3)]
    w = {
        "emb.weight": rng.normal(size=(v, dim)),
        "w1.weight": rng.normal(size=(hidden, 2 * near * dim + 2 * dim)) * 0.3,
        "w1.bias": rng.normal(size=hidden) * 0.1,
        "glen.weight": rng.normal(size=(2, hidden)) * 0.1,
        "w2.weight": rng.normal(size=(hidden, hidden)) * 0.3,
        "w2.bias": rng.normal(size=hidden) * 0.1,
        "heads.weight": rng.normal(size=(2 * out, hidden)) * 0.3,
        "heads.bias": rng.normal(size=2 * out) * 0.1,
        "out.weight": rng.normal(size=(v, out)),
        "out_b": rng.normal(size=v) * 0.1,
        "word.weight": rng.normal(size=(len(words), out)),
        "word_b": rng.normal(size=len(words)) * 0.1,
    }
    from xiangtan_nlp.cleaning.train_gapnet import quantise

    arrays = {}
    for name, x in w.items():
        q, scale = quantise(x.astype(np.float32))
        arrays[name + ".q"], arrays[name + ".s"] = q, scale
        # int8 rows: each weight within half a step (1/254 of its row's largest) of the float one,
        # plus the float16 rounding of the row's scale
        back = (q.astype(np.float64) * scale.astype(np.float64)[:, None]).reshape(x.shape)
        rows = np.abs(x.reshape(len(q), -1)).max(axis=1)[:, None]
        assert (np.abs(back - x).reshape(len(q), -1) <= rows * (1 / 254 + 1e-3)).all()
        w[name] = back  # the forward pass below must then match the reader's to float precision
    meta = {"format": gapnet.FORMAT, "near": near, "wide": wide, "dim": dim, "hidden": hidden, "out": out}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    arrays["vocab"] = np.array([ord(c) for c in vocab], dtype=np.uint32)
    arrays["words"] = np.array([[ord(c) for c in w] for w in words], dtype=np.uint32)
    np.savez_compressed(tmp_path / "tiny.npz", **arrays)
    tiny = gapnet.GapNet.load(str(tmp_path / "tiny.npz"))

    left, right = vocab[3] + vocab[7] + vocab[1], vocab[9]  # shorter than `wide`: padded with "\n"
    ids = {c: i + 2 for i, c in enumerate(vocab)}
    pad = ids["\n"]
    lids = [pad] * (wide - 3) + [ids[c] for c in left]
    rids = [ids[c] for c in right] + [pad] * (wide - 1)
    el, er = w["emb.weight"][lids], w["emb.weight"][rids]
    x = np.concatenate([el[-near:].ravel(), er[:near].ravel(), el[:-near].mean(0), er[near:].mean(0)])
    for g in (1, 2):
        h = np.maximum(w["w1.weight"] @ x + w["w1.bias"] + w["glen.weight"][g - 1], 0)
        h = h + np.maximum(w["w2.weight"] @ h + w["w2.bias"], 0)
        head = (w["heads.weight"] @ h + w["heads.bias"]).reshape(2, out)[g - 1]
        z = w["out.weight"] @ head + w["out_b"] if g == 1 else w["word.weight"] @ head + w["word_b"]
        want = z - np.log(np.exp(z).sum())
        got = tiny.logprobs(left, right, g)
        assert np.allclose(got, want, atol=1e-3)
    assert tiny.words == words and tiny.word_index[words[3]] == 3


def test_a_wrong_format_is_refused(tmp_path) -> None:
    arrays = {"meta": np.frombuffer(json.dumps({"format": "other/9"}).encode(), dtype=np.uint8)}
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match="unsupported gap model format"):
        gapnet.GapNet.load(str(tmp_path / "bad.npz"))


def test_repair_uses_the_gap_model_and_can_do_without(net: gapnet.GapNet) -> None:
    fwd, bwd = lm.get_models()
    lex = lm.get_lexicon()
    text = "打响了项目竞赛活动的“发令***”。"
    fillers, with_net = infill.mask_features(text, [(13, 16)], (fwd, bwd, net), lex)
    one, two = infill.FEATURES.index("net1"), infill.FEATURES.index("net2")
    single = np.array([len(c) == 1 for c in fillers])
    assert "枪" in fillers and (with_net[single, one] < 0).all() and (with_net[~single, two] < 0).all()
    assert (with_net[single, two] == 0).all() and (with_net[~single, one] == 0).all()
    fillers2, without = infill.mask_features(text, [(13, 16)], (fwd, bwd, None), lex)
    assert "枪" in fillers2 and (without[:, [one, two]] == 0).all()
    # the default (two models given) takes the shipped gap model
    fillers3, default = infill.mask_features(text, [(13, 16)], (fwd, bwd), lex)
    assert fillers3 == fillers and np.array_equal(default, with_net)
