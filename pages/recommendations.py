from ecomdash.ui import recommend as ui
from ecomdash.ui.common import page_setup

ctx = page_setup("Recommendations", needs="recommend")
ui.render(ctx)
