"""Streamlit-side helpers the pages share: session keys, the per-rerun context, cached store
and data, the cluster card, the jobs panel, Plotly figures and the frames behind them.

Pages only draw; everything that persists or computes lives in ``workspace``/``clustering``.
"""
