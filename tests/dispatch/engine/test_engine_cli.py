"""CLI logic: wushe dispatch solve|check."""

from __future__ import annotations

import io
import json
from pathlib import Path
from types import ModuleType
from typing import Any

from wushe.dispatch.engine.cli import main


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out, err)
    return code, out.getvalue(), err.getvalue()


def test_solve_then_check(tmp_path: Path, shared_check: ModuleType, tiny: dict[str, Any]) -> None:
    inst = tmp_path / "inst.json"
    inst.write_text(json.dumps(tiny))
    sol = tmp_path / "sol.json"
    code, out, err = _run(
        ["solve", str(inst), "--time-limit", "0.5", "--seed", "2", "-o", str(sol)]
    )
    assert (code, out, err) == (0, "", "")
    solution = json.loads(sol.read_text())
    expected = shared_check.score(tiny, solution)
    code, out, err = _run(["check", str(inst), str(sol)])
    assert code == 0
    assert json.loads(out) == expected


def test_solve_to_stdout(tmp_path: Path, tiny: dict[str, Any]) -> None:
    inst = tmp_path / "inst.json"
    inst.write_text(json.dumps(tiny))
    code, out, _ = _run(["solve", str(inst), "--time-limit", "0.3", "--iterations", "50"])
    assert code == 0
    assert json.loads(out)["format"] == "wushe-dispatch-solution/1"


def test_check_reports_first_violation(tmp_path: Path, tiny: dict[str, Any]) -> None:
    inst = tmp_path / "inst.json"
    inst.write_text(json.dumps(tiny))
    sol = tmp_path / "sol.json"
    sol.write_text(
        json.dumps({"routes": [{"volunteer": "v2", "tasks": ["t1"]}], "unassigned": ["t2", "t3"]})
    )
    code, out, _ = _run(["check", str(inst), str(sol)])
    assert code == 1
    assert out == "infeasible: volunteer v2 lacks ['driver'] for t1\n"


def test_bad_inputs_exit_2_with_one_line(tmp_path: Path, tiny: dict[str, Any]) -> None:
    missing = tmp_path / "missing.json"
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    invalid = tmp_path / "invalid.json"
    tiny["tasks"][1]["location"] = 900
    invalid.write_text(json.dumps(tiny))
    cases = [
        (["solve", str(missing)], "instance file not found"),
        (["solve", str(broken)], "is not valid JSON (line 1, column 2"),
        (["solve", str(invalid)], "invalid instance: tasks[1].location: index 900 out of range"),
        (["check", str(invalid), str(missing)], "solution file not found"),
        (["solve", str(invalid), "--time-limit", "0"], "--time-limit must be a positive number"),
        (["solve", str(invalid), "--time-limit", "nan"], "--time-limit must be a positive number"),
        (["solve", str(invalid), "--time-limit", "inf"], "--time-limit must be a positive number"),
        (["solve", str(invalid), "--iterations", "0"], "--iterations must be positive"),
        (["solve"], "the following arguments are required"),
        (["launch"], "invalid choice"),
    ]
    for argv, message in cases:
        code, out, err = _run(argv)
        assert code == 2, argv
        assert out == ""
        assert message in err, (argv, err)
        assert err.count("\n") == 1
