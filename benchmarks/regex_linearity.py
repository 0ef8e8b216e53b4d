"""Time every adversarial input family at sizes n, 2n, 4n, 8n and print how the time grows.

    python benchmarks/regex_linearity.py                 # all families, all functions, n=5000
    python benchmarks/regex_linearity.py -n 20000 --family digits_yi --func find_numbers

Linear work doubles with the input (ratio ≈ 2 per doubling, ≈ 8 from n to 8n); quadratic work
quadruples (≈ 64 from n to 8n). Each row is printed beside a baseline measured in the same run on
the same inputs: ``str.count`` over the string, which is linear by construction, so its ratios show
what "linear" looks like on this machine today. A row whose n→8n growth exceeds 20x is marked
NONLINEAR. One call over ``--budget`` seconds stops that row (the larger sizes would only take
longer); the tests in tests/test_regex_safety.py check the results, this script the time.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Callable

#: name -> builder of a string of about n characters (the shapes of issue 8, item 2, and more).
FAMILIES: dict[str, Callable[[int], str]] = {
    "digits_yi": lambda n: "1" * n + "亿",  # 200,000 digits then 亿
    "yi_run": lambda n: "亿" * n,
    "baifenzhi_run": lambda n: "百分之" * (n // 3),
    "cn_digit_run": lambda n: ("一二三四五六七八九十" * (n // 10 + 1))[:n],
    "fw_dot_run": lambda n: "．" * n,
    "comma_groups": lambda n: "1" + ",000" * (n // 4),
    "comma_groups_yuan": lambda n: "1" + ",000" * (n // 4) + "元",
    "yi_chain": lambda n: "一亿" * (n // 2),  # one numeral whose value has 4n digits
    "digit_yi_chain": lambda n: "1亿" * (n // 2),
    "digit_dot_run": lambda n: "1." * (n // 2),
    "dollar_digits": lambda n: "$" + "1" * n,
    "space_run": lambda n: "1" + " " * n + "x",
    # one mask per 250 characters: each is scored by the language model, so they are costly
    "mask_run": lambda n: ("发令***响起" + "。" * 243) * (n // 250),
    "evasion_run": lambda n: "蕞" * n,
    "newline_run": lambda n: "\r\n" * (n // 2),
    "percent_list": lambda n: "增长12.5%，" * (n // 8),
    "qualifier_run": lambda n: "超过" * (n // 2) + "30亿元",
    "latin_run": lambda n: "a" * n,
    "url_run": lambda n: "www." + "a." * (n // 2),
    "sign_run": lambda n: "-" * n + "1%",
    "slash_run": lambda n: "1/" * (n // 2),
    "count_list": lambda n: "1" * n + "个高速公路项目",  # N个高速公路项目 after a long digit run
    "ten_run": lambda n: "十" * n,
    "tenth_run": lambda n: "一成五" * (n // 3),  # 一成五 = 15%, a tenths digit after 成
    # masked amounts: each best filler is checked for a figure it would make up
    "masked_amount_run": lambda n: ("总投资**万元" + "。" * 242) * (n // 250),
    # the forms of issue 16 and the made-up figures of issue 19
    "spaced_digits": lambda n: "1 " * (n // 2) + "亿元",  # letter-spaced digits, joined
    "spaced_groups": lambda n: "1" + " 000" * (n // 4) + "元",  # groups of three
    "spaced_baifenzhi": lambda n: "百 分 之 " * (n // 6) + "十二",
    "fw_comma_groups": lambda n: "1" + "，000" * (n // 4) + "元",
    "mask_yuan": lambda n: "*" * n + "亿元",
    "mask_line": lambda n: "*" * n + "\n总投资30亿元",  # marks with no unit after them (a separator line)
    "box_line": lambda n: "：□" * (n // 2),  # many boxes on one line: is each a check box?
    "placeholder_x": lambda n: "X" * n + "亿元",
    "mask_digit_mix": lambda n: "1*" * (n // 2) + "万元",
    "range_list": lambda n: "20万元-" * (n // 5) + "80万元",
    "rate_list": lambda n: "1美元兑" * (n // 4) + "人民币6.9元",
    "approx_list": lambda n: "约2.1亿和" * (n // 6) + "1.65亿",
    "wanfenzhi_run": lambda n: "万分之" * (n // 3) + "八",
    "half_zhe_run": lambda n: "对折半成" * (n // 4),
    "trad_yi_run": lambda n: "億萬兆" * (n // 3) + "元",
    "jiao_run": lambda n: "一元五角" * (n // 4),
    "other_digits": lambda n: "٢" * n + "亿元",
    "exponent_run": lambda n: "1e9" * (n // 3) + "元",
}


def _functions() -> dict[str, Callable[[str], object]]:
    import xiangtan_nlp as xt
    from xiangtan_nlp.numerals import find_numbers, parse_number

    def parse(s: str) -> object:
        try:
            return parse_number(s)
        except ValueError:
            return None

    return {
        "str.count": lambda s: s.count("亿"),  # the linear baseline
        "clean": xt.clean,
        "repair": xt.repair,
        "extract": lambda s: xt.extract(s, clean=False),  # all kinds, projects included
        "figures": lambda s: xt.extract(s, "money,percent", clean=False),
        "segment": xt.segment,
        "find_numbers": find_numbers,
        "parse_number": parse,
    }


class Raised(Exception):
    """The function under test raised: a bug to report, not a time."""


def measure(fn: Callable[[str], object], s: str, budget: float) -> float:
    """CPU seconds for one call: the least of a few runs, or the first run if it is over budget."""
    best = float("inf")
    total = 0.0
    runs = 0
    while runs < 3 or (total < 0.05 and runs < 1000):
        t = time.process_time()  # CPU time: other busy processes on the machine don't count
        try:
            fn(s)
        except Exception as e:  # report and go on: one crash must not hide the other rows
            raise Raised(f"{type(e).__name__}: {str(e)[:60]}") from None
        dt = time.process_time() - t
        best = min(best, dt)
        total += dt
        runs += 1
        if total > budget:
            break
    return best


def main(argv: list[str] | None = None) -> int:
    """Run the families through the functions and print one row of timings per pair."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=5000, help="smallest size (characters); default 5000")
    ap.add_argument("--family", action="append", help="only these families (repeatable)")
    ap.add_argument("--func", action="append", help="only these functions (repeatable)")
    ap.add_argument("--budget", type=float, default=20.0, help="stop a row after a call this slow (s)")
    args = ap.parse_args(argv)
    funcs = _functions()
    families = {k: v for k, v in FAMILIES.items() if not args.family or k in args.family}
    chosen = [k for k in funcs if not args.func or k in args.func or k == "str.count"]
    sizes = [args.n, 2 * args.n, 4 * args.n, 8 * args.n]
    for fn_name in chosen:  # warm up: jieba, the language model, compiled patterns
        funcs[fn_name]("总投资30亿元，发令***响起，同比增长8.1%")
    print(f"{'family':<18} {'function':<13}" + "".join(f"{f'{s} ch':>11}" for s in sizes) + "   ratios (per doubling)   n→8n")
    slow: list[str] = []
    for fam, build in families.items():
        inputs = [build(s) for s in sizes]
        for fn_name in chosen:
            times: list[float] = []
            try:
                for s in inputs:
                    t = measure(funcs[fn_name], s, args.budget)
                    times.append(t)
                    if t > args.budget:
                        break
            except Raised as e:
                print(f"{fam:<18} {fn_name:<13} RAISED at {len(inputs[len(times)])} chars: {e}", flush=True)
                slow.append(f"{fam} / {fn_name} (raised)")
                continue
            cells = "".join(f"{t * 1000:>9.2f}ms" for t in times) + " " * 11 * (len(sizes) - len(times))
            ratios = " ".join(f"{b / a:5.1f}" if a > 0 else "  inf" for a, b in zip(times, times[1:]))
            growth = times[-1] / times[0] if len(times) == len(sizes) and times[0] > 0 else float("nan")
            mark = ""
            if len(times) < len(sizes):
                mark = "  STOPPED (over budget)"
            elif growth > 20 and times[-1] > 0.02:  # below 20 ms the ratio is mostly noise
                mark = "  NONLINEAR"
            if mark:
                slow.append(f"{fam} / {fn_name}")
            print(f"{fam:<18} {fn_name:<13}{cells}   {ratios:<23} {growth:6.1f}{mark}", flush=True)
    print()
    print("superlinear or over budget:", ", ".join(slow) if slow else "none")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
