"""Censor repair: documented character evasions (蕞→最) and masked characters (发令*** → 发令枪).

Two passes, each a list of replayable :class:`~xiangtan_nlp.model.Step` (spans in the text as it
stands after the earlier steps, so ``apply_steps(original, steps) == repaired``):

1. **Evasions** from ``data/evasions.tsv`` (each row documents where the evasion was seen in use).
   A match is left alone when it is real writing: a keep word (蕞尔), a dictionary word, or part of
   one that reaches outside it. Otherwise it is replaced where the repaired text forms a dictionary
   word, or, for rows marked ``always`` (蕞, which modern text only uses in 蕞尔), anywhere.
2. **Masks**: a run of ``*``, ``＊``, ``×``, ``□`` or ``■`` inside Chinese text stands for one or two
   filtered characters (□ and ■ for one each). Candidates: every Han character and every
   two-character dictionary word, ranked by what the forward character model expects after the left
   context and the backward model before the right one (fillers that complete a dictionary word with
   their neighbours get a bonus), plus the favourites of the gap model, a small neural network that
   reads 32 characters on each side (``gapnet.py``); the best few are scored over the whole window
   in both directions, plus a cache of the rest of the document and the gap model's log-probability,
   and weighed by a conditional logit fitted on held-out news. The winner's share of that
   probability, calibrated by its length (``CALIBRATION``), is the step's confidence: the chance,
   measured on held-out news, that the fill is right. The winner is used when its confidence reaches
   the threshold; otherwise the mask stays and a ``flag`` step (before == after) reports it. Either
   step lists the best fillers with their chances (``Step.candidates``), so a flagged mask shows
   what it probably hid. Masks with the same two characters before them and the same marks are
   decided together, as one hidden word. A fill that would add, drop or change a money or percent
   figure nearby (二十***亿元) is never made: the mask stays, flagged ``mask-figure``, since a redacted
   amount cannot be restored from language alone; nor is a fill of numerals alone before a measure
   word or beside another numeral (共有□家 → 四家).

What only looks censored gets no step at all: masked phone and ID numbers (138****5678), ratings
(★★★), separator lines, arithmetic (3*4=12, 长×宽, 疗伤药*2), footnote marks (*为初步统计数),
check boxes (□是□否), password fields, markdown emphasis, privacy-masked names (王**, 陈*华), stock
names (*ST), bullets and bylines (■ 链接, □本报记者), template placeholders (××万元) and marks that are
talked about (带*号). The models and the lexicon load on first use, never at import.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import regex

from ..model import Repaired, Step
from .lm import id_map, is_han

if TYPE_CHECKING:
    from threadpoolctl import ThreadpoolController

    from .gapnet import GapNet
    from .lm import CharLM, Lexicon, Models

#: Confidence (a calibrated chance of being right) a mask restoration needs; below it the mask is
#: kept and flagged. At 0.5 a fill is made only when it is more likely right than wrong.
MASK_THRESHOLD = 0.5
#: Hidden words scored per text; further masks are flagged unscored (rule "mask-limit"), so a
#: hostile input of a million marks costs seconds, not hours.
MAX_MASKS = 500
#: Distinct surroundings of one hidden word that are scored (the rest share the decision).
MAX_CONTEXTS = 8
#: Best fillers a mask step lists in ``Step.candidates`` (with their chance of being right), so
#: that a flagged mask shows what it probably hid.
CANDIDATES_SHOWN = 3

MASK_CHARS = "*＊×□■"
_MASK_RUN = regex.compile(r"[*＊×□■]+")
# A run that is all one mask character, 1-4 long (longer runs are rules, ratings or passwords).
_HOMOGENEOUS = regex.compile(r"^(\*{1,4}|＊{1,4}|×{2,4}|□{1,4}|■{1,4})$")
# Chinese punctuation that may sit on one side of a mask inside a sentence.
_CJK_PUNCT = set("，。、；：？！“”‘’（）《》〈〉【】「」『』…—·～,.;:?!()")
# What may follow a run of two marks or more that ends a line (a headline, a title).
_LINE_END = set("\n \u3000\u00a0")
# After these a □ or ■ starts something new (a bullet, a byline) rather than hiding a character.
_CLOSERS = set("。！？”’）)」』】》")
# Before a lone mark, these make it a note or bullet mark rather than a masked character.
_NOTE_OPENERS = set("（(【[「『：:。；;！!？?")
# A note after a mark starts with one of these words.
_NOTE_START = regex.compile(
    r"(?:为|系|是|指|即|注|含|不含|包|表示|数据|资料|来源|根据|按|均|以上|此|该|本|单位|统计|初步|预计|同比|"
    r"其中|未|非|仅|不|已|可|需|须|请)"
)
# Punctuation pairs around a run of two marks or more that hide a list item or a quoted name.
_WRAPPERS = {a + b for a in "、，；" for b in "、，；。"} | {"“”", "《》", "「」", "『』", "‘’"}
# Markdown emphasis: **text** or *text* with no mask characters inside, on one line (a bold list
# of names runs to a hundred characters and more).
_MARKDOWN = regex.compile(r"(?<![*＊])(\*\*|\*)(?=[^\s*])([^*\n]{1,200}?)(?<=[^\s*])\1(?![*＊])")
# A mark named as a symbol: 带*号 标*的 打×号 在□内 (the text talks about the mark itself).
_SYMBOL_MENTION = regex.compile(r"[带标打加注有以画划在]([*＊×□■])[号者的为项内中处]")
# Words that announce a secret or an identifier: what follows a mask of them is not censorship.
_SECRET_BEFORE = regex.compile(
    r"(?:密码|口令|验证码|校验码|账号|帐号|卡号|手机号?|电话|号码|身份证号?|证件号|车牌号?|邮箱|PIN|pin)"
    r"[为是:：\s]{0,3}$"
)
# Check boxes: □/■ at a line start or after a space, followed by an option (□是□否, □同意 □不同意).
_CHECKBOX_LINE = regex.compile(r"(?:^|[\s:：])[□■☐](?=\p{Han})", regex.M)
# □/■ that open a byline or a section inside a run-on page: 资格□本报记者 李良, ”■马上就访,
# 基金□好买基金研究中心 曾令华 (a name or heading, then a space).
_BULLET_AFTER = regex.compile(
    r"(?:本报|本刊|本台|本版|本网|晨报|晚报|日报|特约|记者|通讯员|实习生|见习|编辑|撰稿|摄影|摄|文/|图/"
    r"|新华社|中新社|新华网|人民网|央视网|\p{Han}{1,6}[：:]|\p{Han}{2,12}[ \u00a0\u3000])"
)
# ×× before a unit or an administrative suffix is a template placeholder (××万元, ××县, ×××同志).
_PLACEHOLDER_BEFORE = regex.compile(r"(?:万|亿|元|年|月|日|号|岁|名|人|个|家|公司|集团|省|市|县|区|镇|乡|村|路|街|同志)")
# A placeholder follows a non-Han character, another placeholder (×年×月) or one of these (在××县,
# 的×××家, 第××号); after any other Han character ××× hides the rest of a word (铁路×××省内: 局).
_PLACEHOLDER_AFTER = set("的在于对向为是和与及或某第等各该")
# Common surnames: 王** and 陈*华 after a non-Han character are privacy-masked names, not filtered words.
SURNAMES = set(
    "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃"
    "武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符"
    "舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农"
    "司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商"
    "刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)


@dataclass(frozen=True, slots=True)
class Evasion:
    """One row of the evasion table: ``evasion`` written for ``repaired``."""

    evasion: str
    repaired: str
    keep: tuple[str, ...]  # genuine words that contain the evasion (蕞尔)
    where: str  # "word": only where the repaired text makes a dictionary word; "always"
    source: str


@lru_cache(maxsize=1)
def evasion_table() -> dict[str, Evasion]:
    """The active rows of ``data/evasions.tsv`` by evasion string (read on first use)."""
    text = resources.files("xiangtan_nlp.data").joinpath("evasions.tsv").read_text("utf-8")
    table: dict[str, Evasion] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 6 or cols[0] == "evasion":
            continue
        evasion, repaired, keep, where, status, source = (c.strip() for c in cols)
        if status != "on":
            continue
        if where not in ("word", "always") or len(repaired) != len(evasion):
            raise ValueError(f"evasions.tsv: bad row for {evasion!r}")
        table[evasion] = Evasion(evasion, repaired, tuple(w for w in keep.split(",") if w), where, source)
    return table


@lru_cache(maxsize=1)
def _evasion_pattern() -> "regex.Pattern[str]":
    keys = sorted(evasion_table(), key=len, reverse=True)  # longest first
    return regex.compile("|".join(map(regex.escape, keys))) if keys else regex.compile(r"(?!)")


def repair(
    text: str,
    *,
    evasions: bool = True,
    masks: bool = True,
    threshold: float = MASK_THRESHOLD,
    models: "Models | None" = None,
    lexicon: "Lexicon | None" = None,
) -> Repaired:
    """Undo censor evasions and restore masked characters; every change or doubt is a step."""
    if isinstance(text, (bytes, bytearray)):
        raise TypeError("repair() needs str, not bytes: decode first (text.decode('utf-8'))")
    if not isinstance(text, str):
        raise TypeError(f"repair() needs str, got {type(text).__name__}")
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold!r}")
    steps: list[Step] = []
    if evasions and _evasion_pattern().search(text):
        text = _repair_evasions(text, steps, lexicon)
    if masks and any(c in text for c in MASK_CHARS):
        text = _repair_masks(text, steps, threshold, models, lexicon)
    return Repaired(text, tuple(steps))


# -- evasions -----------------------------------------------------------------------------


def _repair_evasions(text: str, steps: list[Step], lexicon: "Lexicon | None") -> str:
    from .lm import get_lexicon

    table = evasion_table()
    lex = lexicon or get_lexicon()
    out = text
    for m in _evasion_pattern().finditer(text):  # replacements keep the length: spans stay valid
        ev = table[m.group()]
        i, j = m.span()
        if _genuine(text, i, j, ev, lex):
            continue
        fixed = out[:i] + ev.repaired + out[j:]
        worded = bool(lex.covers(fixed, i, j))
        if not worded and ev.where == "word":
            continue
        conf = 0.99 if worded else 0.9  # "always" rows: the evasion is not a word of its own
        steps.append(Step("repair", i, j, m.group(), ev.repaired, f"evasion:{ev.evasion}→{ev.repaired}", conf))
        out = fixed
    return out


def _genuine(text: str, i: int, j: int, ev: Evasion, lex: "Lexicon") -> bool:
    """True when text[i:j] is real writing: inside a keep word (蕞尔), itself a dictionary word, or
    part of one that reaches outside it (解决|对策 holds 决对 across a word boundary)."""
    for w in ev.keep:
        for a in range(max(0, j - len(w)), i + 1):
            if text.startswith(w, a):
                return True
    if lex.is_word(text[i:j]) and j - i > 1:
        return True
    for a, b in lex.spans_over(text, i, j):
        if a < i or b > j:
            return True
    return False


# -- masks --------------------------------------------------------------------------------


def _repair_masks(
    text: str, steps: list[Step], threshold: float, models: "Models | None", lexicon: "Lexicon | None"
) -> str:
    from .lm import get_lexicon, get_models

    runs = [m.span() for m in _MASK_RUN.finditer(text)]
    skip = _looks_censored_not(text, runs)
    runs = [r for r in runs if r not in skip]
    if not runs:
        return text
    models = models or get_models()
    lexicon = lexicon or get_lexicon()
    # A filter masks a word the same way each time: masks with the same two characters before
    # them and the same marks are decided together (their scores add up), on the original text.
    groups: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for s, e in runs:
        key = (text[max(0, s - 2) : s], text[s:e])
        groups.setdefault(key if all(map(is_han, key[0])) and len(key[0]) == 2 else (str(s), ""), []).append((s, e))
    decision: dict[tuple[int, int], tuple[str | None, float, tuple[tuple[str, float], ...]]] = {}
    # one BLAS thread: the gap model's products are small, and a second thread spinning between
    # them doubled the CPU time of repair (10.3 ms instead of 5.1 per benchmark sentence)
    with _blas_controller().limit(limits=1, user_api="blas"):
        for g, members in enumerate(groups.values()):
            fill, conf, cands = _infill(text, members, models, lexicon) if g < MAX_MASKS else (None, -1.0, ())
            for span in members:
                decision[span] = (fill, conf, cands)
    out = text
    delta = 0  # length change so far: spans in `out` = spans in `text` + delta
    for s, e in runs:
        fill, conf, cands = decision[(s, e)]
        s2, e2 = s + delta, e + delta
        before = out[s2:e2]
        if conf < 0:
            steps.append(Step("flag", s2, e2, before, before, "mask-limit", 0.0))
            continue
        # a mask whose best filler is a figure is reported as such whatever its confidence: it
        # tells the reader an amount was hidden here
        if fill is not None and _changes_figures(out, s2, e2, fill):
            steps.append(Step("flag", s2, e2, before, before, "mask-figure", round(conf, 3), cands))
            continue
        if fill is None or conf < threshold:
            steps.append(Step("flag", s2, e2, before, before, "mask-abstain", round(conf, 3), cands))
            continue
        steps.append(Step("repair", s2, e2, before, fill, "mask-infill", round(conf, 3), cands))
        out = out[:s2] + fill + out[e2:]
        delta += len(fill) - (e - s)
    return out


@lru_cache(maxsize=1)
def _blas_controller() -> "ThreadpoolController":
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _changes_figures(text: str, s: int, e: int, fill: str) -> bool:
    """Filling ``text[s:e]`` with ``fill`` would add, drop or change a money or percent figure near
    it (二十***亿元 → 二十个亿元 makes 20亿元 out of a gap): a repair must never make up data."""
    from ..extraction.figures import find_figures
    from ..extraction.patterns import CN_DIGITS, CN_UNITS

    numeral = "0123456789" + CN_DIGITS + CN_UNITS
    if all(c in numeral for c in fill):  # 共有□家 → 四家 would be a count nobody wrote
        before, after = text[s - 1 : s], text[e : e + 1]
        if (before and before in numeral) or (after and (after in numeral or after in _MEASURE)):
            return True
    lo, hi = max(0, s - FIGURE_REACH), min(len(text), e + FIGURE_REACH)

    def figures(window: str) -> list[tuple]:
        return [(r.kind, r.value, r.low, r.high, r.unit) for r in find_figures(window)]

    return figures(text[lo:s] + fill + text[e:hi]) != figures(text[lo:hi])


def _looks_censored_not(text: str, runs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """Runs that are not censorship masks (see the module docstring)."""
    skip: set[tuple[int, int]] = set()
    markdown = {
        span for m in _MARKDOWN.finditer(text) for span in ((m.start(1), m.end(1)), (m.end(2), m.end()))
    }
    mentions = {m.span(1) for m in _SYMBOL_MENTION.finditer(text)}
    line_starts = [0] + [m.end() for m in regex.finditer("\n", text)]

    def line_of(i: int) -> int:
        return line_starts[bisect_right(line_starts, i) - 1]

    checkbox_lines = {line_of(m.start()) for m in _CHECKBOX_LINE.finditer(text)}
    checkbox_lines |= {line_of(m.start()) for m in regex.finditer("[√✓☑]", text)}
    # A mark that opens a note (*为初步统计数, （*为…）, 注：*…) is a footnote mark wherever it appears.
    notes = {text[s:e] for s, e in runs if _opens_note(text, s, e)}
    for s, e in runs:
        run = text[s:e]
        prev = text[s - 1] if s > 0 else "\n"
        nxt = text[e] if e < len(text) else "\n"
        if not _HOMOGENEOUS.match(run) or (s, e) in markdown or (s, e) in mentions:
            skip.add((s, e))
        elif run[0] in "□■" and (
            line_of(s) in checkbox_lines
            or prev in _CLOSERS
            or _BULLET_AFTER.match(text, e, min(len(text), e + 14))
        ):
            skip.add((s, e))
        elif (
            run[0] == "×"
            and _PLACEHOLDER_BEFORE.match(text, e, min(len(text), e + 4))
            and (not is_han(prev) or prev in _PLACEHOLDER_AFTER or text[max(0, s - 2) : s - 1] in ("×", "Ｘ"))
        ):
            skip.add((s, e))
        elif not _in_chinese_text(prev, nxt, run, _note_like(text, e)):
            skip.add((s, e))
        elif run in notes and not (is_han(prev) and is_han(nxt)):
            skip.add((s, e))
        elif _SECRET_BEFORE.search(text[max(0, s - 8) : s]):
            skip.add((s, e))
        elif _masked_name(text, s, e):
            skip.add((s, e))
    return skip


def _opens_note(text: str, s: int, e: int) -> bool:
    """A */＊ run of one or two at a line start or after an opening bracket or colon, followed by
    Han: a note (*为初步统计数)."""
    if text[s] not in "*＊" or e - s > 2:
        return False
    prev = text[s - 1] if s > 0 else "\n"
    nxt = text[e] if e < len(text) else "\n"
    return (prev in _NOTE_OPENERS or prev.isspace()) and is_han(nxt) and _note_like(text, e)


def _note_like(text: str, e: int) -> bool:
    """What follows a mark at ``e`` reads like a note: it starts with a note word (**为预计数,
    *数据来源：国家统计局, *不含港澳台), unlike a sentence whose first word was masked
    (**京破获一起国家战略资源走私案)."""
    return bool(_NOTE_START.match(text, e))


def _in_chinese_text(prev: str, nxt: str, run: str, note: bool) -> bool:
    """A mask inside a Chinese sentence: Han on one side and Han, sentence punctuation or (for two
    marks or more) a digit on the other (截至8**底), or a space or the line end after two marks or
    a run of × □ ■ (枪击** 造成伤亡, 击落乌××× 乌称).
    Latin letters, spaces and digits on both sides rule it out (f**k, 138****5678); a lone */＊
    right after an opening bracket, a colon or a full stop is a note or bullet mark, and at a line
    start a run of three or more */＊/×, of two or more □/■, or of two */＊ not followed by a note
    word (``note``: **为预计数 is a note, **京破获… a mask) is taken for a mask. Two marks or more
    between list or quote punctuation hide an item or a name (、***、, “***”, 《**》)."""
    length = len(run)
    if length > 1 and prev + nxt in _WRAPPERS:  # a list item or a quoted name: 、***、 “***” 《**》
        return True
    if is_han(prev):  # a lone mark before a digit multiplies (疗伤药*2); one at a line end or
        # before a space is a footnote reference (增速*), two or more end a headline (枪击**)
        if nxt in _LINE_END:  # three stars or more after a word are a rating (五星级酒店***)
            return length == 2 or (length > 2 and run[0] in "×□■")
        return is_han(nxt) or nxt in _CJK_PUNCT or (length > 1 and nxt.isdigit())
    if prev == "\n" and length >= 3 and run[0] in "*＊×" and nxt in "，、":  # ***，参议院已经通过了
        return True
    if not is_han(nxt):
        return False
    if prev == "\n":  # two □/■ or more hide characters; a single one is a bullet (□本报记者)
        return (
            (length >= 3 and run[0] in "*＊×")
            or (length >= 2 and run[0] in "□■")
            or (length == 2 and not note)  # **京破获…: a sentence, not **为预计数
        )
    if prev in _CJK_PUNCT:  # a lone */＊ after （ or ： opens a note; a lone □ is a character
        return length > 1 or prev not in _NOTE_OPENERS or run[0] in "□■"
    return length > 1 and prev.isdigit()


def _masked_name(text: str, s: int, e: int) -> bool:
    """王** / 陈*华: a surname, then the mask, then at most one Han character, where the surname
    follows a non-Han character or a word for a person (获奖者陈*华)."""
    if s < 1 or text[s - 1] not in SURNAMES:
        return False
    if s >= 2 and is_han(text[s - 2]) and text[s - 2] not in "者人员生师长":
        return False
    if s >= 2 and text[s - 2].isdigit():  # 85周***, 50周**: a count, then a word, not a name
        return False
    after = text[e : e + 2]
    return not after or not is_han(after[0]) or len(after) == 1 or not is_han(after[1])


def _infill(
    text: str, spans: list[tuple[int, int]], models: "Models", lex: "Lexicon"
) -> tuple[str | None, float, tuple[tuple[str, float], ...]]:
    """The best restoration of the masks at ``spans`` (one hidden word), its confidence, and the
    ``CANDIDATES_SHOWN`` best fillers with theirs: each filler's share of the probability among
    the candidates, with the evidence of every span added up, calibrated by its length."""
    import numpy as np

    fillers, features = mask_features(text, spans, models, lex)
    if not fillers:
        return None, 0.0, ()
    scores = features @ np.array(WEIGHTS)
    order = np.argsort(-scores, kind="stable")  # the first maximum first, as argmax
    share = np.exp(scores - scores[order[0]])
    share /= share.sum()
    cands = tuple((fillers[i], calibrated(float(share[i]), len(fillers[i]))) for i in order[:CANDIDATES_SHOWN])
    shown = tuple((c, round(p, 3)) for c, p in cands)
    return cands[0][0], cands[0][1], shown


def calibrated(share: float, length: int) -> float:
    """The chance that a filler of ``length`` characters is right, from its share of the
    scorer's probability among the candidates (see ``CALIBRATION``)."""
    import math

    a, b = CALIBRATION[length]
    share = min(max(share, 1e-9), 1.0 - 1e-9)
    z = a + b * math.log(share / (1.0 - share))
    return 1.0 / (1.0 + math.exp(-z)) if z > -30.0 else 0.0


