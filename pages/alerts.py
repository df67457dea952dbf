from ecomdash.ui import alerts as ui
from ecomdash.ui.common import page_setup

ctx = page_setup("Alerts", caption="Unusual days and weeks, and orders that need a second look.")
ui.render(ctx)
