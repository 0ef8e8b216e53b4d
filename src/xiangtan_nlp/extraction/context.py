"""The words around a figure: its sentence, the metric it measures (label), its direction.

Only a short window before each figure is read; nothing here segments a whole document. The word
lists are Simplified; a Traditional-script window (總投資, 營業收入, 增長) is read through the
character table of :mod:`xiangtan_nlp.chars`, and a label is returned as it is written.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from ..chars import HAN_CLASS, TRADITIONAL_TO_SIMPLIFIED
from .patterns import CLAUSE_BREAK, trie_pattern

# Metrics a money amount measures, as written in Chinese economic news.
MONEY_LABELS = (
    "总投资", "拟投资", "计划投资", "完成投资", "累计投资", "投资总额", "投资额", "固定资产投资", "新增投资",
    "招商引资", "引进资金", "到位资金", "实际到位资金", "签约金额", "签约额", "合同金额", "合同额", "中标金额",
    "成交金额", "成交额", "交易额", "交易金额", "采购金额", "采购额", "采购规模", "采购预算", "预算金额", "预算",
    "营业收入", "年营业收入", "营业总收入", "主营业务收入", "销售收入", "年销售收入", "营收", "年营收", "年产值",
    "产值", "总产值", "工业总产值", "工业产值", "增加值", "地区生产总值", "生产总值", "GDP", "销售额", "年销售额",
    "营业额", "零售额", "社会消费品零售总额", "消费总额", "净利润", "利润总额", "利润", "利税", "税收", "纳税",
    "财政收入", "一般公共预算收入", "公共财政预算收入", "财政支出", "收入", "支出", "出口额", "进口额",
    "进出口总额", "进出口额", "出口", "进口", "外贸", "融资", "募资", "募集资金", "贷款", "授信", "信贷",
    "存款", "余额", "资产", "总资产", "净资产", "市值", "估值", "注册资本", "资金", "补贴", "补助", "奖励",
    "奖金", "罚款", "赔偿", "费用", "成本", "价格", "售价", "报价", "票房", "节约资金", "节约", "节支",
    "损失", "亏损", "债务", "投入", "拨付", "下达", "安排", "筹集", "规模", "总额", "金额", "投资",
    "发行底价", "底价", "股价", "发行价", "价格", "贸易顺差", "顺差", "逆差", "认购", "出资", "技术开发费",
    "研发投入", "研发费用", "经费", "房价", "均价", "租金", "工资", "薪酬", "收购价", "转让价", "对价",
    # amounts of funds and orders: 赎回1800亿, 单日限购300万, 新签订单4.6亿
    "赎回", "申购", "限购", "回购", "订单", "斥资", "耗资", "花费", "现金", "价值",
)  # fmt: skip
# Metrics a percentage measures.
PERCENT_LABELS = (
    "同比增长", "同比下降", "同比增加", "同比减少", "同比上升", "同比提高", "环比增长", "环比下降", "比上年增长",
    "比上年下降", "比上年同期增长", "比去年同期增长", "比去年增长", "年均增长", "平均增长", "增长率", "增速",
    "增幅", "降幅", "涨幅", "跌幅", "完成率", "占比", "比重", "比例", "占", "贡献率", "利率", "税率", "毛利率",
    "净利率", "收益率", "回报率", "失业率", "覆盖率", "达标率", "合格率", "满意度", "入住率", "出租率",
    "使用率", "利用率", "市场份额", "份额", "折扣", "首付", "增长", "下降", "提高", "提升", "上升", "上涨",
    "下跌", "回落", "减少", "增加", "降低", "降至", "升至", "扩大", "收窄", "下滑",
    "持股", "股权", "股份", "控股", "认购", "市场占有率", "占有率", "节电", "节能", "增", "降",
)  # fmt: skip

# Label patterns are plain alternations of words: the stdlib re module scans them 4-7x faster
# than regex does (measured on the clauses before 3,300 figures), with the same matches.
# Han characters for re (which has no \p{Han}), from the one table of characters.
HAN = HAN_CLASS


_T2S = str.maketrans(TRADITIONAL_TO_SIMPLIFIED)
#: The Traditional characters :func:`simplified` changes, as the body of a character class.
TRADITIONAL_CHARS = re.escape("".join(TRADITIONAL_TO_SIMPLIFIED))
_TRADITIONAL = re.compile(f"[{TRADITIONAL_CHARS}]")


def simplified(s: str) -> str:
    """``s`` with the Traditional characters of our word lists made Simplified (same length, so
    every offset holds); ``s`` itself when it has none (most text: one scan, no copy)."""
    return s if _TRADITIONAL.search(s) is None else s.translate(_T2S)


_MONEY_LABEL = re.compile(trie_pattern(MONEY_LABELS))
_PERCENT_LABEL = re.compile(rf"[{HAN}]{{0,4}}率|" + trie_pattern(PERCENT_LABELS))
_PERCENT_WORD = re.compile(trie_pattern(PERCENT_LABELS))  # the same where no 率 is written (faster)
# Metric nouns that a bare direction verb attaches to: 投资增长, 出口下降.
_METRIC_BEFORE_VERB = re.compile(
    r"(?:投资|收入|利润|产值|增加值|消费|出口|进口|进出口|销售|营收|税收|产量|规模|总量|GDP|价格|房价|指数|"
    r"人数|客流|销量|成交量|存款|贷款|需求|供应|工业|生产总值)$"
)
# Fillers between a label and its figure: 营业收入达60亿元, 完成率为151.67%.
FILLERS = "分别 预计 共计 合计 累计 总计 高达 多达 达到 达 为 是 了 到 至 约 已 将 仅 只 共 近 比 较 由 从 和 或 的".split()
# in this order, as alternatives are tried; written X X* rather than X+ so that the pattern starts
# with the words themselves and a search skips the positions where none of them starts
_FILLER = re.compile(rf"(?:{'|'.join(FILLERS)})(?:{'|'.join(FILLERS)})*\Z")

UP_WORDS = ("增长", "增加", "提高", "提升", "上升", "上涨", "攀升", "跃升", "增", "涨", "升", "扩大", "回升", "反弹", "高出", "多出")
DOWN_WORDS = ("下降", "减少", "回落", "降至", "下跌", "降低", "减", "降", "跌", "下滑", "收窄", "缩小", "萎缩", "负增长", "低于", "缩减", "减小")
# A filler ends in one of these: a clause ending otherwise has none to strip (most of them).
_FILLER_LAST = frozenset(w[-1] for w in FILLERS)
_DIRECTION = re.compile(trie_pattern(UP_WORDS + DOWN_WORDS))
_UP = frozenset(UP_WORDS)

WINDOW = 24  # characters of context read before a figure
AFTER = 12  # … and after it (70亿的销售额, 1500万的设备)
# Sentence ends as one class: a run of them (。。, ！？) makes sentences of enders alone, which hold
# no figure, so the spans of every figure are those of SENTENCE_END, found 2.5x faster.
_ENDERS = "。！？!?\n；;"
_ENDER = re.compile(f"[{_ENDERS}]")


#: The longest stretch read as one sentence (see :class:`Sentences`).
MAX_SENTENCE = 1000
_SOFT_BREAK = re.compile(r"[，,、；;：:\s]")


class Sentences:
    """Sentence spans of one text, looked up by offset.

    Records in one sentence share one string (a sentence of 200k characters holding 20,000
    figures is kept once, not 20,000 times). A stretch longer than ``cap`` characters without a
    sentence end (a page flattened without stops) is cut at its last comma or space before each
    ``cap`` characters, or at ``cap``: real sentences are far shorter (365 characters at most in
    1,069 news articles), and a record's ``sentence`` must not carry a whole page into every row.

    A sentence is found where it is asked for: the last sentence end before the offset and the
    first after it, within ``cap`` characters (the last span found answers the next question
    when it holds it, as figures come in order). Only a text with a stretch over ``cap`` is cut
    up whole, once, the first time such a stretch is asked about. Most texts are asked about a
    few sentences, so most of the text is never scanned.
    """

    __slots__ = ("text", "cap", "_starts", "_ends", "_lo", "_hi", "_strings")

    def __init__(self, text: str, cap: int = MAX_SENTENCE) -> None:
        self.text = text
        self.cap = cap
        self._starts: list[int] | None = None  # every span, once a stretch over cap is met
        self._ends: list[int] = []
        self._lo = self._hi = -1  # the last span found
        self._strings: dict[int, str] = {}

    def span(self, pos: int) -> tuple[int, int]:
        """``[start, end)`` of the sentence holding ``pos``."""
        if self._lo <= pos < self._hi:
            return self._lo, self._hi
        if self._starts is None:
            found = self._near(pos)
            if found is not None:
                self._lo, self._hi = found
                return found
            self._cut_all()
        i = bisect_right(self._starts, pos) - 1  # type: ignore[arg-type]
        return self._starts[i], self._ends[i]  # type: ignore[index]

    def around(self, start: int) -> str:
        """The stripped sentence holding the figure that starts at ``start``."""
        lo, hi = self.span(start)
        sentence = self._strings.get(lo)
        if sentence is None:
            sentence = self._strings[lo] = self.text[lo:hi].strip()
        return sentence

    def _near(self, pos: int) -> tuple[int, int] | None:
        """The span holding ``pos`` from the sentence ends around it; None when its stretch is
        longer than ``cap`` (then the stretch is cut as a whole)."""
        text, cap = self.text, self.cap
        floor = self._hi
        if 0 < floor <= pos and text[floor - 1] in _ENDERS:
            # the last span found ends at a sentence end before pos (figures come in order): the
            # last end before pos is there or after it
            m = _LAST_ENDER.match(text, floor, pos)
            lo = m.end() if m is not None else floor
        else:
            lo = 0
            for back in (_NEAR, cap):  # a short look back first: a look back of cap costs cap steps
                lo = pos - back if pos > back else 0
                m = _LAST_ENDER.match(text, lo, pos)
                if m is not None:
                    lo = m.end()
                    break
            else:
                if lo > 0:
                    return None  # no sentence end within cap before pos: a longer stretch
        m = _ENDER.search(text, pos, lo + cap)
        if m is not None:
            return lo, m.end()
        return (lo, len(text)) if len(text) - lo <= cap else None

    def _cut_all(self) -> None:
        """Every span of the text, with the stretches over ``cap`` cut."""
        text, cap = self.text, self.cap
        starts = [0]
        ends: list[int] = []
        for m in _ENDER.finditer(text):
            _cut(text, starts, ends, m.end(), cap)
            ends.append(m.end())
            starts.append(m.end())
        _cut(text, starts, ends, len(text), cap)
        ends.append(len(text))
        self._starts = starts
        self._ends = ends


_NEAR = 80
# match(text, lo, pos) ends right after the last sentence end in text[lo:pos]
_LAST_ENDER = re.compile(r"(?s:.*)" + _ENDER.pattern)


def _cut(text: str, starts: list[int], ends: list[int], end: int, cap: int) -> None:
    """Cut the stretch from ``starts[-1]`` to ``end`` into pieces of at most ``cap`` characters."""
    while end - starts[-1] > cap:
        lo = starts[-1]
        cut = lo + cap
        for b in _SOFT_BREAK.finditer(text, lo + cap // 2, lo + cap):  # a bounded window: keep the last
            cut = b.end()
        ends.append(cut)
        starts.append(cut)


def clause_before(text: str, start: int) -> str:
    """The clause leading up to a figure: back to the last comma or stop, at most WINDOW chars."""
    return text[_clause_start(text, start) : start]


def _clause_start(text: str, start: int) -> int:
    lo = start - WINDOW if start > WINDOW else 0
    m = _LAST_BREAK.match(text, lo, start)  # one call, not a loop over every break
    return m.end() if m is not None else lo


# match(text, lo, start) ends right after the last clause break in text[lo:start]
_LAST_BREAK = re.compile(r"(?s:.*)" + CLAUSE_BREAK.pattern)


def _strip_filler(clause: str) -> str:
    if not clause or clause[-1] not in _FILLER_LAST:
        return clause
    return _FILLER.sub("", clause)


# After a bare amount: 70亿的销售额, 5亿扩建水清沟热电厂, 1500万的设备 — what it buys or measures.
PRICED_THINGS = (
    "设备", "设施", "房子", "房产", "住房", "豪宅", "别墅", "汽车", "跑车", "合同", "订单", "大单", "资产",
    "产品", "项目", "工程", "生意", "买卖", "奖金", "年薪",
)  # fmt: skip
_MONEY_AFTER = re.compile(
    r"(?:的)?(?:" + trie_pattern(MONEY_LABELS) + r")"
    r"|扩建|建设|兴建|新建|打造|改造|收购|并购|入股|注资|购买|采购|买下|竞得|拍得|中标"
    r"|的(?:" + trie_pattern(PRICED_THINGS) + ")"
)
# 约 written before the verb rather than the figure (大约需要投资3000亿元, 约需资金5亿元): the
# figure is approximate. Plain 约 counts only before a verb of spending or having, as it ends
# many words (签约 节约 合约 制约); no number may stand between it and the figure.
_APPROX_BEFORE = re.compile(
    r"(?:大约|大概|大致|约莫|(?<![签合节制条预履违特邀公和誓盟婚践])约(?=需|要|投|花|耗|有|共|占|合计))"
    r"[^0-9，。；：,;:！？!?（）()、]{1,10}\Z"
)


class Reader:
    """The words around the figures of one text: labels, directions, approximations.

    ``text`` is the text the figures were found in; it is read through :func:`simplified` once,
    and each figure's clause is found once, however many questions are asked of it. Labels come
    back as they are written (總投資, not 总投资).
    """

    __slots__ = ("text", "read", "_at", "_lo", "_clause")

    def __init__(self, text: str, *, traditional: bool = True) -> None:
        self.text = text
        # traditional=False: the caller has found no Traditional character in text (one scan saved)
        self.read = simplified(text) if traditional else text
        self._at = self._lo = -1
        self._clause = ""

    def clause(self, start: int) -> tuple[int, str]:
        """Where the clause before ``start`` begins, and its words (Simplified)."""
        if start != self._at:
            lo = _clause_start(self.read, start)
            self._at, self._lo = start, lo
            self._clause = self.read[lo:start]
        return self._lo, self._clause

    def money_label(self, start: int, end: int | None = None) -> str | None:
        """The metric a money amount measures (总投资, 拟投资, 年营业收入 …), or None."""
        lo, clause = self.clause(start)
        last = None
        for m in _MONEY_LABEL.finditer(_strip_filler(clause)):
            last = m
        if last:
            return self.text[lo + last.start() : lo + last.end()]
        return self._label_after(_MONEY_LABEL, end)

    def is_money(self, start: int, end: int) -> bool:
        """Whether a bare amount (120亿) is money: a money label before it or after it."""
        return self.money_label(start) is not None or _MONEY_AFTER.match(self.read, end, end + AFTER) is not None

    def percent_label(self, start: int, end: int | None = None) -> str | None:
        """The metric a percentage measures (同比增长, 完成率, 投资增长 …), or None."""
        lo, clause = self.clause(start)
        clause = _strip_filler(clause)
        last = None
        for m in (_PERCENT_LABEL if "率" in clause else _PERCENT_WORD).finditer(clause):
            last = m
        if last is None:
            return self._label_after(_PERCENT_LABEL, end)
        a, b = last.span()
        label = last.group()
        if label in UP_WORDS or label in DOWN_WORDS:
            head = _METRIC_BEFORE_VERB.search(clause[:a])
            if head:
                a = head.start()
        return self.text[lo + a : lo + b]

    def direction(self, start: int, value_negative: bool = False) -> str | None:
        """'up' or 'down' from the wording just before a figure (增长 … / 下降 …), else None."""
        last = None
        for m in _DIRECTION.finditer(self.clause(start)[1]):
            last = m
        if last is None:
            return None
        up = last.group() in _UP
        if value_negative and up:
            return "down"  # 增长-10.5% is a fall
        return "up" if up else "down"

    def approx_before(self, start: int) -> str | None:
        """The word (大约, 约…) that makes a figure approximate from earlier in its clause, or None."""
        clause = self.clause(start)[1]
        if not may_approx(clause):
            return None
        m = _APPROX_BEFORE.search(clause)
        if m is None:
            return None
        return "约" if m.group().startswith("约") else m.group()[:2]

    def _label_after(self, pattern: re.Pattern[str], end: int | None) -> str | None:
        """A label written after the figure: 70亿的销售额, 21.52%的股份, 9.6%的市场占有率."""
        if end is None or self.read[end : end + 1] != "的":
            return None
        m = pattern.match(self.read, end + 1, end + AFTER)
        return self.text[m.start() : m.end()] if m else None


def may_approx(text: str) -> bool:
    """Whether ``text`` holds a word :meth:`Reader.approx_before` looks for (most text does not)."""
    return "约" in text or "概" in text or "致" in text


def _around(text: str, start: int, end: int | None) -> tuple[Reader, int, int | None]:
    """A Reader of just the characters a question about text[start:end] reads, and the offsets in it."""
    lo = max(0, start - WINDOW)
    hi = len(text) if end is None else min(len(text), end + AFTER)
    return Reader(text[lo:hi]), start - lo, None if end is None else end - lo


def money_label(text: str, start: int, end: int | None = None) -> str | None:
    """The metric a money amount measures (总投资, 拟投资, 年营业收入 …), or None."""
    reader, s, e = _around(text, start, end)
    return reader.money_label(s, e)


def money_context(text: str, start: int, end: int) -> bool:
    """True when a bare amount (120亿) is money: a money label before it or after it."""
    reader, s, e = _around(text, start, end)
    return reader.is_money(s, e)  # type: ignore[arg-type]


def percent_label(text: str, start: int, end: int | None = None) -> str | None:
    """The metric a percentage measures (同比增长, 完成率, 投资增长 …), or None."""
    reader, s, e = _around(text, start, end)
    return reader.percent_label(s, e)


def direction(text: str, start: int, value_negative: bool = False) -> str | None:
    """'up' or 'down' from the wording just before a figure (增长 … / 下降 …), else None."""
    reader, s, _ = _around(text, start, start)
    return reader.direction(s, value_negative)


def approx_before(text: str, start: int) -> str | None:
    """The word (大约, 约…) that makes a figure approximate from earlier in its clause, or None."""
    reader, s, _ = _around(text, start, start)
    return reader.approx_before(s)