def mask_features(
    text: str, spans: list[tuple[int, int]], models: "Models", lex: "Lexicon"
) -> "tuple[list[str], np.ndarray]":
    """Candidate fillers for masks that hide the same word, and their features (see ``FEATURES``)
    added up over the masks; the benchmark fits ``WEIGHTS`` on these."""
    import numpy as np

    fwd, bwd = models[:2]
    gap = models[2] if len(models) > 2 else _shipped_gapnet()
    s, e = spans[0]
    # □ and ■ stand for one character each (the printing convention for a missing character);
    # the other marks say nothing about how many characters they hide
    lengths = (1, 2) if text[s] not in "□■" else (e - s,) if e - s <= 2 else ()
    if not lengths:
        return [], np.zeros((0, len(FEATURES)))
    n = fwd.order - 1
    # identical surroundings are scored once and counted as many times as they occur
    contexts: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for a, b in spans:
        key = (text[max(0, a - n - 4) : a], text[b : b + n + 4])
        if key in contexts or len(contexts) < MAX_CONTEXTS:  # enough evidence; bounded work
            contexts.setdefault(key, []).append((a, b))
    # the gap model's view of each context (log-probabilities by forward id), once per length
    wide: dict[tuple[str, str], dict[int, "np.ndarray"]] = {}
    if gap is not None:
        idx = gap.for_model(fwd)
        for key, where in contexts.items():
            a, b = where[0]
            left, right = text[max(0, a - gap.wide) : a], text[b : b + gap.wide]
            wide[key] = gap.predict(left, right, lengths)
            if 1 in lengths:
                wide[key][1] = wide[key][1][idx]
    cands: dict[str, None] = {}
    for key in contexts:
        cands.update(dict.fromkeys(_candidates(key[0], key[1], fwd, bwd, lex, lengths, wide.get(key), gap)))
    fillers = [c for g in (1, 2) for c in cands if len(c) == g]
    features = np.zeros((len(fillers), len(FEATURES)))
    if fillers:
        for (left, right), where in contexts.items():
            a, b = where[0]
            features += len(where) * filler_features(
                text, a, b, left, right, fillers, fwd, bwd, lex, wide.get((left, right)), gap
            )
    return fillers, features


