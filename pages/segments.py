from ecomdash.ui import segment as ui
from ecomdash.ui.common import page_setup

ctx = page_setup("Customer segments", needs="segment")
ui.render(ctx)
