from ecomdash.i18n import N_
from ecomdash.ui import recommend as ui
from ecomdash.ui.common import page_setup

ctx = page_setup(N_("Recommendations"), needs="recommend")
ui.render(ctx)
