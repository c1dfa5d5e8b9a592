"""Write tests/data/bad/<case>/: scenarios/tiny with one defect each.

Run once to (re)write the folders: python tests/data/bad/make_bad.py
"""
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
TINY = ROOT / "scenarios" / "tiny"
BAD = ROOT / "tests" / "data" / "bad"


def case(name):
    d = BAD / name
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    for f in TINY.iterdir():
        if f.name != "README.md":
            shutil.copy(f, d / f.name)
    return d


def edit(d, file, old, new, count=1):
    p = d / file
    text = p.read_text(encoding="utf-8-sig")
    assert text.count(old) >= 1, (d, file, old)
    p.write_text(text.replace(old, new, count), encoding="utf-8")


def write_bytes(d, file, data):
    (d / file).write_bytes(data)


(case("missing_file") / "gaps.csv").unlink()
d = case("missing_column")
p = d / "projects.csv"
lines = p.read_text(encoding="utf-8-sig").splitlines()
lines = [",".join(c for i, c in enumerate(line.split(",")) if i != 3) for line in lines]
p.write_text("\n".join(lines) + "\n", encoding="utf-8")
edit(case("header_typo"), "projects.csv", "target,cost,", "target,cots,")
d = case("header_only")
(d / "funds.csv").write_text("stream,year,amount,county,carry_over,targets\n", encoding="utf-8")
write_bytes(case("empty_file"), "villages.csv", b"")
edit(case("text_in_number"), "projects.csv", "P02,V1,road,120,", "P02,V1,road,abc,")
edit(case("bad_bool"), "villages.csv", "2019,true,", "2019,maybe,")
edit(case("blank_required"), "villages.csv", "V3,高家坪村,岢岚县,", "V3,高家坪村,,")
edit(case("duplicate_village"), "villages.csv", "V4,石峁村,岢岚县,南河乡,2020,false,930,104,false\n",
     "V4,石峁村,岢岚县,南河乡,2020,false,930,104,false\nV3,石峁村,岢岚县,南河乡,2020,false,930,104,false\n")
edit(case("duplicate_project"), "projects.csv", "P07,V3,broadband", "P06,V3,broadband")
edit(case("duplicate_gap"), "gaps.csv", "V4,housing\n", "V4,housing\nV4,road\n")
edit(case("duplicate_fund"), "funds.csv", "poverty_fund,2020,20,岢岚县", "poverty_fund,2019,20,岢岚县")
edit(case("gap_unknown_village"), "gaps.csv", "V4,housing\n", "V4,housing\nV9,housing\n")
edit(case("project_unknown_village"), "projects.csv", "P09,V4,housing", "P09,V9,housing")
edit(case("requires_unknown"), "projects.csv", ",扶贫办,,P01", ",扶贫办,,P99")
edit(case("fund_unknown_county"), "funds.csv", "poverty_fund,2020,20,岢岚县", "poverty_fund,2020,20,兴县")
edit(case("negative_cost"), "projects.csv", "P04,V2,environment,18,", "P04,V2,environment,-18,")
edit(case("negative_amount"), "funds.csv", "poverty_fund,2019,30,", "poverty_fund,2019,-30,")
edit(case("implausible_cost"), "projects.csv", "P08,V4,road,80,", "P08,V4,road,1e15,")
edit(case("fund_year_outside"), "funds.csv", "poverty_fund,2020,60,", "poverty_fund,2025,60,")
edit(case("exit_year_outside"), "villages.csv", "V3,高家坪村,岢岚县,城关镇,2020", "V3,高家坪村,岢岚县,城关镇,2030")
d = case("project_year_outside")
edit(d, "projects.csv", "requires\n", "requires,earliest_year\n")
edit(d, "projects.csv", "P09,V4,housing,25,1,,,,\n", "P09,V4,housing,25,1,,,,,2017\n")
edit(case("profile_not_one"), "projects.csv", "0.6;0.4", "0.6;0.6")
d = case("requires_cycle")
edit(d, "projects.csv", "P01,V1,power,45,1,,,,", "P01,V1,power,45,1,,,,P03")
d = case("unknown_stream")
edit(d, "projects.csv", "requires\n", "requires,streams\n")
edit(d, "projects.csv", "P07,V3,broadband,9,1,,,,\n", "P07,V3,broadband,9,1,,,,,lotto\n")
edit(case("unknown_target"), "gaps.csv", "V4,housing\n", "V4,housing\nV3,wifi\n")
edit(case("deadline_unknown_county"), "scenario.yaml", "{target: road, year: 2020}",
     "{target: road, year: 2020, scope: [岢岚县, 临县]}")
