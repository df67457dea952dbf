"""ecomdash — the frame: page registry and the sidebar's dataset picker and global filters."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ecomdash.i18n import N_, _
from ecomdash.ui import lang, sidebar, worker

HERE = Path(__file__).parent
PAGES = [
    ("pages/home.py", N_("Home"), ":material/home:"),
    ("pages/overview.py", N_("Overview"), ":material/dashboard:"),
    ("pages/data.py", N_("Data"), ":material/upload_file:"),
    ("pages/basket.py", N_("Basket analysis"), ":material/shopping_basket:"),
    ("pages/forecast.py", N_("Forecast & restock"), ":material/trending_up:"),
    ("pages/segments.py", N_("Segments"), ":material/groups:"),
    ("pages/customer_value.py", N_("Customer value"), ":material/savings:"),
    ("pages/recommendations.py", N_("Recommendations"), ":material/recommend:"),
    ("pages/pricing.py", N_("Pricing & promotions"), ":material/sell:"),
    ("pages/alerts.py", N_("Alerts"), ":material/notifications:"),
]

st.set_page_config(
    page_title="ecomdash", page_icon=str(HERE / "assets" / "icon.png"), layout="wide"
)
# the model pages' worker processes fork from a server that imports the analyses once: start
# it now, in the background, so a merchant's first model run does not wait for it
worker.warm()
lang.resolve()  # before the page titles: the URL's ?lang=, the session's choice or the browser's
pages = [
    st.Page(str(HERE / path), title=_(title), icon=icon, default=(i == 0))
    for i, (path, title, icon) in enumerate(PAGES)
    if (HERE / path).exists()
]
nav = st.navigation(pages)
sidebar.render()
nav.run()
