"""``xiangtan-nlp repair``: censor repair only (蕞→最, masked characters), repaired text on stdout."""

from __future__ import annotations

import click

from ._common import encoding_option, max_size_option, read_input_text, threshold_option


@click.command("repair")
@click.argument("file", metavar="FILE|-")
@threshold_option
@encoding_option
@max_size_option
def command(file: str, threshold: float | None, encoding: str | None, max_size: int) -> None:
    """Print FILE (or stdin) with censor evasions and masked characters repaired.

    Only censor repair is done (no other cleaning); `xiangtan-nlp clean --explain FILE` lists
    every step with its position, rule and confidence.
    """
    from ..cleaning.repair import MASK_THRESHOLD, repair

    text = read_input_text(file, encoding, max_size)
    result = repair(text, threshold=MASK_THRESHOLD if threshold is None else threshold)
    click.echo(result.text, nl=not result.text.endswith("\n"))