edit(case("yaml_syntax"), "scenario.yaml", "years: [2019, 2020]", "years: [2019, 2020")
edit(case("yaml_years_text"), "scenario.yaml", "years: [2019, 2020]", 'years: "abc"')
d = case("yaml_deadlines_number")
p = d / "scenario.yaml"
text = p.read_text(encoding="utf-8")
p.write_text(text[:text.index("deadlines:")] + "deadlines: 5\n", encoding="utf-8")
edit(case("yaml_share"), "scenario.yaml", "{target: road, year: 2020}", "{target: road, year: 2020, share: 2}")
edit(case("yaml_weights"), "scenario.yaml", "objective: max_coverage", 'objective: max_coverage\nweights: {late_factor: "x"}')
d = case("bad_bytes")
data = (d / "villages.csv").read_bytes()
# GBK text (as WPS writes it) with two bytes that are neither UTF-8 nor GB18030
data = data.decode("utf-8-sig").encode("gbk")
write_bytes(d, "villages.csv", data.replace("王家沟村".encode("gbk"), b"\x80\xff"))
edit(case("nan_cost"), "projects.csv", "P04,V2,environment,18,", "P04,V2,environment,NaN,")
edit(case("nan_lower_amount"), "funds.csv", "poverty_fund,2019,30,", "poverty_fund,2019,nan,")
edit(case("none_cost"), "projects.csv", "P05,V3,water,40,", "P05,V3,water,None,")

# ---- issue 13: hostile YAML, typos, numbers, file shapes (one defect each)
YAML_TAIL = "- {target: road, year: 2020}                         # every road by the end of 2020\n"


def yaml_add(name, text):
    d = case(name)
    p = d / "scenario.yaml"
    p.write_text(p.read_text(encoding="utf-8") + text, encoding="utf-8")
    return d


