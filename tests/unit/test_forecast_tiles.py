"""The Forecast page's "Chosen model" tile shows the whole model's name in a 1280 px window:
each model's tile name (``labels.model_tile``) beside the backtest's three tiles at their
widest fits the page's row (the short names "Seasonal ARIMA (SARIMAX)" and "SARIMAX + Chinese
calendar" were cut to "Seasonal ARIMA (S…" and "SARIMAX + Chines…")."""

from __future__ import annotations

import pytest

from ecomdash import forecast as F
from ecomdash import labels as L
from ecomdash.i18n import _, use_lang
from ecomdash.ui.table_layout import PAGE_PX, tile_weights

#: the room of four tiles' texts in the page's main column: three 1 rem gaps between them
ROW_PX = PAGE_PX - 3 * 16


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("model", sorted(set(F.MODEL_LABELS) - {"auto"}))
def test_every_chosen_model_fits_its_tile(model, lang):
    with use_lang(lang):
        name, line = L.model_tile(model)
        labels = [_("Chosen model"), _("Backtest MASE"), _("80\u00a0% band coverage")]
        widest = ["10.00", "100\u00a0%" if lang == "en" else "100%"]
        total = "£888.8k" if lang == "en" else "¥888.8万"
        need = tile_weights([*labels, _("Next total")], [name, *widest, total])
        assert sum(need) <= ROW_PX, (name, need)
        # a calendar twin: its base model's name, the calendar on the line under it
        if model.endswith("_cal"):
            assert name == L.model_tile(model.removesuffix("_cal"))[0]
            assert line == _("+ Chinese calendar")
        else:
            assert line is None
