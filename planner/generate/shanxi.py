"""Shanxi's real shape, for scenarios/shanxi-province and the nation's Shanxi.

The logic of a province drawn on Shanxi's real figures (issue 15, part 3): the
58 counties with their status and exit years, the villages per county and exit
batch, the costs around the real unit costs, the special poverty fund at its
real scale and the lottery money of the old-base counties.  The sources are the
files of ``scenarios/shanxi-province/sources`` (copied into this package's
``data/`` folder for `planner generate --nation`); every constant below is an
assumption, listed in scenarios/shanxi-province/README.md.

`scenarios/shanxi-province/make_scenario.py` writes the province from these
functions; `planner.generate.nation` draws the nation's Shanxi from them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .catalogue import PV_DEPARTMENT, STREAM_CARRY, STREAM_TARGETS
from .villages import numbered_ids, village_table

#: the copies of scenarios/shanxi-province/sources this package reads
SOURCES = Path(__file__).resolve().parent / "data"
SEED = 2014  # the year of the poor-village headcount
YEARS = (2018, 2019, 2020)

# ---------------------------------------------------------------- assumptions
#: The ten deep-poverty counties (深度贫困县) the 2017 policy refers to.  The
#: list is not in sources/ (no public list was found among them); these are the
#: ten as commonly reported.  All ten exited in the last batch (2019), which
#: fits, but the list is an assumption.
DEEP_POVERTY_COUNTIES = ("天镇县", "广灵县", "宁武县", "静乐县", "偏关县",
                         "兴县", "临县", "石楼县", "永和县", "大宁县")
#: The county of the 2019 batch that the sources could not identify.
UNIDENTIFIED = "未识别省定贫困县"
#: Old revolutionary-base counties that get the central lottery money: assumed
#: to be the 36 national poverty counties (no Shanxi list was found).
LOTTERY_CATEGORY = "national"
#: Villages per county (not public): a gamma(4) draw, times these factors for
#: national poverty counties and deep-poverty counties, split to add up to the
#: province's total, at least MIN_VILLAGES each.
SIZE_SHAPE = 4.0
SIZE_NATIONAL = 1.5
SIZE_DEEP = 1.25
MIN_VILLAGES = 20
#: Exit batch of a county's villages (not public).  The batches are filled from
#: the latest: 2019's villages among the counties exiting in 2019; 2018's among
#: the counties exiting in 2018 and 2019, a county's own exit year weighing
#: BATCH_OWN_YEAR against BATCH_LATER_COUNTY for a county that exits later;
#: 2017's likewise among all counties; the rest exited in 2016 or before.  Each
#: county's weight is also multiplied by a uniform(1 - BATCH_NOISE, 1 + BATCH_NOISE).
BATCH_OWN_YEAR = 1.0
BATCH_LATER_COUNTY = (0.5, 0.6)  # for the 2018 and the 2017 batch
BATCH_NOISE = 0.2
#: The batches, as villages.csv's exit_year: 2016 stands for "2016 or before".
BATCHES = (2016, 2017, 2018, 2019)
#: Spread of the costs around the real unit costs (lognormal sigma) and how the
#: cost grows with the village's population (elasticity, around 900 people).
WATER_SIGMA, WATER_SIZE = 0.35, 0.5
BROADBAND_SIGMA = 0.25
PV_SIGMA = 0.20
ROAD_KM_MEDIAN, ROAD_KM_SIGMA, ROAD_KM_SIZE, ROAD_KM_RANGE = 2.0, 0.6, 0.3, (0.5, 10.0)
HOUSE_SHARE = (0.05, 0.25)  # dangerous houses per poor household
HOUSE_MIN = 2
POPULATION_MID = 900.0
#: The policy's deadlines are the generator's (planner.generate.catalogue
#: policy_deadlines), drinking water by 2020 (二(一)1) among them.
#: Share of the province's special poverty fund that pays for the village works of
#: this programme (no split was found; the rest pays household-level aid, which the
#: planner leaves to people).
POVERTY_FUND_SHARE = 0.5


# ---------------------------------------------------------------- sources
def read_figures(sources: Path) -> dict[str, float]:
    """sources/figures.csv as {key: value}."""
    fig = pd.read_csv(sources / "figures.csv", encoding="utf-8")
    return dict(zip(fig["key"], fig["value"].astype(float)))


def county_frame(sources: Path) -> pd.DataFrame:
    """The 58 counties in the order of the source, with the assumed flags."""
    src = pd.read_csv(sources / "shanxi_poverty_counties.csv", dtype=str,
                      keep_default_na=False, encoding="utf-8")
    unknown = src["county"].str.startswith("(unidentified")
    county = src["county"].where(~unknown, UNIDENTIFIED)
    missing = set(DEEP_POVERTY_COUNTIES) - set(county)
    if missing:
        raise ValueError(f"deep-poverty counties not in the source: {sorted(missing)}")
    return pd.DataFrame({
        "county": county,
        "prefecture": src["prefecture"],
        "category": src["category"],
        "exit_year": src["exit_year"].astype(int),
        "deep": county.isin(DEEP_POVERTY_COUNTIES).to_numpy(),
        "lottery": (src["category"] == LOTTERY_CATEGORY).to_numpy(),
        "unidentified": unknown.to_numpy(),
    })


def batch_totals(fig: dict) -> dict[int, int]:
    """Villages per exit batch, by arithmetic on the sources."""
    total = int(fig["villages_total"])
    by_2016 = total - int(fig["villages_left_end_2016"])  # 2,360
    in_2018 = int(fig["villages_exit_2018"])  # 2,252
    by_2018 = int(fig["villages_exited_end_2018"])  # 7,075
    return {2016: by_2016, 2017: by_2018 - in_2018 - by_2016, 2018: in_2018,
            2019: total - by_2018}


# ---------------------------------------------------------------- counties, villages
def largest_remainder(total: int, weights: np.ndarray, caps: np.ndarray | None = None
                      ) -> np.ndarray:
    """Whole numbers adding up to ``total`` in proportion to ``weights`` (floors,
    then the rest to the largest remainders, the first on ties), none above ``caps``:
    a capped share is fixed and the rest shared out again."""
    weights = np.asarray(weights, dtype=float)
    caps = np.full(len(weights), total) if caps is None else np.asarray(caps)
    out = np.zeros(len(weights), dtype=np.int64)
    free = (weights > 0) & (caps > 0)
    left = total
    while left > 0:
        if not free.any():
            raise ValueError("the caps leave no room for the total")
        raw = left * weights * free / weights[free].sum()
        base = np.floor(raw + 1e-9).astype(np.int64)
        order = np.argsort(-(raw - base), kind="stable")
        base[order[:left - base.sum()]] += 1
        over = free & (out + base > caps)
        if not over.any():
            return out + base
        out[over] = caps[over]  # fixed at the cap; share the rest again
        free &= ~over
        left = total - out.sum()
    return out


def county_sizes(rng, counties: pd.DataFrame, fig: dict) -> np.ndarray:
    """Villages per county (an assumption: no per-county count was found)."""
    w = rng.gamma(SIZE_SHAPE, size=len(counties))
    w *= np.where(counties["category"] == "national", SIZE_NATIONAL, 1.0)
    w *= np.where(counties["deep"], SIZE_DEEP, 1.0)
    total = int(fig["villages_total"])
    k = len(counties)
    return MIN_VILLAGES + largest_remainder(total - MIN_VILLAGES * k, w)


def batch_split(rng, counties: pd.DataFrame, fig: dict) -> np.ndarray:
    """(counties, BATCHES): a county's villages per exit batch, none after its exit year."""
    totals = batch_totals(fig)
    exit_year = counties["exit_year"].to_numpy()
    left = counties["villages"].to_numpy().astype(np.int64)
    out = np.zeros((len(counties), len(BATCHES)), dtype=np.int64)
    later_w = dict(zip((2018, 2017), BATCH_LATER_COUNTY))
    for j in range(len(BATCHES) - 1, 0, -1):  # 2019, 2018, 2017; 2016 takes the rest
        year = BATCHES[j]
        own = np.where(exit_year == year, BATCH_OWN_YEAR, later_w.get(year, 0.0))
        noise = rng.uniform(1 - BATCH_NOISE, 1 + BATCH_NOISE, len(counties))
        w = np.where(exit_year >= year, left * own * noise, 0.0)
        out[:, j] = largest_remainder(totals[year], w, caps=left)
        left = left - out[:, j]
    out[:, 0] = left
    if out[:, 0].sum() != totals[BATCHES[0]]:
        raise ValueError("the batches do not add up to the province's villages")
    return out