# 560 bytes of nested aliases: 9 levels of 9 -> 9**9 values if followed
bomb = "bomb:\n  a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"  {c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
yaml_add("yaml_alias_bomb", bomb)
yaml_add("yaml_alias_recursive", "lock: &a {in: [*a]}\n")
edit(case("yaml_unknown_key"), "scenario.yaml", "years: [2019, 2020]", "yeras: [2019, 2020]")
edit(case("yaml_deadline_typo"), "scenario.yaml", "deadlines:", "deadline:")
edit(case("yaml_deadline_item_key"), "scenario.yaml", "{target: road, year: 2020}",
     "{target: road, year: 2020, shares: 0.5}")
yaml_add("yaml_overrides_key", "overrides: {fund: [{stream: poverty_fund, scale: 2}]}\n")
yaml_add("yaml_solver_key", "solver: {thread: 2}\n")
yaml_add("yaml_threads_huge", "solver: {threads: 100000000000000000000}\n")
yaml_add("yaml_time_limit_nan", "solver: {time_limit: .nan}\n")
yaml_add("yaml_weight_huge", "weights: {target_weight: 1.0e+300}\n")
yaml_add("yaml_target_builtin", "targets: {road: {name: 村道, department: 交通局}}\n")
yaml_add("yaml_target_number", "targets: {5: 7}\n")
yaml_add("yaml_move_not_mapping", "overrides: {funds: [{stream: poverty_fund, move: 5}]}\n")
yaml_add("yaml_override_year_list",
         "overrides: {funds: [{stream: poverty_fund, year: [2019, 2020], scale: 2}]}\n")
yaml_add("yaml_override_scale_huge",
         "overrides: {funds: [{stream: poverty_fund, scale: 1.0e+300}]}\n")
yaml_add("yaml_override_unknown_county",
         "overrides: {funds: [{stream: poverty_fund, county: 临县, scale: 2}]}\n")
yaml_add("yaml_exclude_unknown_village", "overrides: {exclude: {villages: [V9]}}\n")
yaml_add("yaml_exclude_unknown_county", "overrides: {exclude: {counties: [临县]}}\n")
yaml_add("yaml_years_huge", "").joinpath("scenario.yaml").write_text(
    "name: tiny\nyears: [2019, 99999999999999999999]\n", encoding="utf-8")
yaml_add("lock_out_forced", "lock: {out: [P01]}\n")
d = case("alternative_group_forced")  # P01 and P08 both forced by deadlines, one group
p = d / "projects.csv"
lines = p.read_text(encoding="utf-8-sig").splitlines()
lines = [lines[0] + ",alternative_group"] + [
    line + (",g1" if line.startswith(("P01,", "P08,")) else ",") for line in lines[1:]]
p.write_text("\n".join(lines) + "\n", encoding="utf-8")

edit(case("decimal_comma"), "projects.csv", "P04,V2,environment,18,", 'P04,V2,environment,"12,5",')
edit(case("underscore_number"), "projects.csv", "P04,V2,environment,18,", "P04,V2,environment,4_5,")
edit(case("huge_exit_year"), "villages.csv", "V3,高家坪村,岢岚县,城关镇,2020",
     "V3,高家坪村,岢岚县,城关镇,99999999999999999999")
edit(case("huge_duration"), "projects.csv", "P07,V3,broadband,9,1,", "P07,V3,broadband,9,99999999999999999999,")
edit(case("huge_population"), "villages.csv", "2020,false,650,", "2020,false,99999999999999999999,")
d = case("huge_weight")
edit(d, "gaps.csv", "village_id,target\n", "village_id,target,weight\n")
edit(d, "gaps.csv", "V4,housing\n", "V4,housing,1e300\n")
d = case("huge_leverage")
edit(d, "funds.csv", "carry_over,targets\n", "carry_over,targets,leverage\n")
edit(d, "funds.csv", "poverty_fund,2019,30,石楼县,true,*\n", "poverty_fund,2019,30,石楼县,true,*,1e20\n")
d = case("semicolon_separated")
p = d / "funds.csv"
p.write_text(p.read_text(encoding="utf-8-sig").replace(",", ";"), encoding="utf-8")
d = case("tab_separated")
p = d / "gaps.csv"
p.write_text(p.read_text(encoding="utf-8-sig").replace(",", "\t"), encoding="utf-8")
edit(case("long_cell"), "villages.csv", "V2,李家庄村,", "V2," + "李" * 5000 + ",")
edit(case("huge_cell"), "villages.csv", "V2,李家庄村,", "V2," + "x" * (128 * 1024 + 10) + ",")
edit(case("control_char"), "villages.csv", "V2,李家庄村,", "V2,李家\x07庄村,")
d = case("utf16_file")
write_bytes(d, "villages.csv", (d / "villages.csv").read_text(encoding="utf-8-sig").encode("utf-16"))


def _xlsx_copy(d, table):
    import csv

    import openpyxl

    book = openpyxl.Workbook()
    with open(d / f"{table}.csv", encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            book.active.append(row)
    book.save(d / f"{table}.xlsx")


_xlsx_copy(case("csv_and_xlsx"), "gaps")
print(sorted(p.name for p in BAD.iterdir()))
