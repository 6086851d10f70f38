"""Where the test data lives.

The public worked examples (``../shared/spec/examples``) are copied into
``tests/examples/`` so that a fresh clone replays the same cases with nothing
beside it; ``tests/test_example_copies.py`` fails when the copies drift from the
shared folder (when that folder is present, ``../shared`` or ``SHARED_DIR``).
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "tests" / "examples"
OWN_CASES = ROOT / "tests" / "cases"


def shared_examples() -> Path | None:
    """The shared examples folder when it is there, else None."""
    if os.environ.get("SHARED_DIR"):
        candidate = Path(os.environ["SHARED_DIR"]) / "spec" / "examples"
        return candidate if candidate.is_dir() else None
    for parent in ROOT.parents:
        candidate = parent / "shared" / "spec" / "examples"
        if candidate.is_dir():
            return candidate
    return None


def case_names(directory: Path) -> list[str]:
    """The cases of ``directory``; a missing or empty folder is an error, never an empty
    parametrisation (a replay that silently replays nothing proves nothing)."""
    if not directory.is_dir():
        raise FileNotFoundError(f"worked examples folder {directory} is missing")
    names = sorted(p.name.removesuffix(".expected.json") for p in directory.glob("*.expected.json"))
    if not names:
        raise FileNotFoundError(f"worked examples folder {directory} holds no *.expected.json")
    return names
