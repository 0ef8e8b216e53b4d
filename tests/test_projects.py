"""Project names, links from figures to projects, the projects table and command, and the gold articles."""

from __future__ import annotations

import csv
import json
import subprocess
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
from xiangtan_nlp.model import Document, Record, format_decimal
from xiangtan_nlp.cleaning import clean
from xiangtan_nlp.extraction.projects import tagger
from xiangtan_nlp.extraction.projects.score import (
    DocScore, evaluate, match_names, name_key, offset_map, raw_span, read_split, score_document, totals,
)

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


# Hand-written cases (issue 4), the names as GUIDELINE.md of tests/data/projects writes them (a place
# attached to a name stays in it: 湘潭县柏屹自主创新园). They were written for the rules the learned
# recognizer replaced; it is not fitted to them, so they are a count, with the floor it reaches,
# not one assertion each: (text, project names that should be found).
FOUND = [
    ("总投资20亿元的湖南中部(湘乡)电力产业园，这次参加项目竞赛。", ["湖南中部(湘乡)电力产业园"]),
    ("娲石集团6200t/d新型绿色智能化熟料生产线正式点火投产。", ["娲石集团6200t/d新型绿色智能化熟料生产线"]),
    ("潭州大道、芙蓉大道快速化改造项目提前顺利通车。", ["潭州大道快速化改造项目", "芙蓉大道快速化改造项目"]),
    ("市民之家、湖湘学校以及河西、板塘客运枢纽站场等民生项目取得重大进展。",
     ["市民之家", "湖湘学校", "河西客运枢纽站场", "板塘客运枢纽站场"]),
    ("杨梅洲大桥、下摄司大桥、西环线等重大基础设施项目相继开复工。", ["杨梅洲大桥", "下摄司大桥", "西环线"]),
    ("湘潭县柏屹自主创新园，将一片荒丘变成一座现代化产业园。", ["湘潭县柏屹自主创新园"]),
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
]  # fmt: skip
FOUND_FLOOR = 15  # of the 26 names, found by the learned recognizer when it shipped (the rules: all)

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
NOT_PROJECTS_FLOOR = 13  # of the 14 phrases, left without any name when the recognizer shipped


def test_hand_cases_found() -> None:
    missed = [(name, names(text)) for text, expected in FOUND for name in expected if name not in names(text)]
    found = sum(len(e) for _, e in FOUND) - len(missed)
    assert found >= FOUND_FLOOR, f"{found} found; missed {missed}"


def test_hand_cases_not_projects() -> None:
    wrong = [(text, names(text)) for text in NOT_PROJECTS if names(text)]
    assert len(NOT_PROJECTS) - len(wrong) >= NOT_PROJECTS_FLOOR, wrong


def test_split_coordination_gives_each_conjunct_the_shared_head() -> None:
    # GUIDELINE 4: 【潭州大道】、【芙蓉大道快速化改造项目】 are two projects; the first keeps its own slice
    text = "潭州大道、芙蓉大道快速化改造项目提前顺利通车。"
    recs = find_projects(text)
    assert names(text) == ["潭州大道快速化改造项目", "芙蓉大道快速化改造项目"]
    first = recs[0]
    assert (first.text, first.start, first.end) == ("潭州大道", 0, 4)
    assert first.type == "infrastructure" and first.stage == "通车"


def test_location_stage_type_read_around_a_name() -> None:
    recs = find_projects("1月6日，我们走进位于湘乡经开区的湖南中部(湘乡)电力产业园。")
    assert [(r.project, r.location, r.type) for r in recs] == [("湖南中部(湘乡)电力产业园", "湘乡经开区", "industrial park")]
    recs = find_projects("落户湘潭高新区的中南高科湘潭智造产业园项目，总投资超过30亿元。")
    assert [(r.project, r.location, r.stage) for r in recs] == [("中南高科湘潭智造产业园项目", "湘潭高新区", "落户")]


def test_alias_with_and_without_location_is_one_project() -> None:
    # a place before the name stays in it (GUIDELINE 3.1) and is also the project's location
    text = "湘潭经开区宏大真空镀膜装备产业化基地项目开工。湘潭经开区宏大真空镀膜装备产业化基地项目总投资5亿元。"
    table = projects([text], clean=False)
    assert list(table["project"]) == ["湘潭经开区宏大真空镀膜装备产业化基地项目"]
    assert table.loc[0, "location"] == "湘潭经开区" and table.loc[0, "mentions"] == 2
    assert table.loc[0, "investment"] == Decimal("500000000")


