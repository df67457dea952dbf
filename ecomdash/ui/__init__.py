"""Streamlit glue: cached adapters, shared widgets, result renderers. The only streamlit code in the package."""
