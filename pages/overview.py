from ecomdash.i18n import N_
from ecomdash.ui import overview as ui
from ecomdash.ui.common import page_setup

ctx = page_setup(N_("Overview"), needs="overview")
ui.render(ctx)
