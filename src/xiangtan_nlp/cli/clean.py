"""``xiangtan-nlp clean``: cleaned text, or with --explain every change that made it."""

from __future__ import annotations

import click

from ..display import format_candidates
from ._common import encoding_option, max_size_option, read_input_text, threshold_option


def format_step(i: int, step: object) -> str:
    """One line per step: position, before → after, rule, confidence (and a mask's best fillers)."""
    s = step  # a model.Step
    before = s.before.replace("\n", "⏎")  # type: ignore[attr-defined]
    after = s.after.replace("\n", "⏎")  # type: ignore[attr-defined]
    if len(before) > 40:
        before = before[:37] + "…"
    line = (
        f"{i:4d}  [{s.start},{s.end})  {s.kind}:{s.rule}  "  # type: ignore[attr-defined]
        f"{before!r} → {after!r}  confidence={s.confidence:.2f}"  # type: ignore[attr-defined]
    )
    cands = getattr(s, "candidates", ())  # a mask's best fillers: what a flagged mask probably hid
    return line + "  candidates: " + format_candidates(cands) if cands else line


@click.command("clean")
@click.argument("file", metavar="FILE|-")
@click.option("--explain", is_flag=True, help="List each step (position, before → after, rule, confidence) instead of the text.")
@click.option("--no-repair", is_flag=True, help="Skip censor repair (only normalise and remove page debris).")
@click.option("--keep-debris", is_flag=True, help="Do not remove page debris.")
@threshold_option
@encoding_option
@max_size_option
def command(
    file: str, explain: bool, no_repair: bool, keep_debris: bool, threshold: float | None, encoding: str | None,
    max_size: int,
) -> None:  # fmt: skip
    """Print the cleaned text of FILE (or stdin): normalised, without page debris, repaired."""
    from ..cleaning import clean

    text = read_input_text(file, encoding, max_size)
    result = clean(text, debris=not keep_debris, repair=not no_repair, threshold=threshold)
    if explain:
        for i, step in enumerate(result.steps):
            click.echo(format_step(i, step))
        click.echo(f"# {len(result.changes)} changes, {len(result.flags)} flagged, {len(result.text)} characters", err=True)
    else:
        click.echo(result.text)
