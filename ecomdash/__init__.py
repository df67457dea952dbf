"""ecomdash: analytics for e-commerce order exports (core package, free of Streamlit)."""

from __future__ import annotations

__version__ = "0.1.0"
