"""planner generate --nation (issue 18, item 1): the 832 national poverty counties.

Checked on a few provinces (Ningxia and Hainan: 13 counties; Shanxi: the real
figures), against the real list read here row by row from ../shared/data/real (or
the package's byte-identical copy), and against the rules stated in
planner/generate/nation.py, recomputed independently.  The whole nation's village
count is checked without writing it (the county sizes only).
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from models.eligibility import rows_of
from planner.cli import main
from planner.generate.nation import nation_counties

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "planner" / "generate" / "data"
SHANXI_SOURCES = ROOT / "scenarios" / "shanxi-province" / "sources"
#: SHA-256 of ../shared/data/real/national_832_poverty_counties.csv (read 2026-12-02)
NATIONAL_SHA256 = "1bc2ce9c9f095e2a214a30a7602c5b9b43d6b6c2bc2e3bd4c3e1de8c548c1142"
SHANXI_TEN = {"天镇县", "广灵县", "宁武县", "静乐县", "偏关县", "兴县", "临县", "石楼县",
              "永和县", "大宁县"}
SANQU_SANZHOU = {"四川", "云南", "甘肃", "青海", "新疆"}


def real_list() -> list[dict]:
    with open(DATA / "national_832_poverty_counties.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def deep_by_rule(row: dict) -> bool:
    p, y = row["province_as_in_source"], int(row["exit_year"])
    return (p == "西藏" or y == 2020 or (y == 2019 and p in SANQU_SANZHOU)
            or (p == "山西" and row["county_as_in_source"] in SHANXI_TEN))


def generate(out: Path, *args: str) -> dict:
    res = CliRunner().invoke(main, ["generate", "--nation", *args, str(out)])
    assert res.exit_code == 0, res.output
    tables = {n: pd.read_csv(out / f"{n}.csv", dtype=str, keep_default_na=False,
                             encoding="utf-8-sig")
              for n in ("villages", "gaps", "projects", "funds")}
    tables["scenario"] = yaml.safe_load((out / "scenario.yaml").read_text(encoding="utf-8"))
    return tables


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    out = tmp_path_factory.mktemp("nation-two")
    return out, generate(out, "--seed", "5", "--provinces", "宁夏,海南")


@pytest.fixture(scope="module")
def shanxi(tmp_path_factory):
    out = tmp_path_factory.mktemp("nation-shanxi")
    return out, generate(out, "--seed", "5", "--provinces", "山西")


def test_copies_are_the_sources():
    copy = (DATA / "national_832_poverty_counties.csv").read_bytes()
    assert hashlib.sha256(copy).hexdigest() == NATIONAL_SHA256
    for name in ("figures.csv", "shanxi_poverty_counties.csv"):
        assert (DATA / name).read_bytes() == (SHANXI_SOURCES / name).read_bytes(), name


def test_the_list_is_832_counties_in_22_provinces():
    rows = real_list()
    assert len(rows) == 832
    assert len({r["province_as_in_source"] for r in rows}) == 22
    by_year = pd.Series([int(r["exit_year"]) for r in rows]).value_counts().sort_index()
    assert by_year.tolist() == [28, 125, 283, 344, 52]


def test_the_nation_has_128000_villages_at_least_20_a_county():
    c = nation_counties(5)
    assert len(c) == 832 and c["villages"].sum() == 128_000
    assert c["villages"].min() >= 20
    # the deep-poverty rule, recomputed row by row
    deep = {r["county_as_in_source"]: deep_by_rule(r) for r in real_list()}
    assert dict(zip(c["county"], c["deep"])) == deep
    assert sum(deep.values()) == 259


def test_counties_are_the_real_ones_with_their_exit_years(two):
    _, t = two
    real = {r["county_as_in_source"]: r for r in real_list()
            if r["province_as_in_source"] in ("宁夏", "海南")}
    v = t["villages"]
    assert set(v["county"]) == set(real)
    # no village is due after its county exits; some are due in its exit year
    county_exit = v["county"].map(lambda c: int(real[c]["exit_year"]))
    assert (v["exit_year"].astype(int) <= county_exit).all()
    assert (v["exit_year"].astype(int) == county_exit).any()
    assert (v["exit_year"].astype(int) >= county_exit - 3).all()
    deep = v.groupby("county")["deep_poverty"].first()
    assert {c: d == "true" for c, d in deep.items()} == {
        c: deep_by_rule(r) for c, r in real.items()}
    assert v["village_id"].is_unique and t["projects"]["project_id"].is_unique


def test_each_province_pools_money_that_only_its_works_may_use(two):
    _, t = two
    f, p, v = t["funds"], t["projects"], t["villages"]
    pooled = f[f["county"] == ""]
    assert sorted(set(pooled["stream"])) == ["province_hainan", "province_ningxia"]
    assert pooled.groupby("stream")["year"].apply(sorted).tolist() == [["2018", "2019",
                                                                        "2020"]] * 2
    # county money: four streams per county and year, never the province's
    assert set(f.loc[f["county"] != "", "stream"]) == {"special_bonds", "poverty_fund",
                                                       "lottery", "collective_fund"}
    ningxia = {r["county_as_in_source"] for r in real_list()
               if r["province_as_in_source"] == "宁夏"}
    in_ningxia = p["village_id"].map(v.set_index("village_id")["county"]).isin(ningxia)
    lists = p["streams"].str.split(";")
    assert not lists[in_ningxia].map(lambda s: "province_hainan" in s).any()
    assert not lists[~in_ningxia].map(lambda s: "province_ningxia" in s).any()
    # every work lists its streams; all but the generator's work-for-relief (poverty fund
    # only) may take the province's money
    mine = np.where(in_ningxia, "province_ningxia", "province_hainan")
    takes = pd.Series([m in s for m, s in zip(mine, lists)])
    assert (takes | (p["streams"] == "poverty_fund").to_numpy()).all()
    assert takes.mean() > 0.95


def test_share_deadlines_hold_per_province(two):
    _, t = two
    real = pd.DataFrame(real_list())
    counties_of = {p: set(real.loc[real["province_as_in_source"] == p, "county_as_in_source"])
                   for p in ("宁夏", "海南")}
    shared = [d for d in t["scenario"]["deadlines"] if d.get("share", 1) < 1]
    assert sorted((d["target"], d["year"]) for d in shared) == [
        ("broadband", 2019)] * 2 + [("environment", 2020)] * 2
    assert sorted(sorted(d["scope"]) for d in shared) == sorted(
        sorted(c) for c in list(counties_of.values()) * 2)
    whole = [d for d in t["scenario"]["deadlines"] if d.get("share", 1) >= 1]
    assert {(d["target"], d["year"], d["scope"]) for d in whole} == {
        ("power", 2018, "deep_poverty"), ("power", 2020, "all"), ("road", 2020, "all"),
        ("housing", 2020, "all"), ("water", 2020, "all")}


def test_shanxi_is_drawn_on_its_real_figures(shanxi):
    _, t = shanxi
    v, f = t["villages"], t["funds"]
    src = pd.read_csv(SHANXI_SOURCES / "shanxi_poverty_counties.csv", dtype=str)
    national = src[src["category"] == "national"]
    assert set(v["county"]) == set(national["county"]) and len(national) == 36
    exit_of = dict(zip(national["county"], national["exit_year"].astype(int)))
    assert (v["exit_year"].astype(int) <= v["county"].map(exit_of)).all()
    assert set(v.loc[v["deep_poverty"] == "true", "county"]) == SHANXI_TEN
    # money: the county poverty fund and lottery as in the province scenario, a fifth of
    # the poverty fund held at the province
    assert set(f["stream"]) == {"poverty_fund", "lottery", "province_shanxi"}
    amount = f["amount"].astype(float)
    by_year = lambda s: amount[f["stream"] == s].groupby(f["year"][f["stream"] == s]).sum()
    held = by_year("province_shanxi") / (by_year("province_shanxi") + by_year("poverty_fund"))
    assert np.allclose(held, 0.2, atol=1e-4)
    lottery = amount[f["stream"] == "lottery"]
    assert np.allclose(lottery, 503.78)  # 100 亿元 / 397 counties / 5 years
    water = [d for d in t["scenario"]["deadlines"] if d["target"] == "water"]
    # 二(一)1: drinking water in every poor village by 2020, as the policy's other clauses
    assert water == [{"target": "water", "year": 2020, "scope": "all"}]


def test_it_validates_and_builds(two):
    from planner.build import build_instance
    from planner.scenario import load_scenario

    out, t = two
    inst = build_instance(load_scenario(out))
    assert inst.n_villages == (t["villages"]["relocated"] == "false").sum()
    pooled = np.flatnonzero(inst.pool_county < 0)
    assert len(pooled) == 2
    county_of_proj = inst.village_county[inst.gap_village[inst.proj_gap]]
    reach = {}
    rows = rows_of(inst, np.arange(inst.n_projects))
    for b in pooled:  # a province's pool reaches only its province's counties
        reach[inst.pool_stream[b]] = set(np.unique(county_of_proj[rows[:, b]]))
        assert 0 < len(reach[inst.pool_stream[b]]) < len(inst.county_names)
    # the county split cuts each province's pool among that province's counties only
    from models.pooled_split import share_out

    cut = share_out(inst)
    for stream, counties in reach.items():
        slices = [b for b in range(cut.n_pools) if cut.pool_stream[b] == stream]
        assert {int(cut.pool_county[b]) for b in slices} == counties
        total = sum(int(cut.pool_budget_units[b].sum()) for b in slices)
        whole = list(inst.pool_stream).index(stream)
        assert total == int(inst.pool_budget_units[whole].sum())
        # each slice may pay exactly the works of its county that the whole pool may pay
        works = np.arange(inst.n_projects)
        may = rows_of(inst, works)[:, whole]
        for b in slices:
            mine = may & (county_of_proj == cut.pool_county[b])
            assert (rows_of(cut, works)[:, b] == mine).all() and mine.any()


def test_same_seed_same_bytes(two, tmp_path):
    out, _ = two
    generate(tmp_path, "--seed", "5", "--provinces", "宁夏,海南")
    for name in ("scenario.yaml", "villages.csv", "gaps.csv", "projects.csv", "funds.csv"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_bad_options(tmp_path):
    run = lambda *a: CliRunner().invoke(main, ["generate", *a, str(tmp_path / "x")])
    res = run("--nation", "--villages", "10")
    assert res.exit_code == 2 and "--nation takes the real counties" in res.output
    res = run("--nation", "--provinces", "火星")
    assert res.exit_code == 2 and "unknown province(s) 火星" in res.output
    res = run("--provinces", "宁夏")
    assert res.exit_code == 2 and "--villages" in res.output