def _project(text: str, name: str) -> Record:
    """A project record for the first occurrence of ``name`` (links are tested apart from recognition)."""
    start = text.index(name)
    return Record(kind="project", text=name, start=start, end=start + len(name), project=name)


# (text, the project named in it, figure text, the project it belongs to, or None): the linker alone,
# given the name (recognition is measured apart)
LINKS = [
    ("总投资20亿元的湖南中部(湘乡)电力产业园，这次参加项目竞赛。", "湖南中部(湘乡)电力产业园", "20亿元", "湖南中部(湘乡)电力产业园"),
    ("落户湘潭高新区的中南高科湘潭智造产业园项目，总投资超过30亿元。", "中南高科湘潭智造产业园项目", "超过30亿元", "中南高科湘潭智造产业园项目"),
    ("山东钢铁集团喀什钢铁产业升级项目动工。在奠基仪式上，董事长说，项目总投资120亿，占地3800亩。",
     "山东钢铁集团喀什钢铁产业升级项目", "120亿", "山东钢铁集团喀什钢铁产业升级项目"),
    ("方正电机的新业务：年产30万台电动汽车驱动电机项目，总投资87500万元。项目建设期为两年，全部投产后年实现销售收入15亿元。",
     "年产30万台电动汽车驱动电机项目", "87500万元", "年产30万台电动汽车驱动电机项目"),
    ("投资6000万元实施太平湖国家湿地公园环境整治与保护工程，加强区域水质保护。", "太平湖国家湿地公园环境整治与保护工程", "6000万元",
     "太平湖国家湿地公园环境整治与保护工程"),
    ("三菱树脂、协鑫光伏二期等7个外资项目，合计总投资12.1亿美元。", "协鑫光伏二期", "12.1亿美元", None),
    ("格力电器西南制冷产业基地开工。格力电器2010年实现净利润42.76亿元，同比增长46%。", "格力电器西南制冷产业基地", "42.76亿元", None),
    ("企业拟投资2.2亿元在湘潭经开区建设一座现代化工厂。", None, "2.2亿元", None),
]  # fmt: skip


@pytest.mark.parametrize("text,name,figure,project", LINKS)
def test_links(text: str, name: str | None, figure: str, project: str | None) -> None:
    figs = xt.extract(text, kinds="money,percent", clean=False)
    linked = link_figures(text, figs, [_project(text, name)] if name else [])
    fig = next(r for r in linked if r.text == figure)
    assert fig.project == project, [(r.kind, r.text, r.project) for r in linked]


def test_percentages_are_not_linked() -> None:
    # GUIDELINE 7: a share or a rate is not a figure of the project
    text = "湖南中部(湘乡)电力产业园总投资20亿元，完成投资的85%。"
    figs = xt.extract(text, kinds="money,percent", clean=False)
    linked = link_figures(text, figs, [_project(text, "湖南中部(湘乡)电力产业园")])
    assert [(r.kind, r.project) for r in linked] == [("money", "湖南中部(湘乡)电力产业园"), ("percent", None)]


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
    """Name scores, link misses, money links right and money links counted for one gold article."""
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
    for g, p in res["money"]["matched"]:  # only money is linked since issue 14 (GUIDELINE 7)
        if not g.get("project"):
            continue
        counted += 1
        if gs.project_name_matches(p.get("project"), g["project"]):
            right += 1
        else:
            link_misses.append((g["text"], g["project"], p.get("project")))
    return names_result, link_misses, right, counted


def test_gold_names_and_links() -> None:
    # The 23 tests/gold articles were the development set of the rules (name F1 0.962, links 73/75
    # there, issue 4) and are part of dev, which the shipped models are trained on (with train) since
    # issue 14's second round: these are fit figures, floors against regressions. The shipped
    # models reach name F1 0.823, money links 63/69, the seed 0.977 (gold_scorer's matching, which
    # allows a place before a name).
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
    assert agg["f1"] >= 0.80, f"name F1 {agg['f1']:.3f}\n{detail}"
    assert counted >= 60 and accuracy >= 0.89, f"link accuracy {right}/{counted}\n{detail}"
    assert seed_result is not None and seed_result["f1"] >= 0.97, f"seed {seed_result}\n{detail}"


