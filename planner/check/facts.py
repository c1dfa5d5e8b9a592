"""What a schedule implies, recomputed from the checker's inputs alone.

`Facts(inputs, sched)` joins every schedule row to its input project (`p_*`) and
village (`v_*`), and derives the start of each project, when each gap closes
and the villages table the schedule implies.
"""

from __future__ import annotations

import math
from functools import cached_property

import numpy as np
import pandas as pd

from .inputs import Inputs
from .possible import possible_on_time


class Facts:
    """sched    one row per schedule row, with the input project (`p_*`) and its
                village (`v_*`); `pool_county` is the county whose money it may use
    starts      one row per scheduled known project: start, finish and its inputs
    gaps        every gap with `close_year` (NaN: open), `due`, progress shares
    village_table  every village with its recomputed plan row (text cells)
    deadline_results  per deadline, the villages in scope and how many meet it
    """

    def __init__(self, inp: Inputs, sched: pd.DataFrame, streams: list[str]):
        self.inp = inp
        self.streams = streams
        self.first, self.last = int(inp.years[0]), int(inp.years[-1])
        fu = inp.funds
        self.pooled_streams = set(fu.loc[fu["county"] == "", "stream"])

        p = inp.projects
        proj = pd.DataFrame({
            "project_id": p["project_id"].astype(str),
            "p_village_id": p["village_id"].astype(str),
            "p_target": p["target"].astype(str),
            "p_cost": p["cost"].astype(float),
            "p_duration": p["duration"].astype(np.int64),
            "p_profile": p["cost_profile"],
            "p_earliest": p["earliest_year"].astype(np.int64),
            "p_latest": p["latest_year"].astype(np.int64),
            "p_department": p["department"].astype(str),
            "p_self_share": p["self_share"].astype(float),
            "p_streams": p["streams"],
            "p_contributes": pd.to_numeric(p["contributes"], errors="coerce").astype(float),
            "p_requires": p["requires"],
            "p_group": p["alternative_group"].astype(str),
        })
        v = inp.villages
        vil = pd.DataFrame({
            "p_village_id": v["village_id"].astype(str),
            "v_name": v["name"].astype(str),
            "v_county": v["county"].astype(str),
            "v_township": v["township"].astype(str),
            "v_exit_year": v["exit_year"].astype(np.int64),
            "v_relocated": v["relocated"].astype(bool),
        })
        s = sched.merge(proj, on="project_id", how="left", indicator="_known")
        s["known"] = s.pop("_known").eq("both")
        s = s.merge(vil, on="p_village_id", how="left")
        s["v_relocated"] = s["v_relocated"].fillna(False).astype(bool)
        s["pool_county"] = s["v_county"].fillna(s["county"])
        s["gap_target"] = s["p_target"].fillna(s["target"])
        self.sched = s

        known = s[s["known"]]
        grp = known.groupby("project_id", sort=False)
        starts = grp.agg(start=("start_year", "first"), finish=("finish_year", "first"),
                         n_start=("start_year", "nunique"), n_finish=("finish_year", "nunique"),
                         first_row=("_row", "min")).reset_index()
        self.starts = starts.merge(proj, on="project_id", how="left")

        self.villages_in = v
        self.planned_ids = set(v.loc[~v["relocated"].astype(bool), "village_id"])
        self.gaps = self._gap_table()
        self.village_table = self._village_table()

    @cached_property
    def deadline_results(self) -> list[dict]:
        """Per deadline: villages in scope (planned villages only), how many have no
        open gap of the target at the end of its year, how many must, and which do not
        (the deadline check and the summary check both read it)."""
        v = self.village_table[~self.village_table["relocated_bool"]]
        g = self.gaps
        deadlines = self.inp.deadlines
        # villages by the code of their id, counties by theirs; each gap by its village's
        village, ids = pd.factorize(v["village_id"], use_na_sentinel=False)
        county, counties = pd.factorize(v["county"], use_na_sentinel=False)
        deep = v["deep_bool"].to_numpy(dtype=bool)
        of_target = {}
        for t in {d.target for d in deadlines}:
            have = g[g["target"] == t]
            of_target[t] = (have, pd.Index(ids).get_indexer(have["village_id"]))
        out = []
        for d in deadlines:
            if d.scope == "all":
                scope = np.ones(len(v), dtype=bool)
            elif d.scope == "deep_poverty":
                scope = deep
            else:
                scope = pd.Index(counties).isin(d.scope)[county]
            chosen = np.zeros(len(ids) + 1, dtype=bool)  # the last: a village not in v
            chosen[village[scope]] = True
            have, gap_village = of_target[d.target]
            have = have[chosen[gap_village]]
            still_open = have[~(have["close_year"] <= d.year)]
            n = int(chosen.sum())
            out.append({"deadline": d, "n": n, "met": n - len(still_open),
                        "required": int(math.ceil(d.share * n - 1e-9)),
                        "open": sorted(still_open["village_id"])})
        return out

    def due_of(self, exit_year):
        """The year a village's exit standard is due: its exit year, or the first year."""
        return np.maximum(exit_year, self.first)

    def _gap_table(self) -> pd.DataFrame:
        """Gaps with `close_year`: a plain gap closes when its (first) work finishes; a
        cumulative gap (with `quantity`) when the finished works' `contributes` (blank:
        all of it) add up to the quantity."""
        inp = self.inp
        g = pd.DataFrame({
            "village_id": inp.gaps["village_id"].astype(str),
            "target": inp.gaps["target"].astype(str),
            "weight": pd.to_numeric(inp.gaps["weight"], errors="coerce").astype(float),
            "quantity": pd.to_numeric(inp.gaps["quantity"], errors="coerce").astype(float),
        })
        g["weight"] = g["weight"].fillna(g["target"].map(inp.weight_of))
        g["exit"] = g["target"].isin(inp.exit_standard)
        g["planned"] = g["village_id"].isin(self.planned_ids)
        exit_year = g["village_id"].map(dict(zip(self.villages_in["village_id"],
                                                 self.villages_in["exit_year"])))
        g["due"] = self.due_of(exit_year.astype(np.int64))

        w = self.starts[["project_id", "p_village_id", "p_target", "finish", "p_contributes"]]
        w = w.rename(columns={"p_village_id": "village_id", "p_target": "target"})
        w = w.merge(g.loc[g["planned"], ["village_id", "target", "quantity"]],
                    on=["village_id", "target"], how="inner")
        cumulative = w["quantity"].notna()
        w["amount"] = np.where(cumulative, w["p_contributes"].fillna(w["quantity"]), 1.0)
        w["need"] = np.where(cumulative, w["quantity"], 1.0)
        w = w.sort_values(["village_id", "target", "finish"], kind="stable")
        w["cum"] = w.groupby(["village_id", "target"], sort=False)["amount"].cumsum()
        closed = (w[w["cum"] >= w["need"] - 1e-9]
                  .groupby(["village_id", "target"])["finish"].min().rename("close_year"))
        g = g.merge(closed.reset_index(), on=["village_id", "target"], how="left")
        g["close_year"] = g["close_year"].astype(float)
        g["closed"] = g["close_year"].notna()
        g["on_time"] = g["closed"] & (g["close_year"] <= g["due"])
        # progress shares of cumulative gaps (for partial credit): done by the due year,
        # and by the end of the horizon, each at most 1
        w = w.merge(g[["village_id", "target", "due"]], on=["village_id", "target"])
        by_due = (w[w["finish"] <= w["due"]].groupby(["village_id", "target"])["amount"].sum())
        by_end = w.groupby(["village_id", "target"])["amount"].sum()
        key = pd.MultiIndex.from_frame(g[["village_id", "target"]])
        need = g["quantity"].fillna(1.0).to_numpy()
        g["share_due"] = np.minimum(by_due.reindex(key).fillna(0.0).to_numpy() / need, 1.0)
        g["share_end"] = np.minimum(by_end.reindex(key).fillna(0.0).to_numpy() / need, 1.0)
        return g

    def _village_table(self) -> pd.DataFrame:
        """villages.csv as the schedule implies it (text cells, as compared)."""
        v = self.villages_in
        possible = possible_on_time(self.inp, self.first, self.last)
        g = self.gaps
        relocated = v["relocated"].astype(bool).to_numpy()
        ex = g[g["exit"]]
        by = g.groupby("village_id")
        ex_by = ex.groupby("village_id")
        ids = v["village_id"].astype(str)
        n_gaps = ids.map(by.size()).fillna(0).astype(np.int64)
        n_closed = ids.map(by["closed"].sum()).fillna(0).astype(np.int64)
        n_exit = ids.map(ex_by.size()).fillna(0).astype(np.int64)
        n_exit_closed = ids.map(ex_by["closed"].sum()).fillna(0).astype(np.int64)
        n_exit_on_time = ids.map(ex_by["on_time"].sum()).fillna(0).astype(np.int64)
        last_exit = ids.map(ex_by["close_year"].max())
        join = lambda frame: ids.map(_joined(frame)).astype(object).fillna("")  # noqa: E731
        open_t = join(g[~g["closed"]])
        late_t = join(g[g["closed"] & (g["close_year"] > g["due"])])
        on_time = (n_exit_on_time == n_exit).to_numpy()
        completion = np.where(n_exit == 0, str(self.first - 1),
                              np.where(n_exit_closed == n_exit,
                                       last_exit.fillna(0).astype(np.int64).astype(str), ""))
        out = pd.DataFrame({
            "village_id": ids,
            "village_name": v["name"].astype(str),
            "county": v["county"].astype(str),
            "township": v["township"].astype(str),
            "exit_year": v["exit_year"].astype(np.int64),
            "deep_poverty": np.where(v["deep_poverty"].astype(bool), "true", "false"),
            "relocated": np.where(relocated, "true", "false"),
            "relocated_bool": relocated,
            "deep_bool": v["deep_poverty"].astype(bool).to_numpy(),
            "gaps": n_gaps,
            "gaps_closed": np.where(relocated, 0, n_closed),
            "exit_gaps": np.where(relocated, 0, n_exit),
            "on_time_bool": on_time & ~relocated,
            "on_time": np.where(relocated, "", np.where(on_time, "true", "false")),
            "completion_year": np.where(relocated, "", completion),
            "open_targets": open_t,
            "late_targets": np.where(relocated, "", late_t),
            "on_time_possible": np.where(relocated, "", [
                "true" if possible.get(i, True) else "false" for i in ids]),
        })
        return out.reset_index(drop=True)


def _joined(frame: pd.DataFrame) -> dict[str, str]:
    """village id -> its rows' targets joined by `;`, in the rows' order."""
    targets: dict[str, list] = {}
    for vid, target in zip(frame["village_id"], frame["target"]):
        targets.setdefault(vid, []).append(target)
    return {vid: ";".join(t) for vid, t in targets.items()}
