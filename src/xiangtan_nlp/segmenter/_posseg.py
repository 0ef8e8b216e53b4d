"""jieba's POSTokenizer with the POS accelerators put together (imported on the first ``pos()``)."""

from __future__ import annotations

import jieba.posseg
from jieba.posseg import re_eng, re_han_internal, re_num, re_skip_internal

from ._pos_hmm import ViterbiInNumpy
from ._pos_route import _PURE_HAN, RouteFromRjieba
from ._pos_tags import SharedWordTags


class FastPOSTokenizer(RouteFromRjieba, ViterbiInNumpy, SharedWordTags, jieba.posseg.POSTokenizer):
    """jieba.posseg's algorithm and tags: the route from rjieba (when ``route`` is set), the
    unknown-word HMM in numpy, and one copy of each word string."""

    def pairs(self, sentence: str, hmm: bool = True) -> list[tuple[str, str]]:
        """``[(p.word, p.flag) for p in self.cut(sentence, hmm)]``, made as a list, not a pair object
        and four generators per word.

        jieba's ``__cut_internal`` line for line (mirrors ``re_han_internal`` and the rest, read
        from jieba.posseg), with the dictionary route of :class:`RouteFromRjieba` for pure-Han blocks;
        any other block goes through jieba's own methods.
        """
        route = self.route
        if not hmm or route is None:
            return [(p.word, p.flag) for p in self.cut(sentence, HMM=hmm)]
        self.makesure_userdict_loaded()
        out: list[tuple[str, str]] = []
        append = out.append
        for blk in re_han_internal.split(sentence):
            if not blk:
                continue  # jieba yields nothing for the empty pieces split leaves
            if re_han_internal.match(blk):
                if _PURE_HAN.fullmatch(blk):
                    out.extend(self._route_pairs(blk))
                else:
                    out.extend((p.word, p.flag) for p in self._POSTokenizer__cut_DAG(blk))
                continue
            for x in re_skip_internal.split(blk):
                if re_skip_internal.match(x):
                    append((x, "x"))
                    continue
                for xx in x:
                    if re_num.match(xx):
                        append((xx, "m"))
                    elif re_eng.match(x):
                        append((xx, "eng"))
                    else:
                        append((xx, "x"))
        return out


def pos_tokenizer(tk: "jieba.Tokenizer", fast: bool) -> jieba.posseg.POSTokenizer:
    """A POSTokenizer over ``tk``: with ``fast``, the accelerated one (same tags, sooner)."""
    return FastPOSTokenizer(tk) if fast else jieba.posseg.POSTokenizer(tk)
