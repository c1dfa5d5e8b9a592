"""The checker's own copy of what `planner robust`'s figures are made of: the sampling
rule of `uncertainty:` and the statistics (planner.check.robust uses them).

Written apart from planner.robust (which imports the model) and, where a second
method exists, by another method, so that agreement is evidence:

* the draws: the documented rule (README, "Robust plans"): sample k of seed stream s
  is drawn by numpy's Generator seeded by `SeedSequence(seed, spawn_key=(s, k))`, the
  money entries in scenario.yaml's order (a `cut` one uniform number, cut by `share`
  when it is below p; a `range` one uniform factor from low to high), then one
  uniform overrun per `costs` entry.  The same generator is the rule itself (numpy's
  bit generator is the reproducibility the README promises), so this is a re-draw,
  not a second method;
* `uncertainty:` read from scenario.yaml's own text (defaults: samples 10, seed 0; an
  overrun of one number is [x, x]);
* Student's t quantile from the regularised incomplete beta function (a continued
  fraction, modified Lentz), where planner.robust integrates the density by
  Simpson's rule; the percentiles by their linear-interpolation definition; the CVaR
  as the mean of the worst (1 - alpha) share of the values, the last one weighted by
  the share left, where planner.robust maximises Rockafellar-Uryasev's e - E(e - v)+.
"""

from __future__ import annotations

import math

import numpy as np

SOLVE, FRESH = 0, 1  # the seed streams (README: 0 the samples solved on, 1 the fresh)
DEFAULT_SAMPLES, DEFAULT_SEED = 10, 0


def read_uncertainty(raw) -> dict | None:
    """scenario.yaml's `uncertainty:` as summary.json states it (None when absent)."""
    if not isinstance(raw, dict):
        return None
    money = []
    for m in raw.get("money") or []:
        kind = "cut" if "cut" in m else "range"
        law = ({"p": float(m["cut"]["p"]), "share": float(m["cut"]["share"])}
               if kind == "cut" else {"low": float(m["range"]["low"]),
                                      "high": float(m["range"]["high"])})
        county = m.get("county")
        money.append({"stream": str(m["stream"]), "year": int(m["year"]), "kind": kind,
                      "county": None if county is None else str(county), **law})
    costs = []
    for c in raw.get("costs") or []:
        over = c["overrun"] if isinstance(c["overrun"], list) else [c["overrun"]] * 2
        costs.append({"target": str(c["target"]), "low": float(over[0]),
                      "high": float(over[1])})
    return {"samples": raw.get("samples", DEFAULT_SAMPLES), "seed": raw.get("seed",
                                                                            DEFAULT_SEED),
            "money": money, "costs": costs}


def redraw(unc: dict, stream: int, k: int) -> tuple[list[float], list[float]]:
    """(money factors, cost overruns) of sample k (0-based) of `stream`."""
    rng = np.random.default_rng(np.random.SeedSequence(int(unc["seed"]),
                                                       spawn_key=(stream, k)))
    money = []
    for m in unc["money"]:
        if m["kind"] == "cut":
            u = rng.random()
            money.append(1.0 - m["share"] if u < m["p"] else 1.0)
        else:
            money.append(float(rng.uniform(m["low"], m["high"])))
    return money, [float(rng.uniform(c["low"], c["high"])) for c in unc["costs"]]


def column_names(unc: dict) -> list[str]:
    """The draw columns of samples.csv and evaluation.csv (README: `money STREAM YEAR
    [COUNTY]`, `overrun TARGET`)."""
    return ([f"money {m['stream']} {m['year']}" + (f" {m['county']}" if m["county"] else "")
             for m in unc["money"]] + [f"overrun {c['target']}" for c in unc["costs"]])


# ---------------------------------------------------------------- statistics

def _betacf(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz)."""
    tiny, qab, qap, qam = 1e-300, a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        for num in (m * (b - m) * x / ((qam + m2) * (a + m2)),
                    -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                     + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: int) -> float:
    """P(T <= t): for t >= 0, 1 - I_{df / (df + t^2)}(df / 2, 1 / 2) / 2."""
    tail = 0.5 * betainc(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def t_quantile(p: float, df: int) -> float:
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < p:
        hi *= 2.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        lo, hi = (mid, hi) if t_cdf(mid, df) < p else (lo, mid)
        if hi - lo < 1e-12:
            break
    return (lo + hi) / 2.0


def mean_sd(values: list[float]) -> tuple[float | None, float | None]:
    n = len(values)
    if not n:
        return None, None
    mean = math.fsum(values) / n
    if n < 2:
        return mean, None
    return mean, math.sqrt(math.fsum((x - mean) ** 2 for x in values) / (n - 1))


def paired(first: list, second: list, level: float) -> dict:
    """The figures of a mean of paired differences, over the pairs where both are
    given: value (mean), sd, se, ci (t-interval at `level`), n, and the two means."""
    pairs = [(a, b) for a, b in zip(first, second) if a is not None and b is not None]
    diffs = [a - b for a, b in pairs]
    mean, sd = mean_sd(diffs)
    n = len(diffs)
    out = {"value": mean, "sd": sd, "se": None, "ci": None, "n": n, "level": level,
           "first_mean": mean_sd([a for a, _ in pairs])[0],
           "second_mean": mean_sd([b for _, b in pairs])[0]}
    if n >= 2:
        se = sd / math.sqrt(n)
        half = t_quantile(0.5 + level / 2.0, n - 1) * se
        out.update(se=se, ci=[mean - half, mean + half])
    return out


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile, linear between the order statistics at (n - 1) q / 100."""
    v = sorted(values)
    h = (len(v) - 1) * q / 100.0
    lo = math.floor(h)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (h - lo) * (v[hi] - v[lo])


def cvar(values: list[float], alpha: float) -> float:
    """The mean of the worst (1 - alpha) share of equally likely values."""
    v = sorted(values)
    left, total = (1.0 - alpha) * len(v), 0.0
    for x in v:
        take = min(1.0, left)
        total += take * x
        left -= take
        if left <= 1e-12:
            break
    return total / ((1.0 - alpha) * len(v))


def spread(values: list[float], alpha: float) -> dict:
    mean, sd = mean_sd(values)
    return {"mean": mean, "sd": sd if sd is not None else 0.0, "min": min(values),
            "max": max(values), "p10": percentile(values, 10),
            "p90": percentile(values, 90), "cvar": cvar(values, alpha), "alpha": alpha,
            "n": len(values)}
