"""Where the project's shared material is: ``../shared`` beside the checkout, or
``SHARED_DIR`` when the checkout lives elsewhere."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _shared() -> Path:
    if os.environ.get("SHARED_DIR"):
        return Path(os.environ["SHARED_DIR"])
    for parent in ROOT.parents:
        if (parent / "shared" / "spec" / "examples").is_dir():
            return parent / "shared"
    return ROOT.parent / "shared"


SHARED = _shared()
EXAMPLES = SHARED / "spec" / "examples"