def villages(rng, counties: pd.DataFrame, batches: np.ndarray) -> pd.DataFrame:
    """villages.csv: each county's villages from the generator, with this county's
    name, deep-poverty flag and exit batches (shuffled over its villages)."""
    parts = []
    for c, row in enumerate(counties.itertuples(index=False)):  # 58 counties
        one = pd.DataFrame({"county": [row.county], "deep": [bool(row.deep)]})
        part = village_table(rng, int(row.villages), one, YEARS)
        part["exit_year"] = rng.permutation(np.repeat(BATCHES, batches[c]))
        parts.append(part)
    vdf = pd.concat(parts, ignore_index=True)
    vdf["village_id"] = numbered_ids("V", len(vdf), width=5)
    # no relocated village: no count of relocated administrative poor villages was found
    vdf["relocated"] = "false"
    return vdf


# ---------------------------------------------------------------- costs
def real_costs(rng, vdf: pd.DataFrame, pdf: pd.DataFrame, fig: dict) -> pd.DataFrame:
    """The project library with the costs of water, broadband, PV stations, roads and
    dangerous houses drawn around the real unit costs (other targets keep the
    generator's costs).  A gap's second candidate keeps its price ratio to the first.

    * water: lognormal, growing with the village's size, mean of the first
      candidates = 8.8 亿元 / 3,061 villages;
    * broadband: lognormal, mean = 40 bn yuan / 130,000 villages; the operators pay
      (1 - 30 %) of it: ``self_share`` 0.7;
    * village PV station: lognormal, mean = (1.55 GW / 5,479 stations) x (250 M yuan
      / 34 MW);
    * road: km (lognormal around ROAD_KM_MEDIAN, growing with size) x a uniform
      price per km between 151.3 bn yuan / 325,000 km and 70 万元;
    * dangerous houses: houses (a uniform HOUSE_SHARE of the poor households, at
      least HOUSE_MIN) x a price per household log-uniform between 0.75 and 6 万元.
    """
    pdf = pdf.copy()
    gap = (pdf["village_id"] + "|" + pdf["target"]).to_numpy()
    first = ~pd.Series(gap).duplicated().to_numpy()  # the generator lists it first
    v = vdf.set_index("village_id").loc[pdf["village_id"]]
    size = v["population"].to_numpy() / POPULATION_MID
    poor = v["poor_households"].to_numpy()
    target = pdf["target"].to_numpy()
    is_pv = (target == "collective_economy") & (pdf["department"] == PV_DEPARTMENT).to_numpy()
    old = pdf["cost"].to_numpy().astype(float)
    cost = old.copy()
    unit = unit_costs(fig)

    m = first & (target == "water")
    cost[m] = lognormal_mean(rng, m.sum(), WATER_SIGMA, unit["water"],
                             size[m] ** WATER_SIZE)
    m = first & (target == "broadband")
    cost[m] = lognormal_mean(rng, m.sum(), BROADBAND_SIGMA, unit["broadband"])
    m = first & is_pv
    cost[m] = lognormal_mean(rng, m.sum(), PV_SIGMA, unit["pv"])
    m = first & (target == "road")
    km = np.clip(ROAD_KM_MEDIAN * rng.lognormal(0.0, ROAD_KM_SIGMA, m.sum())
                 * size[m] ** ROAD_KM_SIZE, *ROAD_KM_RANGE)
    cost[m] = km * rng.uniform(unit["road_km_low"], unit["road_km_high"], m.sum())
    m = first & (target == "housing")
    houses = np.maximum(HOUSE_MIN, np.round(poor[m] * rng.uniform(*HOUSE_SHARE, m.sum())))
    lo, hi = unit["house_low"], unit["house_high"]
    cost[m] = houses * lo * (hi / lo) ** rng.random(m.sum())

    # a second candidate: its gap's new first cost times the generator's price ratio
    recosted = first & (np.isin(target, ["water", "broadband", "road", "housing"]) | is_pv)
    by_gap = pd.DataFrame({"gap": gap, "old": np.where(first, old, np.nan),
                           "new": np.where(recosted, cost, np.nan)}).groupby("gap")
    first_old = by_gap["old"].transform("first").to_numpy()
    first_new = by_gap["new"].transform("first").to_numpy()
    alt = ~first & ~np.isnan(first_new)
    cost[alt] = first_new[alt] * old[alt] / first_old[alt]
    pdf["cost"] = np.round(cost, 2)
    pdf.loc[target == "broadband", "self_share"] = f"{1 - fig['broadband_public_share']:.1f}"
    return pdf