def _shipped_gapnet() -> "GapNet | None":
    from .gapnet import get_gapnet

    return get_gapnet()


def filler_features(
    text: str, s: int, e: int, left: str, right: str, fillers: list[str], fwd: "CharLM", bwd: "CharLM | None",
    lex: "Lexicon", wide: "dict[int, np.ndarray] | None" = None, gap: "GapNet | None" = None,
) -> "np.ndarray":
    """One row per filler (one-character fillers first), one column per name in ``FEATURES``."""
    import numpy as np

    # the rest of the document, for the cache: a word written out elsewhere is a likely filler
    doc = text[max(0, s - CACHE_WINDOW) : s] + "\n" + text[e : e + CACHE_WINDOW]
    before = left[-1:] if left[-1:] and is_han(left[-1]) else ""
    after = right[:1] if right[:1] and is_han(right[0]) else ""
    two = np.array([len(c) == 2 for c in fillers], dtype=float)
    f, b = _window_scores(left, right, fillers, fwd, bwd)
    cache = np.log1p([(doc.count(before + c) if before else 0) + (doc.count(c + after) if after else 0)
                      for c in fillers])  # fmt: skip
    nonword = two * np.array([not lex.is_word(c) for c in fillers], dtype=float)
    cache_word = two * np.log1p([doc.count(c) if len(c) == 2 else 0 for c in fillers])
    net1, net2 = np.zeros(len(fillers)), np.zeros(len(fillers))
    if wide and gap is not None:  # the gap model's log P of the filler, read 32 characters wide
        one, words = wide.get(1), wide.get(2)
        unlisted = words.min() - 1.0 if words is not None else 0.0  # a word outside the head's list
        for i, c in enumerate(fillers):
            if len(c) == 1 and one is not None:
                net1[i] = one[fwd.char_id(c)]
            elif len(c) == 2 and words is not None:
                k = gap.word_index.get(c)
                net2[i] = words[k] if k is not None else unlisted
    return np.stack([f, f if b is None else b, cache, nonword, cache_word, net1, net2], axis=1)


