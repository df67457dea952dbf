from ecomdash.i18n import N_
from ecomdash.ui.common import page_module, page_setup

ctx = page_setup(
    N_("Alerts"), caption=N_("Unusual days and weeks, and orders that need a second look.")
)
page_module("alerts").render(ctx)
