"""Frozen records shared by every stage: documents, edit steps, cleaned text, extracted figures.

Every stage may depend on this module. It imports nothing else of ours at load time; the notebook
views (``_repr_html_``) call :mod:`xiangtan_nlp.display`, which sits beside it and imports nothing
of ours at run time.
"""

from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, fields
from decimal import Context, Decimal
from typing import TYPE_CHECKING, Iterable, Iterator, Literal, Sequence, overload

if TYPE_CHECKING:  # pandas is imported only when a frame is asked for
    import pandas as pd

Kind = Literal["money", "percent", "rate", "project"]
StepKind = Literal["normalize", "debris", "repair", "flag"]


@dataclass(frozen=True, slots=True)
class Document:
    """One article: its id, text and whatever the page told us about it."""

    id: str
    text: str
    title: str | None = None
    date: str | None = None
    url: str | None = None
    path: str | None = None  # the file it came from, for error messages and provenance

    def __repr__(self) -> str:
        head = self.text[:24].replace("\n", " ")
        more = "…" if len(self.text) > 24 else ""
        return f"Document(id={self.id!r}, {len(self.text)} chars: {head!r}{more})"

    def _repr_html_(self) -> str:
        from .display import document_html

        return document_html(self)


@dataclass(frozen=True, slots=True)
class Step:
    """One edit to a text: replace ``text[start:end]`` (== ``before``) with ``after``.

    Spans refer to the text as it stood when the step was applied, that is after every earlier
    step in the same list, so a list of steps replays exactly with :func:`apply_steps`.
    ``kind == "flag"`` marks a place that looked wrong but was left alone (before == after).
    """

    kind: StepKind
    start: int
    end: int
    before: str
    after: str
    rule: str
    confidence: float = 1.0
    #: For a mask, repaired or flagged: the best fillers weighed, best first, each with its chance
    #: of being right on the same scale as ``confidence`` (a repair's first one is its ``after``).
    candidates: tuple[tuple[str, float], ...] = ()

    def __repr__(self) -> str:
        return (
            f"Step({self.kind}:{self.rule} [{self.start},{self.end}) "
            f"{self.before[:20]!r}→{self.after[:20]!r} conf={self.confidence:.2f})"
        )


class StepError(ValueError):
    """Raised when a step does not fit the text it is replayed on."""


def apply_steps(original: str, steps: Iterable[Step]) -> str:
    """Replay edit steps on the original text and return the edited text."""
    text = original
    for i, s in enumerate(steps):
        if text[s.start : s.end] != s.before:
            raise StepError(
                f"step {i} ({s.rule}) expects {s.before!r} at [{s.start},{s.end}) "
                f"but the text holds {text[s.start:s.end]!r}"
            )
        text = text[: s.start] + s.after + text[s.end :]
    return text


@dataclass(frozen=True, slots=True)
class Edited:
    """Text after a cleaning or repair pass, with the steps that produced it."""

    text: str
    steps: tuple[Step, ...] = ()

    @property
    def changes(self) -> tuple[Step, ...]:
        """Steps that changed the text (flags excluded)."""
        return tuple(s for s in self.steps if s.kind != "flag")

    @property
    def flags(self) -> tuple[Step, ...]:
        """Places reported but left unchanged (e.g. a mask with no confident restoration)."""
        return tuple(s for s in self.steps if s.kind == "flag")

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        summary = _count_kinds(s.kind for s in self.steps) or "no changes"
        return f"{type(self).__name__}({len(self.text)} chars; {summary})"

    def steps_frame(self) -> "pd.DataFrame":
        """The steps as a DataFrame, one row per step."""
        import pandas as pd

        cols = [f.name for f in fields(Step)]
        return pd.DataFrame([tuple(getattr(s, c) for c in cols) for s in self.steps], columns=cols)

    def _repr_html_(self) -> str:
        from .display import edited_html

        return edited_html(self)


