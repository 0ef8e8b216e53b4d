"""Silver training sentences for the project tagger (issue 14, item 3): high-precision patterns
run over ../shared/data/lm_corpus, with the BIO spans they imply.

    python benchmarks/projects_silver.py check          # the patterns' precision on train and dev (gold)
    python benchmarks/projects_silver.py build          # (re)write tests/data/projects/silver.jsonl

Patterns (a name is a run of name characters ending in a head word of the tagger's lexicon, plus a
phase or section tail; it must pass the post-filters of :mod:`..projects.mentions`):

* ``总投资X亿元的NAME``, ``承建/开工建设/新建…的NAME``: the name starts after 的;
* ``NAME(项目|工程)总投资…`` at the start of a clause;
* ``NAME`` at the start of a clause or after any other 的, with a stage or event word (开工, 签约,
  投产, 竣工, 通车, 开通 …) at most EVENT_REACH characters after it in its clause.

The right end is the first head (with its tail) followed by what cannot continue a name (a clause
end, a stage or event word, 主体工程/全线 …). Only lm_corpus items of the train period are read
(xwlb 2012–2018, eb before 2011-06-01: the split rule of projects_data.py), so no silver sentence
comes from the dev or sealed-test period; an item that is, or nearly duplicates (more than 30% of the
shorter text's 8-character shingles), any train / dev / test / test2 article is skipped (not train2). Each silver record
is one sentence holding at least one match; deterministic (files and lines in order, capped per item).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from projects_data import OUT, SHARED_DATA, SPLITS, overlap, read_jsonl, shingles, split_of  # noqa: E402

SILVER_FILE = OUT / "silver.jsonl"
EVENT_REACH = 12  # how far after a name its event word may be (…项目昨天在西安开工)
PER_ITEM = 3  # at most this many silver sentences from one item (long digests would dominate)

# a name's characters: Han, digits, Latin letters and the few marks names hold
_NAME_CHARS = r"[\u4e00-\u9fff0-9A-Za-z±×·\-－—（）()]"
_SENT_END = re.compile(r"[。！？!?\n]")
_CLAUSE = re.compile(r"[，；：,;:、“”\"]|——")
_MONEY = r"(?:约|近|逾|超过?|达)?[0-9][0-9.]*(?:多|余)?(?:万亿|亿|万|千)?(?:元|美元|欧元|港元|日元)(?:人民币)?"
# where a name starts: after 总投资X元的 / 承建的 …, or at the start of a clause
_AFTER_DE = re.compile(r"(?:(?:总投资|投资)" + _MONEY + r"|承建|开工建设|新建|兴建|援建|修建|建设中|在建|投资建设|全面开工)的")
# what may follow a name and never continue it
_STOP = re.compile(
    r"(?:[，。；：！？,;:!?\n]|正式|顺利|全面|全线|首段|主体工程|主体|控制性|重难点|关键|"
    r"日前|近日|今天|昨天|昨日|今年|本月|上午|下午|近期|目前|预计|计划|成功|举行|已|将|于|在|也|自|"
    r"开工|动工|开建|签约|投产|竣工|建成|通车|开通|运营|并网|落户|奠基|贯通|合龙|启动|完工|进入|实现|"
    r"总投资|计划总投资|投资总额|概算总投资|项目总投资)"
)
_INVEST_AFTER = re.compile(r"(?:总投资|计划总投资|投资总额|概算总投资)")
_EVENT_AFTER = re.compile(
    r"(?:正式|顺利|全面|全线|今天|日前|近日|昨天)?(?:开工|动工|开建|签约|投产|竣工|建成|通车|开通|并网|奠基|贯通|合龙|完工)"
)
# not inside a silver name: function words, counts, generic references
_BAD = re.compile(
    r"[的了在将是把被和与及等也都已为对从向由让使该此其各个批项家些这那]"
    r"|[0-9一二三四五六七八九十两几多]+(?:个|座|条|批|家|项|类|所|处|大)|首[列条座个家台批艘]|最|承建"
)
# not how a silver name opens: a date, a scope, a determiner
_DATE_LEAD = re.compile(
    r"^(?:[0-9]+(?:年|月|日|号)|今年|去年|明年|近年|当前|目前|今天|昨天|日前|近日|我国|全国|国内|全省|全市|"
    r"世界|全球|首个|首条|首座|新一轮|一批|多个|重点|重大)"
)
_LIST = ("、", "和", "及", "与")
_POS_PROPER = ("ns", "nr", "nt", "nz", "j")
_POS_BAD_FIRST = ("v", "d", "r", "p", "c", "u", "t", "f", "m", "q")  # a clause opener, not a name


@lru_cache(maxsize=1)
def strong_heads() -> re.Pattern:
    """Head words (two characters or more) that end a silver name: the tagger's heads without
    actions and the ones too common in other senses (the patterns fix the left end, so a weak
    head such as 铁路 or 基地 is as good as a strong one)."""
    from xiangtan_nlp.extraction.projects.tagger import FEATURE_ONLY, lexicon

    heads = {h for h, t in lexicon().heads.items() if t != "action" and h not in FEATURE_ONLY}
    heads = {h for h in heads if len(h) >= 2 and h not in {"中心", "平台", "大楼", "通道", "专线", "干线", "城际", "设施"}}
    return re.compile("|".join(map(re.escape, sorted(heads, key=lambda h: (-len(h), h)))))


def _name_end(text: str, a: int, limit: int) -> int | None:
    """The end of the name starting at ``a``: the first head (with phase or section tail) followed by a stop."""
    from xiangtan_nlp.extraction.project_vocab import vocab

    tail_re = vocab().tail_re
    for h in strong_heads().finditer(text, a, limit):
        end = h.end()
        t = tail_re.match(text, end, limit)
        if t and t.end() > end:
            end = t.end()
        sec = re.compile(r"[\u4e00-\u9fff]{1,4}段").match(text, end, limit)
        if sec and _STOP.match(text, sec.end()):
            end = sec.end()
        if end >= limit or _STOP.match(text, end):
            return end
    return None


def _ok(name: str) -> bool:
    """A silver name: name characters only, 4-30 long, no function word or count, not opening with a
    date or a determiner, not a verb phrase, a proper noun or a number in it, and kept by the
    recognizer's post-filters."""
    from xiangtan_nlp.extraction.projects.mentions import _keep, _lead_words
    from xiangtan_nlp.segmenter import default_segmenter

    if not 4 <= len(name) <= 30 or not re.fullmatch(_NAME_CHARS + "+", name):
        return False
    if _BAD.search(name) or _DATE_LEAD.match(name) or name.startswith(_lead_words()):
        return False
    head = strong_heads().search(name)
    if head is None or head.start() < 2:
        return False  # a head with at most one character before it: generic
    pos = default_segmenter().pos(name)
    if not pos or pos[0][1].startswith(_POS_BAD_FIRST):
        return False
    if not any(t.startswith(_POS_PROPER) or re.search("[0-9A-Za-z]", w) for w, t in pos[:-1]):
        return False  # no place, organisation, other proper noun or number before the head: a kind of work
    return _keep(name)


