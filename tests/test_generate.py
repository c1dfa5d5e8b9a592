"""Tests of the synthetic scenario generator (planner/generate.py).

The files are read back with pandas and checked against the contract and the
generator's documented rules, recomputed here independently of the generator.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import yaml

from planner.generate import generate

FILES = ("scenario.yaml", "villages.csv", "gaps.csv", "projects.csv", "funds.csv")
TARGETS = {"water", "power", "road", "broadband", "housing", "environment",
           "education", "health", "social_security", "culture",
           "collective_economy", "governance", "civility", "motivation"}
STREAMS = {"special_bonds", "poverty_fund", "lottery", "collective_fund", "integrated"}
ELIGIBLE = {"special_bonds": {"water", "power", "road", "broadband", "housing", "environment"},
            "lottery": {"environment", "education", "health", "culture", "road"}}


def load(d):
    """The scenario's tables as strings (blank cells stay ""), plus the yaml."""
    tables = {name: pd.read_csv(d / f"{name}.csv", dtype=str, keep_default_na=False,
                                encoding="utf-8-sig")
              for name in ("villages", "gaps", "projects", "funds")}
    tables["scenario"] = yaml.safe_load((d / "scenario.yaml").read_text(encoding="utf-8"))
    return tables


def num(series):
    return pd.to_numeric(series.replace("", np.nan))


def least_pooled_cost(t):
    """Per gap (village_id, target): least pooled cost of its candidates."""
    p = t["projects"]
    pooled = num(p["cost"]) * (1 - num(p["self_share"]).fillna(0))
    least = pooled.groupby([p["village_id"], p["target"]]).min().rename("cost")
    return t["gaps"].join(least, on=["village_id", "target"])


def planned_gaps(t):
    v = t["villages"].set_index("village_id")
    g = least_pooled_cost(t)
    g["county"] = v.loc[g["village_id"], "county"].to_numpy()
    g["deep"] = (v.loc[g["village_id"], "deep_poverty"] == "true").to_numpy()
    return g[(v.loc[g["village_id"], "relocated"] != "true").to_numpy()]


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    d = tmp_path_factory.mktemp("county")
    stats = generate(d, villages=300, counties=4, seed=7)
    return d, stats, load(d)


# --------------------------------------------------------------------------

def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    for sub, seed in (("a", 3), ("b", 3), ("c", 4)):
        generate(tmp_path / sub, villages=120, counties=3, seed=seed)
    for f in FILES:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f
    for f in ("villages.csv", "gaps.csv", "projects.csv", "funds.csv"):
        assert (tmp_path / "a" / f).read_bytes() != (tmp_path / "c" / f).read_bytes(), f


def test_files_utf8_bom_and_columns(county):
    d, _, t = county
    for f in ("villages.csv", "gaps.csv", "projects.csv", "funds.csv"):
        assert (d / f).read_bytes().startswith(b"\xef\xbb\xbf"), f
    assert list(t["villages"].columns) == [
        "village_id", "name", "county", "township", "exit_year", "deep_poverty",
        "population", "poor_households", "relocated"]
    assert list(t["gaps"].columns) == ["village_id", "target"]
    assert {"project_id", "village_id", "target", "cost", "duration", "cost_profile",
            "department", "self_share", "streams", "requires"} <= set(t["projects"].columns)
    assert list(t["funds"].columns) == ["stream", "year", "amount", "county",
                                        "carry_over", "targets"]


def test_counts_and_villages(county):
    _, stats, t = county
    v = t["villages"]
    assert len(v) == stats["villages"] == 300
    assert v["county"].nunique() == stats["counties"] == 4
    assert v["village_id"].is_unique and v["village_id"].str.fullmatch(r"V\d{4}").all()
    assert v["name"].str.endswith("村").all()
    pop = num(v["population"])
    assert pop.between(300, 2500).all()
    assert (num(v["poor_households"]) < pop / 2).all()
    assert set(v["relocated"]) <= {"true", "false"}
    # deep poverty is a property of the county
    deep = v.groupby("county")["deep_poverty"].agg(set)
    assert all(len(s) == 1 for s in deep)
    assert sum(s == {"true"} for s in deep) in (1, 2)
    assert len(t["gaps"]) == stats["gaps"] and len(t["projects"]) == stats["projects"]