@dataclass(frozen=True, slots=True, repr=False)
class Cleaned(Edited):
    """Result of :func:`xiangtan_nlp.cleaning`: normalised, de-littered, repaired text plus steps."""


@dataclass(frozen=True, slots=True, repr=False)
class Repaired(Edited):
    """Result of :func:`xiangtan_nlp.repair`: censor repair only, plus steps."""


@dataclass(frozen=True, slots=True)
class Record:
    """One extracted figure or project, anchored to ``text[start:end]`` of the cleaned text.

    ``value``, ``low`` and ``high`` are Decimals: money in the currency's base unit (元, dollar…),
    percent in percent (unit ``%``), percentage points (``pp``) or per mille (``‰``).
    For a range ``value`` is None and ``low``/``high`` hold the ends; for an open bound
    (超过30亿元) ``value`` is the stated figure and only one of ``low``/``high`` is set.
    """

    kind: Kind
    text: str
    start: int
    end: int
    value: Decimal | None = None
    unit: str | None = None
    currency: str | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    approx: bool = False
    qualifier: str | None = None
    direction: str | None = None
    label: str | None = None
    project: str | None = None
    sentence: str = ""
    doc_id: str | None = None
    vague: bool = False  # 数十亿元, 上百亿元, 千亿级: an order of magnitude, not a figure
    location: str | None = None  # project records: where it is (湘潭经开区)
    type: str | None = None  # project records: industrial park, infrastructure, …
    stage: str | None = None  # project records: 签约 开工 在建 竣工 投产 通车 …
    masked: bool = False  # 总投资**万元, X亿元: a figure was written but its digits are hidden (no value)

    def __repr__(self) -> str:
        bits = [self.kind, repr(self.text)]
        if self.value is not None:
            bits.append(f"{format_decimal(self.value)} {self.unit or ''}".rstrip())
        elif self.low is not None or self.high is not None:
            bits.append(f"{format_decimal(self.low)}–{format_decimal(self.high)} {self.unit or ''}")
        for name in ("qualifier", "direction", "label", "project"):
            v = getattr(self, name)
            if v:
                bits.append(f"{name}={v}")
        return f"Record({', '.join(bits)})"

    def as_dict(self) -> dict:
        """The record as a plain dict (Decimals kept)."""
        return asdict(self)


