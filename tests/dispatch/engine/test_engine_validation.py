"""Instance validation: clear InstanceError messages naming the offending field."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from wushe.dispatch.engine import InstanceError, validate_instance


def _broken(tiny: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(tiny)
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


def test_valid_instance_parses(tiny: dict[str, Any]) -> None:
    problem = validate_instance(tiny)
    assert problem.n_tasks == 3
    assert problem.n_vols == 2
    assert problem.skills == ["driver"]
    assert problem.travel(0, 1) == 100  # ceil(120 / 1.2)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["tasks", 2, "location"], 900, "tasks[2].location: index 900 out of range (4 locations)"),
        (["tasks", 0, "location"], "a", "tasks[0].location: expected a location index"),
        (["volunteers", 1, "start"], -1, "volunteers[1].start: index -1 out of range"),
        (["volunteers", 0, "end"], 4, "volunteers[0].end: index 4 out of range (4 locations)"),
        (["tasks", 1, "priority"], 101, "tasks[1].priority: expected an integer 0..100"),
        (["tasks", 1, "window"], [50, 10], "tasks[1].window: end 10 is before start 50"),
        (["tasks", 1, "load"], -1, "tasks[1].load: must be >= 0"),
        (["tasks", 1, "id"], "t1", "tasks[1].id: duplicate id 't1'"),
        (["volunteers", 0, "shift"], [0], "volunteers[0].shift: expected [start, end]"),
        (["volunteers", 0, "skills"], "driver", "volunteers[0].skills: expected a list"),
        (["locations", 1], [1, None], "locations[1][1]: expected a finite number"),
        (["travel", "speed_mps"], 0, "travel.speed_mps: must be positive"),
        (["format"], "other/2", "format: expected 'wushe-dispatch/1'"),
        (["tasks"], KeyError, "tasks: expected a list"),
        (["durations"], [[0, 1], [1, 0]], "durations: has 2 rows, expected 4"),
    ],
)
def test_invalid_instances_name_the_field(
    tiny: dict[str, Any], path: list[Any], value: Any, message: str
) -> None:
    with pytest.raises(InstanceError) as info:
        validate_instance(_broken(tiny, path, value))
    assert message in str(info.value)


def test_durations_entries_are_checked(tiny: dict[str, Any]) -> None:
    tiny["durations"] = [[0, 1, 2, 3] for _ in range(4)]
    tiny["durations"][2][1] = -5
    with pytest.raises(InstanceError, match=r"durations\[2\]\[1\]: expected a whole number"):
        validate_instance(tiny)
    tiny["durations"][2][1] = 1e19  # would wrap round to a negative 64-bit integer
    with pytest.raises(InstanceError, match=r"durations\[2\]\[1\]: .* from 0 to 1e\+09"):
        validate_instance(tiny)


# Values the search's 64-bit integer arithmetic could not hold are refused by name, not
# left to overflow (or never stop) inside it.
@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["volunteers", 0, "capacity"], 10**400, "volunteers[0].capacity: too large"),
        (["volunteers", 0, "capacity"], 2e9, "volunteers[0].capacity: must be <= 1e+09"),
        (["tasks", 0, "load"], 1e300, "tasks[0].load: must be <= 1e+09"),
        (["tasks", 0, "service_s"], 1e18, "tasks[0].service_s: must be <= 1e+09"),
        (["tasks", 1, "window"], [1e19, 2e19], "tasks[1].window[0]: must be between -1e+09"),
        (["volunteers", 0, "shift"], [-1e18, 1e18], "volunteers[0].shift[0]: must be between"),
        (["horizon_s"], 1e20, "horizon_s: must be <= 1e+09"),
        (["locations", 1], [1e300, 0], "locations, travel.speed_mps: the farthest locations"),
        (["travel", "speed_mps"], 1e-300, "locations, travel.speed_mps: the farthest locations"),
    ],
)
def test_values_beyond_the_engines_range_name_the_field(
    tiny: dict[str, Any], path: list[Any], value: Any, message: str
) -> None:
    with pytest.raises(InstanceError) as info:
        validate_instance(_broken(tiny, path, value))
    assert message in str(info.value)
    assert len(str(info.value)) < 200  # a 400-digit number is not echoed whole


def test_instance_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="instance: expected an object"):
        validate_instance([])
