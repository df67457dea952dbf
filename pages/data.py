import streamlit as st

from ecomdash.i18n import _
from ecomdash.ui import data_page as ui
from ecomdash.ui import lang
from ecomdash.ui.common import into_the_frame

into_the_frame()  # a first visit to /data on a fresh server: the app's frame, not this alone
lang.resolve()  # the URL's ?lang=, the session's choice or the browser's (no page_setup here)
st.title(_("Data"))
ui.render()
