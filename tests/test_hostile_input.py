"""Issue 13, the input side beyond one broken folder each (those are in
tests/data/bad/, run by test_bad_input.py): warnings for unknown columns, Chinese
headers, option bounds on the command line, replan actuals, and the duplicate check's
speed.  Every failing run: one message, its exit code, no traceback."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.errors import InputError
from planner.headers import header_aliases
from planner.options import Setting
from planner.scenario import load_scenario

HERE = Path(__file__).parent
TINY = HERE.parent / "scenarios" / "tiny"


def _copy_tiny(tmp_path) -> Path:
    scn = tmp_path / "scn"
    shutil.copytree(TINY, scn)
    return scn


def _run(args, code, *texts):
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert res.exit_code == code, res.output
    assert "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    lines = [line for line in res.output.splitlines() if line.strip()]
    if code == 1:
        assert len(lines) == 1 and lines[0].startswith("error: "), lines
    for text in texts:
        assert text in res.output, res.output
    return res


def _rewrite(path: Path, old: str, new: str):
    text = path.read_text(encoding="utf-8-sig")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


# ------------------------------------------------------------ columns and headers

def test_every_unknown_column_warned_with_the_nearest_known(tmp_path):
    scn = _copy_tiny(tmp_path)
    _rewrite(scn / "projects.csv", ",self_share,", ",自筹比例,")  # P05's 0.5 would be lost
    _rewrite(scn / "gaps.csv", "village_id,target\n", "village_id,target,备注\n")
    loaded = load_scenario(scn)
    assert loaded.warnings == [
        "gaps.csv, row 1, column 备注: unknown column, ignored; known columns: "
        "village_id, target, weight, quantity",
        "projects.csv, row 1, column 自筹比例: unknown column, ignored; did you mean "
        "'self_share' (自筹资金比例)?"]
    assert (loaded.projects["self_share"] == 0).all()  # ignored, as the warning says
    res = _run(["validate", scn], 0, "warning: projects.csv, row 1, column 自筹比例")
    assert "valid" in res.output


def test_chinese_headers_the_planner_writes_are_accepted(tmp_path):
    english = load_scenario(TINY)
    scn = _copy_tiny(tmp_path)
    for table in ("villages", "gaps", "projects", "funds"):
        zh = {v: k for k, v in header_aliases(table).items()}
        path = scn / f"{table}.csv"
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        lines[0] = ",".join(zh.get(c, c) for c in lines[0].split(","))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    head = (scn / "villages.csv").read_text(encoding="utf-8").splitlines()[0]
    assert head == "村编号,村名,县,乡镇,退出年度,深度贫困,人口,贫困户数,整村搬迁"
    chinese = load_scenario(scn)
    assert chinese.warnings == []
    for table in ("villages", "gaps", "projects", "funds"):
        a, b = getattr(english, table), getattr(chinese, table)
        assert list(a.columns) == list(b.columns)
        assert a.astype(str).equals(b.astype(str)), table
    # the same column twice (English and Chinese) is refused
    _rewrite(scn / "gaps.csv", "村编号,任务代码\n", "village_id,村编号,任务代码\n")
    with pytest.raises(InputError, match="column name 'village_id' appears twice"):
        load_scenario(scn)


def test_thousands_separators_are_read(tmp_path):
    scn = _copy_tiny(tmp_path)
    _rewrite(scn / "villages.csv", "V2,李家庄村,岢岚县,城关镇,2018,false,1240,",
             'V2,李家庄村,岢岚县,城关镇,2018,false,"1,240",')
    loaded = load_scenario(scn)
    assert loaded.villages.loc[1, "population"] == 1240


def test_unknown_key_in_a_base_scenario_names_its_file(tmp_path):
    base = _copy_tiny(tmp_path)
    _rewrite(base / "scenario.yaml", "objective: max_coverage", "objectiv: max_coverage")
    variant = tmp_path / "variant"
    variant.mkdir()
    (variant / "scenario.yaml").write_text("base: ../scn\nname: cut\n", encoding="utf-8")
    _run(["validate", variant], 1, f"{base / 'scenario.yaml'}, row 5, column objectiv: "
         "unknown key 'objectiv'; did you mean 'objective'?")


@pytest.mark.parametrize("extra, text", [
    ("years: [2019, 2020]", "column years: key given twice (first on row 4); keep one"),
    ('targets: {drainage: {name: "排水\\x07"}}', "column targets.drainage.name"),
    ("targets: {drainage: 5}", "column targets.drainage: 5: must be a mapping {name, department}"),
    ("weights: {raod: 2}", "column weights.raod: unknown weight 'raod'; did you mean 'road'?"),
    ("fairness: {max_sprad: 0.1}", "column fairness.max_sprad: unknown key 'max_sprad'; "
     "did you mean 'max_spread'?"),
    ("reserve: [{stream: poverty_fund, shares: 0.3}]", "column reserve[1].shares: unknown key"),
    ("lock: {inn: [P01]}", "column lock.inn: unknown key 'inn'; did you mean 'in'?"),
    ("overrides: {funds: [{stream: poverty_fund, year: 2025, scale: 2}]}",
     "column overrides.funds[1].year: 2025: must be one year in which the stream has money"),
    ("overrides: {funds: [{stream: poverty_fund, set: 1.0e+12}]}",
     "column overrides.funds[1].set: 1000000000000.0: set must be a number between 0 and 1e+09"),
    ("overrides: {funds: [{stream: poverty_fund, set: 1.0e+9}, {stream: poverty_fund, "
     "scale: 2}]}", "column overrides.funds[2].scale: 2: scaled amounts exceed 1e+09"),
    ("overrides: {funds: [{stream: poverty_fund, move: {from: 2019, to: 2020, amount: x}}]}",
     "column overrides.funds[1].move"),
    ("overrides: {funds: [{stream: poverty_fund, move: {from: 2019, too: 2020}}]}",
     "column overrides.funds[1].move.too: unknown key 'too'; did you mean 'to'?"),
    ("overrides: {funds: [{stream: poverty_fund, county: 岢岚县, year: 2019, scale: 1.0e+9}]}",
     "column overrides.funds[1].scale: 1000000000.0: scale must be a number between 0 and 1000"),
    ("solver: {gap: 2}", "column solver.gap: 2: must be a relative gap, a number >= 0 and <= 1"),
    ("solver: {seed: -1}", "column solver.seed: -1: must be a whole-number seed >= 0"),
    ("solver: {threads: 1.0e+20}", "column solver.threads: 1e+20: must be a whole number"),
])
def test_more_yaml_refused(tmp_path, extra, text):
    scn = _copy_tiny(tmp_path)
    path = scn / "scenario.yaml"
    path.write_text(path.read_text(encoding="utf-8") + extra + "\n", encoding="utf-8")
    _run(["validate", scn], 1, "error: scenario.yaml, row 9, " + text)


def test_yaml_aliases_and_merge_keys_within_the_limit_are_read(tmp_path):
    scn = _copy_tiny(tmp_path)
    (scn / "scenario.yaml").write_text(
        "name: tiny\nyears: [2019, 2020]\nsolver: {time_limit: 5}\ndeadlines:\n"
        "- &dl {target: power, year: 2019, scope: deep_poverty}\n"
        "- {<<: *dl, target: road, year: 2020, scope: all}\n", encoding="utf-8")
    loaded = load_scenario(scn)
    assert [d.label() for d in loaded.deadlines] == load_scenario_labels(TINY)


def load_scenario_labels(folder):
    return [d.label() for d in load_scenario(folder).deadlines]


@pytest.mark.parametrize("text, message", [
    ('x: !!python/object/apply:os.system ["echo hi"]\n', "row 1: is not valid YAML (could "
     "not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply"),
    ("deep: " + "[" * 5000 + "]" * 5000 + "\n", "is nested too deeply to be a scenario"),
])
def test_yaml_objects_and_deep_nesting_refused(tmp_path, text, message):
    scn = _copy_tiny(tmp_path)
    (scn / "scenario.yaml").write_text(text, encoding="utf-8")
    _run(["validate", scn], 1, f"error: {scn / 'scenario.yaml'}", message)


def test_name_with_a_control_character_refused(tmp_path):
    scn = _copy_tiny(tmp_path)
    _rewrite(scn / "scenario.yaml", "name: tiny", 'name: "tiny\\a"')
    _run(["validate", scn], 1, "error: scenario.yaml, row 3, column name: 'tiny\\x07': must be "
         "a short text without control characters")


def test_threads_above_the_cores_are_capped_with_a_warning(tmp_path):
    cores = os.cpu_count() or 1
    scn = _copy_tiny(tmp_path)
    path = scn / "scenario.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "solver: {threads: 1024}\n",
                    encoding="utf-8")
    loaded = load_scenario(scn)
    assert loaded.solver["threads"] == min(1024, cores)
    if cores < 1024:
        assert loaded.warnings == [f"scenario.yaml, solver.threads: threads 1024 is more than "
                                   f"the {cores} cores of this machine; using {cores}"]

    @click.command()
    @click.option("--threads", type=Setting("threads"))
    def cmd(threads):
        click.echo(f"threads={threads}")

    res = CliRunner().invoke(cmd, ["--threads", "1024"])
    assert res.exit_code == 0
    assert f"threads={min(1024, cores)}" in res.output
    res = CliRunner().invoke(cmd, ["--threads", "1025"])
    assert res.exit_code == 2 and "<= 1,024" in res.output


# ------------------------------------------------------------ command-line bounds

@pytest.mark.parametrize("option, value, text", [
    ("--threads", "1000000", "must be a whole number of threads >= 1 and <= 1,024"),
    ("--threads", "0", "must be a whole number of threads >= 1"),
    ("--time-limit", "nan", "must be a number of seconds > 0 and <= 604800"),
    ("--time-limit", "inf", "must be a number of seconds > 0"),
    ("--time-limit", "-1", "must be a number of seconds > 0"),
    ("--time-limit", "0", "must be a number of seconds > 0"),
    ("--gap", "2", "must be a relative gap, a number >= 0 and <= 1"),
    ("--gap", "nan", "must be a relative gap"),
    ("--seed", "-5", "must be a whole-number seed >= 0"),
])
def test_solver_options_bounded(tmp_path, option, value, text):
    out = tmp_path / "plan"
    _run(["solve", TINY, "--out", out, option, value], 2, f"Invalid value for '{option}'",
         text)
    assert not out.exists()


@pytest.mark.parametrize("value, text", [
    ("0:1:1e-7", "10,000,001 points; a sweep takes at most 1,000"),
    ("0:inf:0.1", "must be finite numbers"),
    ("nan:1:0.1", "must be finite numbers"),
    ("0:1e300:1e297", "STOP <= 1000"),
    ("1:0.5:0.1", "need 0 <= START <= STOP"),
    ("0.5:1.5", "use START:STOP:STEP"),
])
def test_sweep_scales_bounded(tmp_path, value, text):
    out = tmp_path / "sweep"
    _run(["sweep", TINY, "--budget-scale", value, "--out", out], 2, text)
    assert not out.exists()


def test_other_numeric_options_bounded(tmp_path):
    _run(["generate", "--villages", "1000000000", tmp_path / "g"], 2, "--villages")
    _run(["generate", "--villages", "5", "--budget-ratio", "nan", tmp_path / "g"], 2,
         "is not a finite number")
    _run(["generate", "--villages", "5", "--seed", "-1", tmp_path / "g"], 2, "--seed")
    for years in ("2018,2020", "1,2,3", "2018,x"):
        _run(["generate", "--villages", "5", "--years", years, tmp_path / "g"], 2, "--years")
    _run(["alternatives", TINY, "--count", "1000000", "--out", tmp_path / "a"], 2, "--count")
    assert not (tmp_path / "g").exists()


# ------------------------------------------------------------ replan actuals

def _replan(tmp_path, scn, actuals: bytes, funds: bytes | None = None):
    done = tmp_path / "done.csv"
    done.write_bytes(actuals)
    args = ["replan", scn, "--actuals", done, "--from", "2020", "--out", tmp_path / "re"]
    if funds is not None:
        (tmp_path / "real.csv").write_bytes(funds)
        args += ["--actual-funds", tmp_path / "real.csv"]
    return args


@pytest.mark.parametrize("actuals, text", [
    ("project_id,start_year\nP01,2019\n".encode("utf-16"), "done.csv: is UTF-16 text"),
    (b"", "done.csv: the file is empty"),
    (b"project_id;start_year\nP01;2019\n", "done.csv, row 1: is separated by semicolons"),
    (b"project_id,start_year\nP01,2019.5\n", "done.csv, row 2, column start_year: '2019.5': "
     "is not a whole number"),
    (b"project_id,start_year,cost\nP01,2019,\"45,5\"\n", "done.csv, row 2, column cost: "
     "'45,5': has a comma that does not group thousands; write the decimal point as a "
     "point: use 45.5"),
    (b"project_id,start_year\nP03,2019\n", "done.csv, row 2, column start_year: 2019: P03 "
     "started in 2019, but it requires P01, which the actuals do not list as started"),
    (b"project_id,start_yaer\nP01,2019\n", "required column 'start_year' is missing; the "
     "header has 'start_yaer'"),
])
def test_replan_actuals_refused(tmp_path, actuals, text):
    _run(_replan(tmp_path, TINY, actuals), 1, text)
    assert not (tmp_path / "re").exists()


def test_replan_actual_funds_refused(tmp_path):
    args = _replan(tmp_path, TINY, b"project_id,start_year\nP01,2019\n",
                   "stream,year,amount\npoverty_fund,2020,-5\n".encode("utf-16"))
    _run(args, 1, "real.csv: is UTF-16 text")


def test_replan_locked_out_work_done_names_the_lock(tmp_path):
    scn = _copy_tiny(tmp_path)
    (scn / "locked.csv").write_text("project_id,lock\nP07,out\n", encoding="utf-8")
    args = _replan(tmp_path, scn, b"project_id,start_year\nP04,2019\nP07,2019\n")
    _run(args, 1, "done.csv, row 3, column project_id: 'P07': was executed, but the "
         "scenario locks it out")


def test_replan_two_works_of_one_group_done_names_the_group(tmp_path):
    scn = _copy_tiny(tmp_path)
    path = scn / "projects.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines = [lines[0] + ",alternative_group"] + [
        line + (",water" if line.startswith(("P05,", "P06,")) else ",") for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    load_scenario(scn)  # the group itself is fine
    args = _replan(tmp_path, scn, b"project_id,start_year\nP05,2019\nP06,2019\n")
    _run(args, 1, "done.csv, column alternative_group: 'water': alternative group 'water' "
         "allows one project, but P05 is needed because it was started in 2019 (done.csv, "
         "row 2), and P06 because it was started in 2019 (done.csv, row 3)")


# ------------------------------------------------------------ the duplicate check

def test_duplicate_check_is_linear_and_reports_the_first(tmp_path):
    scn = _copy_tiny(tmp_path)
    n = 20_000
    body = [f"V{i},村{i},{'石楼县' if i % 2 else '岢岚县'},2020,false" for i in range(1, n + 1)]
    (scn / "villages.csv").write_text(
        "\n".join(["village_id,name,county,exit_year,deep_poverty"] + body + body) + "\n",
        encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(InputError) as exc:
        load_scenario(scn)
    seconds = time.perf_counter() - start
    lines = str(exc.value).splitlines()
    assert lines[0] == ("villages.csv, row 20002, column village_id: 'V1': duplicate "
                        "village_id; first given on row 2; each must be unique: remove or "
                        "correct one of the rows")
    assert lines[9].startswith("villages.csv, row 20011, column village_id: 'V10': duplicate")
    assert lines[10] == ("villages.csv, column village_id: 19,990 more rows repeat an earlier "
                         "village_id (20,000 in all); was the table pasted twice?")
    assert seconds < 15, seconds  # the quadratic check took 95 s here
