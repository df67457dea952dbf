from ecomdash.ui import pricing as ui
from ecomdash.ui.common import page_setup

ctx = page_setup("Pricing & promotions", needs="pricing")
ui.render(ctx)
