"""A backend-neutral linear model held as numpy arrays.

Variables are added in named blocks, constraints in named row families
(`"<entity>-<rule>"`) as coordinate triplets, all vectorised.  Backends turn
the arrays into their own form (HiGHS takes the matrix directly; pulp builds
its objects from it; CP-SAT scales it to integers).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

INF = float("inf")


@dataclass
class RowFamily:
    name: str
    start: int
    count: int


@dataclass
class VarBlock:
    name: str
    start: int
    count: int
    pos: int = -1  # its place in the lists lb, ub, integer, cost


@dataclass
class LinearModel:
    maximize: bool = True
    n_vars: int = 0
    lb: list = field(default_factory=list)
    ub: list = field(default_factory=list)
    integer: list = field(default_factory=list)
    cost: list = field(default_factory=list)
    blocks: dict = field(default_factory=dict)
    n_rows: int = 0
    row_lo: list = field(default_factory=list)
    row_hi: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    cols: list = field(default_factory=list)
    vals: list = field(default_factory=list)
    families: list = field(default_factory=list)
    offset: float = 0.0  # constant added to the objective

    def add_vars(self, name: str, n: int, lb=0.0, ub=INF, integer=False, cost=0.0) -> np.ndarray:
        """Add a block of n variables; returns their indices."""
        idx = np.arange(self.n_vars, self.n_vars + n)
        self.lb.append(np.broadcast_to(np.asarray(lb, dtype=float), (n,)).copy())
        self.ub.append(np.broadcast_to(np.asarray(ub, dtype=float), (n,)).copy())
        self.integer.append(np.full(n, bool(integer)))
        self.cost.append(np.broadcast_to(np.asarray(cost, dtype=float), (n,)).copy())
        self.blocks[name] = VarBlock(name, self.n_vars, n, len(self.cost) - 1)
        self.n_vars += n
        return idx

    def add_rows(self, name: str, n: int, row: np.ndarray, col: np.ndarray, val,
                 lo=-INF, hi=INF) -> np.ndarray:
        """Add n rows lo <= sum(val * x[col]) <= hi, entries given by local row index."""
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        row = np.asarray(row, dtype=np.int64)
        self.rows.append(row + self.n_rows)
        self.cols.append(np.asarray(col, dtype=np.int64))
        self.vals.append(np.broadcast_to(np.asarray(val, dtype=float), row.shape).copy())
        self.row_lo.append(np.broadcast_to(np.asarray(lo, dtype=float), (n,)).copy())
        self.row_hi.append(np.broadcast_to(np.asarray(hi, dtype=float), (n,)).copy())
        self.families.append(RowFamily(name, self.n_rows, n))
        idx = np.arange(self.n_rows, self.n_rows + n)
        self.n_rows += n
        return idx

    def set_cost(self, name: str, values):
        """Objective coefficients of the variable block `name` (one value or one each)."""
        self.cost[self.blocks[name].pos][:] = values

    def set_cost_at(self, var: int, value: float):
        """Objective coefficient of the one variable `var` (whatever its block)."""
        start = 0
        for arr in self.cost:
            if start <= var < start + len(arr):
                arr[var - start] = value
                return
            start += len(arr)

    def clear_costs(self):
        """Every objective coefficient 0, no constant."""
        for arr in self.cost:
            arr[:] = 0.0
        self.offset = 0.0

    def arrays(self):
        """(cost, lb, ub, integer, row_lo, row_hi, rows, cols, vals) as flat arrays."""
        cat = lambda parts, dtype: (np.concatenate(parts).astype(dtype) if parts
                                    else np.zeros(0, dtype=dtype))
        return (cat(self.cost, float), cat(self.lb, float), cat(self.ub, float),
                cat(self.integer, bool), cat(self.row_lo, float), cat(self.row_hi, float),
                cat(self.rows, np.int64), cat(self.cols, np.int64), cat(self.vals, float))

    def empty_row_broken(self) -> bool:
        """Some row has no entries and bounds that exclude 0."""
        _, _, _, _, lo, hi, r, _, v = self.arrays()
        filled = np.zeros(self.n_rows, dtype=bool)
        filled[r[v != 0]] = True
        return bool(np.any(~filled & ((lo > 1e-9) | (hi < -1e-9))))

    def max_violation(self, values: np.ndarray) -> float:
        """The largest amount by which `values` break a row or a variable bound."""
        _, lb, ub, _, lo, hi, r, c, v = self.arrays()
        act = np.zeros(self.n_rows)
        np.add.at(act, r, v * values[c])
        worst = [np.maximum(lo - act, 0), np.maximum(act - hi, 0),
                 np.maximum(lb - values, 0), np.maximum(values - ub, 0)]
        return float(max((w.max() for w in worst if len(w)), default=0.0))

    def csc(self):
        """Column-compressed matrix (start, index, value) merging duplicate entries."""
        _, _, _, _, _, _, r, c, v = self.arrays()
        key = c * max(self.n_rows, 1) + r
        order = np.argsort(key, kind="stable")
        key, r, c, v = key[order], r[order], c[order], v[order]
        if len(key):
            uniq, first = np.unique(key, return_index=True)
            v = np.add.reduceat(v, first)
            r, c = r[first], c[first]
        keep = v != 0
        r, c, v = r[keep], c[keep], v[keep]
        start = np.zeros(self.n_vars + 1, dtype=np.int64)
        np.add.at(start, c + 1, 1)
        return np.cumsum(start), r, v
