"""The learned project-name recognizer: a character-level BIO tagger (a linear-chain CRF) over windows.

Only clauses (between 。，；：！？ and line breaks) that hold a head word (产业园, 生产线, 大桥, 铁路,
项目 …) are tagged; the rest of a document is never segmented or described, which keeps full
extraction fast. Each character of a window is described by the characters around it; the word,
place in the word and part-of-speech tag the segmenter gives it, how common the word is and its
cluster in unlabelled news (data/project_clusters.tsv); the project lexicon of the rules (head
words and their types, words that end a name on the left, determiners, generic modifiers,
company and place endings, event and building words); and patterns (inside quotes or brackets, a
capacity 年产…, a route X至Y, the distance to the next head word). The rules that used to decide
are features and post-filters (:mod:`.mentions`), not the decision.

The weights are trained with python-crfsuite (``python -m xiangtan_nlp.extraction.projects.train``)
and shipped as plain text (``data/project_crf.tsv``); tagging reads them with numpy and a
three-label Viterbi here, so the package needs no CRF library at run time. Loaded on first use.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, repeat
from importlib import resources
from typing import Iterable, Iterator, Sequence

import numpy as np

from ...chars import FULLWIDTH_ALNUM, FULLWIDTH_ALNUM_CLASS
from ...segmenter import default_segmenter
from ..patterns import trie_pattern
from ..project_vocab import HEAD_NOT_AFTER, HEAD_NOT_BEFORE, vocab

MODEL_FILE = "project_crf.tsv"
LABELS = ("B", "I", "O")
REACH, TAIL = 40, 6  # characters before the first head and after the last that a window keeps
MAX_WINDOW = 300  # a clause longer than this (hostile input without punctuation) is cut in pieces

# Heads the vocabulary of the rules lacks, met in news beyond the articles the rules were written
# for (lines, pipelines, mines, buildings of a hospital or school, platforms); with their type.
EXTRA_HEADS: dict[str, str] = {
    **dict.fromkeys(
        "管道 管线 高铁 客运专线 专线 环线 联络线 支线 干线 城际 航线 航道 运河 干渠 渠 灌区 水利枢纽 泵站 水闸 "
        "管网 电网 联网 输电线路 换流站 核电站 核电 机组 油田 气田 煤矿 铁矿 矿 港口 航站楼 船坞 储备库 仓储基地 "
        "加气站 充电站 停车场 立交 互通 收费站 服务区 输水 供水 堤防 大堤 河堤 储气库 大通道 通道 管廊 组块 试验线 "
        "数据库".split(),
        "infrastructure",
    ),
    **dict.fromkeys(
        "门诊楼 住院楼 医技楼 综合楼 教学楼 实验楼 图书馆 大楼 院区 校区 分院 分校 体育场 体育中心 剧院 大剧院 "
        "文化中心 会展中心 展览馆 纪念馆 中心 平台 方舱医院 医学中心 养老中心".split(),
        "public service",
    ),
    **dict.fromkeys("生产装置 装置 产业园 小镇 新城 城 谷 园 健康城 产业城 特区 合作区".split(), "industrial park"),
    **dict.fromkeys("广场 综合体 小区 花园 公寓 楼盘 住宅 安置房 酒店".split(), "real estate"),
    **dict.fromkeys("采购 采购项目 标段 包".split(), "procurement"),
}  # fmt: skip

# Heads too common in other senses to open a window alone (采购 on every procurement page, 城, 包
# for a lot): inside a window they are features like any head.
FEATURE_ONLY = frozenset("采购 采购项目 包 城 矿 渠 园 机组 核电 装置 生产装置 电网 联网 中心".split())
_CLAUSE_MARK = re.compile(r"[，。；：！？,;:!?\n]")
_FULLWIDTH = re.compile("[" + FULLWIDTH_ALNUM_CLASS + "]")
_OPEN_QUOTE, _CLOSE_QUOTE = "“‘「『", "”’」』"
_OPEN_BRACKET, _CLOSE_BRACKET = "(（", ")）"
_QUOTE_OR_BRACKET = re.compile("[" + re.escape(_OPEN_QUOTE + _CLOSE_QUOTE + _OPEN_BRACKET + _CLOSE_BRACKET + '"') + "]")
_CAPACITY = re.compile(r"(?:年产|年处理|日产|日处理|年加工|年生产|装机|总装机)[^，。；、]{0,12}?(?:吨|台|套|片|颗|个|辆|千瓦|兆瓦|万千瓦|MW|GW|立方米|平方米|头|只|件|盏)")
_ROUTE = re.compile(r"[\u4e00-\u9fff]{1,8}(?:至|到|—|－|-)[\u4e00-\u9fff]{1,8}")


@dataclass(frozen=True)
class Lexicon:
    """Word lists the features read, compiled once."""

    heads: dict[str, str]  # head word -> type
    head_re: re.Pattern  # head words, longest first
    trigger: re.Pattern  # the heads that make a clause a window (all but FEATURE_ONLY)
    flags: dict[str, str]  # word -> flag letters (L left stop, D determiner, G generic, C company, P place, V place verb, E event, Q cue, A anaphor)


def _alternation(words: Iterable[str]) -> re.Pattern:
    """The longest of ``words`` at each match (a trie: :func:`..patterns.trie_pattern`)."""
    return re.compile(trie_pattern(words))


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The lexicon built from the project vocabulary and :data:`EXTRA_HEADS`."""
    v = vocab()
    heads = dict(v.head_type)
    for w in v.action:
        heads.setdefault(w, "action")
    for w, t in EXTRA_HEADS.items():
        heads.setdefault(w, t)
    flags: dict[str, str] = {}
    for letter, words in (
        ("L", v.left_stop), ("D", v.determiner), ("G", v.generic), ("C", v.company), ("P", v.location_head),
        ("V", v.place_verb), ("E", v.stage), ("Q", v.cue), ("A", v.anaphor),
    ):  # fmt: skip
        for w in words:
            flags[w] = flags.get(w, "") + letter
    trigger = _alternation(h for h in heads if h not in FEATURE_ONLY)
    return Lexicon(heads, _alternation(heads), trigger, flags)


