"""Repeated ids: the compact digest store (a sorted array and a set of recent ones) names every
repeat exactly as a plain set of all ids would, across its merges."""

from __future__ import annotations

import random

from xiangtan_nlp.io.read import _Ids


def test_repeats_named_as_a_plain_set_would() -> None:
    rnd = random.Random(0)
    names = [f"d{i}" for i in range(150_000)]  # past two merges (at 65,536 and at a quarter of the array)
    seq = [*names[:70_000], *rnd.choices(names[:70_000], k=500), *names[70_000:], *rnd.choices(names, k=500), "d5", "d5#2"]
    ids = _Ids()
    got = [ids.unique(x) for x in seq]

    seen: set[str] = set()
    repeats: dict[str, int] = {}
    expected = []
    for x in seq:
        new = x
        while new in seen:
            repeats[x] = repeats.get(x, 1) + 1
            new = f"{x}#{repeats[x]}"
        seen.add(new)
        expected.append(new)
    assert got == expected
    assert len(ids.seen) > 65_536  # the array took over: a set of ints would be nine times the size
    assert list(ids.seen) == sorted(ids.seen)
