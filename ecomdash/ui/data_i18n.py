"""The Data page's widgets in the language of the run that drew them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ecomdash.i18n import get_lang, use_lang


def in_run_lang(fn: Callable[[Any], str]) -> Callable[[Any], str]:
    """``fn`` (a widget's ``format_func`` that translates) bound to this run's language.

    Streamlit keeps a widget's ``format_func`` and may call it again outside the script run
    that drew the widget (AppTest does, to turn the chosen value back into its shown option),
    where the run's language is not set: the option would come out in English and no longer
    match the options shown. Bound, it always gives the options as shown."""
    lang = get_lang()

    def formatted(value: Any) -> str:
        with use_lang(lang):
            return fn(value)

    return formatted
