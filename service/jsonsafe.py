"""Turn task data (dates, Decimals, nested containers) into plain JSON values, deterministically."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID


def to_json_value(value: Any) -> Any:
    """Return `value` with dates as ISO text, Decimals as text, tuples/sets as lists."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json_value(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((to_json_value(v) for v in value), key=repr)
    return _scalar(value)


def _scalar(value: Any) -> Any:
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    return repr(value)


def canonical_json(value: Any) -> str:
    """Serialise with sorted keys and no whitespace, so equal content gives equal text."""
    return json.dumps(to_json_value(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def data_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Describe how the case data changed: keys added, changed (old/new) and removed."""
    old, new = to_json_value(before), to_json_value(after)
    return {
        "added": {k: new[k] for k in new.keys() - old.keys()},
        "changed": {k: {"old": old[k], "new": new[k]} for k in new.keys() & old.keys() if old[k] != new[k]},
        "removed": sorted(old.keys() - new.keys()),
    }
