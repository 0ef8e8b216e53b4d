"""Scraped-page debris: breadcrumbs, bylines and view counters, comment rules, contact ads,
QR-code prompts, copyright notices, share bars, bare URLs and the trailing related-articles list.

Which line is what is decided by :func:`xiangtan_nlp.page.classify`; this module removes the
lines it names as page furniture and tidies the whitespace left behind, one replayable step per
change.
"""

from __future__ import annotations

import re
from typing import Iterator

import regex

from ..model import Step
from ..page import split_classify


def strip_debris(text: str) -> tuple[str, list[Step]]:
    """Remove page debris lines; return the text and one step per removed line."""
    lines, bodies, rules = split_classify(text)
    if not any(rules):  # most texts: no line to remove, and the lines joined again are the text
        # Nothing to tidy either when no line is empty and none starts or ends with a space (its
        # stripped text is as long as it): both whitespace passes and the strip would find nothing.
        if all(lines) and sum(map(len, bodies)) == sum(map(len, lines)):
            return text, []
        return _tidy_whitespace(text, [])
    steps: list[Step] = []
    out: list[str] = []
    pos = 0  # length of the output so far: step spans are in replay coordinates
    n = len(lines)
    for i, (ln, rule) in enumerate(zip(lines, rules)):
        newline = "\n" if i < n - 1 else ""
        if rule is not None:
            before = ln + newline
            steps.append(Step("debris", pos, pos + len(before), before, "", rule))
            continue
        out.append(ln + newline)
        pos += len(ln) + len(newline)
    cleaned = "".join(out)
    cleaned, steps = _tidy_whitespace(cleaned, steps)
    return cleaned, steps


_BLANKS = regex.compile(r"\n[ \t]*(?:\n[ \t]*)+")
_EDGE_PAIRS = ("\n ", "\n\t", " \n", "\t\n")
_SPACE_RUN = re.compile(r"[ \t]++")


def _edge_spaces(text: str) -> Iterator[tuple[int, int]]:
    """Spans of the runs of spaces and tabs that start or end a line (indentation, trailing
    spaces): every run is found by a stdlib scan for one class, then its two ends are looked at
    (the MULTILINE pattern ``^[ \\t]++|[ \\t]++$`` was tried at every position)."""
    n = len(text)
    for m in _SPACE_RUN.finditer(text):
        a, b = m.span()
        if a == 0 or text[a - 1] == "\n" or b == n or text[b] == "\n":
            yield a, b


def _may_have_edge_spaces(text: str) -> bool:
    """False only when :func:`_edge_spaces` finds nothing: a run of spaces or tabs at a line's
    edge touches an end of the text or a line break (substring tests, far cheaper than its scan)."""
    return bool(text) and (text[0] in " \t" or text[-1] in " \t" or any(s in text for s in _EDGE_PAIRS))


def _may_have_blank_lines(text: str) -> bool:
    """False only when :func:`_blank_lines` finds nothing: two line breaks with nothing but
    spaces or tabs between them hold one of these pairs."""
    return "\n\n" in text or "\n " in text or "\n\t" in text


def _blank_lines(text: str) -> Iterator[tuple[int, int]]:
    """Spans of the runs of two or more line breaks, with the spaces between them."""
    return (m.span() for m in _BLANKS.finditer(text))


def _tidy_whitespace(text: str, steps: list[Step]) -> tuple[str, list[Step]]:
    """Strip indentation and trailing spaces, keep at most one blank line between paragraphs."""
    # each pass only where it can match: most news texts hold neither (econ: 345 of 345)
    passes = (
        (_edge_spaces, "", "indent", _may_have_edge_spaces(text)),
        (_blank_lines, "\n\n", "blank-lines", _may_have_blank_lines(text)),
    )
    for find, repl, rule, can in passes:
        if not can:
            continue
        out: list[str] = []
        last = 0
        delta = 0
        for a, b in find(text):
            before = text[a:b]
            if before == repl:
                continue
            out.append(text[last:a])
            out.append(repl)
            start = a + delta
            steps.append(Step("normalize", start, start + len(before), before, repl, rule))
            delta += len(repl) - len(before)
            last = b
        if out:
            out.append(text[last:])
            text = "".join(out)
    stripped = text.strip("\n")
    if stripped != text:
        lead = len(text) - len(text.lstrip("\n"))
        if lead:
            steps.append(Step("normalize", 0, lead, text[:lead], "", "blank-lines"))
        trail = len(text.lstrip("\n")) - len(stripped)
        if trail:
            steps.append(Step("normalize", len(stripped), len(stripped) + trail, text[len(text) - trail :], "", "blank-lines"))
    return stripped, steps


