"""Fuzz extract, repair, clean, segment and parse_number against the invariants of the property tests.

    python benchmarks/fuzz.py -max_total_time=600                # atheris (libFuzzer flags pass through)
    python benchmarks/fuzz.py --hypothesis --minutes 10          # long hypothesis runs instead

The invariants are the ``check_*`` functions of tests/test_properties.py (nothing raises but
parse_number's ValueError, offsets point at their text, steps replay, values re-parse, segments
concatenate back). A failure does not stop the run: each distinct one (by function, exception and
the line that raised) is printed once, with its input, to stdout and to ``--log`` (default
``fuzz-findings.jsonl`` in the current folder), and fuzzing goes on. Exit status 1 if anything
was found.

With atheris the first input byte picks how the rest becomes text: raw Unicode, a sequence of
Chinese-figure pieces (digits, 十百千万亿, 元, %, qualifiers, masks, full-width forms…), or runs of
repeated pieces, so coverage guidance works on realistic text as well as on noise.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import test_properties as tp  # noqa: E402  (the invariants and the text pieces)

CHECKS: dict[str, Callable[[str], object]] = {
    "parse_number": tp.check_parse_number,
    "find_numbers": tp.check_find_numbers,
    "clean": tp.check_clean,
    "repair": tp.check_repair,
    "extract": lambda s: tp.check_reparse(tp.check_extract(s)),
    "segment": tp.check_segment,
}


class Findings:
    """Distinct failures seen so far, each logged once with the first input that showed it."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.seen: dict[str, int] = {}
        self.runs = 0
        self.started = time.monotonic()

    def check(self, text: str) -> None:
        """Run every check on one input; record failures instead of raising them."""
        self.runs += 1
        for name, check in CHECKS.items():
            try:
                check(text)
            except Exception as e:  # every failure is a finding; keep fuzzing
                self.record(name, text, e)
        if self.runs % 5000 == 0:
            self.progress()

    def record(self, name: str, text: str, e: BaseException) -> None:
        """Log a failure the first time its signature (function, type, raising line) is seen."""
        tb = traceback.extract_tb(e.__traceback__)
        where = next((f"{Path(f.filename).name}:{f.lineno}" for f in reversed(tb) if "xiangtan_nlp" in f.filename), None)
        where = where or (f"{Path(tb[-1].filename).name}:{tb[-1].lineno}" if tb else "?")
        sig = f"{name} | {type(e).__name__} | {where}"
        self.seen[sig] = self.seen.get(sig, 0) + 1
        if self.seen[sig] > 1:
            return
        entry = {"check": name, "error": type(e).__name__, "where": where, "message": str(e)[:300], "input": text}
        print(f"FINDING {sig}\n  input: {text[:200]!r}\n  {type(e).__name__}: {str(e)[:200]}", flush=True)
        with self.log.open("a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")  # ASCII escapes: inputs may hold lone surrogates

    def progress(self) -> None:
        """One line of counts (atheris stops the process without returning, so print as we go)."""
        secs = time.monotonic() - self.started
        total = sum(self.seen.values())
        print(f"[fuzz] {self.runs} inputs in {secs:.0f}s, {len(self.seen)} distinct findings ({total} hits)", flush=True)


def text_from_bytes(data: bytes) -> str:
    """Turn fuzzer bytes into text: raw Unicode, a run of figure pieces, or repeated pieces."""
    import atheris

    fdp = atheris.FuzzedDataProvider(data)
    mode = fdp.ConsumeIntInRange(0, 2)
    pieces = tp.PIECES
    if mode == 0:
        return fdp.ConsumeUnicode(fdp.remaining_bytes())
    out: list[str] = []
    while fdp.remaining_bytes():
        piece = pieces[fdp.ConsumeIntInRange(0, len(pieces) - 1)]
        times = fdp.ConsumeIntInRange(1, 300) if mode == 2 and fdp.ConsumeBool() else 1
        out.append(piece * times)
    return "".join(out)


def run_atheris(argv: list[str], findings: Findings) -> None:
    """Coverage-guided fuzzing of the library's Python code (libFuzzer options in argv)."""
    import atheris

    with atheris.instrument_imports(include=["xiangtan_nlp"]):
        # the package loads its modules lazily: load them all here so all get instrumented
        import xiangtan_nlp as xt
        import xiangtan_nlp.pipeline  # noqa: F401
        import xiangtan_nlp.cleaning.debris  # noqa: F401
        import xiangtan_nlp.page  # noqa: F401
        import xiangtan_nlp.cleaning.normalize  # noqa: F401
        from xiangtan_nlp.cleaning import repair as _repair_module  # noqa: F401
        from xiangtan_nlp.extraction import figures as _figures_module  # noqa: F401
        import xiangtan_nlp.numerals  # noqa: F401

        xt.extract("总投资30亿元，发令***响起，蕞大增长8.1%")
        xt.segment("总投资30亿元")

    def one_input(data: bytes) -> None:
        findings.check(text_from_bytes(data))

    atheris.Setup([sys.argv[0], *argv], one_input)
    atheris.Fuzz()


def run_hypothesis(minutes: float, findings: Findings) -> None:
    """Round after round of the property strategies, each failure recorded, until time is up."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    deadline = time.monotonic() + minutes * 60
    strategy = st.one_of(tp.texts, tp.money_phrase().map(lambda c: c[0]), tp.qualified_money().map(lambda c: c[0]))

    @settings(max_examples=1000, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def round_(text: str) -> None:
        findings.check(text)

    while time.monotonic() < deadline:
        round_()
        findings.progress()


def main() -> int:
    """Parse our options, pass the rest to libFuzzer, and report what was found."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hypothesis", action="store_true", help="use hypothesis instead of atheris")
    ap.add_argument("--minutes", type=float, default=10.0, help="hypothesis mode: how long to run")
    ap.add_argument("--log", type=Path, default=Path("fuzz-findings.jsonl"), help="findings, one JSON per line")
    args, rest = ap.parse_known_args()
    findings = Findings(args.log)
    use_atheris = not args.hypothesis
    if use_atheris:
        try:
            import atheris  # noqa: F401
        except ImportError:
            print("atheris is not installed; running hypothesis instead", file=sys.stderr)
            use_atheris = False
    if use_atheris:
        run_atheris(rest, findings)  # returns only if libFuzzer does (it usually exits itself)
    else:
        run_hypothesis(args.minutes, findings)
    findings.progress()
    return 1 if findings.seen else 0


if __name__ == "__main__":
    sys.exit(main())
