"""ecomdash — the frame: page registry and the sidebar's dataset picker and global filters."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ecomdash.ui import sidebar

HERE = Path(__file__).parent
PAGES = [
    ("pages/home.py", "Home", ":material/home:"),
    ("pages/overview.py", "Overview", ":material/dashboard:"),
    ("pages/data.py", "Data", ":material/upload_file:"),
    ("pages/basket.py", "Basket analysis", ":material/shopping_basket:"),
    ("pages/forecast.py", "Forecast & restock", ":material/trending_up:"),
    ("pages/segments.py", "Segments", ":material/groups:"),
    ("pages/customer_value.py", "Customer value", ":material/savings:"),
    ("pages/recommendations.py", "Recommendations", ":material/recommend:"),
    ("pages/pricing.py", "Pricing & promotions", ":material/sell:"),
    ("pages/alerts.py", "Alerts", ":material/notifications:"),
]

st.set_page_config(
    page_title="ecomdash", page_icon=str(HERE / "assets" / "icon.png"), layout="wide"
)
pages = [
    st.Page(str(HERE / path), title=title, icon=icon, default=(i == 0))
    for i, (path, title, icon) in enumerate(PAGES)
    if (HERE / path).exists()
]
nav = st.navigation(pages)
sidebar.render()
nav.run()
