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
lines = [",".join(c for i, c in enumerate(l.split(",")) if i != 3) for l in lines]
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
print(sorted(p.name for p in BAD.iterdir()))
