"""HTML for notebooks: documents, cleaning steps and records, with their spans highlighted.

In the spirit of spaCy's displacy, but built to survive GitHub's notebook viewer and JupyterLab's
sanitiser: inline styles only, with plain properties (``background-color``, not ``background``);
no ``<style>`` blocks or scripts; highlights are ``<mark>`` elements and labels ``<small>``, so they
still read right where styles are stripped; every piece of text goes through :func:`html.escape`.
Highlights carry ``data-start``/``data-end`` (offsets into the text shown) so tests and tools can
check them; elements that are not part of that text (header, labels, gaps) carry ``data-xt``. Pure stdlib, imported only when a notebook asks for a rich display.
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable, Sequence

if TYPE_CHECKING:  # types only: at run time this module imports nothing of ours
    from .model import Document, Edited, Record, Step

def format_candidates(candidates: Iterable[tuple[str, float]]) -> str:
    """A mask step's candidates as text: ``枪 0.74, 人 0.05`` (for the CLI and the HTML view)."""
    return ", ".join(f"{c} {p:.2f}" for c, p in candidates)


#: Background colour per highlight kind; dark text is forced on them so dark themes stay readable.
COLORS: dict[str, str] = {
    "money": "#fde68a",
    "percent": "#bfdbfe",
    "rate": "#fbcfe8",
    "project": "#bbf7d0",
    "repair": "#e9d5ff",
    "flag": "#fee2e2",
}

_BOX = "font-family:sans-serif;font-size:14px;line-height:1.9;max-width:60em"
_HEAD = "font-family:sans-serif;font-size:13px;color:#555;margin:0 0 0.4em 0"
_TEXT = "border-left:3px solid #ddd;padding:0.2em 0.8em;margin:0.3em 0 0.6em 0"
_BADGE = (
    "font-size:0.65em;font-weight:600;line-height:1;vertical-align:middle;margin-left:0.35em;"
    "padding:0.1em 0.3em;border-radius:0.25em;background-color:rgba(255,255,255,0.7);color:#333;"
    "font-family:sans-serif"
)
_GAP = "color:#999"
_TABLE = "border-collapse:collapse;font-family:sans-serif;font-size:12px;margin:0.3em 0"
_CELL = "border:1px solid #ddd;padding:2px 6px;text-align:left"


def esc(text: object) -> str:
    """Escape any value for HTML text or attributes (quotes included)."""
    return html.escape("" if text is None else str(text), quote=True)


# -- spans ------------------------------------------------------------------------------------


@dataclass
class Span:
    """One highlight: ``text[start:end]`` shown in a ``<mark>`` with an optional badge."""

    start: int
    end: int
    kind: str  # picks the colour and is written to data-kind
    badge: str = ""  # short label shown after the span (displacy's entity label)
    title: str = ""  # hover text with the details
    struck: str = ""  # the replaced text, shown struck through in the badge (repairs)
    children: list["Span"] = field(default_factory=list)


def _mark_open(s: Span) -> str:
    color = COLORS.get(s.kind, "#e5e7eb")
    style = f"background-color:{color};color:#111;padding:0.1em 0.2em;border-radius:0.3em"
    if s.kind == "flag":
        style += ";outline:1px dashed #dc2626"
    title = f' title="{esc(s.title)}"' if s.title else ""
    return f'<mark data-kind="{esc(s.kind)}" data-start="{s.start}" data-end="{s.end}" style="{style}"{title}>'


def _badge(s: Span) -> str:
    if not s.badge and not s.struck:
        return ""
    # the replaced characters are the point of a repair: shown near full size, struck through
    struck = f'<s style="font-size:1.35em;font-weight:normal">{_text(s.struck)}</s> ' if s.struck else ""
    # <small>, so the label still reads as a label where a viewer strips styles
    return f'<small data-xt="label" style="{_BADGE}">{struck}{esc(s.badge)}</small>'


def _text(text: str) -> str:
    # <br> rather than white-space:pre-wrap, so paragraphs survive a viewer that strips styles
    return esc(text).replace("\n", "<br>")


def nest_spans(spans: Iterable[Span]) -> tuple[list[Span], list[Span]]:
    """Arrange spans into a forest by containment; returns (roots, spans dropped for partial overlap)."""
    roots: list[Span] = []
    dropped: list[Span] = []
    stack: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, -s.end)):
        s.children = []
        while stack and stack[-1].end <= s.start:
            stack.pop()
        if stack and not (stack[-1].start <= s.start and s.end <= stack[-1].end):
            dropped.append(s)  # crosses a boundary of an open span: cannot nest in HTML
            continue
        (stack[-1].children if stack else roots).append(s)
        stack.append(s)
    return roots, dropped


