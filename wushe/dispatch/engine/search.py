"""Running PyVRP searches on regions, in parallel worker processes when possible.

A job is (region tasks, region volunteers, seed, time or iteration budget). With several
regions and two workers, regions run two at a time (:func:`run_jobs`). The cooperative
main search (``solver._cooperative``) runs two jobs per epoch with :func:`run_pair`: one
in this process, one in a forked child that is always reaped before the call returns
(killed once it overruns its deadline by ``CHILD_GRACE_S``, or when this process is
interrupted; on Linux it also dies with its parent). Worker processes are forked; where
that is not allowed (a daemonic process: a Celery prefork worker, where billiard marks
the pool's processes daemonic, see :func:`fork_available`) the search stays in this process.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

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
    # Full local-search passes (on new bests, every REFRESH_EVERY iterations); None: by
    # the job's own size (pyvrp_backend.EXHAUSTIVE_MAX_TASKS).
    exhaustive: bool | None = None


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
            exhaustive=job.exhaustive,
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


# Seconds a child may overrun its job's deadline before it is killed (model building and
# result conversion are outside PyVRP's clock; a child that overruns loses its half).
CHILD_GRACE_S = 0.25


def _set_parent_death_signal() -> None:
    """Linux: the child gets SIGKILL when its parent dies (even by SIGKILL), so an
    interrupted solve leaves no search behind. Elsewhere the child's own deadline or
    iteration budget still ends it."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def _child_main(conn: Any, problem: Problem, initial: Routes, job: Job) -> None:
    _set_parent_death_signal()
    try:
        conn.send(run_job(problem, initial, job))
    finally:
        conn.close()


def fork_available() -> bool:
    """Whether this process may fork a search child: not inside a daemonic process
    (a Celery prefork worker: multiprocessing refuses children there), and where the
    fork start method exists."""
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and not multiprocessing.current_process().daemon
    )


def run_pair(
    problem: Problem, initial: Routes, jobs: tuple[Job, Job], deadline: float | None
) -> list[tuple[dict[int, list[int]], bool] | None]:
    """Run ``jobs[1]`` in a forked child and ``jobs[0]`` here, at the same time; a job
    whose process fails or overruns ``deadline`` (perf_counter seconds) by more than
    ``CHILD_GRACE_S`` gives ``None``. The child is always reaped (killed if need be)
    before this returns or raises, so an interrupted solve leaves nothing running."""
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child_main, args=(send, problem, initial, jobs[1]), daemon=True)
    try:
        proc.start()
    except (OSError, AssertionError) as exc:  # daemonic parent, no fork, out of memory
        log.warning("cooperative search child unavailable (%s); running sequentially", exc)
        recv.close()
        send.close()
        return [run_job(problem, initial, job) for job in jobs]
    send.close()
    try:
        mine: tuple[dict[int, list[int]], bool] | None = run_job(problem, initial, jobs[0])
        theirs: tuple[dict[int, list[int]], bool] | None = None
        wait = (
            None if deadline is None else max(deadline - time.perf_counter(), 0.0) + CHILD_GRACE_S
        )
        try:
            if recv.poll(wait):
                theirs = recv.recv()
            else:
                log.warning("cooperative search child overran its deadline; half kept")
        except (EOFError, OSError) as exc:
            log.warning("cooperative search child failed (%s); half kept", exc)
        return [mine, theirs]
    finally:
        recv.close()
        proc.join(0.2)
        if proc.is_alive():
            proc.kill()
            proc.join()
        proc.close()
