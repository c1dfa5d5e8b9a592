"""The figures of `planner robust`: a sample's spread and the t-interval of a mean.

Student's t quantile is found here (numpy has none and SciPy is not a dependency):
the density integrated by Simpson's rule from 0 (the distribution is symmetric) and
the quantile by bisection, to 1e-9; tests/test_robust.py holds it to published
values.
"""

from __future__ import annotations

import math

import numpy as np

#: Simpson intervals per unit of t (at least 2,000 in all)
_STEPS = 400


def t_cdf(x: float, df: int) -> float:
    """P(T <= x) for Student's t with `df` degrees of freedom."""
    if x < 0:
        return 1.0 - t_cdf(-x, df)
    n = max(2000, int(_STEPS * x)) // 2 * 2
    grid = np.linspace(0.0, x, n + 1)
    head = (math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi))
    f = np.exp(head - (df + 1) / 2 * np.log1p(grid * grid / df))
    h = x / n
    return 0.5 + h / 3 * (f[0] + f[-1] + 4 * f[1:-1:2].sum() + 2 * f[2:-1:2].sum())


def t_quantile(p: float, df: int) -> float:
    """The x with P(T <= x) = p (0.5 < p < 1), by bisection."""
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < p:
        hi *= 2
    while hi - lo > 1e-9:
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if t_cdf(mid, df) < p else (lo, mid)
    return (lo + hi) / 2


def interval(diffs, level: float = 0.95) -> dict:
    """The mean of paired differences and its t-interval at `level` (n >= 2): mean,
    standard deviation, standard error, the interval, n."""
    d = np.asarray(diffs, dtype=float)
    n = len(d)
    mean = float(d.mean()) if n else None
    if n < 2:
        return {"mean": mean, "sd": None, "se": None, "ci": None, "level": level, "n": n}
    sd = float(d.std(ddof=1))
    se = sd / math.sqrt(n)
    half = t_quantile(0.5 + level / 2, n - 1) * se
    return {"mean": mean, "sd": sd, "se": se, "ci": [mean - half, mean + half],
            "level": level, "n": n}


def spread(values, alpha: float = 0.9) -> dict:
    """Mean, standard deviation, least, most, 10th and 90th percentile and the CVaR at
    `alpha` (the mean of the worst 1 - alpha share) of the values."""
    from models.robust import risk

    v = np.asarray(values, dtype=float)
    return {"mean": float(v.mean()), "sd": float(v.std(ddof=1)) if len(v) > 1 else 0.0,
            "min": float(v.min()), "max": float(v.max()),
            "p10": float(np.percentile(v, 10)), "p90": float(np.percentile(v, 90)),
            "cvar": risk(v, "cvar", alpha), "alpha": alpha, "n": int(len(v))}