def _render(text: str, lo: int, hi: int, spans: Sequence[Span]) -> str:
    out: list[str] = []
    pos = lo
    for s in spans:
        out.append(_text(text[pos : s.start]))
        out.append(_mark_open(s) + _render(text, s.start, s.end, s.children) + _badge(s) + "</mark>")
        pos = s.end
    out.append(_text(text[pos:hi]))
    return "".join(out)


def _windows(text: str, roots: Sequence[Span], context: int) -> list[tuple[int, int, list[Span]]]:
    """Excerpts around top-level spans, ``context`` chars either side but not past a line break."""
    wins: list[tuple[int, int, list[Span]]] = []
    for s in roots:
        lo = max(0, s.start - context)
        nl = text.rfind("\n", lo, s.start)
        lo = nl + 1 if nl >= 0 else lo
        hi = min(len(text), s.end + context)
        nl = text.find("\n", s.end, hi)
        hi = nl if nl >= 0 else hi
        if wins and lo <= wins[-1][1]:
            wins[-1] = (wins[-1][0], max(wins[-1][1], hi), wins[-1][2] + [s])
        else:
            wins.append((lo, hi, [s]))
    return wins


def _gap(n: int) -> str:
    return f'<span data-xt="gap" style="{_GAP}"> … </span>' if n else ""


def highlight_html(text: str, spans: Iterable[Span], *, max_chars: int = 3000, context: int = 60) -> str:
    """The text with spans highlighted; texts over ``max_chars`` are shown as excerpts around the spans."""
    roots, _ = nest_spans(spans)
    if len(text) <= max_chars:
        return _render(text, 0, len(text), roots)
    if not roots:
        return _render(text, 0, max_chars, []) + _gap(len(text) - max_chars) + _note(
            f"{len(text) - max_chars:,} more characters"
        )
    parts: list[str] = []
    pos = 0
    for lo, hi, inside in _windows(text, roots, context):
        parts.append(_gap(lo - pos) + _render(text, lo, hi, inside))
        pos = hi
    parts.append(_gap(len(text) - pos))
    return "".join(parts)


def _note(text: str) -> str:
    return f'<span data-xt="gap" style="{_GAP};font-size:0.85em"> ({esc(text)})</span>'


def _box(head: str, body: str) -> str:
    return f'<div style="{_BOX}"><div data-xt="head" style="{_HEAD}">{head}</div>{body}</div>'


#: Columns whose cells may wrap; the others (values, spans, kinds) stay on one line.
_WRAP = frozenset({"text", "project", "examples", "sentence", "before", "after", "top terms", "title"})


def _table(columns: Sequence[str], rows: Iterable[Sequence[Any]], *, max_rows: int = 50) -> str:
    rows = list(rows)
    styles = [_CELL if c in _WRAP else _CELL + ";white-space:nowrap" for c in columns]
    head = "".join(f'<th style="{st};background-color:#f5f5f5">{esc(c)}</th>' for c, st in zip(columns, styles))
    body = "".join(
        "<tr>" + "".join(f'<td style="{st}">{esc(v)}</td>' for v, st in zip(row, styles)) + "</tr>"
        for row in rows[:max_rows]
    )
    more = ""
    if len(rows) > max_rows:
        more = f'<tr><td colspan="{len(columns)}" style="{_CELL};color:#888">… {len(rows) - max_rows} more rows</td></tr>'
    return f'<table style="{_TABLE}"><thead><tr>{head}</tr></thead><tbody>{body}{more}</tbody></table>'


