"""Scenario files: a list of changes, grouped in rounds (one round between two crawls).

TOML (or JSON with the same shape):

    name = "demo"
    [[step]]
    round = 1                      # optional, default 1
    action = "publish"             # any name in mirror.changes.CHANGES
    symbol = "A/C.1/80/L.41"       # the change's keyword arguments
    text = ["First paragraph.", "Second paragraph."]
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

SCENARIO_DIR = Path(__file__).parent / "scenarios"


def load_steps(source: str | Path) -> list[dict[str, Any]]:
    path = Path(source)
    if not path.exists() and (SCENARIO_DIR / path).exists():
        path = SCENARIO_DIR / path  # bare names find the bundled scenarios
    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
    else:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    steps = data.get("step") or data.get("steps") or []
    for i, step in enumerate(steps):
        if "action" not in step:
            raise ValueError(f"{path}: step {i + 1} has no action")
    return steps


def rounds(source: str | Path) -> list[int]:
    return sorted({int(s.get("round", 1)) for s in load_steps(source)})
