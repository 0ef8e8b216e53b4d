"""Project names, links from figures to projects, the projects table and command, and the gold articles."""

from __future__ import annotations

import csv
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import xiangtan_nlp as xt
from xiangtan_nlp.pipeline.document import extract_document
from xiangtan_nlp.cli.projects import command as projects_command
from xiangtan_nlp.extraction.projects import PROJECT_COLUMNS, find_projects, link_figures
from xiangtan_nlp.pipeline import projects
from xiangtan_nlp.io.read import read_text
from xiangtan_nlp.model import Document, format_decimal

sys.path.insert(0, str(Path(__file__).parent))
import gold_scorer as gs  # noqa: E402

from conftest import SEED  # noqa: E402

KINDS = ("money", "percent", "project")


def names(text: str) -> list[str]:
    """Distinct project names found in ``text`` (not cleaned: these cases are clean already)."""
    out: list[str] = []
    for r in find_projects(text):
        if r.project not in out:
            out.append(r.project)
    return out


# (text, project names that must be found, in order)
FOUND = [
    ("总投资20亿元的湖南中部(湘乡)电力产业园，这次参加项目竞赛。", ["湖南中部(湘乡)电力产业园"]),
    ("娲石集团6200t/d新型绿色智能化熟料生产线正式点火投产。", ["娲石集团6200t/d新型绿色智能化熟料生产线"]),
    ("潭州大道、芙蓉大道快速化改造项目提前顺利通车。", ["潭州大道快速化改造项目", "芙蓉大道快速化改造项目"]),
    ("市民之家、湖湘学校以及河西、板塘客运枢纽站场等民生项目取得重大进展。",
     ["市民之家", "湖湘学校", "河西客运枢纽站场", "板塘客运枢纽站场"]),
    ("杨梅洲大桥、下摄司大桥、西环线等重大基础设施项目相继开复工。", ["杨梅洲大桥", "下摄司大桥", "西环线"]),
    ("湘潭县柏屹自主创新园，将一片荒丘变成一座现代化产业园。", ["柏屹自主创新园"]),
    ("公司计划一期投资6600万元，主要建设手术医疗设备研发及生产基地。", ["手术医疗设备研发及生产基地"]),
    ("募集资金用于半导体照明光源产业化项目、功率型红外监控系统用LED外延材料、芯片及器件产业化项目和企业技术研发中心建设项目。",
     ["半导体照明光源产业化项目", "功率型红外监控系统用LED外延材料、芯片及器件产业化项目", "企业技术研发中心建设项目"]),
    ("今年要开工建设井冈山夏坪至睦村、寻乌至全南以及昌樟扩建3个高速公路项目。",
     ["井冈山夏坪至睦村高速公路", "寻乌至全南高速公路", "昌樟扩建"]),
    ("黄山市污水处理厂、黄山区、休宁污水处理厂已先后投入使用。",
     ["黄山市污水处理厂", "黄山区污水处理厂", "休宁污水处理厂"]),
    ("墨脱公路嘎隆拉隧道贯通，拉萨至贡嘎机场专用公路工程进入攻坚阶段。", ["墨脱公路嘎隆拉隧道", "拉萨至贡嘎机场专用公路工程"]),
    ("新疆宝泰隆煤化工有限责任公司年产100万吨煤制乙二醇多联产项目在奇台县喇嘛湖梁工业园动工。",
     ["年产100万吨煤制乙二醇多联产项目"]),
    ("2010年新增募投项目“海洋工程设计中心二期”，表明发展海洋工程设计的强烈愿望。", ["海洋工程设计中心二期"]),
]

