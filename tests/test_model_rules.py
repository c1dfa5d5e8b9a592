"""One hand-sized instance per rule of the program, optimum worked out in a comment.

Defaults (README, "The objective"): weight 1 per gap, late_factor 0.5, 3 per
village on time; every target below except collective_economy and civility is
in the exit standard.  Horizon 2019-2020 unless stated.  Each test would fail
if its rule were dropped from the model (the comment says what would happen).
Every plan is also passed through the independent checker.
"""

from __future__ import annotations

import pytest

from models.solve import solve
from planner.build import build_instance
from planner.pipeline import PlanningError, plan_scenario
from planner.plan import make_plan
from planner.scenario import load_scenario
from planner.verify import verify_plan

V1 = ["A,甲村,X县,2020,false"]
V2 = ["A,甲村,X县,2020,false", "B,乙村,X县,2020,false"]
P_EXT = ("project_id,village_id,target,cost,duration,cost_profile,earliest_year,latest_year,"
         "self_share,streams,requires,alternative_group")


def run(folder, backend, tmp_path=None):
    scn = load_scenario(folder)
    inst = build_instance(scn)
    res = solve(inst, backend=backend, gap=0, time_limit=30, threads=1)
    assert res.has_solution, res.status
    plan = make_plan(scn, inst, res)
    chosen = dict(zip(plan.schedule["project_id"], plan.schedule["start_year"]))
    if tmp_path is not None:
        from planner.plan import write_plan
        out = tmp_path / "plan_check"
        write_plan(plan, out)
        assert verify_plan(scn, out) == []
    return res, plan, chosen


def test_budget_limits_spending(make_scenario, backend, tmp_path):
    # 10 available in 2020 only: one 10-cost work fits -> value 1 (village not complete).
    # Without the budget rule both fit: 1 + 1 + 3 = 5.
    f = make_scenario(villages=V1, gaps=["A,water", "A,road"],
                      projects=["P1,A,water,10", "P2,A,road,10"],
                      funds=["s,2019,5,false,*", "s,2020,10,false,*"])
    res, plan, chosen = run(f, backend, tmp_path)
    assert res.objective == pytest.approx(1.0)
    assert list(chosen.values()) == [2020]


@pytest.mark.parametrize("carry, value", [("true", 5.0), ("false", 1.0)])
def test_carry_over(make_scenario, backend, carry, value, tmp_path):
    # Both works may start only in 2020 (10 + 10); 2020 has 10, 2019 has 10.
    # Carried over: 20 in 2020, both done, village on time: 1 + 1 + 3 = 5; lapsing: one, 1.
    f = make_scenario(villages=V1, gaps=["A,water", "A,road"],
                      project_header=P_EXT,
                      projects=["P1,A,water,10,1,,2020,,,,,", "P2,A,road,10,1,,2020,,,,,"],
                      funds=[f"s,2019,10,{carry},*", "s,2020,10,false,*"])
    res, plan, _ = run(f, backend, tmp_path)
    assert res.objective == pytest.approx(value)
    assert plan.funds.loc[plan.funds["year"] == 2019, "carried_out"].iloc[0] == (
        10.0 if carry == "true" else 0.0)


def test_stream_targets_limit_eligibility(make_scenario, backend, tmp_path):
    # The only stream pays for water only: road stays open -> 1.  Without the rule 5.
    f = make_scenario(villages=V1, gaps=["A,water", "A,road"],
                      projects=["P1,A,water,10", "P2,A,road,10"],
                      funds=["s,2019,100,true,water", "s,2020,0,true,water"])
    res, _, chosen = run(f, backend, tmp_path)
    assert res.objective == pytest.approx(1.0)
    assert set(chosen) == {"P1"}


def test_project_streams_limit_eligibility(make_scenario, backend, tmp_path):
    # P1 (60) may only use stream a (50): unaffordable; P2 (40) from b -> 1.
    # Without the project's `streams` rule a+b = 100 pay both: 1 + 1 + 3 = 5.
    f = make_scenario(villages=V1, gaps=["A,water", "A,road"], project_header=P_EXT,
                      projects=["P1,A,water,60,1,,,,,a,,", "P2,A,road,40,1,,,,,b,,"],
                      funds=["a,2019,50,false,*", "a,2020,0,false,*",
                             "b,2019,50,false,*", "b,2020,0,false,*"])
    res, _, chosen = run(f, backend, tmp_path)
    assert res.objective == pytest.approx(1.0)
    assert set(chosen) == {"P2"}


