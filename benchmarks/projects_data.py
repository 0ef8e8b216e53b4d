"""Annotated project data for issue 14: pick the articles, resolve the annotations, check the split.

    python benchmarks/projects_data.py select               # (re)write tests/data/projects/<split>.texts.jsonl
    python benchmarks/projects_data.py extend SPLIT N       # append N new project-rich articles to a split
    python benchmarks/projects_data.py resolve [SPLIT ...]  # <split>.src*.jsonl + texts -> <split>.jsonl
    python benchmarks/projects_data.py check                # counts per split and source, near-duplicates
    python benchmarks/projects_data.py show ID              # an article with its annotation marked
    python benchmarks/projects_data.py find ID STRING       # numbered occurrences of STRING (for "nth")
    python benchmarks/projects_data.py todo SPLIT [--parts N]   # ids still to annotate, cut in N parts
    python benchmarks/projects_data.py from-gold            # drafts of the 23 tests/gold files (dev)

``select`` and ``extend`` read ../shared/data (set XT_SHARED_DATA to move it); nothing else does,
so annotators and tests need only the repository. The split rule, the sources and the counts are
described in tests/data/projects/README.md and the annotation rules in tests/data/projects/GUIDELINE.md.

An article's annotated string (``doc``) is its title, a blank line and its text when it has a
title, else its text: the layout of the corpus/ files without their final newline. Offsets are
half-open ``[start, end)`` into ``doc``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import hashlib
import itertools
import json
import os
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable, Iterator

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("XT_SHARED_DATA", ROOT.parent / "shared" / "data"))
OUT = ROOT / "tests" / "data" / "projects"
CORPUS = ROOT / "corpus"
GOLD = ROOT / "tests" / "gold"
SPLITS = ("train", "dev", "test", "test2", "train2", "test3")
# Two splits of the third session (issue 14), each drawn from what the first three left in the
# period of another (PERIOD):
# * test2, a second sealed test, drawn from test's period and sources after test's errors had been
#   read twice, so that the next figure comes from text nobody here has seen;
# * train2, 180 more articles of train's period. Added to the training data they lowered the
#   held-out figures (README.md), so the shipped models do not read them (train.py trains on train
#   and dev); they are kept for work on the annotation's consistency.
# And one of the fourth session:
# * test3, a third sealed test from test's period and sources, annotated before anybody tunes
#   against it: the next honest figure after any change made since test2 was scored. Nobody has
#   scored it; the first to change the models scores it once, at the end (README.md).
PERIOD = {"test2": "test", "train2": "train", "test3": "test"}

MAX_CHARS = 4000  # longer articles are skipped so that one annotator can read one in a sitting
SHINGLE = 8
NEAR_DUP = 0.30  # share of the shorter text's 8-character shingles

# Split rule (README.md): xwlb by year, eb by the page's creation date decoded from its id,
# cnews (no dates) by section.
XWLB_YEARS = {"train": (2012, 2018), "dev": (2019, 2020), "test": (2021, 2025)}
EB_BOUNDS = (dt.date(2011, 6, 1), dt.date(2011, 8, 1))  # train < Jun 1 <= dev < Aug 1 <= test
CNEWS_LABEL = {"train": "财经", "dev": "时政", "test": "房产"}

# (split, source, pool) -> number of articles; pools are described in pool_of().
QUOTA: dict[tuple[str, str, str], int] = {
    ("test", "xwlb", "digest"): 10,
    ("test", "xwlb", "rich"): 16,
    ("test", "xwlb", "ordinary"): 3,
    ("test", "eb", "rich"): 14,
    ("test", "eb", "ordinary"): 2,
    ("test", "cnews", "any"): 5,
    ("dev", "xwlb", "digest"): 6,
    ("dev", "xwlb", "rich"): 10,
    ("dev", "xwlb", "ordinary"): 2,
    ("dev", "eb", "rich"): 10,
    ("dev", "eb", "ordinary"): 2,
    ("dev", "cnews", "any"): 4,
    ("train", "xwlb", "digest"): 7,  # all the 2012-2018 digests that qualify
    ("train", "xwlb", "rich"): 53,
    ("train", "xwlb", "ordinary"): 8,
    ("train", "eb", "rich"): 36,
    ("train", "eb", "ordinary"): 6,
    ("train", "cnews", "any"): 10,
}

TYPES = ("industrial park", "infrastructure", "public service", "company plant", "R&D centre",
         "real estate", "procurement", "other")  # GUIDELINE.md section 8

# Articles appended to a split by `extend` after the first selection (README.md, "How the articles
# were chosen", step 4); `select` appends them again, so that it still rewrites the texts files exactly.
EXTENDED: dict[str, int] = {"test": 28, "train2": 180, "test2": 65, "test3": 85}
# The pools an extension draws from, taken in turn: the project-rich ones of xwlb and eb. train2
# (issue 14, third session) found those spent after 29 articles, so once they are used up it draws
# from cnews (2+ amounts) and ordinary eb pages (amounts and a percentage).
EXTEND_POOLS = (("xwlb", "digest"), ("xwlb", "rich"), ("eb", "rich"))
# Per split, groups of pools taken one after another, each up to its cap (None: no cap).
EXTEND_POOLS_OF: dict[str, tuple[tuple[tuple[tuple[str, str], ...], int | None], ...]] = {
    "train2": ((EXTEND_POOLS, None), ((("cnews", "any"), ("eb", "ordinary")), 31),
              # then 120 pages that name works beside an amount (the third session's second extension)
              ((("xwlb", "named"), ("eb", "named")), None)),
    # test's rich eb pages are spent: test2 is mostly xwlb, with a few ordinary eb and cnews pages
    "test2": (((("xwlb", "digest"), ("xwlb", "rich")), 35), ((("eb", "ordinary"),), 5), ((("cnews", "any"),), 5),
              # 20 more once the first 45 held 122 projects and 12 links, short of the 150 names
              ((("xwlb", "digest"), ("xwlb", "rich")), 20)),
    # what test and test2 left: the remaining project-rich xwlb items, then pages that name works
    # beside an amount (xwlb and eb), a few cnews 房产 articles
    "test3": (((("xwlb", "digest"), ("xwlb", "rich")), 30), ((("xwlb", "named"), ("eb", "named")), 25),
              ((("cnews", "any"),), 5),
              # 25 more once the first 60 held 111 projects and 12 links, short of the 150 names
              ((("xwlb", "digest"), ("xwlb", "rich")), 25)),
}

# (new articles, projects once fully annotated) each split must reach: the sizes
TARGETS = {"train": (110, 0), "dev": (30, 0), "test": (45, 150), "test2": (40, 150), "train2": (0, 0), "test3": (40, 150)}

# Counting patterns for the pools (the rules of news_dev/SOURCES.md, loosened for lm_corpus).
_MONEY = re.compile(r"[0-9０-９][0-9０-９.,，．]*\s*(?:多|余)?\s*(?:万亿|亿|万|千)?(?:元|美元|人民币|欧元|英镑|港元|日元)")
_PCT = re.compile(r"%|％|个百分点")
_INV = re.compile(r"(?:总投资|拟投资|计划投资|投资总额|投资额|投资)(?:约|达|超过|逾|近|为|共)?[0-9０-９]")
_PROJECT_WORDS = re.compile(r"项目|工程|产业园|开工|签约|总投资|投产|竣工|通车|奠基|落户")
# a rough count of named works (a qualifier of 2+ characters before a project head word); it only
# ranks candidates, it annotates nothing
_HEADED = re.compile(
    r"([\u4e00-\u9fffA-Za-z0-9]{2,16}?)(项目|工程|产业园|工业园|科技园|物流园|基地|生产线|高铁|铁路|高速公路|"
    r"大桥|机场|电站|电厂|水库|枢纽|隧道|医院|数据中心)"
)
_GENERIC_END = re.compile(
    r"(重点|重大|建设|批|这些|等|各类|投资|外资|招商|签约|开工|民生|基础设施|产业|工业|在建|新建|实施|推进|加快|"
    r"水利|交通|能源|配套|续建|改造|个|项|省|市|县|区|全|各|亿元|万元|[0-9])$"
)
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
# a digit, or a decimal point / thousands comma after a digit, just before an amount: inside a number
_NUMBER_BEFORE = re.compile(r"(?:[0-9０-９]|[0-9０-９][.．,，])$")
_MONEY_TEXT = re.compile(r"[0-9０-９一二三四五六七八九十百千两]")


# --------------------------------------------------------------------------- small helpers
def doc_of(rec: dict) -> str:
    """The annotated string of a texts record: title, blank line, text (or the text alone)."""
    return f"{rec['title']}\n\n{rec['text']}" if rec.get("title") else rec["text"]


def shingles(text: str, k: int = SHINGLE) -> set[str]:
    """Whitespace-free k-character shingles."""
    s = re.sub(r"\s+", "", text)
    return {s[i : i + k] for i in range(max(len(s) - k + 1, 1))}


def overlap(a: set[str], b: set[str]) -> float:
    """Shared shingles as a share of the smaller set."""
    return len(a & b) / max(min(len(a), len(b)), 1)


def hash_key(record_id: str) -> str:
    """The order of selection: SHA-1 of the id."""
    return hashlib.sha1(record_id.encode("utf-8")).hexdigest()


def eb_date(record_id: str) -> dt.date:
    """Creation date of an eb page from its Hibernate UUID-hex id (IP, JVM start, ms since epoch, count)."""
    hexid = record_id.rsplit("-", 1)[1]
    if len(hexid) != 32 or not hexid.startswith("ff808081"):
        raise ValueError(f"not a Hibernate uuid.hex id: {record_id}")
    millis = int(hexid[16:28], 16)
    return dt.datetime.fromtimestamp(millis / 1000, tz=dt.timezone.utc).date()


def source_of(record_id: str) -> str:
    """xwlb, eb, cnews or seed, from the id."""
    if record_id.startswith(("xwlb-", "eb-", "cnews-")):
        return record_id.split("-", 1)[0]
    return "seed"


def date_of(record_id: str) -> str | None:
    """ISO date of an xwlb item or an eb page; None for cnews and the seed."""
    src = source_of(record_id)
    if src == "xwlb":
        d = record_id.split("-")[1]
        return f"{d[:4]}-{d[4:6]}-{d[6:]}"
    if src == "eb":
        return eb_date(record_id).isoformat()
    return None


def read_jsonl(path: Path) -> list[dict]:
    """Records of a JSON Lines file (blank lines ignored); a bad line names its file and line."""
    out = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    sys.exit(f"{path.relative_to(ROOT)} line {n}: not JSON ({exc})")
    return out


def write_jsonl(path: Path, records: Iterable[dict]) -> None:
    """Write records as JSON Lines, Chinese kept readable; replaced atomically (annotators share files)."""
    tmp = path.with_suffix(path.suffix + f".tmp{os.getpid()}")
    with tmp.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    tmp.replace(path)


def decode_file(path: Path) -> str:
    """A corpus file's text (UTF-8, UTF-8 with BOM, UTF-16 with BOM or GB18030, see corpus/README.md)."""
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def corpus_docs() -> dict[str, tuple[str, str]]:
    """corpus/ documents by id: (path relative to the repo, text without the final newline)."""
    out = {}
    for path in sorted(CORPUS.rglob("*.txt")):
        text = decode_file(path)
        out[path.stem] = (str(path.relative_to(ROOT)), text[:-1] if text.endswith("\n") else text)
    return out


