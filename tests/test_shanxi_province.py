"""scenarios/shanxi-province (issue 15, part 3): a province of Shanxi's shape.

The bundled files are what scenarios/shanxi-province/make_scenario.py writes, byte
for byte; and the scenario's shape is checked against the real sources
independently of the script: the counties, their status and exit years from
sources/shanxi_poverty_counties.csv read row by row here, the village batches
and money from the source texts of sources/unit_costs_and_budgets.csv (not from
the script's figures.csv).  Generation only: no solve here (benchmarks/
shanxi_province.py solves it).
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from collections import Counter
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "scenarios" / "shanxi-province"
SOURCES = FOLDER / "sources"
SHARED = ROOT.parent / "shared" / "data" / "real"
WRITTEN = ("scenario.yaml", "villages.csv", "gaps.csv", "projects.csv", "funds.csv",
           "county_summary.csv")
YEARS = (2018, 2019, 2020)
#: The README's assumptions the checks below need (not figures of the sources).
POVERTY_FUND_SHARE = 0.5
LOTTERY_CATEGORY = "national"


@cache
def real_counties() -> list[dict]:
    with open(SOURCES / "shanxi_poverty_counties.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def source_text(item_start: str) -> str:
    """The `figure` and `derived_value` texts of a row of unit_costs_and_budgets.csv."""
    with open(SOURCES / "unit_costs_and_budgets.csv", encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["item"].startswith(item_start)]
    assert len(rows) == 1, item_start
    return rows[0]["figure"] + " | " + rows[0]["derived_value"]


def numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text)]


def grab(pattern: str, text: str) -> float:
    """The number captured by `pattern` in `text`."""
    found = re.search(pattern, text)
    assert found, (pattern, text)
    return float(found.group(1))


@cache
def table(name: str) -> pd.DataFrame:
    return pd.read_csv(FOLDER / f"{name}.csv", dtype=str, keep_default_na=False,
                       encoding="utf-8-sig")


def unidentified(row: dict) -> bool:
    return row["county"].startswith("(unidentified")


# --- the script remakes the bundled files ---------------------------------------------

def test_script_remakes_the_bundled_files_byte_for_byte(tmp_path):
    # the script imports this checkout's planner (its generator) itself
    subprocess.run([sys.executable, "scenarios/shanxi-province/make_scenario.py",
                    "--out", str(tmp_path)], cwd=ROOT, check=True, capture_output=True)
    for name in WRITTEN:
        assert (tmp_path / name).read_bytes() == (FOLDER / name).read_bytes(), name


#: SHA-256 of the public-data files as they stand in ../shared/data/real (read there on
#: 2026-12-02): the copies must be those bytes, wherever the checkout is
SHARED_SHA256 = {
    "shanxi_poverty_counties.csv":
        "109f92462f25df84f3be8a4fa72969f37f8513cc884df4ee6d8dcb8c3cda9768",
    "unit_costs_and_budgets.csv":
        "e3ad5f0f002bcea1a80256fcaf56df309ddd6eddb32fcb10836a0f53d589b7e7",
}


@pytest.mark.parametrize("name", sorted(SHARED_SHA256))
def test_sources_are_the_shared_files(name):
    import hashlib

    copy = (SOURCES / name).read_bytes()
    assert hashlib.sha256(copy).hexdigest() == SHARED_SHA256[name]
    if (SHARED / name).is_file():  # beside ../shared: the very same bytes too
        assert copy == (SHARED / name).read_bytes()


def test_the_scenario_validates():
    proc = subprocess.run([sys.executable, "-m", "planner", "validate", str(FOLDER)],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "7993 villages" in proc.stdout


# --- counties -------------------------------------------------------------------------

def test_the_real_county_list_has_shanxis_shape():
    rows = real_counties()
    assert len(rows) == 58
    assert Counter(int(r["exit_year"]) for r in rows) == {2017: 15, 2018: 26, 2019: 17}
    assert Counter(r["category"] for r in rows) == {"national": 36, "provincial": 22}
    assert sum(map(unidentified, rows)) == 1


def test_counties_are_the_real_ones_with_their_status_and_exit_year():
    rows = real_counties()
    summary = table("county_summary").set_index("county")
    named = {r["county"]: r for r in rows if not unidentified(r)}
    marked = set(summary.index) - set(named)
    assert len(summary) == 58 and len(marked) == 1
    (mark,) = marked
    assert "未识别" in mark, "the unidentified county keeps a clearly marked name"
    (unknown,) = [r for r in rows if unidentified(r)]
    for county, r in [*named.items(), (mark, unknown)]:
        got = summary.loc[county]
        assert (got["prefecture"], got["category"], int(got["exit_year"])) == (
            r["prefecture"], r["category"], int(r["exit_year"])), county
    assert "not identified" in summary.at[mark, "note"]
    assert set(table("villages")["county"]) == set(summary.index)


def test_deep_poverty_counties_are_ten_of_the_last_batch():
    v = table("villages")
    flags = v.groupby("county")["deep_poverty"].agg(set)
    assert all(len(f) == 1 for f in flags), "a county's villages share its flag"
    deep = {c for c, f in flags.items() if f == {"true"}}
    exit_year = {r["county"]: int(r["exit_year"]) for r in real_counties()}
    assert len(deep) == 10 and all(exit_year[c] == 2019 for c in deep)


# --- villages and batches -------------------------------------------------------------

def test_villages_per_batch_are_the_provinces():
    # 7993 total; 5633 left end-2016; ~2500 planned 2017; 2252 in 2018; 7075 cumulative
    # by end-2018; ~800 planned 2019 (918 left)
    text = source_text("Shanxi poor villages exited by year")
    total, left_2016 = grab(r"(\d+) total", text), grab(r"(\d+) left end-2016", text)
    in_2018, by_2018 = grab(r"(\d+) in 2018", text), grab(r"(\d+) cumulative", text)
    left_2019 = grab(r"\((\d+) left\)", text)
    assert total - by_2018 == left_2019 == 918
    v = table("villages")
    assert len(v) == total == 7993 and v["village_id"].is_unique
    batch = Counter(int(y) for y in v["exit_year"])
    assert batch[2018] == in_2018 == 2252
    assert batch[2019] == total - by_2018
    assert sum(n for y, n in batch.items() if y < YEARS[0]) == by_2018 - in_2018 == 4823
    assert batch[2016] == total - left_2016  # "2016" is 2016 or before
    assert max(batch) < YEARS[-1], "none left for 2020"
    assert (v["relocated"] == "false").all()


def test_no_village_is_due_after_its_county_exits():
    exit_year = {r["county"]: int(r["exit_year"]) for r in real_counties()
                 if not unidentified(r)}
    v = table("villages")
    (mark,) = set(v["county"]) - set(exit_year)
    exit_year[mark] = 2019  # the unidentified county, of the 2019 batch
    county_exit = v["county"].map(exit_year)
    assert county_exit.notna().all()
    assert (v["exit_year"].astype(int) <= county_exit).all()
    # every county of a later batch still has villages to exit in its exit year
    last = v[v["exit_year"].astype(int) == county_exit]
    assert set(last["county"]) >= {c for c, y in exit_year.items() if y >= YEARS[0]}


# --- money, costs, deadlines ----------------------------------------------------------

def test_poverty_fund_is_the_special_fund_at_its_real_scale():
    part, share = numbers(source_text("Shanxi central+provincial special poverty funds"))[:2]
    total_2017 = part / (share / 100) * 1e4  # 11.45 亿元 = 30.17 % of it, in 万元
    assert total_2017 == pytest.approx(379_516, abs=1)  # about 38 亿元
    central = dict(zip(range(2016, 2021), numbers(source_text("central special poverty fund"))))
    f = table("funds")
    pf = f[f["stream"] == "poverty_fund"]
    assert set(pf["county"]) == set(table("villages")["county"])
    assert set(pf["carry_over"]) == {"true"} and set(pf["targets"]) == {"*"}
    for y in YEARS:
        expected = POVERTY_FUND_SHARE * total_2017 * central[y] / central[2017]
        got = pf.loc[pf["year"] == str(y), "amount"].astype(float).sum()
        assert got == pytest.approx(expected, abs=0.011), y


def test_lottery_is_500_wan_a_year_per_old_base_county():
    text = source_text("central lottery fund for poor old revolutionary")
    bn, counties = grab(r"(\d+) bn over", text), grab(r"(\d+) counties", text)
    per_year = bn * 1e5 / counties / 5  # 10 bn yuan over 2016-2020, in 万元
    assert per_year == pytest.approx(503.78, abs=0.01)
    f = table("funds")
    lot = f[f["stream"] == "lottery"]
    base = {r["county"] for r in real_counties() if r["category"] == LOTTERY_CATEGORY}
    assert set(lot["county"]) == base and len(lot) == len(base) * len(YEARS)
    assert (lot["amount"].astype(float) == round(per_year, 2)).all()
    assert set(lot["carry_over"]) == {"false"}
    assert set(f["stream"]) == {"poverty_fund", "lottery"}


def first_candidates() -> pd.DataFrame:
    p = table("projects")
    return p[~p.duplicated(["village_id", "target"])].assign(cost=lambda d: d["cost"].astype(float))


def test_costs_are_drawn_around_the_real_unit_costs():
    p = first_candidates()
    water = numbers(source_text("drinking-water works Shanxi"))  # 0.88 bn, 3061 villages
    assert p.loc[p["target"] == "water", "cost"].mean() == pytest.approx(
        water[0] * 1e5 / water[2], abs=0.05)
    bb = numbers(source_text("broadband (telecom"))  # >40 bn yuan, 130000 villages, 30 %
    assert p.loc[p["target"] == "broadband", "cost"].mean() == pytest.approx(
        bb[0] * 1e5 / bb[1], abs=0.05)
    every = table("projects")
    assert set(every.loc[every["target"] == "broadband", "self_share"]) == {"0.7"}
    pv = p[(p["target"] == "collective_economy") & (p["department"] == "扶贫办")]
    stations, gw = numbers(source_text("village-level PV station Shanxi"))[:2]
    capex, mw = numbers(source_text("PV capex benchmark"))[:2]
    station = gw * 1e6 / stations * (capex * 100 / (mw * 1000))  # kW x 万元 a kW
    assert station == pytest.approx(208.0, abs=0.1)
    assert len(pv) > 1000 and pv["cost"].mean() == pytest.approx(station, abs=0.05)
    road = p.loc[p["target"] == "road", "cost"]
    assert road.min() >= 0.5 * 46.5 and road.max() <= 10 * 70  # 0.5-10 km x 46.5-70 万元
    v = table("villages").set_index("village_id")
    house = p[p["target"] == "housing"]
    poor = v.loc[house["village_id"], "poor_households"].astype(float).to_numpy()
    most = np.maximum(2, np.round(0.25 * poor)) * 6  # houses x 6 万元 at the most
    assert (house["cost"].to_numpy() >= 2 * 0.75 - 0.005).all()
    assert (house["cost"].to_numpy() <= most + 0.005).all()


def test_deadlines_are_the_policys():
    doc = yaml.safe_load((FOLDER / "scenario.yaml").read_text(encoding="utf-8"))
    assert doc["years"] == list(YEARS)
    got = {(d["target"], d["year"], d.get("scope", "all"), d.get("share", 1.0))
           for d in doc["deadlines"]}
    assert got == {("power", 2018, "deep_poverty", 1.0), ("broadband", 2019, "all", 0.9),
                   ("power", 2020, "all", 1.0), ("road", 2020, "all", 1.0),
                   ("housing", 2020, "all", 1.0), ("water", 2020, "all", 1.0),
                   ("environment", 2020, "all", 0.9)}