# ----------------------------------------------------------------- the annotated articles (issue 14)
PROJECT_DATA = Path(__file__).parent / "data" / "projects"


def _analyse(text: str) -> tuple:
    """What a user gets for one article: the cleaning steps and the records of the cleaned text."""
    cleaned = clean(text)
    _, recs = extract_document(Document(id="doc", text=cleaned.text), KINDS, clean=False)
    return cleaned.steps, recs


@pytest.fixture(scope="module")
def dev_scores() -> list[DocScore]:
    return evaluate(read_split(PROJECT_DATA / "dev.jsonl"), _analyse)


def test_pooled_folds_sum_like_one_set_of_documents(dev_scores: list[DocScore]) -> None:
    # the CV benchmarks pool their folds with Totals.merge: two halves merged must give the totals
    # of all the documents, ratios included
    half = len(dev_scores) // 2
    pooled = totals(dev_scores[:half])
    pooled.merge(totals(dev_scores[half:]))
    whole = totals(dev_scores)
    assert vars(pooled) == vars(whole) and pooled.docs == len(dev_scores) > half > 0
    assert (pooled.f1, pooled.link_accuracy) == (whole.f1, whole.link_accuracy)


def test_dev_figures(dev_scores: list[DocScore]) -> None:
    # dev (57 articles: 34 new, 23 tests/gold) chose features and settings, then joined train for the
    # shipped fit: a fit figure now (name P 0.864 R 0.950 F1 0.905, links 76/81; 0.890 and 75/81
    # before the silver sentences, boundary filters and L2 15 of issue 14's third round). The
    # held-out dev figure is the train-only model's, asserted in test_train_only_model_on_dev.
    t = totals(dev_scores)
    assert t.tp + t.fn == 160 and t.links == 81  # the resolved dev split
    assert t.f1 >= 0.90, (t.precision, t.recall, t.f1)
    assert t.links_right >= 76, (t.links_right, t.links)


def test_sealed_test_figures() -> None:
    # The sealed test (78 articles, 185 projects, 63 links; xwlb 2021-2025, eb 2011-08 to 10, cnews
    # 房产), scored once on the final models of each round (issue 14). Second scoring (third round:
    # silver sentences, boundary filters, L2 15; its errors had been read once after the first):
    # name P 0.539 R 0.638 F1 0.584, links 41/63 (0.651). First scoring: F1 0.560, links 34/63.
    # Nothing was changed after either scoring. The target is 0.85 for both.
    t = totals(evaluate(read_split(PROJECT_DATA / "test.jsonl"), _analyse))
    assert t.tp + t.fn == 185 and t.links == 63  # the resolved sealed test
    assert t.f1 >= 0.584, (t.precision, t.recall, t.f1)
    assert t.links_right >= 41, (t.links_right, t.links)


def test_second_sealed_test_figures() -> None:
    # test2 (65 articles, 159 projects, 19 links; xwlb 2021-2024, eb from 2011-08, cnews 房产), drawn
    # and annotated in the third session, after test's errors had been read twice, before any model
    # ran on it. Scored once, with the models shipped since the third round (nothing was changed
    # after): name P 0.594 R 0.635 F1 0.614, links 10/19 (0.526). Its errors have not been read.
    t = totals(evaluate(read_split(PROJECT_DATA / "test2.jsonl"), _analyse))
    assert t.tp + t.fn == 159 and t.links == 19  # the resolved second sealed test
    assert t.f1 >= 0.6139, (t.precision, t.recall, t.f1)  # 101 right, 69 extra, 58 missed
    assert t.links_right >= 10, (t.links_right, t.links)


def test_splits_share_no_article() -> None:
    # test2, train2 and test3 were drawn from what the splits before them left (projects_data.py
    # check also compares near-duplicates, with the shared data at hand)
    ids = {split: {r["id"] for r in read_split(PROJECT_DATA / f"{split}.jsonl")} for split in
           ("train", "dev", "test", "test2", "train2", "test3")}  # fmt: skip
    names = sorted(ids)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not ids[a] & ids[b], (a, b, sorted(ids[a] & ids[b])[:3])



