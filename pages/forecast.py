from ecomdash.ui.common import page_module, page_setup

ctx = page_setup("Forecast & restock", needs="forecast")
page_module("forecast").render(ctx)
