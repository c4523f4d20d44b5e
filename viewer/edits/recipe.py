"""Edit recipes: the operations of a session as JSON, replayed by `edit --recipe`."""

from __future__ import annotations

import json
from pathlib import Path

from viewer.edits.operations import Operation, operation_from_json
from viewer.model.errors import InvalidOperationError, ViewerError

RECIPE_VERSION = 1


MAX_RECIPE_BYTES = 64 * 2**20


def load_recipe(path: str | Path) -> list[Operation]:
    """Operations from a recipe file: {"version": 1, "operations": [...]} or a plain list.

    Every field of every step is validated here (see :class:`Operation`); a message
    names the step (1-based) and the field.
    """
    try:
        with open(path, "rb") as f:
            text = f.read(MAX_RECIPE_BYTES + 1)
        if len(text) > MAX_RECIPE_BYTES:
            raise ViewerError(f"recipe '{path}' is larger than {MAX_RECIPE_BYTES // 2**20} MiB")
        data = json.loads(text)
    except OSError as exc:
        raise ViewerError(f"cannot read recipe '{path}': {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise ViewerError(f"recipe '{path}' is not valid JSON: {exc.msg} at line {exc.lineno}") from None
    except (RecursionError, UnicodeDecodeError):
        raise ViewerError(f"recipe '{path}' is not a recipe (nested too deeply or not text)") from None
    steps = data.get("operations") if isinstance(data, dict) else data
    if not isinstance(steps, list):
        raise ViewerError(f"recipe '{path}' has no list of operations")
    operations = []
    for number, step in enumerate(steps, 1):
        try:
            operations.append(operation_from_json(step))
        except ViewerError as exc:
            raise InvalidOperationError(f"recipe '{path}', step {number}: {exc}") from None
    return operations


def recipe_json(operations: list[Operation]) -> str:
    """The recipe file text for `operations` (what Edit > Export recipe writes)."""
    return json.dumps({"version": RECIPE_VERSION, "operations": [op.to_json() for op in operations]}, indent=2)