def find_silver(sentence: str) -> list[tuple[int, int]]:
    """Spans of ``sentence`` the silver patterns mark as project names (not overlapping, in order)."""
    out: list[tuple[int, int]] = []
    starts: list[tuple[int, str]] = [(m.end(), "de") for m in _AFTER_DE.finditer(sentence)]
    starts += [(m.end(), "any") for m in re.finditer("的", sentence)]
    starts += [(0, "clause")] + [(m.end(), "clause") for m in _CLAUSE.finditer(sentence)]
    for a, kind in sorted(starts):
        m = _CLAUSE.search(sentence, a)
        limit = m.start() if m else len(sentence)
        b = _name_end(sentence, a, limit)
        if b is None or not _ok(sentence[a:b]):
            continue
        if kind == "clause" and _INVEST_AFTER.match(sentence, b):
            pass  # NAME项目总投资…
        elif kind != "de" and not _EVENT_AFTER.search(sentence, b, min(limit, b + EVENT_REACH)):
            continue  # a name after any 的 or at a clause start needs its event soon after it
        if sentence[b : b + 1] in _LIST or sentence[max(0, a - 1) : a] in _LIST:
            continue  # a conjunct: the other conjuncts would be left unmarked
        if not out or a >= out[-1][1]:
            out.append((a, b))
    return out


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of the sentences of ``text``, each with its closing mark."""
    out, a = [], 0
    for m in _SENT_END.finditer(text):
        if m.end() - a > 1:
            out.append((a, m.end()))
        a = m.end()
    if a < len(text):
        out.append((a, len(text)))
    return out


def split_articles() -> dict[str, str]:
    """Every train / dev / test / test2 article (id -> doc): what silver items may not repeat.

    train2 (articles the shipped models do not train on) is left out, so that its annotation, made
    after silver.jsonl, did not change the silver sentences; a silver sentence may come from a
    train2 item (both are train's period, and neither is a measuring split)."""
    docs: dict[str, str] = {}
    for split in (s for s in SPLITS if s != "train2"):
        for rec in read_jsonl(OUT / f"{split}.jsonl"):
            docs[rec["id"]] = rec["doc"]
    return docs


def check(args: argparse.Namespace) -> int:
    """Precision of the patterns against the gold names of train and dev (exact spans; overlaps)."""
    for split in ("train", "dev"):
        exact = part = total = 0
        wrong: list[str] = []
        for rec in read_jsonl(OUT / f"{split}.jsonl"):
            doc = rec["doc"]
            gold = {(m["start"], m["end"]) for m in rec["mentions"]}
            for sa, sb in sentences(doc):
                for a, b in find_silver(doc[sa:sb]):
                    total += 1
                    span = (sa + a, sa + b)
                    if span in gold:
                        exact += 1
                    else:
                        hit = [g for g in gold if g[0] < span[1] and span[0] < g[1]]
                        part += bool(hit)
                        gtxt = "|".join(doc[g[0] : g[1]] for g in hit) or "-"
                        wrong.append(f"{doc[span[0]:span[1]]}  (gold {gtxt})  …{doc[max(0, span[0] - 8):span[1] + 8]}…")
        print(f"{split}: {total} silver names, {exact} exact ({exact / max(total, 1):.3f}), {part} overlap a gold name")
        if args.verbose:
            for w in wrong:
                print("   ", w)
    return 0


def build(args: argparse.Namespace) -> int:
    """Write silver.jsonl from the train-period lm_corpus items that repeat no split article."""
    split_docs = split_articles()
    split_sh = {rid: shingles(doc) for rid, doc in split_docs.items()}
    index: dict[str, set[str]] = defaultdict(set)
    for rid, sh in split_sh.items():
        for s in sh:
            index[s].add(rid)
    stats: Counter = Counter()
    out: list[dict] = []
    for path in sorted((SHARED_DATA / "lm_corpus").glob("news_*.jsonl")):
        for rec in read_jsonl(path):
            stats["items"] += 1
            if split_of(rec) != "train":
                continue
            stats["train period"] += 1
            found = []
            for sa, sb in sentences(rec["text"]):
                sent = rec["text"][sa:sb].strip()
                spans = find_silver(sent)
                if spans:
                    found.append((sent, spans))
            if not found:
                continue
            stats["with a match"] += 1
            if rec["id"] in split_docs:
                stats["excluded: a split article"] += 1
                continue
            sh = shingles(rec["text"])
            shared: Counter = Counter(rid for s in sh for rid in index.get(s, ()))
            if any(overlap(sh, split_sh[rid]) > 0.30 for rid in shared):
                stats["excluded: near-duplicate of a split article"] += 1
                continue
            for k, (sent, spans) in enumerate(found[: args.per_item]):
                mentions = [{"start": a, "end": b, "text": sent[a:b], "project": sent[a:b]} for a, b in spans]
                out.append({"id": f"{rec['id']}#{k}", "source": rec["id"].split("-")[0], "doc": sent, "mentions": mentions, "links": [], "silver": True})
    with args.out.open("w", encoding="utf-8") as fh:
        for r in out:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    for k, v in stats.items():
        print(f"{k}: {v}")
    print(f"wrote {args.out} ({len(out)} sentences, {sum(len(r['mentions']) for r in out)} names)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command line: ``check`` or ``build``."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("-v", "--verbose", action="store_true")
    c.set_defaults(func=check)
    b = sub.add_parser("build")
    b.add_argument("--out", type=Path, default=SILVER_FILE)
    b.add_argument("--per-item", type=int, default=PER_ITEM, help="at most this many sentences from one item")
    b.set_defaults(func=build)
    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