# phrases that look like projects and are not: generic kinds, zones, companies, references
NOT_PROJECTS = [
    "湘潭以重大项目为抓手，精心挑选重点项目、民生项目、招商项目和产业项目。",
    "这些项目既是全市项目推进的重点、难点所在。",
    "湘潭高新区审批时限压缩，滁州经济开发区也在推进。",
    "湖南爱可信装备制造有限公司，是一家生产新能源电池箱体的高科技企业。",
    "爱可信公司项目负责人刘前林对我们说。",
    "企业拟投资2.2亿元在湘潭经开区建设一座现代化工厂。",
    "老旧小区改造、黑臭水体治理取得进展。",
    "供热覆盖区域东到黑龙江路，西至胶州湾，南至瑞昌路。",
    "一是黄山风景区生态环境保护建设工程。",
    "格力电器目前在全球拥有珠海、重庆、合肥、郑州八大生产基地。",
    "滨州公路建设计划完成投资约190亿元。",
    "北京大学政府管理学院教授张三表示，投资仍将增长。",
    "项目位于乌兰浩特市工业园区。",
    "中国与丰田、日产一起对生产芯片半导体的工厂进行调查。",
]


@pytest.mark.parametrize("text,expected", FOUND)
def test_names_found(text: str, expected: list[str]) -> None:
    got = names(text)
    for name in expected:
        assert name in got, (name, got)


@pytest.mark.parametrize("text", NOT_PROJECTS)
def test_not_projects(text: str) -> None:
    assert names(text) == []


@pytest.mark.parametrize(
    "text,name,location,stage,kind",
    [
        ("1月6日，我们走进位于湘乡经开区的湖南中部(湘乡)电力产业园。", "湖南中部(湘乡)电力产业园", "湘乡经开区", None, "industrial park"),
        ("湘潭经开区宏大真空企业技术中心创新能力及真空镀膜成套装备产业化基地项目，从筹建到厂房交付仅用15个月。",
         "宏大真空企业技术中心创新能力及真空镀膜成套装备产业化基地项目", "湘潭经开区", None, "company plant"),
        ("落户湘潭高新区的中南高科湘潭智造产业园项目，总投资超过30亿元。", "中南高科湘潭智造产业园项目", "湘潭高新区", "落户", "industrial park"),
        ("潭州大道、芙蓉大道快速化改造项目提前顺利通车。", "芙蓉大道快速化改造项目", None, "通车", "infrastructure"),
        ("湘潭大数据中心加快推进，湖湘学校投入使用。", "湖湘学校", None, "投入使用", "public service"),
        ("上海佳豪新增募投项目“海洋工程设计中心二期”。", "海洋工程设计中心二期", None, None, "R&D centre"),
    ],
)
def test_location_stage_type(text: str, name: str, location: str | None, stage: str | None, kind: str) -> None:
    recs = [r for r in find_projects(text) if r.project == name]
    assert recs, (name, names(text))
    r = recs[0]
    assert (r.location, r.stage, r.type) == (location, stage, kind)


def test_records_are_exact_slices(seed_text: str) -> None:
    text, recs = extract_document(Document(id="seed", text=seed_text), KINDS)
    assert any(r.kind == "project" for r in recs)
    for r in recs:
        assert text[r.start : r.end] == r.text, r
        assert r.doc_id == "seed"
        if r.kind == "project":
            assert r.project and r.sentence and r.text in r.sentence
    assert [r.start for r in recs] == sorted(r.start for r in recs)


def test_split_names_keep_their_own_slice() -> None:
    text = "潭州大道、芙蓉大道快速化改造项目提前顺利通车。"
    recs = find_projects(text)
    first = next(r for r in recs if r.project == "潭州大道快速化改造项目")
    assert (first.text, first.start, first.end) == ("潭州大道", 0, 4)


def test_alias_with_and_without_location_is_one_project() -> None:
    text = (
        "湘潭经开区宏大真空镀膜装备产业化基地项目开工。宏大真空镀膜装备产业化基地项目总投资5亿元。"
    )
    table = projects([text], clean=False)
    assert list(table["project"]) == ["宏大真空镀膜装备产业化基地项目"]
    assert table.loc[0, "location"] == "湘潭经开区"
    assert table.loc[0, "investment"] == Decimal("500000000")
    assert "湘潭经开区宏大真空镀膜装备产业化基地项目" in table.loc[0, "aliases"]


