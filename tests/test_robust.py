"""`planner robust` (issue 19) on a case worked out by hand.

One village, four gaps, one stream (carry-over), 2019 and 2020, exit_priority none (no
on-time bonus: the value is the weights of the gaps closed, all due 2020):

    work  gap weight  cost  may start
    A     4.75        10    2019 only
    C     7           15    2020 only
    D     2            5    2020 only
    E     3           10    2020 only

Money: 10 in 2019; 2020's 10 is cut to 0 with probability 0.5.  The one first-year
choice is A or nothing.  The best 2020 works for money m: best(0) = 0, best(5) = 2 (D),
best(10) = 3 (E), best(15) = 7 (C), best(20) = 9 (C + D).

* on expected money (2020: 5): A gives 4.75 + best(5) = 6.75, nothing gives best(15)
  = 7: the plan on expected money starts nothing in 2019.
* seed 0 draws the two samples uncut (2020: 10) and cut (0).  A: 4.75 + best(10) =
  7.75 and 4.75 + 0 = 4.75, mean 6.25; nothing: best(20) = 9 and best(10) = 3, mean 6.
  The robust first year is A (6.25 > 6): in-sample VSS 0.25.
* wait-and-see: uncut max(7.75, 9) = 9, cut max(4.75, 3) = 4.75, mean 6.875: in-sample
  EVPI 6.875 - 6.25 = 0.625.
* fresh samples (stream 1, seed 0): uncut, uncut, cut, uncut.  Robust - deterministic:
  -1.25, -1.25, +1.75, -1.25: VSS -0.5, sd 1.5, se 0.75, 95 % interval -0.5 +- t(0.975,
  3) 0.75 = -0.5 +- 2.3868; EVPI: 1.25, 1.25, 0, 1.25: mean 0.9375.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.robust.sampling import FRESH, SOLVE, draw, draws, expected, funds_of, projects_of
from planner.robust.stats import interval, t_quantile
from planner.scenario import load_scenario

T975_3 = 3.182446305284263  # Student's t, 0.975 quantile, 3 degrees of freedom


def _hand(folder: Path, weight_a: float = 4.75) -> Path:
    folder.mkdir(parents=True)
    (folder / "villages.csv").write_text("village_id,name,county,exit_year,deep_poverty\n"
                                         "V1,甲村,一县,2020,false\n", encoding="utf-8")
    (folder / "gaps.csv").write_text(f"village_id,target,weight\nV1,water,{weight_a}\n"
                                     "V1,road,7\nV1,power,2\nV1,broadband,3\n",
                                     encoding="utf-8")
    (folder / "projects.csv").write_text(
        "project_id,village_id,target,cost,earliest_year,latest_year\n"
        "A,V1,water,10,2019,2019\nC,V1,road,15,2020,2020\nD,V1,power,5,2020,2020\n"
        "E,V1,broadband,10,2020,2020\n", encoding="utf-8")
    (folder / "funds.csv").write_text("stream,year,amount,carry_over,targets\n"
                                      "poverty_fund,2019,10,true,*\n"
                                      "poverty_fund,2020,10,true,*\n", encoding="utf-8")
    (folder / "scenario.yaml").write_text(
        "years: [2019, 2020]\nexit_priority: none\nuncertainty:\n  seed: 0\n  samples: 2\n"
        "  money:\n  - {stream: poverty_fund, year: 2020, cut: {p: 0.5, share: 1}}\n",
        encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def hand_run(tmp_path_factory):
    """The hand-worked case through the command line: 2 samples, 4 fresh ones."""
    base = tmp_path_factory.mktemp("robust")
    scn, out = _hand(base / "scn"), base / "out"
    res = CliRunner().invoke(main, ["robust", str(scn), "--evaluate", "4", "--out", str(out),
                                    "--threads", "1", "--method", "extensive"])
    assert res.exit_code == 0, res.output
    return scn, out, res.output


def test_t_quantile_meets_published_values():
    for df, want in [(1, 12.706204736), (3, T975_3), (9, 2.262157163), (29, 2.045229642)]:
        assert t_quantile(0.975, df) == pytest.approx(want, abs=1e-7)
    got = interval([-1.25, -1.25, 1.75, -1.25])
    assert got["mean"] == pytest.approx(-0.5) and got["sd"] == pytest.approx(1.5)
    assert got["ci"] == pytest.approx([-0.5 - T975_3 * 0.75, -0.5 + T975_3 * 0.75])


def test_draws_are_reproducible_from_the_seed(tmp_path):
    scn = load_scenario(_hand(tmp_path / "scn"))
    unc = {**scn.uncertainty, "costs": [{"target": "road", "low": 0.0, "high": 0.3}]}
    first = draws(unc, SOLVE, 5)
    assert draws(unc, SOLVE, 5) == first  # the same seed, the same samples
    assert draws(unc, SOLVE, 3) == first[:3]  # sample k does not depend on N
    assert [d.money for d in draws(unc, FRESH, 3)] != [d.money for d in first[:3]]
    other = draws({**unc, "seed": 1}, SOLVE, 5)
    assert [d.costs for d in other] != [d.costs for d in first]
    # seed 0 (numpy's SeedSequence(0, spawn_key=(stream, k))): the cut and the overrun
    rng = np.random.default_rng(np.random.SeedSequence(0, spawn_key=(SOLVE, 1)))
    cut, overrun = rng.random() < 0.5, rng.uniform(0.0, 0.3)
    assert draw(unc, SOLVE, 1).money == ((0.0 if cut else 1.0),)
    assert draw(unc, SOLVE, 1).costs == (overrun,)
    assert expected(unc).money == (0.5,) and expected(unc).costs == (0.15,)
    # applied to the tables, rounded to 4 decimals; the first year's works keep their cost
    d = draw(unc, SOLVE, 1)
    funds = funds_of(scn.funds, unc, d)
    assert list(funds["amount"]) == [10.0, 10.0 * d.money[0]]
    costs = projects_of(scn.projects, unc, d, frozenset({"A"})).set_index("project_id")
    assert costs.loc["C", "cost"] == round(15 * (1 + overrun), 4)
    assert costs.loc["A", "cost"] == 10 and costs.loc["E", "cost"] == 10


def test_hand_worked_case(hand_run):
    scn, out, output = hand_run
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert s["first_year"]["only_robust"] == ["A"] and s["first_year"]["works"] == 1
    assert s["first_year"]["only_expected_money"] == []
    assert s["decision"]["deterministic"]["value"] == pytest.approx(7.0)
    assert s["decision"]["measure"] == pytest.approx(6.25)
    samples = pd.read_csv(out / "samples.csv", encoding="utf-8-sig")
    assert list(samples["money poverty_fund 2020"]) == [1.0, 0.0]
    assert list(samples["robust"]) == [7.75, 4.75]
    assert list(samples["deterministic"]) == [9.0, 3.0]
    assert list(samples["wait_and_see"]) == [9.0, 4.75]
    assert s["vss"]["in_sample"]["value"] == pytest.approx(0.25)
    assert s["evpi"]["in_sample"]["value"] == pytest.approx(0.625)
    fresh = pd.read_csv(out / "evaluation.csv", encoding="utf-8-sig")
    assert list(fresh["money poverty_fund 2020"]) == [1.0, 1.0, 0.0, 1.0]
    assert list(fresh["difference"]) == [-1.25, -1.25, 1.75, -1.25]
    assert s["expected_value"]["value"] == pytest.approx(7.0)
    assert s["vss"]["value"] == pytest.approx(-0.5)
    assert s["vss"]["ci"] == pytest.approx([-0.5 - T975_3 * 0.75, -0.5 + T975_3 * 0.75])
    assert (s["vss"]["robust"], s["vss"]["deterministic"]) == pytest.approx((7.0, 7.5))
    assert s["evpi"]["value"] == pytest.approx(0.9375)
    assert "VSS        -0.50" in output
    first = pd.read_csv(out / "first_year.csv", encoding="utf-8-sig", dtype=str)
    assert list(first["project_id"]) == ["A"] and list(first["cost"]) == ["10.0000"]
    assert (out / "first_year_starts.csv").read_text(encoding="utf-8").splitlines() == [
        "project_id,start_year", "A,2019"]


def test_every_sample_plan_passes_the_checker(hand_run):
    _, out, _ = hand_run
    samples = pd.read_csv(out / "samples.csv", encoding="utf-8-sig", dtype={"sample": str})
    for name, value in zip(samples["sample"], samples["robust"]):
        folder = out / "samples" / name
        summary = json.loads((folder / "plan" / "summary.json").read_text(encoding="utf-8"))
        assert summary["objective"] == value  # samples.csv gives the verified plan's value
        res = CliRunner().invoke(main, ["check", str(folder / "scenario"),
                                        str(folder / "plan")])
        assert res.exit_code == 0, res.output
        plan = pd.read_csv(folder / "plan" / "schedule.csv", encoding="utf-8-sig", dtype=str)
        assert set(plan.loc[plan["start_year"] == "2019", "project_id"]) == {"A"}
    money = pd.read_csv(out / "samples" / "002" / "scenario" / "funds.csv", dtype=str)
    assert list(money["amount"]) == ["10.0", "0.0"]  # sample 002: 2020 cut to nothing
    # the sample's scenario holds the first year decided: solved again, the same value
    res = CliRunner().invoke(main, ["solve", str(out / "samples" / "002" / "scenario"),
                                    "--out", str(out.parent / "again"), "--threads", "1"])
    assert res.exit_code == 0, res.output
    again = json.loads((out.parent / "again" / "summary.json").read_text(encoding="utf-8"))
    assert again["objective"] == 4.75


def test_worst_case_and_cvar_choose_apart_from_the_mean(tmp_path):
    """With A worth 4.4: nothing gives mean 6 > A's 4.4 + 1.5 = 5.9, A gives the better
    worst case (4.4 > 3); CVaR at 0.5 over two samples is the worse sample's value."""
    from models.params import SolveParams
    from models.robust import solve_copies
    from planner.robust.recourse import copy_for
    from planner.robust.sampling import weighted

    scn = weighted(load_scenario(_hand(tmp_path / "scn", weight_a=4.4)))
    copies = [copy_for(scn, scn.uncertainty, d) for d in draws(scn.uncertainty, SOLVE, 2)]
    params = SolveParams(threads=1, time_limit=20, gap=0)
    got = {}
    for objective in ("expected", "worst", "cvar"):
        res = solve_copies(copies, params, objective, alpha=0.5)
        got[objective] = (bool(res.first_year()[copies[0].inst.project_ids.index("A")]),
                          res.measure)
    assert got == {"expected": (False, pytest.approx(6.0)),
                   "worst": (True, pytest.approx(4.4)), "cvar": (True, pytest.approx(4.4))}


