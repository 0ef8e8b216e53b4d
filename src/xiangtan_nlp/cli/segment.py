"""``xiangtan-nlp segment``: words separated by spaces, one input line per output line."""

from __future__ import annotations

import click

from ._common import encoding_option, max_size_option, read_input_text


@click.command("segment")
@click.argument("file", metavar="FILE|-")
@click.option("--sep", default=" ", show_default=True, help="Separator between words.")
@click.option("--clean/--raw", "do_clean", default=False, help="Clean the text first (default: segment as is).")
@click.option("--pos", is_flag=True, help="Append part-of-speech tags (word/tag).")
@encoding_option
@max_size_option
def command(file: str, sep: str, do_clean: bool, pos: bool, encoding: str | None, max_size: int) -> None:
    """Segment FILE (or stdin) with the domain dictionary; figures stay whole."""
    from ..cleaning import clean
    from ..segmenter import default_segmenter

    text = read_input_text(file, encoding, max_size)
    if do_clean:
        text = clean(text).text
    seg = default_segmenter()
    for line in text.splitlines():
        if pos:
            words = [f"{w}/{t}" for w, t in seg.pos(line) if w.strip()]
        else:
            words = [w for w in seg.cut(line) if w.strip()]
        click.echo(sep.join(words))
