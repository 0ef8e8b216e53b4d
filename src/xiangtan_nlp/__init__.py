"""xiangtan_nlp: trustworthy tables of money amounts, percentages and projects from messy Chinese news.

    >>> import xiangtan_nlp as xt
    >>> xt.extract("总投资超过30亿元，全市投资增长8.1%")          # doctest: +SKIP

Importing this package loads nothing heavy and writes nothing: jieba, pandas and scikit-learn
are imported by the functions that need them (PEP 562 lazy attributes below).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "read_corpus": ".io.read",
    "Corpus": ".io.read",
    "ReadFailure": ".io.read",
    "clean": ".cleaning",
    "repair": ".cleaning.repair",
    "apply_steps": ".model",
    "segment": ".segmenter",
    "tokenize": ".segmenter",
    "Segmenter": ".segmenter",
    "parse_number": ".numerals",
    "extract": ".pipeline",
    "extract_frame": ".pipeline",
    "projects": ".pipeline",
    "extract_to": ".pipeline",
    "projects_to": ".pipeline",
    "cluster_to": ".pipeline",
    "RunSummary": ".pipeline",
    "extract_dask": ".pipeline.dask",
    "cluster": ".topics",
    "TopicModel": ".topics",
    "use_chinese_font": ".plotting",
    "write_records": ".io.write",
    "Document": ".model",
    "Step": ".model",
    "Cleaned": ".model",
    "Repaired": ".model",
    "Record": ".model",
    "Records": ".model",
    "COLUMNS": ".model",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'xiangtan_nlp' has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:  # for type checkers and IDEs only; nothing is imported at run time
    from .cleaning import clean
    from .cleaning.repair import repair
    from .pipeline import RunSummary, cluster_to, extract, extract_frame, extract_to, projects, projects_to
    from .pipeline.dask import extract_dask
    from .plotting import use_chinese_font
    from .topics import TopicModel, cluster
    from .io.read import Corpus, ReadFailure, read_corpus
    from .io.write import write_records
    from .model import COLUMNS, Cleaned, Document, Record, Records, Repaired, Step, apply_steps
    from .numerals import parse_number
    from .segmenter import Segmenter, segment, tokenize
