from ecomdash.ui import overview as ui
from ecomdash.ui.common import page_setup

ctx = page_setup("Overview", needs="overview")
ui.render(ctx)
