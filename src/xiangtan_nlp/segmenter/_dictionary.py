"""The private jieba Tokenizer: jieba's dictionary plus the bundled domain dictionary.

Built quietly (jieba's build logs go nowhere unless the user asked for them) and never through
``Tokenizer.initialize``, which writes ``jieba.cache`` to the shared temp folder: the prefix
dictionary is cached, if at all, in the per-user folder of :mod:`xiangtan_nlp._cache`, checked
before use. Uses jieba's public ``Tokenizer`` attributes (``gen_pfdict``, ``get_dict_file``,
``FREQ``, ``total``, ``user_word_tag_tab``, ``initialized``); the cache key holds the jieba
version and a checksum of its dictionary, so another jieba or dictionary never reads this one's.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
from importlib import resources
from itertools import islice
from typing import TYPE_CHECKING

from .. import _cache

if TYPE_CHECKING:
    import jieba

#: A user-dictionary entry: word, frequency (None: jieba suggests one), POS tag (None: none).
Entry = tuple[str, "int | None", "str | None"]


def build_tokenizer(userdict: bool) -> "jieba.Tokenizer":
    """A ready jieba Tokenizer with jieba's dictionary and, with ``userdict``, the domain one.

    The prefix dictionary comes from the cache when the cache checks out: its name holds a
    checksum of jieba's dictionary file, the user entries and jieba's version; its content
    carries its own checksum; and its values must have the types jieba uses. Otherwise it is
    built again (about a second) and the cache rewritten.
    """
    import jieba

    tk = jieba.Tokenizer()
    entries = parse_userdict(_userdict_text()) if userdict else []
    with tk.get_dict_file() as f:
        dict_sum = hashlib.sha256(f.read()).hexdigest()
    key = hashlib.sha256(repr((jieba.__version__, dict_sum, entries)).encode("utf-8")).hexdigest()[:16]
    name = f"jieba-{key}.marshal"
    loaded = _load(name)
    if loaded is None:
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
        _cache.write_checked(name, marshal.dumps((tk.FREQ, tk.total)))
    else:
        tk.FREQ, tk.total = loaded
        # frequencies come from the cache; tags are not in it, so restore them for posseg
        tk.user_word_tag_tab.update({w: t for w, _, t in entries if t})
    tk.initialized = True
    return tk


def _load(name: str) -> "tuple[dict[str, int], int] | None":
    """The cached (FREQ, total) if it checks out (checksum, then the types jieba needs), else None."""
    data = _cache.read_checked(name)
    if data is None:
        return None
    try:
        freq, total = marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(freq, dict) or type(total) is not int or total <= 0 or not freq:
        return None
    # the checksum vouches for every byte; a sample of entries vouches for the shape (a full scan
    # of the half-million entries would add a tenth of a second to every start)
    sample = islice(freq.items(), 0, None, max(1, len(freq) // 1000))
    if not all(type(k) is str and type(v) is int and v >= 0 for k, v in sample):
        return None
    return freq, total


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
