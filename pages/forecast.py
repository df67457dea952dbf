from ecomdash.ui import forecast as ui
from ecomdash.ui.common import page_setup

ctx = page_setup("Forecast & restock", needs="forecast")
ui.render(ctx)
