"""Solomon (100 customers) and Gehring & Homberger (200) VRPTW benchmark, limited fleet.

Usage: .venv/bin/python bench/solomon.py [--quick] [--time-limit 1] [--no-vroom]
       [--set solomon|homberger_200]

Instances are converted by shared/dispatch/from_solomon.py: the fleet is the vehicle
count of the best known solution, times and distances are scaled by 1000 and rounded per
arc. The gap divides ``travel_s`` by 1000 and compares it with the best known cost
(real-valued distances); per-arc rounding moves a cost by at most 0.0005 per arc, i.e.
< 0.01 % here. Gaps are only meaningful on instances where every task is served.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import bench.dispatch as dispatch_bench  # noqa: E402
from bench.dispatch import SHARED, checked, vroom_cached  # noqa: E402
from wushe.dispatch.engine import solve  # noqa: E402

DATA = SHARED / "benchmarks" / "vrptw"


def _converter() -> Any:
    spec = importlib.util.spec_from_file_location(
        "shared_from_solomon", SHARED / "dispatch" / "from_solomon.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_set(name: str, quick: bool) -> list[dict[str, Any]]:
    conv = _converter()
    bks = json.loads((DATA / "BKS.json").read_text())
    files = sorted((DATA / name).glob("*.txt"))
    if quick:
        files = files[::7]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        out = [conv.convert(str(f), bks) for f in files]
        gc.collect()
    return out


def run(instances: list[dict[str, Any]], solver: Any) -> dict[str, Any]:
    served = full = 0
    gaps: list[float] = []
    times: list[float] = []
    per: dict[str, tuple[int, float | None]] = {}
    for inst in instances:
        start = time.perf_counter()
        sol = solver(inst)
        if isinstance(sol, tuple):  # (solution, wall time) from the VROOM cache
            sol, elapsed = sol
        else:
            elapsed = time.perf_counter() - start
        times.append(elapsed)
        fig = checked(inst, sol)
        served += fig["assigned"]
        gap = None
        if fig["assigned"] == len(inst["tasks"]):
            full += 1
            best = inst["reference"]["best_known_cost"]
            gap = (fig["travel_s"] / inst["reference"]["scale"]) / best - 1
            gaps.append(gap)
        per[inst["name"]] = (fig["assigned"], gap)
    return {
        "tasks": sum(len(i["tasks"]) for i in instances),
        "served": served,
        "full": full,
        "instances": len(instances),
        "median_gap": statistics.median(gaps) if gaps else float("nan"),
        "max_gap": max(gaps) if gaps else float("nan"),
        "median_time": statistics.median(times),
        "per_instance": per,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="every 7th instance only")
    ap.add_argument("--time-limit", type=float, default=1.0)
    ap.add_argument("--no-vroom", action="store_true")
    ap.add_argument("--set", action="append", default=None)
    ap.add_argument("--json", default=None, help="write per-instance results here")
    ap.add_argument("--vroom-cache", default=None, help="JSON file to reuse VROOM results from")
    args = ap.parse_args(argv)
    if args.vroom_cache:
        dispatch_bench.VROOM_CACHE_PATH = Path(args.vroom_cache)
        if dispatch_bench.VROOM_CACHE_PATH.exists():
            dispatch_bench.VROOM_CACHE.update(
                json.loads(dispatch_bench.VROOM_CACHE_PATH.read_text())
            )
    sets = args.set or ["solomon", "homberger_200"]
    solvers: dict[str, Any] = {"ours": lambda inst: solve(inst, args.time_limit, seed=0)}
    if not args.no_vroom:
        solvers["vroom5"] = lambda inst: vroom_cached(inst, 5, 2)
    print(
        f"{'set':>14} {'solver':>7} {'served':>12} {'full':>7} {'med_gap%':>9} {'max_gap%':>9} {'med_time_s':>10}"
    )
    dump: dict[str, Any] = {}
    for name in sets:
        instances = load_set(name, args.quick)
        for who, fn in solvers.items():
            res = run(instances, fn)
            dump[f"{name}/{who}"] = res["per_instance"]
            print(
                f"{name:>14} {who:>7} {res['served']:>6}/{res['tasks']:<5} "
                f"{res['full']:>3}/{res['instances']:<3} {100 * res['median_gap']:>9.2f} "
                f"{100 * res['max_gap']:>9.2f} {res['median_time']:>10.2f}",
                flush=True,
            )
        per = {who: dump[f"{name}/{who}"] for who in solvers}
        if len(per) == 2:
            ours, peer = per["ours"], per["vroom5"]
            common = [n for n in ours if ours[n][1] is not None and peer[n][1] is not None]
            if common:
                ours_gaps = [ours[n][1] for n in common]
                peer_gaps = [peer[n][1] for n in common]
                print(
                    f"{name:>14} on the {len(common)} instances both serve fully: median gap "
                    f"ours {100 * statistics.median(ours_gaps):.2f} %, "
                    f"vroom5 {100 * statistics.median(peer_gaps):.2f} %; "
                    f"ours better on {sum(a < b - 1e-9 for a, b in zip(ours_gaps, peer_gaps, strict=True))}",
                    flush=True,
                )
    if args.json:
        Path(args.json).write_text(json.dumps(dump, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
