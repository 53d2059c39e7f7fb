"""Deep clustering models (PyTorch). Planned in the deep-clustering issue; empty for now."""

__all__: list[str] = []
