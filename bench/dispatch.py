"""Benchmark of the dispatch engine against VROOM (pyvroom) and a greedy baseline.

Usage: .venv/bin/python bench/dispatch.py [--quick] [--sizes 500x40,2000x100] [--seeds 1,2]
       [--no-solomon]

Instances come from shared/dispatch/generate.py; every solution is scored with the
shared checker (shared/dispatch/check.py). See bench/README.md ("Dispatch").
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("WUSHE_SHARED", REPO / ".." / "shared")).resolve()
sys.path.insert(0, str(REPO))

from wushe.dispatch.engine import solve, validate_instance  # noqa: E402
from wushe.dispatch.engine.construct import nearest_volunteer_greedy  # noqa: E402
from wushe.dispatch.engine.online import DispatchPlan  # noqa: E402
from wushe.dispatch.engine.solution import to_document  # noqa: E402


def load_shared(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"shared_{name}", SHARED / "dispatch" / f"{name}.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CHECK = load_shared("check")
GENERATE = load_shared("generate")


def checked(instance: dict[str, Any], solution: dict[str, Any]) -> dict[str, int]:
    """Figures from the shared checker (raises ValueError when infeasible)."""
    return CHECK.score(instance, solution)


# -- peers -------------------------------------------------------------------------------
VROOM_CACHE: dict[str, Any] = {}
VROOM_CACHE_PATH: Path | None = None


def vroom_cached(
    instance: dict[str, Any], exploration: int = 0, threads: int = 2
) -> tuple[dict[str, Any], float]:
    """VROOM's solution and wall time, reused from ``--vroom-cache`` when present
    (VROOM's answer does not depend on our engine; reruns then take minutes, not an hour)."""
    key = f"{instance['name']}|{len(instance['tasks'])}|{exploration}|{threads}"
    if key not in VROOM_CACHE:
        sol, el = timed(vroom_solve, instance, exploration, threads)
        VROOM_CACHE[key] = [sol, el]
        if VROOM_CACHE_PATH is not None:
            VROOM_CACHE_PATH.write_text(json.dumps(VROOM_CACHE))
    sol, el = VROOM_CACHE[key]
    return sol, el


def vroom_solve(instance: dict[str, Any], exploration: int = 0, threads: int = 2) -> dict[str, Any]:
    """Solve with VROOM on the instance's own travel matrix; returns a solution document."""
    import numpy as np
    import vroom

    problem = validate_instance(instance)
    used = sorted(
        {int(x) for x in problem.task_loc}
        | {int(x) for x in problem.vol_start}
        | {int(x) for x in problem.vol_end if x >= 0}
    )
    col = {loc: i for i, loc in enumerate(used)}
    matrix = problem.travel_matrix(np.asarray(used)).astype(np.uint32)
    skill_no = {s: i for i, s in enumerate(problem.skills)}
    inp = vroom.Input()
    inp.set_durations_matrix("car", matrix)
    for v, vid in enumerate(problem.vol_ids):
        end = int(problem.vol_end[v])
        inp.add_vehicle(
            vroom.Vehicle(
                id=v,
                start=col[int(problem.vol_start[v])],
                end=col[end] if end >= 0 else None,
                capacity=[int(problem.vol_capacity[v])],
                skills={
                    skill_no[s]
                    for s, has in zip(problem.skills, problem.vol_has[v], strict=True)
                    if has
                },
                time_window=vroom.TimeWindow(
                    int(problem.vol_shift0[v]), int(problem.vol_shift1[v])
                ),
                description=vid,
            )
        )
    for t, _tid in enumerate(problem.task_ids):
        w0, w1 = problem.task_w0[t], problem.task_w1[t]
        kwargs: dict[str, Any] = {}
        if np.isfinite(w0):
            kwargs["time_windows"] = [vroom.TimeWindow(int(w0), int(w1))]
        inp.add_job(
            vroom.Job(
                id=t,
                location=col[int(problem.task_loc[t])],
                default_service=int(problem.task_service[t]),
                delivery=[int(problem.task_load[t])],
                skills={
                    skill_no[s]
                    for s, need in zip(problem.skills, problem.task_needs[t], strict=True)
                    if need
                },
                priority=int(problem.task_priority[t]),
                **kwargs,
            )
        )
    sol = inp.solve(exploration_level=exploration, nb_threads=threads)
    df = sol.routes
    routes: list[list[int]] = [[] for _ in range(problem.n_vols)]
    jobs = df[df["type"] == "job"]
    for vid, tid in zip(jobs["vehicle_id"], jobs["id"], strict=True):
        routes[int(vid)].append(int(tid))
    return to_document(problem, routes)


def greedy_solve(instance: dict[str, Any]) -> dict[str, Any]:
    problem = validate_instance(instance)
    return to_document(problem, nearest_volunteer_greedy(problem))


# -- runs --------------------------------------------------------------------------------
def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[dict[str, Any], float]:
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def run_in_child(n_tasks: int, n_vols: int, seed: int, time_limit: float) -> dict[str, Any]:
    """Solve in a fresh process so that its peak RSS is the engine's alone."""
    code = (
        "import json,resource,sys,time;"
        f"sys.path.insert(0,{str(REPO)!r});"
        "from bench.dispatch import GENERATE, checked;"
        "from wushe.dispatch.engine import solve;"
        f"inst=GENERATE.generate({n_tasks},{n_vols},{seed});"
        "t=time.perf_counter();"
        f"sol=solve(inst,{time_limit},seed=0);"
        "el=time.perf_counter()-t;"
        "fig=checked(inst,sol);"
        "fig['time_s']=el;"
        "fig['maxrss_mib']=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024;"
        "print(json.dumps(fig))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def insertion_median(
    instance: dict[str, Any], solution: dict[str, Any], n: int = 60
) -> dict[str, float]:
    """Median ms of DispatchPlan.add_task / redispatch and of the stateless functions."""
    from wushe.dispatch.engine import insert_task, redispatch_task

    plan = DispatchPlan(instance, solution)
    tasks = instance["tasks"]
    add_ms, red_ms, fn_ms = [], [], []
    for i in range(n):
        base = tasks[(i * 7919) % len(tasks)]
        new = {**base, "id": f"online-{i}"}
        start = time.perf_counter()
        plan.add_task(new)
        add_ms.append((time.perf_counter() - start) * 1000)
    routed = [(r["volunteer"], r["tasks"][0]) for r in solution["routes"] if r["tasks"]]
    for i in range(min(n, len(routed))):
        vid, tid = routed[i]
        start = time.perf_counter()
        plan.redispatch(tid, vid)
        red_ms.append((time.perf_counter() - start) * 1000)
    for i in range(min(15, len(routed))):
        vid, tid = routed[i]
        start = time.perf_counter()
        redispatch_task(instance, solution, tid, vid)
        fn_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        insert_task(instance, solution, {**tasks[i], "id": f"fn-{i}"})
        fn_ms.append((time.perf_counter() - start) * 1000)
    return {
        "plan_insert_ms": statistics.median(add_ms),
        "plan_redispatch_ms": statistics.median(red_ms),
        "stateless_call_ms": statistics.median(fn_ms),
    }


def fmt_row(cols: list[Any], widths: list[int]) -> str:
    return "  ".join(str(c).rjust(w) for c, w in zip(cols, widths, strict=True))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one seed, sizes up to 2,000 tasks")
    ap.add_argument("--sizes", default=None, help="e.g. 500x40,2000x100")
    ap.add_argument("--seeds", default=None, help="e.g. 1,2,3")
    ap.add_argument("--no-solomon", action="store_true")
    ap.add_argument("--vroom-cache", default=None, help="JSON file to reuse VROOM results from")
    args = ap.parse_args(argv)
    global VROOM_CACHE_PATH
    if args.vroom_cache:
        VROOM_CACHE_PATH = Path(args.vroom_cache)
        if VROOM_CACHE_PATH.exists():
            VROOM_CACHE.update(json.loads(VROOM_CACHE_PATH.read_text()))
    limits = {500: 2.0, 2000: 4.5, 5000: 9.0, 20000: 55.0}
    if args.sizes:
        sizes = [tuple(int(x) for x in s.split("x")) for s in args.sizes.split(",")]
    elif args.quick:
        sizes = [(500, 40), (2000, 100)]
    else:
        sizes = [(500, 40), (2000, 100), (5000, 250), (20000, 1000)]
    # VROOM needs minutes per 5,000-task instance on this machine: fewer seeds there.
    default_seeds = {500: [1, 2, 3], 2000: [1, 2, 3], 5000: [1], 20000: [1]}

    widths = [12, 5, 8, 9, 8, 9, 7, 7, 7]
    print(
        fmt_row(
            [
                "instance",
                "solver",
                "time_s",
                "priority",
                "assigned",
                "travel_s",
                "prio/V",
                "asg/V",
                "trav/V",
            ],
            widths,
        )
    )
    for n_tasks, n_vols in sizes:
        limit = limits.get(n_tasks, max(2.0, n_tasks / 400))
        if args.seeds:
            seeds = [int(s) for s in args.seeds.split(",")]
        else:
            seeds = [1] if args.quick else default_seeds.get(n_tasks, [1])
        for seed in seeds:
            name = f"{n_tasks}x{n_vols}s{seed}"
            inst = GENERATE.generate(n_tasks, n_vols, seed)
            results: dict[str, tuple[dict[str, int], float]] = {}
            if n_tasks <= 5000:
                sol, el = vroom_cached(inst, 0, 2)
                results["vroom"] = (checked(inst, sol), el)
            if n_tasks >= 20000:
                fig = run_in_child(n_tasks, n_vols, seed, limit)
                results["ours"] = (fig, fig["time_s"])
                print(f"# {name}: peak RSS of the solving process {fig['maxrss_mib']:.0f} MiB")
            else:
                sol, el = timed(solve, inst, limit, 0)
                results["ours"] = (checked(inst, sol), el)
                if n_tasks == 2000 and seed == seeds[0]:
                    ins = insertion_median(inst, sol)
                    print(
                        f"# {name}: online insertion medians (ms): {json.dumps({k: round(v, 2) for k, v in ins.items()})}"
                    )
            sol, el = timed(greedy_solve, inst)
            results["greedy"] = (checked(inst, sol), el)
            ref = results.get("vroom")
            for who, (fig, el) in results.items():
                ratios = ["-", "-", "-"]
                if ref:
                    r = ref[0]
                    ratios = [
                        f"{fig['priority'] / max(r['priority'], 1):.3f}",
                        f"{fig['assigned'] / max(r['assigned'], 1):.3f}",
                        f"{fig['travel_s'] / max(r['travel_s'], 1):.3f}",
                    ]
                print(
                    fmt_row(
                        [
                            name,
                            who[:5],
                            f"{el:.2f}",
                            fig["priority"],
                            fig["assigned"],
                            fig["travel_s"],
                            *ratios,
                        ],
                        widths,
                    )
                )
            if not ref:
                print(f"# {name}: VROOM skipped above 5,000 tasks")
            sys.stdout.flush()
    print(
        f"# bench process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )
    if not args.no_solomon:
        from bench.solomon import main as solomon_main

        solomon_main(
            (["--quick"] if args.quick else [])
            + (["--vroom-cache", args.vroom_cache] if args.vroom_cache else [])
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
