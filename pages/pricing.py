from ecomdash.i18n import N_
from ecomdash.ui import pricing as ui
from ecomdash.ui.common import page_setup

ctx = page_setup(N_("Pricing & promotions"), needs="pricing")
ui.render(ctx)
