"""A robust first year against the plan on expected money: python benchmarks/robust.py
[--samples N] [--evaluate M] [--time-limit S] [--method auto|extensive|hedging]

`planner robust` on the demo county (scenarios/demo-county) with a stated
uncertainty: the special bonds of 2019 and of 2020 each cut by 20 % with probability
0.3 (independently), roads 0-30 % dearer (one draw per sample for every road started
after 2018); --cut-p, --cut-share and --overrun change those figures.  The first year
is decided on N samples and measured on M fresh samples (another seed stream): in
each, the later years are re-planned from the robust first year and from the first
year of the plan made on expected money (planner replan's machinery), and the sample
is solved knowing its money (wait-and-see).  Prints the table of benchmarks/README.md:
both averages, their paired difference (VSS) and the EVPI with 95 % t-intervals,
in-sample figures beside them.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UNCERTAINTY = """uncertainty:
  seed: 2019
  money:
  - {{stream: special_bonds, year: 2019, cut: {{p: {p}, share: {share}}}}}
  - {{stream: special_bonds, year: 2020, cut: {{p: {p}, share: {share}}}}}
  costs:
  - {{target: road, overrun: [0, {overrun}]}}
"""


def ci(d: dict) -> str:
    return "n/a" if d.get("ci") is None else f"{d['ci'][0]:+.2f} .. {d['ci'][1]:+.2f}"


def main() -> None:
    from planner.robust import robust

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=10)
    ap.add_argument("--evaluate", type=int, default=20)
    ap.add_argument("--time-limit", type=float, default=1200.0)
    ap.add_argument("--method", default="auto")
    ap.add_argument("--out", type=Path, default=None, help="keep the outputs here")
    ap.add_argument("--cut-p", type=float, default=0.3, help="probability of each cut")
    ap.add_argument("--cut-share", type=float, default=0.2, help="share of a cut")
    ap.add_argument("--overrun", type=float, default=0.3, help="roads' largest overrun")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        variant = Path(tmp) / "demo-uncertain"
        variant.mkdir()
        (variant / "scenario.yaml").write_text(
            f"base: {ROOT / 'scenarios' / 'demo-county'}\n" + UNCERTAINTY.format(
                p=args.cut_p, share=args.cut_share, overrun=args.overrun), encoding="utf-8")
        out = args.out or Path(tmp) / "robust"
        t0 = time.perf_counter()
        run = robust(variant, out, samples=args.samples, evaluate=args.evaluate,
                     method=args.method, time_limit=args.time_limit)
        wall = time.perf_counter() - t0
    s = run.summary
    f, v, e, x = s["first_year"], s["vss"], s["evpi"], s["expected_value"]
    print(f"demo-county, special bonds 2019 and 2020 each cut by {args.cut_share:.0%} with "
          f"p {args.cut_p:g}, roads +0-{args.overrun:.0%}")
    print(f"{s['samples']} samples ({s['method']}"
          + (f", {s['decision'].get('iterations')} iterations, converged "
             f"{s['decision'].get('converged')}" if s["method"] == "hedging" else "")
          + f"), {s['fresh_samples']} fresh, {wall:.0f} s of {args.time_limit:g} s")
    print(f"first year 2018: robust {f['works']} works ({f['cost']:.1f} 万元), "
          f"{f['on_expected_money']} shared with the plan on expected money, "
          f"{len(f['only_robust'])} only robust, {len(f['only_expected_money'])} only "
          "expected-money")
    print("")
    print("| measured on | robust first year | expected-money first year | VSS (95 % CI) |"
          " wait-and-see | EVPI (95 % CI) |")
    print("|---|---|---|---|---|---|")
    print(f"| {s['fresh_samples']} fresh samples | {v['robust']:.2f} | "
          f"{v['deterministic']:.2f} | {v['value']:+.2f} ({ci(v)}) | "
          f"{e['wait_and_see']:.2f} | {e['value']:+.2f} ({ci(e)}) |")
    rows_in = run.solved
    mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
    rob_in = [r.robust.value for r in rows_in]
    det_in = [r.deterministic.value for r in rows_in if r.deterministic.value is not None]
    print(f"| {s['samples']} samples solved on | {mean(rob_in):.2f} | {mean(det_in):.2f} | "
          f"{v['in_sample']['value']:+.2f} | | "
          + (f"{e['in_sample']['value']:+.2f} |" if e["in_sample"]["value"] is not None
             else "n/a |"))
    sp = x["spread"]
    print("")
    print(f"robust value on the fresh samples: sd {sp['sd']:.2f}, {sp['min']:.2f} .. "
          f"{sp['max']:.2f}, CVaR 0.9 {sp['cvar']:.2f}; no plan: {s['no_plan']}; proven "
          f"optimal: {s['proven']}")


if __name__ == "__main__":
    main()
