"""Synthetic scenarios of realistic shape (``planner generate``).

`generate()` writes a complete scenario folder -- ``scenario.yaml``,
``villages.csv``, ``gaps.csv``, ``projects.csv`` and ``funds.csv`` -- for any
number of villages and counties, from one seed.  The same arguments give the
same bytes (numpy's ``default_rng(seed)`` is the only source of randomness and
every table is built and written in a fixed order).  Everything is vectorised
with numpy/pandas: a whole province (8,000 villages in 58 counties, about
54,000 projects) takes well under a second.

The shape follows the 2017 Shanxi policy (``关于加快推进贫困村提升工程的实施意见``):

* counties carry real Shanxi county names; the first ``ceil(counties / 3)``
  of them are deep-poverty counties (深度贫困县).  The list starts with the ten
  deep-poverty counties the policy refers to (10个深度贫困县), so a one-county
  scenario is 石楼县, a deep-poverty county; the status given to the other
  names is illustrative;
* villages get an exit batch: about 5 % exited before the horizon (短板补课),
  the rest spread over the horizon with a bump in the middle; about 2 % are
  relocated (整村搬迁).  Relocated villages keep their gaps and projects, as a
  county's survey would list them, but the planner does not plan them and the
  money below is not sized for them;
* each village lacks each of the 14 targets with a target-specific probability
  (infrastructure more often in deep-poverty villages, everything less often in
  villages that already exited); at least one gap per village;
* the project library holds one candidate per gap and, for about 15 % of gaps,
  a second alternative (cheaper but longer, or a different design).  Costs are
  truncated-lognormal inside target-specific ranges in 万元, larger villages
  costing more for the size-driven works.  These ranges are illustrative
  magnitudes of Chinese rural works, not official data;
* money comes in the five streams of the policy, per county and year, sized to
  ``budget_ratio`` times the county's pooled need (the least pooled money that
  closes every gap of its planned villages), then adjusted so that the hard
  deadlines are fundable (see `_fund_amounts`).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

__all__ = ["generate", "forced_costs", "COUNTY_NAMES", "TARGET_CODES", "STREAM_CODES",
           "DEADLINE_MARGIN"]

# --------------------------------------------------------------------------
# Catalogues
# --------------------------------------------------------------------------

#: Real Shanxi county names.  The first ten are the province's ten deep-poverty
#: counties (十个深度贫困县) the policy refers to; the rest are other counties of
#: the poor north-west, Lüliang and Taihang areas, whose status in a generated
#: scenario is illustrative.  When more counties are asked for, names repeat
#: with a number suffix (石楼县2, ...).
COUNTY_NAMES = (
    "石楼县", "临县", "兴县", "岚县", "静乐县", "天镇县", "广灵县", "大同县",
    "永和县", "大宁县",
    "五寨县", "神池县", "保德县", "偏关县", "河曲县", "汾西县", "隰县", "吉县",
    "阳高县", "灵丘县", "浑源县", "右玉县", "平顺县", "壶关县", "武乡县",
    "中阳县", "方山县", "岢岚县", "宁武县", "繁峙县", "五台县", "代县",
    "娄烦县", "左权县", "和顺县", "左云县", "阳曲县", "交口县", "蒲县", "古县",
    "安泽县", "浮山县", "乡宁县", "沁县", "榆社县", "平陆县", "垣曲县", "夏县",
    "黎城县", "沁源县", "寿阳县", "万荣县", "闻喜县", "应县", "山阴县", "盂县",
    "陵川县", "平鲁区",
)

_TOWNSHIPS = (
    "东关镇", "西坡乡", "南河乡", "北岭乡", "石门乡", "杨家坪乡", "马家庄乡",
    "王家岔镇", "高家沟乡", "李家山乡", "刘家塔镇", "赵家湾乡", "上庄乡",
    "下庄镇", "河口镇", "峪口乡", "柳林镇", "桃园乡", "青龙镇", "白家坡乡",
    "三交镇", "金罗镇", "古城乡", "前山乡",
)
_SURNAMES = tuple("张王李赵刘陈杨高郭马白贺任薛冯武吕田孙康韩段霍曹崔")
_PLACE_PREFIX = tuple("石柳杏枣桃东西南北上下前后大小红青白黑牛羊龙凤")
_PLACE_SUFFIX = ("庄", "沟", "坡", "峁", "塔", "湾", "坪", "岔", "山", "河", "峪",
                 "垣", "圪台", "家洼", "窑", "寨")

#: The 14 targets of the policy, in the policy's order.
TARGET_CODES = (
    "water", "power", "road", "broadband", "housing", "environment",
    "education", "health", "social_security", "culture",
    "collective_economy", "governance", "civility", "motivation",
)
_T = {code: i for i, code in enumerate(TARGET_CODES)}

#: Probability that a village lacks a target: (ordinary village, deep-poverty
#: village).  Infrastructure is missing more often in deep-poverty villages.
#: Averages: about 5.8 gaps per ordinary village, 6.8 per deep-poverty village.
_GAP_PROB = {
    "water": (0.40, 0.55),
    "power": (0.25, 0.40),
    "road": (0.25, 0.35),
    "broadband": (0.50, 0.65),
    "housing": (0.30, 0.45),
    "environment": (0.55, 0.65),
    "education": (0.35, 0.35),
    "health": (0.35, 0.35),
    "social_security": (0.50, 0.50),
    "culture": (0.45, 0.45),
    "collective_economy": (0.75, 0.80),
    "governance": (0.30, 0.30),
    "civility": (0.35, 0.35),
    "motivation": (0.40, 0.40),
}
#: Gap probabilities are multiplied by this for villages that exited before
#: the horizon: they met the exit standard and only have shortfalls left.
_EXITED_GAP_FACTOR = 0.5

#: Cost range per project in 万元 (illustrative magnitudes, not official data),
#: and how strongly the cost grows with the village's size (0: not at all).
_COST_RANGE = {
    "water": (20, 80, 1.0),
    "power": (30, 120, 0.5),
    "road": (50, 300, 0.5),
    "broadband": (5, 20, 0.0),
    "housing": (10, 60, 1.0),
    "environment": (10, 50, 1.0),
    "education": (50, 200, 0.5),
    "health": (10, 40, 0.0),
    "social_security": (2, 10, 1.0),
    "culture": (10, 40, 0.0),
    "collective_economy": (30, 150, 0.0),
    "governance": (1, 5, 0.0),
    "civility": (1, 5, 0.0),
    "motivation": (5, 20, 0.5),
}

#: Targets whose works may take two years, and the share that do.
_TWO_YEAR_TARGETS = ("road", "education", "collective_economy")
_TWO_YEAR_SHARE = 0.30
_TWO_YEAR_PROFILES = ("0.6;0.4", "0.5;0.5", "0.7;0.3")

_ALT_SHARE = 0.15  # gaps with a second, alternative candidate
_PV_SHARE = 0.5  # collective-economy projects that are a village PV station
_DEPT_SHARE = 0.08  # other projects with an explicit department
_SELF_SHARE_WATER = 0.20  # water projects with a household-connection part

#: Explicit departments a project may carry instead of the annex's default
#: (e.g. the grid works of 晋能集团's supply area, a PV station of 扶贫办).
_DEPARTMENTS = {
    "water": ("水利局",),
    "power": ("晋能集团", "国网供电公司"),
    "road": ("交通运输局",),
    "broadband": ("经信局",),
    "housing": ("住建局",),
    "environment": ("人居环境办",),
    "education": ("教育局",),
    "health": ("卫生计生局",),
    "social_security": ("人社局", "民政局"),
    "culture": ("文化局", "商务局", "供销社"),
    "collective_economy": ("农业局", "旅发委", "商务局", "林业局"),
    "governance": ("组织部",),
    "civility": ("宣传部",),
    "motivation": ("扶贫办", "发改局"),
}
_PV_DEPARTMENT = "扶贫办"  # the annex gives PV stations to the poverty office

#: Fund streams: code, share of the money, eligible targets, carry-over.
STREAM_CODES = ("special_bonds", "poverty_fund", "lottery", "collective_fund", "integrated")
_STREAM_SHARE = np.array([0.30, 0.25, 0.10, 0.10, 0.25])
_STREAM_TARGETS = {
    "special_bonds": "water;power;road;broadband;housing;environment",
    "poverty_fund": "*",
    "lottery": "environment;education;health;culture;road",
    "collective_fund": "collective_economy",
    "integrated": "*",
}
_STREAM_CARRY = {"special_bonds": True, "poverty_fund": True, "lottery": False,
                 "collective_fund": True, "integrated": True}
_SB, _PF, _LOT, _CF, _IN = range(5)
_BROAD = [_SB, _PF, _IN]  # streams that may pay for every deadline target
_LOTTERY_TARGETS = ("road", "environment")  # deadline targets lottery may pay for

#: Deadline feasibility margin: money eligible for the works a deadline forces
#: must be at least this many times their least pooled cost.
DEADLINE_MARGIN = 1.5


# --------------------------------------------------------------------------
# The public function
# --------------------------------------------------------------------------

def generate(
    out_dir: Path,
    villages: int,
    counties: int,
    seed: int,
    years=(2018, 2019, 2020),
    name: str | None = None,
    pooled_stream: bool = False,
    budget_ratio: float = 0.6,
) -> dict:
    """Write a synthetic scenario folder and return a few statistics.

    Parameters
    ----------
    out_dir: folder to write (created if missing; the five files are replaced).
    villages, counties: how many; every county gets at least one village.
    seed: seed of ``numpy.random.default_rng``; same arguments, same bytes.
    years: the planning horizon, consecutive years.
    name: the scenario's label; default ``generated-v{villages}-c{counties}-s{seed}``.
    pooled_stream: give the ``integrated`` stream as one province-level row per
        year (blank ``county``) instead of one row per county and year.
    budget_ratio: money over the horizon as a share of the pooled need.

    Returns
    -------
    dict with ``villages``, ``counties``, ``deep_poverty_counties``, ``gaps``,
    ``projects``, ``total_need`` (万元, planned villages only), ``total_money``
    (dict stream -> 万元 over the horizon), ``total_money_sum`` and ``topup``
    (money added to ``special_bonds`` beyond ``budget_ratio`` to keep the
    deadlines fundable).
    """
    years = tuple(int(y) for y in years)
    _check_args(villages, counties, years, budget_ratio)
    name = name or f"generated-v{villages}-c{counties}-s{seed}"
    rng = np.random.default_rng(seed)

    county_df = _counties(counties)
    vdf = _villages(rng, villages, county_df, years)
    gdf = _gaps(rng, vdf, years)
    pdf = _projects(rng, vdf, gdf, years)
    deadlines = _deadlines(years)
    fdf, need, topup = _funds(rng, vdf, gdf, pdf, county_df, years, deadlines,
                              budget_ratio, pooled_stream)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_yaml(out_dir / "scenario.yaml", name, years, deadlines, seed,
                villages, counties, budget_ratio, pooled_stream)
    for fname, df in (("villages", vdf), ("gaps", gdf), ("projects", pdf), ("funds", fdf)):
        df.to_csv(out_dir / f"{fname}.csv", index=False, encoding="utf-8-sig",
                  lineterminator="\n")

    money = fdf.groupby("stream", sort=False)["amount"].sum()
    total_money = {s: round(float(money.get(s, 0.0)), 2) for s in STREAM_CODES}
    return {
        "villages": int(len(vdf)),
        "counties": int(counties),
        "deep_poverty_counties": int(county_df["deep"].sum()),
        "gaps": int(len(gdf)),
        "projects": int(len(pdf)),
        "total_need": round(float(need), 2),
        "total_money": total_money,
        "total_money_sum": round(sum(total_money.values()), 2),
        "topup": round(float(topup), 2),
    }


def _check_args(villages, counties, years, budget_ratio):
    if counties < 1 or villages < counties:
        raise ValueError(f"need at least one county and one village per county "
                         f"(got {villages} villages, {counties} counties)")
    if not years or any(b != a + 1 for a, b in zip(years, years[1:])):
        raise ValueError(f"years must be consecutive, got {list(years)}")
    if not budget_ratio > 0:
        raise ValueError(f"budget_ratio must be positive, got {budget_ratio}")


# --------------------------------------------------------------------------
# Counties and villages
# --------------------------------------------------------------------------

def _counties(k: int) -> pd.DataFrame:
    """County names (repeating the list with a number suffix) and status."""
    n = len(COUNTY_NAMES)
    names = [COUNTY_NAMES[i % n] + (str(i // n + 1) if i >= n else "") for i in range(k)]
    n_deep = math.ceil(k / 3)  # about a third, at least one
    return pd.DataFrame({"county": names, "deep": np.arange(k) < n_deep})


def _villages(rng, n: int, county_df: pd.DataFrame, years) -> pd.DataFrame:
    k = len(county_df)
    # villages per county: one each, the rest by uneven county sizes
    size_w = rng.gamma(4.0, size=k)
    per_county = 1 + rng.multinomial(n - k, size_w / size_w.sum())
    cidx = np.repeat(np.arange(k), per_county)

    # townships: 城关镇 and a few others per county, more in bigger counties
    n_town = np.clip(per_county // 25 + 2, 2, 8)
    town_names = [("城关镇",) + tuple(rng.choice(_TOWNSHIPS, size=m - 1, replace=False))
                  for m in n_town]  # one short loop over counties
    town_pick = np.floor(rng.random(n) * n_town[cidx]).astype(int)
    township = _lookup_townships(town_names, cidx, town_pick)

    # names like 张家庄村, 石沟村, 王峪村
    form = rng.integers(0, 3, size=n)
    first = np.where(form == 2,
                     np.array(_PLACE_PREFIX, dtype=object)[rng.integers(0, len(_PLACE_PREFIX), n)],
                     np.array(_SURNAMES, dtype=object)[rng.integers(0, len(_SURNAMES), n)])
    middle = np.where(form == 0, "家", "").astype(object)
    last = np.array(_PLACE_SUFFIX, dtype=object)[rng.integers(0, len(_PLACE_SUFFIX), n)]
    vname = first + middle + last + "村"

    # exit batch: 5 % already exited, the rest over the horizon, more mid-way
    ny = len(years)
    w = 1.0 + 0.25 * (1.0 - np.abs(np.linspace(-1.0, 1.0, ny)))
    p = np.concatenate([[0.05], 0.95 * w / w.sum()])
    exit_year = np.array([years[0] - 1, *years])[rng.choice(ny + 1, size=n, p=p)]

    population = np.clip(np.round(rng.lognormal(np.log(900), 0.5, n)), 300, 2500).astype(int)
    households = np.maximum(1, np.round(population / rng.uniform(2.7, 3.3, n)))
    poor = np.round(households * rng.uniform(0.20, 0.40, n)).astype(int)
    relocated = rng.random(n) < 0.02

    return pd.DataFrame({
        "village_id": _ids("V", n, width=max(4, len(str(n)))),
        "name": vname,
        "county": county_df["county"].to_numpy()[cidx],
        "township": township,
        "exit_year": exit_year,
        "deep_poverty": np.where(county_df["deep"].to_numpy()[cidx], "true", "false"),
        "population": population,
        "poor_households": poor,
        "relocated": np.where(relocated, "true", "false"),
    })


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    """``prefix`` + 1..n zero-padded to ``width`` digits, e.g. V0001."""
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width)).astype(object)


def _lookup_townships(town_names, cidx, town_pick) -> np.ndarray:
    """Township name of every village, by (county, township index), vectorised."""
    width = max(len(t) for t in town_names)
    table = np.array([t + ("",) * (width - len(t)) for t in town_names], dtype=object)
    return table[cidx, town_pick]


# --------------------------------------------------------------------------
# Gaps and projects
# --------------------------------------------------------------------------

def _gaps(rng, vdf: pd.DataFrame, years) -> pd.DataFrame:
    n, m = len(vdf), len(TARGET_CODES)
    deep = (vdf["deep_poverty"] == "true").to_numpy()
    exited = (vdf["exit_year"] < years[0]).to_numpy()
    base = np.array([_GAP_PROB[t][0] for t in TARGET_CODES])
    deep_p = np.array([_GAP_PROB[t][1] for t in TARGET_CODES])
    prob = np.where(deep[:, None], deep_p, base)
    prob = prob * np.where(exited, _EXITED_GAP_FACTOR, 1.0)[:, None]
    has = rng.random((n, m)) < prob
    empty = np.flatnonzero(~has.any(axis=1))  # every village lacks something
    has[empty, rng.choice(m, size=len(empty), p=base / base.sum())] = True
    vi, ti = np.nonzero(has)  # row-major: by village, then target order
    return pd.DataFrame({"village_id": vdf["village_id"].to_numpy()[vi],
                         "target": np.array(TARGET_CODES, dtype=object)[ti]})


def _costs(rng, target_idx: np.ndarray, population: np.ndarray) -> np.ndarray:
    """Truncated-lognormal costs inside each target's range, in 万元."""
    lo = np.array([_COST_RANGE[t][0] for t in TARGET_CODES], dtype=float)[target_idx]
    hi = np.array([_COST_RANGE[t][1] for t in TARGET_CODES], dtype=float)[target_idx]
    sens = np.array([_COST_RANGE[t][2] for t in TARGET_CODES])[target_idx]
    size_z = (np.log(population) - np.log(900)) / 0.5
    u = np.clip(rng.normal(0.45 + 0.12 * sens * size_z, 0.2), 0.0, 1.0)
    return lo * (hi / lo) ** u


