"""The independent check of `planner robust`'s tables (planner/check/robust.py).

One small robust run (the hand-worked village of tests/test_robust.py with a second
stream whose 2020 money is a range and an overrun on power: money and costs both
drawn), made once; then each kind of claim of the folder is corrupted in a copy and
the checker must reject it, naming the rule; the untouched folder passes, through the
command line too.  The checker's own sampling rule and statistics are held to the
planner's and to values worked out by hand.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from planner.check.robust import check_robust_folder
from planner.check.robust_stats import cvar, percentile, redraw, t_quantile
from planner.cli import main
from planner.scenario import load_scenario

T975 = {1: 12.706204736, 2: 4.302652730, 3: 3.182446305, 9: 2.262157163,
        29: 2.045229642, 120: 1.979930405}  # Student's t, 0.975 quantiles (tables)


def _case(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "villages.csv").write_text("village_id,name,county,exit_year,deep_poverty\n"
                                         "V1,甲村,一县,2020,false\n", encoding="utf-8")
    (folder / "gaps.csv").write_text("village_id,target,weight\nV1,water,4.75\nV1,road,7\n"
                                     "V1,power,2\nV1,broadband,3\n", encoding="utf-8")
    (folder / "projects.csv").write_text(
        "project_id,village_id,target,cost,earliest_year,latest_year\n"
        "A,V1,water,10,2019,2019\nC,V1,road,15,2020,2020\nD,V1,power,5,2019,2020\n"
        "E,V1,broadband,10,2020,2020\n", encoding="utf-8")
    (folder / "funds.csv").write_text("stream,year,amount,carry_over,targets\n"
                                      "poverty_fund,2019,10,true,*\n"
                                      "poverty_fund,2020,10,true,*\n"
                                      "special_bonds,2020,4,true,*\n", encoding="utf-8")
    (folder / "scenario.yaml").write_text(
        "years: [2019, 2020]\nexit_priority: none\nuncertainty:\n  seed: 3\n  samples: 2\n"
        "  money:\n  - {stream: poverty_fund, year: 2020, cut: {p: 0.5, share: 1}}\n"
        "  - {stream: special_bonds, year: 2020, range: {low: 0.5, high: 1.0}}\n"
        "  costs:\n  - {target: power, overrun: [0, 0.3]}\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """(scenario folder, the robust folder): 2 samples, 3 fresh ones, one process."""
    base = tmp_path_factory.mktemp("robust_check")
    scn, out = _case(base / "scn"), base / "out"
    res = CliRunner().invoke(main, ["robust", str(scn), "--evaluate", "3", "--out", str(out),
                                    "--threads", "1", "--method", "extensive",
                                    "--time-limit", "60"])
    assert res.exit_code == 0, res.output
    return scn, out


@pytest.fixture(scope="module")
def scenario(written):
    return load_scenario(written[0])


@pytest.fixture
def copy(written, tmp_path):
    d = tmp_path / "out"
    shutil.copytree(written[1], d)
    return d


def _read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _put(folder: Path, name: str, frame: pd.DataFrame) -> None:
    frame.to_csv(folder / name, index=False, encoding="utf-8-sig", lineterminator="\n")


def _cell(name: str, column: str, change, row: int = 0):
    def edit(folder: Path) -> None:
        frame = _read(folder, name)
        frame.loc[row, column] = change(frame.loc[row, column])
        _put(folder, name, frame)
    return edit


def _summary(path: tuple, change):
    def edit(folder: Path) -> None:
        data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = change(node[path[-1]])
        (folder / "summary.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    return edit


def _add_start(folder: Path) -> None:
    with open(folder / "first_year_starts.csv", "a", encoding="utf-8") as fh:
        fh.write("E,2019\n")


def _other_det(folder: Path) -> None:
    """The plan on expected money starts nothing in 2019 here: say it starts A."""
    path = folder / "deterministic" / "first_year_starts.csv"
    assert path.read_text(encoding="utf-8") == "project_id,start_year\n"
    path.write_text("project_id,start_year\nA,2019\n", encoding="utf-8")


def _first_year_moved(where: str):
    """The plan in `where` starts another set of works in 2019 than the others."""
    def edit(folder: Path) -> None:
        name = f"{where}/plan/schedule.csv"
        frame = _read(folder, name)
        first = frame["start_year"] == "2019"
        assert first.any()
        frame.loc[first, ["year", "start_year", "finish_year"]] = "2020"
        _put(folder, name, frame)
    return edit


def _fresh_value(folder: Path) -> None:
    """Fresh sample 001's robust value off by 0.5, its difference and evpi made to
    agree: only the plan in evaluation/001/robust/plan tells."""
    frame = _read(folder, "evaluation.csv")
    for col, sign in (("robust", 1), ("difference", 1), ("evpi", -1)):
        frame.loc[0, col] = str(float(frame.loc[0, col]) + sign * 0.5)
    _put(folder, "evaluation.csv", frame)


def _lock_dropped(folder: Path) -> None:
    path = folder / "samples" / "001" / "scenario" / "scenario.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  in:\n  - A\n" in text
    path.write_text(text.replace("  in:\n  - A\n", "  in: []\n"), encoding="utf-8")


def _ws_below(folder: Path) -> None:
    """A wait-and-see proven optimal below the robust re-plan of the same sample (and
    evpi and the summary made to agree with it)."""
    frame = _read(folder, "evaluation.csv")
    robust = float(frame.loc[0, "robust"])
    frame.loc[0, ["wait_and_see", "wait_and_see_status", "evpi"]] = [
        str(robust - 1), "optimal", "-1.0"]
    _put(folder, "evaluation.csv", frame)


def _no_plan(folder: Path) -> None:
    """Fresh sample 002 without a deterministic plan, its row consistent: summary.json
    still counts it (no_plan 0, the VSS over 4 pairs)."""
    frame = _read(folder, "evaluation.csv")
    frame.loc[1, ["deterministic", "deterministic_status", "difference"]] = [
        "", "infeasible", ""]
    _put(folder, "evaluation.csv", frame)


def _float(delta: float):
    return lambda v: str(round(float(v) + delta, 6))


MUTATIONS = {
    # non-anticipativity and the first year
    "first_year_starts a work more": (_add_start, "first_year"),
    "first_year_starts another year": (_cell("first_year_starts.csv", "start_year",
                                             lambda v: "2020"), "first_year"),
    "a sample plan's first year": (_first_year_moved("samples/002"), "first_year"),
    "first_year.csv cost": (_cell("first_year.csv", "cost", _float(1)), "first_year"),
    "first_year.csv on_expected_money": (_cell("first_year.csv", "on_expected_money",
                                               lambda v: str(v != "True")), "first_year"),
    "deterministic first year": (_other_det, "first_year"),
    # the draws and the sample scenarios
    "samples.csv money drawn": (_cell("samples.csv", "money special_bonds 2020",
                                      _float(0.01)), "draws"),
    "evaluation.csv overrun drawn": (_cell("evaluation.csv", "overrun power",
                                           _float(-0.001), row=2), "draws"),
    "samples.csv sample name": (_cell("samples.csv", "sample", lambda v: "004", row=1),
                                "draws"),
    "sample scenario money": (_cell("samples/001/scenario/funds.csv", "amount",
                                    _float(0.5), row=2), "sample_scenario"),
    "sample scenario cost": (_cell("samples/002/scenario/projects.csv", "cost",
                                   _float(0.3), row=2), "sample_scenario"),
    "sample scenario first-year lock": (_lock_dropped, "sample_scenario"),
    # each sample's value
    "samples.csv robust value": (_cell("samples.csv", "robust", _float(0.25)), "samples"),
    "samples.csv robust status": (_cell("samples.csv", "robust_status",
                                        lambda v: "feasible"), "samples"),
    "samples.csv plan folder": (_cell("samples.csv", "plan", lambda v: "samples/002"),
                                "samples"),
    "a sample folder gone": (lambda d: shutil.rmtree(d / "samples" / "002"), "samples"),
    "samples.csv deterministic value": (_cell("samples.csv", "deterministic", _float(0.5),
                                              row=1), "samples"),
    "evaluation.csv robust value, its row consistent": (_fresh_value, "samples"),
    "evaluation.csv deterministic status": (_cell("evaluation.csv", "deterministic_status",
                                                  lambda v: "feasible", row=2), "samples"),
    "a fresh re-plan's scenario money": (_cell("evaluation/003/deterministic/scenario/"
                                               "funds.csv", "amount", _float(-0.25), row=1),
                                         "sample_scenario"),
    "a fresh re-plan's first year": (_first_year_moved("evaluation/002/robust"),
                                     "first_year"),
    "an evaluation folder gone": (lambda d: shutil.rmtree(d / "evaluation" / "003"),
                                  "samples"),
    "evaluation.csv difference": (_cell("evaluation.csv", "difference", _float(0.5)),
                                  "evaluation"),
    "evaluation.csv evpi": (_cell("evaluation.csv", "evpi", _float(-0.5), row=2),
                            "evaluation"),
    "evaluation.csv a value without a plan": (_cell("evaluation.csv", "deterministic_status",
                                                    lambda v: "infeasible"), "evaluation"),
    "evaluation.csv wait-and-see below a re-plan": (_ws_below, "evaluation"),
    # summary.json's figures
    "uncertainty seed": (_summary(("uncertainty", "seed"), lambda v: v + 1), "uncertainty"),
    "seed streams": (_summary(("seed_streams", "fresh"), lambda v: v + 1), "summary"),
    "samples count": (_summary(("samples",), lambda v: v + 1), "summary"),
    "fresh_samples count": (_summary(("fresh_samples",), lambda v: v - 1), "summary"),
    "first_year works": (_summary(("first_year", "works"), lambda v: v + 1), "summary"),
    "first_year cost": (_summary(("first_year", "cost"), lambda v: v + 1), "summary"),
    "first_year only_robust": (_summary(("first_year", "only_robust"),
                                        lambda v: [*v, "C"]), "summary"),
    "expected value": (_summary(("expected_value", "value"), lambda v: v + 0.01),
                       "summary"),
    "its spread sd": (_summary(("expected_value", "spread", "sd"), lambda v: v * 1.01),
                      "summary"),
    "its p10": (_summary(("expected_value", "spread", "p10"), lambda v: v - 0.01),
                "summary"),
    "its CVaR": (_summary(("expected_value", "spread", "cvar"), lambda v: v + 0.01),
                 "summary"),
    "in-sample mean": (_summary(("expected_value", "in_sample", "mean"),
                                lambda v: v + 0.01), "summary"),
    "VSS": (_summary(("vss", "value"), lambda v: v + 0.01), "summary"),
    "VSS interval": (_summary(("vss", "ci"), lambda v: [v[0] - 0.01, v[1]]), "summary"),
    "VSS n": (_summary(("vss", "n"), lambda v: v - 1), "summary"),
    "VSS in sample": (_summary(("vss", "in_sample", "value"), lambda v: v + 0.01),
                      "summary"),
    "EVPI": (_summary(("evpi", "value"), lambda v: v - 0.01), "summary"),
    "EVPI se": (_summary(("evpi", "se"), lambda v: (v or 0) + 0.01), "summary"),
    "EVPI wait-and-see mean": (_summary(("evpi", "wait_and_see"), lambda v: v + 0.01),
                               "summary"),
    "no_plan count": (_summary(("no_plan", "robust"), lambda v: v + 1), "summary"),
    "a sample without a plan, still counted": (_no_plan, "summary"),
    "proven count": (_summary(("proven", "wait_and_see_proven"), lambda v: v - 1),
                     "summary"),
    "decision candidate": (_summary(("decision", "candidate"), lambda v: v + 1), "summary"),
}


def test_the_written_folder_passes(written, scenario):
    scn, out = written
    assert check_robust_folder(scenario, out) == []
    res = CliRunner().invoke(main, ["check", str(scn), str(out)])
    assert res.exit_code == 0, res.output
    # 2 samples and 3 fresh ones, each re-planned from both first years
    assert "each of the 10 re-plans satisfies every rule" in res.output
    # the case draws both: some fresh sample cut, bonds and power costs varying
    fresh = _read(out, "evaluation.csv")
    assert set(fresh["money poverty_fund 2020"]) <= {"0.0", "1.0"}
    assert len(set(fresh["overrun power"])) == 3
    assert len(set(fresh["money special_bonds 2020"])) == 3


@pytest.mark.parametrize("kind", sorted(MUTATIONS))
def test_every_kind_of_claim_is_checked(kind, copy, scenario):
    edit, rule = MUTATIONS[kind]
    edit(copy)
    found = check_robust_folder(scenario, copy)
    assert rule in {v.rule for v in found}, (kind, [str(v) for v in found])


def test_planner_check_verifies_each_sample_plan(written, copy):
    """A sample plan worth another value and samples.csv made to agree: the plan's own
    check tells, and the summary's in-sample figures; a difference off too: each broken
    claim is named, exit 1."""
    plan = copy / "samples" / "001" / "plan" / "summary.json"
    data = json.loads(plan.read_text(encoding="utf-8"))
    data["objective"] += 1.0
    plan.write_text(json.dumps(data), encoding="utf-8")
    _cell("samples.csv", "robust", _float(1.0))(copy)
    _cell("evaluation.csv", "difference", _float(0.5))(copy)  # and one robust claim
    res = CliRunner().invoke(main, ["check", str(written[0]), str(copy)])
    assert res.exit_code == 1
    assert "samples/001/plan:" in res.output and "[objective]" in res.output
    assert "[evaluation] evaluation.csv row 2, column difference" in res.output
    assert "[summary] summary.json expected_value.in_sample.mean" in res.output


def test_a_failed_check_stops_planner_robust(written, tmp_path, monkeypatch):
    """A figure the files do not bear out (here: the expected value off by 1) stops the
    run as a failed plan check stops planner solve: exit 3, nothing kept."""
    import planner.robust.report as report

    real = report.summary_of

    def off(run, level=0.95):
        s = real(run, level)
        s["expected_value"]["value"] += 1.0
        return s

    monkeypatch.setattr(report, "summary_of", off)
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["robust", str(written[0]), "--samples", "1", "--evaluate",
                                    "2", "--out", str(out), "--threads", "1", "--method",
                                    "extensive"])
    assert res.exit_code == 3, res.output
    assert "the robust tables failed the independent check" in res.output
    assert "expected_value.value" in res.output
    assert not out.exists()


def test_the_checkers_draws_are_the_planners():
    """Two implementations of the documented rule draw the same samples (cut, range
    with and without a county, overruns), and the cut is what the generator says."""
    from planner.robust.sampling import draw

    unc = {"seed": 11, "samples": 5,
           "money": [{"stream": "a", "year": 2019, "kind": "cut", "county": None, "p": 0.3,
                      "share": 0.2},
                     {"stream": "b", "year": 2020, "kind": "range", "county": "x",
                      "low": 0.8, "high": 1.0}],
           "costs": [{"target": "road", "low": 0.0, "high": 0.3},
                     {"target": "water", "low": 0.1, "high": 0.1}]}
    for stream in (0, 1):
        for k in range(6):
            d = draw(unc, stream, k)
            assert redraw(unc, stream, k) == (list(d.money), list(d.costs))
    rng = np.random.default_rng(np.random.SeedSequence(11, spawn_key=(1, 4)))
    cut = rng.random() < 0.3
    assert redraw(unc, 1, 4)[0][0] == (0.8 if cut else 1.0)


def test_the_checkers_statistics_by_hand():
    for df, want in T975.items():
        assert t_quantile(0.975, df) == pytest.approx(want, abs=1e-8)
    # the worst (1 - alpha) share: 0.4 of four values is the least; 2 of five the two
    # least; 1.5 of five the least and half the next
    assert cvar([4.0, 1.0, 3.0, 2.0], 0.9) == pytest.approx(1.0)
    assert cvar([5.0, 1.0, 4.0, 2.0, 3.0], 0.6) == pytest.approx(1.5)
    assert cvar([5.0, 1.0, 4.0, 2.0, 3.0], 0.7) == pytest.approx((1 + 0.5 * 2) / 1.5)
    # 10th percentile of 4.75, 7.75, 7.75, 7.75: position 0.3 between the first two
    assert percentile([7.75, 4.75, 7.75, 7.75], 10) == pytest.approx(4.75 + 0.3 * 3)


def test_the_robust_checker_is_under_the_import_ban():
    """planner.check's import walk (tests/test_mutations.py: no models/, no build or plan
    code) reaches the robust checker's modules, and none of them reaches planner.robust."""
    from test_mutations import _imports_of

    seen, todo = set(), ["planner.check"]
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo += sorted(m for m in _imports_of(module) if m != "planner")
    assert {"planner.check.robust", "planner.check.robust_scenario",
            "planner.check.robust_stats"} <= seen
    assert sorted(m for m in seen if m.split(".")[0] == "models"
                  or m.split(".")[:2] == ["planner", "robust"]) == []