def test_self_share_is_paid_outside_the_pool(make_scenario, backend, tmp_path):
    # P1 costs 20 with half paid by households: 10 pooled fits the 10 budget -> 1.
    # Without self_share neither 20-cost work fits -> 0.
    f = make_scenario(villages=V1, gaps=["A,water", "A,road"], project_header=P_EXT,
                      projects=["P1,A,water,20,1,,,,0.5,,,", "P2,A,road,20,1,,,,,,,"],
                      funds=["s,2019,10,false,*", "s,2020,0,false,*"])
    res, plan, chosen = run(f, backend, tmp_path)
    assert res.objective == pytest.approx(1.0)
    row = plan.schedule.iloc[0]
    assert (row["project_id"], row["cost"], row["pooled_cost"], row["self_funded"], row["s"]) == \
        ("P1", 20.0, 10.0, 10.0, 10.0)


@pytest.mark.parametrize("profile, value", [("0.5;0.5", 4.0), ("0.8;0.2", 0.0)])
def test_duration_and_cost_profile(make_scenario, backend, profile, value, tmp_path):
    # A 2-year road of 20 with 10 per year and no carry-over: 10/10 fits -> 1 + 3 = 4;
    # 16/4 does not fit 10 in 2019 -> 0.  Without the profile (even split) both give 4.
    f = make_scenario(villages=V1, gaps=["A,road"], project_header=P_EXT,
                      projects=[f"P1,A,road,20,2,{profile},,,,,,"],
                      funds=["s,2019,10,false,*", "s,2020,10,false,*"])
    res, plan, _ = run(f, backend, tmp_path)
    assert res.objective == pytest.approx(value)
    if value:
        assert list(plan.schedule["year"]) == [2019, 2020]
        assert list(plan.schedule["finish_year"]) == [2020, 2020]


def test_requires_prerequisite_finishes_first(make_scenario, backend, tmp_path):
    # P2 (collective economy, PV) requires the grid work P1.  Money: 20 in 2019 only.
    # P2 could only start in 2020 after P1, when there is no money: P1 alone -> 1 + 3 = 4.
    # Without the rule both in 2019: 1 + 1 + 3 = 5.
    f = make_scenario(villages=V1, gaps=["A,power", "A,collective_economy"],
                      project_header=P_EXT,
                      projects=["P1,A,power,10,1,,,,,,,", "P2,A,collective_economy,10,1,,,,,,P1,"],
                      funds=["s,2019,20,false,*", "s,2020,0,false,*"])
    res, _, chosen = run(f, backend, tmp_path)
    assert res.objective == pytest.approx(4.0)
    assert set(chosen) == {"P1"}


def test_alternative_group_excludes(make_scenario, backend, tmp_path):
    # Money for both, but they are alternatives -> one gap: 1.  Without the rule 5.
    f = make_scenario(villages=V1, gaps=["A,water", "A,road"], project_header=P_EXT,
                      projects=["P1,A,water,10,1,,,,,,,g", "P2,A,road,10,1,,,,,,,g"],
                      funds=["s,2019,100,true,*", "s,2020,0,true,*"])
    res, _, chosen = run(f, backend, tmp_path)
    assert res.objective == pytest.approx(1.0)
    assert len(chosen) == 1


def test_village_bonus_completes_villages_first(make_scenario, backend, tmp_path):
    # 20 buys two works: both of A (2 + 3 = 5) beats one each (1 + 1 = 2).
    # Without the on-time bonus any two works tie at 2.
    f = make_scenario(villages=V2, gaps=["A,water", "A,road", "B,water", "B,road"],
                      projects=["P1,A,water,10", "P2,A,road,10", "P3,B,water,10", "P4,B,road,10"],
                      funds=["s,2019,0,false,*", "s,2020,20,false,*"])
    res, plan, chosen = run(f, backend, tmp_path)
    assert res.objective == pytest.approx(5.0)
    assert set(chosen) in ({"P1", "P2"}, {"P3", "P4"})
    assert sorted(plan.villages["on_time"].tolist()) == [False, True]


def test_late_gap_is_worth_less(make_scenario, backend, tmp_path):
    # A exits 2019 but money comes in 2020: water closes late -> 0.5, not on time.
    f = make_scenario(villages=["A,甲村,X县,2019,false"], gaps=["A,water"],
                      projects=["P1,A,water,10"],
                      funds=["s,2019,0,false,*", "s,2020,10,false,*"])
    res, plan, _ = run(f, backend, tmp_path)
    assert res.objective == pytest.approx(0.5)
    assert plan.villages["late_targets"].iloc[0] == "water"


