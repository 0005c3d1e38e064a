"""Split a listing into pages: `/base/`, `/base/page/2/`, ... (home, tags, sections, authors)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Paginator(Generic[T]):
    items: Sequence[T]
    number: int  # 1-based
    total: int
    base_url: str  # URL path of page 1, ending in '/'

    def url_of(self, number: int) -> str:
        return self.base_url if number == 1 else f"{self.base_url}page/{number}/"

    @property
    def url(self) -> str:
        return self.url_of(self.number)

    @property
    def prev_url(self) -> str | None:
        return self.url_of(self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.url_of(self.number + 1) if self.number < self.total else None

    @property
    def numbers(self) -> range:
        return range(1, self.total + 1)


def paginate(items: Sequence[T], per_page: int, base_url: str) -> list[Paginator[T]]:
    """Always at least one page, so an empty listing still renders (and says it is empty)."""
    total = max(1, -(-len(items) // per_page))
    return [Paginator(items[(n - 1) * per_page: n * per_page], n, total, base_url)
            for n in range(1, total + 1)]
