from ecomdash.ui import home as ui
from ecomdash.ui.common import page_setup

ctx = page_setup("What to do this week", needs="overview")
ui.render(ctx)