def lognormal_mean(rng, n: int, sigma: float, mean: float, size=1.0) -> np.ndarray:
    """``n`` lognormal draws (times a size factor), scaled to have the given mean."""
    x = rng.lognormal(0.0, sigma, n) * size
    return x * (mean / x.mean()) if n else x


def unit_costs(fig: dict) -> dict[str, float]:
    """The unit costs (万元) by arithmetic on sources/figures.csv."""
    kw = fig["pv_capacity_kw"] / fig["pv_stations"]  # ~283 kW a station
    return {"water": fig["water_works_money_2019"] / fig["water_works_villages_2019"],
            "broadband": fig["broadband_money"] / fig["broadband_villages"],
            "pv": kw * fig["pv_benchmark_money"] / fig["pv_benchmark_kw"],
            "road_km_low": fig["road_money_2006"] / fig["road_km_2006"],
            "road_km_high": fig["road_per_km_high"],
            "house_low": fig["house_per_household_low"],
            "house_high": fig["house_per_household_high"]}


# ---------------------------------------------------------------- money
def province_fund(fig: dict) -> dict[int, float]:
    """Shanxi's central + provincial special poverty fund per year (万元): the 2017
    total (11.45 亿元 = 30.17 % of it), grown as the central special fund grew."""
    total_2017 = fig["special_fund_part_2017"] / fig["special_fund_part_share_2017"]
    return {y: total_2017 * fig[f"central_fund_{y}"] / fig["central_fund_2017"] for y in YEARS}