def gold_ids() -> list[str]:
    """Ids of the tests/gold files (they are part of dev)."""
    return sorted(Path(json.loads(p.read_text(encoding="utf-8"))["doc"]).stem for p in GOLD.glob("*.json"))


# --------------------------------------------------------------------------- select
def shared_records() -> Iterator[dict]:
    """Every shared record once (first file wins: projects, econ, labelled, lm_corpus), with its file."""
    files = [SHARED_DATA / "news_dev" / f for f in ("projects.jsonl", "econ.jsonl", "labelled.jsonl")]
    files += sorted((SHARED_DATA / "lm_corpus").glob("*.jsonl"))
    if not all(f.is_file() for f in files[:3]) or len(files) < 4:
        sys.exit(f"projects_data: the shared data is not under {SHARED_DATA}; set XT_SHARED_DATA=/path/to/shared/data")
    seen: set[str] = set()
    for path in files:
        for rec in read_jsonl(path):
            if rec["id"] in seen:
                continue
            seen.add(rec["id"])
            yield {
                "id": rec["id"],
                "file": str(path.relative_to(SHARED_DATA)),
                "label": rec.get("label"),
                "title": rec.get("title"),
                "text": rec["text"],
            }


def is_digest(rec: dict) -> bool:
    """A 国内联播快讯 digest: so labelled, or (lm_corpus has no titles) shaped like one."""
    if rec.get("label") == "新闻联播快讯" or rec.get("title") == "国内联播快讯":
        return True
    lines = rec["text"].split("\n")
    heads = sum(1 for line in lines[1:] if len(line) <= 30 and "。" not in line)
    return lines[0].strip() == "央视网消息（新闻联播）：" and heads >= 3