def _window_scores(
    left: str, right: str, fillers: "list[str] | np.ndarray", fwd: "CharLM", bwd: "CharLM | None",
    gap_only: bool = False,
) -> "tuple[np.ndarray, np.ndarray | None]":
    """Log-probabilities of left + filler + right around the gap, read forwards and backwards.

    ``fillers`` are strings of one or two characters, or a (k, g) array of forward ids. Scored
    are the filler and the characters after it whose context still reaches it (forward), and the
    same read right to left (backward); with ``gap_only`` just the filler's own characters. A
    one-character filler's row is padded at its end, and the pad is not counted, so fillers of
    both lengths share one call per model.
    """
    import numpy as np

    n = fwd.order - 1
    lids = np.array(fwd.encode(left[-n:]), dtype=np.int64)
    rids = np.array(fwd.encode(right[:n]), dtype=np.int64)
    if isinstance(fillers, np.ndarray):
        mid, g = fillers, np.full(len(fillers), fillers.shape[1])
    else:
        g = np.array([len(c) for c in fillers])
        mid = np.zeros((len(fillers), int(g.max())), dtype=np.int64)
        for i, c in enumerate(fillers):
            mid[i, : len(c)] = fwd.encode(c)
    k, width = mid.shape
    pad = width - g  # 0 or 1 trailing pads per row
    ctx_l = np.broadcast_to(lids, (k, len(lids)))
    ctx_r = np.broadcast_to(rids, (k, len(rids)))

    def run(model: "CharLM", a: "np.ndarray", m: "np.ndarray", c: "np.ndarray") -> "np.ndarray":
        # row = context a, filler m (its pad moved to the row's end), then c; pads not counted
        score_to = width if gap_only else width + c.shape[1]  # positions after the context a
        rows = np.hstack([a, m, c])
        if pad.any():  # one-character rows: context c moves left over the pad, the pad to the end
            short = np.hstack([a, m[:, :1], c, np.zeros((k, 1), dtype=np.int64)])
            rows = np.where(pad[:, None] > 0, short, rows)
        lp = model.score_rows(rows, a.shape[1], a.shape[1] + score_to, total=False)
        counted = np.arange(score_to)[None, :] < (score_to - pad)[:, None]
        return (lp * counted).sum(axis=1)

    f = run(fwd, ctx_l, mid, ctx_r)
    if bwd is None:
        return f, None
    idm = id_map(fwd, bwd)
    rev_mid = mid[:, ::-1]
    if pad.any():  # a padded row [c, pad] reads [c, pad] backwards too
        rev_mid = np.where(pad[:, None] > 0, mid, rev_mid)
    return f, run(bwd, idm[ctx_r[:, ::-1]], idm[rev_mid], idm[ctx_l[:, ::-1]])


