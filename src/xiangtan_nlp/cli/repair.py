"""``xiangtan-nlp repair``: censor repair only (蕞→最, masked characters), repaired text on stdout."""

from __future__ import annotations

import click

from ._common import encoding_option, read_input_text


@click.command("repair")
@click.argument("file", metavar="FILE|-")
@click.option(
    "--threshold", type=click.FloatRange(0.0, 1.0), default=None, metavar="P",
    help="Chance of being right a mask restoration needs (calibrated; default 0.5); below it the mask is kept.",
)  # fmt: skip
@encoding_option
def command(file: str, threshold: float | None, encoding: str | None) -> None:
    """Print FILE (or stdin) with censor evasions and masked characters repaired.

    Only censor repair is done (no other cleaning); `xiangtan-nlp clean --explain FILE` lists
    every step with its position, rule and confidence.
    """
    from ..cleaning.repair import MASK_THRESHOLD, repair

    text = read_input_text(file, encoding)
    result = repair(text, threshold=MASK_THRESHOLD if threshold is None else threshold)
    click.echo(result.text, nl=not result.text.endswith("\n"))