def named_works(text: str) -> int:
    """Distinct head words with a specific qualifier before them (石济客专, not 重点项目): a rough count."""
    return len({m.group(1)[-6:] + m.group(2) for m in _HEADED.finditer(text) if not _GENERIC_END.search(m.group(1))})


def is_rich(rec: dict) -> bool:
    """Project-rich: in projects.jsonl, or an amount, an investment figure, 4+ project words, 3+ named works."""
    if rec["file"] == "news_dev/projects.jsonl":
        return True
    t = rec["text"]
    return (bool(_MONEY.search(t)) and bool(_INV.search(t)) and len(_PROJECT_WORDS.findall(t)) >= 4
            and named_works(t) >= 3)


def is_named(rec: dict) -> bool:
    """Names works with an amount but is neither rich nor ordinary: an amount, 2+ named works."""
    t = rec["text"]
    return len(t) >= 150 and bool(_MONEY.search(t)) and named_works(t) >= 2 and not is_rich(rec)


def is_ordinary(rec: dict) -> bool:
    """Ordinary economic news: 2+ amounts and a percentage, not project-rich, 200+ characters."""
    t = rec["text"]
    return len(t) >= 200 and len(_MONEY.findall(t)) >= 2 and bool(_PCT.search(t)) and not is_rich(rec)


def split_of(rec: dict) -> str | None:
    """train / dev / test by source and date (section for cnews), None when outside the rule."""
    src, rid = source_of(rec["id"]), rec["id"]
    if src == "xwlb":
        year = int(rid[5:9])
        return next((s for s, (lo, hi) in XWLB_YEARS.items() if lo <= year <= hi), None)
    if src == "eb":
        d = eb_date(rid)
        return "train" if d < EB_BOUNDS[0] else "dev" if d < EB_BOUNDS[1] else "test"
    if src == "cnews":
        return next((s for s, lab in CNEWS_LABEL.items() if rec.get("label") == lab), None)
    return None


def pool_of(rec: dict) -> str | None:
    """The pool a candidate may fill: digest / rich / ordinary / named (xwlb, eb) or any (cnews with 2+ amounts)."""
    src = source_of(rec["id"])
    if src == "cnews":
        return "any" if len(_MONEY.findall(rec["text"])) >= 2 else None
    if is_rich(rec):
        return "digest" if src == "xwlb" and is_digest(rec) else "rich"
    if is_ordinary(rec):
        return "ordinary"
    return "named" if is_named(rec) else None


def stratum(rec: dict) -> str:
    """Year for xwlb, month for eb, nothing for cnews: candidates are taken round-robin over these."""
    d = date_of(rec["id"])
    if d is None:
        return ""
    return d[:4] if source_of(rec["id"]) == "xwlb" else d[:7]


