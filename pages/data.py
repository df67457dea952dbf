import streamlit as st

from ecomdash.i18n import _
from ecomdash.ui import data_page as ui
from ecomdash.ui import lang

lang.resolve()  # the URL's ?lang=, the session's choice or the browser's (no page_setup here)
st.title(_("Data"))
ui.render()