def test_third_sealed_test_is_annotated() -> None:
    # test3 (fourth session): 85 articles of test's period and sources, annotated by reading before
    # anybody tuned against it; scored once in the fifth session with the unchanged models (name F1
    # 0.576, links 15/28; errors unread). Nothing in the suite or the benchmark's default run scores
    # it, so that its figure does not guide whoever tunes the models next.
    recs = read_split(PROJECT_DATA / "test3.jsonl")
    assert len(recs) >= 40 and sum(len(r["projects"]) for r in recs) >= 150
    for r in recs:
        assert all(r["doc"][m["start"] : m["end"]] == m["text"] for m in r["mentions"]), r["id"]
        assert r["source"] == "cnews" or r["date"] >= ("2021-01-01" if r["source"] == "xwlb" else "2011-08-01"), r["id"]


def test_second_annotation_agrees_with_the_first() -> None:
    # the agreement study (tests/data/projects/README.md): 52 train and dev articles annotated a
    # second time, blind; names scored as the benchmark scores the recognizer (the first annotation
    # as reference, the second's canonical names as predictions): F1 0.950. The target, 0.85,
    # is below it. The sealed test3 articles of the study (parts e, f) are left to the benchmark.
    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    from projects_data import read_src  # the src reader of the annotation tooling (reads no shared data)

    firsts = {r["id"]: r for split in ("train", "dev") for r in read_split(PROJECT_DATA / f"{split}.jsonl")}
    t = totals(
        score_document(firsts[e["id"]], [p["name"] for p in e["projects"]], [])
        for part in "abcd"
        for e in read_src(PROJECT_DATA / "agree" / f"{part}.src.jsonl")
    )
    assert t.docs == 52 and t.tp + t.fn == 120
    assert t.f1 >= 0.94, (t.precision, t.recall, t.f1)


def test_train_only_model_on_dev(tmp_path: Path) -> None:
    # the models trained on train alone (train.py --splits train, with the silver sentences, which
    # come from train's period), scored on dev: the held-out dev figures the settings were chosen on
    # (name F1 0.710, links 52/81; the 34 new articles 0.624). Before issue 14's third round: 0.671,
    # 46/81, 0.594.
    from xiangtan_nlp.extraction.projects import linker
    from xiangtan_nlp.extraction.projects.train import main

    assert main(["--data", str(PROJECT_DATA), "--out", str(tmp_path), "--splits", "train"]) == 0
    crf = tagger.Model.from_tsv((tmp_path / tagger.MODEL_FILE).read_text("utf-8"))
    raw = json.loads((tmp_path / linker.MODEL_FILE).read_text("utf-8"))
    links = linker.LinkModel(raw["weights"], raw["intercept"], raw["threshold"])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tagger, "load_model", lambda: crf)
        mp.setattr(linker, "load_model", lambda: links)
        t = totals(evaluate(read_split(PROJECT_DATA / "dev.jsonl"), _analyse))
    assert t.f1 >= 0.709, (t.precision, t.recall, t.f1)
    assert t.links_right >= 52, (t.links_right, t.links)


# The seed's 18 required names: the 21 project names of tests/gold/000_9f14ab93c5a18b94.json less
# the three its notes single out as uncertain: 东风西路 (borderline) and 湘韶大道 and 姜道线 (from the
# garbled run 城际铁路西环线绕城线湘韶大道、姜道线). The target is F1 >= 0.90 on them with its
# three links right. The seed is in dev, which the shipped models are trained on: they find all 18
# with no extra (a fit figure); trained on train alone (and the silver sentences), 17 of 18 and 5
# extras (0.850; 4 extras, 0.872, before the silver sentences), links right both ways. Names of the other annotated projects count neither way.
SEED_OPTIONAL = ("东风西路", "湘韶大道", "姜道线")


def test_seed_required_names_and_links(dev_scores: list[DocScore]) -> None:
    seed = next(r for r in read_split(PROJECT_DATA / "dev.jsonl") if r["source"] == "seed")
    gold = [p["name"] for p in gs.load_gold(gs.GOLD_DIR / "000_9f14ab93c5a18b94.json")["projects"]]
    required_names = [g for g in gold if g not in SEED_OPTIONAL]
    assert len(required_names) == 18
    # each required gold name is one annotated project (the annotation writes the fullest form)
    by_key = {name_key(p["name"]): p for p in seed["projects"]}
    required = [min((p for k, p in by_key.items() if k.endswith(name_key(g))), key=lambda p: len(p["name"])) for g in required_names]
    optional = [p for p in seed["projects"] if p not in required]
    _, recs = _analyse(seed["doc"])
    predicted = [r.project for r in recs if r.kind == "project"]
    matches, missed, extra = match_names(required + optional, predicted)
    tp = sum(1 for gi, _, _ in matches if gi < len(required))
    fn = sum(1 for gi in missed if gi < len(required))
    f1 = 2 * tp / (2 * tp + len(extra) + fn)
    assert f1 >= 0.97, (f1, [required[i]["name"] for i in missed if i < len(required)], extra)
    score = next(s for s in dev_scores if s.source == "seed")
    assert (score.links, score.links_right) == (3, 3), score.wrong_links


