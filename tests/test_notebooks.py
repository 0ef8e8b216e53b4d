"""Notebooks run top to bottom in a clean kernel; rich HTML is escaped and exact; plots draw Chinese.

The notebooks are run once per session (each in its own fresh kernel, working folder notebooks/)
and each is then checked by its own test, so a failure names the notebook and the cell.
nbclient, matplotlib and mplfonts come with the ``test`` extra; without them those tests are
skipped with the reason shown (``-ra``), and the display tests still run.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import warnings
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from xiangtan_nlp.display import document_html, edited_html, final_spans, records_html
from xiangtan_nlp.model import Cleaned, Document, Record, Records, Step, apply_steps

ROOT = Path(__file__).resolve().parent.parent
NB_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NB_DIR.glob("*.ipynb"))


# -- running the notebooks --------------------------------------------------------------------


@dataclass
class Run:
    nb: dict
    error: str | None


@pytest.fixture(scope="session")
def runs(private_cache: Path) -> dict[str, Run]:
    """Execute every notebook once, from a clean kernel, in notebooks/ (as a reader would)."""
    nbformat = pytest.importorskip("nbformat", reason="needs the test extra: pip install '.[test]'")
    nbclient = pytest.importorskip("nbclient", reason="needs the test extra: pip install '.[test]'")
    from nbclient.exceptions import CellExecutionError

    out: dict[str, Run] = {}
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        client = nbclient.NotebookClient(nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(NB_DIR)}})
        error = None
        try:
            client.execute()
        except CellExecutionError as e:  # kept, so the other notebooks still run and report
            error = str(e)
        out[path.name] = Run(nb, error)
    return out


def read_notebook(path: Path) -> dict:
    """A saved notebook as plain JSON (no nbformat needed to check what was committed)."""
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def test_the_three_notebooks_exist() -> None:
    assert [p.name for p in NOTEBOOKS] == ["01_quickstart.ipynb", "02_topics.ipynb", "03_projects.ipynb"]


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS])
def test_notebook_runs_without_errors(runs: dict[str, Run], name: str) -> None:
    run = runs[name]
    assert run.error is None, f"{name} failed:\n{run.error}"
    for cell in run.nb.cells:
        for output in cell.get("outputs", []):
            text = output.get("text", "") if output.get("name") == "stderr" else ""
            # matplotlib warns "Glyph ... missing from font(s)" when it draws boxes for Chinese
            assert "missing from font" not in text, f"{name}: Chinese drawn as boxes:\n{cell.source}\n{text}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_committed_notebook_has_outputs(path: Path) -> None:
    """A reader on GitHub sees results without running anything: every code cell was run and saved."""
    nb = read_notebook(path)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, f"{path.name} has no code"
    not_run = [_source(c).splitlines()[0] for c in code if c["execution_count"] is None]
    assert not not_run, f"{path.name}: cells saved without outputs: {not_run}"
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1)), f"{path.name}: not run in order"


def test_committed_notebooks_include_a_chart() -> None:
    images = [
        p.name
        for p in NOTEBOOKS
        for c in read_notebook(p)["cells"]
        for o in c.get("outputs", [])
        if "image/png" in o.get("data", {})
    ]
    assert images, "no notebook output holds an image"


# What may differ between two runs of the same cell: object addresses and measured durations.
# A cell whose whole output varies (a timing table, say) is tagged "varies" in its metadata.
_VARIES = [
    (re.compile(r"0x[0-9a-fA-F]{6,}"), "0x…"),
    (re.compile(r"\d+(?:\.\d+)?\s?(?:ms|µs|s|秒|毫秒)\b"), "<duration>"),
]


def _comparable_outputs(cell: dict) -> list[tuple[str, str]]:
    """A code cell's outputs as (kind, text): stdout, results and displays; stderr and images left
    out (warnings and progress bars go to stderr; PNG bytes depend on the matplotlib build)."""
    out = []
    for o in cell.get("outputs", []):
        if o["output_type"] == "stream":
            if o.get("name") == "stdout":
                out.append(("stdout", _joined(o["text"])))
        elif o["output_type"] in ("execute_result", "display_data"):
            for mime in ("text/plain", "text/html"):
                if mime in o.get("data", {}):
                    out.append((mime, _joined(o["data"][mime])))
        elif o["output_type"] == "error":
            out.append(("error", o.get("ename", "")))
    for i, (kind, text) in enumerate(out):
        for pattern, repl in _VARIES:
            text = pattern.sub(repl, text)
        out[i] = (kind, text)
    return out


def _joined(text: str | list[str]) -> str:
    return text if isinstance(text, str) else "".join(text)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_saved_outputs_are_current(runs: dict[str, Run], path: Path) -> None:
    """What a reader sees on GitHub is what the code does today: a fresh run gives the saved outputs."""
    saved = [c for c in read_notebook(path)["cells"] if c["cell_type"] == "code"]
    fresh = [c for c in runs[path.name].nb.cells if c.cell_type == "code"]
    assert len(saved) == len(fresh)
    stale = []
    for i, (s, f) in enumerate(zip(saved, fresh), 1):
        if "varies" in s.get("metadata", {}).get("tags", []):
            continue
        if _comparable_outputs(s) != _comparable_outputs(f):
            stale.append(f"cell {i}: {_source(s).splitlines()[0] if _source(s) else ''}")
    assert not stale, (
        f"{path.name}: saved outputs differ from a fresh run (re-run and save the notebook, or tag a "
        f"cell whose output varies with 'varies'): {stale}"
    )


# -- display.py -------------------------------------------------------------------------------


class Marks(HTMLParser):
    """Rebuild the text a reader sees (labels and gap markers left out) and where each <mark> sits."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.marks: list[dict] = []  # attrs plus "at" (open) and "to" (close) in self.text
        self._open: list[dict | None] = []
        self._skip = 0  # depth inside data-xt spans (labels, gaps)
        self._stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "br":
            if not self._skip:
                self.text += "\n"
            return
        self._stack.append(tag)
        if "data-xt" in a or self._skip:
            self._skip += 1
        if tag == "mark":
            m = dict(a, at=len(self.text)) if "data-start" in a else None
            self._open.append(m)

    def handle_endtag(self, tag: str) -> None:
        if tag == "br":
            return
        self._stack.pop()
        if self._skip:
            self._skip -= 1
        if tag == "mark":
            m = self._open.pop()
            if m is not None:
                m["to"] = len(self.text)
                self.marks.append(m)

    def handle_data(self, data: str) -> None:
        if not self._skip and "table" not in self._stack:
            self.text += data