def fold(text: str) -> str:
    """Full-width letters and digits to half-width, one for one (offsets stay the same)."""
    # cleaned text seldom holds any (6 of 345 econ articles): a search is 20x cheaper than translate
    return text.translate(FULLWIDTH_ALNUM) if _FULLWIDTH.search(text) else text


def windows(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of the stretches of ``text`` worth tagging: the clauses that hold a head word,
    from REACH characters before their first head to TAIL after their last (a name ends at its head
    and is never longer than REACH), at most MAX_WINDOW long.

    Clauses end at 。，；：！？ and line breaks. Marks are looked for only around heads (REACH
    characters back, forward to the next one, which later heads before it share), so the text is
    scanned once for heads and a few times over for marks. A head word running into a longer word
    (the rules' guards of project_vocab) opens no window.
    """
    cur: list[int] | None = None  # [start, end, clause end] of the window being grown
    b = -1  # the first mark after the last head looked at (the end of its clause)
    for h in lexicon().trigger.finditer(text):
        head = h.group()
        # the rules' guards: 线路, 中心城区, 工程师 … hold a head word but are not one
        if h.end() < len(text) and text[h.end()] in HEAD_NOT_BEFORE.get(head, ""):
            continue
        if h.start() and text[h.start() - 1] in HEAD_NOT_AFTER.get(head, ""):
            continue
        if h.start() >= b:  # past the clause end found before: find this clause's end
            m = _CLAUSE_MARK.search(text, h.start())
            b = m.start() if m else len(text)
        s = max(0, h.start() - REACH)
        for m in _CLAUSE_MARK.finditer(text, s, h.start()):  # at most REACH characters: keep the last
            s = m.end()
        e = min(b, h.end() + TAIL)
        if cur is not None and cur[2] == b and s <= cur[1]:
            cur[1] = max(cur[1], e)  # another head in the same clause, close enough: one window
            continue
        if cur is not None:
            yield from _cut(cur[0], cur[1])
        cur = [s, e, b]
    if cur is not None:
        yield from _cut(cur[0], cur[1])


def _cut(a: int, b: int) -> Iterator[tuple[int, int]]:
    while b - a > MAX_WINDOW:  # no punctuation for a long stretch (hostile input): fixed cuts
        yield a, a + MAX_WINDOW
        a += MAX_WINDOW
    yield a, b


def _bucket(d: int) -> str:
    if d < 0:
        return "none"
    if d <= 2:
        return str(d)
    if d <= 5:
        return "3-5"
    if d <= 10:
        return "6-10"
    if d <= 20:
        return "11-20"
    if d <= 40:
        return "21-40"
    return "far"


_BUCKETS = tuple(_bucket(d) for d in range(MAX_WINDOW + 1))


def _freq_bucket(f: int) -> str:
    """How common a word is in the segmenter's dictionary: names are rare words."""
    return "0" if f == 0 else "1" if f < 10 else "2" if f < 100 else "3" if f < 1000 else "4" if f < 10000 else "5"


#: Feature templates with a value at each character of a window ('' when absent) ...
CHAR_TEMPLATES = ("c", "b-1", "b+1", "tp", "wf", "fq", "d", "h", "m", "r")
#: ... and templates with one value per word, read at each of its characters, its first or its last.
WORD_TEMPLATES = {"w": "all", "q": "all", "pw": "first", "pf": "first", "pt2": "first", "pq": "first",
                  "nw": "last", "nt": "last", "nq": "last"}  # fmt: skip
TEMPLATES = (*CHAR_TEMPLATES, *WORD_TEMPLATES)
CLUSTERS_FILE = "project_clusters.tsv"


@lru_cache(maxsize=1)
def clusters() -> dict[str, str]:
    """Word -> its cluster (of 512) in unlabelled news (data/project_clusters.tsv), read on first use."""
    out: dict[str, str] = {}
    text = resources.files("xiangtan_nlp.data").joinpath(CLUSTERS_FILE).read_text("utf-8")
    for line in text.split("\n"):
        if line and not line.startswith("#"):
            w, _, c512 = line.split("\t")
            out[w] = c512
    return out


@dataclass
class Window:
    """What the features read in one window: a value per character and per word for each template."""

    chars: dict[str, list[str]]
    words: dict[str, list[str]]
    lengths: list[int]  # the words' lengths (they tile the window)


def rule_labels(
    text: str, spans: Sequence[tuple[int, int]], tokens: Sequence[Sequence[tuple[str, str]]] | None = None
) -> list[list[str]]:
    """Where the rule finder (:func:`..project_names.find_mentions`) puts names in each window
    ``text[a:b]`` of ``spans`` (folded text), per character: B first, I inside, L last, R a reference
    (该项目), '' elsewhere. The finder reads the windows alone, joined by line breaks: they hold
    every head word that opens a window and are a tenth of a news text, so it costs a tenth.
    ``tokens``, the windows' POS tokens when the caller has them, spare it segmenting them again."""
    from ..project_names import find_mentions

    joined = _JOIN.join(text[a:b] for a, b in spans)
    given = None
    if tokens is not None:
        given = [tok for i, toks in enumerate(tokens) for tok in ((*toks,) if i == 0 else (_JOIN_TOKEN, *toks))]
    lab = [""] * len(joined)
    for m in find_mentions(joined, given):
        n = m.end - m.start
        lab[m.start : m.end] = ["R"] * n if m.ref else ["B", *["I"] * (n - 2), "L"][:n]
    out, pos = [], 0
    for a, b in spans:
        out.append(lab[pos : pos + b - a])
        pos += b - a + len(_JOIN)
    return out


_JOIN, _JOIN_TOKEN = "\n", ("\n", "x")  # a clause end for both; the segmenter tags it x


def analyse(
    text: str, tokens: Sequence[tuple[str, str]] | None = None, rule: Sequence[str] | None = None
) -> Window:
    """The template values of one window ``text`` (already folded), tokens from the POS segmenter.

    Per character: the character and its bigrams (c, b-1, b+1); its word's POS tag, lexicon flags
    and commonness, each with the character's place in the word (tp wf fq); the distance to the
    next head word of the clause with that head's type (d); a head word here (h); quotes,
    brackets, a capacity or a route around it (m); the rule finder's label (r, the window's
    :func:`rule_labels`; none when ``rule`` is None). Per word: the word and its cluster (w q, at
    every character), the word before with its flags, the two tags before and its cluster (pw pf
    pt2 pq, at the first character), the word after with its tag and cluster (nw nt nq, at the last).
    """
    lex = lexicon()
    n = len(text)
    if tokens is None:
        tokens = default_segmenter().pos(text)
    freq = default_segmenter().freq
    flags = lex.flags
    clus = clusters()
    pad = "^"
    head_end = [""] * n
    for m in lex.head_re.finditer(text):
        for j in range(m.start(), m.end() - 1):
            head_end[j] = "in"
        head_end[m.end() - 1] = lex.heads[m.group()]
    dist = [""] * n
    nxt = -1
    for i in range(n - 1, -1, -1):
        if head_end[i] and head_end[i] != "in":
            nxt = i
        dist[i] = _BUCKETS[nxt - i] + head_end[nxt] if nxt >= 0 else "none"
    marks = [""] * n
    if _QUOTE_OR_BRACKET.search(text):
        qd = bd = 0
        for i, c in enumerate(text):
            at_q, at_b, qd, bd = _quote_step(c, qd, bd)
            if at_q or at_b:
                marks[i] = ("q" if at_q else "") + ("b" if at_b else "")
    for rx, tag in ((_CAPACITY, "c"), (_ROUTE, "r")):
        for m in rx.finditer(text):
            for j in range(m.start(), m.end()):
                marks[j] += tag
    chars = list(text)
    tp: list[str] = []
    wf: list[str] = []
    fq: list[str] = []
    words = [w for w, _ in tokens]
    tags = [t for _, t in tokens]
    word_flags = list(map(flags.get, words, repeat("")))
    for (w, t), f, c in zip(tokens, word_flags, map(freq.get, words, repeat(0))):
        tp += _placed(t, len(w))
        wf += _placed(f, len(w))
        fq += _placed(_freq_bucket(c), len(w))
    before = [pad, *words[:-1]]
    after = [*words[1:], pad]
    word_clus = list(map(clus.get, words, repeat("-")))
    return Window(
        chars={
            "c": chars, "b-1": [a + b for a, b in zip([pad, *chars], chars)],
            "b+1": [a + b for a, b in zip(chars, [*chars[1:], pad])], "tp": tp, "wf": wf, "fq": fq,
            "d": dist, "h": head_end, "m": marks, "r": list(rule) if rule is not None else [""] * n,
        },
        words={
            "w": words, "q": word_clus,
            "pw": before, "pf": ["-", *(f or "-" for f in word_flags[:-1])],
            "pt2": [a + "|" + b for a, b in zip([pad, pad, *tags[:-2]], [pad, *tags[:-1]])],
            "pq": [clus.get(pad, "-"), *word_clus[:-1]],
            "nw": after, "nt": [*tags[1:], pad], "nq": [*word_clus[1:], clus.get(pad, "-")],
        },
        lengths=[len(w) for w in words],
    )  # fmt: skip


def _quote_step(c: str, qd: int, bd: int) -> tuple[int, int, int, int]:
    """One character of the count of open quotes ``qd`` and brackets ``bd``: the depths at ``c`` (a
    closing mark closes before it, an opening one opens after it) and after it."""
    if c in _CLOSE_QUOTE:
        qd = max(0, qd - 1)
    elif c in _CLOSE_BRACKET:
        bd = max(0, bd - 1)
    at_q, at_b = qd, bd
    if c in _OPEN_QUOTE:
        qd += 1
    elif c in _OPEN_BRACKET:
        bd += 1
    elif c == '"':
        qd = 0 if qd else 1
    return at_q, at_b, qd, bd


_BMES = ("", "S", *("B" + "M" * (k - 2) + "E" for k in range(2, 12)))


@lru_cache(maxsize=4096)
def _placed(value: str, length: int) -> tuple[str, ...]:
    """A word's value at each of its characters with the character's place in the word (B M E, or
    S alone): a few hundred tags, flags and buckets by length, made once each, not per word."""
    bmes = _BMES[length] if length < len(_BMES) else "B" + "M" * (length - 2) + "E"
    return tuple(value + x for x in bmes)


def features(
    text: str, tokens: Sequence[tuple[str, str]] | None = None, rule: Sequence[str] | None = None
) -> list[list[str]]:
    """The feature strings (``template=value``) of each character of one window, for training."""
    win = analyse(text, tokens, rule)
    out: list[list[str]] = [[] for _ in text]
    for name in TEMPLATES:
        if name in win.chars:
            for f, val in zip(out, win.chars[name]):
                if val:
                    f.append(name + "=" + val)
            continue
        where, pos = WORD_TEMPLATES[name], 0
        for val, length in zip(win.words[name], win.lengths):
            for i in (range(pos, pos + length) if where == "all" else (pos if where == "first" else pos + length - 1,)):
                out[i].append(name + "=" + val)
            pos += length
    return out


class Model:
    """The CRF as plain weights: per template, value -> (B, I, O) weights; transitions between labels."""

    def __init__(
        self, weights: dict[str, dict[str, tuple[float, float, float]]], transitions: dict[tuple[str, str], float]
    ) -> None:
        self.weights = weights
        self.transitions = transitions
        # One weight matrix for every template, row 0 zeros (an unknown value, or a word template at
        # a character it does not reach); per template: value -> its row.
        self._index: dict[str, dict[str, int]] = {}
        rows: list[tuple[float, float, float]] = [(0.0, 0.0, 0.0)]
        for name, vals in weights.items():
            self._index[name] = {val: len(rows) + i for i, val in enumerate(vals)}
            rows.extend(vals.values())
        self._matrix = np.array(rows, dtype=np.float64)
        self._tr = [[transitions.get((a, b), 0.0) for b in LABELS] for a in LABELS]
        self._fast: "Rows | None" = None

    def emissions(self, windows: Sequence[Window]) -> np.ndarray:
        """Each character's score for B, I and O (an n x 3 array over the windows one after another):
        the sum of its features' weights, looked up once per template for all the windows."""
        return self.scores(self.rows(windows))

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """The B, I, O scores of characters from their rows (n x templates, in the order of the file)."""
        # one gather and one sum over the templates, in the order of the file: the same sums, added
        # in the same order, as a gather and an add per template were (which cost 15% more); np.take
        # gathers the same rows as indexing with ``rows``, a third faster
        return np.take(self._matrix, rows, axis=0).sum(axis=1)

    def fast_rows(self) -> "Rows":
        """The tables that give :meth:`rows` from numbers (:class:`Rows`), built on first use."""
        if self._fast is None:
            self._fast = Rows(self)
        return self._fast

    def rows(self, windows: Sequence[Window]) -> np.ndarray:
        """Each character's row in the weight matrix for each template (0: nothing), n x templates."""
        chars: dict[str, list[str]] = {name: [] for name in CHAR_TEMPLATES}
        words: dict[str, list[str]] = {name: [] for name in WORD_TEMPLATES}
        lengths: list[int] = []
        for win in windows:
            for name in CHAR_TEMPLATES:
                chars[name] += win.chars[name]
            for name in WORD_TEMPLATES:
                words[name] += win.words[name]
            lengths += win.lengths
        n = len(chars["c"])
        lens = np.array(lengths, dtype=np.int64)
        first = np.cumsum(lens) - lens
        last = first + lens - 1
        rows = np.zeros((n, len(self._index)), dtype=np.intp)
        for j, (name, index) in enumerate(self._index.items()):
            get = index.get
            if name in chars:
                # map with a default row of 0: the look-ups in C, not a Python loop
                rows[:, j] = np.fromiter(map(get, chars[name], repeat(0)), np.intp, n)
            elif name in words:
                per_word = np.fromiter(map(get, words[name], repeat(0)), np.intp, len(lengths))
                where = WORD_TEMPLATES[name]
                if where == "all":
                    rows[:, j] = np.repeat(per_word, lens)
                else:
                    rows[first if where == "first" else last, j] = per_word
        return rows

    def viterbi(self, em: Sequence[Sequence[float]]) -> list[str]:
        """The best label sequence under emission and transition scores (B, I, O in that order)."""
        n = len(em)
        if not n:
            return []
        (t00, t01, t02), (t10, t11, t12), (t20, t21, t22) = self._tr
        s0, s1, s2 = em[0]
        back = []
        for e0, e1, e2 in em[1:]:
            a0, a1, a2 = s0 + t00, s1 + t10, s2 + t20
            b0 = 0 if a0 >= a1 and a0 >= a2 else (1 if a1 >= a2 else 2)
            n0 = (a0, a1, a2)[b0] + e0
            a0, a1, a2 = s0 + t01, s1 + t11, s2 + t21
            b1 = 0 if a0 >= a1 and a0 >= a2 else (1 if a1 >= a2 else 2)
            n1 = (a0, a1, a2)[b1] + e1
            a0, a1, a2 = s0 + t02, s1 + t12, s2 + t22
            b2 = 0 if a0 >= a1 and a0 >= a2 else (1 if a1 >= a2 else 2)
            n2 = (a0, a1, a2)[b2] + e2
            s0, s1, s2 = n0, n1, n2
            back.append((b0, b1, b2))
        lab = 0 if s0 >= s1 and s0 >= s2 else (1 if s1 >= s2 else 2)
        path = [lab]
        for bp in reversed(back):
            lab = bp[lab]
            path.append(lab)
        path.reverse()
        return [LABELS[j] for j in path]

    def to_tsv(self) -> str:
        """The model as text: transitions, then one line per feature with its three weights (sorted)."""
        lines = [f"T\t{a}\t{b}\t{w:.6g}" for (a, b), w in sorted(self.transitions.items())]
        for name in sorted(self.weights):
            for val, (wb, wi, wo) in sorted(self.weights[name].items()):
                lines.append(f"F\t{name}\t{val}\t{wb:.6g}\t{wi:.6g}\t{wo:.6g}")
        return "\n".join(lines) + "\n"

    @classmethod
    def from_tsv(cls, text: str) -> "Model":
        """Read :meth:`to_tsv` text."""
        weights: dict[str, dict[str, tuple[float, float, float]]] = {}
        transitions: dict[tuple[str, str], float] = {}
        for line in text.split("\n"):
            if not line:
                continue
            parts = line.split("\t")
            if parts[0] == "T":
                transitions[(parts[1], parts[2])] = float(parts[3])
            else:
                weights.setdefault(parts[1], {})[parts[2]] = (float(parts[3]), float(parts[4]), float(parts[5]))
        return cls(weights, transitions)


# ------------------------------------------------------------------------ rows from numbers
# The tagger's weight rows of a batch of windows, gathered with numpy instead of feature strings.
# 
# :func:`.tagger.analyse` describes a window by a string per template and character, and
# :meth:`.tagger.Model.emissions` looks each string up in its template's dictionary: about 30 Python
# operations per character, most of a full extraction's project time on figure-dense news. Here the
# same rows come from numbers: a character's code point (c, b-1, b+1 as keys looked up by bisection),
# small tables per model for the values made from a handful of parts (a tag or flag with the place in
# its word, a distance bucket with a head type, marks, rule labels), and one table row per word for
# what a word's templates read (w q pw pf pq nw nq). tests/test_project_speed_equiv.py checks that
# every row is the one the strings give.

_SEP = "。"  # joins the windows for the scans: no head word, route or capacity runs over it
_PLACES = "BMES"  # a character's place in its word: codes 0-3
_FREQ_EDGES = np.array([1, 10, 100, 1000, 10000])  # _freq_bucket's edges: bucket = edges passed
_RULE = ("", "B", "I", "L", "R")
# mark bits: q (inside quotes), b (brackets), c (a capacity), r (a route), in the order of the string
_Q, _B, _C, _R = 1, 2, 4, 8
_WORD_COLS = ("w", "pw", "nw", "q", "pq", "nq", "pf")  # columns of the word table, then the flag code
_KEY_SHIFT = 21  # a code point is below 2**21: two of them make one bigram key


def _code_points(text: str) -> np.ndarray:
    """The code point of each character of ``text`` (a lone surrogate's own number)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)


def _marked(qd: int, bd: int, n: int) -> bytes:
    """``n`` characters' mark bits inside ``qd`` quotes and ``bd`` brackets."""
    return bytes([(_Q if qd else 0) | (_B if bd else 0)]) * n


def _bits_name(bits: int) -> str:
    return ("q" if bits & _Q else "") + ("b" if bits & _B else "") + ("c" if bits & _C else "") + ("r" if bits & _R else "")


class Rows:
    """One model's tables for :meth:`rows` (built once per model, on first use)."""

    def __init__(self, model: Model) -> None:
        self._index = model._index
        lex = lexicon()
        self.order = list(model._index)
        self._lock = threading.Lock()
        # c, b-1, b+1: sorted keys (code points, pairs of them) and their rows, a last key above all
        self.c = self._keys("c", 1)
        self.prev = self._keys("b-1", 2)
        self.next = self._keys("b+1", 2)
        # d and h: the head types; a distance's bucket by number
        types = sorted(set(lex.heads.values()))
        self.type_code = {t: i for i, t in enumerate(types)}
        names = list(dict.fromkeys(_BUCKETS))
        self.bucket_of = np.array([names.index(b) for b in _BUCKETS], dtype=np.intp)  # distances 0..MAX_WINDOW
        assert len(self.bucket_of) == MAX_WINDOW + 1
        self.d = np.array([[self._get("d", b + t) for b in names] for t in types], dtype=np.intp)
        self.d_none = self._get("d", "none")
        self.h = np.array([self._get("h", v) for v in ("", "in", *types)], dtype=np.intp)
        self.m = np.array([self._get("m", _bits_name(bits)) for bits in range(16)], dtype=np.intp)
        self.r = {v: self._get("r", v) for v in _RULE}
        self.fq = np.array([[self._get("fq", str(k) + x) for x in _PLACES] for k in range(6)], dtype=np.intp)
        # flags: code 0 is no flag
        flag_names = ["", *sorted(set(lex.flags.values()))]
        flag_code = {f: i for i, f in enumerate(flag_names)}
        self.wf = np.array([[self._get("wf", f + x) for x in _PLACES] for f in flag_names], dtype=np.intp)
        # words: what the templates read of a word; row 0 for any word none of them knows
        clus = clusters()
        words = ["", *dict.fromkeys(chain(clus, lex.flags, *(self._index.get(name, {}) for name in ("w", "pw", "nw"))))]
        self.word_id = {w: i for i, w in enumerate(words) if i}
        self.words = self._word_table(words, clus, lex.flags, flag_code)
        pad = "^"
        self.pad = {
            "pw": self._get("pw", pad), "pf": self._get("pf", "-"), "pq": self._get("pq", clus.get(pad, "-")),
            "nw": self._get("nw", pad), "nq": self._get("nq", clus.get(pad, "-")),
        }  # fmt: skip
        self._tags: tuple[dict[str, int], np.ndarray, np.ndarray, np.ndarray] = ({}, *self._tag_tables([]))
        self._add_tags([pad])

    def _get(self, name: str, value: str) -> int:
        return self._index.get(name, {}).get(value, 0)

    def _keys(self, name: str, length: int) -> tuple[np.ndarray, np.ndarray]:
        """A template's values of ``length`` characters (1 or 2) as sorted keys (a code point, or two
        as one number), with their rows; one more key above every other, with row 0."""
        vals = {v: row for v, row in self._index.get(name, {}).items() if len(v) == length}
        cp = _code_points("".join(vals)).reshape(len(vals), length)
        keys = cp[:, 0] if length == 1 else (cp[:, 0] << _KEY_SHIFT) | cp[:, 1]
        order = np.argsort(keys, kind="stable")
        k = np.append(keys[order], np.iinfo(np.int64).max)
        r = np.append(np.fromiter(vals.values(), np.intp, len(vals))[order], 0)
        return k, r

    def _word_table(self, words: list[str], clus: dict[str, str], flags: dict[str, str], flag_code: dict[str, int]) -> np.ndarray:
        """Per word (row 0: a word none of the templates knows, whose first entry ``words`` holds):
        its rows for w pw nw q pq nq pf, and its flag's code."""
        n = len(words)
        c = ["-", *map(clus.get, words[1:], repeat("-"))]
        f = ["", *map(flags.get, words[1:], repeat(""))]
        pf = [x or "-" for x in f]
        cols = [[0, *map(self._index.get(name, {}).get, words[1:], repeat(0))] for name in ("w", "pw", "nw")]
        cols += [list(map(self._index.get(name, {}).get, c, repeat(0))) for name in ("q", "pq", "nq")]
        cols += [list(map(self._index.get("pf", {}).get, pf, repeat(0))), list(map(flag_code.__getitem__, f))]
        return np.array(cols, dtype=np.intp).reshape(len(_WORD_COLS) + 1, n).T.copy()

    def _tag_tables(self, tags: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        tp = np.array([[self._get("tp", t + x) for x in _PLACES] for t in tags], dtype=np.intp).reshape(len(tags), 4)
        nt = np.array([self._get("nt", t) for t in tags], dtype=np.intp)
        pt2 = np.array([[self._get("pt2", a + "|" + b) for b in tags] for a in tags], dtype=np.intp).reshape(len(tags), len(tags))
        return tp, nt, pt2

    def _add_tags(self, new: Sequence[str]) -> None:
        """Tags met for the first time: the tag tables remade with them (a few dozen tags in all)."""
        with self._lock:
            code = dict(self._tags[0])
            for t in new:
                code.setdefault(t, len(code))
            self._tags = (code, *self._tag_tables(list(code)))

    @staticmethod
    def _lookup(keys: tuple[np.ndarray, np.ndarray], q: np.ndarray) -> np.ndarray:
        k, r = keys
        i = np.searchsorted(k, q)  # the last key is above every query: i is always a valid index
        return np.where(k[i] == q, r[i], 0)

    def rows(
        self, texts: Sequence[str], tokens: Sequence[Sequence[tuple[str, str]]], rules: Sequence[Sequence[str]],
        freq: dict[str, int],
    ) -> np.ndarray:
        """The weight rows (n x templates) of ``texts`` (folded windows, one after another), with their
        POS tokens and rule labels: :meth:`.tagger.Model.emissions`'s rows, from numbers."""
        lens = np.fromiter(map(len, texts), np.intp, len(texts))
        n = int(lens.sum())
        ends = np.cumsum(lens)
        starts = ends - lens
        joined = _SEP.join(texts)
        cp_all = _code_points(joined)
        keep = np.ones(len(joined), dtype=bool)
        keep[(ends + np.arange(len(texts)))[:-1]] = False  # the separators
        cp = cp_all[keep]
        # a position in ``joined`` of window k is its position in the windows + k
        joffs = starts + np.arange(len(texts))
        win_end = np.repeat(ends, lens)  # each character's window end
        cols: dict[str, np.ndarray] = {}
        cols["c"] = self._lookup(self.c, cp)
        pad = ord("^")
        before = np.empty(n, dtype=np.int64)
        before[1:] = cp[:-1]
        before[starts] = pad
        after = np.empty(n, dtype=np.int64)
        after[:-1] = cp[1:]
        after[ends - 1] = pad
        cols["b-1"] = self._lookup(self.prev, (before << _KEY_SHIFT) | cp)
        cols["b+1"] = self._lookup(self.next, (cp << _KEY_SHIFT) | after)
        # heads: h at each character, and the distance to the next head end with its type (d)
        lex = lexicon()
        heads, type_code = lex.heads, self.type_code
        hb = bytearray(n)
        head_ends: list[int] = []
        head_types: list[int] = []
        k = 0
        for m in lex.head_re.finditer(joined):
            s, e = m.span()
            while k + 1 < len(texts) and s >= joffs[k + 1]:
                k += 1
            s -= k
            e -= k
            hb[s : e - 1] = b"\x01" * (e - 1 - s)
            t = type_code[heads[m.group()]]
            hb[e - 1] = 2 + t
            head_ends.append(e - 1)
            head_types.append(t)
        cols["h"] = self.h[np.frombuffer(bytes(hb), dtype=np.uint8)]
        pos = np.arange(n)
        he = np.array([*head_ends, np.iinfo(np.int64).max], dtype=np.int64)
        ht = np.array([*head_types, 0], dtype=np.intp)
        j = np.searchsorted(he, pos)
        nxt = he[j]
        ok = nxt < win_end
        dist = np.where(ok, nxt - pos, 0)
        cols["d"] = np.where(ok, self.d[ht[j], self.bucket_of[dist]], self.d_none)
        # marks: quotes and brackets open at each character (per window), capacities, routes
        mb = bytearray(n)
        k, qd, bd, last = -1, 0, 0, 0
        for m in _QUOTE_OR_BRACKET.finditer(joined):
            p = m.start()
            kk = k
            while kk + 1 < len(texts) and p >= joffs[kk + 1]:
                kk += 1
            if kk != k:
                if k >= 0:
                    mb[last : ends[k]] = _marked(qd, bd, ends[k] - last)
                k, qd, bd, last = kk, 0, 0, starts[kk]
            p -= k
            mb[last:p] = _marked(qd, bd, p - last)  # the characters since the last mark
            at_q, at_b, qd, bd = _quote_step(m.group(), qd, bd)
            mb[p] = _marked(at_q, at_b, 1)[0]
            last = p + 1
        if k >= 0:
            mb[last : ends[k]] = _marked(qd, bd, ends[k] - last)
        for rx, bit in ((_CAPACITY, _C), (_ROUTE, _R)):
            k = 0
            for m in rx.finditer(joined):
                s, e = m.span()
                while k + 1 < len(texts) and s >= joffs[k + 1]:
                    k += 1
                for i in range(s - k, e - k):
                    mb[i] |= bit
        cols["m"] = self.m[np.frombuffer(bytes(mb), dtype=np.uint8)]
        cols["r"] = np.fromiter(map(self.r.__getitem__, chain.from_iterable(rules)), np.intp, n)
        # tokens: per word, then at its characters
        flat = list(chain.from_iterable(tokens))
        words = [w for w, _ in flat]
        tags = [t for _, t in flat]
        nt_ = len(flat)
        wlen = np.fromiter(map(len, words), np.intp, nt_)
        info = self.words[np.fromiter(map(self.word_id.get, words, repeat(0)), np.intp, nt_)]
        code = self._tags[0]
        tc = list(map(code.get, tags))
        if None in tc:
            self._add_tags([t for t in tags if t not in code])
            tc = list(map(self._tags[0].get, tags))
        _, tp, nt, pt2 = self._tags
        tcode = np.array(tc, dtype=np.intp)
        caret = self._tags[0]["^"]
        fqb = np.searchsorted(_FREQ_EDGES, np.fromiter(map(freq.get, words, repeat(0)), np.int64, nt_), side="right")
        per_win = np.fromiter(map(len, tokens), np.intp, len(tokens))
        first_tok = np.repeat(np.cumsum(per_win) - per_win, per_win)
        in_win = np.arange(nt_) - first_tok  # a token's place in its window
        last_in_win = in_win == np.repeat(per_win, per_win) - 1
        tok_start = np.cumsum(wlen) - wlen
        tok_last = tok_start + wlen - 1
        of_char = np.repeat(np.arange(nt_), wlen)
        place = pos - tok_start[of_char]
        clen = wlen[of_char]
        bmes = np.where(clen == 1, 3, np.where(place == 0, 0, np.where(place == clen - 1, 2, 1)))
        cols["tp"] = tp[tcode[of_char], bmes]
        cols["wf"] = self.wf[info[of_char, 7], bmes]
        cols["fq"] = self.fq[fqb[of_char], bmes]
        cols["w"] = info[of_char, 0]
        cols["q"] = info[of_char, 3]
        # the word before (pw pf pq pt2, at a word's first character) and after (nw nt nq, at its last)
        prev_ok = in_win >= 1
        prev = np.maximum(np.arange(nt_) - 1, 0)
        for name, col in (("pw", 1), ("pq", 4), ("pf", 6)):
            cols[name] = self._place(n, tok_start, np.where(prev_ok, info[prev, col], self.pad[name]))
        a = np.where(in_win >= 2, tcode[np.maximum(np.arange(nt_) - 2, 0)], caret)
        b = np.where(prev_ok, tcode[prev], caret)
        cols["pt2"] = self._place(n, tok_start, pt2[a, b])
        following = np.minimum(np.arange(nt_) + 1, nt_ - 1)
        for name, col in (("nw", 2), ("nq", 5)):
            cols[name] = self._place(n, tok_last, np.where(last_in_win, self.pad[name], info[following, col]))
        cols["nt"] = self._place(n, tok_last, nt[np.where(last_in_win, caret, tcode[following])])
        zero = np.zeros(n, dtype=np.intp)
        return np.stack([cols.get(name, zero).astype(np.intp, copy=False) for name in self.order], axis=1)

    @staticmethod
    def _place(n: int, at: np.ndarray, values: np.ndarray) -> np.ndarray:
        out = np.zeros(n, dtype=np.intp)
        out[at] = values
        return out


@lru_cache(maxsize=1)
def load_model() -> Model:
    """The shipped CRF weights (``data/project_crf.tsv``), read on first use."""
    model = Model.from_tsv(resources.files("xiangtan_nlp.data").joinpath(MODEL_FILE).read_text("utf-8"))
    model.fast_rows()  # its tables too: loading is done before a batch's clock starts
    return model


@dataclass(frozen=True)
class Span:
    """A stretch the tagger marks as a project name."""

    start: int
    end: int


def decode(labels: Sequence[str]) -> list[Span]:
    """BIO labels -> spans; an I after O starts a span."""
    spans: list[Span] = []
    start = None
    for i, lab in enumerate([*labels, "O"]):
        if start is not None and lab != "I":
            spans.append(Span(start, i))
            start = None
        if lab == "B" or (lab == "I" and start is None):
            start = i
    return spans


def tag(text: str, model: Model | None = None) -> list[Span]:
    """Project-name spans proposed by the CRF for a whole (cleaned) text, in order."""
    model = model or load_model()
    folded = fold(text)
    seg = default_segmenter()
    spans = list(windows(folded))
    if not spans:
        return []
    tokens = [seg.pos(folded[a:b]) for a, b in spans]
    rules = rule_labels(folded, spans, tokens)
    out: list[Span] = []
    # the windows in batches: one weight look-up per template for a batch, not per window, while the
    # features and scores held at once stay bounded on a long document (each row's sum is the same)
    fast = model.fast_rows()  # the rows analyse and emissions give, from numbers
    for k in range(0, len(spans), _BATCH):
        batch = spans[k : k + _BATCH]
        rows = fast.rows([folded[a:b] for a, b in batch], tokens[k : k + _BATCH], rules[k : k + _BATCH], seg.freq)
        em = model.scores(rows).tolist()
        pos = 0
        for a, b in batch:
            for s in decode(model.viterbi(em[pos : pos + b - a])):
                out.append(Span(a + s.start, a + s.end))
            pos += b - a
    return out


_BATCH = 256  # windows scored together (a news article has 5-30)


__all__ = [
    "CHAR_TEMPLATES", "EXTRA_HEADS", "LABELS", "MODEL_FILE", "TEMPLATES", "WORD_TEMPLATES", "Model", "Span", "Window",
    "analyse", "decode", "features", "fold", "lexicon", "load_model", "rule_labels", "tag", "windows",
]  # fmt: skip
