"""The multipliers: a disaggregated cutting-plane model with a box trust region.

L(m) = sum_c phi_c(m) + r . m is convex in m (each phi_c is a maximum of functions
linear in m).  Every county column k (a point x of the county's program, LP or
integer: its value v_k and activities a_k) gives a plane under phi_c:
phi_c(m) >= v_k + a_k . m.  The master

    min  sum_c theta_c + r . m   s.t.  theta_c >= v_k + a_k . m  (every column k of c),
         max(0, centre - box) <= m <= min(cap, centre + box)

is an LP of a few hundred columns; its solution is the next point to evaluate, its
value the model's prediction there.  Box-step bundle rule: a point whose L falls by at
least a tenth of the predicted fall becomes the centre (and the box doubles where the
step reached it); otherwise the columns found there sharpen the model (and the box
halves when the point was worse than the centre).  The model without the box, once
bounded, is at most min L everywhere: the distance from the best L to it is how far
the bound can still fall, the test of convergence.  The duals of the master's rows
are the weights of a convex combination of each county's columns whose coupling
activities nearly meet the coupling rows (Dantzig-Wolfe): with LP columns at
convergence, an optimal LP solution's; they split
the pooled money (models.pooled_split.price_directed_shares).
"""

from __future__ import annotations

import numpy as np

#: a serious step must bring this share of the predicted decrease
SERIOUS = 0.1
#: the box shrinks by this on a null step (never below MIN_BOX of the natural size)
SHRINK = 0.5
MIN_BOX = 1e-4


class Bundle:
    def __init__(self, n_counties: int, rhs: np.ndarray, cap: np.ndarray,
                 scale: np.ndarray):
        self.C, self.rhs, self.cap = n_counties, rhs, cap
        self.scale = np.maximum(scale, 1e-9)
        self.box = self.scale.copy()
        self.county: list[int] = []
        self.value: list[float] = []
        self.act: list[np.ndarray] = []
        self.centre = np.zeros(len(rhs))
        self.centre_value = np.inf
        self.weights = None  # master duals per column, at the last solve

    def reset(self, rhs: np.ndarray, cap: np.ndarray, centre: np.ndarray) -> None:
        """New right-hand sides and caps (another phase); the columns stay valid (they
        are points of the county programs, which do not change)."""
        self.rhs, self.cap = rhs, cap
        self.centre = np.clip(centre, 0.0, cap)
        self.centre_value = np.inf
        self.box = np.maximum(self.box, self.scale)

    def add(self, county: int, value: float, activity: np.ndarray) -> None:
        self.county.append(county)
        self.value.append(float(value))
        self.act.append(np.asarray(activity, dtype=float))

    def next_point(self) -> tuple[np.ndarray, float]:
        """(the master's point in the box around the centre, its predicted L)."""
        lo = np.maximum(0.0, self.centre - self.box)
        hi = np.minimum(self.cap, self.centre + self.box)
        m, value = self._solve(np.minimum(lo, hi), hi, keep=True)
        return m, value

    def lower(self) -> float:
        """The model's least value over every m (no box): at most min L, a certificate
        of how far the best L evaluated can still be from the dual's optimum; -inf while
        the columns leave the model unbounded."""
        try:
            return self._solve(np.zeros(len(self.rhs)), self.cap, keep=False)[1]
        except RuntimeError:
            return -np.inf

    def _solve(self, lo: np.ndarray, hi: np.ndarray, keep: bool) -> tuple[np.ndarray, float]:
        import highspy

        from ..backends import highs

        J, K = len(self.rhs), len(self.value)
        A = np.array(self.act).reshape(K, J)
        h = highs.new_highs(False)
        inf = highspy.kHighsInf
        h.addVars(J + self.C, np.concatenate([lo, np.full(self.C, -inf)]),
                  np.concatenate([np.where(np.isinf(hi), inf, hi), np.full(self.C, inf)]))
        h.changeColsCost(J + self.C, np.arange(J + self.C, dtype=np.int32),
                         np.concatenate([self.rhs, np.ones(self.C)]))
        # theta_c - a_k . m >= v_k, one row per column
        nz = np.abs(A) > 0
        counts = nz.sum(axis=1) + 1
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int32)
        idx, val = [], []
        for k in range(K):
            cols = np.flatnonzero(nz[k])
            idx += [cols, [J + self.county[k]]]
            val += [-A[k, cols], [1.0]]
        h.addRows(K, np.array(self.value), np.full(K, inf), int(counts.sum()), starts,
                  np.concatenate(idx).astype(np.int32), np.concatenate(val))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError("the master LP of the Lagrangian ended "
                               f"{h.modelStatusToString(h.getModelStatus())}")
        sol = h.getSolution()
        if keep:
            self.weights = np.maximum(np.asarray(sol.row_dual, dtype=float), 0.0)
        m = np.clip(np.asarray(sol.col_value[:J], dtype=float), lo, hi)
        return m, float(h.getInfo().objective_function_value)

    def step(self, m: np.ndarray, value: float, predicted: float) -> bool:
        """Record L(m) = value at the point the master gave (prediction `predicted`);
        True when it became the centre."""
        if not np.isfinite(self.centre_value):
            self.centre, self.centre_value = m, value
            return True
        fall = self.centre_value - predicted
        if value <= self.centre_value - SERIOUS * max(fall, 0.0):
            at_edge = np.abs(m - self.centre) >= 0.99 * self.box
            self.box = np.where(at_edge, 2 * self.box, self.box)
            self.centre, self.centre_value = m, value
            return True
        if value > self.centre_value:  # worse than the centre: the box was too wide
            self.box = np.maximum(SHRINK * self.box, MIN_BOX * self.scale)
        return False

    def combination(self) -> np.ndarray:
        """The master's weights of the columns, each county's summing to 1 (the last
        solve's duals, normalised per county; a county without weight: its last column)."""
        K = len(self.value)
        w = np.zeros(K) if self.weights is None else self.weights[:K].copy()
        county = np.array(self.county)
        for c in np.unique(county):
            mine = county == c
            total = w[mine].sum()
            if total > 1e-12:
                w[mine] /= total
            else:
                w[mine] = 0.0
                w[np.flatnonzero(mine)[-1]] = 1.0
        return w
