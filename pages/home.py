from ecomdash.ui import home as ui
from ecomdash.ui.common import page_setup

ctx = page_setup(ui.TEXT["title"], needs="overview")
ui.render(ctx)
