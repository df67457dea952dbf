import streamlit as st

from ecomdash.ui import data_page as ui

st.title("Data")
ui.render()
