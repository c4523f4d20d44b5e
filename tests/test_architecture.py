"""The layering rule of DESIGN.md: model/, edits/ and io/ import no Qt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_core_imports_no_qt() -> None:
    """Importing every core module loads neither PySide6 nor pyqtgraph."""
    core = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for layer in ("model", "edits", "io")
        for p in (ROOT / "viewer" / layer).glob("*.py")
    )
    code = (
        "import importlib, sys\n"
        f"for name in {core!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
    assert len(core) >= 5


def test_cli_commands_import_no_qt() -> None:
    """`dicom-viewer info` runs without loading Qt (fast start-up for scripts)."""
    code = (
        "import sys\n"
        "from viewer.cli import main\n"
        "main(['codecs'])\n"
        "print('QT' if any(m.startswith('PySide6') for m in sys.modules) else 'NOQT', file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stderr.strip().endswith("NOQT"), result.stderr


def test_no_module_over_400_lines() -> None:
    """Small modules with one job: DESIGN.md's limit, kept by a test."""
    long = {
        str(p.relative_to(ROOT)): n
        for p in (ROOT / "viewer").rglob("*.py")
        if (n := len(p.read_text().splitlines())) > 400
    }
    assert long == {}


def test_model_never_imports_edits() -> None:
    """The layers contract, function-local and TYPE_CHECKING imports included (import-linter
    checks the same in `make lint`; this keeps it in the fast suite)."""
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "viewer" / "model").rglob("*.py")
        for line in p.read_text().splitlines()
        if line.strip().startswith(("from viewer.edits", "import viewer.edits", "from viewer.io", "from viewer.ui"))
    ]
    assert offenders == []
