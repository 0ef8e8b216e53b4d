"""Is this a censor's mask? Runs of mask marks that hide filtered characters, and the look-alikes.

A run of ``*``, ``＊``, ``×``, ``□`` or ``■`` (:data:`~xiangtan_nlp.chars.MASK_CHARS`) inside
Chinese text stands for one or two filtered characters (□ and ■ for one each). What only looks
censored is no mask: masked phone and ID numbers (138****5678), ratings (★★★), separator lines,
arithmetic (3*4=12, 长×宽, 疗伤药*2), footnote marks (*为初步统计数), check boxes (□是□否), password
fields, markdown emphasis, privacy-masked names (王**, 陈*华), stock names (*ST), bullets and bylines
(■ 链接, □本报记者), template placeholders (××万元) and marks that are talked about (带*号).

:func:`censor_masks` gives the runs that are masks; :func:`look_alikes` the ones that are not.
Rules only, no model: nothing is loaded.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Iterator

import regex

from ..chars import CJK_PUNCT, HAN_CLASS, MASK_CHARS, is_han

#: The marks that stand for one hidden character each (the printing convention for a missing one).
BOXES = "□■"
#: The star marks (a lone one after a bracket or a colon is a note mark, not a mask).
STARS = "*＊"
_MARKS = regex.escape(MASK_CHARS)
#: A run of mask marks.
MASK_RUN = regex.compile(f"[{_MARKS}]+")
# A run that is all one mark, 1-4 long (longer runs are rules, ratings or passwords); a lone × is
# a multiplication sign.
_HOMOGENEOUS = regex.compile(
    "^(" + "|".join(f"{regex.escape(c)}{{{2 if c == '×' else 1},4}}" for c in MASK_CHARS) + ")$"
)
# What may follow a run of two marks or more that ends a line (a headline, a title).
_LINE_END = frozenset("\n \u3000\u00a0")
# After these a □ or ■ starts something new (a bullet, a byline) rather than hiding a character.
_CLOSERS = frozenset("。！？”’）)」』】》")
# Before a lone mark, these make it a note or bullet mark rather than a masked character.
_NOTE_OPENERS = frozenset("（(【[「『：:。；;！!？?")
# A note after a mark starts with one of these words.
_NOTE_START = regex.compile(
    r"(?:为|系|是|指|即|注|含|不含|包|表示|数据|资料|来源|根据|按|均|以上|此|该|本|单位|统计|初步|预计|同比|"
    r"其中|未|非|仅|不|已|可|需|须|请)"
)
# Punctuation pairs around a run of two marks or more that hide a list item or a quoted name.
_WRAPPERS = frozenset({a + b for a in "、，；" for b in "、，；。"} | {"“”", "《》", "「」", "『』", "‘’"})
# Markdown emphasis: **text** or *text* with no mask characters inside, on one line (a bold list
# of names runs to a hundred characters and more).
_MARKDOWN = regex.compile(r"(?<![*＊])(\*\*|\*)(?=[^\s*])([^*\n]{1,200}?)(?<=[^\s*])\1(?![*＊])")
# A mark named as a symbol: 带*号 标*的 打×号 在□内 (the text talks about the mark itself).
_SYMBOL_MENTION = regex.compile(f"[带标打加注有以画划在]([{_MARKS}])[号者的为项内中处]")
# Words that announce a secret or an identifier: what follows a mask of them is not censorship.
_SECRET_BEFORE = regex.compile(
    r"(?:密码|口令|验证码|校验码|账号|帐号|卡号|手机号?|电话|号码|身份证号?|证件号|车牌号?|邮箱|PIN|pin)"
    r"[为是:：\s]{0,3}$"
)
# Check boxes: □/■ at a line start or after a space, followed by an option (□是□否, □同意 □不同意).
_CHECKBOX_LINE = regex.compile(rf"(?:^|[\s:：])[{BOXES}☐](?=[{HAN_CLASS}])", regex.M)
# Options of a form's check boxes, longest first (不同意 before 同意 before 同).
_OPTION = r"(?:不同意|不合格|不符合|不需要|不满意|不通过|同意|合格|符合|需要|满意|通过|是|否|有|无|已|未|男|女)"
_BOX = f"[{BOXES}☐☑✓√]"
# A pair of check boxes in running text: a box before each of two options (□是□否, ■是□否,
# □同意□不同意, □有 □无), or after each (是□ 否□, 已核实□ 未核实□); every box of the pair is one.
_CHECKBOX_PAIR = regex.compile(
    rf"{_BOX}\s?{_OPTION}[^{BOXES}☐☑\n]{{0,6}}?{_BOX}\s?{_OPTION}"
    rf"|{_OPTION}[{HAN_CLASS}]{{0,3}}\s?{_BOX}[\s，、/]{{0,2}}{_OPTION}[{HAN_CLASS}]{{0,3}}\s?{_BOX}"
)
_TICKS = regex.compile("[√✓☑]")
_ANY_BOX = regex.compile(_BOX)
_PAIR_REACH = 20  # longer than any match of _CHECKBOX_PAIR (18 characters at most)
# A footnote mark after a comma or semicolon: ，＊注：以上数据未经审计, ；＊数据来源：, ，**为预计数.
_NOTE_AFTER_CLAUSE = regex.compile(
    r"(?:注[：:]|(?:数据|资料)?来源[：:]|为(?:预计|初步|估计|快报|预测|测算|修正|调整|暂定|参考|计划|未经))"
)
# □/■ that open a byline or a section inside a run-on page: 资格□本报记者 李良, ”■马上就访,
# 基金□好买基金研究中心 曾令华 (a name or heading, then a space).
_BULLET_AFTER = regex.compile(
    r"(?:本报|本刊|本台|本版|本网|晨报|晚报|日报|特约|记者|通讯员|实习生|见习|编辑|撰稿|摄影|摄|文/|图/"
    rf"|新华社|中新社|新华网|人民网|央视网|[{HAN_CLASS}]{{1,6}}[：:]|[{HAN_CLASS}]{{2,12}}[ \u00a0\u3000])"
)
# ×× before a unit or an administrative suffix is a template placeholder (××万元, ××县, ×××同志).
_PLACEHOLDER_BEFORE = regex.compile(r"(?:万|亿|元|年|月|日|号|岁|名|人|个|家|公司|集团|省|市|县|区|镇|乡|村|路|街|同志)")
# A placeholder follows a non-Han character, another placeholder (×年×月) or one of these (在××县,
# 的×××家, 第××号); after any other Han character ××× hides the rest of a word (铁路×××省内: 局).
_PLACEHOLDER_AFTER = frozenset("的在于对向为是和与及或某第等各该")
# Sentence ends: a lone */＊ after one, before Han that is no note word, hides the next sentence's
# first character (。*业斌表示); before a note word it is a footnote mark (。*注:).
_SENTENCE_ENDS = frozenset("。！？!?")
# Words after which a run of stars is a rating (五星级酒店***, 推荐指数***, 综合评分***).
_RATED = regex.compile(r"(?:星级|星|酒店|宾馆|饭店|指数|评分|评级|评价|推荐|等级|级别|难度|口味|环境|服务|性价比)$")
# Common surnames: 王** and 陈*华 after a non-Han character are privacy-masked names, not filtered words.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃"
    "武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符"
    "舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农"
    "司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商"
    "刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)


def censor_masks(text: str) -> list[tuple[int, int]]:
    """Spans of the runs of mask marks in ``text`` that hide censored characters, in order."""
    if not _has_marks(text):
        return []
    runs = [m.span() for m in MASK_RUN.finditer(text)]
    skip = look_alikes(text, runs)
    return [r for r in runs if r not in skip]


def _has_marks(text: str) -> bool:
    """A character of MASK_CHARS in ``text``: its five one-character tests written out cost 60% of
    a generator over MASK_CHARS (tests/test_clean_speed_equiv.py checks that they are the five)."""
    return "*" in text or "＊" in text or "×" in text or "□" in text or "■" in text


def look_alikes(text: str, runs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """The ``runs`` (spans of mark runs) that only look censored (see the module docstring)."""
    skip: set[tuple[int, int]] = set()
    markdown = {
        span
        for m in _emphasis(text)
        if not _masks_not_emphasis(text, m)
        for span in ((m.start(1), m.end(1)), (m.end(2), m.end()))
    }
    pairs: list[set[int]] = []  # the boxes of _CHECKBOX_PAIR's matches: searched on first need
    # whether a line (by its start) is a check-box line: read once per line, not once per box (a
    # long line of boxes made that quadratic: 3,000 boxes on one line took 2 s)
    box_lines: dict[int, bool] = {}
    breaks: list[int] = []  # the line breaks' offsets, found on first need (rfind per box is quadratic too)

    def in_check_box(s: int) -> bool:
        """A □/■ run at ``s`` on a line of check boxes or in a pair of them."""
        if not breaks:
            i = -1
            while True:
                breaks.append(i)
                i = text.find("\n", i + 1)
                if i < 0:
                    break
        line = breaks[bisect_left(breaks, s) - 1] + 1
        if line not in box_lines:
            box_lines[line] = _on_check_box_line(text, s)
        if box_lines[line]:
            return True
        # A pair's match is at most _PAIR_REACH characters long and holds two boxes: with no
        # other box that near, this one is in none (most bullets and bylines), and the
        # whole-text search (matches can cross lines, and each starts where the last ended)
        # is made only for a text with boxes close together.
        if not _ANY_BOX.search(text, max(0, s - _PAIR_REACH), s) and not _ANY_BOX.search(text, s + 1, s + 1 + _PAIR_REACH):
            return False
        if not pairs:
            pairs.append({i for m in _CHECKBOX_PAIR.finditer(text) for i in range(*m.span()) if text[i] in BOXES})
        return s in pairs[0]

    # A mark that opens a note (*为初步统计数, （*为…）, 注：*…) is a footnote mark wherever it appears.
    notes = {text[s:e] for s, e in runs if _opens_note(text, s, e)}
    for s, e in runs:
        run = text[s:e]
        prev = text[s - 1] if s > 0 else "\n"
        nxt = text[e] if e < len(text) else "\n"
        if not _HOMOGENEOUS.match(run) or (s, e) in markdown or _mentioned(text, s, e):
            skip.add((s, e))
        elif run[0] in BOXES and (
            prev in _CLOSERS or _BULLET_AFTER.match(text, e, min(len(text), e + 14)) or in_check_box(s)
        ):
            skip.add((s, e))
        elif (
            run[0] == "×"
            and _PLACEHOLDER_BEFORE.match(text, e, min(len(text), e + 4))
            and (not is_han(prev) or prev in _PLACEHOLDER_AFTER or text[max(0, s - 2) : s - 1] in ("×", "Ｘ"))
        ):
            skip.add((s, e))
        elif not _in_chinese_text(prev, nxt, run, _note_like(text, e)) and not _before_a_spaced_word(text, s, e):
            skip.add((s, e))
        elif run in notes and not (is_han(prev) and is_han(nxt)):
            skip.add((s, e))
        elif run[0] in STARS and e - s <= 2 and prev in "，；,;" and _NOTE_AFTER_CLAUSE.match(text, e):
            skip.add((s, e))
        elif _SECRET_BEFORE.search(text[max(0, s - 8) : s]):
            skip.add((s, e))
        elif _masked_name(text, s, e):
            skip.add((s, e))
    return skip


def _emphasis(text: str) -> "Iterator[regex.Match[str]]":
    """_MARKDOWN's matches in ``text``, searched only on the lines that hold a "*": a match holds
    one and stays on its line, so a search from a line's start finds what a whole-text one does."""
    star = text.find("*")
    while star >= 0:
        end = text.find("\n", star)
        end = len(text) if end < 0 else end
        yield from _MARKDOWN.finditer(text, text.rfind("\n", 0, star) + 1, end)
        star = text.find("*", end)