# (text, figure text, project it belongs to, or None)
LINKS = [
    ("总投资20亿元的湖南中部(湘乡)电力产业园，这次参加项目竞赛。", "20亿元", "湖南中部(湘乡)电力产业园"),
    ("落户湘潭高新区的中南高科湘潭智造产业园项目，总投资超过30亿元。", "超过30亿元", "中南高科湘潭智造产业园项目"),
    ("山东钢铁集团喀什钢铁产业升级项目动工。在奠基仪式上，董事长说，项目总投资120亿，占地3800亩。",
     "120亿", "山东钢铁集团喀什钢铁产业升级项目"),
    ("方正电机的新业务：年产30万台电动汽车驱动电机项目，总投资87500万元。项目建设期为两年，全部投产后年实现销售收入15亿元。",
     "15亿元", "年产30万台电动汽车驱动电机项目"),
    ("投资6000万元实施太平湖国家湿地公园环境整治与保护工程，加强区域水质保护。", "6000万元", "太平湖国家湿地公园环境整治与保护工程"),
    ("全市投资增长8.1%，较疫情初期提升36.9个百分点。", "8.1%", None),
    ("企业拟投资2.2亿元在湘潭经开区建设一座现代化工厂。", "2.2亿元", None),
]


@pytest.mark.parametrize("text,figure,project", LINKS)
def test_links(text: str, figure: str, project: str | None) -> None:
    recs = xt.extract(text, kinds="money,percent,project", clean=False)
    fig = next(r for r in recs if r.text == figure)
    assert fig.project == project, [(r.kind, r.text, r.project) for r in recs]


def test_link_figures_only_fills_project() -> None:
    text = "总投资20亿元的湖南中部(湘乡)电力产业园。"
    figs = [r for r in xt.extract(text, kinds="money", clean=False)]
    linked = link_figures(text, figs, find_projects(text))
    assert [r.project for r in linked] == ["湖南中部(湘乡)电力产业园"]
    assert [r.text for r in linked] == [r.text for r in figs]
    assert link_figures(text, figs, []) == figs


def test_projects_table_from_strings_and_documents(seed_text: str) -> None:
    docs = [Document(id="seed", text=seed_text), "落户湘潭高新区的中南高科湘潭智造产业园项目，总投资超过30亿元。"]
    table = xt.projects(docs) if hasattr(xt, "projects") else projects(docs)
    assert list(table.columns) == list(PROJECT_COLUMNS)
    assert set(table["doc_id"]) == {"seed", "1"}
    seed = table[table["doc_id"] == "seed"]
    assert seed["project"].is_unique
    park = seed[seed["project"] == "湖南中部(湘乡)电力产业园"].iloc[0]
    assert park["investment"] == Decimal("2000000000") and park["investment_text"] == "20亿元"
    assert park["location"] == "湘乡经开区" and park["type"] == "industrial park"
    assert "60亿元以上" in park["amounts"]


def test_deterministic(seed_text: str) -> None:
    assert find_projects(seed_text) == find_projects(seed_text)


