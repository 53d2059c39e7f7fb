"""``clusterlab app``: start the app with its modules already imported.

``streamlit run app.py`` imports nothing until the first visitor opens a page, so the first
page of a fresh server also pays for importing pandas, pyarrow and the app's own modules
(about a second on a 2-core machine, measured in ``benchmarks/map_scale.py``). This launcher
imports them first, then hands over to Streamlit in the same process: the server starts
listening a second later and the first page does not wait for them. It also starts the
reader server (:func:`workspace.isolated_load.start_reader_server`) from which large inputs
are read in separate processes.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import time
from pathlib import Path

from clustering.errors import InputError

__all__ = ["PRELOAD", "main"]

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
PRELOAD = ("numpy", "pandas", "pyarrow.parquet", "streamlit", "workspace.store",
           "workspace.runs", "workspace.explanations", "workspace.search", "ui.auth",
           "ui.common", "ui.context", "ui.views", "ui.map_view", "ui.cards", "ui.members",
           "ui.concerns", "ui.safe_text")
"""Modules the app's first page (Explore) imports."""


def main(streamlit_args: list[str]) -> int:
    """Import :data:`PRELOAD`, then run ``streamlit run app.py STREAMLIT_ARGS`` here.

    Parameters
    ----------
    streamlit_args : list of str
        Passed to ``streamlit run`` after the script (e.g. ``--server.port 8502``).

    Returns
    -------
    int
        Streamlit's exit code.
    """
    app = ROOT / "app.py"
    if not app.exists():
        raise InputError(f"clusterlab app needs the source checkout ({app} is missing); "
                         "install with `pip install -e .` from the repository, or run "
                         "`streamlit run app.py` there.")
    start = time.perf_counter()
    from workspace.isolated_load import start_reader_server

    start_reader_server()  # large tables and images are read in processes forked from it
    for name in PRELOAD:
        importlib.import_module(name)
    log.info("imported the app's modules in %.1f s", time.perf_counter() - start)
    from streamlit.web import cli as streamlit_cli

    os.chdir(ROOT)  # Streamlit reads .streamlit/config.toml from the working folder
    sys.argv = ["streamlit", "run", str(app), *streamlit_args]
    return streamlit_cli.main()
