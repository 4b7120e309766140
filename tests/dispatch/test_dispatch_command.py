"""``wushe dispatch solve|check`` through the project's console script."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[3] / "shared" / "dispatch"


def wushe(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "wushe", "dispatch", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_solve_then_check_a_generated_instance(tmp_path):
    instance = tmp_path / "instance.json"
    small = {
        "format": "wushe-dispatch/1",
        "name": "tiny",
        "locations": [[0, 0], [100, 0], [0, 100], [100, 100]],
        "travel": {"speed_mps": 1.2},
        "durations": None,
        "horizon_s": 3600,
        "volunteers": [
            {"id": "v1", "start": 0, "end": None, "capacity": 5, "skills": [], "shift": [0, 3600]}
        ],
        "tasks": [
            {
                "id": f"t{i}",
                "location": i,
                "service_s": 60,
                "load": 1,
                "skills": [],
                "priority": 10 * i,
                "window": [0, 3600],
            }
            for i in (1, 2, 3)
        ],
    }
    instance.write_text(json.dumps(small), encoding="utf-8")
    solution = tmp_path / "solution.json"
    solved = wushe("solve", str(instance), "--time-limit", "1", "--seed", "3", "-o", str(solution))
    assert solved.returncode == 0, solved.stderr
    routes = json.loads(solution.read_text(encoding="utf-8"))["routes"]
    assert sorted(t for r in routes for t in r["tasks"]) == ["t1", "t2", "t3"]
    checked = wushe("check", str(instance), str(solution))
    assert checked.returncode == 0, checked.stderr
    figures = json.loads(checked.stdout)
    assert figures == json.loads(shared_check(instance, solution))  # the shared scorer agrees
    assert 60 in figures.values()  # priority served: 10 + 20 + 30


def shared_check(instance: Path, solution: Path) -> str:
    result = subprocess.run(
        [sys.executable, str(SHARED / "check.py"), str(instance), str(solution)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def test_missing_file_is_a_one_line_error(tmp_path):
    result = wushe("solve", str(tmp_path / "nope.json"))
    assert result.returncode == 2
    assert "not found" in result.stderr and "Traceback" not in result.stderr
