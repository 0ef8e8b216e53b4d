"""Build the censor prior ``data/censor_prior.tsv`` from public block lists and news (run by hand).

    python -m xiangtan_nlp.cleaning.censor_build            # reads ../shared/data, writes the prior
    python -m xiangtan_nlp.cleaning.censor_build --report   # plus the word and character tables

A filter masks what is on its block list, so the chance that a character or word is masked is
read off block lists, against how often news writes it. Evidence, all read from ``../shared/data``
(developers only; nothing here runs at import or in the tests):

* the public sensitive-word lists in ``censor_lexicon/`` (konsheng/Sensitive-lexicon, MIT; its
  SOURCE.md): every line is cut into its runs of Han characters (``piece``), so 出售猎枪 QQ gives
  出售猎枪 and 政府+做出+测序+病毒 gives four keywords;
* the training slice of ``lm_corpus`` (the records the language models learned from; never the
  benchmark's slices): how often news writes each character and word;
* the seed article (``corpus/000_9f14ab93c5a18b94.txt``, 发令*** = 发令枪): a filter that masks 枪
  on its own, counted as one more list entry 枪;
* every run of mask marks in ``lm_corpus`` and ``news_dev``, by what stands on each side of it. None
  of them is a filtered word (they multiply, mask phone numbers, open bylines, name *ST stocks);
  the counts are kept in the prior as the look-alike evidence.

What is derived (see :func:`build`):

* **characters**: ``lift``, the log ratio of a character's share of the pieces' characters to its
  share of the news' Han characters (淫 5.8, 贪 4.1, 赌 3.9, 枪 3.5, 杀 2.8 against 的 -0.6 and
  展 -3.4); and ``rate``, the chance that a filter holding the kept words masks the character where
  news writes it: the share of its news occurrences that fall inside a kept word, each occurrence
  weighted by how surely its word is blocked (``sigmoid(score - BLOCK_SCORE)``), smoothed towards
  the mean with ``RATE_PRIOR`` pseudo-occurrences. A listed word raises every character of it.
* **words** of 2-4 Han characters that are a list piece themselves or a dictionary word inside one
  (暴力 sits in 暴力拆迁, 暴力执法 …; the dictionary is jieba's plus ``userdict.txt``), scored by
  ``ln(share of pieces / share of news positions)`` plus the lift of the word's most telling
  character. A piece counts for the part of it the word makes up (暴力 is half of 暴力拆迁), since
  long pieces are phrases and slogans that hold common words (什么, 服务). 国家 is in 104 pieces
  but news writes it 57,631 times (score -0.7: no filter of news masks it); 赌博 is in 20 and news
  writes it 81 times (score 8.7). A word is kept when its score reaches ``MIN_WORD_SCORE`` and,
  unless it is a piece itself, news writes it at least once.
* the **character tier**: how surely a filter blocks a character itself, wherever it stands (a
  character filter's 绿*** for 绿色), read off the lists of the blocked fields (``FIELD_LISTS``:
  guns and explosives, violence and terror, corruption, sex) by :func:`char_tiers`: a noisy-OR
  over every word of news, each field-list entry blocked because of one of its characters, so that
  a listed word does not raise every character of it alike (杀人 counts for 杀, not for 人, whose
  many unlisted words say it is not blocked). 枪 2.9, 贪 2.6, 腐 2.5, 炸 2.2; 人 and 的 none.

The file is UTF-8 text, tab-separated, one record a line after ``#`` comments (format
``xiangtan-censor-prior/1``):

    c  <char>  <rate: log10, 2 decimals>  <lift: ln, 2 decimals>  <pieces holding it>  <news count>
    w  <word>  <score>  <pieces holding it>  <news count>  <lists: codes of the list files>
    t  <char>  <tier: ln(theta / TIER_FLOOR), 2 decimals; characters without a tier are left out>
    m  <mark>  <class before>  <class after>  <runs seen in the corpora>

The runtime side (reading it back, :meth:`Prior.fits`: the fillers that make a kept word with
the characters around a gap) is :mod:`~xiangtan_nlp.cleaning.prior`, which repair loads lazily.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np
import regex

from ..chars import is_han
from .prior import FORMAT, PRIOR_FILE, Prior

#: A word is kept when its score (word lift plus its best character's lift) reaches this; and a
#: kept word counts as blocked with weight sigmoid(score - BLOCK_SCORE) in the characters' rates.
#: Chosen by reading the scores (build --report): 国家 -0.7, 政府 0.6, 北京 1.4, 犯罪 1.5, 病毒 2.7
#: and 什么 2.8 against 扫黄 3.2, 暴力 3.7, 腐败 4.7, 贩毒 4.5, 赌博 8.7, 嫖娼 12.4.
MIN_WORD_SCORE = 2.0
BLOCK_SCORE = 3.0
#: Smoothing of a character's rate: this many pseudo-occurrences at the mean rate.
RATE_PRIOR = 20.0
#: Codes of the list files (the ``lists`` column), in the order of the folder listing.
LIST_CODES = {
    "COVID-19词库": "V", "GFW补充词库": "G", "其他词库": "O", "反动词库": "R", "广告类型": "A",
    "政治类型": "P", "新思想启蒙": "N", "暴恐词库": "T", "民生词库": "L", "涉枪涉爆": "W",
    "网易前端过滤敏感词库": "E", "色情类型": "X", "色情词库": "Y", "补充词库": "S", "贪腐词库": "C",
    "零时-Tencent": "Q", "非法网址": "U", "seed": "Z",
}  # fmt: skip
_HAN_RUN = regex.compile(r"[\p{Han}]+")
_MARK_RUN = regex.compile(r"[*＊×□■]+")
SEED_FILE = "corpus/000_9f14ab93c5a18b94.txt"
#: The list files of the fields a site's filter blocks whatever the word (weapons and explosives,
#: violence and terror, corruption, sex); the merged lists (网易, Tencent, GFW) are mostly
#: politics and names, so they are left out of the character tier.
FIELD_LISTS = ("涉枪涉爆", "暴恐词库", "贪腐词库", "色情类型", "色情词库")
#: The character tier: theta (see :func:`char_tiers`) is smoothed with TIER_SMOOTH pseudo-counts
#: (blocked, not blocked), whose mean is TIER_FLOOR, so that a character without evidence has no
#: tier; a character gets ln(theta / TIER_FLOOR) where theta exceeds TIER_FLOOR.
TIER_SMOOTH, TIER_FLOOR, TIER_ROUNDS = (0.01, 2.0), 0.005, 50


def read_pieces(lexicon: Path) -> dict[str, set[str]]:
    """Every run of Han characters in the list files, with the list files it came from."""
    pieces: dict[str, set[str]] = {}
    for path in sorted(lexicon.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            for run in _HAN_RUN.findall(line):
                pieces.setdefault(run, set()).add(path.stem)
    return pieces


def seed_pieces(repo: Path) -> dict[str, set[str]]:
    """The seed's evidence as list pieces: each ``<word>***`` of the seed whose filled form is
    known (发令*** = 发令枪) makes the hidden characters a piece of the list ``seed``."""
    text = (repo / SEED_FILE).read_text(encoding="utf-8")
    known = {"发令": "枪"}  # the article's own wording: 打响…“发令枪”, a starting gun
    out: dict[str, set[str]] = {}
    for m in _MARK_RUN.finditer(text):
        hidden = known.get(text[max(0, m.start() - 2) : m.start()])
        if hidden:
            out.setdefault(hidden, set()).add("seed")
    return out


def training_text(corpus: Path) -> str:
    """The training slice of lm_corpus (records the models learned from), joined by line breaks."""
    from .train_lm import iter_records, split_of

    return "\n".join(r["text"] for r in iter_records(str(corpus)) if split_of(r["id"]) == "train")


class NewsCounts:
    """Counts of characters and of given words in one text, with numpy (a Python loop over 30
    million characters would take minutes)."""

    def __init__(self, text: str) -> None:
        cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        self.alphabet, ids = np.unique(cps, return_inverse=True)
        if len(self.alphabet) >= 1 << 16:  # the n-gram keys below give each character 16 bits
            raise ValueError(f"{len(self.alphabet)} distinct characters: too many for 16-bit ids")
        self.ids = ids.astype(np.uint64)
        self.index = {chr(int(c)): i for i, c in enumerate(self.alphabet)}
        self.char_count = {chr(int(c)): int(n) for c, n in zip(self.alphabet, np.bincount(ids))}
        self.size = len(cps)

    def _keys(self, n: int) -> np.ndarray:
        size = len(self.ids) - n + 1
        keys = np.zeros(size, dtype=np.uint64)
        for j in range(n):  # 16 bits per character (checked in __init__)
            keys = (keys << np.uint64(16)) | self.ids[j : j + size]
        return keys

    def _word_keys(self, words: list[str]) -> np.ndarray:
        out = np.zeros(len(words), dtype=np.uint64)
        for k, w in enumerate(words):
            key = 0
            for c in w:
                key = (key << 16) | self.index[c]
            out[k] = key
        return out

    def _by_length(self, words: list[str]) -> Iterator[tuple[list[str], np.ndarray, np.ndarray]]:
        """Per word length: the words the text can hold, their keys, and the text's keys."""
        for n in sorted({len(w) for w in words}):
            seen = [w for w in words if len(w) == n and all(c in self.index for c in w)]
            if seen and len(self.ids) >= n:
                yield seen, self._word_keys(seen), self._keys(n)

    def count(self, words: list[str]) -> dict[str, int]:
        """How often each word occurs (overlaps counted); words with an unseen character get 0."""
        out = dict.fromkeys(words, 0)
        for seen, wk, keys in self._by_length(words):
            uniq, counts = np.unique(keys[np.isin(keys, wk)], return_counts=True)
            where = dict(zip(uniq.tolist(), counts.tolist()))
            for w, k in zip(seen, wk.tolist()):
                out[w] = int(where.get(k, 0))
        return out

    def covered_weighted(self, weight: dict[str, float]) -> dict[str, float]:
        """For each character, the sum over the occurrences of the given words that cover it of
        the word's weight (the most weighty word where several overlap)."""
        best = np.zeros(len(self.ids), dtype=np.float64)
        for seen, wk, keys in self._by_length(sorted(weight)):
            order = np.argsort(wk)
            starts = np.flatnonzero(np.isin(keys, wk))
            of_word = np.array([weight[w] for w in seen])[order][np.searchsorted(wk[order], keys[starts])]
            for j in range(len(seen[0])):
                np.maximum.at(best, starts + j, of_word)
        sums = np.bincount(self.ids.astype(np.int64), weights=best, minlength=len(self.alphabet))
        return {chr(int(c)): float(v) for c, v in zip(self.alphabet, sums) if v > 0}


