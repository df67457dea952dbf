"""Global filters shared by every page and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class Filters:
    """Which order lines an analysis sees. Dates are inclusive; empty tuples mean "all".

    Hashable, so it can be part of a cache key.

    >>> Filters(start=date(2024, 1, 1), end=date(2024, 1, 31)).days
    31
    """

    start: date | None = None
    end: date | None = None
    countries: tuple[str, ...] = field(default_factory=tuple)
    categories: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            from ecomdash.errors import ParameterError
            from ecomdash.i18n import N_
            from ecomdash.i18n.note import Date, note

            raise ParameterError(
                note(
                    N_(
                        "The start date {start} is after the end date {end}. Pick a start date "
                        "on or before the end date."
                    ),
                    start=Date(self.start),
                    end=Date(self.end),
                )
            )
        object.__setattr__(self, "countries", tuple(sorted(set(self.countries))))
        object.__setattr__(self, "categories", tuple(sorted(set(self.categories))))

    @property
    def days(self) -> int | None:
        if self.start is None or self.end is None:
            return None
        return (self.end - self.start).days + 1

    def previous_period(self) -> Filters | None:
        """The period of the same length just before this one (same countries/categories)."""
        if self.start is None or self.end is None:
            return None
        length = timedelta(days=self.days or 0)
        return Filters(
            start=self.start - length,
            end=self.start - timedelta(days=1),
            countries=self.countries,
            categories=self.categories,
        )

    @classmethod
    def from_key(cls, key: tuple) -> Filters:
        """The inverse of :meth:`as_key`.

        >>> f = Filters(start=date(2024, 1, 1), countries=("UK",))
        >>> Filters.from_key(f.as_key()) == f
        True
        """
        start, end, countries, categories = key
        return cls(
            start=date.fromisoformat(start) if start else None,
            end=date.fromisoformat(end) if end else None,
            countries=tuple(countries),
            categories=tuple(categories),
        )

    def as_key(self) -> tuple:
        return (
            self.start.isoformat() if self.start else None,
            self.end.isoformat() if self.end else None,
            self.countries,
            self.categories,
        )