def _quick_init(cls: type) -> type:
    """Give a frozen, slotted dataclass an ``__init__`` that fills its slots by plain assignment.

    The generated ``__init__`` of a frozen dataclass calls ``object.__setattr__`` once per field
    (34k instructions for a Record's 21 fields); setting each slot through its descriptor takes
    21k, most of it the descriptor calls. Plain ``self.x = x`` is a few instructions a field, but
    the frozen class refuses it; so the object is built as an instance of an unfrozen subclass
    with no slots of its own (same layout: CPython lets ``__class__`` change between the two) and
    made the frozen class at the end: 9.7k. Same parameters, defaults and result
    (tests/test_extract.py compares it with the dataclass's own ``__init__``); a subclass of
    ``cls`` is filled through the descriptors, as it cannot take the detour.
    """
    assert not hasattr(cls, "__post_init__")
    # the open twin: object's own setattr and delattr, so that assignment to a slot is plain
    twin = type(f"_Open{cls.__name__}", (cls,), {
        "__slots__": (), "__setattr__": object.__setattr__, "__delattr__": object.__delattr__,
    })  # fmt: skip
    env: dict[str, object] = {"_cls": cls, "_twin": twin, "_set": object.__setattr__}
    params, plain, slow = [], "", ""
    for i, f in enumerate(fields(cls)):
        assert f.init and f.default_factory is MISSING  # plain fields only: nothing else is set here
        if f.default is MISSING:
            params.append(f.name)
        else:
            env[f"_d{i}"] = f.default
            params.append(f"{f.name}=_d{i}")
        env[f"_s{i}"] = cls.__dict__[f.name].__set__
        plain += f"    self.{f.name} = {f.name}\n"
        slow += f"        _s{i}(self, {f.name})\n"
    body = (
        f"    if self.__class__ is not _cls:\n{slow}        return\n"
        f"    _set(self, '__class__', _twin)\n{plain}    self.__class__ = _cls\n"
    )
    exec(f"def __init__(self, {', '.join(params)}):\n{body}", env)  # noqa: S102 - our own field names
    init = env["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"  # type: ignore[attr-defined]
    init.__doc__ = cls.__init__.__doc__
    init.__annotations__ = dict(cls.__init__.__annotations__)  # type: ignore[attr-defined]
    cls.__init__ = init  # type: ignore[misc]
    return cls


_quick_init(Record)


#: Column order of every table of records (CSV, JSONL, DataFrame). Public: add, never rename.
COLUMNS: tuple[str, ...] = (
    "doc_id", "kind", "text", "start", "end", "value", "unit", "currency", "low", "high",
    "approx", "qualifier", "direction", "label", "project", "sentence",
    "vague", "location", "type", "stage", "masked",
)  # fmt: skip


def _count_kinds(kinds: Iterable[str]) -> str:
    """"repair=3, debris=2": how many of each kind, in order of first appearance."""
    counts: dict[str, int] = {}
    for k in kinds:
        counts[k] = counts.get(k, 0) + 1
    return ", ".join(f"{k}={n}" for k, n in counts.items())


def format_decimal(d: Decimal | None) -> str:
    """A Decimal as a plain string with no exponent and no trailing zeros (1640000000, 8.1)."""
    if d is None:
        return ""
    if d == d.to_integral_value():
        return format(d.to_integral_value(), "f")
    # the default context would round at 28 digits
    return format(d.normalize(context=WIDE_CONTEXT), "f")


#: Decimal arithmetic wide enough for every value extract can produce: a 24-character numeral
#: times 10^12 (Decimal's default context rounds at 28 digits).
WIDE_CONTEXT = Context(prec=100)


def record_row(r: Record, doc_id: str | None = None) -> tuple:
    """A record as a tuple in COLUMNS order (doc_id overridable)."""
    return tuple(
        (doc_id if doc_id is not None else r.doc_id) if c == "doc_id" else getattr(r, c)
        for c in COLUMNS
    )


class Records(Sequence[Record]):
    """An immutable list of records with notebook-friendly display and ``to_frame()``."""

    __slots__ = ("_items", "source_text")

    def __init__(self, items: Iterable[Record] = (), source_text: str | None = None) -> None:
        self._items = tuple(items)
        self.source_text = source_text  # the cleaned text the offsets point into

    @overload
    def __getitem__(self, i: int) -> Record: ...
    @overload
    def __getitem__(self, i: slice) -> "Records": ...
    def __getitem__(self, i):  # type: ignore[no-untyped-def]
        if isinstance(i, slice):
            return Records(self._items[i], self.source_text)
        return self._items[i]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Record]:
        return iter(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Records):
            return self._items == other._items
        if isinstance(other, (list, tuple)):
            return list(self._items) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        summary = _count_kinds(r.kind for r in self._items) or "empty"
        return f"Records({len(self._items)}: {summary})"

    def to_frame(self) -> "pd.DataFrame":
        """One row per record, columns as in COLUMNS."""
        return records_frame(self._items)

    def _repr_html_(self) -> str:
        from .display import records_html

        return records_html(self)


def records_frame(records: Iterable[Record]) -> "pd.DataFrame":
    """Build the standard DataFrame (COLUMNS) from records."""
    import pandas as pd

    return pd.DataFrame([record_row(r) for r in records], columns=list(COLUMNS))


__all__ = [
    "COLUMNS", "Cleaned", "Document", "Edited", "Record", "Records", "Repaired", "Step",
    "StepError", "WIDE_CONTEXT", "apply_steps", "format_decimal", "record_row", "records_frame",
]  # fmt: skip