def _candidates(
    left: str, right: str, fwd: "CharLM", bwd: "CharLM | None", lex: "Lexicon", lengths: tuple[int, ...] = (1, 2),
    wide: "dict[int, np.ndarray] | None" = None, gap: "GapNet | None" = None,
) -> list[str]:
    """A short list of fillers: one or two Han characters.

    Every Han character and every two-character dictionary word is ranked by a cheap score: the
    forward model's prediction from the left plus the backward model's from the right (plus, for
    a word, how well its two characters go together); fillers that complete a dictionary word
    with the characters around the mask get a bonus, and the best ``M_FITS`` of them go on to the
    full score even outside the cheap cut. Two-character fillers are re-ranked by both models over
    the gap before the best few of each length go on to the full score. With the gap model's
    log-probabilities (``wide``: by forward id for one character, by its word list for two), its
    ``K_NET`` favourites of each length join them.
    """
    import numpy as np

    n = fwd.order - 1
    f = fwd.dist(fwd.encode(left[-n:]))
    b = _backward_dist(right[:n], fwd, bwd)
    fits = _word_fits(left, right, lex)
    cheap1 = np.where(fwd.han, f + b, -np.inf)
    for c in fits[1]:
        cheap1[fwd.char_id(c)] += FIT_BONUS
    out = [fwd.id_char(int(i)) for i in _top(cheap1, K_ONE)] if 1 in lengths else []
    if wide and 1 in lengths:  # the gap model's own favourites, whatever the n-grams think
        seen0 = set(out)
        out += [c for c in (fwd.id_char(int(i)) for i in _top(np.where(fwd.han, wide[1], -np.inf), K_NET))
                if c not in seen0]  # fmt: skip
    if out and fits[1]:  # characters that complete a word with the neighbours (也*战乱: 门) compete too
        fit_ids = np.array(sorted({fwd.char_id(c) for c in fits[1]} - {1}), dtype=np.int64)
        seen1 = set(out)
        out += [c for c in (fwd.id_char(int(i)) for i in fit_ids[_top(cheap1[fit_ids], M_FITS)]) if c not in seen1]
    if 2 not in lengths:
        return out
    words, w0, w1, inner, by_first, by_last = _pair_table(fwd, lex)
    # two-character words whose first character is likely after the left context or whose last
    # is likely before the right one; the rest of the word list cannot win
    firsts = _top(np.where(fwd.han, f, -np.inf), N_ENDS)
    lasts = _top(np.where(fwd.han, b, -np.inf), N_ENDS)
    mark = np.zeros(len(words), dtype=bool)
    mark[_gather(by_first, firsts)] = True
    mark[_gather(by_last, lasts)] = True
    pool = np.flatnonzero(mark)
    top2 = pool[_top(f[w0[pool]] + b[w1[pool]] + inner[pool], M_TWO)]
    plist = [words[i] for i in top2]
    mids = [np.stack([w0[top2], w1[top2]], axis=1)]
    seen = set(plist)
    get = fwd._id.get
    extra = [c for c in sorted(fits[2]) if c not in seen and get(c[0], 1) > 1 and get(c[1], 1) > 1]
    if extra:  # two-character fits outside the cheap cut (or the word list) still compete
        eids = np.array([[get(c[0]), get(c[1])] for c in extra], dtype=np.int64)
        keep = _top(f[eids[:, 0]] + b[eids[:, 1]], M_FITS)
        plist += [extra[i] for i in keep]
        mids.append(eids[keep])
    if plist:
        mid = np.concatenate(mids)
        pf, pb = _window_scores(left, right, mid, fwd, bwd, gap_only=True)
        medium = pf + (pf if pb is None else pb) + FIT_BONUS * np.array([c in fits[2] for c in plist])
        out += [plist[i] for i in _top(medium, K_TWO)]
    if wide and 2 in wide and gap is not None:  # the gap model's favourite words join them
        seen2 = set(out)
        out += [w for w in (gap.words[int(i)] for i in _top(wide[2], K_NET)) if w not in seen2]
    return out