def candidate_words(pieces: dict[str, set[str]], is_word: Callable[[str], bool]) -> dict[str, set[str]]:
    """Words of 2-4 Han characters a filter may block: a piece itself, or a dictionary word inside
    a piece; each with the pieces that hold it."""
    found: dict[str, set[str]] = {}
    for piece in pieces:
        for n in range(2, 5):
            for a in range(len(piece) - n + 1):
                w = piece[a : a + n]
                if w == piece or is_word(w):
                    found.setdefault(w, set()).add(piece)
    return found


def scan_marks(files: list[Path]) -> Counter:
    """Runs of mask marks in real text, by (mark, class of the character before, class after)."""
    counts: Counter = Counter()
    for path in files:
        with path.open(encoding="utf-8") as f:
            for line in f:
                text = json.loads(line).get("text") or ""
                for m in _MARK_RUN.finditer(text):
                    before = text[m.start() - 1] if m.start() else "\n"
                    after = text[m.end()] if m.end() < len(text) else "\n"
                    counts[(m.group()[:4], char_class(before), char_class(after))] += 1
    return counts


def char_class(c: str) -> str:
    """``han``, ``digit``, ``latin``, ``space`` (line breaks too), ``mark`` or ``punct``."""
    if is_han(c):
        return "han"
    if c.isdigit():
        return "digit"
    if c.isascii() and c.isalpha():
        return "latin"
    if c.isspace():
        return "space"
    return "mark" if c in "*＊×□■★☆" else "punct"