def test_gaps_and_projects_consistent(county):
    _, _, t = county
    v, g, p = t["villages"], t["gaps"], t["projects"]
    assert set(g["target"]) <= TARGETS
    assert not g.duplicated().any()
    assert set(g["village_id"]) == set(v["village_id"])  # at least one gap each
    assert 4 <= len(g) / len(v) <= 8
    assert p["project_id"].is_unique and p["project_id"].str.fullmatch(r"P\d{5}").all()
    gap_keys = set(zip(g["village_id"], g["target"]))
    proj_keys = list(zip(p["village_id"], p["target"]))
    assert set(proj_keys) == gap_keys  # every project closes a gap, every gap has one
    per_gap = pd.Series(proj_keys).value_counts()
    assert per_gap.max() <= 2 and 0.05 < (per_gap == 2).mean() < 0.3
    cost = num(p["cost"])
    assert (cost > 0).all() and (cost.round(2) == cost).all()
    assert set(p["self_share"]) <= {"", "0.5"}
    assert (p.loc[p["self_share"] != "", "target"] == "water").all()
    assert (p["alternative_group"] == "").all()


def test_requires_reference_power_of_same_village(county):
    _, _, t = county
    p = t["projects"].set_index("project_id")
    req = p[p["requires"] != ""]
    assert len(req) > 0
    n_per_gap = p.groupby(["village_id", "target"]).size()
    for pid, row in req.iterrows():
        for other in row["requires"].split(";"):
            assert other in p.index, (pid, other)
            assert p.at[other, "village_id"] == row["village_id"]
            assert p.at[other, "target"] == "power"
            assert n_per_gap[(row["village_id"], "power")] == 1
        assert row["target"] == "collective_economy"


@pytest.mark.parametrize("years", [(2018, 2019, 2020), (2019, 2020), (2020,),
                                   (2017, 2018, 2019, 2020)])
def test_every_year_inside_horizon(tmp_path, years):
    generate(tmp_path, villages=200, counties=2, seed=11, years=years)
    t = load(tmp_path)
    first, last = years[0], years[-1]
    assert t["scenario"]["years"] == list(years)
    ey = num(t["villages"]["exit_year"])
    assert ey.between(first - 1, last).all()
    p = t["projects"]
    dur = num(p["duration"])
    assert (dur >= 1).all() and (dur <= len(years)).all()
    prof = p.loc[dur > 1, "cost_profile"].str.split(";")
    assert (prof.str.len() == dur[dur > 1]).all()
    assert prof.map(lambda s: abs(sum(map(float, s)) - 1) < 1e-9).all()
    assert (p.loc[dur == 1, "cost_profile"] == "").all()
    early, late = num(p["earliest_year"]), num(p["latest_year"])
    assert early.dropna().between(first, last).all()
    assert late.dropna().between(first, last).all()
    assert ((early + dur - 1).dropna() <= last).all()  # can finish in the horizon
    assert ((late + dur - 1).dropna() <= last).all()
    # a project with requires can start after its prerequisite finishes
    pr = p.set_index("project_id")
    for _, row in pr[pr["requires"] != ""].iterrows():
        need_done = max(first + int(pr.at[o, "duration"]) - 1 for o in row["requires"].split(";"))
        assert need_done + int(row["duration"]) <= last
    assert set(num(t["funds"]["year"])) == set(years)
    for d in t["scenario"]["deadlines"]:
        assert first <= d["year"] <= last