def test_exited_village_is_due_in_the_first_year(make_scenario, backend, tmp_path):
    # A exited in 2017: its shortfall is due in 2019, the first year -> 1 + 3 = 4 in 2019.
    # In 2020 it would be late (0.5); money exists in both years.
    f = make_scenario(villages=["A,甲村,X县,2017,false"], gaps=["A,water"],
                      projects=["P1,A,water,10"],
                      funds=["s,2019,10,false,*", "s,2020,10,false,*"])
    res, _, chosen = run(f, backend, tmp_path)
    assert res.objective == pytest.approx(4.0)
    assert chosen == {"P1": 2019}


def test_relocated_village_is_not_planned(make_scenario, backend, tmp_path):
    # R is relocated (整村搬迁): its work is never planned, though money is plenty.
    f = make_scenario(village_header="village_id,name,county,exit_year,deep_poverty,relocated",
                      villages=["A,甲村,X县,2020,false,false", "R,搬迁村,X县,2020,false,是"],
                      gaps=["A,water", "R,water"],
                      projects=["P1,A,water,10", "P2,R,water,10"],
                      funds=["s,2019,100,true,*", "s,2020,0,true,*"])
    res, plan, chosen = run(f, backend, tmp_path)
    assert set(chosen) == {"P1"}
    assert res.objective == pytest.approx(4.0)
    assert plan.villages.set_index("village_id").loc["R", "relocated"]


# Three villages for deadlines: A's water weighs 5; B and C need broadband.
DL_V = ["A,甲村,X县,2020,false", "B,乙村,X县,2020,true", "C,丙村,X县,2020,false"]
DL_G = ["A,water,5", "B,broadband,", "C,broadband,"]
DL_P = ["P1,A,water,10", "P2,B,broadband,10", "P3,C,broadband,10"]
DL_F = ["s,2019,20,false,*", "s,2020,0,false,*"]


def _gaps_with_weight(folder):
    (folder / "gaps.csv").write_text("village_id,target,weight\n" + "\n".join(DL_G) + "\n",
                                     encoding="utf-8")
    return folder


@pytest.mark.parametrize("share, value, must", [
    # 0.6 of 3 -> 2 villages: A has no broadband gap and counts; P1 + one broadband:
    # (5 + 3) + (1 + 3) + 0 = 12.  0.9 -> all 3: P2 + P3 forced: 4 + 4 = 8 (A open).
    (0.6, 12.0, {"P1"}),
    (0.9, 8.0, {"P2", "P3"}),
])
def test_deadline_share(make_scenario, backend, share, value, must, tmp_path):
    f = _gaps_with_weight(make_scenario(
        villages=DL_V, gaps=DL_G, projects=DL_P, funds=DL_F,
        config={"deadlines": [{"target": "broadband", "year": 2019, "share": share}]}))
    res, _, chosen = run(f, backend, tmp_path)
    assert res.objective == pytest.approx(value)
    assert must <= set(chosen)


def test_deadline_scope_deep_poverty(make_scenario, backend, tmp_path):
    # Only B is deep-poverty: B's broadband is forced, with A's water: 8 + 4 = 12.
    # Without the deadline C or B would tie; without the scope all three could not fit.
    f = _gaps_with_weight(make_scenario(
        villages=DL_V, gaps=DL_G, projects=DL_P, funds=DL_F,
        config={"deadlines": [{"target": "broadband", "year": 2019, "scope": "deep_poverty"}]}))
    res, _, chosen = run(f, backend, tmp_path)
    assert res.objective == pytest.approx(12.0)
    assert set(chosen) == {"P1", "P2"}


def test_soft_deadline_is_a_penalty(make_scenario, backend, tmp_path):
    # Soft 0.9: P1 + one broadband, one village short: 12 - 2 = 10 > 8 (both broadband).
    f = _gaps_with_weight(make_scenario(
        villages=DL_V, gaps=DL_G, projects=DL_P, funds=DL_F,
        config={"deadlines": [{"target": "broadband", "year": 2019, "share": 0.9,
                               "soft": True}]}))
    res, _, chosen = run(f, backend, tmp_path)
    assert res.objective == pytest.approx(10.0)
    assert "P1" in chosen


