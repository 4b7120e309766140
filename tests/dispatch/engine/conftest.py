"""Shared helpers for the dispatch engine tests: the shared checker, generator and data."""

from __future__ import annotations

import gc
import importlib.util
import json
import os
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SHARED = Path(
    os.environ.get("WUSHE_SHARED", Path(__file__).resolve().parents[3] / ".." / "shared")
).resolve()


def _load(name: str) -> ModuleType:
    path = SHARED / "dispatch" / f"{name}.py"
    if not path.exists():
        pytest.skip(f"shared dispatch material not found at {path}")
    spec = importlib.util.spec_from_file_location(f"shared_dispatch_{name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def shared_check() -> ModuleType:
    return _load("check")


@pytest.fixture(scope="session")
def shared_generate() -> ModuleType:
    return _load("generate")


@pytest.fixture(scope="session")
def shared_solomon() -> ModuleType:
    return _load("from_solomon")


@pytest.fixture(scope="session")
def solomon_dir() -> Path:
    return SHARED / "benchmarks" / "vrptw"


def _every_task_once(instance: dict[str, Any], solution: dict[str, Any]) -> bool:
    routed = [t for r in solution["routes"] for t in r["tasks"]]
    ids = routed + list(solution["unassigned"])
    return sorted(ids) == sorted(t["id"] for t in instance["tasks"])


@pytest.fixture(scope="session")
def solomon_instance(shared_solomon: ModuleType, solomon_dir: Path) -> Any:
    """Factory: a Solomon / Gehring-Homberger instance converted by from_solomon.py."""
    bks = json.loads((solomon_dir / "BKS.json").read_text())

    def convert(name: str) -> dict[str, Any]:
        folder = "solomon" if len(name) <= 4 else "homberger_200"
        with warnings.catch_warnings():
            # from_solomon.py leaves its input file to the garbage collector.
            warnings.simplefilter("ignore", ResourceWarning)
            instance = shared_solomon.convert(str(solomon_dir / folder / f"{name}.txt"), bks)
            gc.collect()
        return instance

    return convert


@pytest.fixture
def every_task_once() -> Any:
    return _every_task_once


@pytest.fixture
def tiny() -> dict[str, Any]:
    """Three tasks on a line, two volunteers (one driver with an end location)."""
    return {
        "format": "wushe-dispatch/1",
        "name": "tiny",
        "locations": [[0, 0], [120, 0], [240, 0], [360, 0]],
        "travel": {"speed_mps": 1.2},
        "durations": None,
        "horizon_s": 3600,
        "volunteers": [
            {
                "id": "v1",
                "start": 0,
                "end": 0,
                "capacity": 2,
                "skills": ["driver"],
                "shift": [0, 3600],
            },
            {"id": "v2", "start": 3, "end": None, "capacity": 5, "skills": [], "shift": [0, 3600]},
        ],
        "tasks": [
            {
                "id": "t1",
                "location": 1,
                "service_s": 60,
                "load": 1,
                "skills": ["driver"],
                "priority": 100,
                "window": [0, 600],
            },
            {
                "id": "t2",
                "location": 2,
                "service_s": 60,
                "load": 1,
                "skills": [],
                "priority": 40,
                "window": None,
            },
            {
                "id": "t3",
                "location": 3,
                "service_s": 60,
                "load": 2,
                "skills": [],
                "priority": 10,
                "window": [1000, 2000],
            },
        ],
    }