def test_funds_shape_and_money_total(county):
    _, stats, t = county
    f = t["funds"]
    assert set(f["stream"]) == STREAMS
    assert len(f) == 5 * 3 * 4 and (f["county"] != "").all()
    assert not f.duplicated(["stream", "year", "county"]).any()
    assert (f.loc[f["stream"] == "lottery", "carry_over"] == "false").all()
    assert (f.loc[f["stream"] != "lottery", "carry_over"] == "true").all()
    tg = f.groupby("stream")["targets"].first()
    assert set(tg["special_bonds"].split(";")) == ELIGIBLE["special_bonds"]
    assert set(tg["lottery"].split(";")) == ELIGIBLE["lottery"]
    assert tg["collective_fund"] == "collective_economy"
    assert tg["poverty_fund"] == tg["integrated"] == "*"
    amount = num(f["amount"])
    assert (amount > 0).all() and (amount.round(2) == amount).all()

    need = planned_gaps(t)["cost"].sum()
    assert stats["total_need"] == pytest.approx(need, abs=0.01)
    # money = budget_ratio x need, plus what the deadline rule had to add
    assert amount.sum() == pytest.approx(0.6 * need + stats["topup"], rel=1e-4)
    # the top-up is the least that funds the deadlines: here each county's shortfall at
    # the last year (2020: grids, roads, houses and water of every village, 90 % of
    # garbage works), against 1.5 x the forced works, of the money the deadline rule
    # does not touch (0.6 x its need less lottery and collective fund) plus the lottery
    # it may count; earlier years need none (the test of the sum checks that too)
    forced = forced_by_year(t)
    by_county = planned_gaps(t).groupby("county")["cost"].sum()
    for c, need_c in by_county.items():
        fc = f[f["county"] == c]
        s = amount[fc.index].groupby(fc["stream"]).sum()
        total, lot = forced[c, 2020]
        broad = 0.6 * need_c - s["lottery"] - s["collective_fund"]
        short = max(0.0, 1.5 * total - broad - min(s["lottery"], 1.5 * lot))
        room = 1.5e-4 * total + 0.1 + 0.01 * len(fc)  # the rule's rounding room, cents
        assert amount[fc.index].sum() - 0.6 * need_c == pytest.approx(short, abs=room), c
    assert sum(stats["total_money"].values()) == pytest.approx(amount.sum(), abs=0.05)
    # the streams' shares of the budget before the top-up, which goes to special bonds
    by_stream = amount.groupby(f["stream"]).sum()
    by_stream["special_bonds"] -= stats["topup"]
    share = by_stream / by_stream.sum()
    assert share["special_bonds"] == pytest.approx(0.30, abs=0.08)
    assert share["lottery"] == pytest.approx(0.10, abs=0.04)


def test_budget_ratio_scales_money(tmp_path):
    s1 = generate(tmp_path / "a", villages=200, counties=3, seed=5, budget_ratio=0.9)
    assert s1["total_money_sum"] == pytest.approx(0.9 * s1["total_need"] + s1["topup"], rel=1e-4)
    s2 = generate(tmp_path / "b", villages=200, counties=3, seed=5, budget_ratio=0.3)
    assert s2["total_money_sum"] < s1["total_money_sum"]
    assert s2["topup"] > 0  # too little money: the deadlines pull some in


def forced_by_year(t):
    """Per county and deadline year: least pooled cost the deadlines force by
    then, in total and for road/environment (what lottery may pay for)."""
    g = planned_gaps(t)
    v = t["villages"][t["villages"]["relocated"] != "true"]
    g = g.assign(forced_year=np.inf)
    for d in t["scenario"]["deadlines"]:
        scope = v if d.get("scope", "all") == "all" else v[v["deep_poverty"] == "true"]
        cand = g[(g["target"] == d["target"]) & g["village_id"].isin(scope["village_id"])]
        share = d.get("share", 1)
        for c, gc in cand.groupby("county"):
            n_scope = (scope["county"] == c).sum()
            k = max(0, math.ceil(share * n_scope - 1e-9) - (n_scope - len(gc)))
            idx = gc.sort_values("cost", kind="stable").index[:k]
            g.loc[idx, "forced_year"] = np.minimum(g.loc[idx, "forced_year"], d["year"])
    out = {}
    for y in sorted({d["year"] for d in t["scenario"]["deadlines"]}):
        f = g[g["forced_year"] <= y]
        lot = f["target"].isin(["road", "environment"])
        for c in v["county"].unique():
            out[c, y] = (f.loc[f["county"] == c, "cost"].sum(),
                         f.loc[(f["county"] == c) & lot, "cost"].sum())
    return out


