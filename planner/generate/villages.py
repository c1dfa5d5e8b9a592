"""Counties and villages of a generated scenario: names, townships, exit batches, sizes."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .catalogue import COUNTY_NAMES, PLACE_PREFIX, PLACE_SUFFIX, SURNAMES, TOWNSHIPS


def county_table(k: int) -> pd.DataFrame:
    """County names (repeating the list with a number suffix) and status."""
    n = len(COUNTY_NAMES)
    names = [COUNTY_NAMES[i % n] + (str(i // n + 1) if i >= n else "") for i in range(k)]
    n_deep = math.ceil(k / 3)  # about a third, at least one
    return pd.DataFrame({"county": names, "deep": np.arange(k) < n_deep})


def village_table(rng, n: int, county_df: pd.DataFrame, years,
                  per_county: np.ndarray | None = None) -> pd.DataFrame:
    """villages.csv: ``n`` villages spread over the counties of ``county_df`` (by uneven
    county sizes, or ``per_county`` villages each when given)."""
    k = len(county_df)
    if per_county is None:
        # villages per county: one each, the rest by uneven county sizes
        size_w = rng.gamma(4.0, size=k)
        per_county = 1 + rng.multinomial(n - k, size_w / size_w.sum())
    per_county = np.asarray(per_county, dtype=np.int64)
    cidx = np.repeat(np.arange(k), per_county)

    # townships: 城关镇 and a few others per county, more in bigger counties
    n_town = np.clip(per_county // 25 + 2, 2, 8)
    town_names = [("城关镇",) + tuple(rng.choice(TOWNSHIPS, size=m - 1, replace=False))
                  for m in n_town]  # one short loop over counties
    town_pick = np.floor(rng.random(n) * n_town[cidx]).astype(int)
    township = _lookup_townships(town_names, cidx, town_pick)

    # names like 张家庄村, 石沟村, 王峪村
    form = rng.integers(0, 3, size=n)
    first = np.where(form == 2,
                     np.array(PLACE_PREFIX, dtype=object)[rng.integers(0, len(PLACE_PREFIX), n)],
                     np.array(SURNAMES, dtype=object)[rng.integers(0, len(SURNAMES), n)])
    middle = np.where(form == 0, "家", "").astype(object)
    last = np.array(PLACE_SUFFIX, dtype=object)[rng.integers(0, len(PLACE_SUFFIX), n)]
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
        "village_id": numbered_ids("V", n, width=max(4, len(str(n)))),
        "name": vname,
        "county": county_df["county"].to_numpy()[cidx],
        "township": township,
        "exit_year": exit_year,
        "deep_poverty": np.where(county_df["deep"].to_numpy()[cidx], "true", "false"),
        "population": population,
        "poor_households": poor,
        "relocated": np.where(relocated, "true", "false"),
    })


def numbered_ids(prefix: str, n: int, width: int) -> np.ndarray:
    """``prefix`` + 1..n zero-padded to ``width`` digits, e.g. V0001."""
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width)).astype(object)


def _lookup_townships(town_names, cidx, town_pick) -> np.ndarray:
    """Township name of every village, by (county, township index), vectorised."""
    width = max(len(t) for t in town_names)
    table = np.array([t + ("",) * (width - len(t)) for t in town_names], dtype=object)
    return table[cidx, town_pick]
