"""What the page benches (``bench_forecast_page.py``, ``bench_pricing_page.py``) share: a
process set up as a running server is, before the clock starts.

The worker's fork server started (``worker.warm()``, as ``app.py`` does) and waited for (its
``PRELOAD`` imported), the page module imported, the merchant's store opened read-only and
handed to the page instead of a Streamlit session's.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os


def served_page(description: str, module: str):
    """Parse ``--home`` and ``--dataset``, set the process up as a server; return the page
    module, the store, and the cache key of the dataset unfiltered."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--home", required=True, help="ECOMDASH_HOME holding the merchant")
    ap.add_argument("--dataset", required=True, help="dataset id or exact name")
    args = ap.parse_args()
    logging.disable(logging.WARNING)  # streamlit's "no runtime" warnings outside a server
    os.environ["ECOMDASH_HOME"] = args.home
    from ecomdash.ui import worker

    worker.warm()
    page = importlib.import_module(module)
    from ecomdash.filters import Filters
    from ecomdash.store import Store, connect

    worker.run_in_worker(len, [1])  # the fork server is up and has its preload
    store = Store(connect(args.home, read_only=True))
    info = store.info(store.resolve(args.dataset).id)
    page.get_store = lambda workspace=None: store  # no Streamlit session here
    return page, store, (store.workspace, info.id, info.version, Filters().as_key())
