from ecomdash.i18n import N_
from ecomdash.ui.common import page_module, page_setup

ctx = page_setup(N_("What to do this week"), needs="overview")
page_module("home").render(ctx)