def test_infeasible_deadline_is_explained(make_scenario):
    # All three villages need broadband by 2019 but 2019 has 10: one village short,
    # and 10 more of stream s in 2019 would do.
    f = _gaps_with_weight(make_scenario(
        villages=DL_V, gaps=DL_G, projects=DL_P, funds=["s,2019,10,false,*", "s,2020,0,false,*"],
        config={"deadlines": [{"target": "broadband", "year": 2019}]}))
    with pytest.raises(PlanningError) as err:
        plan_scenario(f, None, gap=0)
    text = str(err.value)
    assert "broadband@2019[all]>=1 cannot be met: short by 1 village" in text
    assert "s (pooled) 2019: 10.0000" in text


def test_min_cost_meets_every_exit_standard_cheaply(make_scenario, backend, tmp_path):
    # A's water by 2019: P1 (10) or the cheaper alternative P1b (8); B's road by 2020: 12.
    # The civility gap is not in the exit standard and stays open.  Least cost 8 + 12 = 20.
    f = make_scenario(villages=["A,甲村,X县,2019,false", "B,乙村,X县,2020,false"],
                      gaps=["A,water", "B,road", "B,civility"],
                      projects=["P1,A,water,10", "P1b,A,water,8", "P2,B,road,12",
                                "P3,B,civility,1"],
                      funds=["s,2019,100,true,*", "s,2020,100,true,*"],
                      config={"objective": "min_cost"})
    res, plan, chosen = run(f, backend, tmp_path)
    assert res.objective == pytest.approx(20.0)
    assert set(chosen) == {"P1b", "P2"}
    assert plan.villages["on_time"].all()


def test_locks_in_and_out(make_scenario, backend, tmp_path):
    # min_cost with P1b locked out: P1 (10) + P2 (12) = 22.
    f = make_scenario(villages=["A,甲村,X县,2019,false", "B,乙村,X县,2020,false"],
                      gaps=["A,water", "B,road"],
                      projects=["P1,A,water,10", "P1b,A,water,8", "P2,B,road,12"],
                      funds=["s,2019,100,true,*", "s,2020,100,true,*"],
                      config={"objective": "min_cost", "lock": {"out": ["P1b"]}})
    res, _, chosen = run(f, backend, tmp_path)
    assert res.objective == pytest.approx(22.0)
    # max_coverage with 10 of money: locking in B's civility work takes it from A's water.
    # B has no exit-standard gap (on time anyway, +3): locked plan 1 + 3 = 4, else 5 + 3 + 3.
    g = make_scenario(villages=V2, gaps=["A,water", "B,civility"],
                      projects=["P1,A,water,10", "P2,B,civility,10"],
                      funds=["s,2019,10,false,*", "s,2020,0,false,*"],
                      config={"lock": {"in": ["P2"]}, "weights": {"water": 5}})
    res, _, chosen = run(g, backend, tmp_path)
    assert res.objective == pytest.approx(4.0)
    assert set(chosen) == {"P2"}


def test_county_scoped_money(make_scenario, backend, tmp_path):
    # Money belongs to X县 only: A (X县) is funded, 1 + 3 = 4, though B (Y县) weighs 2.
    # Pooled across counties it would fund B: 2 + 3 = 5.
    f = make_scenario(villages=["A,甲村,X县,2020,false", "B,乙村,Y县,2020,false"],
                      gaps=["A,water", "B,water"],
                      projects=["P1,A,water,10", "P2,B,water,10"],
                      fund_header="stream,year,amount,county,carry_over,targets",
                      funds=["s,2019,10,X县,false,*", "s,2020,0,X县,false,*"],
                      config={"weights": {"targets": {}}})
    (f / "gaps.csv").write_text("village_id,target,weight\nA,water,\nB,water,2\n", encoding="utf-8")
    res, _, chosen = run(f, backend, tmp_path)
    assert res.objective == pytest.approx(4.0)
    assert set(chosen) == {"P1"}


@pytest.mark.parametrize("earliest, latest, money_year, value", [
    ("2020", "", 2019, 0.0),  # money only in 2019 but the work may start in 2020 at the earliest
    ("", "2019", 2020, 0.0),  # money only in 2020 but the work must start by 2019
    ("", "2019", 2019, 4.0),  # money in 2019 and the window allows it: 1 + 3
])
def test_start_window(make_scenario, backend, earliest, latest, money_year, value, tmp_path):
    # Without the window rule the first two would also give 4.
    f = make_scenario(villages=V1, gaps=["A,water"], project_header=P_EXT,
                      projects=[f"P1,A,water,10,1,,{earliest},{latest},,,,"],
                      funds=[f"s,{money_year},10,false,*",
                             f"s,{4039 - money_year},0,false,*"])
    res, _, _ = run(f, backend, tmp_path)
    assert res.objective == pytest.approx(value)
