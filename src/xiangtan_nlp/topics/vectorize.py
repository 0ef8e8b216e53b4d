"""Text -> topic features: cleaned, segmented content words, optional character n-grams, TF-IDF.

The analyzer is a plain module-level function so scikit-learn vectorizers and worker processes
can pickle it (a lambda cannot be pickled, sklearn#6184). Figures, punctuation, URLs and stop
words never reach the vocabulary: a topic is about words, not about 2.2亿 or 23.4%.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Iterable, Iterator, Literal, Sequence

import regex

from ..jobs import ordered_map, resolve_workers

if TYPE_CHECKING:
    import numpy as np
    import scipy.sparse as sp

Features = Literal["auto", "words", "words+chars"]
FEATURES: tuple[str, ...] = ("auto", "words", "words+chars")

#: Prefix of character n-gram features; "#" never occurs in a word feature, so the two kinds of
#: feature cannot collide and top-term lists can leave n-grams out.
CHAR_PREFIX = "#"

#: ``features="auto"`` adds character n-grams when the median document has fewer word features
#: than this. Measured on the labelled news (benchmarks/topics_bench.py): n-grams raise NMI on
#: first sentences (about 20 words) from 0.764 to 0.808 and lower it on full articles (hundreds
#: of words) from 0.906 to 0.894, so they are used for short texts only.
SHORT_DOC_WORDS = 50

_HAN = r"\p{Han}"
# A content token starts with a Han character or a Latin letter; digits may follow a letter
# (iPhone4, PS3, MP3 are names, not figures), but a token that starts with one is a figure.
_CONTENT = regex.compile(rf"[{_HAN}A-Za-z][{_HAN}A-Za-z0-9·-]*")
_HAN_ONLY = regex.compile(rf"[{_HAN}]+")
# URLs and e-mail addresses: segmented they would leave www / com / cn in the vocabulary.
_LINK = regex.compile(
    r"(?:https?://|www\.)[^\s\p{Han}，。；、）)]+|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
    r"|(?<![A-Za-z0-9.-])[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|cn|net|org|gov|edu)"
    r"(?:\.[a-z]{2})?(?:/[^\s\p{Han}]*)?"
)
# Chinese numerals, alone or with one unit (三十五岁, 两千万, 第一): figures spelled in words.
_NUMERAL = regex.compile(
    r"第?[零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟]+"
    r"[个年月日号岁元次名位人家倍天条期届层栋套只张件项批所座辆台吨米分秒周]?"
)


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """The shipped news stop-word list (data/stopwords.txt; sources in its header)."""
    text = resources.files("xiangtan_nlp.data").joinpath("stopwords.txt").read_text("utf-8")
    words: set[str] = set()
    for line in text.splitlines():
        words.update(line.split("#", 1)[0].split())
    return frozenset(w.lower() for w in words)


def content_tokens(text: str) -> list[str]:
    """Cleaned, segmented tokens that can carry a topic: no figures, punctuation, links, stop words."""
    from ..cleaning import clean
    from ..segmenter import segment

    if not isinstance(text, str):
        raise TypeError(f"expected str, got {type(text).__name__}")
    cleaned = _LINK.sub(" ", clean(text).text)
    stop = stop_words()
    out: list[str] = []
    for tok in segment(cleaned):
        if not _CONTENT.fullmatch(tok):
            continue  # punctuation, spaces, figures (23.4%, 2.2亿) and mixed debris
        tok = tok.lower()
        if tok in stop or _NUMERAL.fullmatch(tok):
            continue
        out.append(tok)
    return out


def to_features(tokens: Sequence[str], chars: bool = False) -> list[str]:
    """Word features (two characters or more) and, with ``chars``, in-word character 1-2-grams."""
    words = [t for t in tokens if len(t) >= 2]
    if not chars:
        return words
    # n-grams inside each Han token only: single-character words (球, 股, 房) count again here,
    # and a headline of ten words still gives the vectorizer something to compare
    grams: list[str] = []
    for t in tokens:
        if not _HAN_ONLY.fullmatch(t):
            continue
        grams.extend(CHAR_PREFIX + c for c in t)
        grams.extend(CHAR_PREFIX + t[i : i + 2] for i in range(len(t) - 1))
    return words + grams


def analyze(text: str, *, chars: bool = False) -> list[str]:
    """The topic analyzer: ``text`` -> cleaned, segmented feature strings (picklable, module-level)."""
    return to_features(content_tokens(text), chars)


def pretokenized(features: list[str]) -> list[str]:
    """Identity analyzer for vectorizers fed token lists that :func:`analyze` already produced."""
    return features


def resolve_features(features: str, token_lists: Sequence[Sequence[str]]) -> bool:
    """Whether to add character n-grams: explicit, or for ``auto`` when documents are short."""
    if features not in FEATURES:
        raise ValueError(f"features must be one of {', '.join(map(repr, FEATURES))}, not {features!r}")
    if features != "auto":
        return features == "words+chars"
    if not token_lists:
        return False
    counts = sorted(sum(1 for t in toks if len(t) >= 2) for toks in token_lists)
    return counts[len(counts) // 2] < SHORT_DOC_WORDS


# -- tokenising a corpus, in worker processes when asked -------------------------------------------
_CHUNK = 32  # documents per task: enough to amortise pickling, small enough to keep order cheap


def _tokenize_chunk(texts: list[str]) -> list[list[str]]:
    return [content_tokens(t) for t in texts]


def _warm_up() -> None:
    from ..segmenter import default_segmenter

    default_segmenter().tokenizer  # noqa: B018 - builds the prefix dictionary once per worker


def tokenize_texts(texts: Iterable[str], *, n_jobs: int | None = 1) -> Iterator[list[str]]:
    """Content tokens of each text, in input order; ``n_jobs`` > 1 uses worker processes."""
    # fewer than four chunks are tokenised here: starting processes would cost more than it saves
    return ordered_map(
        _tokenize_chunk, texts, workers=resolve_workers(n_jobs), chunk_size=_CHUNK, initializer=_warm_up,
        serial_below=4 * _CHUNK,
    )  # fmt: skip


# -- TF-IDF ----------------------------------------------------------------------------------------
def fit_tfidf(
    feature_lists: Sequence[list[str]], *, min_df: int | float | None = None, max_df: float = 0.5
) -> tuple["sp.csr_matrix", list[str], "np.ndarray"]:
    """Sublinear TF-IDF over feature lists; returns (matrix, vocabulary, idf)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    n = len(feature_lists)
    if min_df is None:
        min_df = 2 if n >= 20 else 1  # a word seen once cannot link two documents
    if n < 20:
        max_df = 1.0  # in a handful of documents every shared word is a shared word
    vec = TfidfVectorizer(
        analyzer=pretokenized, token_pattern=None, lowercase=False, sublinear_tf=True,
        min_df=min_df, max_df=max_df, dtype=np.float32,
    )  # fmt: skip
    try:
        X = vec.fit_transform(feature_lists)
    except ValueError:  # no word survives min_df/max_df: fall back to every word
        vec.set_params(min_df=1, max_df=1.0)
        try:
            X = vec.fit_transform(feature_lists)
        except ValueError:
            raise ValueError("no words to cluster: every document is empty after cleaning") from None
    vocab = vec.get_feature_names_out().tolist()
    return X.tocsr(), vocab, vec.idf_.astype("float32")