def test_hedging_finds_the_same_first_year(tmp_path):
    """Progressive hedging, each sample's program a task on a local Dask cluster.  A's
    start is worth 4.75, so rho starts at 0.25 x 4.75 = 1.1875 and grows by 1.2.
    Iteration 1 (alone): uncut none, cut A; xbar 0.5, w = -+0.59375.  Iteration 2 (the
    price w alone, xbar being 0.5): uncut 7.75 + 0.59 < 9, none; cut 4.75 - 0.59 > 3,
    A; w = -+(0.59375 + 1.425 / 2) = -+1.30625.  Iteration 3: uncut 7.75 + 1.31 > 9: A;
    cut 4.75 - 1.31 > 3: A.  Agreed after 3 iterations, on A."""
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["robust", str(_hand(tmp_path / "scn")), "--evaluate", "2",
                                    "--out", str(out), "--threads", "1", "--method",
                                    "hedging"])
    assert res.exit_code == 0, res.output
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert s["method"] == "hedging" and s["decision"]["converged"]
    assert s["decision"]["iterations"] == 3 and s["decision"]["disagreeing"] == [1, 1, 0]
    assert s["first_year"]["only_robust"] == ["A"]
    assert s["decision"]["wait_and_see"] == [9.0, 4.75]  # iteration 0: each sample alone
    assert s["vss"]["in_sample"]["value"] == pytest.approx(0.25)


def test_refusals(tmp_path):
    tiny = Path(__file__).resolve().parent.parent / "scenarios" / "tiny"
    res = CliRunner().invoke(main, ["robust", str(tiny), "--out", str(tmp_path / "o")])
    assert res.exit_code == 1
    assert res.output.strip().splitlines() == [
        "error: scenario.yaml, column uncertainty: has no uncertainty: for planner robust; "
        "add e.g. uncertainty: {samples: 20, money: [{stream: special_bonds, year: 2019, "
        "cut: {p: 0.3, share: 0.2}}]}"]
    res = CliRunner().invoke(main, ["robust", str(tiny), "--out", str(tmp_path / "o"),
                                    "--method", "hedging", "--objective", "worst"])
    assert res.exit_code == 2 and "--method hedging averages over the samples" in res.output
    assert not (tmp_path / "o").exists()
