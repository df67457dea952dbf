from ecomdash.i18n import N_
from ecomdash.ui.common import page_module, page_setup

ctx = page_setup(N_("Customer segments"), needs="segment")
page_module("segment").render(ctx)
