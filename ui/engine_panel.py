"""The Cluster page's "Past one machine" settings: engine, scheduler, sample size."""

from __future__ import annotations

import os

import streamlit as st

from clustering.errors import InputError
from workspace.engines import SCHEDULER_ENV, EngineSettings, connection_summary

from .safe_text import md

__all__ = ["engine_settings"]


def engine_settings() -> tuple[int | None, dict | None]:
    """Draw the settings; return (sample size or None, engine fields or None)."""
    with st.expander("Past one machine: fit on a sample, assign every row in chunks"):
        st.caption("For a folder of Parquet files, a .parquet/.npy file or an image folder "
                   "too large for one process. The pipeline is fitted on a sample drawn by "
                   "id hash; every row is then assigned in chunks, here or on Dask workers. "
                   "A Dask scheduler runs the code its clients send: keep its port on a "
                   "private network or use TLS.")
        c1, c2 = st.columns(2)
        sample = c1.number_input("Sample size (0 = fit on every row)", 0, 10_000_000, 0,
                                 step=10_000, key="scale_sample")
        engine = c2.radio("Assign chunks on", ["local", "dask"], horizontal=True,
                          key="scale_engine",
                          format_func=lambda e: {"local": "this machine's worker",
                                                 "dask": "Dask"}[e])
        scheduler = st.text_input(
            "Dask scheduler (empty: start workers on this machine)",
            os.environ.get(SCHEDULER_ENV, ""), placeholder="tcp://HOST:8786",
            key="scale_scheduler", disabled=engine != "dask")
        fields = {"engine": engine,
                  "scheduler": (scheduler.strip() or None) if engine == "dask" else None}
        if engine == "dask" and st.button("Test connection", key="scale_test"):
            with st.spinner("Connecting…"):
                try:
                    st.success(md(connection_summary(EngineSettings(**fields))))
                except InputError as exc:
                    st.error(md(exc))
    if not sample and engine == "local":
        return None, None
    return int(sample) or 200_000, fields
