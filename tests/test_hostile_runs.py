"""Issue 19, run by run: no input ends the run, --resume continues or refuses, no output path is clobbered.

One case per line of the issue (the "invented figures" lines live with the figure tests): how the
input is made, the exit status, the failure that must be named, and the documents whose rows must
still be there. Each case runs the real command line in this process; the worker and signal cases,
which need real processes, are in test_hostile_processes.py.
"""

from __future__ import annotations

import csv
import json
import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from xiangtan_nlp.cli import cli
from xiangtan_nlp.pipeline import document

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="file names, links, devices and locks are POSIX here")

MONEY = ["--kinds", "money", "--workers", "1", "--no-progress"]
_HELD: list = []  # locks a case holds while its command runs


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def rows(path: Path) -> list[dict]:
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return list(csv.DictReader(path.open(encoding="utf-8", newline="")))


def interrupted_run(args: list[str], after: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run ``args`` and stop it (as Ctrl-C does) when the ``after``-th document starts."""
    real, seen = document.process_one, []

    def stop(doc, *a, **kw):  # type: ignore[no-untyped-def]
        seen.append(doc.id)
        if len(seen) == after:
            raise KeyboardInterrupt
        return real(doc, *a, **kw)

    monkeypatch.setattr(document, "process_one", stop)
    result = run(*args)
    monkeypatch.undo()
    assert result.exit_code == 130 and "--resume" in result.stderr, result.stderr


def texts(folder: Path, n: int, name: Callable[[int], str] = lambda i: f"doc{i}.txt") -> None:
    folder.mkdir(exist_ok=True)
    for i in range(1, n + 1):
        (folder / name(i)).write_text(f"湘潭某项目总投资{i}亿元。", encoding="utf-8")


def two_subjects(folder: Path) -> None:
    """Six short articles on two subjects (something for -k 2 to find)."""
    folder.mkdir(exist_ok=True)
    for i in range(3):
        (folder / f"build{i}.txt").write_text(f"湘潭经开区新建厂房{i + 2}座，项目总投资{i + 1}亿元，年内开工建设。", encoding="utf-8")
        (folder / f"farm{i}.txt").write_text(f"今年全市水稻种植面积{i + 5}万亩，农民增收，粮食丰收。", encoding="utf-8")


# -- the cases --------------------------------------------------------------------------------------------
@dataclass
class Case:
    """One line of the issue: make the input (returns the command's arguments), then what must hold."""

    name: str
    make: Callable[[Path, pytest.MonkeyPatch], list[str]]
    status: int
    named: list[str] = field(default_factory=list)  # what stderr must say
    ids: set[str] | None = None  # doc_ids that must have rows in the output (out.csv unless the case says)
    check: Callable[[Path, str], None] | None = None  # anything else (the tmp folder, stderr)


def html_marked_sections(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    (tmp / "in").mkdir()
    (tmp / "in" / "a.html").write_text("<p>总投资20亿元<![ 5 ]>，增长8.1%</p>", encoding="utf-8")
    (tmp / "in" / "b.html").write_text("<p>投资3亿元<![]></p>", encoding="utf-8")
    (tmp / "in" / "c.txt").write_text("投资4亿元", encoding="utf-8")
    return ["extract", str(tmp / "in"), "-o", str(tmp / "out.csv"), *MONEY]


def html_marked_sections_in(command: str) -> Callable[[Path, pytest.MonkeyPatch], list[str]]:
    """The same pages through ``cluster`` or ``projects``, which failed the same way."""

    def make(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
        html_marked_sections(tmp, mp)
        (tmp / "in" / "d.txt").write_text("今年全市水稻种植面积5万亩，农民增收，粮食丰收。", encoding="utf-8")
        extra = ["-k", "2"] if command == "cluster" else []
        return [command, str(tmp / "in"), *extra, "-o", str(tmp / "out.csv"), "--workers", "1"]

    return make


def html_read_by_the_library(tmp: Path, stderr: str) -> None:
    """read_corpus(on_error="collect"), the library's way in, reads every page too."""
    import xiangtan_nlp as xt

    corpus = xt.read_corpus(str(tmp / "in"), on_error="collect")
    assert [d.id for d in corpus] == ["a.html", "b.html", "c.txt", "d.txt"] and corpus.failures == []
    assert "总投资20亿元" in next(d.text for d in corpus if d.id == "a.html")


def html_parser_crash(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    """Whatever the standard parser may still assert on: that page is named, the rest is read."""
    from xiangtan_nlp.io import html

    real = html.html_to_text

    def crash(markup: str):  # type: ignore[no-untyped-def]
        if "crash" in markup:
            raise AssertionError("expected name token")
        return real(markup)

    mp.setattr(html, "html_to_text", crash)
    (tmp / "in").mkdir()
    (tmp / "in" / "a.html").write_text("<p>crash 投资1亿元</p>", encoding="utf-8")
    (tmp / "in" / "b.html").write_text("<p>投资3亿元</p>", encoding="utf-8")
    return ["extract", str(tmp / "in"), "-o", str(tmp / "out.csv"), *MONEY]


def gbk_file_name(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    folder = os.path.join(os.fsencode(tmp), b"in")
    os.mkdir(folder)
    with open(os.path.join(folder, "张三.txt".encode("gbk")), "w", encoding="utf-8") as f:
        f.write("总投资20亿元")
    (tmp / "in" / "ok.txt").write_text("投资5亿元", encoding="utf-8")
    return ["extract", str(tmp / "in"), "-o", str(tmp / "out.csv"), *MONEY]


def gbk_file_name_cluster(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    gbk_file_name(tmp, mp)
    (tmp / "in" / "more.txt").write_text("湘潭高新区今年新建厂房两座，吸引企业入驻", encoding="utf-8")
    return ["cluster", str(tmp / "in"), "-k", "2", "-o", str(tmp / "out.csv"), "--workers", "1"]


def lone_surrogate_id(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    lines = ['{"id": "a", "text": "投资1亿元"}', '{"id": "b\\ud800", "text": "投资2亿元"}', '{"id": "c", "text": "投资3亿元\\ud83d"}']
    (tmp / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ["extract", str(tmp / "news.jsonl"), "-o", str(tmp / "out.csv"), *MONEY]


def newline_in_name(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    texts(tmp / "in", 5, name=lambda i: f"doc\n{i}.txt")
    args = ["extract", str(tmp / "in"), "-o", str(tmp / "out.csv"), *MONEY]
    interrupted_run(args, 3, mp)
    return [*args, "--resume"]


def stopped_at_four(tmp: Path, mp: pytest.MonkeyPatch, edit: Callable[[list[str]], None] | None = None) -> list[str]:
    """Five documents, a run stopped at the fourth; ``edit`` changes its journal's lines. The run's arguments."""
    texts(tmp / "in", 5)
    args = ["extract", str(tmp / "in"), "-o", str(tmp / "out.csv"), *MONEY]
    interrupted_run(args, 4, mp)
    if edit is not None:
        log = tmp / "out.csv.partial.log"
        lines = log.read_text(encoding="utf-8").splitlines()
        edit(lines)
        log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return args


def corrupt_journal(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    def damage(lines: list[str]) -> None:
        lines[2] = "12x\tdoc1.txt"  # a line that is not what the run wrote

    return [*stopped_at_four(tmp, mp, damage), "--resume"]


def offset_past_end(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    def lengthen(lines: list[str]) -> None:
        size, key = json.loads(lines[-1])
        lines[-1] = json.dumps([size + 4988, key])  # the old journal's way to write 4,988 NUL bytes

    return [*stopped_at_four(tmp, mp, lengthen), "--resume"]


def other_inputs(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    stopped_at_four(tmp, mp)
    texts(tmp / "other", 2)
    return ["extract", str(tmp / "other"), "-o", str(tmp / "out.csv"), *MONEY, "--resume"]


def other_format(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    stopped_at_four(tmp, mp)
    return ["extract", str(tmp / "in"), "-o", str(tmp / "out.csv"), "--format", "jsonl", *MONEY, "--resume"]


def resumed_elsewhere(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    """Stopped in one folder, resumed from another: the same inputs by another relative path."""
    texts(tmp / "in", 5)
    mp.chdir(tmp)
    interrupted_run(["extract", "in", "-o", "out.csv", *MONEY], 4, mp)
    mp.chdir(tmp / "in")
    return ["extract", "../in", "-o", "../out.csv", *MONEY, "--resume"]


def each_document_once(tmp: Path, stderr: str) -> None:
    assert [r["doc_id"] for r in rows(tmp / "out.csv")] == [f"doc{i}.txt" for i in range(1, 6)]


def refused_resume_left_alone(tmp: Path, stderr: str) -> None:
    """A refused resume changes nothing: the partial file is as the interrupted run left it."""
    partial = (tmp / "out.csv.partial").read_bytes()
    assert b"\x00" not in partial and partial.count(b"\n") == 4  # the header and three documents
    assert not (tmp / "out.csv").exists()


def mixed_encodings(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    with open(tmp / "short.jsonl", "wb") as f:
        for i in range(20):
            line = json.dumps({"id": f"m{i}", "text": f"第{i}条，湘潭投资{i + 1}亿元"}, ensure_ascii=False) + "\n"
            f.write(line.encode("gbk" if i == 7 else "utf-8"))
    return ["extract", str(tmp / "short.jsonl"), "-o", str(tmp / "out.csv"), *MONEY]


def mixed_read_right(tmp: Path, stderr: str) -> None:
    got = {r["doc_id"]: r["sentence"] for r in rows(tmp / "out.csv")}
    assert got == {f"m{i}": f"第{i}条，湘潭投资{i + 1}亿元" for i in range(20)}  # no mojibake, the GBK line too


def unterminated_quote(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    (tmp / "t.csv").write_text(
        'id,text\nc1,"营收5000万元，下降3.2%。\nc2,"投资3亿元。"\nc3,"增长5%。"\nc4,"第一段\n第二段，投资4亿元。"\n',
        encoding="utf-8",
    )
    return ["extract", str(tmp / "t.csv"), "-o", str(tmp / "out.csv"), "--kinds", "money,percent", "--workers", "1"]


def rows_credited_right(tmp: Path, stderr: str) -> None:
    got = sorted((r["doc_id"], r["text"]) for r in rows(tmp / "out.csv"))
    assert got == [("c2", "3亿元"), ("c3", "5%"), ("c4", "4亿元")]  # nothing credited to c1


def duplicate_ids(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    ids = ["a", "b", "a", "a"]
    (tmp / "d.jsonl").write_text(
        "".join(json.dumps({"id": i, "text": f"投资{n + 1}亿元"}) + "\n" for n, i in enumerate(ids)), encoding="utf-8"
    )
    return ["extract", str(tmp / "d.jsonl"), "-o", str(tmp / "out.csv"), *MONEY]


def duplicates_kept_apart(tmp: Path, stderr: str) -> None:
    assert [(r["doc_id"], r["text"]) for r in rows(tmp / "out.csv")] == [
        ("a", "1亿元"), ("b", "2亿元"), ("a#2", "3亿元"), ("a#3", "4亿元"),
    ]  # fmt: skip


def link_planted_at(name: str) -> Callable[[Path, pytest.MonkeyPatch], list[str]]:
    """A case maker: a symlink named ``name`` beside the output points at a precious file."""

    def make(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
        texts(tmp / "in", 2)
        (tmp / "victim.txt").write_text("precious", encoding="utf-8")
        (tmp / name).symlink_to(tmp / "victim.txt")
        return ["extract", str(tmp / "in"), "-o", str(tmp / "out.csv"), *MONEY]

    return make


def victim_untouched(tmp: Path, stderr: str) -> None:
    assert (tmp / "victim.txt").read_text(encoding="utf-8") == "precious"
    assert not (tmp / "out.csv").is_symlink() and not os.path.lexists(tmp / "out.csv.partial")


def nothing_written(tmp: Path, stderr: str) -> None:
    assert (tmp / "victim.txt").read_text(encoding="utf-8") == "precious"
    assert not os.path.lexists(tmp / "out.csv") and not os.path.lexists(tmp / "out.csv.partial")


def link_left_alone(tmp: Path, stderr: str) -> None:
    assert (tmp / "out.csv").is_symlink() and (tmp / "victim.txt").read_text(encoding="utf-8") == "precious"


def _stream_target(tmp: Path) -> Path:
    """A character device (made here, as root) or else a named pipe, in the test's folder: never
    the system's /dev/null, which a regression would replace with a regular file."""
    target = tmp / "sink"
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.mknod(target, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a second /dev/null
        return target
    os.mkfifo(target)
    import threading

    def drain() -> None:
        with open(target, "rb") as f:
            while f.read(1 << 16):
                pass

    threading.Thread(target=drain, daemon=True).start()
    return target


def output_is_a_device(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    texts(tmp / "in", 2)
    return ["extract", str(tmp / "in"), "-o", str(_stream_target(tmp)), *MONEY]


def device_still_a_device(tmp: Path, stderr: str) -> None:
    mode = os.lstat(tmp / "sink").st_mode
    assert stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)
    assert sorted(p.name for p in tmp.iterdir()) == ["in", "sink"]  # no partial, lock or terms file beside it


def cluster_to_a_device(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    two_subjects(tmp / "in")
    return ["cluster", str(tmp / "in"), "-k", "2", "-o", str(_stream_target(tmp)), "--workers", "1"]


def output_is_a_folder(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    texts(tmp / "in", 2)
    (tmp / "out.csv").mkdir()
    mp.setattr(document, "process_one", lambda *a, **k: pytest.fail("the work started"))
    return ["extract", str(tmp / "in"), "-o", str(tmp / "out.csv"), *MONEY]


def cluster_output_is_a_folder(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    two_subjects(tmp / "in")
    (tmp / "out.csv").mkdir()
    from xiangtan_nlp import topics

    mp.setattr(topics, "cluster", lambda *a, **k: pytest.fail("the work started"))
    return ["cluster", str(tmp / "in"), "-k", "2", "-o", str(tmp / "out.csv"), "--workers", "1"]


def output_is_locked(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    """Another run holds the output (its lock is taken here, as that run would)."""
    from xiangtan_nlp.io.write import OutputLock

    texts(tmp / "in", 2)
    (tmp / "out.csv").write_text("the other run's rows\n", encoding="utf-8")
    _HELD.append(OutputLock(tmp / "out.csv"))  # released when the case ends
    return ["extract", str(tmp / "in"), "-o", str(tmp / "out.csv"), *MONEY]


def other_run_untouched(tmp: Path, stderr: str) -> None:
    assert (tmp / "out.csv").read_text(encoding="utf-8") == "the other run's rows\n"
    assert not (tmp / "out.csv.partial").exists()


def record_over_max_size(tmp: Path, mp: pytest.MonkeyPatch) -> list[str]:
    big = "湘潭某项目总投资20亿元。\n" * 60_000  # 2 MB in one CSV field, over lines
    (tmp / "t.csv").write_text(f'id,text\ns1,"投资1亿元"\nbig,"{big}"\ns2,"投资3亿元"\n', encoding="utf-8")
    return ["extract", str(tmp / "t.csv"), "-o", str(tmp / "out.csv"), *MONEY, "--max-size", "1"]


CASES = [
    # one bad input ends the whole run, and --resume cannot get past it
    Case("html <![ 5 ]> and <![]>", html_marked_sections, 0, ids={"a.html", "b.html", "c.txt"}),
    Case("html <![ 5 ]>: cluster", html_marked_sections_in("cluster"), 0, ["4 documents, 2 topics, 0 failures"],
         {"a.html", "b.html", "c.txt", "d.txt"}, check=html_read_by_the_library),
    Case("html <![ 5 ]>: projects", html_marked_sections_in("projects"), 0, ["4 documents", "0 failures"]),
    Case("html parser assertion", html_parser_crash, 1, ["a.html: HTML that cannot be parsed (AssertionError"], {"b.html"}),
    Case("gbk file name: extract", gbk_file_name, 0, ids={"ok.txt", "\\xd5\\xc5\\xc8\\xfd.txt"}),
    Case("gbk file name: cluster", gbk_file_name_cluster, 0, ids={"ok.txt", "more.txt", "\\xd5\\xc5\\xc8\\xfd.txt"}),
    Case("lone surrogate id", lone_surrogate_id, 1, ["news.jsonl:2: the id holds '\\ud800'"], {"a", "c"}),
    Case("newline in a file name, resumed", newline_in_name, 0, ["resuming: 2 documents"],
         {f"doc\n{i}.txt" for i in range(1, 6)}),
    Case("corrupt journal", corrupt_journal, 2, ["out.csv.partial.log is damaged at line 3", "run without --resume"],
         check=refused_resume_left_alone),
    Case("journal offset past the end", offset_past_end, 2, ["is shorter (", "than its journal says"],
         check=refused_resume_left_alone),
    Case("resumed from another folder", resumed_elsewhere, 0, ["resuming: 3 documents"], check=each_document_once),
    Case("resume with other inputs", other_inputs, 2, ["another job (inputs was"], check=refused_resume_left_alone),
    Case("resume in another format", other_format, 2, ['format was "csv", now "jsonl"'], check=refused_resume_left_alone),
    # silent mojibake and misattributed rows
    Case("one gbk line among utf-8", mixed_encodings, 0, ["short.jsonl: mixes encodings: 1 line(s)"], check=mixed_read_right),
    Case("csv unterminated quote", unterminated_quote, 1, ["t.csv:2: a quote opened here is never closed"],
         check=rows_credited_right),
    Case("duplicate ids", duplicate_ids, 0, ["the id 'a' was seen before; this document is 'a#2'"], check=duplicates_kept_apart),
    # output paths
    Case("symlink planted at OUT.partial", link_planted_at("out.csv.partial"), 0, ids={"doc1.txt", "doc2.txt"}, check=victim_untouched),
    Case("symlink planted at OUT.lock", link_planted_at("out.csv.lock"), 2,
         ["cannot create its lock file", "out.csv.lock (it is a symbolic link; remove it)"], check=nothing_written),
    Case("-o a symlink", link_planted_at("out.csv"), 2, ["out.csv is a symbolic link"], check=link_left_alone),
    Case("-o a device", output_is_a_device, 0, ["2 documents"], check=device_still_a_device),
    Case("cluster -o a device", cluster_to_a_device, 0, ["6 documents"], check=device_still_a_device),
    Case("-o a folder", output_is_a_folder, 2, ["out.csv is a folder"]),
    Case("cluster -o a folder", cluster_output_is_a_folder, 2, ["out.csv is a folder"]),
    Case("-o locked by another run", output_is_locked, 1, ["out.csv is being written by another run"],
         check=other_run_untouched),
    # workers and signals (the rest in test_hostile_processes.py)
    Case("csv field over --max-size", record_over_max_size, 1, ["t.csv:3: record longer than the 1 MB limit"], {"s1", "s2"}),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_run(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args = case.make(tmp_path, monkeypatch)
    try:
        result = run(*args)
    finally:
        while _HELD:
            _HELD.pop().release()
    err = result.stderr
    assert result.exit_code == case.status, err
    assert "Traceback" not in err
    for words in case.named:
        assert words in err, (words, err)
    if case.ids is not None:
        out = tmp_path / "out.csv"
        assert {r["doc_id"] for r in rows(out)} == case.ids
    if case.check is not None:
        case.check(tmp_path, err)


def test_stdin_over_max_size() -> None:
    """--max-size holds for stdin too: never more than the limit is read from the pipe."""
    result = CliRunner().invoke(cli, ["extract", "-", *MONEY, "--max-size", "1"], input=("投资1亿元。" * 200_000).encode())
    assert result.exit_code == 1
    assert "<stdin>: too large: more than the 1 MB limit" in result.stderr


def test_one_file_mode_for_every_output(tmp_path: Path) -> None:
    """Every file written (extract, projects, cluster's three) gets the user's umask, nothing else."""
    two_subjects(tmp_path / "in")
    old = os.umask(0o027)
    try:
        assert run("extract", str(tmp_path / "in"), "-o", str(tmp_path / "e.csv"), *MONEY).exit_code == 0
        assert run("projects", str(tmp_path / "in"), "-o", str(tmp_path / "p.csv"), "--workers", "1").exit_code == 0
        assert run("cluster", str(tmp_path / "in"), "-k", "2", "-o", str(tmp_path / "c.csv"), "--workers", "1",
                   "--save", str(tmp_path / "m.npz")).exit_code == 0  # fmt: skip
    finally:
        os.umask(old)
    written = ["e.csv", "p.csv", "c.csv", "c.terms.csv", "m.npz"]
    assert {n: oct(stat.S_IMODE((tmp_path / n).stat().st_mode)) for n in written} == {n: "0o640" for n in written}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["in", *written])  # no lock or temp file left


def test_a_second_run_on_a_busy_output_waits_for_nothing(tmp_path: Path) -> None:
    """The lock is the kernel's (flock): held by a real other process, released when it ends."""
    import subprocess

    texts(tmp_path / "in", 2)
    out = tmp_path / "out.csv"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from xiangtan_nlp.io.write import OutputLock; "
         f"lock = OutputLock({str(out)!r}); print('held', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        busy = run("extract", str(tmp_path / "in"), "-o", str(out), *MONEY)
        assert busy.exit_code == 1 and f"{out} is being written by another run (process {holder.pid})" in busy.stderr
        assert not out.exists()
    finally:
        holder.communicate("")  # the holder ends: the kernel releases its lock
    free = run("extract", str(tmp_path / "in"), "-o", str(out), *MONEY)
    assert free.exit_code == 0, free.stderr
    assert {r["doc_id"] for r in rows(out)} == {"doc1.txt", "doc2.txt"}


@pytest.mark.parametrize("target", ["file", "stdout"])
def test_a_document_with_an_unwritable_row_leaves_none_of_its_rows(tmp_path: Path, target: str, capsys) -> None:
    """A lone surrogate in the third row of a document: the document's first two rows go too."""
    from xiangtan_nlp.io.write import RecordWriter, UnwritableRow

    path = None if target == "stdout" else str(tmp_path / "t.csv")
    w = RecordWriter(path, "csv", columns=("doc_id", "text"))
    w.write_rows([("a", "甲")])
    w.commit("a")
    with pytest.raises(UnwritableRow, match="its text holds '\\\\udc80'"):
        w.write_rows([("b", "乙1"), ("b", "乙2"), ("b", "bad \udc80"), ("b", "乙4")])
    w.commit("b")
    w.write_rows([("c", "丙")])
    w.commit("c")
    w.close(True)
    written = capsys.readouterr().out if path is None else (tmp_path / "t.csv").read_text(encoding="utf-8")
    assert written == "doc_id,text\na,甲\nc,丙\n"