@pytest.mark.parametrize("villages,counties,seed,ratio", [
    (300, 4, 7, 0.6), (150, 1, 2017, 0.6), (40, 3, 1, 0.3), (500, 6, 99, 1.0)])
def test_deadlines_fundable(tmp_path, villages, counties, seed, ratio):
    generate(tmp_path, villages=villages, counties=counties, seed=seed, budget_ratio=ratio)
    t = load(tmp_path)
    years = t["scenario"]["years"]
    assert [(d["target"], d["year"], d.get("scope", "all"), d.get("share", 1))
            for d in t["scenario"]["deadlines"]] == [
        ("power", years[0], "deep_poverty", 1), ("power", years[-1], "all", 1),
        ("road", years[-1], "all", 1), ("broadband", years[1], "all", 0.9),
        ("housing", years[-1], "all", 1), ("environment", years[-1], "all", 0.9),
        ("water", years[-1], "all", 1)]
    f = t["funds"].assign(amount=lambda x: num(x["amount"]), year=lambda x: num(x["year"]))
    for (c, y), (forced, forced_lot) in forced_by_year(t).items():
        upto = f[(f["county"] == c) & (f["year"] <= y)]
        by_stream = upto.groupby("stream")["amount"].sum()
        eligible = (by_stream[["special_bonds", "poverty_fund", "integrated"]].sum()
                    + min(by_stream["lottery"], 1.5 * forced_lot))
        assert eligible >= 1.5 * forced - 1e-6, (c, y, eligible, forced)


def test_scenario_yaml(county):
    d, _, t = county
    s = t["scenario"]
    assert s["name"] == "generated-v300-c4-s7"
    assert s["objective"] == "max_coverage"
    assert "weights" not in s
    text = (d / "scenario.yaml").read_text(encoding="utf-8")
    assert "\\u" not in text  # unicode written as is


def test_pooled_integrated_stream(tmp_path):
    s_county = generate(tmp_path / "a", villages=200, counties=3, seed=8)
    s_pooled = generate(tmp_path / "b", villages=200, counties=3, seed=8, pooled_stream=True)
    f = load(tmp_path / "b")["funds"]
    integ = f[f["stream"] == "integrated"]
    assert len(integ) == 3 and (integ["county"] == "").all()
    assert (f.loc[f["stream"] != "integrated", "county"] != "").all()
    assert s_pooled["total_money"]["integrated"] == pytest.approx(
        s_county["total_money"]["integrated"], abs=0.05)
    for name in ("villages.csv", "gaps.csv", "projects.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


@pytest.mark.parametrize("villages,counties", [(1, 1), (10, 1), (10, 10), (12, 5)])
def test_small_sizes(tmp_path, villages, counties):
    stats = generate(tmp_path, villages=villages, counties=counties, seed=1)
    t = load(tmp_path)
    assert len(t["villages"]) == villages
    assert t["villages"]["county"].nunique() == counties
    assert stats["deep_poverty_counties"] == math.ceil(counties / 3)
    assert set(t["gaps"]["village_id"]) == set(t["villages"]["village_id"])


def test_one_county_is_shilou_deep_poverty(tmp_path):
    generate(tmp_path, villages=30, counties=1, seed=1)
    v = load(tmp_path)["villages"]
    assert set(v["county"]) == {"石楼县"} and (v["deep_poverty"] == "true").all()


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError):
        generate(tmp_path, villages=2, counties=3, seed=1)
    with pytest.raises(ValueError):
        generate(tmp_path, villages=10, counties=1, seed=1, years=(2018, 2020))


def test_province(tmp_path):
    stats = generate(tmp_path, villages=8000, counties=58, seed=2020)
    v = pd.read_csv(tmp_path / "villages.csv", dtype=str, encoding="utf-8-sig")
    assert len(v) == stats["villages"] == 8000
    assert v["county"].nunique() == 58
    assert stats["deep_poverty_counties"] == 20
    assert 40_000 < stats["gaps"] < 60_000
    assert stats["projects"] > stats["gaps"]
    f = pd.read_csv(tmp_path / "funds.csv", dtype=str, keep_default_na=False,
                    encoding="utf-8-sig")
    assert len(f) == 5 * 3 * 58
