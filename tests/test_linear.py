"""Project stages grow linearly with the document and with its mentions (issue 17).

No wall clock: the tests count work (calls of the name comparisons, lines of the project modules
run) at one size and at a larger one, and a flattened page (one long line) gives the records the
same text gives with its line breaks.
"""

from __future__ import annotations

import sys
from collections import Counter
from types import FrameType
from typing import Any, Callable

import pytest

from xiangtan_nlp.cleaning import clean
from xiangtan_nlp.extraction import project_groups
from xiangtan_nlp.extraction.figures import find_figures
from xiangtan_nlp.extraction.project_links import MAX_SENTENCE, CappedSentences
from xiangtan_nlp.extraction.project_names import Mention
from xiangtan_nlp.extraction.projects import find_projects, link_figures

from conftest import SEED


def _distinct_mentions(n: int) -> list[Mention]:
    """n projects of one kind (all end in 创新产业园), each named four ways: the name, with a zone
    before it, an abbreviation, a reference by its end; plus a reference every one of them fits."""
    out: list[Mention] = []
    pos = 0

    def add(name: str, ref: bool = False) -> None:
        nonlocal pos
        out.append(Mention(pos, pos + len(name), name, head="产业园", ref=ref))
        pos += len(name) + 1

    for i in range(n):
        a, b, c = (chr(0x5000 + 3 * i + k) for k in range(3))  # characters no other name holds
        add(f"{a}{b}{c}创新产业园")
        add(f"湘潭经开区{a}{b}{c}创新产业园")
        add(f"{a}{c}创新产业园")  # an abbreviation: first character kept, the rest in order
        add(f"{b}{c}创新产业园", ref=True)
        add("创新产业园", ref=True)  # every project here ends so: it points at none
    return out


def _count_calls(monkeypatch: pytest.MonkeyPatch, names: tuple[str, ...]) -> Counter[str]:
    calls: Counter[str] = Counter()
    for name in names:
        fn = getattr(project_groups, name)

        def counted(*a: Any, _fn: Callable[..., Any] = fn, _name: str = name, **kw: Any) -> Any:
            calls[_name] += 1
            return _fn(*a, **kw)

        monkeypatch.setattr(project_groups, name, counted)
    return calls


