"""planner/outputs: a county's own templates (`--templates DIR`), autoescaping of every
name, and no private name imported from another module anywhere in planner/."""

from __future__ import annotations

import ast
import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.outputs.render import BUNDLED, TEMPLATE_NAMES
from planner.outputs.sheets import village_file
from planner.pipeline import plan_scenario

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"
SCRIPT = "<script>alert(1)</script>"
NAMES = {"V1": SCRIPT, "V2": 'A&B "村" \'x\''}
OLD_TITLE = "贫困村提升工程项目公示表"
TITLE_IN_TEMPLATE = "{{ w.notice_title.format(county=county) }}"  # the words: planner/words.py
NEW_TITLE = "村级项目建设公示（测试县用）"
ZH = ("--lang", "zh")


def run(*args):
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in res.output, res.output
    return res


@pytest.fixture(scope="module")
def plan(tmp_path_factory) -> Path:
    """tiny, solved, with a script tag and quotes in village names (and a township); the
    report and the sheets in Chinese (ZH)."""
    base = tmp_path_factory.mktemp("outputs")
    scn = base / "tiny"
    shutil.copytree(TINY, scn)
    villages = pd.read_csv(scn / "villages.csv", encoding="utf-8-sig", dtype=str,
                           keep_default_na=False)
    villages["name"] = [NAMES.get(v, n) for v, n in zip(villages["village_id"],
                                                         villages["name"])]
    villages.loc[villages["village_id"] == "V3", "township"] = "<b>乡</b>"
    villages.to_csv(scn / "villages.csv", index=False, encoding="utf-8")
    out = base / "plan"
    plan_scenario(scn, out, gap=0)
    assert run("report", out, *ZH).exit_code == 0
    assert run("sheets", out, *ZH).exit_code == 0
    return out


def _county_templates(folder: Path) -> Path:
    """A county's folder with only notice.html.j2, its title reworded."""
    folder.mkdir()
    text = (BUNDLED / "notice.html.j2").read_text(encoding="utf-8")
    assert text.count(TITLE_IN_TEMPLATE) == 1
    (folder / "notice.html.j2").write_text(
        text.replace(TITLE_IN_TEMPLATE, "{{ county }}" + NEW_TITLE), encoding="utf-8")
    return folder


def test_a_county_template_is_used_and_the_others_fall_back(plan, tmp_path):
    mine = _county_templates(tmp_path / "county")
    out = tmp_path / "sheets"
    res = run("sheets", plan, "--out", out, "--templates", mine, *ZH)
    assert res.exit_code == 0, res.output
    default = plan / "sheets"
    notices = sorted(p.name for p in default.glob("notice-*.html"))
    assert len(notices) == 2
    for name in notices:
        text = (out / name).read_text(encoding="utf-8")
        county = name[len("notice-"):-len(".html")]
        assert f"<h1>{county}{NEW_TITLE}</h1>" in text and f"<title>{county}{NEW_TITLE}" in text
        assert OLD_TITLE not in text
        # the rest of the page is the bundled one: the same table, row for row
        before = (default / name).read_text(encoding="utf-8")
        assert text.replace(NEW_TITLE, OLD_TITLE) == before
    for page in [p.name for p in default.glob("village-*.html")] + ["index.html", "notice.csv"]:
        assert (out / page).read_bytes() == (default / page).read_bytes(), page

    # report: the folder holds no report template, so the bundled one is used
    copy = _copy(plan, tmp_path / "plan")
    assert run("report", copy, "--templates", mine, *ZH).exit_code == 0
    assert (copy / "report.html").read_bytes() == (plan / "report.html").read_bytes()


def _copy(plan: Path, to: Path) -> Path:
    shutil.copytree(plan, to, ignore=shutil.ignore_patterns("sheets"))
    return to


def test_a_county_report_template(plan, tmp_path):
    before = (plan / "report.html").read_text(encoding="utf-8")
    plan = _copy(plan, tmp_path / "plan")
    mine = tmp_path / "county"
    mine.mkdir()
    (mine / "report.html.j2").write_text(
        '{% extends "_base.html.j2" %}{% block title %}县报告{% endblock %}'
        "{% block body %}<p>总投资 {{ summary.total_cost }}</p>"
        "{% for d in departments %}<h3>{{ d.name }}</h3>{% endfor %}{% endblock %}",
        encoding="utf-8")
    assert run("report", plan, "--templates", mine).exit_code == 0
    text = (plan / "report.html").read_text(encoding="utf-8")
    total = next(line for line in before.splitlines() if "总投资（万元）" in line)
    amount = total.split("总投资（万元）</td><td>")[1].split("<")[0]
    assert f"<p>总投资 {amount}</p>" in text and "<title>县报告</title>" in text
    schedule = pd.read_csv(plan / "schedule.csv", encoding="utf-8-sig", dtype=str)
    for dept in schedule["department"].unique():
        assert f"<h3>{dept}</h3>" in text
    assert run("report", plan, *ZH).exit_code == 0  # back to the bundled one
    assert (plan / "report.html").read_text(encoding="utf-8") == before


