"""Configured number series (案件编号, 文书编号): patterns per series, read from bpmn/numbering.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

TOKENS = ("organ", "kind", "year", "seq")


@dataclass(frozen=True)
class NumberSeries:
    """One series: its document kind and the pattern its numbers follow."""

    key: str
    kind: str
    pattern: str

    def render(self, organ: str, year: int, seq: int) -> str:
        """Format one number of this series."""
        return self.pattern.format(organ=organ, kind=self.kind, year=year, seq=seq)


@dataclass(frozen=True)
class Numbering:
    """Every configured series and the issuing organ's 代字."""

    organ: str
    series: dict[str, NumberSeries]


def load_numbering(path: Path) -> Numbering:
    """Read and check the numbering file; a bad pattern fails at start-up, not at the first case."""
    if not path.exists():
        return Numbering("", {})
    document: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    organ = str(document.get("organ", ""))
    series = {}
    for key, entry in (document.get("series") or {}).items():
        item = NumberSeries(str(key), str(entry.get("kind", "")), str(entry["pattern"]))
        try:
            item.render(organ, 2000, 1)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(
                f"{path}: series {key}: bad pattern {item.pattern!r} (tokens: {TOKENS})"
            ) from exc
        series[str(key)] = item
    return Numbering(organ, series)