# ------------------------------------------------------------------------- the models (issue 14)
def test_silver_sentences_come_from_train_period_and_repeat_no_split_article() -> None:
    # tests/data/projects/silver.jsonl (benchmarks/projects_silver.py): sentences of lm_corpus items
    # of train's period (xwlb 2012-2018, eb before 2011-06-01) whose names a pattern marked
    import datetime as dt

    silver = read_split(PROJECT_DATA / "silver.jsonl")
    assert len(silver) >= 500
    # every split the models are trained or measured on (train2, trained on by neither, was annotated
    # after the silver sentences were drawn and may share an item with them)
    splits = ("train", "dev", "test", "test2", "test3")
    docs = [r["doc"] for split in splits for r in read_split(PROJECT_DATA / f"{split}.jsonl")]
    split_ids = {r["id"] for split in splits for r in read_split(PROJECT_DATA / f"{split}.jsonl")}
    for rec in silver:
        item = rec["id"].split("#")[0]
        assert rec["silver"] is True and item not in split_ids, rec["id"]
        if item.startswith("xwlb-"):
            assert 2012 <= int(item[5:9]) <= 2018, item
        else:  # eb ids are Hibernate uuid.hex: milliseconds since 1970 in hex digits 16-28
            millis = int(item.rsplit("-", 1)[1][16:28], 16)
            assert dt.datetime.fromtimestamp(millis / 1000, tz=dt.timezone.utc).date() < dt.date(2011, 6, 1), item
        assert rec["mentions"] and all(rec["doc"][m["start"] : m["end"]] == m["text"] for m in rec["mentions"])
        # no sentence of a split article (near-duplicate items were left out whole)
        if len(rec["doc"]) >= 20:
            assert not any(rec["doc"] in d for d in docs), rec["doc"]


@pytest.mark.parametrize(
    "name, repaired",
    [
        ("南水北调中线一期工程主体工程", "南水北调中线一期工程"),  # a part of the works after the name
        ("富士康第10.5代显示器全生态产业园区落户广州增城", "富士康第10.5代显示器全生态产业园区"),  # its clause
        ("唐津高速公路(津塘公路-荣乌高速)起自津塘公路互通式立交", "唐津高速公路(津塘公路-荣乌高速)"),
        ("伊钢”)钢铁项目一期技改工程", "钢铁项目一期技改工程"),  # the end of a quoted alias before it
        ("团结灌溉站至鸭子口堤防（不含", "团结灌溉站至鸭子口堤防"),  # an unclosed bracket
        ("大张高铁正线", "大张高铁"),
        ("下穿京台高速桥", "京台高速桥"),
        ("唐津高速公路(天津南段)工程", "唐津高速公路(天津南段)工程"),  # balanced: unchanged
        ("湘潭经开区宏大真空产业化基地项目", "湘潭经开区宏大真空产业化基地项目"),
    ],
)
def test_boundary_repairs(name: str, repaired: str) -> None:
    from xiangtan_nlp.extraction.projects.mentions import _repair

    a, b = _repair(name, 0, len(name))
    assert name[a:b] == repaired