def _top(scores: "np.ndarray", k: int) -> "np.ndarray":
    import numpy as np

    k = min(k, int(np.isfinite(scores).sum()))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    idx = np.argpartition(-scores, k - 1)[:k]
    return idx[np.argsort(-scores[idx])]


def _word_fits(left: str, right: str, lex: "Lexicon") -> dict[int, set[str]]:
    """Fillers (by length 1, 2) that make a dictionary word of 2-4 characters with the
    characters next to the mask."""
    fits: dict[int, set[str]] = {1: set(), 2: set()}
    nl = 0  # Han characters just before the mask, and just after it
    while nl < min(3, len(left)) and is_han(left[-1 - nl]):
        nl += 1
    nr = 0
    while nr < min(3, len(right)) and is_han(right[nr]):
        nr += 1
    for g in (1, 2):
        for length in range(g + 1, 5):
            for j in range(max(0, length - g - nr), min(nl, length - g) + 1):
                lp, rp = left[len(left) - j :] if j else "", right[: length - g - j]
                fits[g].update(w[j : j + g] for w in lex.fill(lp, rp, g, length, limit=FIT_LIMIT))
    return fits


def _backward_dist(right: str, fwd: "CharLM", bwd: "CharLM | None") -> "np.ndarray":
    """The backward model's log-probabilities of the character before ``right``, by forward id."""
    import numpy as np

    if bwd is None:
        return np.zeros(len(fwd.vocab) + 2)
    return bwd.dist(bwd.encode(right[::-1]))[id_map(fwd, bwd)]


