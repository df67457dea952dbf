"""Plotly figure builders: Result in, go.Figure out (no streamlit)."""