def body_marks(html: str) -> Marks:
    p = Marks()
    p.feed(html)
    p.close()
    return p


def rec(kind: str, text: str, source: str, **kw: object) -> Record:
    start = source.index(text)
    return Record(kind, text, start, start + len(text), **kw)  # type: ignore[arg-type]


HOSTILE = '<script>alert("x")</script> & <b onmouseover=1>'


def test_records_html_escapes_everything() -> None:
    source = f"{HOSTILE}总投资30亿元"
    r = rec("money", "30亿元", source, label='<i>"总投资"</i>')
    html = records_html(Records([r], source_text=source))
    assert "<script" not in html and "<b " not in html and "<i>" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html and "&quot;" in html


def test_document_and_edited_html_escape_everything() -> None:
    doc = Document(id='a"<b>', text=HOSTILE, title="<t>", url="javascript:alert(1)")
    html = document_html(doc)
    assert "<script" not in html and "<t>" not in html and "<b onmouseover" not in html
    assert "a&quot;&lt;b&gt;" in html and "&lt;b onmouseover=1&gt;" in html
    assert "href=" not in html  # a scraped javascript: URL is shown, never made a link
    assert '<a href="https://x.cn/?a=1&amp;b=2">' in document_html(Document("d", "t", url="https://x.cn/?a=1&b=2"))
    steps = (Step("repair", 0, 1, "<", "＜", rule="<rule>", confidence=0.9),)
    html = edited_html(Cleaned(apply_steps("<script>", steps), steps))
    assert "<script" not in html and "<rule>" not in html


SOURCE = "湖南中部(湘乡)电力产业园总投资20亿元，全市投资增长8.1%，较疫情初期提升36.9个百分点。\n第二段：降至3.2%。"