def test_models_are_loaded_on_first_use_not_at_import() -> None:
    code = (
        "import xiangtan_nlp, xiangtan_nlp.extraction.projects\n"
        "from xiangtan_nlp.extraction.projects import linker, tagger\n"
        "print(tagger.load_model.cache_info().currsize, tagger.clusters.cache_info().currsize,"
        " linker.load_model.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["0", "0", "0"]
    assert tagger.load_model() is tagger.load_model()  # read once


def test_shipped_models_are_small_and_plain_text() -> None:
    data = Path(xt.__file__).parent / "data"
    sizes = {name: (data / name).stat().st_size for name in ("project_crf.tsv", "project_links.json", "project_clusters.tsv")}
    assert sum(sizes.values()) <= 5_000_000, sizes
    model = tagger.load_model()
    assert set(model.weights) == set(tagger.TEMPLATES) and len(model.transitions) == 9


def test_training_reproduces_the_shipped_models(tmp_path: Path) -> None:
    from xiangtan_nlp.extraction.projects.train import main

    assert main(["--data", str(PROJECT_DATA), "--out", str(tmp_path)]) == 0
    data = Path(xt.__file__).parent / "data"
    for name in ("project_crf.tsv", "project_links.json"):
        assert (tmp_path / name).read_bytes() == (data / name).read_bytes(), name


def test_numpy_decoder_gives_crfsuite_labels(tmp_path: Path) -> None:
    # the shipped weights are decoded without crfsuite: on a model trained on a few articles, the
    # labels of every dev window must be the ones crfsuite's own tagger gives
    import pycrfsuite

    from xiangtan_nlp.extraction.projects.train import export, fit_crf, read_jsonl

    articles = read_jsonl(PROJECT_DATA / "train.jsonl")[:30]
    path = fit_crf(articles, tmp_path / "crf.bin", {"max_iterations": 60})
    crf = pycrfsuite.Tagger()
    crf.open(str(path))
    info = crf.info()
    model = export(info.state_features, info.transitions)
    model = tagger.Model.from_tsv(model.to_tsv())
    seg = tagger.default_segmenter()
    checked = named = ties = 0
    for rec in articles + read_split(PROJECT_DATA / "dev.jsonl")[:20]:
        doc = tagger.fold(rec["doc"])
        spans = list(tagger.windows(doc))
        for (a, b), rule in zip(spans, tagger.rule_labels(doc, spans)):
            tokens = seg.pos(doc[a:b])
            em = model.emissions([tagger.analyse(doc[a:b], tokens, rule)]).tolist()
            ours = model.viterbi(em)
            theirs = crf.tag(tagger.features(doc[a:b], tokens, rule))
            if ours != theirs:
                # only a near tie may differ: the shipped weights are pruned (< 1e-3) and rounded
                scores = [
                    sum(em[i][tagger.LABELS.index(x)] for i, x in enumerate(path))
                    + sum(model.transitions.get(t, 0.0) for t in zip(path, path[1:]))
                    for path in (ours, theirs)
                ]
                assert abs(scores[0] - scores[1]) < 0.01, (doc[a:b], ours, theirs, scores)
                ties += 1
            checked += 1
            named += "B" in ours
    assert checked > 300 and named > 20 and ties <= 2


def test_windows_cover_the_clauses_with_heads_only() -> None:
    text = "今天天气很好，我们去江边散步。湘潭大数据中心加快推进，总投资20亿元的湖南中部(湘乡)电力产业园开工。"
    spans = list(tagger.windows(text))
    assert [text[a:b] for a, b in spans] == ["湘潭大数据中心加快推进", "总投资20亿元的湖南中部(湘乡)电力产业园开工"]
    long = "项目" * 2000  # no punctuation: windows are cut, every character still in one
    spans = list(tagger.windows(long))
    assert all(b - a <= tagger.MAX_WINDOW for a, b in spans) and spans[-1][1] == len(long)


# --------------------------------------------------------------------------------- the scorer
def test_name_key_folds_width_quotes_and_dashes() -> None:
    assert name_key("海尔（天津）市场“创新”产业园") == name_key('海尔(天津)市场"创新"产业园') == "海尔(天津)市场创新产业园"
    assert name_key("鲁冀界(埕口)—沾化高速公路") == name_key("鲁冀界(埕口)-沾化高速公路")


def test_match_names_canonical_first_then_forms_one_to_one() -> None:
    projects_ = [{"name": "潭州大道快速化改造项目", "mentions": ["潭州大道"]}, {"name": "抚州至吉安高速公路", "mentions": ["抚吉高速"]}]
    matches, missed, extra = match_names(projects_, ["抚吉高速", "潭州大道快速化改造项目", "抚州至吉安高速公路", "西环线"])
    assert sorted((gi, p, exact) for gi, p, exact in matches) == [(0, "潭州大道快速化改造项目", True), (1, "抚州至吉安高速公路", True)]
    assert missed == [] and extra == ["抚吉高速", "西环线"]  # an unmerged alias costs a false positive


def test_offset_map_follows_cleaning_steps() -> None:
    raw = "总投资２０亿元\u200b的湖南中部(湘乡)电力产业园"
    cleaned = clean(raw, repair=False)
    positions = offset_map(len(raw), cleaned.steps)
    start = raw.index("湖南")
    assert cleaned.text[positions[start] : positions[start] + 2] == "湖南"
    s, e = raw_span(positions, positions[3], positions[7])
    assert raw[s:e] == "２０亿元"


def test_head_trie_matches_longest_first_alternation() -> None:
    # tagger._alternation writes the head words as a trie; it must find what the flat alternation
    # of them, longest first, finds: the same spans on text woven from the words and near-misses
    import random
    import re as stdlib_re

    words = list(tagger.lexicon().heads)
    flat = stdlib_re.compile("|".join(map(stdlib_re.escape, sorted(set(words), key=lambda w: (-len(w), w)))))
    trie = tagger._alternation(words)
    rng = random.Random(7)
    chars = "".join(sorted(set("".join(words)))) + "的在，。1a"
    for _ in range(2000):
        text = "".join(rng.choice(words)[: rng.randint(1, 6)] if rng.random() < 0.6 else rng.choice(chars) for _ in range(60))
        assert [m.span() for m in trie.finditer(text)] == [m.span() for m in flat.finditer(text)], text


def test_rule_finder_head_trie_matches_guarded_alternation() -> None:
    # project_vocab writes the rule finder's heads as a trie with each word's guards; it must find
    # (overlapped, as find_mentions reads it) what the guarded alternation longest first finds
    import random

    import regex

    from xiangtan_nlp.extraction import project_vocab as pv

    v = pv.vocab()
    words = sorted(set(v.head_type) | v.action, key=len, reverse=True)
    flat = "|".join(
        (f"(?<![{pv.HEAD_NOT_AFTER[w]}])" if w in pv.HEAD_NOT_AFTER else "") + regex.escape(w)
        + (f"(?![{pv.HEAD_NOT_BEFORE[w]}])" if w in pv.HEAD_NOT_BEFORE else "")
        for w in words
    )  # fmt: skip
    reference = regex.compile(rf"(?:{flat}){pv.PHASE}?|(?<=\p{{Han}}|[A-Za-z0-9]){pv.PHASE}")
    rng = random.Random(11)
    guards = "".join(pv.HEAD_NOT_AFTER.values()) + "".join(pv.HEAD_NOT_BEFORE.values())
    chars = "".join(sorted(set("".join(words)) | set(guards))) + "一期二期的，1a"
    for _ in range(2000):
        text = "".join(rng.choice(words)[: rng.randint(1, 6)] if rng.random() < 0.6 else rng.choice(chars) for _ in range(60))
        got = [m.span() for m in v.head_re.finditer(text, overlapped=True)]
        assert got == [m.span() for m in reference.finditer(text, overlapped=True)], text


def test_span_probabilities_of_the_experiments_match_enumeration() -> None:
    # benchmarks/projects_selftrain.py and projects_rescore_cv.py read the CRF's probabilities by
    # forward-backward; on a short window they must equal the sums over every label sequence
    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    from itertools import product

    import numpy as np
    from projects_rescore_cv import span_probability
    from projects_selftrain import marginals

    from xiangtan_nlp.extraction.projects.tagger import LABELS, Model

    rng = np.random.default_rng(0)
    tr = {(a, b): float(rng.normal()) for a in LABELS for b in LABELS}
    model = Model({}, tr)
    em = rng.normal(size=(5, 3))
    paths = {p: np.exp(sum(em[i][p[i]] for i in range(5)) + sum(tr[LABELS[p[i - 1]], LABELS[p[i]]] for i in range(1, 5)))
             for p in product(range(3), repeat=5)}  # fmt: skip
    z = sum(paths.values())
    marg = marginals(model, em)
    for i in range(5):
        for lab in range(3):
            assert marg[i][lab] == pytest.approx(sum(w for p, w in paths.items() if p[i] == lab) / z)
    b, i_, o = (LABELS.index(x) for x in "BIO")
    for s, e in ((0, 1), (1, 4), (2, 5)):
        want = sum(
            w for p, w in paths.items()
            if p[s] == b and all(p[j] == i_ for j in range(s + 1, e)) and (e == 5 or p[e] != i_)
        ) / z  # fmt: skip
        assert span_probability(em, np.asarray(model._tr), s, e) == pytest.approx(want)
