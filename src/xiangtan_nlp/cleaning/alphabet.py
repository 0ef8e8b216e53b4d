"""The character alphabet shared by the language models (``lm.py``) and the gap model (``gapnet.py``).

Both model files carry a JSON header and their alphabet; both map text to it one character for one
(:func:`lm_text`) and give character ids the same way (0 the pad, 1 the unknown character, the
alphabet from 2). Kept apart so that neither model module needs the other. Imports nothing heavy.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

PAD = 0  # never produced by text; ids start after it
UNK = 1
BOUNDARY = "\n"  # line ends (and the text edges) are the models' sentence boundary


def lm_text(text: str) -> str:
    """Map text to the models' alphabet, one character for one: digits→0, Latin→a, spaces→' '."""
    return text.translate(_CLASS_TABLE)


def _class_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for c in "0123456789０１２３４５６７８９":
        table[ord(c)] = "0"
    for lo, hi in (("a", "z"), ("A", "Z"), ("ａ", "ｚ"), ("Ａ", "Ｚ")):
        for cp in range(ord(lo), ord(hi) + 1):
            table[cp] = "a"
    for c in "\t\u00a0\u3000\u2002\u2003\u2009\u202f":
        table[ord(c)] = " "
    table[ord("\r")] = "\n"
    return table


_CLASS_TABLE = _class_table()


class Alphabet:
    """A model's characters and their ids; a subclass sets them from its file (:func:`read_header`)."""

    meta: dict
    vocab: list[str]
    _id: dict[str, int]

    def char_id(self, c: str) -> int:
        """The id of one character (after :func:`lm_text`); unknown characters share one id."""
        return self._id.get(c, UNK)

    def encode(self, text: str) -> list[int]:
        """Ids of ``text`` mapped with :func:`lm_text` (unknown characters get ``UNK``)."""
        get = self._id.get
        return [get(c, UNK) for c in lm_text(text)]

    def id_char(self, i: int) -> str:
        """The character of an id (``""`` for pad and unknown)."""
        return self.vocab[i - 2] if i >= 2 else ""


def read_header(arrays: dict[str, "np.ndarray"], fmt: str, what: str) -> tuple[dict, list[str], dict[str, int]]:
    """The JSON meta of a model archive (checked to be of format ``fmt``), its alphabet, and each
    character's id (0 is the pad, 1 the unknown character)."""
    import numpy as np

    meta = json.loads(bytes(arrays["meta"]).decode("utf-8"))
    if meta.get("format") != fmt:
        raise ValueError(f"unsupported {what} format {meta.get('format')!r}; expected {fmt}")
    vocab = [chr(c) for c in arrays["vocab"].astype(np.uint32)]
    return meta, vocab, {c: i + 2 for i, c in enumerate(vocab)}


@lru_cache(maxsize=8)
def id_map(src: Alphabet, dst: Alphabet) -> "np.ndarray":
    """For each id of ``src``, ``dst``'s id of the same character (``UNK`` where it has none)."""
    import numpy as np

    return np.array([PAD, UNK] + [dst.char_id(c) for c in src.vocab], dtype=np.int64)
