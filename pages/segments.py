from ecomdash.i18n import N_
from ecomdash.ui import segment as ui
from ecomdash.ui.common import page_setup

ctx = page_setup(N_("Customer segments"), needs="segment")
ui.render(ctx)
