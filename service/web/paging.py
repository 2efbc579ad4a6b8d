"""One page of a longer list, for the paging macro."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, request


@dataclass(frozen=True)
class Page:
    """Items of page `number` (1-based) of `total`, `size` per page."""

    items: list[Any]
    total: int
    number: int
    size: int
    capped: bool = False  # `total` is where counting stopped; the list holds more

    @property
    def pages(self) -> int:
        """Return how many pages there are (a capped total: at least one after the current page)."""
        counted = max(1, -(-self.total // self.size))
        return max(counted, self.number + 1) if self.capped else counted

    def window(self, width: int = 7) -> range:
        """Return the page numbers the pager shows around the current one."""
        start = max(1, min(self.number - width // 2, self.pages - width + 1))
        return range(start, min(self.pages, start + width - 1) + 1)


def page_args() -> tuple[int, int]:
    """Return (page number, page size) from ?page=&size=, clamped to sane values."""
    number = request.args.get("page", "1")
    size = request.args.get("size", "")
    default = int(current_app.config.get("PAGE_SIZE", 25))
    page = int(number) if number.isdigit() and int(number) > 0 else 1
    per = int(size) if size.isdigit() and 0 < int(size) <= 200 else default
    return page, per
