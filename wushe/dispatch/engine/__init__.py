"""Dispatch engine: assigns waiting tasks to volunteers on shift (pure library, no Django).

Instances and solutions follow the ``wushe-dispatch/1`` JSON format (see
``shared/dispatch/FORMAT.md``). Entry points:

- :func:`solve` -- batch dispatch with a time limit (anytime, seeded);
- :func:`score` -- the three objective figures of a solution, or :class:`SolutionError`;
- :func:`insert_task` / :func:`redispatch_task` -- online changes to a plan, and
  :class:`DispatchPlan` to keep the precomputed state between several of them;
- :func:`validate_instance` -- parse an instance or raise :class:`InstanceError`.
"""

from wushe.dispatch.engine.errors import InstanceError, SolutionError
from wushe.dispatch.engine.online import DispatchPlan, insert_task, redispatch_task
from wushe.dispatch.engine.problem import Problem, validate_instance
from wushe.dispatch.engine.scoring import score
from wushe.dispatch.engine.solver import solve

__all__ = [
    "DispatchPlan",
    "InstanceError",
    "Problem",
    "SolutionError",
    "insert_task",
    "redispatch_task",
    "score",
    "solve",
    "validate_instance",
]
