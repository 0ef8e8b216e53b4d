"""How far two annotators agree on project names and amount links (issue 14): the ceiling a recognizer
measured against one annotator can reach.

    python benchmarks/projects_agree.py check FILE      # resolve a second annotation (FILE: agree/<part>.src.jsonl)
    python benchmarks/projects_agree.py show ID         # an article's text alone, numbered lines, no marks
    python benchmarks/projects_agree.py score           # agreement of tests/data/projects/agree/*.src.jsonl

A second annotator marks articles of train, dev or a sealed test again, from the text alone (GUIDELINE.md, no
access to the first annotation), in the src format of tests/data/projects/README.md. ``score``
compares the two as the benchmark compares the recognizer with the gold: the first annotation is the
reference, the second's canonical names are the "predicted" names (one to one, canonical names
first, then listed forms), and its links the predicted links. So the agreement F1 is on the same
scale as projects_bench.py's name F1 and link accuracy; it is printed both ways round (each
annotation as the reference), per source, and for the sealed tests' articles apart (as totals only:
``--diff`` lists the disagreements of train and dev articles alone).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from projects_data import AnnotationError, _find_record, doc_of, read_src, resolve_entry  # noqa: E402
from projects_bench import DATA, header, line  # noqa: E402

AGREE = DATA / "agree"
#: Sealed tests: their agreement is printed as totals only, never article by article (their
#: annotations stay unread until they are scored).
SEALED = ("test", "test2", "test3")


def _resolved(path: Path) -> list[tuple[dict, dict]]:
    """(first annotation, second annotation) resolved records of one agreement file."""
    from xiangtan_nlp.extraction.projects.score import read_split

    out = []
    firsts: dict[str, dict] = {}
    for entry in read_src(path):
        split, rec = _find_record(entry["id"])
        if split not in firsts:
            firsts[split] = {r["id"]: r for r in read_split(DATA / f"{split}.jsonl")}
        first = {**firsts[split][entry["id"]], "sealed": split in SEALED}
        out.append((first, {**resolve_entry(entry, rec), "source": rec["source"]}))
    return out


def check(args: argparse.Namespace) -> int:
    """Resolve every entry of a file; print its counts or the errors (never the first annotation)."""
    bad = 0
    for entry in read_src(args.file):
        try:
            _, rec = _find_record(entry["id"])
            res = resolve_entry(entry, rec)
        except (AnnotationError, KeyError) as exc:
            print(f"{entry.get('id')}: {exc}")
            bad += 1
            continue
        print(f"{entry['id']}: {len(res['projects'])} projects, {len(res['mentions'])} mentions, {len(res['links'])} links")
    return 1 if bad else 0


def show(args: argparse.Namespace) -> int:
    """Print an article's text, numbered by line, without any annotation."""
    _, rec = _find_record(args.id)
    for i, ln in enumerate(doc_of(rec).split("\n"), 1):
        print(f"{i:3}  {ln}")
    return 0


def _as_predicted(second: dict) -> tuple[list[str], list[tuple[int, int, str | None]]]:
    names = [p["name"] for p in second["projects"]]
    return names, [(x["start"], x["end"], x["project"]) for x in second["links"]]


def score(args: argparse.Namespace) -> int:
    """Print the agreement tables: first annotation as reference, then the second."""
    from xiangtan_nlp.extraction.projects.score import score_document, totals

    pairs = [p for path in sorted(AGREE.glob("*.src.jsonl")) for p in _resolved(path)]
    if not pairs:
        print(f"no agreement files in {AGREE}")
        return 1
    sealed = {first["id"] for first, _ in pairs if first["sealed"]}
    for title, ref_first in (("reference: first annotation", True), ("reference: second annotation", False)):
        print(title)
        print(header())
        scores = []
        for first, second in pairs:
            ref, other = (first, second) if ref_first else (second, first)
            scores.append(score_document(ref, *_as_predicted(other)))
        for src in sorted({s.source for s in scores}):
            print(line(src, totals(s for s in scores if s.source == src)))
        if sealed:
            print(line("sealed tests", totals(s for s in scores if s.doc_id in sealed)))
            print(line("train + dev", totals(s for s in scores if s.doc_id not in sealed)))
        print(line("all", totals(scores)))
        if args.diff and ref_first:
            for s in scores:
                if s.doc_id in sealed:
                    continue
                for what, items in (("only first", s.missed), ("only second", s.extra), ("link", s.wrong_links)):
                    for x in items:
                        print(f"    {s.doc_id}\t{what}\t{x}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    commands = {"check": (check, "file", Path), "show": (show, "id", str), "score": (score, None, None)}
    for name, (func, arg, kind) in commands.items():
        cmd = sub.add_parser(name)
        cmd.set_defaults(func=func)
        if arg:
            cmd.add_argument(arg, type=kind)
    sub.choices["score"].add_argument("--diff", action="store_true", help="list the train/dev disagreements")
    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