def tfidf_transform(feature_lists: Sequence[list[str]], vocab: Sequence[str], idf: "np.ndarray") -> "sp.csr_matrix":
    """TF-IDF rows for new documents with a fitted vocabulary and idf (same weighting as fit)."""
    import numpy as np
    import scipy.sparse as sp

    index = {t: i for i, t in enumerate(vocab)}
    rows, cols = [], []
    for r, feats in enumerate(feature_lists):
        for f in feats:
            j = index.get(f)
            if j is not None:
                rows.append(r)
                cols.append(j)
    X = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(feature_lists), len(vocab))
    )
    X.sum_duplicates()
    return weigh(X, np.asarray(idf, dtype=np.float32))


# -- hashed TF-IDF (the streaming fit: no vocabulary to hold) ---------------------------------------
def _hasher(n_features: int):  # type: ignore[no-untyped-def]
    import numpy as np
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        analyzer=pretokenized, n_features=n_features, alternate_sign=False, norm=None, dtype=np.float32,
        lowercase=False, token_pattern=None,
    )  # fmt: skip


def hashed_counts(feats: Sequence[list[str]], n_features: int) -> "sp.csr_matrix":
    """Feature counts of each document in ``n_features`` hashed columns."""
    return _hasher(n_features).transform(feats).tocsr()


def weigh(counts: "sp.csr_matrix", idf: "np.ndarray") -> "sp.csr_matrix":
    """Sublinear TF-IDF, L2-normalised, from raw counts (as TfidfVectorizer(sublinear_tf=True))."""
    import numpy as np
    import scipy.sparse as sp
    from sklearn.preprocessing import normalize

    X = counts.astype(np.float32, copy=True)
    X.data = np.log(X.data) + 1.0
    X = X @ sp.diags(idf)
    X.eliminate_zeros()  # columns pruned by min_df/max_df have idf 0
    return normalize(X.tocsr())


def hashed_tfidf(feats: Sequence[list[str]], n_features: int, idf: "np.ndarray") -> "sp.csr_matrix":
    """TF-IDF rows of new documents for a model fitted with hashed features."""
    return weigh(hashed_counts(feats, n_features), idf)


__all__ = [
    "CHAR_PREFIX", "FEATURES", "Features", "analyze", "content_tokens", "fit_tfidf", "hashed_counts",
    "hashed_tfidf", "pretokenized", "resolve_features", "stop_words", "tfidf_transform", "to_features",
    "tokenize_texts", "weigh",
]  # fmt: skip