@lru_cache(maxsize=4)
def _pair_table(fwd: "CharLM", lex: "Lexicon") -> tuple:
    """Two-character dictionary words as forward ids, log P(second | first) - log P(second), and
    the word indices grouped by first and by last character (CSR: starts per id, indices)."""
    import numpy as np

    words = [w for w in lex.words_of_length(2) if fwd.char_id(w[0]) > 1 and fwd.char_id(w[1]) > 1]
    w0 = np.array([fwd.char_id(w[0]) for w in words], dtype=np.int64)
    w1 = np.array([fwd.char_id(w[1]) for w in words], dtype=np.int64)
    inner = fwd.bigram(w0, w1) - fwd._uni[w1]
    size = len(fwd.vocab) + 2

    def group(ids: "np.ndarray") -> tuple:
        order = np.argsort(ids, kind="stable")
        starts = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(np.bincount(ids, minlength=size), out=starts[1:])
        return starts, order

    return words, w0, w1, inner, group(w0), group(w1)


def _gather(csr: tuple, ids: "np.ndarray") -> "np.ndarray":
    """Indices of the words filed under any of ``ids`` in a CSR grouping."""
    import numpy as np

    starts, order = csr
    parts = [order[starts[i] : starts[i + 1]] for i in ids.tolist()]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