def _on_check_box_line(text: str, s: int) -> bool:
    """The line of offset ``s`` holds a tick or a match of _CHECKBOX_LINE starts on it (its line
    break included: a match at a line break takes the box after it). The search starts at the
    line break before the line, where a whole-text search is between matches too (a match ends
    with a box), and reads three characters past the line's end (a break, a box, Han)."""
    start = text.rfind("\n", 0, s) + 1
    end = text.find("\n", s)
    end = len(text) if end < 0 else end
    if _TICKS.search(text, start, end):
        return True
    found = _CHECKBOX_LINE.finditer(text, max(0, start - 1), min(len(text), end + 3))
    return any(start <= m.start() <= end for m in found)


def _mentioned(text: str, s: int, e: int) -> bool:
    """The mark at ``s`` is a symbol talked about (带*号): _SYMBOL_MENTION matches around it.
    Its matches cannot overlap (no character of its last class is in its first), so the one
    match over ``s`` that a whole-text search would find is this one."""
    if e - s != 1 or s == 0:
        return False
    m = _SYMBOL_MENTION.match(text, s - 1)
    return m is not None and m.span(1) == (s, e)


def _masks_not_emphasis(text: str, m: "regex.Match[str]") -> bool:
    """Two masks that a filter left in one sentence (加强禁*合作…反*禁*, 推币机等**机具…大量**设施)
    rather than emphasis: Han on both outer sides of the pair, and between them more than a short
    phrase or a clause break (emphasis inside a sentence is a word or two: 这是**重要**的)."""
    s, e = m.span()
    inner = m.group(2)
    outer = s > 0 and e < len(text) and is_han(text[s - 1]) and is_han(text[e])
    return outer and (len(inner) > 6 or any(c in CJK_PUNCT for c in inner))


