"""Edit recipes: the operations of a session as JSON, replayed by `edit --recipe`."""

from __future__ import annotations

import json
from pathlib import Path

from viewer.edits.operations import Operation, operation_from_json
from viewer.model.errors import ViewerError

RECIPE_VERSION = 1


def load_recipe(path: str | Path) -> list[Operation]:
    """Operations from a recipe file: {"version": 1, "operations": [...]} or a plain list."""
    try:
        data = json.loads(Path(path).read_text())
    except OSError as exc:
        raise ViewerError(f"cannot read recipe '{path}': {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise ViewerError(f"recipe '{path}' is not valid JSON: {exc.msg} at line {exc.lineno}") from None
    steps = data.get("operations") if isinstance(data, dict) else data
    if not isinstance(steps, list):
        raise ViewerError(f"recipe '{path}' has no list of operations")
    return [operation_from_json(step) for step in steps]


def recipe_json(operations: list[Operation]) -> str:
    """The recipe file text for `operations` (what Edit > Export recipe writes)."""
    return json.dumps({"version": RECIPE_VERSION, "operations": [op.to_json() for op in operations]}, indent=2)