def test_grouping_work_grows_linearly_with_distinct_names(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_calls(monkeypatch, ("core", "_abbreviation", "is_generic"))
    work = {}
    for n in (60, 600):
        calls.clear()
        groups = project_groups.group_mentions(_distinct_mentions(n))
        work[n] = sum(calls.values())
        # the grouping is still right: one group per project, with its alias, abbreviation and reference
        assert len(groups) == n
        assert all(len(g.mentions) == 4 for g in groups), [g.name for g in groups if len(g.mentions) != 4][:3]
        assert all(g.name.endswith("创新产业园") and not g.name.startswith("湘潭") for g in groups)
    # all pairs would be 100x the work for 10x the names; keyed look-ups are about 10x
    assert work[600] <= 11 * work[60], work


def test_grouping_work_grows_linearly_with_repeated_mentions(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_calls(monkeypatch, ("core", "_abbreviation"))
    work = {}
    for copies in (20, 200):
        calls.clear()
        mentions = []
        for k in range(copies):  # one article's names again and again, as in a long page
            for m in _distinct_mentions(5):
                mentions.append(Mention(m.start + 1000 * k, m.end + 1000 * k, m.name, head=m.head, ref=m.ref))
        groups = project_groups.group_mentions(mentions)
        assert len(groups) == 5 and all(len(g.mentions) == 4 * copies for g in groups)
        work[copies] = sum(calls.values())
    assert work[200] <= 11 * work[20], work


def _project_lines_run(text: str) -> int:
    """Lines of the project modules run to find the projects of ``text`` and link its figures."""
    figures = find_figures(text, ("money", "percent"))
    count = 0

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if "extraction/project" not in frame.f_code.co_filename.replace("\\", "/"):
            return None  # only project_*.py and the projects package are counted
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        link_figures(text, figures, find_projects(text))
    finally:
        sys.settrace(None)
    return count


@pytest.fixture(scope="module")
def flat_seed() -> str:
    """The cleaned seed with its line breaks removed: a page flattened to one line."""
    return clean(SEED.read_text(encoding="utf-8")).text.replace("\n", "")


def test_project_stages_work_grows_linearly_on_one_long_line(flat_seed: str) -> None:
    _project_lines_run(flat_seed)  # caches (vocabulary, POS of names) filled before counting
    small, large = _project_lines_run(flat_seed * 2), _project_lines_run(flat_seed * 8)
    # 4x the text: quadratic work would be 16x; the comparisons of every mention with every other
    # (before issue 17) made it more than 10x here
    assert large <= 4.4 * small, (small, large)


def _project_records(text: str) -> list[tuple]:
    return [(r.project, r.text, r.location, r.type, r.stage, r.start, r.end) for r in find_projects(text)]


def test_one_long_line_gives_the_records_of_the_text_with_its_line_breaks(flat_seed: str) -> None:
    page = clean(SEED.read_text(encoding="utf-8")).text
    copies = 20
    with_breaks = "\n".join([page] * copies)
    one_line = with_breaks.replace("\n", "")
    kept = [i for i, ch in enumerate(with_breaks) if ch != "\n"]  # one-line offset -> with breaks
    expected = _project_records(with_breaks)
    got = [(p, t, loc, ty, st, kept[s], kept[e - 1] + 1) for p, t, loc, ty, st, s, e in _project_records(one_line)]
    assert len(got) >= 20 * copies
    assert got == expected
    # and the n-th copy on the line is found as the first one is
    one = _project_records(flat_seed)
    n = len(flat_seed)
    shifted = [(p, t, loc, ty, st, s + k * n, e + k * n) for k in range(copies) for p, t, loc, ty, st, s, e in one]
    assert sorted(got_one_line := _project_records(one_line)) == sorted(shifted), len(got_one_line)


def test_a_page_without_stops_has_bounded_sentences() -> None:
    # a flattened list with commas only: sentences are cut at MAX_SENTENCE, offsets exact
    text = "，".join(f"第{i}期湘潭经开区宏大真空镀膜装备产业化基地项目总投资{i}亿元" for i in range(1, 200))
    assert len(text) > 5 * MAX_SENTENCE
    spans = CappedSentences(text)
    starts = spans.starts
    assert starts[0] == 0 and all(0 < b - a <= MAX_SENTENCE for a, b in zip(starts, starts[1:] + [len(text)]))
    records = find_projects(text)
    assert records and all(len(r.sentence) <= MAX_SENTENCE and r.text in r.sentence for r in records)
    assert all(text[r.start : r.end] == r.text for r in records)
    linked = link_figures(text, find_figures(text, ("money",)), records)
    assert sum(f.project is not None for f in linked) >= 150


def test_forms_found_by_their_endings_as_one_alternation_finds_them() -> None:
    # the shorter forms of project names are looked for where a name's last four characters stand;
    # the result must be what one regex alternation (longest first) finds, on texts full of overlaps
    import random

    import regex

    from xiangtan_nlp.extraction.project_links import _occurrences

    rng = random.Random(17)
    words = ["湘潭", "宏大", "真空", "镀膜", "产业园", "基地", "园", "区"]  # names that share starts and ends
    for _ in range(300):
        names = {"".join(rng.choice(words) for _ in range(rng.randint(2, 4))) for _ in range(rng.randint(1, 6))}
        forms = {n[i:]: n for n in names for i in range(len(n) - 3)}
        if not forms:
            assert _occurrences("湘潭经开区", forms) == []
            continue
        text = "".join(rng.choice([*names, *words, "，"]) for _ in range(rng.randint(0, 40)))
        alternation = regex.compile("|".join(map(regex.escape, sorted(forms, key=len, reverse=True))))
        assert _occurrences(text, forms) == [m.span() for m in alternation.finditer(text)], (text, sorted(forms))


def test_repeated_forms_skip_exactly_the_hits_overlapping_a_mention() -> None:
    # _repeat finds overlaps by bisection over the mentions sorted by start with the furthest end so
    # far; the result must be what comparing every hit with every mention gives, overlaps included
    import random
    import re

    from xiangtan_nlp.extraction.projects.mentions import _repeat

    rng = random.Random(14)
    words = ["宏大", "真空", "产业园", "基地", "湘潭", "，"]
    for _ in range(300):
        text = "".join(rng.choice(words) for _ in range(rng.randint(3, 40)))
        mentions = []
        for _ in range(rng.randint(1, 6)):  # spans of any length, overlapping or nested ones too
            a = rng.randrange(len(text) - 2)
            b = min(len(text), a + rng.randint(3, 12))
            mentions.append(Mention(a, b, text[a:b], head=None))
        forms = {text[m.start : m.end]: m.name for m in mentions}
        pattern = re.compile("|".join(re.escape(f) for f in sorted(forms, key=lambda f: (-len(f), f))))
        taken = [(m.start, m.end) for m in mentions]
        expected = sorted(
            [(m.start, m.end) for m in mentions]
            + [h.span() for h in pattern.finditer(text) if not any(x < h.end() and h.start() < y for x, y in taken)]
        )
        assert sorted((m.start, m.end) for m in _repeat(text, list(mentions))) == expected, (text, taken)


def test_link_features_found_by_bisection_match_the_scans_they_replace() -> None:
    # pair_features found a sentence's first mention by scanning every mention and the headline by
    # searching the text before every amount; candidates() now bisects and reads the first line
    # break once: each pair must get the features those scans gave, on texts with and without breaks
    from xiangtan_nlp.extraction.context import Sentences
    from xiangtan_nlp.extraction.projects.linker import candidates

    page = clean(SEED.read_text(encoding="utf-8")).text
    for text in (page, page.replace("\n", ""), "湘潭经开区宏大真空产业园项目总投资5亿元\n" + page):
        figures = find_figures(text, ("money",))
        projects = find_projects(text)
        mentions = sorted((p.start, p.end, p.project or p.text) for p in projects if p.kind == "project")
        sentences = Sentences(text)
        pairs = headlines = 0
        for fig, row in zip(figures, candidates(text, figures, projects)):
            s_lo, s_hi = sentences.span(fig.start)
            first = next((name for a, _, name in mentions if s_lo <= a < s_hi), None)
            headline = text.rfind("\n", 0, fig.start) < 0 and "\n" in text
            for project, feats in row:
                assert ("subject" in feats) == (first == project), (fig.text, project)
                assert ("headline" in feats) == headline, (fig.text, project)
                pairs += 1
                headlines += headline
        assert pairs >= 5, pairs
        assert (headlines > 0) == text.startswith("湘潭经开区宏大")  # the added headline holds an amount
