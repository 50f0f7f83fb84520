"""Where the package's data files live and how they are read."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"


class DataError(Exception):
    """A data file is missing or malformed; the message names the file and the entry."""


def load_yaml(relative: str | Path) -> Any:
    path = DATA_DIR / relative
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as error:
        raise DataError(f"{path.name}: {error}") from error
