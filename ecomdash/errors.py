"""Errors the core raises on purpose.

Every message says what was wrong, what was found, and what to do. Pages catch only
``EcomdashError`` (and subclasses) and show the message; anything else is a bug.
"""

from __future__ import annotations


class EcomdashError(Exception):
    """Base class: a problem with the merchant's input or request, explained in plain words."""


class InputFileError(EcomdashError):
    """The uploaded file cannot be read (empty, binary, wrong type, too big, malformed)."""


class MappingError(EcomdashError):
    """The columns cannot be mapped to the order-line table well enough for any analysis."""


class StoreError(EcomdashError):
    """The dataset store refused an operation (unknown dataset, read-only or full disk, ...)."""


class InsufficientDataError(EcomdashError):
    """The data is valid but not enough for this analysis (too few orders, customers, periods ...)."""


class ParameterError(EcomdashError):
    """A parameter is outside its allowed range."""


class TimeBudgetError(EcomdashError):
    """An analysis would exceed its time budget; the message says which setting to change."""
