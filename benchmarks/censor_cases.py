"""Cases of the censor benchmark: real news sentences the models never saw, masked as filters mask.

Used by ``repair_bench.py`` (run by hand; it reads ../shared/data, which only developers have).

**Sentences.** ``news_dev/econ.jsonl`` and ``news_dev/labelled.jsonl`` (2011 procurement-portal
pages and Sina news of 2005-2011; econ's part B repeats 49 labelled records under the same id,
read once). Neither file is in ``lm_corpus``, but both hold reposted pages, so a sentence is
dropped when its text occurs anywhere in ``lm_corpus`` (all of it, every slice).

**Sealed split, by record** (a record is one article, so no article is split):
``int(sha1(record id).hexdigest(), 16) % 2 == 0`` is the **test** slice, ``== 1`` the **dev**
slice. Both sources are in both slices (the records carry no dates beyond their source: econ is
2011, labelled 2005-2011). The test cases were generated, and their fingerprint written into
:data:`TEST_FINGERPRINT`, before anything was tuned; tune on dev only and report test first.

**What a filter masks.** A site's filter replaces what its block list names, character by
character or word by word, with marks; it does not read the sentence (the seed's 发令*** is the
harmless 发令枪, masked for its 枪). Two filters are simulated from the public block lists in
``censor_lexicon`` (konsheng/Sensitive-lexicon, MIT):

* a character filter: :data:`CHAR_FILTER`, the characters the issue names (weapons, drugs,
  gambling, killing, violence, explosions, corruption, crime, sex: 枪 毒 赌 杀 暴 炸 腐 贪 罪 黄 淫)
  and the list entries of one character in the same fields (色 爆 弹 盗 窃 贿 奸 娼 妓 嫖), masked
  wherever they stand (绿色 → 绿***);
* a word filter: every list entry of 2-4 Han characters that holds one of those characters
  (暴力, 毒品, 赌博, 贪污, 黄色, 爆炸案 …), masked where it stands as a word or inside one (an
  occurrence that straddles a word boundary, 犯罪|行为 for 罪行, is left out).

Cases are taken in turn across the masked characters (or words), so that 色 (in hundreds of
sentences) does not drown 腐 (in a handful). Like a filter, a case masks every occurrence of its character (or word) in
the sentence, and it is restored only when all of them are; other listed characters stay (one
mask at a time is measured), except in ``censor-all``, where both filters mask everything.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

#: Recorded when the test cases were first generated (default options), before any tuning.
TEST_FINGERPRINT = "032dda8eddc9d7d7"
DEFAULT_SEED = 20240615
#: News sentences run long (labelled's headlines run into their text): up to this many characters.
LONGEST = 160

#: Longest page (characters) of the page cases (``page_pairs``).
PAGE_LONGEST = 6000
CHAR_FILTER = "枪毒赌杀暴炸腐贪罪黄淫色爆弹盗窃贿奸娼妓嫖"
#: Marks for one hidden character: each says nothing of the length, except □ (one each).
CENSOR1_STYLES = ("*", "**", "***", "＊＊＊", "×××", "□")
#: Marks for a hidden two-character word (``*``: one mark for both).
CENSOR2_STYLES = ("*", "**", "***", "＊＊＊", "×××", "□□")

# (kind, template): {s} a real sentence, {a} and {b} its parts before and after its first comma;
# the inserted part must come back unchanged. Written for this benchmark from the forms real pages
# use (check boxes of forms, footnote marks of statistics tables, masked numbers); the ones marked
# "real" were seen in lm_corpus or news_dev.
NEGATIVES = [
    ("checkbox 是否 colon", "{a}，是否本地户籍：□是□否，{b}"),
    ("checkbox 是否 inline", "{a}，是否本地户籍□是□否，{b}"),
    ("checkbox 是否 first", "{a}，□是□否签订合同，{b}"),
    ("checkbox 有无", "{a}（有无违规记录□有□无）{b}"),
    ("checkbox 是□否□", "{a}，是□ 否□，{b}"),
    ("checkbox 同意", "{a}，□同意□不同意，{b}"),
    ("checkbox ticked ☑", "{a}，☑是□否，{b}"),
    ("checkbox ticked ■", "{a}，■是□否，{b}"),
    ("checkbox spaced", "{s}是否签约 □是 □否"),
    ("checkbox end", "{a}，已核实□ 未核实□"),
    ("footnote ＊注", "{a}，＊注：以上数据未经审计。"),
    ("footnote *注", "{a}。*注:{b}"),
    ("footnote **为", "{a}，**为预计数。"),
    ("footnote 来源", "{a}；＊数据来源：国家统计局。"),
    ("footnote line", "{s}\n＊注：以上数据未经审计"),
    ("rating stars", "{a}，综合评分★★★★☆，{b}"),
    ("rating 指数", "{a}，推荐指数：***。{b}"),
    ("rating grade", "{a}，甲醛释放量达到F****级，{b}"),  # real: eb page, E0和F****级
    ("phone mobile", "{a}，联系电话：139****1234，{b}"),
    ("phone landline", "{a}，咨询热线0731-****5678。"),
    ("phone after name", "{a}，王先生138****5678。"),
    ("phone slash", "{a}，联系人电话13/151****2897。"),  # real: cnews-qs-test-0488
    ("id card", "{a}，身份证号码4303**********1234，{b}"),
    ("id card x", "{a}，证件号430302********123X。"),
    ("bank card", "{a}，银行卡号6222 **** **** 1234。"),
    ("separator spaced", "{s}\n* * *\n"),
    ("separator run", "{s}\n＊＊＊＊＊＊\n"),
    ("separator dashes", "——***——\n{s}"),
    ("separator ×", "{s}\n×××××××××\n"),
    ("arithmetic size", "{a}，规格为1200×600毫米，{b}"),  # real: 300mm×300mm
    ("arithmetic units", "{a}，建设2×350兆瓦热电机组，{b}"),  # real: xwlb, 2×350兆瓦
    ("arithmetic relay", "{a}，获得男子4×100米接力冠军。"),  # real: xwlb
    ("arithmetic hours", "{a}，提供7×24小时服务。"),  # real: xwlb
    ("arithmetic pixels", "{a}，分辨率为1024*768，{b}"),  # real: eb page
    ("arithmetic formula", "{a}，应缴金额＝计税价格×税率。"),  # real: eb page, 固有风险×控制风险
    ("arithmetic count", "{a}（疗伤药*3）{b}"),  # real: cnews-qs-test-0902
    ("name ×", "{a}，27岁男子叶×林受伤。"),  # real: cnews-qs-test-0113
]


class Case(NamedTuple):
    """One benchmark case: its kind, the input, the expected output and what the mask hides."""

    kind: str
    text: str
    expected: str
    truth: str = ""  # the hidden characters ("" for negatives and evasions)
    unit: str = ""  # the character or list word the case was drawn for


def slice_of(record_id: str) -> str:
    """``"test"`` or ``"dev"``: the sealed split of news_dev records (sha1 of the id, mod 2)."""
    return "test" if int(hashlib.sha1(record_id.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "dev"


def read_news(shared: Path, which: str) -> list[tuple[str, str]]:
    """(id, text) of the econ and labelled records of one slice, each id once."""
    out: dict[str, str] = {}
    for name in ("econ.jsonl", "labelled.jsonl"):
        with (shared / "news_dev" / name).open(encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                if slice_of(r["id"]) == which:
                    out.setdefault(r["id"], r["text"])
    return sorted(out.items())


def split_sentences(texts: list[str], longest: int = 80) -> list[str]:
    """Sentences of 12 to ``longest`` characters, mostly Han, without mask characters in them."""
    out = []
    for t in texts:
        for line in t.split("\n"):
            for s in re.findall(r"[^。！？]*[。！？]?", line):
                s = s.strip()
                han = sum("\u4e00" <= c <= "\u9fff" for c in s)
                if 12 <= len(s) <= longest and han >= 0.7 * len(s) and not re.search(r"[*＊×□■蕞]", s):
                    out.append(s)
    return out


class CorpusText:
    """The text of lm_corpus, to tell whether a sentence occurs in it: 8-character windows at every
    fourth position are hashed, so a sentence of 11 characters or more that occurs in the text
    shares a window with it; only sentences that do are searched for in full."""

    K, STEP = 8, 4

    def __init__(self, shared: Path) -> None:
        import numpy as np

        parts = []
        for path in sorted((shared / "lm_corpus").glob("*.jsonl")):
            with path.open(encoding="utf-8") as f:
                parts.extend(json.loads(line)["text"] for line in f)
        self.text = "\n".join(parts)
        cps = np.frombuffer(self.text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        starts = np.arange(0, len(cps) - self.K + 1, self.STEP)
        h = np.zeros(len(starts), dtype=np.uint64)
        for j in range(self.K):
            h = h * np.uint64(1_000_003) + cps[starts + j]  # wraps modulo 2**64, as _hash does
        self.keys = np.unique(h)

    def _hash(self, s: str) -> int:
        h = 0
        for c in s:
            h = (h * 1_000_003 + ord(c)) % (1 << 64)
        return h

    def __contains__(self, sentence: str) -> bool:
        if len(sentence) < self.K + self.STEP - 1:
            return sentence in self.text
        # where the sentence occurs, every fourth of its windows (one residue) is a hashed one
        import numpy as np

        starts = range(len(sentence) - self.K + 1)
        windows = np.array([self._hash(sentence[i : i + self.K]) for i in starts], dtype=np.uint64)
        at = np.minimum(np.searchsorted(self.keys, windows), len(self.keys) - 1)
        hits = (self.keys[at] == windows).tolist()
        if not any(all(hits[r :: self.STEP]) for r in range(self.STEP)):
            return False
        return sentence in self.text


def news_sentences(shared: Path, which: str, corpus: CorpusText | None = None) -> list[str]:
    """Sentences of one news_dev slice that do not occur in lm_corpus (each once, in order)."""
    corpus = corpus or CorpusText(shared)
    seen: set[str] = set()
    out = []
    for s in split_sentences([t for _, t in read_news(shared, which)], longest=LONGEST):
        if s not in seen and s not in corpus:
            seen.add(s)
            out.append(s)
    return out


def block_words(shared: Path) -> set[str]:
    """The word filter's list: entries of 2-4 Han characters holding a character of CHAR_FILTER."""
    words: set[str] = set()
    for path in sorted((shared / "censor_lexicon").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            w = line.strip()
            if 2 <= len(w) <= 4 and all("\u4e00" <= c <= "\u9fff" for c in w) and any(c in CHAR_FILTER for c in w):
                words.add(w)
    return words


def _in_turn(groups: dict[str, list], n: int, rng: random.Random) -> list:
    """Up to ``n`` items taken in turn from each group (groups and items shuffled)."""
    keys = sorted(groups)
    rng.shuffle(keys)
    pools = {k: rng.sample(groups[k], len(groups[k])) for k in keys}
    out: list = []
    while len(out) < n and any(pools.values()):
        for k in keys:
            if pools[k] and len(out) < n:
                out.append(pools[k].pop())
    return out


def page_pairs(shared: Path, which: str, n: int, corpus: CorpusText | None = None) -> list[tuple[str, str, str]]:
    """Up to ``n`` (page, sentence, character) triples of one slice, characters of CHAR_FILTER
    taken in turn: a page of at most PAGE_LONGEST characters holding the character, and the
    first benchmark-eligible sentence of it that does (repair_probe --pages)."""
    eligible = set(news_sentences(shared, which, corpus or CorpusText(shared)))
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for _, text in read_news(shared, which):
        if len(text) > PAGE_LONGEST:  # a page, not a dump: repair's time grows with its masks
            continue
        sents = split_sentences([text])
        for c in sorted(set(text) & set(CHAR_FILTER)):
            first = next((x for x in sents if c in x and x in eligible), None)
            if first is not None:
                groups.setdefault(c, []).append((text, first, c))
    return _in_turn(groups, n, random.Random(DEFAULT_SEED))


def censor_cases(sents: list[str], words: set[str], per_kind: int, seed: int = DEFAULT_SEED) -> list[Case]:
    """Positive cases: one filtered character (``censor1``), one filtered two-character word
    (``censor2``) in every mask style, a filtered word of three or four characters (``censor3+``),
    and whole sentences with everything the two filters block masked (``censor-all``)."""
    rng = random.Random(seed)
    seg = _jieba()
    by_char: dict[str, list[tuple[str, str]]] = defaultdict(list)
    by_word: dict[int, dict[str, list[tuple[str, str]]]] = {2: defaultdict(list), 3: defaultdict(list)}
    for s in sents:
        for c in sorted(set(s) & set(CHAR_FILTER)):
            by_char[c].append((s, c))
        bounds = {a for _, a, _ in seg.tokenize(s)} | {len(s)}
        for n in (2, 3, 4):
            for a in range(len(s) - n + 1):
                w = s[a : a + n]
                if w in words and _is_word_there(a, a + n, bounds):
                    by_word[min(n, 3)][w].append((s, w))
    by_word = {n: {w: sorted(set(v)) for w, v in g.items()} for n, g in by_word.items()}
    cases: list[Case] = []
    for s, c in _in_turn(by_char, per_kind, rng):
        for style in CENSOR1_STYLES:
            cases.append(Case(f"censor1 {style}", s.replace(c, style), s, c, c))
    for s, w in _in_turn(by_word[2], per_kind, rng):
        for style in CENSOR2_STYLES:
            cases.append(Case(f"censor2 {style}", s.replace(w, style), s, w, w))
    for s, w in _in_turn(by_word[3], per_kind, rng):
        cases.append(Case("censor3+ ***", s.replace(w, "***"), s, w, w))
    filtered = sorted({s for s in sents if mask_all(s, words) != s})
    for s in rng.sample(filtered, min(per_kind, len(filtered))):
        cases.append(Case("censor-all ***", mask_all(s, words), s))
    return cases


def _jieba() -> object:
    """jieba's own tokenizer with its own dictionary (not the package's segmenter, so that a change
    to the project's dictionary does not change the sealed cases)."""
    import logging

    import jieba

    logging.getLogger("jieba").setLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    return tok


def _is_word_there(a: int, b: int, bounds: set[int]) -> bool:
    """[a, b) is whole segmenter tokens or lies inside one; not 罪行 across 犯罪|行为."""
    return (a in bounds and b in bounds) or not any(a < k < b for k in bounds)


def mask_all(s: str, words: set[str]) -> str:
    """``s`` as the two filters together leave it: list words first, then single characters,
    each run of masked characters written ``***``."""
    hidden = [False] * len(s)
    for n in (4, 3, 2):
        for a in range(len(s) - n + 1):
            if s[a : a + n] in words:
                hidden[a : a + n] = [True] * n
    for i, c in enumerate(s):
        hidden[i] = hidden[i] or c in CHAR_FILTER
    return re.sub(r"\x00+", "***", "".join("\x00" if h else c for c, h in zip(s, hidden)))


def template_cases(templates: list[tuple[str, str]], sents: list[str], n: int, rng: random.Random) -> list[Case]:
    """``n`` negatives of every (kind, template): a random sentence with the look-alike put in."""
    cases: list[Case] = []
    for kind, tpl in templates:
        for _ in range(n):
            s = rng.choice(sents)
            cut = s.find("，")
            a, b = (s[:cut], s[cut + 1 :]) if cut > 0 else (s.rstrip("。！？"), "特此说明。")
            text = tpl.format(s=s, a=a, b=b)
            cases.append(Case(f"neg {kind}", text, text))
    return cases


def negative_cases(sents: list[str], n: int, seed: int = DEFAULT_SEED) -> list[Case]:
    """``n`` cases of every kind in :data:`NEGATIVES`, and ``n`` plain sentences per two kinds."""
    rng = random.Random(seed + 1)
    cases = template_cases(NEGATIVES, sents, n, rng)
    for s in rng.sample(sents, min(len(sents), n * len(NEGATIVES) // 2)):
        cases.append(Case("plain", s, s))
    return cases


def fingerprint(cases: list[Case]) -> str:
    """A short hash of the cases, to tell the sealed test set from any other."""
    h = hashlib.sha1()
    for c in cases:
        h.update("\x1f".join(c).encode("utf-8") + b"\x1e")
    return h.hexdigest()[:16]