def char_tiers(words: dict[str, int], blocked: set[str]) -> dict[str, float]:
    """How surely a filter blocks a character itself, whatever word it stands in: a noisy-OR fit
    (EM, TIER_ROUNDS rounds) of which words of news (``words``: 2-4 characters, news counts) are
    ``blocked`` (entries of the field lists), each blocked because of one of its characters, each
    word weighted by ln(1 + count). A listed word is explained by the character that explains the
    other listed words too, so 杀 takes 杀人 from 人, whose many unlisted words keep it low. Gives
    ln(theta / TIER_FLOOR) for each character whose theta exceeds TIER_FLOOR."""
    ws = sorted(w for w, n in words.items() if n > 0)
    chars = sorted({c for w in ws for c in w})
    ix = {c: i for i, c in enumerate(chars)}
    rows = [np.array(sorted({ix[c] for c in w}), dtype=np.int64) for w in ws]
    weight = np.log1p([words[w] for w in ws])
    listed = [k for k, w in enumerate(ws) if w in blocked]
    seen = np.zeros(len(chars))
    for r, x in zip(rows, weight):
        seen[r] += x
    a, b = TIER_SMOOTH
    theta = np.full(len(chars), 0.01)
    for _ in range(TIER_ROUNDS):
        got = np.zeros(len(chars))
        for k in listed:  # each character's share of the blame for a blocked word
            r = rows[k]
            got[r] += weight[k] * theta[r] / (1.0 - np.prod(1.0 - theta[r]))
        theta = (got + a) / (seen + a + b)
    return {c: round(math.log(t / TIER_FLOOR), 2) for c, t in zip(chars, theta.tolist()) if t > TIER_FLOOR}


