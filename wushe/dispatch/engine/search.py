"""Running PyVRP searches on regions, in parallel worker processes when possible.

A job is (region tasks, region volunteers, seed, time or iteration budget). With one
region and two workers the two jobs are a portfolio (same region, different seeds; the
better plan wins); with several regions, regions run two at a time. Worker processes are
forked; where that is not allowed (e.g. inside a daemonic Celery prefork worker) the jobs
run one after another in this process with the same budgets.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from wushe.dispatch.engine import pyvrp_backend
from wushe.dispatch.engine.problem import IntArray, Problem
from wushe.dispatch.engine.solution import Routes

log = logging.getLogger(__name__)

# Seconds kept per job for model building, neighbour lists and result conversion.
JOB_OVERHEAD_S = 0.03


@dataclass
class Job:
    tasks: IntArray
    vols: IntArray
    seed: int
    time_limit_s: float
    max_iterations: int | None
    required: bool = False
    until_feasible: bool = False


def run_job(problem: Problem, initial: Routes, job: Job) -> tuple[dict[int, list[int]], bool]:
    """Improve one region; returns the new route of every volunteer in the region and
    whether PyVRP found it feasible."""
    started = time.perf_counter()
    with warnings.catch_warnings():
        # PyVRP warns when a penalty hits its bound; every result is checked anyway.
        warnings.simplefilter("ignore")
        try:
            model = pyvrp_backend.build_model(problem, job.tasks, job.vols, job.required)
        except ValueError as exc:  # e.g. a region too spread out for a dense matrix
            log.warning("region left as constructed: %s", exc)
            return {int(v): list(initial[int(v)]) for v in job.vols}, False
        routes, feasible = pyvrp_backend.improve(
            model,
            initial,
            problem.n_vols,
            job.seed,
            max(job.time_limit_s - JOB_OVERHEAD_S, 0.01),
            job.max_iterations,
            job.until_feasible,
            deadline=started + max(job.time_limit_s - JOB_OVERHEAD_S, 0.01),
        )
    return {v: routes[v] for v in model.vol_type}, feasible


def default_workers() -> int:
    """One: a seed portfolio or paired regions did not beat one search with the whole
    budget on the 2-vCPU benchmark machine (bench/README, "Parallelism"), although two
    searches at once run at nearly full speed there when nothing else does."""
    return 1


def run_jobs(
    problem: Problem, initial: Routes, jobs: list[Job], workers: int
) -> list[tuple[dict[int, list[int]], bool]]:
    """Results of ``jobs`` in order, using up to ``workers`` forked processes."""
    if workers > 1 and len(jobs) > 1 and "fork" in multiprocessing.get_all_start_methods():
        try:
            ctx = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
                futures = [pool.submit(run_job, problem, initial, job) for job in jobs]
                return [f.result() for f in futures]
        except (OSError, AssertionError) as exc:  # daemonic parent, no fork, ...
            log.warning("parallel search unavailable (%s); running sequentially", exc)
    return [run_job(problem, initial, job) for job in jobs]
