"""Interoperability: `planner export-model` (the program as .mps/.lp with named rows and
columns, read back by HiGHS: the planner's optimum), and every table the planner reads
or writes through pandas and openpyxl without losing leading zeros or 4 decimals."""

from __future__ import annotations

import shutil
from pathlib import Path

import highspy
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.pipeline import plan_scenario
from planner.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "scenarios" / "tiny"


@pytest.fixture(scope="module")
def tiny_optimum():
    return plan_scenario(TINY, None, gap=0, threads=1).plan.summary["objective"]


@pytest.mark.parametrize("suffix", [".mps", ".lp"])
def test_export_model_read_back_by_highs(tmp_path, tiny_optimum, suffix):
    path = tmp_path / f"model{suffix}"
    run = CliRunner().invoke(main, ["export-model", str(TINY), str(path)])
    assert run.exit_code == 0, run.output
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    assert h.readModel(str(path)) == highspy.HighsStatus.kOk
    h.setOptionValue("mip_rel_gap", 0.0)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    assert h.getInfo().objective_function_value == pytest.approx(tiny_optimum, abs=1e-6)
    assert tiny_optimum == pytest.approx(12.0)  # scenarios/tiny/README.md
    lp = h.getLp()
    assert "gap_once_0" in lp.row_names_ and "x_0" in lp.col_names_


def test_export_model_refuses_other_files(tmp_path):
    run = CliRunner().invoke(main, ["export-model", str(TINY), str(tmp_path / "m.txt")])
    assert run.exit_code == 2 and ".mps or .lp" in run.output


def _zero_scenario(folder: Path) -> Path:
    """tiny with ids that start with zeros and money with 4 decimals."""
    shutil.copytree(TINY, folder)
    for name in ("villages", "gaps", "projects", "funds"):
        path = folder / f"{name}.csv"
        text = path.read_text(encoding="utf-8-sig")
        for i in range(1, 10):
            text = text.replace(f"V{i},", f"00{i},").replace(f"P0{i},", f"0P0{i},")
        text = text.replace("P01\n", "0P01\n")  # P03 requires P01
        if name == "projects":
            text = text.replace(",45,", ",45.1234,").replace(",18,", ",17.0001,")
        if name == "funds":
            text = text.replace(",90,", ",90.5678,")
        path.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def zero_plan(tmp_path_factory):
    base = tmp_path_factory.mktemp("zeros")
    scn = _zero_scenario(base / "scenario")
    out = base / "plan"
    run = CliRunner().invoke(main, ["solve", str(scn), "--out", str(out), "--threads", "1",
                                    "--format", "xlsx"])
    assert run.exit_code == 0, run.output
    return scn, out


def test_inputs_through_pandas_and_openpyxl(zero_plan, tmp_path):
    scn, _ = zero_plan
    again = tmp_path / "xlsx"
    again.mkdir()
    shutil.copy(scn / "scenario.yaml", again / "scenario.yaml")
    for name in ("villages", "gaps", "projects", "funds"):  # as a user resaves them
        frame = pd.read_csv(scn / f"{name}.csv", dtype=str, keep_default_na=False)
        frame.to_excel(again / f"{name}.xlsx", index=False, engine="openpyxl")
    a, b = load_scenario(scn), load_scenario(again)
    assert list(b.villages["village_id"]) == ["001", "002", "003", "004"]
    assert "0P01" in set(b.projects["project_id"]) and b.projects.loc[2, "requires"] == ("0P01",)
    assert set(b.projects["cost"]) == set(a.projects["cost"]) and 45.1234 in set(a.projects["cost"])
    assert 90.5678 in set(b.funds["amount"])


def test_outputs_through_pandas_and_openpyxl(zero_plan, tmp_path):
    scn, out = zero_plan
    book = openpyxl.load_workbook(out / "plan.xlsx")
    for name, sheet in (("schedule", "schedule"), ("villages", "villages"), ("funds", "funds")):
        text = pd.read_csv(out / f"{name}.csv", dtype=str, keep_default_na=False)
        ws = book[sheet]
        header = [c.value for c in ws[1]]
        assert header == list(text.columns)
        cells = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
        for col in [c for c in ("village_id", "project_id") if c in text]:
            j = header.index(col)
            assert [r[j] for r in cells] == list(text[col])  # "001" stays "001"
            assert all(v.startswith("0") for v in text[col])
        for col in [c for c in ("cost", "budget", "spent") if c in text]:
            j = header.index(col)
            assert all(len(v.split(".")[1]) == 4 for v in text[col])  # 4 decimals written
            assert [round(float(r[j]), 4) for r in cells] == [float(v) for v in text[col]]
        # a user reads the CSV with pandas and saves it again: the checker accepts it
        text.to_csv(out / f"{name}.csv", index=False, encoding="utf-8-sig")
    sched = pd.read_csv(out / "schedule.csv", dtype=str)
    assert "45.1234" in set(sched["cost"])
    run = CliRunner().invoke(main, ["check", str(scn), str(out)])
    assert run.exit_code == 0, run.output
