"""Exceptions raised by the dispatch engine."""


class InstanceError(ValueError):
    """The instance document does not follow the wushe-dispatch/1 format.

    The message names the offending field, e.g.
    ``tasks[12].location: index 900 out of range (900 locations)``.
    """


class SolutionError(ValueError):
    """A solution breaks a hard rule (or references unknown ids).

    The message is the first violated rule, worded like ``shared/dispatch/check.py``.
    """
