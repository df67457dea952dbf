from ecomdash.ui import value as ui
from ecomdash.ui.common import page_setup

ctx = page_setup("Customer value", needs="clv")
ui.render(ctx)
