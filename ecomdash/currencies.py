"""The currency of a dataset's amounts: the codes the Data page offers, their names, a code
given on the command line checked, and the currency recorded in a saved report.

A saved dataset's currency is ``report["currency"]`` (an ISO 4217 code), read back by
``labels.display_for``; :data:`NOT_STATED` (``""``) there is the merchant's "Not stated":
amounts shown as plain numbers even when ingest read a sign off them. When nothing is
recorded (no ``currency`` key: nothing chosen, or a store saved before "Not stated" could be
chosen), the one ingest read off the amounts (``£12.50``) or the platform (a 淘宝 export is in
yuan), else none (amounts shown as plain numbers). The Save form, ``ecomdash ingest
--currency`` and a later change (``Store.set_currency``: the Data page's saved datasets,
``ecomdash datasets --set-currency``) all record it the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ecomdash.errors import ParameterError
from ecomdash.i18n import N_, _
from ecomdash.i18n.note import Quoted, note

#: The currencies the Save form offers (``labels.SYMBOLS``' and a few more), by ISO code; ""
#: is "not stated". A file's amounts written without a sign (UCI Online Retail II, in £; most
#: exports) gave a dataset with no currency, and every page wrote "1,054,495" for £1,054,495.
CURRENCIES = ("", "GBP", "EUR", "USD", "CNY", "JPY", "INR", "HKD", "AUD", "CAD", "CHF")


#: ``report["currency"]`` of a dataset whose merchant chose "Not stated": told apart from a
#: report without the key (then the currency read off the amounts counts), so a dataset whose
#: amounts read "$12.50" can still be shown without a sign
NOT_STATED = ""

#: what ``ecomdash ingest --currency`` and ``ecomdash datasets --set-currency`` take for
#: "Not stated" (any case)
NONE_WORD = "none"


def currency_option(code: str) -> str:
    """A currency as the Save form offers it, in the current language: "British Pound (GBP)"
    / "英镑（GBP）" (CLDR's name through Babel), "" as not stated."""
    if not code:
        return _("Not stated (amounts shown without a currency sign)")
    from babel.numbers import get_currency_name

    from ecomdash.i18n import LOCALES, get_lang

    name = get_currency_name(code, locale=LOCALES.get(get_lang(), LOCALES["en"]))
    return _("{name} ({code})", name=name, code=code)


def check_currency(code: str, *, none: bool = False) -> str:
    """``code`` as an upper-case ISO 4217 code (``gbp`` → ``GBP``); a ParameterError naming
    it and the codes to give when it is not one (``£``, ``pounds``, ``UK``). ``none``: the
    caller also takes :data:`NONE_WORD`, and the refusal says so."""
    from babel.numbers import list_currencies

    got = str(code).strip().upper()
    if len(got) == 3 and got in list_currencies():
        return got
    fields = {"code": Quoted(str(code)), "codes": ", ".join(CURRENCIES[1:])}
    if none:  # the command line also takes "none" (its refusal read only the codes)
        raise ParameterError(
            note(
                N_(
                    "{code} is not a currency code. Give the three-letter ISO 4217 code of the "
                    "amounts' currency, e.g. {codes}, or {none} for amounts without a currency "
                    "sign."
                ),
                none=NONE_WORD,
                **fields,
            )
        )
    raise ParameterError(
        note(
            N_(
                "{code} is not a currency code. Give the three-letter ISO 4217 code of the "
                "amounts' currency, e.g. {codes}."
            ),
            **fields,
        )
    )


def check_stated(code: str) -> str:
    """A currency given on the command line: :data:`NOT_STATED` for ``none`` (any case), else
    the code checked by :func:`check_currency`."""
    if str(code).strip().lower() == NONE_WORD:
        return NOT_STATED
    return check_currency(code, none=True)


def with_currency(report: Any, currency: str | None) -> Any:
    """The report to save: ``currency`` (an ISO code the merchant chose, or
    :data:`NOT_STATED`) recorded in it as ``labels.display_for`` reads it; unchanged when
    none was chosen (None). ``report`` is a CleaningReport (anything with ``to_dict()``) or a
    dict."""
    if currency is None:
        return report
    rep = report.to_dict() if hasattr(report, "to_dict") else dict(report)
    return {**rep, "currency": currency}


def dataset_currency(report: Mapping[str, Any] | None, *, is_demo: bool = False) -> str | None:
    """The currency the pages write a saved dataset's amounts in (None: plain numbers)."""
    from ecomdash import labels as L

    return L.display_for(dict(report or {}), is_demo=is_demo).currency