def test_bad_input_named() -> None:
    with pytest.raises(TypeError, match="str"):
        find_projects(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Documents or str|Document"):
        projects([3])  # type: ignore[list-item]


# ---------------------------------------------------------------------------------------------- CLI
def run(*args: str):
    return CliRunner().invoke(projects_command, list(args), catch_exceptions=False)


def test_cli_seed_to_csv(tmp_path: Path) -> None:
    out = tmp_path / "projects.csv"
    result = run(str(SEED), "-o", str(out), "--no-progress")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == list(PROJECT_COLUMNS)
    by_name = {r["project"]: r for r in rows}
    assert by_name["湖南中部(湘乡)电力产业园"]["investment"] == "2000000000"  # plain decimal, no exponent
    assert by_name["中南高科湘潭智造产业园项目"]["location"] == "湘潭高新区"
    assert "projects" in result.stderr and "0 failures" in result.stderr


def test_cli_bom_and_jsonl(tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    assert run(str(SEED), "-o", str(out), "--bom").exit_code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    out2 = tmp_path / "p.jsonl"
    assert run(str(SEED), "-o", str(out2)).exit_code == 0
    import json

    first = json.loads(out2.read_text(encoding="utf-8").splitlines()[0])
    assert set(first) == set(PROJECT_COLUMNS)


def test_cli_failures_named_and_others_written(tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    missing = tmp_path / "no-such.txt"
    result = run(str(SEED), str(missing), "-o", str(out))
    assert result.exit_code == 1
    assert "no-such.txt" in result.stderr
    assert "湖南中部(湘乡)电力产业园" in out.read_text(encoding="utf-8")


def test_cli_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run().exit_code == 2  # no PATH
    assert run(str(SEED), "--format", "xlsx").exit_code == 2
    assert run(str(SEED), "-o", str(SEED)).exit_code == 2  # never overwrite an input


def test_cli_failed_run_leaves_no_partial_file(tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    assert run(str(tmp_path / "missing.txt"), "-o", str(out)).exit_code == 1
    assert out.exists() and out.read_text(encoding="utf-8").startswith("doc_id,project")
    assert not list(tmp_path.glob(".p.csv.*.tmp"))


# --------------------------------------------------------------------------------------------- gold
def _evaluate(gold: dict) -> tuple[dict, list[tuple[str, str, str | None]], int, int]:
    """Name scores, link misses, links right and links counted for one gold article."""
    path = gs.corpus_path(gold)
    _, recs = extract_document(Document(id=gold["doc"], text=read_text(path)), KINDS)
    predicted = list(dict.fromkeys(r.project for r in recs if r.kind == "project"))
    names_result = gs.score_projects(gold.get("projects", []), predicted)
    figures = [
        {k: (format_decimal(v) if isinstance(v, Decimal) else v) for k, v in r.as_dict().items()}
        for r in recs
        if r.kind != "project"
    ]
    res = gs.score(gold["figures"], figures)
    right = counted = 0
    link_misses = []
    for kind in gs.KINDS:
        for g, p in res[kind]["matched"]:
            if not g.get("project"):
                continue
            counted += 1
            if gs.project_name_matches(p.get("project"), g["project"]):
                right += 1
            else:
                link_misses.append((g["text"], g["project"], p.get("project")))
    return names_result, link_misses, right, counted


def test_gold_names_and_links() -> None:
    golds = [gs.load_gold(f) for f in gs.gold_files()]
    with_projects = [g for g in golds if g.get("projects")]
    assert any(g["doc"] == SEED.name for g in with_projects), "the seed has project gold"
    assert len(with_projects) >= 16, "the seed and at least 15 articles name projects"
    results, report = [], []
    right = counted = 0
    seed_result = None
    for gold in with_projects:
        res, link_misses, r, c = _evaluate(gold)
        results.append(res)
        right, counted = right + r, counted + c
        if gold["doc"] == SEED.name:
            seed_result = res
        if res["unmatched_gold"] or res["unmatched_pred"] or link_misses:
            report.append(
                f"{gold['doc']}: missed {res['unmatched_gold']}, extra {res['unmatched_pred']}, "
                f"wrong links {link_misses}"
            )
    agg = gs.aggregate(results)
    accuracy = right / counted if counted else 1.0
    detail = "\n".join(report)
    assert agg["f1"] >= 0.90, f"name F1 {agg['f1']:.3f}\n{detail}"
    assert counted >= 30 and accuracy >= 0.90, f"link accuracy {right}/{counted}\n{detail}"
    assert seed_result is not None and seed_result["f1"] >= 0.90, f"seed {seed_result}\n{detail}"
