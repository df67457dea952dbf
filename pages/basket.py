from ecomdash.ui.common import page_module, page_setup

ctx = page_setup("Basket analysis", needs="basket")
page_module("basket").render(ctx)