def interleave(cands: list[dict]) -> list[dict]:
    """Candidates in hash order within each stratum, strata taken in turn (several years per split)."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for rec in sorted(cands, key=lambda r: hash_key(r["id"])):
        groups[stratum(rec)].append(rec)
    order, keys = [], sorted(groups)
    for i in range(max((len(g) for g in groups.values()), default=0)):
        order.extend(groups[k][i] for k in keys if i < len(groups[k]))
    return order


def blocked_shingles() -> dict[str, set[str]]:
    """Shingles of the texts no article may repeat: the corpus/ documents and tests/data/topics_slice.jsonl."""
    blocked = {rid: shingles(text) for rid, (_, text) in corpus_docs().items()}
    for rec in read_jsonl(ROOT / "tests" / "data" / "topics_slice.jsonl"):
        blocked[rec["id"]] = shingles(rec["text"])  # already bundled for the topic tests
    return blocked


def candidates(blocked: dict[str, set[str]]) -> dict[tuple[str, str, str], list[dict]]:
    """Shared records of at most MAX_CHARS, not blocked, by (split, source, pool)."""
    cands: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for rec in shared_records():
        if rec["id"] in blocked or len(rec["text"]) > MAX_CHARS:
            continue
        split, pool = split_of(rec), pool_of(rec)
        if split and pool:
            cands[(split, source_of(rec["id"]), pool)].append(rec)
    return cands


def extend_split(split: str, n: int, cands: dict[tuple[str, str, str], list[dict]],
                 chosen: dict[str, list[dict]], blocked: dict[str, set[str]]) -> list[dict]:
    """Append up to n new project-rich articles to chosen[split]; return them.

    The order is fixed by the data alone: the split's groups of pools (EXTEND_POOLS_OF, else one
    group, EXTEND_POOLS) one after another, each up to its cap; within a group each pool in select's
    order (SHA-1 of the id within a year or month, the years or months in turn), the pools taken in
    turn. An article already in a split, or a near-duplicate of any article of any split, of corpus/
    or of the topic slice, is passed over; so, without caps, `extend test 5` twice appends what
    `extend test 10` appends once. A split's period is its own or PERIOD's.
    """
    used = {r["id"] for rows in chosen.values() for r in rows}
    taken = list(blocked.values()) + [shingles(doc_of(r)) for rows in chosen.values() for r in rows]
    added: list[dict] = []
    for pools, cap in EXTEND_POOLS_OF.get(split, ((EXTEND_POOLS, None),)):  # groups, one after another
        queues = [interleave(cands[(PERIOD.get(split, split), src, pool)]) for src, pool in pools]
        order: list[tuple[dict, str]] = []
        for i in range(max(map(len, queues), default=0)):
            order += [(q[i], pool) for (_, pool), q in zip(pools, queues) if i < len(q)]
        got = 0
        for rec, pool in order:
            if len(added) == n or got == cap:
                break
            if rec["id"] in used:
                continue
            sh = shingles(doc_of(rec))
            if any(overlap(sh, other) > NEAR_DUP for other in taken):
                continue
            taken.append(sh)
            added.append({**_texts_record(rec), "pool": pool})
            got += 1
    chosen[split].extend(added)
    return added


def select(args: argparse.Namespace) -> int:
    """Choose the articles of each split and write <split>.texts.jsonl (with the EXTENDED articles)."""
    corpus = corpus_docs()
    blocked = blocked_shingles()
    cands = candidates(blocked)

    chosen: dict[str, list[dict]] = {s: [] for s in SPLITS}
    taken: list[set[str]] = list(blocked.values())
    short: list[str] = []
    # test first, so that it is never the split that loses an article to a near-duplicate
    for key in sorted(QUOTA, key=lambda k: (["test", "dev", "train"].index(k[0]), k[1], k[2])):
        want, got = QUOTA[key], 0
        for rec in interleave(cands[key]):
            if got == want:
                break
            sh = shingles(doc_of(rec))
            if any(overlap(sh, other) > NEAR_DUP for other in taken):
                continue
            taken.append(sh)
            chosen[key[0]].append({**_texts_record(rec), "pool": key[2]})
            got += 1
        if got < want:
            short.append(f"{key}: {got} of {want}")

    # dev also holds the tests/gold files, as they are in corpus/
    by_id = {}
    wanted = set(gold_ids())
    for rec in shared_records():
        if rec["id"] in wanted:
            by_id[rec["id"]] = rec
    for rid in sorted(wanted):
        path, text = corpus[rid]
        rec = by_id.get(rid)
        if rec is not None:
            if doc_of(rec) != text:
                sys.exit(f"projects_data: {path} differs from its shared record {rid}")
            row = _texts_record(rec)
        else:  # the seed page: no shared record, kept raw as in corpus/
            row = {"id": rid, "source": source_of(rid), "file": None, "date": None, "year": None,
                   "label": None, "title": None, "digest": False, "text": text}
        row.update(file=f"{path} ({row['file']})" if row["file"] else path, pool="gold")
        chosen["dev"].append(row)

    for rows in chosen.values():
        rows.sort(key=lambda r: (r["source"], r["date"] or "", r["id"]))
    for split, n in EXTENDED.items():  # appended after the sorted first selection, as `extend` does
        got = len(extend_split(split, n, cands, chosen, blocked))
        if got < n:
            short.append(f"{split} extension: {got} of {n}")

    OUT.mkdir(parents=True, exist_ok=True)
    for split, rows in chosen.items():
        write_jsonl(OUT / f"{split}.texts.jsonl", rows)
        print(f"{split}: {len(rows)} articles -> {(OUT / f'{split}.texts.jsonl').relative_to(ROOT)}")
    for line in short:
        print("short:", line, file=sys.stderr)
    return 1 if short else 0


def extend(args: argparse.Namespace) -> int:
    """Append N new project-rich articles to <split>.texts.jsonl, the other lines left as they are."""
    if args.n < 1:
        sys.exit("projects_data: extend needs N >= 1")
    chosen = {s: list(texts(s).values()) for s in SPLITS}
    blocked = blocked_shingles()
    added = extend_split(args.split, args.n, candidates(blocked), chosen, blocked)
    write_jsonl(OUT / f"{args.split}.texts.jsonl", chosen[args.split])
    for rec in added:
        print(f"{rec['id']}  {rec['pool']}  {len(doc_of(rec))} characters")
    print(f"{args.split}: {len(added)} article(s) appended, {len(chosen[args.split])} in all; add {len(added)} "
          f"to EXTENDED[{args.split!r}] (now {EXTENDED.get(args.split, 0)}) so that `select` rewrites the file")
    return 0 if len(added) == args.n else 1


def _texts_record(rec: dict) -> dict:
    """The fields kept for annotators: id, source, file, date, year, label, title, text (unchanged)."""
    date = date_of(rec["id"])
    return {
        "id": rec["id"],
        "source": source_of(rec["id"]),
        "file": rec["file"],
        "date": date,
        "year": int(date[:4]) if date else None,
        "label": rec["label"],
        "title": rec["title"],
        "digest": source_of(rec["id"]) == "xwlb" and is_digest(rec),
        "text": rec["text"],
    }


# --------------------------------------------------------------------------- resolve
class AnnotationError(ValueError):
    """A src entry that cannot be resolved against its article."""


def occurrences(doc: str, s: str) -> list[int]:
    """Start of every occurrence of ``s`` in ``doc`` (overlapping ones too), left to right."""
    out, i = [], doc.find(s)
    while i >= 0:
        out.append(i)
        i = doc.find(s, i + 1)
    return out


def amount_occurrences(doc: str, s: str) -> list[int]:
    """Occurrences of an amount that do not start inside a longer number (20亿元 is not in 120亿元)."""
    return [i for i in occurrences(doc, s) if not _NUMBER_BEFORE.search(doc[max(0, i - 2) : i])]


def sentence_index(doc: str) -> list[int]:
    """For each character, the number of the sentence it is in (ends: 。！？；; and newlines).

    A run of ends (。 followed by a line break) ends one sentence, not two.
    """
    idx, n = [], 0
    for i, ch in enumerate(doc):
        idx.append(n)
        if _SENTENCE_END.match(ch) and not (i + 1 < len(doc) and _SENTENCE_END.match(doc[i + 1])):
            n += 1
    return idx


def mention_form(m: object, project: str) -> tuple[str, set[int] | None]:
    """A src mention: a surface string (every occurrence) or {"text", "nth": [k, ...]} (those occurrences)."""
    if isinstance(m, str) and m:
        return m, None
    if (isinstance(m, dict) and set(m) == {"text", "nth"} and isinstance(m["text"], str) and m["text"]
            and isinstance(m["nth"], list) and m["nth"] and all(type(n) is int for n in m["nth"])):
        return m["text"], set(m["nth"])
    raise AnnotationError(f"project {project!r}: mention {m!r} must be a string or "
                          f'{{"text": "...", "nth": [k, ...]}}')


def resolve_entry(entry: dict, rec: dict) -> dict:
    """One src entry + its texts record -> the resolved record with offsets; AnnotationError if not."""
    doc = doc_of(rec)
    unknown = set(entry) - {"id", "projects", "links", "notes"}
    if unknown:
        raise AnnotationError(f"unknown keys {sorted(unknown)}")
    names: dict[str, dict] = {}
    owners: dict[str, list[tuple[str, set[int] | None]]] = defaultdict(list)  # surface -> (project, its nths)
    cands: list[tuple[int, int, str, str]] = []  # start, end, surface, project
    listed: list[tuple[int, str, str, int]] = []  # start, surface, project, nth: occurrences given by nth
    for p in entry.get("projects", []):
        name = p.get("name")
        extra = set(p) - {"name", "mentions", "type", "skip"}
        if not name or name in names or extra:
            raise AnnotationError(f"project {name!r}: no name, a repeated name, or unknown keys {sorted(extra)}")
        if p.get("type") not in (None, *TYPES):
            raise AnnotationError(f"project {name!r}: type {p['type']!r} is not one of {TYPES}")
        names[name] = p
        forms = [mention_form(m, name) for m in p.get("mentions") or []]
        surfaces = [s for s, _ in forms]
        if not surfaces or len(set(surfaces)) < len(surfaces):
            raise AnnotationError(f"project {name!r} has no mentions, or lists a form twice")
        skip: dict[str, set[int]] = defaultdict(set)
        for sk in p.get("skip", []):
            if sk.get("text") not in surfaces or not isinstance(sk.get("nth"), int):
                raise AnnotationError(f"project {name!r}: skip {sk} must name one of its mentions and an int nth")
            skip[sk["text"]].add(sk["nth"])
        for s, only in forms:
            for other, other_only in owners[s]:
                # one form may name two projects only occurrence by occurrence (disjoint nth lists)
                if only is None or other_only is None or only & other_only:
                    raise AnnotationError(f"mention {s!r} is listed under both {other!r} and {name!r} "
                                          f"(give each a disjoint nth list)")
            owners[s].append((name, only))
            found = occurrences(doc, s)
            if not found:
                raise AnnotationError(f"mention {s!r} of {name!r} is not in the text")
            bad = sorted(n for n in skip[s] | (only or set()) if not 1 <= n <= len(found))
            if bad:
                raise AnnotationError(f"{s!r} nth {bad}: it occurs {len(found)} times")
            for n, i in enumerate(found, 1):
                if n not in skip[s] and (only is None or n in only):
                    cands.append((i, i + len(s), s, name))
                    if only is not None:
                        listed.append((i, s, name, n))

    # longest surface first, then leftmost; a shorter occurrence inside or across a taken span is dropped
    spans: list[tuple[int, int, str, str]] = []
    used = [False] * len(doc)
    for start, end, s, name in sorted(cands, key=lambda c: (-(c[1] - c[0]), c[0])):
        if not any(used[start:end]):
            spans.append((start, end, s, name))
            used[start:end] = [True] * (end - start)
    kept = {(a, s, name) for a, _, s, name in spans}
    kept_forms = {(s, name) for _, _, s, name in spans}
    lost = sorted({s for _, _, s, name in cands if (s, name) not in kept_forms})
    if lost:
        raise AnnotationError(f"mentions {lost} only occur inside longer mentions: drop them")
    inside = [f"{s} nth {n}" for a, s, name, n in listed if (a, s, name) not in kept]
    if inside:
        raise AnnotationError(f"occurrences {inside} lie inside longer mentions: drop them from nth")
    spans.sort()

    sent = sentence_index(doc)
    links, seen = [], set()
    for ln in entry.get("links", []):
        amount, nth, project = ln.get("amount"), ln.get("nth"), ln.get("project")
        if set(ln) - {"amount", "nth", "project"} or not amount or project not in names:
            raise AnnotationError(f"link {ln}: needs amount and the canonical name of a listed project")
        if not _MONEY_TEXT.search(amount):
            raise AnnotationError(f"link amount {amount!r} has no number in it")
        found = amount_occurrences(doc, amount)
        if not found:
            raise AnnotationError(f"link amount {amount!r} is not in the text (as a whole number)")
        if nth is None and len(found) > 1:
            raise AnnotationError(f"link amount {amount!r} occurs {len(found)} times: give nth (see `find`)")
        if nth is not None and not (isinstance(nth, int) and 1 <= nth <= len(found)):
            raise AnnotationError(f"link amount {amount!r} nth {nth}: it occurs {len(found)} times")
        start = found[(nth or 1) - 1]
        if start in seen:
            raise AnnotationError(f"link amount {amount!r} (nth {nth}) is linked twice")
        seen.add(start)
        own = [sent[a] for a, _, _, n in spans if n == project]
        dist = min(abs(sent[start] - s) for s in own) if own else None
        links.append({"start": start, "end": start + len(amount), "text": amount, "project": project,
                      "sent_dist": dist})
    links.sort(key=lambda x: x["start"])

    return {
        "id": rec["id"],
        "source": rec["source"],
        "file": rec["file"],
        "date": rec["date"],
        "label": rec["label"],
        "doc": doc,
        "projects": [{"name": n, "type": p.get("type"), "mentions": [mention_form(m, n)[0] for m in p["mentions"]]}
                     for n, p in names.items()],
        "mentions": [{"start": a, "end": b, "text": s, "project": n} for a, b, s, n in spans],
        "links": links,
        "notes": entry.get("notes", ""),
    }


def texts(split: str) -> dict[str, dict]:
    """The texts records of a split by id."""
    path = OUT / f"{split}.texts.jsonl"
    if not path.is_file():
        sys.exit(f"projects_data: {path.relative_to(ROOT)} is missing; run `select` first")
    return {r["id"]: r for r in read_jsonl(path)}


def src_files(split: str) -> list[Path]:
    """The annotators' files of a split: <split>.src.jsonl and <split>.src.<part>.jsonl, sorted."""
    return sorted(OUT.glob(f"{split}.src.jsonl")) + sorted(OUT.glob(f"{split}.src.*.jsonl"))


