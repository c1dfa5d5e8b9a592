"""Hostile input (issue 3): every malformed scenario exits 1 with one message per
problem naming file, row, column, the value and what would be valid; no traceback,
and `solve` writes nothing.

Each folder in tests/data/bad/ is scenarios/tiny with ONE defect (written by
tests/data/bad/make_bad.py).  Excel files are made here with openpyxl.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.errors import InputError
from planner.scenario import load_scenario

HERE = Path(__file__).parent
BAD = HERE / "data" / "bad"
TINY = HERE.parent / "scenarios" / "tiny"

# case -> (exact start of the message, words of the fix that must follow)
CASES = {
    "missing_file": ("gaps.csv: is missing from", "every scenario needs gaps.csv"),
    "missing_column": ("projects.csv, row 1, column cost: required column 'cost' is missing",
                       "required: project_id, village_id, target, cost"),
    "header_typo": ("projects.csv, row 1, column cost: required column 'cost' is missing; "
                    "the header has 'cots': did you mean 'cost'?", "rename it"),
    "header_only": ("funds.csv, row 1: has a header but no data rows", "add at least one row"),
    "empty_file": ("villages.csv: the file is empty", "needs a header row"),
    "text_in_number": ("projects.csv, row 3, column cost: 'abc': is not a number",
                       "like 45 or 12.5"),
    "bad_bool": ("villages.csv, row 2, column deep_poverty: 'maybe': is not a yes/no value",
                 "true/false"),
    "blank_required": ("villages.csv, row 4, column county: is blank; county is required",
                       "county (县)"),
    "duplicate_village": ("villages.csv, row 6, column village_id: 'V3': duplicate village_id",
                          "first given on row 4"),
    "duplicate_project": ("projects.csv, row 8, column project_id: 'P06': duplicate project_id",
                          "first given on row 7"),
    "duplicate_gap": ("gaps.csv, row 10, column target: 'road': duplicate gap",
                      "first given on row 8"),
    "duplicate_fund": ("funds.csv, row 9, column year: 2019: duplicate money row",
                       "first given on row 8"),
    "gap_unknown_village": ("gaps.csv, row 10, column village_id: 'V9': unknown village_id",
                            "not in villages.csv"),
    "project_unknown_village": ("projects.csv, row 10, column village_id: 'V9': unknown "
                                "village_id", "not in villages.csv"),
    "requires_unknown": ("projects.csv, row 4, column requires: 'P99': requires an unknown "
                         "project_id", "project_id"),
    "fund_unknown_county": ("funds.csv, row 9, column county: '兴县': unknown county",
                            "villages.csv has: 岢岚县, 石楼县"),
    "negative_cost": ("projects.csv, row 5, column cost: -18.0: cost must be >= 0", ">= 0"),
    "negative_amount": ("funds.csv, row 4, column amount: -30.0: amount must be >= 0", ">= 0"),
    "implausible_cost": ("projects.csv, row 9, column cost: '1e15': is implausible",
                         "more than 1e+09"),
    "fund_year_outside": ("funds.csv, row 5, column year: 2025: year outside the horizon",
                          "2019-2020"),
    "exit_year_outside": ("villages.csv, row 4, column exit_year: 2030: exit year after the "
                          "horizon", "extend `years`"),
    "project_year_outside": ("projects.csv, row 10, column earliest_year: 2017: year outside "
                             "the horizon", "2019-2020"),
    "profile_not_one": ("projects.csv, row 3, column cost_profile: '0.6;0.6': shares must be "
                        ">= 0 and sum to 1", "they sum to 1.2"),
    "requires_cycle": ("projects.csv, row 2, column requires: `requires` forms a cycle",
                       "P01 -> P03 -> P01"),
    "unknown_stream": ("projects.csv, row 8, column streams: 'lotto': unknown stream",
                       "funds.csv has: poverty_fund, special_bonds"),
    "unknown_target": ("gaps.csv, row 10, column target: 'wifi': unknown target",
                       "known: water, power"),
    "deadline_unknown_county": ("scenario.yaml, row 8, column deadlines[2].scope: ",
                                "unknown county '临县'; counties: 岢岚县, 石楼县"),
    "yaml_syntax": ("scenario.yaml, row 5: is not valid YAML", "on row 4"),
    "yaml_years_text": ("scenario.yaml, row 4, column years: 'abc': must be a list of whole "
                        "years", "[2018, 2019, 2020]"),
    "yaml_deadlines_number": ("scenario.yaml, row 6, column deadlines: 5: must be a list",
                              "{target, year, scope, share}"),
    "yaml_share": ("scenario.yaml, row 8, column deadlines[2].share: 2: share must be a number",
                   "(0, 1]"),
    "yaml_weights": ("scenario.yaml, row 6, column weights.late_factor: 'x': must be a number",
                     "between 0 and 1e+06"),
    "bad_bytes": ("villages.csv, row 2: cannot be read as text", "CSV UTF-8"),
    "nan_cost": ("projects.csv, row 5, column cost: 'NaN': is a placeholder, not a value",
                 "cost is required"),
    "nan_lower_amount": ("funds.csv, row 4, column amount: 'nan': is a placeholder", "like 45"),
    "none_cost": ("projects.csv, row 6, column cost: 'None': is a placeholder", "like 45"),
    # issue 13: hostile YAML
    "yaml_alias_bomb": ("scenario.yaml, row 14: aliases (here *d) expand to more than 10,000",
                        "write the values out"),
    "yaml_alias_recursive": ("scenario.yaml, row 9: the alias *a refers to the value it is "
                             "part of", "recursive"),
    # unknown keys at every level, with the nearest known key
    "yaml_unknown_key": ("scenario.yaml, row 4, column yeras: unknown key 'yeras'",
                         "did you mean 'years'?"),
    "yaml_deadline_typo": ("scenario.yaml, row 6, column deadline: unknown key 'deadline'",
                           "did you mean 'deadlines'?"),
    "yaml_deadline_item_key": ("scenario.yaml, row 8, column deadlines[2].shares: unknown key",
                               "did you mean 'share'?"),
    "yaml_overrides_key": ("scenario.yaml, row 9, column overrides.fund: unknown key 'fund'",
                           "did you mean 'funds'?"),
    "yaml_solver_key": ("scenario.yaml, row 9, column solver.thread: unknown key 'thread'",
                        "did you mean 'threads'?"),
    # bounded settings
    "yaml_threads_huge": ("scenario.yaml, row 9, column solver.threads: 100000000000000000000: "
                          "must be a whole number of threads", ">= 1 and <= 1,024"),
    "yaml_time_limit_nan": ("scenario.yaml, row 9, column solver.time_limit: nan: must be a "
                            "number of seconds", "> 0 and <= 604800"),
    "yaml_weight_huge": ("scenario.yaml, row 9, column weights.target_weight: 1e+300: must be",
                         "between 0 and 1e+06"),
    "yaml_years_huge": ("scenario.yaml, row 2, column years: [2019, 99999999999999999999]: ",
                        "between 1900 and 2100"),
    "yaml_target_builtin": ("scenario.yaml, row 9, column targets.road: 'road': is a built-in "
                            "target and cannot be redefined", "choose a new code"),
    "yaml_target_number": ("scenario.yaml, row 9, column targets.5: 5: a target code must be "
                           "text", "e.g. drainage"),
    # overrides that would do nothing, or crash
    "yaml_move_not_mapping": ("scenario.yaml, row 9, column overrides.funds[1].move: 5: move "
                              "needs a mapping", "{from: YEAR, to: YEAR, amount: >= 0}"),
    "yaml_override_year_list": ("scenario.yaml, row 9, column overrides.funds[1].year: "
                                "[2019, 2020]: must be one year", "2019, 2020"),
    "yaml_override_scale_huge": ("scenario.yaml, row 9, column overrides.funds[1].scale: "
                                 "1e+300: scale must be", "between 0 and 1000"),
    "yaml_override_unknown_county": ("scenario.yaml, row 9, column overrides.funds[1].county: "
                                     "'临县': stream poverty_fund has no money of this county",
                                     "its counties: 岢岚县, 石楼县"),
    "yaml_exclude_unknown_village": ("scenario.yaml, row 9, column overrides.exclude.villages: "
                                     "'V9': unknown village_id", "not in villages.csv"),
    "yaml_exclude_unknown_county": ("scenario.yaml, row 9, column overrides.exclude.counties: "
                                    "'临县': unknown county", "not in villages.csv"),
    # the real cause instead of "no money"
    "lock_out_forced": ("scenario.yaml, row 9, column lock: 'P01': project P01 is locked out, "
                        "but it is the only work for the power gap of V1",
                        "deadline power@2019[deep_poverty]>=1"),
    "alternative_group_forced": ("projects.csv, row 9, column alternative_group: 'g1': "
                                 "alternative group 'g1' (it spans counties 岢岚县, 石楼县) "
                                 "allows one project", "P08 because it is the only work for "
                                 "the road gap of V4"),
    # numbers
    "decimal_comma": ("projects.csv, row 5, column cost: '12,5': has a comma", "use 12.5"),
    "underscore_number": ("projects.csv, row 5, column cost: '4_5': has an underscore",
                          "use 45"),
    "huge_exit_year": ("villages.csv, row 4, column exit_year: '99999999999999999999': is not "
                       "a plausible year", "between 1900 and 2100"),
    "huge_duration": ("projects.csv, row 8, column duration: '99999999999999999999': is out "
                      "of range", "at most 100"),
    "huge_population": ("villages.csv, row 4, column population: '99999999999999999999': is "
                        "out of range", "at most 1e+07"),
    "huge_weight": ("gaps.csv, row 9, column weight: '1e300': is out of range",
                    "at most 1e+06"),
    "huge_leverage": ("funds.csv, row 4, column leverage: '1e20': is out of range",
                      "at most 1,000"),
    # file shapes
    "semicolon_separated": ("funds.csv, row 1: is separated by semicolons (;), not commas",
                            "CSV UTF-8"),
    "tab_separated": ("gaps.csv, row 1: is separated by tabs, not commas", "CSV UTF-8"),
    "long_cell": ("villages.csv, row 3, column name: the cell holds 5,000 characters",
                  "at most 1,000"),
    "huge_cell": ("villages.csv, row 3: a cell is longer than 131,072 characters",
                  "at most 1,000"),
    "control_char": ("villages.csv, row 3, column name: '李家\\x07庄村': holds the control "
                     "character U+0007", "retype the cell"),
    "utf16_file": ("villages.csv: is UTF-16 text", "CSV UTF-8"),
    "csv_and_xlsx": ("gaps.csv: gaps.xlsx in the same folder holds the same table",
                     "keep one of the two files"),
}


def test_every_bad_folder_has_a_case():
    folders = {p.name for p in BAD.iterdir() if p.is_dir()}
    assert folders == set(CASES)


def _messages(output: str) -> list[str]:
    lines = [line for line in output.splitlines() if line.strip()]
    assert lines and lines[0].startswith("error: ")
    return [lines[0][len("error: "):]] + lines[1:]


def _assert_bad(res, start: str, fix: str):
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    messages = _messages(res.output)
    # One problem, one message, and the file, row, column come first.
    assert len(messages) == 1, messages
    msg = messages[0]
    if msg.startswith(str(BAD)):  # YAML syntax errors name the full path
        msg = Path(msg.split(", ")[0]).name + msg[len(msg.split(", ")[0]):] \
            if ", " in msg else Path(msg.split(":")[0]).name + msg[len(msg.split(":")[0]):]
    assert msg.startswith(start), msg
    assert fix in msg, msg


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_rejects(case):
    res = CliRunner().invoke(main, ["validate", str(BAD / case)])
    _assert_bad(res, *CASES[case])


@pytest.mark.parametrize("case", sorted(CASES))
def test_solve_rejects_and_writes_nothing(case, tmp_path):
    out = tmp_path / "plan"
    res = CliRunner().invoke(main, ["solve", str(BAD / case), "--out", str(out)])
    _assert_bad(res, *CASES[case])
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def earlier_plan(tmp_path_factory):
    """A plan of tiny, written once: the --out a failing run must leave as it was."""
    out = tmp_path_factory.mktemp("earlier") / "plan"
    res = CliRunner().invoke(main, ["solve", str(TINY), "--out", str(out), "--threads", "1"])
    assert res.exit_code == 0, res.output
    return out


def _snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.mark.parametrize("case", sorted(CASES))
def test_failing_run_leaves_the_earlier_plan_byte_for_byte(case, tmp_path, earlier_plan):
    out = tmp_path / "plan"
    shutil.copytree(earlier_plan, out)
    before = _snapshot(out)
    res = CliRunner().invoke(main, ["solve", str(BAD / case), "--out", str(out)])
    _assert_bad(res, *CASES[case])
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]  # no staging left


# ------------------------------------------------------------ inputs that must load

def _copy_tiny(tmp_path) -> Path:
    scn = tmp_path / "scn"
    shutil.copytree(TINY, scn)
    return scn


def test_gbk_villages_read_with_chinese_names(tmp_path):
    scn = _copy_tiny(tmp_path)
    text = (scn / "villages.csv").read_text(encoding="utf-8-sig")
    (scn / "villages.csv").write_bytes(text.encode("gbk"))
    loaded = load_scenario(scn)
    assert list(loaded.villages["name"]) == ["王家沟村", "李家庄村", "高家坪村", "石峁村"]
    assert set(loaded.villages["county"]) == {"石楼县", "岢岚县"}
    res = CliRunner().invoke(main, ["validate", str(scn)])
    assert res.exit_code == 0, res.output


def test_trailing_blank_csv_rows_ignored(tmp_path):
    scn = _copy_tiny(tmp_path)
    path = scn / "projects.csv"
    path.write_text(path.read_text(encoding="utf-8-sig") + ",,,,,,,,\n\n,,,\r\n",
                    encoding="utf-8")
    assert len(load_scenario(scn).projects) == 9


def test_blank_line_keeps_row_numbers(tmp_path):
    scn = _copy_tiny(tmp_path)
    path = scn / "projects.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines.insert(2, "")  # blank spreadsheet row 3; P02 moves to row 4
    lines[3] = lines[3].replace(",120,", ",abc,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_scenario(scn)
    assert str(exc.value).startswith("projects.csv, row 4, column cost: 'abc'")


def _csv_to_xlsx(csv_path: Path, xlsx_path: Path, *, extra_sheet=False, merge=None,
                 blank_rows=0):
    import csv

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "projects"
    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            sheet.append([_cell(v) for v in row])
    for _ in range(blank_rows):  # formatted but empty rows at the end
        sheet.cell(row=sheet.max_row + 1, column=1).number_format = "0.00"
        sheet.cell(row=sheet.max_row, column=2).value = None
    if merge:
        sheet.merge_cells(merge)
    if extra_sheet:
        other = book.create_sheet("notes")
        other.append(["not", "a", "table"])
        other.append([1, 2, 3])
    book.save(xlsx_path)
    csv_path.unlink()


def _cell(text: str):
    """Numbers as numbers (as Excel stores them), anything else as text."""
    try:
        return int(text)
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            return text or None
        return number if math.isfinite(number) else text


def test_xlsx_read_like_csv(tmp_path):
    scn = _copy_tiny(tmp_path)
    _csv_to_xlsx(scn / "projects.csv", scn / "projects.xlsx")
    loaded = load_scenario(scn)
    assert list(loaded.projects["project_id"]) == [f"P0{i}" for i in range(1, 10)]
    assert loaded.projects["cost"].sum() == pytest.approx(427)


def test_xlsx_data_on_second_sheet_warned(tmp_path):
    scn = _copy_tiny(tmp_path)
    _csv_to_xlsx(scn / "projects.csv", scn / "projects.xlsx", extra_sheet=True)
    loaded = load_scenario(scn)  # the contract: the first sheet is read
    assert loaded.projects["cost"].sum() == pytest.approx(427)
    assert loaded.warnings == ["projects.xlsx: data found on sheet 'notes' is not read (only "
                               "the first sheet, 'projects', is); keep one sheet per table"]


def test_xlsx_empty_first_sheet_with_data_elsewhere_refused(tmp_path):
    import openpyxl

    scn = _copy_tiny(tmp_path)
    _csv_to_xlsx(scn / "projects.csv", scn / "projects.xlsx")
    book = openpyxl.load_workbook(scn / "projects.xlsx")
    book.create_sheet("Sheet0", 0)  # an empty sheet in front of the table
    book.save(scn / "projects.xlsx")
    _assert_cli_error(["validate", str(scn)], "projects.xlsx: the first sheet 'Sheet0' is "
                      "empty, but data found on sheet 'projects'", "keep one sheet per table")


def test_xlsx_formula_cells_refused(tmp_path):
    import openpyxl

    scn = _copy_tiny(tmp_path)
    _csv_to_xlsx(scn / "projects.csv", scn / "projects.xlsx")
    book = openpyxl.load_workbook(scn / "projects.xlsx")
    book.active["D5"] = "=9*2"  # P04's cost as a formula
    book.save(scn / "projects.xlsx")
    _assert_cli_error(["validate", str(scn)], "projects.xlsx, row 5, column D: cell D5 of "
                      "sheet 'projects' holds a formula", "formula cells are not read: "
                      "paste values")


def _assert_cli_error(args, start, fix, code=1):
    """One message, the given exit code, no traceback, nothing written."""
    res = CliRunner().invoke(main, args)
    assert res.exit_code == code, res.output
    assert "Traceback" not in res.output and (res.exception is None
                                              or isinstance(res.exception, SystemExit))
    if code == 1:
        messages = _messages(res.output)
        assert len(messages) == 1, messages
        assert messages[0].startswith(start), messages[0]
        assert fix in messages[0], messages[0]
    else:  # click usage error
        assert start in res.output and fix in res.output, res.output
    return res


def test_xlsx_trailing_blank_rows_ignored(tmp_path):
    scn = _copy_tiny(tmp_path)
    _csv_to_xlsx(scn / "projects.csv", scn / "projects.xlsx", blank_rows=3)
    assert len(load_scenario(scn).projects) == 9


def test_xlsx_merged_header_named(tmp_path):
    scn = _copy_tiny(tmp_path)
    _csv_to_xlsx(scn / "projects.csv", scn / "projects.xlsx", merge="C1:D1")
    out = tmp_path / "plan"
    for args in (["validate", str(scn)], ["solve", str(scn), "--out", str(out)]):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 1
        assert "Traceback" not in res.output
        msg = _messages(res.output)[0]
        assert msg.startswith("projects.xlsx, row 1, column C: header cells C1:D1 "
                              "(columns 3-4 of sheet 'projects') are merged"), msg
        assert "unmerge" in msg
    assert not out.exists()


def test_xlsx_bad_cell_names_row_and_column(tmp_path):
    scn = _copy_tiny(tmp_path)
    path = scn / "projects.csv"
    path.write_text(path.read_text(encoding="utf-8-sig").replace("P08,V4,road,80,",
                                                                  "P08,V4,road,nan,"),
                    encoding="utf-8")
    _csv_to_xlsx(path, scn / "projects.xlsx")
    with pytest.raises(InputError) as exc:
        load_scenario(scn)
    assert str(exc.value).startswith("projects.xlsx, row 9, column cost: 'nan': is a placeholder")


def test_not_an_xlsx(tmp_path):
    scn = _copy_tiny(tmp_path)
    (scn / "projects.csv").rename(scn / "projects.xlsx")
    res = CliRunner().invoke(main, ["validate", str(scn)])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert _messages(res.output)[0].startswith("projects.xlsx: cannot be read as an Excel")


# ------------------------------------------------------------ warnings and more YAML

def test_yuan_instead_of_wan_yuan_is_a_warning(tmp_path):
    scn = _copy_tiny(tmp_path)
    for name, col in (("projects.csv", "cost"), ("funds.csv", "amount")):
        path = scn / name
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        header = lines[0].split(",")
        j = header.index(col)
        rows = []
        for line in lines[1:]:
            cells = line.split(",")
            cells[j] = str(int(float(cells[j]) * 10_000))
            rows.append(",".join(cells))
        path.write_text("\n".join([lines[0]] + rows) + "\n", encoding="utf-8")
    loaded = load_scenario(scn)
    assert len(loaded.warnings) == 2
    cost, amount = loaded.warnings
    assert cost.startswith("projects.csv, column cost: the median project cost is 4e+05, "
                           "4 times the plausible 100,000 万元")
    assert "divide it by 10,000" in cost
    assert amount.startswith("funds.csv, column amount: the median fund amount is 4.5e+05")
    res = CliRunner().invoke(main, ["validate", str(scn)])
    assert res.exit_code == 0
    assert "warning: projects.csv, column cost" in res.output


def test_no_warning_for_tiny():
    assert load_scenario(TINY).warnings == []


@pytest.mark.parametrize("extra, start", [
    ("lock: 5", "scenario.yaml, row 5, column lock: 5: must be a mapping"),
    ("lock: {in: P99}", "scenario.yaml, row 5, column lock: 'P99': lock names an unknown"),
    ("overrides: {exclude: [V1]}", "scenario.yaml, row 5, column overrides.exclude: ['V1']"),
    ("solver: {time_limit: fast}",
     "scenario.yaml, row 5, column solver.time_limit: 'fast': must be a number of seconds"),
    ("solver: {threads: 0}", "scenario.yaml, row 5, column solver.threads: 0: must be"),
    ("exit_standard: [roads]", "scenario.yaml, row 5, column exit_standard: ['roads']"),
    ("objective: cheapest", "scenario.yaml, row 5, column objective: 'cheapest': must be one"),
])
def test_yaml_type_errors(tmp_path, extra, start):
    scn = _copy_tiny(tmp_path)
    path = scn / "scenario.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [line for line in lines if not line.startswith("- ")
             and not line.startswith(("deadlines", "objective"))] + [extra]
    assert len(lines) == 5
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["validate", str(scn)])
    assert res.exit_code == 1 and "Traceback" not in res.output, res.output
    assert _messages(res.output)[0].startswith(start), res.output


def test_unknown_optional_column_close_to_known_is_warned(tmp_path):
    scn = _copy_tiny(tmp_path)
    path = scn / "projects.csv"
    path.write_text(path.read_text(encoding="utf-8-sig").replace(",duration,", ",duraton,"),
                    encoding="utf-8")
    with pytest.raises(InputError) as exc:  # P02's 2-share profile no longer fits
        load_scenario(scn)
    assert "column cost_profile" in str(exc.value)
    path.write_text("project_id,village_id,target,cost,self-share\nP01,V1,power,45,0.5\n",
                    encoding="utf-8")
    (scn / "gaps.csv").write_text("village_id,target\nV1,power\n", encoding="utf-8")
    assert load_scenario(scn).warnings == [
        "projects.csv, row 1, column self-share: unknown column, ignored; "
        "did you mean 'self_share'?"]


def test_duplicate_and_unnamed_header(tmp_path):
    scn = _copy_tiny(tmp_path)
    path = scn / "gaps.csv"
    path.write_text("village_id,target,Target\nV1,power,road\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_scenario(scn)
    assert str(exc.value).startswith("gaps.csv, row 1, column target: column name 'target' "
                                     "appears twice")
    path.write_text("village_id,target,\nV1,power,x\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_scenario(scn)
    assert "column C (position 3) has values but no name" in str(exc.value)


def test_mixed_encodings_in_one_file(tmp_path):
    scn = _copy_tiny(tmp_path)
    path = scn / "villages.csv"
    text = path.read_text(encoding="utf-8-sig")
    head, tail = text.split("V3,", 1)
    path.write_bytes(head.encode("utf-8") + ("V3," + tail).encode("gbk"))  # rows 4-5 in GBK
    with pytest.raises(InputError) as exc:
        load_scenario(scn)
    msg = str(exc.value)
    assert msg.startswith("villages.csv, row 4: mixes encodings"), msg
    assert "CSV UTF-8" in msg
