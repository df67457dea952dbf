"""The report's only door to the data: the store, with each analysis reading only its columns.

Kept in one small module on purpose: when the store grows named aggregates, the report
switches to them here and nowhere else. A :class:`ReportData` lives for one report build and
memoises what several sections share (the overview aggregates, each column set's lines).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ecomdash import schema as S
from ecomdash.errors import EcomdashError
from ecomdash.filters import Filters
from ecomdash.kpis import OverviewResult, overview
from ecomdash.labels import Display, display_for
from ecomdash.store import DatasetInfo, Store

#: The columns the forecast reads of a dataset without amounts (flags always come; those a
#: dataset lacks are skipped): every other analysis asks the store for its aggregates.
PRODUCT_COLUMNS = (
    S.ORDER_ID,
    S.ORDER_DATE,
    S.PRODUCT_ID,
    S.PRODUCT_NAME,
    S.QUANTITY,
    S.UNIT_PRICE,
    S.REVENUE,
)


def read_lines(
    store: Store, dataset_id: str, filters: Filters, columns: tuple[str, ...]
) -> pd.DataFrame:
    """The store read behind :meth:`ReportData.lines` (the app caches this per column set)."""
    return store.load_lines(dataset_id, filters, columns=list(columns))


@dataclass
class ReportData:
    """The dataset of one report build (a workspace's store, dataset and filters)."""

    store: Store
    info: DatasetInfo
    filters: Filters
    #: optional loader ``columns -> lines`` (the app passes one backed by its cache)
    load: Callable[[tuple[str, ...]], pd.DataFrame] | None = None
    #: optional cache ``(name, build) -> value`` of the shared results (the app passes one
    #: keyed by dataset version, filters and language, so the sections it builds one by one
    #: share them too); ``build`` returns an EcomdashError instead of raising it
    cache: Callable[[str, Callable[[], Any]], Any] | None = None
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def open(
        cls,
        store: Store,
        dataset: str,
        filters: Filters | None = None,
        *,
        load: Callable[[tuple[str, ...]], pd.DataFrame] | None = None,
        cache: Callable[[str, Callable[[], Any]], Any] | None = None,
    ) -> ReportData:
        return cls(store, store.resolve(dataset), filters or Filters(), load, cache)

    @property
    def columns(self) -> tuple[str, ...]:
        return self.info.columns

    @property
    def display(self) -> Display:
        """The dataset's currency and date style, as the app's pages and tables use them."""
        return display_for(self.info.report, is_demo=self.info.is_demo, mapping=self.info.mapping)

    def overview(self, grain: str = "auto") -> OverviewResult:
        """KPIs, previous period, trend and breakdowns, aggregated in DuckDB by the store."""
        key = ("overview", grain)
        if key not in self._memo:
            self._memo[key] = overview(self.store, self.info.id, self.filters, grain=grain)
        return self._memo[key]

    def customer_history(self):
        """The per-order customer history of the filtered sales, aggregated in SQL by the
        store (``Store.customer_history``: segments and churn, as their pages read it)."""
        key = ("customer_history",)
        if key not in self._memo:
            self._memo[key] = self.store.customer_history(self.info.id, self.filters)
        return self._memo[key]

    def customer_days(self):
        """Purchases per customer-day, summed in SQL by the store (``Store.customer_days``:
        lifetime value, as the Customer value page reads it)."""
        key = ("customer_days",)
        if key not in self._memo:
            self._memo[key] = self.store.customer_days(self.info.id, self.filters)
        return self._memo[key]

    def lines(self, columns: tuple[str, ...]) -> pd.DataFrame:
        """The filtered lines, only ``columns`` (those the dataset has) plus the flags.

        The same frame is handed to every section that asks for the same columns; analyses
        never mutate their input, so sharing it is safe.
        """
        have = tuple(c for c in columns if c in self.info.columns) + tuple(S.FLAGS)
        key = ("lines", have)
        if key not in self._memo:
            if self.load is not None:
                self._memo[key] = self.load(have)
            else:
                self._memo[key] = read_lines(self.store, self.info.id, self.filters, have)
        return self._memo[key]

    def shared(self, name: str, build):
        """A result several sections use (e.g. the churn models, every result the digest
        reads: :mod:`ecomdash.report.results`), built once per report."""
        key = ("shared", name)
        if key not in self._memo:

            def run():
                try:
                    return build()
                except EcomdashError as exc:  # remembered: the next section gets the same error
                    return exc

            self._memo[key] = run() if self.cache is None else self.cache(name, run)
        value = self._memo[key]
        if isinstance(value, EcomdashError):
            raise value
        return value