def _projects(rng, vdf: pd.DataFrame, gdf: pd.DataFrame, years) -> pd.DataFrame:
    ny = len(years)
    g = len(gdf)
    vpos = pd.Index(vdf["village_id"]).get_indexer(gdf["village_id"])
    tgt = pd.Index(TARGET_CODES).get_indexer(gdf["target"])
    pop = vdf["population"].to_numpy()[vpos]

    # --- the first candidate of every gap
    cost = _costs(rng, tgt, pop)
    two_year_ok = np.isin(tgt, [_T[t] for t in _TWO_YEAR_TARGETS]) & (ny >= 2)
    is_pv = (tgt == _T["collective_economy"]) & (rng.random(g) < _PV_SHARE)
    duration = np.where(two_year_ok & ~is_pv & (rng.random(g) < _TWO_YEAR_SHARE), 2, 1)
    profile = np.where(duration == 2,
                       np.array(_TWO_YEAR_PROFILES, dtype=object)[
                           rng.integers(0, len(_TWO_YEAR_PROFILES), g)], "")

    # --- a second alternative for some gaps: cheaper but a year longer where
    # the target allows it, otherwise a different design at another price
    has_alt = rng.random(g) < _ALT_SHARE
    longer = has_alt & two_year_ok & (duration == 1) & (rng.random(g) < 0.6)
    alt_cost = cost * np.where(longer, rng.uniform(0.75, 0.90, g), rng.uniform(0.80, 1.30, g))
    alt_duration = np.where(longer, 2, duration)
    alt_profile = np.where(longer, "0.5;0.5", profile)

    a = np.flatnonzero(has_alt)
    gap_of = np.concatenate([np.arange(g), a])
    order = np.lexsort((np.r_[np.zeros(g), np.ones(len(a))], gap_of))  # gap, then alt
    gap_of = gap_of[order]
    p_cost = np.round(np.r_[cost, alt_cost[a]][order], 2)
    p_dur = np.r_[duration, alt_duration[a]][order]
    p_prof = np.r_[profile, alt_profile[a]][order]
    p_pv = np.r_[is_pv, np.zeros(len(a), bool)][order]
    p_tgt = tgt[gap_of]
    n = len(gap_of)
    pid = _ids("P", n, width=max(5, len(str(n))))

    # --- departments: the PV stations' and a few others; blank = the annex's
    department = np.full(n, "", dtype=object)
    explicit = rng.random(n) < _DEPT_SHARE
    pick = rng.random(n)
    for t, options in _DEPARTMENTS.items():  # loop over 14 targets, not projects
        sel = explicit & (p_tgt == _T[t])
        department[sel] = np.array(options, dtype=object)[
            np.minimum((pick[sel] * len(options)).astype(int), len(options) - 1)]
    department[p_pv] = _PV_DEPARTMENT

    # --- household-connection part of water works: half paid by households
    self_share = np.where((p_tgt == _T["water"]) & (rng.random(n) < _SELF_SHARE_WATER),
                          "0.5", "").astype(object)

    # --- streams: premiums are not capital works; work-for-relief from the
    # poverty fund.  None of them touches a deadline target.
    streams = np.full(n, "", dtype=object)
    streams[(p_tgt == _T["social_security"]) & (rng.random(n) < 0.5)] = "poverty_fund;integrated"
    streams[(p_tgt == _T["motivation"]) & (rng.random(n) < 0.3)] = "poverty_fund"

    # --- requires: a PV station needs its village's grid upgrade, when that
    # upgrade has a single candidate (requires means all listed are done)
    requires = np.full(n, "", dtype=object)
    pvill = vpos[gap_of]
    if ny >= 2:
        power_single = (p_tgt == _T["power"]) & ~has_alt[gap_of]
        power_of_village = pd.Series(pid[power_single], index=pvill[power_single])
        pv_rows = np.flatnonzero(p_pv)
        found = power_of_village.reindex(pvill[pv_rows])
        ok = found.notna().to_numpy()
        requires[pv_rows[ok]] = found.to_numpy()[ok]

    # --- a few start windows, never on deadline targets or linked projects
    earliest = np.full(n, "", dtype=object)
    latest = np.full(n, "", dtype=object)
    deadline_targets = [_T[d["target"]] for d in _deadlines(years)]
    free = ~np.isin(p_tgt, deadline_targets) & (requires == "") & ~p_pv
    if ny >= 2:
        draw = rng.random(n)
        late_start = free & (draw < 0.03) & (years[1] + p_dur - 1 <= years[-1])
        early_end = free & (draw >= 0.03) & (draw < 0.05) & (p_dur == 1)
        earliest[late_start] = str(years[1])
        latest[early_end] = str(years[-2])

    return pd.DataFrame({
        "project_id": pid,
        "village_id": vdf["village_id"].to_numpy()[pvill],
        "target": np.array(TARGET_CODES, dtype=object)[p_tgt],
        "cost": p_cost,
        "duration": p_dur,
        "cost_profile": p_prof,
        "earliest_year": earliest,
        "latest_year": latest,
        "department": department,
        "self_share": self_share,
        "streams": streams,
        "requires": requires,
        "alternative_group": "",
    })


