"""The rjieba engine: jieba's tokens from jieba-rs, about 4x sooner.

Overrides no jieba method: :class:`FastEngine` stands in for ``jieba.Tokenizer.cut`` on a span
when the facade chooses it. It mirrors jieba's private pattern ``jieba.re_han_default`` (what
jieba counts as a block of Han and ASCII characters) and reads the private
``jieba.finalseg.Force_Split_Words``. Checked against jieba 0.42 and 0.42.1 (:mod:`._guard`) and
rjieba 0.2.x (pinned ``<0.3`` in pyproject.toml); tests/test_accel.py compares every token of the
corpus with plain jieba's.

rjieba gets a dictionary copied word for word from the jieba Tokenizer (same frequencies, same
total). Where the two engines differ by design, jieba decides: characters that jieba-rs counts as
Han and jieba does not are cut out first, and blocks with ASCII punctuation inside (TFT-LCD,
www.example.com, which jieba-rs's HMM keeps whole and jieba splits) go to jieba.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import itertools
import os
import sys
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

import regex

from ..chars import JIEBA_HAN_CLASS, RJIEBA_ONLY_HAN_CLASS, SURROGATE_CLASS
from ._spans import with_offsets

if TYPE_CHECKING:
    import jieba

# Characters jieba-rs puts inside Han blocks but jieba does not (CJK Extension A, U+9FD6-U+9FFF,
# compatibility ideographs, Extensions B-F): jieba yields each alone, so we cut them out before
# rjieba sees the text, and both engines see the same blocks.
_RJIEBA_ONLY_HAN = regex.compile(f"[{RJIEBA_ONLY_HAN_CLASS}]")
_RJIEBA_ONLY_HAN_SPLIT = regex.compile(f"([{RJIEBA_ONLY_HAN_CLASS}])")  # split keeps each, alone
# jieba's re_han_default is [<jieba Han>a-zA-Z0-9+#&._%-]: word characters and ASCII punctuation
_BLOCK_WORD = f"{JIEBA_HAN_CLASS}a-zA-Z0-9"
_BLOCK_PUNCT = "+#&._%\\-"
# A block of jieba's Han-and-ASCII characters with ASCII punctuation inside: jieba's HMM splits
# it at the punctuation (TFT - LCD), jieba-rs's does not, so jieba cuts such blocks. Blocks are
# cut independently by both engines, so the rest of the text can still go to rjieba.
# (It starts only where a block starts and never gives characters back, so a long run without
# punctuation is rejected once, not once per character: linear.)
_JIEBA_ONLY_BLOCK = regex.compile(
    f"(?<![{_BLOCK_WORD}{_BLOCK_PUNCT}])[{_BLOCK_WORD}]*+[{_BLOCK_PUNCT}][{_BLOCK_WORD}{_BLOCK_PUNCT}]*+"
)
_SURROGATE = regex.compile(f"[{SURROGATE_CLASS}]")  # not UTF-8, so not for rjieba
# A word no text can reach (a private-use character is never inside a Han block), used to give
# rjieba jieba's exact ``total`` (see build_fast).
_PAD_WORD = "\ue000"


class FastEngine:
    """rjieba holding a copy of one jieba Tokenizer's dictionary; cuts spans as jieba does."""

    def __init__(self, jieba_rs: object) -> None:
        #: rjieba's ``cut(text, hmm) -> list[str]``: jieba's words for a block both engines agree on
        self.cut: Callable[[str, bool], list[str]] = jieba_rs.cut  # type: ignore[attr-defined]

    def cut_span(self, tk: "jieba.Tokenizer", text: str, start: int, end: int, hmm: bool) -> Iterator[tuple[str, int, int]]:
        """jieba's words of ``text[start:end]`` with offsets into ``text`` (a SpanCutter)."""
        return with_offsets(itertools.chain.from_iterable(self._runs(tk, text[start:end], hmm)), start)

    def _runs(self, tk: "jieba.Tokenizer", span: str, hmm: bool) -> Iterator[Iterable[str]]:
        """The words of ``span`` in order, as runs each cut by one engine or the other."""
        if _RJIEBA_ONLY_HAN.search(span) is None:
            pieces = [span]
        else:  # each such character is one token in jieba: cut it out
            pieces = [p for p in _RJIEBA_ONLY_HAN_SPLIT.split(span) if p]
        for piece in pieces:
            if _SURROGATE.search(piece):  # rjieba takes only encodable text; jieba cuts it
                yield tk.cut(piece, HMM=hmm)
                continue
            last = 0
            for m in _JIEBA_ONLY_BLOCK.finditer(piece) if hmm else ():
                if m.start() > last:
                    yield self.cut(piece[last : m.start()], hmm)
                yield tk.cut(m.group(), HMM=hmm)
                last = m.end()
            if last < len(piece):
                yield self.cut(piece[last:], hmm)


_FINALSEG: list = []  # jieba.finalseg, imported on the first call (asked before every cut)


def follows_jieba() -> bool:
    """False while jieba holds state rjieba cannot follow (``add_word(w, 0)`` force-splits w)."""
    if not _FINALSEG:
        from jieba import finalseg

        _FINALSEG.append(finalseg)
    return not _FINALSEG[0].Force_Split_Words


def build_fast(tk: "jieba.Tokenizer") -> FastEngine | None:
    """An rjieba engine holding exactly ``tk``'s words and frequencies; None without rjieba."""
    jieba_cls = _load_rjieba()
    if jieba_cls is None:
        return None
    fast = jieba_cls.empty()
    add = fast.add_word
    added = 0
    for word, freq in tk.FREQ.items():
        if freq > 0:  # freq 0 marks a prefix, not a word: jieba's DAG skips those too
            add(word, freq, None)
            added += freq
    if tk.total > added:
        # jieba's total also counts the old frequency of every word added again (the domain
        # dictionary re-adds some); jieba-rs sums the current ones. Word scores are
        # log(freq / total), so the totals must agree: the rest goes to a word never matched.
        add(_PAD_WORD, tk.total - added, None)
    return FastEngine(fast)


def _load_rjieba() -> type | None:
    """rjieba's ``Jieba`` class, or None when rjieba is not installed.

    The extension module is loaded without running ``rjieba/__init__.py``, which builds a default
    Jieba we never use (0.4 s and 34 MB in every worker process); a later ``import rjieba`` by
    anyone gets the same module. Any surprise in that layout falls back to the plain import.
    """
    try:
        spec = importlib.util.find_spec("rjieba")
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    ext = sys.modules.get("rjieba.rjieba")
    if ext is None:
        ext = _load_extension(spec.submodule_search_locations or ())
    if ext is None:
        try:
            import rjieba as ext  # type: ignore[no-redef]
        except ImportError:
            return None
    jieba_cls = getattr(ext, "Jieba", None)
    return jieba_cls if hasattr(jieba_cls, "empty") else None


def _load_extension(folders: Iterable[str]) -> object | None:
    """The compiled ``rjieba.rjieba`` module from the first of ``folders`` that has it, or None."""
    for folder in folders:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = os.path.join(folder, "rjieba" + suffix)
            if not os.path.isfile(path):
                continue
            try:
                ext_spec = importlib.util.spec_from_file_location("rjieba.rjieba", path)
                ext = importlib.util.module_from_spec(ext_spec)  # type: ignore[arg-type]
                ext_spec.loader.exec_module(ext)  # type: ignore[union-attr]
            except Exception:
                break  # this folder's is broken: try the next folder's
            sys.modules["rjieba.rjieba"] = ext
            return ext
    return None