def _opens_note(text: str, s: int, e: int) -> bool:
    """A */＊ run of one or two at a line start or after an opening bracket or colon, followed by
    Han: a note (*为初步统计数)."""
    if text[s] not in STARS or e - s > 2:
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
    right after an opening bracket or a colon is a note or bullet mark, and so is one after a full
    stop or at a line start when a note word follows (``note``: *为预计数); at a line start a run of
    three or more */＊/×, of two or more □/■, or of one or two */＊ or two × not followed by a note
    word (**京破获…, *业斌表示…) is taken for a mask, and so is a run of
    two */＊/× or more after a space (记者 陈寂 ***富慧) before Han that is no note. Two marks or more
    between list or quote punctuation hide an item or a name (、***、, “***”, 《**》)."""
    length = len(run)
    if length > 1 and prev + nxt in _WRAPPERS:  # a list item or a quoted name: 、***、 “***” 《**》
        return True
    if is_han(prev):  # a lone mark before a digit multiplies (疗伤药*2); one at a line end or
        # before a space is a footnote reference (增速*), two or more end a headline (枪击**)
        if nxt in _LINE_END:  # three stars or more after a word are a rating (五星级酒店***)
            return length == 2 or (length > 2 and run[0] not in STARS)
        return is_han(nxt) or nxt in CJK_PUNCT or (length > 1 and nxt.isdigit())
    if prev == "\n" and length >= 3 and run[0] not in BOXES and nxt in "，、":  # ***，参议院已经通过了
        return True
    if not is_han(nxt):
        return False
    if prev in " \u3000\u00a0" and length >= 2 and run[0] not in BOXES:  # 记者 陈寂 ***富慧: a name
        return not note  # between a space and a word, a run of marks hides its first characters
    if prev == "\n":  # two □/■ or more hide characters; a single one is a bullet (□本报记者)
        return (
            (length >= 3 and run[0] not in BOXES)
            or (length >= 2 and run[0] in BOXES)
            or ((length == 2 or run[0] in STARS) and not note)  # **京破获…, *业斌表示…; not **为预计数
        )
    if prev in _SENTENCE_ENDS:  # a sentence whose first character was masked, unless a note follows
        return length > 1 or run[0] in BOXES or not note
    if prev in CJK_PUNCT:  # a lone */＊ after （ or ： opens a note; a lone □ is a character
        return length > 1 or prev not in _NOTE_OPENERS or run[0] in BOXES
    return length > 1 and prev.isdigit()


def _before_a_spaced_word(text: str, s: int, e: int) -> bool:
    """Three stars or more right after a word and before one space and more text (球市火*** NBA,
    海外市场反*** QDII): a masked character at the end of a headline's phrase, not a rating, which
    follows a word that rates (五星级酒店***, 推荐指数***) or ends the line."""
    if e - s < 3 or text[s] not in STARS or s == 0 or not is_han(text[s - 1]):
        return False
    if text[e : e + 1] != " " or e + 1 >= len(text):
        return False
    after = text[e + 1]
    return (is_han(after) or (after.isascii() and after.isalpha())) and not _RATED.search(text, max(0, s - 4), s)


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