def test_records_html_highlights_exactly_at_record_offsets() -> None:
    records = [
        rec("project", "湖南中部(湘乡)电力产业园", SOURCE),
        rec("money", "20亿元", SOURCE, label="总投资"),
        rec("percent", "8.1%", SOURCE),
        rec("percent", "36.9个百分点", SOURCE),
        rec("percent", "3.2%", SOURCE, direction="down"),
    ]
    page = body_marks(records_html(Records(records, source_text=SOURCE)))
    assert page.text == SOURCE  # nothing added to or lost from the text itself
    got = sorted((int(m["data-start"]), int(m["data-end"]), m["data-kind"], m["at"], m["to"]) for m in page.marks)
    assert got == sorted((r.start, r.end, r.kind, r.start, r.end) for r in records)


def test_records_html_nests_a_figure_inside_a_project_name() -> None:
    source = "建设年产10万吨电池项目，投资5亿元"
    outer = Record("project", "年产10万吨电池项目", 2, 12)
    inner = Record("percent", "10", 4, 6)  # any record inside another is drawn inside it
    page = body_marks(records_html(Records([outer, inner], source_text=source)))
    assert page.text == source
    assert sorted((m["at"], m["to"]) for m in page.marks) == [(2, 12), (4, 6)]


def test_records_html_long_text_shows_excerpts_around_each_record() -> None:
    source = "无关的文字。" * 400 + "总投资20亿元。" + "无关的文字。" * 400 + "增长8.1%。"
    records = [rec("money", "20亿元", source), rec("percent", "8.1%", source)]
    html = records_html(Records(records, source_text=source))
    page = body_marks(html)
    assert len(page.text) < 600 and "…" in html
    for m in page.marks:
        assert page.text[m["at"] : m["to"]] == source[int(m["data-start"]) : int(m["data-end"])]
    assert {page.text[m["at"] : m["to"]] for m in page.marks} == {"20亿元", "8.1%"}


def test_records_html_skips_records_from_another_text() -> None:
    r = Record("money", "20亿元", 0, 4)
    html = records_html(Records([r], source_text="别的文字"))
    assert body_marks(html).marks == [] and "do not point into this text" in html


# each case: original text, steps applied in order (spans in the text as it stood at that step)
EDIT_CASES = {
    "repair after a removed breadcrumb": (
        "首页>正文\n蕞终确定73位选手",
        [Step("debris", 0, 6, "首页>正文\n", "", "breadcrumb"), Step("repair", 0, 1, "蕞", "最", "evasion", 0.98)],
    ),
    "repair then debris before it": (
        "首页\n发令***响了",
        [Step("repair", 5, 8, "***", "枪", "mask", 0.8), Step("debris", 0, 3, "首页\n", "", "breadcrumb")],
    ),
    "width change before a flag": (
        "２０２０年，这个＊＊很好",
        [
            Step("normalize", 0, 4, "２０２０", "2020", "width"),
            Step("flag", 8, 10, "＊＊", "＊＊", "mask-unsure", 0.3),
        ],
    ),
}


@pytest.mark.parametrize("case", list(EDIT_CASES))
def test_edited_html_highlights_repairs_where_they_end_up(case: str) -> None:
    original, steps = EDIT_CASES[case]
    final = apply_steps(original, steps)
    page = body_marks(edited_html(Cleaned(final, tuple(steps))))
    assert page.text == final
    shown = [(page.text[m["at"] : m["to"]], m["data-kind"]) for m in page.marks]
    assert shown == [(s.after, s.kind) for s in steps if s.kind in ("repair", "flag")]
    for m in page.marks:
        assert (m["at"], m["to"]) == (int(m["data-start"]), int(m["data-end"]))


def test_final_spans_follow_later_edits() -> None:
    steps = [Step("repair", 4, 5, "蕞", "最", "evasion"), Step("normalize", 0, 2, "ＡＢ", "AB", "width"),
             Step("debris", 0, 2, "AB", "", "crumb"), Step("repair", 7, 10, "***", "枪", "mask")]  # fmt: skip
    final = apply_steps("ＡＢ前面蕞终，发令***", steps)
    assert [(final[a:b], s.rule) for a, b, s in final_spans(steps)] == [("最", "evasion"), ("枪", "mask")]


