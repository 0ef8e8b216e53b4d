"""The private jieba Tokenizer: jieba's dictionary plus the bundled domain dictionary.

Built quietly (jieba's build logs go nowhere unless the user asked for them) and never through
``Tokenizer.initialize``, which writes ``jieba.cache`` to the shared temp folder: the prefix
dictionary is cached, if at all, in the per-user folder of :mod:`xiangtan_nlp._cache`. Uses
jieba's public ``Tokenizer`` attributes (``gen_pfdict``, ``get_dict_file``, ``FREQ``, ``total``,
``user_word_tag_tab``, ``initialized``); the cache key holds the jieba version, so another
jieba never reads this one's dictionary.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
from importlib import resources
from typing import TYPE_CHECKING

from .. import _cache

if TYPE_CHECKING:
    import jieba

#: A user-dictionary entry: word, frequency (None: jieba suggests one), POS tag (None: none).
Entry = tuple[str, "int | None", "str | None"]


def build_tokenizer(userdict: bool) -> "jieba.Tokenizer":
    """A ready jieba Tokenizer with jieba's dictionary and, with ``userdict``, the domain one."""
    import jieba

    tk = jieba.Tokenizer()
    entries = parse_userdict(_userdict_text()) if userdict else []
    key = hashlib.sha256(repr((jieba.__version__, entries)).encode("utf-8")).hexdigest()[:16]
    name = f"jieba-{key}.marshal"
    cached = _cache.read_bytes(name)
    try:
        tk.FREQ, tk.total = marshal.loads(cached) if cached is not None else (None, 0)
    except (ValueError, EOFError, TypeError):
        tk.FREQ = None
    if not isinstance(tk.FREQ, dict):
        # jieba logs to stderr while building; keep quiet unless the user asked for its logs.
        logger = logging.getLogger("jieba")
        old = logger.level
        logger.setLevel(max(old, logging.WARNING))
        try:
            with tk.get_dict_file() as f:
                tk.FREQ, tk.total = tk.gen_pfdict(f)
        finally:
            logger.setLevel(old)
        tk.initialized = True
        for word, freq, tag in entries:
            tk.add_word(word, freq, tag)
        _cache.write_bytes(name, marshal.dumps((tk.FREQ, tk.total)))
    else:
        # frequencies come from the cache; tags are not in it, so restore them for posseg
        tk.user_word_tag_tab.update({w: t for w, _, t in entries if t})
    tk.initialized = True
    return tk


def parse_userdict(text: str) -> list[Entry]:
    """Parse ``word [freq] [tag]`` lines; comments (#) and blank lines skipped."""
    out: list[Entry] = []
    for line in text.splitlines():
        parts = line.split("#", 1)[0].split()
        if not parts:
            continue
        freq = next((int(p) for p in parts[1:] if p.isdigit()), None)
        tag = next((p for p in parts[1:] if not p.isdigit()), None)
        out.append((parts[0], freq, tag))
    return out


def _userdict_text() -> str:
    return resources.files("xiangtan_nlp.data").joinpath("userdict.txt").read_text("utf-8")