def build(
    pieces: dict[str, set[str]], news: NewsCounts, is_word: Callable[[str], bool], marks: Counter,
    dictionary: Iterable[str] = (),
) -> Prior:
    """Derive the prior from the list pieces, the news counts and the mark counts (and the
    character tier from the ``dictionary`` words of 2-4 characters and the pieces)."""
    prior = Prior(marks=dict(marks))
    # characters: share of the pieces' characters against share of the news' Han characters
    in_pieces: Counter = Counter()
    for piece in pieces:
        in_pieces.update(piece)
    piece_chars = sum(in_pieces.values())
    news_han = sum(n for c, n in news.char_count.items() if is_han(c))
    char_lift = {
        c: math.log((in_pieces.get(c, 0) + 0.5) / piece_chars) - math.log((n + 1) / news_han)
        for c, n in news.char_count.items()
        if is_han(c)
    }
    # words: share of the pieces (each piece counting the part of it the word makes up) against
    # share of news positions, plus the lift of the word's most telling character
    cands = candidate_words(pieces, is_word)
    counts = news.count(sorted(cands))
    weight: dict[str, float] = {}
    for w in sorted(cands):
        if any(c not in char_lift for c in w) or (counts[w] < 1 and w not in pieces):
            continue  # a dictionary word inside a piece counts only where news writes it
        share = sum(len(w) / len(p) for p in cands[w]) / len(pieces)
        score = math.log(share) - math.log((counts[w] + 1) / news.size) + max(char_lift[c] for c in w)
        if score >= MIN_WORD_SCORE:
            lists = "".join(sorted({LIST_CODES.get(name, "?") for p in cands[w] for name in pieces[p]}))
            prior.words[w] = (round(score, 2), len(cands[w]), counts[w], lists)
            weight[w] = 1.0 / (1.0 + math.exp(BLOCK_SCORE - score))
    # a listed word raises every character of it: each of its occurrences in news counts, by how
    # surely the word is blocked, for the characters it covers
    covered = news.covered_weighted(weight)
    total = sum(n for c, n in news.char_count.items() if c in char_lift)
    mean_rate = sum(covered.get(c, 0.0) for c in char_lift) / total
    for c in sorted(char_lift):
        n = news.char_count[c]
        rate = (covered.get(c, 0.0) + RATE_PRIOR * mean_rate) / (n + RATE_PRIOR)
        prior.chars[c] = (round(math.log10(rate), 2), round(char_lift[c], 2), in_pieces.get(c, 0), n)
    # the character tier, from every dictionary word or list piece of 2-4 characters news writes
    words = sorted(set(dictionary) | {p for p in pieces if 2 <= len(p) <= 4})
    field_lists = set(FIELD_LISTS)
    fields = {p for p, names in pieces.items() if names & field_lists}
    prior.tiers.update(char_tiers(news.count(words), fields))
    prior.notes.append(
        f"{len(pieces)} list pieces, {piece_chars} characters in them; {news.size} news characters "
        f"({news_han} Han); mean rate {mean_rate:.2e}"
    )
    return prior


