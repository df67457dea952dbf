from ecomdash.i18n import N_
from ecomdash.ui import value as ui
from ecomdash.ui.common import page_setup

ctx = page_setup(N_("Customer value"), needs="clv")
ui.render(ctx)
