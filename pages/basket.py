from ecomdash.ui import basket as ui
from ecomdash.ui.common import page_setup

ctx = page_setup("Basket analysis", needs="basket")
ui.render(ctx)