def write_prior(prior: Prior, path: Path, header: list[str]) -> None:
    """Write the prior as the tab-separated text file described in the module docstring."""
    lines = [f"# {FORMAT}"] + [f"# {h}" for h in header]
    lines += ["\t".join(("c", c, f"{r:.2f}", f"{lf:.2f}", str(p), str(n))) for c, (r, lf, p, n) in prior.chars.items()]
    lines += ["\t".join(("w", w, f"{lf:.2f}", str(p), str(n), ls)) for w, (lf, p, n, ls) in prior.words.items()]
    lines += ["\t".join(("t", c, f"{v:.2f}")) for c, v in sorted(prior.tiers.items())]
    lines += ["\t".join(("m", *k, str(v))) for k, v in sorted(prior.marks.items(), key=lambda kv: (-kv[1], kv[0]))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Build the prior from ../shared/data and write it into the package data."""
    repo = Path(__file__).resolve().parents[3]
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    shared = Path(os.environ.get("XT_SHARED_DATA", repo.parent / "shared" / "data"))
    ap.add_argument("--shared", type=Path, default=shared, help="../shared/data (or set XT_SHARED_DATA)")
    ap.add_argument("--out", type=Path, default=repo / "src" / "xiangtan_nlp" / "data" / PRIOR_FILE)
    ap.add_argument("--report", action="store_true", help="print the kept words and the top characters")
    args = ap.parse_args(argv)
    lexicon = args.shared / "censor_lexicon"
    if not lexicon.is_dir():
        print(f"censor_build: no censor_lexicon at {lexicon} (pass --shared)", file=sys.stderr)
        return 1
    from .lm import get_lexicon

    pieces = read_pieces(lexicon)
    for piece, names in seed_pieces(repo).items():
        pieces.setdefault(piece, set()).update(names)
    print(f"{len(pieces)} list pieces", file=sys.stderr)
    news = NewsCounts(training_text(args.shared / "lm_corpus"))
    print(f"{news.size} news characters", file=sys.stderr)
    mark_files = [p for folder in ("lm_corpus", "news_dev") for p in sorted((args.shared / folder).glob("*.jsonl"))]
    lex = get_lexicon()
    dictionary = [w for n in (2, 3, 4) for w in lex.words_of_length(n)]
    prior = build(pieces, news, lex.is_word, scan_marks(mark_files), dictionary)
    header = [
        "The censor prior: how likely a filter is to mask a character or word. Built by",
        "python -m xiangtan_nlp.cleaning.censor_build (see its docstring and data/README.md).",
        "Sources: konsheng/Sensitive-lexicon @ 5a8da94c61c160e203a6b2fcfafbea642404d50c, Vocabulary/ (MIT,",
        "Copyright (c) 2024~2099 Konsheng; only counts and weights derived from its lists are here, not",
        "the lists); the training slice of lm_corpus (counts); the seed article",
        "corpus/000_9f14ab93c5a18b94.txt (发令*** = 发令枪); mask marks seen in lm_corpus and news_dev (counts).",
        "c <char> <log10 rate> <lift> <pieces> <news>: rate = chance that a filter with the kept words",
        "  masks the character where news writes it; lift = ln(share of list characters / share of news).",
        "w <word> <score> <pieces> <news> <lists>: kept words, score = ln(share of pieces / share of news",
        "  positions) + best character lift >= " + f"{MIN_WORD_SCORE}; lists = codes of the list files: "
        + " ".join(f"{v}={k}" for k, v in LIST_CODES.items()),
        "t <char> <tier>: how surely a filter blocks the character itself (noisy-OR over news words of",
        "  the field lists " + " ".join(FIELD_LISTS) + f"; ln(theta / {TIER_FLOOR}), where above it).",
        "m <mark> <before> <after> <runs>: mask marks in real text by the class of their neighbours;",
        "  none of them hides a filtered word (look-alikes: multiplication, phone numbers, bylines).",
        *prior.notes,
    ]
    write_prior(prior, args.out, header)
    print(f"wrote {args.out}: {len(prior.chars)} characters, {len(prior.words)} words, {len(prior.marks)} mark "
          f"contexts, {args.out.stat().st_size / 1e6:.2f} MB", file=sys.stderr)  # fmt: skip
    if args.report:
        report(prior)
    return 0


def report(prior: Prior) -> None:
    """Print the strongest words and characters, and the mark contexts."""
    words = sorted(prior.words.items(), key=lambda kv: -kv[1][0])
    print("words by score:", " ".join(f"{w}{v[0]:.1f}" for w, v in words[:300]))
    common = sorted(prior.words.items(), key=lambda kv: -kv[1][2])
    print("words by news count:", " ".join(f"{w}{v[2]}/{v[0]:.1f}" for w, v in common[:300]))
    chars = sorted(((v[0], c) for c, v in prior.chars.items() if v[3] >= 20), reverse=True)
    print("characters by rate:", " ".join(f"{c}{r:.2f}" for r, c in chars[:300]))
    for k, v in sorted(prior.marks.items(), key=lambda kv: -kv[1])[:40]:
        print("  mark", k, v)


if __name__ == "__main__":
    sys.exit(main())
