"""`planner solve-many`: many scenarios planned as Dask tasks, one plan folder each.

A failed scenario is reported in its row and the others are kept, also when a worker
dies: its scenarios are run again elsewhere, and one that kills its worker twice is
reported (planner.distributed.run_tasks).
"""

from __future__ import annotations

from .distributed import client_for, close, failure_text, run_tasks


def plan_one(folder: str, out: str, opts: dict) -> dict:
    """One scenario planned, verified and written (runs inside a Dask worker)."""
    from .errors import InputError
    from .pipeline import PlanningError, plan_scenario

    try:
        outcome = plan_scenario(folder, out, decompose="off", **opts)
    except (InputError, PlanningError) as exc:
        return {"scenario": folder, "out": out, "ok": False, "error": str(exc)}
    except Exception as exc:  # reported for this scenario; the others go on
        return {"scenario": folder, "out": out, "ok": False,
                "error": f"{type(exc).__name__}: {exc}"}
    s = outcome.plan.summary
    return {"scenario": folder, "out": out, "ok": True, "status": s["status"],
            "objective": s["objective"], "gap": s["gap"], "seconds": s["seconds"]}


def plan_many(folders: list, out_root, scheduler: str | None = None, on_result=None,
              **opts) -> list[dict]:
    """Plan many scenarios as Dask tasks, one plan folder each, named after the folder."""
    from pathlib import Path

    names = unique_names(folders)  # a/tiny, b/tiny -> a-tiny, b-tiny: one folder each
    from models.budget import TimeBudget

    opts = {"threads": 1, **{k: v for k, v in opts.items() if v is not None}}
    budget = TimeBudget(opts.get("time_limit"))  # --time-limit: the batch's budget
    client = client_for(scheduler, len(folders))
    if budget.limit is not None:  # the scenarios run `workers` at a time, in waves
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        opts["time_limit"] = max(0.5, budget.left() / -(-len(folders) // workers))
    items = [(str(f), str(Path(out_root) / n), opts) for f, n in zip(folders, names)]
    failed = lambda item, exc: {"scenario": item[0], "out": item[1], "ok": False,
                                "error": failure_text(exc)}
    try:
        rows = run_tasks(client, plan_one, items, failed, on_result)
    finally:
        close(client)
    order = {str(Path(out_root) / n): i for i, n in enumerate(names)}
    return sorted(rows, key=lambda r: order[r["out"]])


def unique_names(folders: list) -> list[str]:
    """A folder name per scenario, unique: the folder's name, with its parent folders
    prefixed where two share it (a/tiny, b/tiny -> a-tiny, b-tiny), then -2, -3."""
    from pathlib import Path

    parts = [Path(f).resolve().parts[1:] or ("scenario",) for f in folders]
    depth = [1] * len(parts)
    name = lambda i: "-".join(parts[i][-depth[i]:])
    while True:
        names = [name(i) for i in range(len(parts))]
        grown = False
        for i, n in enumerate(names):
            if depth[i] < len(parts[i]) and any(
                    names[j] == n and parts[j] != parts[i] for j in range(len(parts))):
                depth[i] += 1
                grown = True
        if not grown:
            break
    names = [name(i) for i in range(len(parts))]
    taken, out = set(), []
    for n in names:
        candidate, k = n, 1
        while candidate in taken or (candidate != n and candidate in names):
            k += 1
            candidate = f"{n}-{k}"
        taken.add(candidate)
        out.append(candidate)
    return out