def test_edited_html_summarises_debris_and_normalisation() -> None:
    steps = (Step("normalize", 0, 1, "１", "1", "width"), Step("debris", 1, 5, "浏览量9", "", "view-counter"))
    html = edited_html(Cleaned(apply_steps("１浏览量9", steps), steps))
    assert "view-counter" in html and "浏览量9" in html and "１→1" in html and "1 debris removals" in html


def test_display_and_plotting_import_nothing_heavy() -> None:
    code = (
        "import sys, xiangtan_nlp.display, xiangtan_nlp.plotting\n"
        "heavy = {'matplotlib', 'pandas', 'jieba', 'sklearn', 'mplfonts'} & set(sys.modules)\n"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# -- Chinese in plots -------------------------------------------------------------------------


def _render_png(title: str) -> tuple[bytes, list[str]]:
    """Draw a small chart with Chinese labels to PNG (Agg, no pyplot); return it and the warnings."""
    pytest.importorskip("matplotlib", reason="needs the test extra: pip install '.[test]'")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 2))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.bar(["湘潭经开区", "湘乡经开区"], [20, 30])
    ax.set_title(title)
    buf = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(buf, format="png")
    return buf.getvalue(), [str(w.message) for w in caught]


def test_without_the_helper_chinese_is_drawn_as_boxes() -> None:
    """The check below has teeth: with matplotlib's default font, the same chart warns of missing glyphs."""
    mpl = pytest.importorskip("matplotlib", reason="needs the test extra: pip install '.[test]'")

    with mpl.rc_context({"font.family": ["sans-serif"], "font.sans-serif": ["DejaVu Sans"]}):
        _, caught = _render_png("项目投资（亿元）")
    assert any("missing from font" in w for w in caught)


def test_use_chinese_font_renders_chinese_with_the_bundled_cjk_font() -> None:
    mpl = pytest.importorskip("matplotlib", reason="needs the test extra: pip install '.[test]'")
    from matplotlib.font_manager import FontProperties, findfont
    from matplotlib.ft2font import FT2Font

    from xiangtan_nlp.plotting import BUNDLED_FONT, bundled_font_path, use_chinese_font

    if bundled_font_path() is None:
        pytest.skip("mplfonts (Noto Sans CJK SC) not installed: pip install '.[test]'")
    with mpl.rc_context():
        name = use_chinese_font()
        assert name == "Noto Sans CJK SC"
        path = findfont(FontProperties(family=["sans-serif"]), fallback_to_default=False)
        assert Path(path).name == BUNDLED_FONT
        font = FT2Font(path)
        assert all(font.get_char_index(ord(ch)) for ch in "湘潭项目投资亿元"), "glyphs missing from the font"
        png, caught = _render_png("项目投资（亿元）−5%")
        assert use_chinese_font() == name  # calling again is harmless
    assert png.startswith(b"\x89PNG") and len(png) > 1000
    assert not [w for w in caught if "missing from font" in w], caught


def test_use_chinese_font_names_a_missing_file(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="needs the test extra: pip install '.[test]'")
    from xiangtan_nlp.plotting import use_chinese_font

    with pytest.raises(FileNotFoundError, match="font file not found"):
        use_chinese_font(tmp_path / "nope.otf")


class _FakeTopics:
    """Just what topic_model_html reads from a TopicModel: describe() and repr()."""

    def describe(self, n_terms: int = 8):  # noqa: ANN201
        import pandas as pd

        return pd.DataFrame(
            [(0, 3, 0.75, "开工 <b>投资</b>", "湘潭<script>x</script>"), (1, 1, 0.25, "出口 增长", "")],
            columns=["topic", "size", "share", "terms", "example"],
        )

    def __repr__(self) -> str:
        return "TopicModel(method='lsa', k=2, 4 docs)"


def test_topic_model_html_lists_topics_escaped() -> None:
    from xiangtan_nlp.display import topic_model_html

    html = topic_model_html(_FakeTopics())
    assert "<script" not in html and "<b>投资" not in html and "&lt;b&gt;投资&lt;/b&gt;" in html
    assert "3 (75%)" in html and "1 (25%)" in html and "k=2" in html