# --------------------------------------------------------------------------
# Deadlines and money
# --------------------------------------------------------------------------

def _deadlines(years) -> list[dict]:
    """The policy's deadlines, mapped onto the horizon."""
    first, last = years[0], years[-1]
    second = years[1] if len(years) >= 2 else last
    out = []
    if first < last:
        out.append({"target": "power", "year": first, "scope": "deep_poverty"})
    out += [
        {"target": "power", "year": last, "scope": "all"},
        {"target": "road", "year": last, "scope": "all"},
        {"target": "broadband", "year": second, "scope": "all", "share": 0.9},
        {"target": "housing", "year": last, "scope": "all"},
        {"target": "environment", "year": last, "scope": "all", "share": 0.9},
    ]
    return out


def _gap_costs(vdf, gdf, pdf):
    """Per gap: county index, target, planned?, least pooled cost of a candidate."""
    self_share = pd.to_numeric(pdf["self_share"].replace("", np.nan)).fillna(0.0)
    pooled = (pdf["cost"] * (1.0 - self_share)).to_numpy()
    key_g = gdf["village_id"] + "|" + gdf["target"]
    key_p = pdf["village_id"] + "|" + pdf["target"]
    least = pd.Series(pooled).groupby(key_p.to_numpy()).min().reindex(key_g).to_numpy()
    v = vdf.set_index("village_id").loc[gdf["village_id"]]
    return pd.DataFrame({
        "county": v["county"].to_numpy(),
        "village_id": gdf["village_id"].to_numpy(),
        "target": gdf["target"].to_numpy(),
        "deep": (v["deep_poverty"] == "true").to_numpy(),
        "planned": (v["relocated"] != "true").to_numpy(),
        "cost": least,
    })