_VISIBLE = {" ": "␣", "\u3000": "⎵", "\n": "⏎", "\t": "⇥"}


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _short(text: str, n: int = 40) -> str:
    """Text for a summary cell: whitespace and invisible characters made visible, cut to n."""
    if not text:
        return "∅"
    shown = "".join(
        _VISIBLE.get(ch) or (f"<U+{ord(ch):04X}>" if unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp") else ch)
        for ch in text[: n + 1]
    )
    return shown if len(shown) <= n else shown[: n - 1] + "…"


# -- documents --------------------------------------------------------------------------------


def document_html(doc: "Document", *, max_chars: int = 600) -> str:
    """A Document as HTML: id, title, date and source link, then the start of its text."""
    bits = [f"<b>{esc(doc.id)}</b>", f"{len(doc.text):,} chars"]
    if doc.title:
        bits.insert(1, f"《{esc(doc.title)}》")
    if doc.date:
        bits.append(esc(doc.date))
    if doc.url:
        # only web links become links: a javascript: URL from a scraped page must stay inert text
        if doc.url.startswith(("http://", "https://")):
            bits.append(f'<a href="{esc(doc.url)}">{esc(doc.url)}</a>')
        else:
            bits.append(esc(doc.url))
    body = _text(doc.text[:max_chars])
    if len(doc.text) > max_chars:
        body += _gap(1) + _note(f"{len(doc.text) - max_chars:,} more characters")
    return _box("Document · " + " · ".join(bits), f'<div style="{_TEXT}">{body}</div>')


# -- cleaning and repair ----------------------------------------------------------------------


def final_spans(steps: Sequence["Step"], kinds: Iterable[str] = ("repair", "flag")) -> list[tuple[int, int, "Step"]]:
    """Where each step of the given kinds ends up in the final text, after all later steps."""
    kinds = set(kinds)
    tracked: list[list[Any]] = []  # [start, end, step] in the text as it stands now
    for s in steps:
        delta = len(s.after) - (s.end - s.start)
        for t in tracked:
            if s.start >= t[1]:
                continue  # the edit is after this span
            if s.end <= t[0]:
                t[0] += delta  # the edit is before it: the span moves with the text
                t[1] += delta
            else:  # a later step edited inside this span: the span grows to cover that edit
                t[0] = min(t[0], s.start)
                t[1] = max(t[1], s.end) + delta
        if s.kind in kinds:
            tracked.append([s.start, s.start + len(s.after), s])
    return [(a, b, s) for a, b, s in tracked]


def _step_span(start: int, end: int, s: "Step") -> Span:
    title = f"{s.kind}: {s.rule}, confidence {s.confidence:.2f}: {s.before!r} → {s.after!r}"
    if s.candidates:
        title += "; candidates: " + format_candidates(s.candidates)
    if s.kind == "flag":
        return Span(start, end, "flag", badge="?", title=title)
    return Span(start, end, "repair", badge=f"{s.confidence:.2f}", title=title, struck=s.before)


def edited_html(edited: "Edited", *, max_chars: int = 2000) -> str:
    """Cleaned/Repaired text as HTML: repairs and flags highlighted, debris and normalisation summarised."""
    steps = edited.steps
    by_kind: dict[str, list[Step]] = {}
    for s in steps:
        by_kind.setdefault(s.kind, []).append(s)
    repairs, flags = by_kind.get("repair", []), by_kind.get("flag", [])
    debris, norm = by_kind.get("debris", []), by_kind.get("normalize", [])

    head = [f"<b>{esc(type(edited).__name__)}</b>", f"{len(edited.text):,} chars"]
    if repairs:
        head.append(f'<mark style="background-color:{COLORS["repair"]};color:#111">{len(repairs)} repaired</mark>')
    if flags:
        head.append(f'<mark style="background-color:{COLORS["flag"]};color:#111">{len(flags)} flagged, left as is</mark>')
    if debris:
        removed = sum(len(s.before) - len(s.after) for s in debris)
        head.append(f"{len(debris)} debris removals ({removed:,} chars)")
    if norm:
        head.append(f"{len(norm)} normalisations")
    if len(head) == 2:
        head.append("no changes")

    spans = [_step_span(a, b, s) for a, b, s in final_spans(steps)]
    body = [f'<div style="{_TEXT}">{highlight_html(edited.text, spans, max_chars=max_chars)}</div>']
    if repairs or flags:
        body.append(
            _table(
                ["kind", "before", "after", "rule", "confidence", "candidates"],
                [(s.kind, s.before, s.after, s.rule, f"{s.confidence:.2f}", format_candidates(s.candidates))
                 for s in steps if s.kind in ("repair", "flag")],  # fmt: skip
            )
        )
    if debris or norm:
        body.append(_step_summary(debris + norm))
    return _box(" · ".join(head), "".join(body))


def _step_summary(steps: Sequence["Step"]) -> str:
    """One row per (kind, rule): how many steps, and a few examples of what they changed."""
    groups: dict[tuple[str, str], list[Step]] = {}
    for s in steps:
        groups.setdefault((s.kind, s.rule), []).append(s)
    rows = []
    for (kind, rule), ss in groups.items():
        if kind == "debris":
            # whole lines of page text: only line breaks need showing
            examples = "; ".join(_cut(s.before.replace("\n", "⏎"), 40) for s in ss[:2])
        else:
            examples = "  ".join(f"{_short(s.before, 8)}→{_short(s.after, 8)}" for s in ss[:4])
        rows.append((kind, rule, len(ss), examples))
    return _table(["kind", "rule", "count", "examples"], rows)


# -- records ----------------------------------------------------------------------------------


def format_value(r: "Record") -> str:
    """A record's figure for people: 3,000,000,000 CNY, 8.1 %, 20–30 亿 as a range."""

    def num(d: Decimal | None) -> str:
        return "" if d is None else format(d.normalize(), ",f")

    unit = r.currency or r.unit or ""
    if r.value is not None:
        out = num(r.value)
    elif r.low is not None or r.high is not None:
        out = f"{num(r.low)}–{num(r.high)}"
    else:
        return ""
    return f"{out} {unit}".rstrip()


def _record_title(r: "Record") -> str:
    bits = [f"{r.kind} [{r.start},{r.end})"]
    value = format_value(r)
    if value:
        bits.append(value)
    for name in ("label", "qualifier", "direction", "project", "location", "type", "stage"):
        v = getattr(r, name, None)
        if v:
            bits.append(f"{name}={v}")
    return ", ".join(bits)


def records_html(records: Sequence["Record"], *, max_chars: int = 3000, max_rows: int = 50) -> str:
    """Records as HTML: the source text with each figure and project highlighted, then a compact table."""
    counts: dict[str, int] = {}
    for r in records:
        counts[r.kind] = counts.get(r.kind, 0) + 1
    legend = " ".join(
        f'<mark style="background-color:{COLORS.get(k, "#e5e7eb")};color:#111;padding:0 0.3em">{esc(k)} {n}</mark>'
        for k, n in counts.items()
    )
    head = f"<b>Records</b> · {len(records)} " + (legend or "(empty)")
    body: list[str] = []
    source = getattr(records, "source_text", None)
    if source is not None:
        spans, misplaced = [], 0
        for r in records:
            if 0 <= r.start <= r.end <= len(source) and source[r.start : r.end] == r.text:
                spans.append(Span(r.start, r.end, r.kind, badge=r.kind, title=_record_title(r)))
            else:
                misplaced += 1  # offsets into some other text: listed below, not highlighted
        body.append(f'<div style="{_TEXT}">{highlight_html(source, spans, max_chars=max_chars)}</div>')
        if misplaced:
            body.append(_note(f"{misplaced} records do not point into this text and are not highlighted"))
    if records:
        rows = [
            (r.kind, r.text, format_value(r), r.label or "", r.qualifier or "", r.direction or "",
             r.project or "", f"{r.start}–{r.end}")
            for r in records
        ]  # fmt: skip
        cols = ["kind", "text", "value", "label", "qualifier", "direction", "project", "span"]
        body.append(_table(cols, rows, max_rows=max_rows))
    return _box(head, "".join(body))


# -- topics -----------------------------------------------------------------------------------


def topic_model_html(model: Any, *, n_terms: int = 8) -> str:
    """A TopicModel as HTML: one row per topic with a size bar, its top terms and its most typical article."""
    topics = model.describe(n_terms)  # topic, size, share, terms, example
    biggest = max([int(s) for s in topics["size"]] or [1]) or 1
    rows = []
    for t in topics.itertuples(index=False):
        bar = (
            f'<span style="display:inline-block;width:{round(80 * int(t.size) / biggest)}px;height:0.7em;'
            f'background-color:#93c5fd;margin-right:0.4em"></span>'
        )
        rows.append(
            f'<tr><td style="{_CELL};white-space:nowrap">{int(t.topic)}</td>'
            f'<td style="{_CELL};white-space:nowrap">{bar}{int(t.size)} ({float(t.share):.0%})</td>'
            f'<td style="{_CELL}">{esc(t.terms)}</td><td style="{_CELL}">{esc(_cut(str(t.example), 60))}</td></tr>'
        )
    heads = "".join(f'<th style="{_CELL};background-color:#f5f5f5">{h}</th>' for h in ("topic", "size", "top terms", "example"))
    table = f'<table style="{_TABLE}"><thead><tr>{heads}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    return _box(f"<b>TopicModel</b> · {esc(repr(model).removeprefix('TopicModel'))}", table)


__all__ = [
    "COLORS", "Span", "document_html", "edited_html", "esc", "final_spans", "format_candidates", "format_value",
    "highlight_html", "nest_spans", "records_html", "topic_model_html",
]  # fmt: skip