#: Characters on each side of a mask compared for figures before and after filling it.
FIGURE_REACH = 40
#: Measure words and units that make a numeral before them a quantity.
_MEASURE = frozenset("个名位人家座条项所次年月日天号层栋台辆艘架吨米亩元角岁倍届期批件种类只头匹张本份篇部场轮%‰")
#: Ranking bonus (log) for a filler that completes a dictionary word with its neighbours.
FIT_BONUS = 1.0
#: How many one- and two-character fillers reach the full score, and how many two-character
#: dictionary words the cheap ranking passes on to the gap-only ranking.
K_ONE, K_TWO, M_TWO = 12, 12, 100
#: Fillers of each length the gap model adds from its own top list.
K_NET = 4
#: First and last characters whose two-character words are considered; fits kept per mask.
N_ENDS, M_FITS = 60, 24
#: Dictionary words looked at per pattern around a mask (a one-character prefix can match
#: thousands; the cheap ranking decides among the rest anyway).
FIT_LIMIT = 60
#: Characters on each side of a mask searched for the filler written out (the cache).
CACHE_WINDOW = 3000
#: Features of the full score: forward and backward window log-probabilities; the cache (log of
#: how often filler + neighbour occurs elsewhere in the text); for two-character fillers, whether
#: they are no dictionary word (the fit all but rules those out) and the log count of the filler
#: in the text; the gap model's log-probability of a one-character filler (net1) and of a
#: two-character one (net2, a word outside its list counted as rarer than any in it); both 0
#: without a gap model. No length prior: the models' probabilities decide between one and two
#: characters.
FEATURES = ("fwd", "bwd", "cache", "nonword", "cache_word", "net1", "net2")
#: Their weights: a conditional logit fitted on the dev slice of lm_corpus
#: (``python benchmarks/repair_bench.py --fit``) over the masks whose true filler is a candidate.
WEIGHTS = (0.508, 0.275, 2.605, -0.348, 0.516, 0.211, 0.148)
#: The reported confidence, by the best filler's length: sigmoid(a + b * logit(share)). The share
#: is a probability among the candidates, and it overstates the chance of being right wherever
#: the truth is not among them: a two-character word (missing from the candidates about four
#: times in ten) or a mask of ``**``/``***`` that hid another number of characters than the
#: filler has. Fitted (logistic regression) on every mask of the dev slice that gets a decision,
#: right or wrong, with the weights above (``--fit``), so that a confidence of 0.5 is right about
#: half the time, and the threshold reads as a chance.
CALIBRATION = {1: (-0.522, 0.939), 2: (-0.891, 0.954)}