def forced_costs(vdf: pd.DataFrame, gdf: pd.DataFrame, pdf: pd.DataFrame,
                 years, deadlines, counties) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What the deadlines force each county to spend, at least, by each year.

    A gap is forced by a deadline when its village is planned and in scope and
    the deadline needs it: all such gaps for ``share`` 1; for a share below 1,
    the cheapest ``ceil(share * N) - (villages without the gap)`` of the
    county's gaps (counting the share per county, which is at least as strict
    as counting it over the province).

    Returns ``need`` (per county: least pooled cost of every planned gap) and
    ``forced``, ``forced_lottery`` of shape (counties, years): least pooled cost
    of the gaps forced by the end of each year, in total and for the targets
    lottery money may pay for (road, environment).
    """
    gc = _gap_costs(vdf, gdf, pdf)
    cpos = pd.Index(counties).get_indexer(gc["county"])
    planned = gc["planned"].to_numpy()
    forced_year = np.full(len(gc), np.inf)
    pv = vdf[vdf["relocated"] != "true"]
    for d in deadlines:  # a handful of deadlines
        in_scope = planned & (gc["target"].to_numpy() == d["target"])
        if d.get("scope", "all") == "deep_poverty":
            in_scope &= gc["deep"].to_numpy()
            scope_v = pv[pv["deep_poverty"] == "true"]
        else:
            scope_v = pv
        share = d.get("share", 1.0)
        if share >= 1.0:
            hit = in_scope
        else:
            n_scope = scope_v.groupby("county").size()
            n_gap = gc[in_scope].groupby("county").size().reindex(n_scope.index, fill_value=0)
            k = np.maximum(0, np.ceil(share * n_scope - 1e-9) - (n_scope - n_gap))
            sub = gc[in_scope].sort_values(["county", "cost"], kind="stable")
            rank = sub.groupby("county").cumcount().to_numpy()
            chosen = sub.index[rank < k.reindex(sub["county"]).to_numpy()]
            hit = np.zeros(len(gc), bool)
            hit[chosen] = True
        forced_year[hit] = np.minimum(forced_year[hit], d["year"])

    k, ny = len(counties), len(years)
    cost = gc["cost"].to_numpy()
    need = np.bincount(cpos[planned], weights=cost[planned], minlength=k)
    lot = np.isin(gc["target"].to_numpy(), _LOTTERY_TARGETS)
    forced = np.zeros((k, ny))
    forced_lot = np.zeros((k, ny))
    for j, y in enumerate(years):
        f = forced_year <= y
        forced[:, j] = np.bincount(cpos[f], weights=cost[f], minlength=k)
        forced_lot[:, j] = np.bincount(cpos[f & lot], weights=cost[f & lot], minlength=k)
    return need, forced, forced_lot


def _fund_amounts(rng, need, forced, forced_lot, budget_ratio, ny):
    """Money per county, stream and year: shape (counties, 5, years).

    Each county gets ``budget_ratio * need`` over the horizon, split between
    the streams roughly 30/25/10/10/25 % and between the years with some
    variation.

    Deadline rule (the deadlines are hard constraints, so the money must make
    them feasible): for every year ``t`` with a deadline, in order, the money
    that may pay for the forced works, cumulated up to ``t`` --

        special_bonds + poverty_fund + integrated
            + min(lottery, DEADLINE_MARGIN * forced road/environment cost)

    -- must be at least ``DEADLINE_MARGIN`` (1.5) times the least pooled cost
    of the gaps the deadlines force by ``t`` (`forced_costs`).  When it falls
    short, the shortfall is first moved forward from the later years of
    special_bonds, poverty_fund and integrated (each stream keeping its total,
    and every later year keeping at least 20 % of its money); what still
    lacks is added to special_bonds in the years up to ``t``, in proportion to
    their amounts (the ``topup``: in effect the extra support the policy asks
    for the poorest counties, mostly deep-poverty ones).  Moving money forward
    leaves the cumulated sums of later years unchanged and a top-up only adds,
    so a deadline met stays met while later ones are fixed.
    """
    k = len(need)
    share = _STREAM_SHARE * np.clip(1.0 + 0.1 * rng.normal(size=(k, 5)), 0.7, 1.3)
    share /= share.sum(axis=1, keepdims=True)
    yw = np.clip(1.0 + 0.15 * rng.normal(size=(k, 5, ny)), 0.6, 1.4)
    yw /= yw.sum(axis=2, keepdims=True)
    amount = (budget_ratio * need)[:, None, None] * share[:, :, None] * yw
    topup = np.zeros(k)
    for j in range(ny):  # a few years, vectorised over counties
        if not forced[:, j].any():
            continue
        required = DEADLINE_MARGIN * forced[:, j] * (1 + 1e-4) + 0.1  # rounding room
        eligible = amount[:, _BROAD, :j + 1].sum(axis=(1, 2)) + np.minimum(
            amount[:, _LOT, :j + 1].sum(axis=1), DEADLINE_MARGIN * forced_lot[:, j])
        short = np.maximum(0.0, required - eligible)
        later = amount[:, _BROAD, j + 1:]
        later_total = later.sum(axis=(1, 2))
        moved = np.minimum(short, 0.8 * later_total)
        frac = np.divide(moved, later_total, out=np.zeros(k), where=later_total > 0)
        taken = later * frac[:, None, None]
        amount[:, _BROAD, j + 1:] -= taken
        amount[:, _BROAD, j] += taken.sum(axis=2)
        # what still lacks: more special bonds, spread over the years up to t
        top = short - moved
        sb = amount[:, _SB, :j + 1]
        sb_total = sb.sum(axis=1)
        amount[:, _SB, :j + 1] += top[:, None] * np.divide(
            sb, sb_total[:, None], out=np.full_like(sb, 1.0 / (j + 1)),
            where=sb_total[:, None] > 0)
        topup += top
    return np.round(amount, 2), topup


def _funds(rng, vdf, gdf, pdf, county_df, years, deadlines, budget_ratio, pooled_stream):
    counties = county_df["county"].to_numpy()
    need, forced, forced_lot = forced_costs(vdf, gdf, pdf, years, deadlines, counties)
    ny, k = len(years), len(counties)
    amount, topup = _fund_amounts(rng, need, forced, forced_lot, budget_ratio, ny)

    # rows in stream, year, county order
    s_i, y_i, c_i = np.meshgrid(np.arange(5), np.arange(ny), np.arange(k), indexing="ij")
    streams = np.array(STREAM_CODES, dtype=object)[s_i.ravel()]
    fdf = pd.DataFrame({
        "stream": streams,
        "year": np.array(years)[y_i.ravel()],
        "amount": amount[c_i.ravel(), s_i.ravel(), y_i.ravel()],
        "county": counties[c_i.ravel()],
    })
    if pooled_stream:
        is_in = fdf["stream"] == "integrated"
        pooled = (fdf[is_in].groupby("year", sort=True)["amount"].sum().round(2)
                  .reset_index().assign(stream="integrated", county=""))
        fdf = pd.concat([fdf[~is_in], pooled[fdf.columns]], ignore_index=True)
    fdf["carry_over"] = np.where(fdf["stream"].map(_STREAM_CARRY), "true", "false")
    fdf["targets"] = fdf["stream"].map(_STREAM_TARGETS)
    return fdf, float(need.sum()), float(topup.sum())


# --------------------------------------------------------------------------
# scenario.yaml
# --------------------------------------------------------------------------

def _write_yaml(path, name, years, deadlines, seed, villages, counties,
                budget_ratio, pooled_stream):
    doc = {"name": name, "years": list(years), "objective": "max_coverage",
           "deadlines": deadlines}
    header = (
        "# Synthetic scenario written by planner.generate.generate(\n"
        f"#   villages={villages}, counties={counties}, seed={seed}, years={list(years)},\n"
        f"#   budget_ratio={budget_ratio}, pooled_stream={pooled_stream})\n"
        "# Deadlines from the 2017 Shanxi policy: grids of deep-poverty counties by the\n"
        "# first year, all grids, roads and dangerous houses by the last; broadband in\n"
        "# 90 % of villages by the second year; garbage treatment in 90 % by the last.\n"
    )
    body = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, default_flow_style=None)
    path.write_text(header + body, encoding="utf-8", newline="\n")