def read_src(path: Path) -> list[dict]:
    """The JSON objects of a src file, one per line or spread over several lines; errors name the line."""
    text = path.read_text(encoding="utf-8")
    decoder, pos, out = json.JSONDecoder(), 0, []
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos == len(text):
            return out
        try:
            obj, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            sys.exit(f"{path.relative_to(ROOT)} line {exc.lineno}: not JSON ({exc.msg})")
        if not isinstance(obj, dict):
            sys.exit(f"{path.relative_to(ROOT)} line {text.count(chr(10), 0, pos) + 1}: expected an object per article")
        out.append(obj)


def src_entries(split: str) -> list[tuple[Path, dict]]:
    """Every src entry of a split with its file; an id annotated twice is an error."""
    out, where = [], {}
    for path in src_files(split):
        for entry in read_src(path):
            rid = entry.get("id")
            if rid in where:
                sys.exit(f"{rid}: annotated twice ({where[rid].name} and {path.name})")
            where[rid] = path
            out.append((path, entry))
    return out


def resolve(args: argparse.Namespace) -> int:
    """Resolve every src entry of the given splits; write <split>.jsonl unless --dry-run."""
    errors = 0
    wrong = [s for s in args.splits if s not in SPLITS]
    if wrong:
        sys.exit(f"projects_data: unknown split(s) {wrong}; use {', '.join(SPLITS)}")
    for split in args.splits or SPLITS:
        recs = texts(split)
        done = []
        for path, entry in src_entries(split):
            rid = entry.get("id")
            if rid not in recs:
                print(f"{path.name}: {rid}: not an article of {split} (see {split}.texts.jsonl)", file=sys.stderr)
                errors += 1
                continue
            try:
                done.append(resolve_entry(entry, recs[rid]))
            except AnnotationError as exc:
                print(f"{path.name}: {rid}: {exc}", file=sys.stderr)
                errors += 1
        order = {rid: i for i, rid in enumerate(recs)}
        done.sort(key=lambda r: order[r["id"]])
        far = sum(1 for r in done for ln in r["links"] if ln["sent_dist"] is None or ln["sent_dist"] > 1)
        print(f"{split}: {len(done)} of {len(recs)} articles annotated, "
              f"{sum(len(r['projects']) for r in done)} projects, {sum(len(r['mentions']) for r in done)} mentions, "
              f"{sum(len(r['links']) for r in done)} links ({far} more than one sentence from a mention)")
        if not args.dry_run and not errors:
            write_jsonl(OUT / f"{split}.jsonl", done)
    if errors:
        print(f"{errors} error(s); nothing written for a split with errors", file=sys.stderr)
    return 1 if errors else 0


