"""Words turned into ``(word, start, end)`` spans, and plain jieba's span cutter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable, Iterator

if TYPE_CHECKING:
    import jieba

#: A span cutter: ``(tokenizer, text, start, end, hmm) -> (word, start, end), ...`` over text[start:end].
SpanCutter = Callable[["jieba.Tokenizer", str, int, int, bool], Iterator[tuple[str, int, int]]]


def with_offsets(words: Iterable[str], start: int) -> Iterator[tuple[str, int, int]]:
    """``(word, start, end)`` for consecutive ``words`` that begin at offset ``start``."""
    pos = start
    for w in words:
        yield w, pos, pos + len(w)
        pos += len(w)


def cut_span(tk: "jieba.Tokenizer", text: str, start: int, end: int, hmm: bool) -> Iterator[tuple[str, int, int]]:
    """Plain jieba's words of ``text[start:end]`` with offsets into ``text``."""
    return with_offsets(tk.cut(text[start:end], HMM=hmm), start)