def lottery_per_county(fig: dict) -> float:
    """Central lottery money a year for one old revolutionary-base county (万元)."""
    return fig["lottery_fund_total"] / fig["lottery_fund_counties"] / fig["lottery_fund_years"]


def funds(counties: pd.DataFrame, need: np.ndarray, fig: dict) -> pd.DataFrame:
    """funds.csv: the poverty fund (POVERTY_FUND_SHARE of the province's special fund,
    shared out in proportion to the counties' need, in whole 0.01 万元) and the lottery
    money of the old-base counties; rows by stream, year, county."""
    names = counties["county"].to_numpy()
    rows = []
    for y, amount in province_fund(fig).items():
        cents = largest_remainder(int(round(POVERTY_FUND_SHARE * amount * 100)), need)
        rows += [("poverty_fund", y, c / 100, n) for n, c in zip(names, cents)]
    lottery = round(lottery_per_county(fig), 2)
    for y in YEARS:
        rows += [("lottery", y, lottery, n) for n in names[counties["lottery"].to_numpy()]]
    fdf = pd.DataFrame(rows, columns=["stream", "year", "amount", "county"])
    fdf["carry_over"] = np.where(fdf["stream"].map(STREAM_CARRY), "true", "false")
    fdf["targets"] = fdf["stream"].map(STREAM_TARGETS)
    return fdf


def only_streams(streams: pd.Series, known: set[str]) -> pd.Series:
    """A project's eligible streams without the generator's streams this scenario has
    not got (premiums from ``poverty_fund;integrated`` keep ``poverty_fund``)."""
    return streams.map(lambda s: ";".join(x for x in s.split(";") if x in known) if s else s)


def deadline_room(counties, fdf, forced, forced_lot) -> np.ndarray:
    """(counties, years): money that may pay for the deadlines' works by the end of each
    year over their least pooled cost (poverty fund, plus lottery up to the road and
    environment works it may pay for)."""
    names = list(counties["county"])
    amount = np.zeros((len(names), len(YEARS), 2))
    for r in fdf.itertuples(index=False):
        amount[names.index(r.county), YEARS.index(r.year), int(r.stream == "lottery")] += r.amount
    # lottery money does not carry over: count each year's own up to its forced works
    pf = amount[:, :, 0].cumsum(axis=1)
    lot = np.minimum(amount[:, :, 1], np.diff(forced_lot, axis=1, prepend=0)).cumsum(axis=1)
    return np.divide(pf + lot, forced, out=np.full(forced.shape, np.inf), where=forced > 0)


def draw(rng, counties: pd.DataFrame, fig: dict):
    """The scenario's tables in the order they are drawn from `rng` (the bundled files
    and the nation's Shanxi both come from here): (each county's villages per batch,
    villages, gaps, projects, deadlines, the need per county, the money the deadlines
    force by year, and its lottery part).  Sets `counties["villages"]`."""
    from .catalogue import policy_deadlines
    from .money import forced_costs
    from .works import gap_table, project_table

    counties["villages"] = county_sizes(rng, counties, fig)
    batches = batch_split(rng, counties, fig)
    vdf = villages(rng, counties, batches)
    gdf = gap_table(rng, vdf, YEARS)
    pdf = real_costs(rng, vdf, project_table(rng, vdf, gdf, YEARS), fig)
    deadlines = policy_deadlines(YEARS)
    need, forced, forced_lot = forced_costs(vdf, gdf, pdf, YEARS, deadlines,
                                            counties["county"].to_numpy())
    return batches, vdf, gdf, pdf, deadlines, need, forced, forced_lot