# --------------------------------------------------------------------------- check
def check(args: argparse.Namespace) -> int:
    """Counts per split and source, the split's rules, and near-duplicates between splits and corpus/."""
    problems: list[str] = []
    all_texts = {s: texts(s) for s in SPLITS}
    gold = set(gold_ids())
    print(f"{'split':6} {'source':6} {'articles':>8} {'rich':>5} {'annot.':>6} {'projects':>8} "
          f"{'mentions':>8} {'links':>6}")
    for split in SPLITS:
        path = OUT / f"{split}.jsonl"
        resolved = {r["id"]: r for r in read_jsonl(path)} if path.is_file() else {}
        fresh = {}
        for path, entry in src_entries(split):
            try:
                fresh[entry.get("id")] = resolve_entry(entry, all_texts[split][entry.get("id")])
            except (AnnotationError, KeyError) as exc:
                problems.append(f"{path.name}: {entry.get('id')}: {exc}")
        if fresh != resolved:
            problems.append(f"{split}.jsonl does not match the src files: run resolve")
        rows: dict[str, Counter] = defaultdict(Counter)
        for rid, rec in all_texts[split].items():
            for key in (rec["source"], "all"):
                c = rows[key]
                c["articles"] += 1
                c["rich"] += rec["pool"] in ("rich", "digest", "gold")
                if rid in resolved:
                    r = resolved[rid]
                    c["annotated"] += 1
                    c["projects"] += len(r["projects"])
                    c["mentions"] += len(r["mentions"])
                    c["links"] += len(r["links"])
            if rec["pool"] != "gold" and len(doc_of(rec)) > MAX_CHARS + 200:
                problems.append(f"{split} {rid}: longer than {MAX_CHARS} characters")
        for key in sorted(rows, key=lambda k: (k == "all", k)):
            c = rows[key]
            print(f"{split:6} {key:6} {c['articles']:8} {c['rich']:5} {c['annotated']:6} {c['projects']:8} "
                  f"{c['mentions']:8} {c['links']:6}")
        c, new = rows["all"], sum(1 for r in all_texts[split].values() if r["pool"] != "gold")
        want_articles, want_projects = TARGETS[split]
        if new < want_articles:
            problems.append(f"{split}: {new} new articles, the issue asks for at least {want_articles}")
        if c["annotated"] == c["articles"] and c["projects"] < want_projects:
            problems.append(f"{split}: {c['projects']} projects, the issue asks for at least {want_projects}")
    # the split rule, as far as the records show it
    for split, recs in all_texts.items():
        for rid, rec in recs.items():
            if rec["pool"] == "gold" and split == "dev":
                continue
            if rec["pool"] == "gold" or split_of({"id": rid, "label": rec["label"]}) != PERIOD.get(split, split):
                problems.append(f"{split} {rid}: breaks the split rule")
    # near-duplicates: between splits, and with corpus/ (dev's own gold files excepted)
    sh = {(s, rid): shingles(doc_of(r)) for s in SPLITS for rid, r in all_texts[s].items()}
    for s1, s2 in itertools.combinations(SPLITS, 2):  # every pair
        for (a, ra), x in sh.items():
            if a != s1:
                continue
            for (b, rb), y in sh.items():
                if b == s2 and overlap(x, y) > NEAR_DUP:
                    problems.append(f"near-duplicate {s1} {ra} ~ {s2} {rb} ({overlap(x, y):.2f})")
    for rid, (path, text) in corpus_docs().items():
        c = shingles(text)
        for (s, r2), x in sh.items():
            if (s, r2) == ("dev", rid) and rid in gold:
                continue
            if overlap(x, c) > NEAR_DUP:
                problems.append(f"{s} {r2} is a near-duplicate of {path} ({overlap(x, c):.2f})")
    # copied unchanged: compare with the shared files when they are here
    if (SHARED_DATA / "news_dev").is_dir():
        shared = {r["id"]: r for r in shared_records()}
        for s in SPLITS:
            for rid, rec in all_texts[s].items():
                src = shared.get(rid)
                same = src is not None and (src["title"], src["text"]) == (rec["title"], rec["text"])
                if rec["pool"] != "gold" and not same:
                    problems.append(f"{s} {rid}: differs from ../shared/data/{rec['file']}")
    else:
        print("(../shared not here: the copies were not compared with their sources)")
    for p in problems:
        print("PROBLEM:", p)
    print("no problems found" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


# --------------------------------------------------------------------------- annotators' tools
def _find_record(rid: str) -> tuple[str, dict]:
    """The split and texts record of an id."""
    for split in SPLITS:
        recs = texts(split)
        if rid in recs:
            return split, recs[rid]
    sys.exit(f"projects_data: no article {rid} in any split")


def show(args: argparse.Namespace) -> int:
    """Print an article with its mentions in 【】 and linked amounts in 〔〕, each followed by [project number]."""
    split, rec = _find_record(args.id)
    print(f"# {rec['id']}  split {split}  source {rec['source']}  date {rec['date']}  label {rec['label']}  "
          f"file {rec['file']}")
    entry = next((e for _, e in src_entries(split) if e.get("id") == args.id), None)
    doc = doc_of(rec)
    if entry is None:
        print("# not annotated yet\n")
        print(doc)
        return 0
    try:
        res = resolve_entry(entry, rec)
    except AnnotationError as exc:
        print(f"# annotation error: {exc}\n")
        print(doc)
        return 1
    num = {p["name"]: i for i, p in enumerate(res["projects"], 1)}
    marks = [mark for m in res["mentions"] for mark in ((m["start"], "【"), (m["end"], f"】[{num[m['project']]}]"))]
    marks += [mark for x in res["links"] for mark in ((x["start"], "〔"), (x["end"], f"〕→[{num[x['project']]}]"))]
    out, last = [], 0
    for pos, mark in sorted(marks, key=lambda m: (m[0], m[1][0] in "【〔")):
        out += [doc[last:pos], mark]
        last = pos
    out.append(doc[last:])
    print("".join(out))
    print()
    for p in res["projects"]:
        n = sum(1 for m in res["mentions"] if m["project"] == p["name"])
        print(f"{num[p['name']]:3} {p['name']}  ({p['type']}; {n} mention(s): {' | '.join(p['mentions'])})")
    if res["notes"]:
        print("notes:", res["notes"])
    return 0


def find(args: argparse.Namespace) -> int:
    """Print every occurrence of a string with its nth for skip and for links, and its context."""
    _, rec = _find_record(args.id)
    doc = doc_of(rec)
    amounts = amount_occurrences(doc, args.string)
    print("nth: for skip (all occurrences); amount nth: for links (not counting those inside a longer number)")
    for n, i in enumerate(occurrences(doc, args.string), 1):
        left = doc[max(0, i - 20) : i].replace("\n", "⏎")
        right = doc[i + len(args.string) : i + len(args.string) + 20].replace("\n", "⏎")
        a = str(amounts.index(i) + 1) if i in amounts else "-"
        print(f"nth {n:2}  amount nth {a:>2}  @{i:5}  {left}[{args.string}]{right}")
    return 0


def todo(args: argparse.Namespace) -> int:
    """Ids of a split not yet annotated, dealt round-robin into N parts (part k gets every N-th)."""
    done = {e["id"] for _, e in src_entries(args.split)}
    left = [rid for rid in texts(args.split) if rid not in done]
    for k in range(args.parts):
        part = left[k :: args.parts]
        head = f"part {k + 1} of {args.parts}: " if args.parts > 1 else ""
        print(f"# {head}{len(part)} article(s) of {args.split} to annotate")
        for rid in part:
            print(rid)
    return 0


def from_gold(args: argparse.Namespace) -> int:
    """Draft src entries for the tests/gold files: names as mentions, money links; to be reviewed by hand."""
    dev = texts("dev")
    for path in sorted(GOLD.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        rid = Path(gold["doc"]).stem
        doc = doc_of(dev[rid])
        projects, todo_notes = [], []
        for p in gold["projects"]:
            found = p["name"] in doc
            projects.append({"name": p["name"], "mentions": [p["name"]] if found else [], "type": p.get("type")})
            if not found:
                todo_notes.append(f"{p['name']} is not written as such (coordination?): give its mentions")
        links, pos = [], 0
        for f in gold["figures"]:  # in document order, each found after the previous one
            found = amount_occurrences(doc, f["text"])
            i = next((j for j in found if j >= pos), -1)
            if i < 0:
                todo_notes.append(f"figure {f['text']} not found in order")
                continue
            pos = i + 1
            if f["kind"] == "money" and f.get("project"):
                link = {"amount": f["text"], "project": f["project"]}
                if len(found) > 1:
                    link["nth"] = found.index(i) + 1
                links.append(link)
        notes = "DRAFT from tests/gold (review against GUIDELINE.md: canonical = fullest form, aliases, " \
                "phases, links): " + " ".join(todo_notes) + " | gold notes: " + gold["notes"]
        print(format_src({"id": rid, "projects": projects, "links": links, "notes": notes}))
    return 0


def format_src(entry: dict) -> str:
    """A src entry laid out as in the worked examples: one project and one link per line."""
    dump = functools.partial(json.dumps, ensure_ascii=False)
    rows = [f'{{"id": {dump(entry["id"])},', ' "projects": [']
    rows.append(",\n".join(f"  {dump(p)}" for p in entry["projects"]))
    rows += [" ],", ' "links": [']
    rows.append(",\n".join(f"  {dump(x)}" for x in entry["links"]))
    rows.append(f' ],\n "notes": {dump(entry.get("notes", ""))}}}')
    return "\n".join(r for r in rows if r)


def main(argv: list[str] | None = None) -> int:
    """Command line: select, extend, resolve, check, show, find, todo, from-gold."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("select", help="choose the articles (reads ../shared)").set_defaults(func=select)
    p = sub.add_parser("resolve", help="src annotations -> <split>.jsonl with offsets")
    p.add_argument("splits", nargs="*", metavar="SPLIT", help="train, dev and/or test (default: all three)")
    p.add_argument("--dry-run", action="store_true", help="check only, write nothing")
    p.set_defaults(func=resolve)
    p = sub.add_parser("extend", help="append N new project-rich articles to a split (reads ../shared)")
    p.add_argument("split", choices=SPLITS)
    p.add_argument("n", type=int, metavar="N")
    p.set_defaults(func=extend)
    sub.add_parser("check", help="counts and near-duplicate checks").set_defaults(func=check)
    p = sub.add_parser("show", help="an article with its annotation marked")
    p.add_argument("id")
    p.set_defaults(func=show)
    p = sub.add_parser("find", help="numbered occurrences of a string in an article")
    p.add_argument("id")
    p.add_argument("string")
    p.set_defaults(func=find)
    p = sub.add_parser("todo", help="ids still to annotate")
    p.add_argument("split", choices=SPLITS)
    p.add_argument("--parts", type=int, default=1)
    p.set_defaults(func=todo)
    sub.add_parser("from-gold", help="draft src entries from tests/gold (stdout)").set_defaults(func=from_gold)
    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
