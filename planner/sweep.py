"""The budget-coverage curve: one solve per budget scale, run as Dask tasks.

Each task loads the scenario, scales the money (every stream, or one), solves,
verifies the plan with the independent checker, and returns one row.  The
tasks run on a Dask `LocalCluster` sized to the machine, or on an existing
cluster given by its scheduler address; a failed task is reported in its row
and does not lose the others.  A point with no plan says why in `why`: the
diagnosis `planner solve` gives (planner.pipeline.explain_infeasible: which hard rule
cannot hold, by how much, and the money that would make the rules hold), or that the
time ran out; the chart marks it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from .distributed import client_for, close, failure_text, run_tasks
from .options import parse_range  # noqa: F401  (the scales of --budget-scale)

SWEEP_COLUMNS = ["scale", "value", "gaps_closed", "villages_on_time", "cost", "money",
                 "marginal_value", "status", "gap", "error", "why"]


def solve_scaled(folder: str, scale: float, stream: str | None, opts: dict) -> dict:
    """One point of the curve (runs inside a Dask worker): the scenario with its money
    scaled, planned, verified and written by the one pipeline (to a folder thrown away)."""
    from .pipeline import PlanningError, VerificationError, plan_scenario
    from .scenario import load_scenario

    row = {"scale": scale}
    try:
        scn = load_scenario(folder)
        mask = scn.funds["stream"] == stream if stream else np.ones(len(scn.funds), bool)
        scn.funds = scn.funds.copy()
        scn.funds.loc[mask, "amount"] = scn.funds.loc[mask, "amount"] * scale
        with tempfile.TemporaryDirectory() as tmp:
            out = plan_scenario(scn, Path(tmp) / "plan", decompose="off", **opts)
        s = out.plan.summary
        row.update(status=s["status"], gap=s["gap"], value=s["objective"],
                   money=float(out.instance.pool_budget_units.sum() / out.instance.money_units),
                   gaps_closed=s["gaps_closed"],
                   villages_on_time=int(sum(s["villages_on_time"].values())),
                   cost=s["pooled_cost"], error="", why="")
    except VerificationError as exc:
        row["error"] = f"plan failed the check: {exc}".splitlines()[0]
    except PlanningError as exc:
        # the message: a first line, then one line per reason (explain_infeasible)
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        if (opts.get("lang") or scn.lang) == "zh":
            why = "；".join(lines[1:]).replace("：；", "：") if len(lines) > 1 else lines[0]
        else:
            why = "; ".join(lines[1:]).replace(":; ", ": ") if len(lines) > 1 else lines[0]
        row.update(status=exc.status.value if exc.status else "", error="no plan", why=why)
    except Exception as exc:  # reported in the row; the other points go on
        row["error"] = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return row


def run_sweep(folder, scales, stream=None, scheduler=None, on_result=None, lang=None,
              **opts) -> pd.DataFrame:
    """sweep.csv's rows (SWEEP_COLUMNS), one per scale; `lang`: the language of `why`
    (None: the scenario's; planner.pipeline.explain_infeasible)."""
    from models.budget import TimeBudget
    from models.params import SolveParams

    from .scenario import load_scenario

    # the settings go to the workers as keywords, merged there with the scenario's
    opts = {"threads": 1, **{k: v for k, v in opts.items() if v is not None}, "lang": lang}
    # one time limit for the whole sweep: the points run `workers` at a time, in waves
    budget = TimeBudget(opts.get("time_limit")
                        or SolveParams.merged(load_scenario(folder).solver).time_limit)
    client = client_for(scheduler, len(scales))
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    waves = -(-len(scales) // workers)
    opts["time_limit"] = max(0.5, budget.left() / waves)
    items = [(str(folder), s, stream, opts) for s in scales]
    failed = lambda item, exc: {"scale": item[1], "error": failure_text(exc)}
    try:
        rows = run_tasks(client, solve_scaled, items, failed, on_result)
    finally:
        close(client)
    frame = pd.DataFrame(rows).reindex(columns=SWEEP_COLUMNS).sort_values("scale")
    frame = frame.reset_index(drop=True)
    for count in ("gaps_closed", "villages_on_time"):  # whole numbers, blank without a plan
        frame[count] = frame[count].astype("Int64")
    for text in ("status", "error", "why"):  # blank, not NaN, where a row has none
        frame[text] = frame[text].astype(object).where(frame[text].notna(), "")
    dv, dm = frame["value"].diff(), frame["money"].diff()
    frame["marginal_value"] = (dv / dm).where(dm > 0)
    return frame


def plot_sweep(frame: pd.DataFrame, path: Path, title: str, lang=None) -> None:
    """The curve: value and villages on time per scale; a point with no plan is a red
    cross on the scale axis, labelled with the first reason of `why`; in the words of
    `lang` (a planner.words.Lang; None: English), with a CJK font."""
    import matplotlib

    matplotlib.use("Agg")
    from .outputs.charts import CJK_FONTS
    from .plan.lang import whatif_lang

    lang = lang or whatif_lang("en")
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": CJK_FONTS,
                                "axes.unicode_minus": False}):
        _plot(frame, path, title, lang)


def _plot(frame: pd.DataFrame, path: Path, title: str, lang) -> None:
    import matplotlib.pyplot as plt

    from .headers import whatif_header_zh

    head = (lambda c: whatif_header_zh("sweep", c, lang.unit)) if lang.zh else \
        {"scale": "budget scale", "value": "plan value",
         "villages_on_time": "villages on time"}.get
    ok = frame["value"].notna()
    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.plot(frame.loc[ok, "scale"], frame.loc[ok, "value"], "o-", color="tab:blue",
            label=head("value") if lang.zh else "value")
    ax.set_xlabel(head("scale"))
    ax.set_ylabel(head("value"), color="tab:blue")
    ax2 = ax.twinx()
    ax2.plot(frame.loc[ok, "scale"], frame.loc[ok, "villages_on_time"], "s--",
             color="tab:orange", label=head("villages_on_time"))
    ax2.set_ylabel(head("villages_on_time"), color="tab:orange")
    failed = frame[~ok]
    if len(failed):
        low = ax.get_ylim()[0] if ok.any() else 0.0
        ax.plot(failed["scale"], [low] * len(failed), "x", color="tab:red", markersize=10,
                markeredgewidth=2, clip_on=False, label=lang.word("sweep_no_plan"))
        for r in failed.itertuples():
            reason = (r.why or r.error or "no plan").split(";")[0].split("；")[0]
            reason = reason.split(": ")[0].split("：")[0] if not lang.zh else reason
            ax.annotate(reason[:30 if lang.zh else 60], (r.scale, low), xytext=(4, 8),
                        textcoords="offset points",
                        rotation=90, fontsize=7, color="tab:red", va="bottom")
        ax.legend(loc="best", fontsize=8)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
