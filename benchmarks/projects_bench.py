"""Project names and amount links measured on the annotated articles of tests/data/projects (issue 14).

    python benchmarks/projects_bench.py                     # train (fit), dev, both sealed tests, per source
    python benchmarks/projects_bench.py --splits test2      # the second sealed test alone
    python benchmarks/projects_bench.py --splits test3      # the third: at the end of a change, never while tuning
    python benchmarks/projects_bench.py --splits train dev  # leave the sealed test alone
    python benchmarks/projects_bench.py --errors dev        # also every miss, extra and wrong link of dev
    python benchmarks/projects_bench.py --data DIR          # resolved <split>.jsonl files from elsewhere

Each article goes through what a user runs: ``clean`` (normalise, debris, censor repair), then
``extract_document(..., clean=False)`` on the cleaned text with kinds money, percent, project.

Scoring (``xiangtan_nlp.extraction.project_score``, the same functions the tests use):

* **names, per document**: the distinct ``project`` values of the project records against the
  annotated projects. Names are compared after NFKC (width), without whitespace or quotation marks
  and with one kind of dash. A predicted name is right when it is the canonical name of an
  annotated project or one of the forms listed for it (a conjunct such as 潭州大道 of
  潭州大道、芙蓉大道快速化改造项目 matches by its distributed name 潭州大道快速化改造项目 or by its
  written form); one to one, canonical matches first, so an unmerged alias is a false positive.
  Precision, recall and F1 are micro-averaged over documents. ``strict F1`` counts only canonical
  matches.
* **links**: only money is linked (GUIDELINE.md 7). A gold link is an amount occurrence with its
  project; it is right when the money record over it names that project (canonical name or form).
  ``link acc`` = right / gold links; ``link prec`` = right / money records given a project.

The sealed tests (``test``; ``test2``, drawn in the third session after test's errors had been
read; ``test3``, drawn in the fourth, scored once in the fifth, not in the default run) are for the final figure
only: do not tune on them and do not read their errors (--errors test2) before the recognizer and
linker are final (tests/data/projects/README.md).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "projects"
SPLITS = ("train", "dev", "test", "test2")
CHOICES = (*SPLITS, "test3")  # test3 only when asked for by name (README.md: scored once, at the end)
KINDS = ("money", "percent", "project")


def analyse(text: str):
    """What a user gets for one article: (cleaning steps, records of the cleaned text)."""
    cleaned, records = analyse_cleaned(text)
    return cleaned.steps, records


def analyse_cleaned(text: str):
    """:func:`analyse` with the whole cleaning result (its ``text`` is what the records point into)."""
    from xiangtan_nlp.cleaning import clean
    from xiangtan_nlp.model import Document
    from xiangtan_nlp.pipeline.document import extract_document

    cleaned = clean(text)
    _, records = extract_document(Document(id="doc", text=cleaned.text), KINDS, clean=False)
    return cleaned, records


def header(width: int = 14) -> str:
    """The table's column names (``width``: of the label column)."""
    return (
        f"  {'':<{width}} {'docs':>4} {'names':>6} {'P':>6} {'R':>6} {'F1':>6} {'strict':>7} {'links':>6} "
        f"{'link acc':>8} {'link prec':>9}"
    )


def line(label: str, t) -> str:
    """One row of the table."""
    return (
        f"  {label:<14} {t.docs:>4} {t.tp + t.fn:>6} {t.precision:>6.3f} {t.recall:>6.3f} {t.f1:>6.3f} "
        f"{t.strict_f1:>7.3f} {t.links:>6} {t.link_accuracy:>8.3f} {t.link_precision:>9.3f}"
    )


def main(argv: list[str] | None = None) -> int:
    """Print the figures of each split (and the dev − test gap when both are measured)."""
    from xiangtan_nlp.extraction.projects.score import evaluate, read_split, totals

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--splits", nargs="+", default=list(SPLITS), choices=CHOICES)
    ap.add_argument("--errors", nargs="*", default=[], choices=CHOICES, help="print the errors of these splits")
    ap.add_argument("--data", type=Path, default=DATA, help="folder of resolved <split>.jsonl files")
    args = ap.parse_args(argv)
    overall = {}
    for split in args.splits:
        path = args.data / f"{split}.jsonl"
        if not path.is_file():
            print(f"{split}: {path} missing (run benchmarks/projects_data.py resolve {split})", file=sys.stderr)
            continue
        scores = evaluate(read_split(path), analyse)
        by_source = defaultdict(list)
        for s in scores:
            by_source[s.source].append(s)
        name = {"train": "train (fit)", "dev": "dev", "test": "sealed test", "test2": "sealed test 2",
                "test3": "sealed test 3"}[split]
        print(f"{name}\n{header()}")
        for source in sorted(by_source):
            print(line(source, totals(by_source[source])))
        overall[split] = t = totals(scores)
        print(line("all", t))
        if split in args.errors:
            for s in scores:
                if s.missed or s.extra or s.wrong_links or s.spurious_links:
                    print(f"    {s.doc_id}")
                    for what, items in (("missed", s.missed), ("extra", s.extra), ("wrong link", s.wrong_links),
                                        ("spurious link", s.spurious_links)):  # fmt: skip
                        for x in items:
                            print(f"      {what}: {x}")
    for test in ("test", "test2", "test3"):
        if "dev" in overall and test in overall:
            d, t = overall["dev"], overall[test]
            print(f"dev − {test}: name F1 {d.f1 - t.f1:+.3f}, link accuracy {d.link_accuracy - t.link_accuracy:+.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