@pytest.mark.parametrize("name, body, said", [
    ("notic.html.j2", "x", "not a template the planner uses"),
    ("notice.html.j2", "{% if %}", "line 1"),
    ("notice.html.j2", "{{ no_such_thing }}", "no_such_thing"),
    ("notice.html.j2", "{{ county.__class__.__mro__ }}", "notice.html.j2"),  # sandboxed
])
def test_a_bad_county_template_fails_and_keeps_the_sheets(plan, tmp_path, name, body, said):
    out = tmp_path / "sheets"
    assert run("sheets", plan, "--out", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    mine = tmp_path / "county"
    mine.mkdir()
    (mine / name).write_text(body, encoding="utf-8")
    res = run("sheets", plan, "--out", out, "--templates", mine)
    assert res.exit_code == 1, res.output
    assert str(mine / name) in res.output and said in res.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["county", "sheets"]


def test_a_folder_without_templates_is_refused(plan, tmp_path):
    (tmp_path / "README.txt").write_text("our templates", encoding="utf-8")
    res = run("report", plan, "--templates", tmp_path)
    assert res.exit_code == 1 and "holds none of the templates" in res.output
    assert all(n in res.output for n in ("notice.html.j2", "sheet.html.j2"))


def test_bundled_templates_are_the_names_a_county_may_bring():
    assert {"report.html.j2", "sheet.html.j2", "notice.html.j2", "index.html.j2",
            "_base.html.j2"} <= set(TEMPLATE_NAMES)


# ---------------------------------------------------------------- autoescape

def _no_markup_from_names(text: str) -> None:
    assert "<script" not in text.lower() and "<b>乡" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_names_are_escaped_in_the_report(plan):
    text = (plan / "report.html").read_text(encoding="utf-8")
    _no_markup_from_names(text)
    assert "A&amp;B &#34;村&#34; &#39;x&#39;" in text  # department list: name (id)


def test_names_are_escaped_in_sheets_notices_and_index(plan):
    out = plan / "sheets"
    page = (out / village_file("V1")).read_text(encoding="utf-8")
    _no_markup_from_names(page)
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt; 提升工程任务图与时间表</h1>" in page
    v3 = (out / village_file("V3")).read_text(encoding="utf-8")
    assert "<span>乡镇：&lt;b&gt;乡&lt;/b&gt;</span>" in v3
    for name in ["index.html"] + [p.name for p in out.glob("notice-*.html")]:
        text = (out / name).read_text(encoding="utf-8")
        assert "<script" not in text.lower() and "<b>" not in text, name
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</a>" in index
    assert "A&amp;B &#34;村&#34; &#39;x&#39;</a>" in index
    with open(out / "notice.csv", encoding="utf-8-sig", newline="") as fh:
        names = {r["村编号"]: r["村名"] for r in csv.DictReader(fh)}
    assert names["V1"] == SCRIPT and names["V2"] == NAMES["V2"]  # CSV keeps the text as is


def test_a_county_template_is_escaped_too(plan, tmp_path):
    mine = tmp_path / "county"
    mine.mkdir()
    (mine / "sheet.html.j2").write_text(
        '{% extends "_base.html.j2" %}{% block body %}<p id="n">{{ name }}</p>'
        "<p>{{ township }}</p>{% endblock %}", encoding="utf-8")
    out = tmp_path / "sheets"
    assert run("sheets", plan, "--out", out, "--templates", mine).exit_code == 0
    page = (out / village_file("V1")).read_text(encoding="utf-8")
    assert '<p id="n">&lt;script&gt;alert(1)&lt;/script&gt;</p>' in page
    _no_markup_from_names(page)


# ---------------------------------------------------------------- private names

def private_imports(source: str, module: Path, root: Path) -> list[str]:
    """`from .x import _y` (any module of the project) and `mod._y` on a module imported
    from the project: names starting with one underscore taken from another module."""
    tree = ast.parse(source)
    found, modules = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            base = module.parent
            for _ in range(max(node.level - 1, 0)):
                base = base.parent
            if node.level == 0:
                if (node.module or "").split(".")[0] not in ("planner", "models"):
                    continue  # another package's own business
                base = root
            target = base.joinpath(*(node.module or "").split(".")) if node.module else base
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{module}:{node.lineno}: from {'.' * node.level}"
                                 f"{node.module or ''} import {alias.name}")
                sub = target / alias.name
                if sub.with_suffix(".py").is_file() or (sub / "__init__.py").is_file():
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in ("planner", "models") and alias.asname:
                    modules.add(alias.asname)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id in modules and node.attr.startswith("_") \
                and not node.attr.startswith("__"):
            found.append(f"{module}:{node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_the_scan_finds_a_private_import(tmp_path):
    pkg = tmp_path / "planner"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "report.py").write_text("_e = str\n", encoding="utf-8")
    here = pkg / "sub" / "sheets.py"
    src = ("from __future__ import annotations\nfrom ..report import _e, money\n"
           "from .. import report\nimport pandas as pd\nx = report._e(1) + pd._libs\n")
    assert private_imports(src, here, tmp_path) == [
        f"{here}:2: from ..report import _e", f"{here}:5: report._e"]
    assert private_imports("from .report import e, __version__\n", here, tmp_path) == []


def test_no_module_in_planner_imports_a_private_name():
    found = []
    for path in sorted((ROOT / "planner").rglob("*.py")):
        found += private_imports(path.read_text(encoding="utf-8"), path, ROOT)
    assert found == []


def test_a_plan_resaved_as_gbk_gives_the_same_outputs(plan, tmp_path):
    """Excel and WPS re-save a CSV as GBK: the report and the sheets read it the same."""
    from planner.outputs.report import build_html
    from planner.outputs.sheets import write_sheets

    gbk = _copy(plan, tmp_path / "plan")
    for name in ("schedule.csv", "villages.csv", "funds.csv"):
        text = (gbk / name).read_text(encoding="utf-8-sig")
        (gbk / name).write_bytes(text.encode("gbk"))
        assert (gbk / name).read_bytes() != (plan / name).read_bytes()
    assert build_html(gbk) == build_html(plan)
    write_sheets(gbk, tmp_path / "sheets", lang="zh")
    for page in (plan / "sheets").glob("*.*"):
        assert (tmp_path / "sheets" / page.name).read_bytes() == page.read_bytes(), page.name
