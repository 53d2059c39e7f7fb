"""Training checkpoints, so an interrupted deep run resumes where it stopped.

A checkpoint holds the ``state_dict`` of every module and optimizer of one training loop,
the epoch reached and the state of the run's random generator. It is written atomically
(temporary file, then rename) and read back with ``torch.load(weights_only=True)``, so a
checkpoint file can never run code. With the generator state restored, a resumed run on
the CPU continues exactly as an uninterrupted one would.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

__all__ = ["Checkpoint", "save_atomic"]

log = logging.getLogger(__name__)


class Checkpoint:
    """Save and restore one training loop.

    Parameters
    ----------
    path : Path or None
        File of this loop's checkpoint; None disables checkpointing.
    objects : dict
        Modules and optimizers by name (anything with ``state_dict``/``load_state_dict``),
        or tensors that are saved and restored in place.
    generator : torch.Generator
        The run's random generator (its state is saved with the weights).
    total : int
        Epochs of the loop.
    every : int, optional
        Save after every ``every`` epochs (default: about ten checkpoints per loop).
    """

    def __init__(self, path: Path | None, objects: dict, generator, total: int,
                 every: int | None = None) -> None:
        self.path = Path(path) if path else None
        self.objects = objects
        self.generator = generator
        self.total = total
        self.every = every or max(1, total // 10)
        self.start = self._restore()

    def _restore(self) -> int:
        """Load the saved state when there is one; return the epoch to continue from."""
        if self.path is None or not self.path.exists():
            return 0
        import torch

        try:
            state = torch.load(self.path, map_location="cpu", weights_only=True)
            for name, obj in self.objects.items():
                saved = state["objects"][name]
                if isinstance(obj, torch.Tensor):
                    with torch.no_grad():  # parameters too
                        obj.copy_(saved)
                else:
                    obj.load_state_dict(saved)
            self.generator.set_state(state["generator"])
        except (OSError, RuntimeError, KeyError, ValueError) as exc:
            log.warning("checkpoint %s unusable (%s); training from the start", self.path, exc)
            return 0
        epoch = int(state["epoch"])
        log.info("resumed %s at epoch %d of %d", self.path.name, epoch, self.total)
        return epoch

    def save(self, done: int) -> None:
        """Record that ``done`` epochs are finished (written every few epochs and at the end)."""
        if self.path is None or (done % self.every and done != self.total):
            return
        import torch

        state = {"epoch": done, "generator": self.generator.get_state(),
                 "objects": {name: obj.clone() if isinstance(obj, torch.Tensor)
                             else obj.state_dict() for name, obj in self.objects.items()},
                 "saved_at": time.time()}
        save_atomic(state, self.path)


def save_atomic(state: dict, path: Path) -> None:
    """``torch.save`` to a temporary file, then rename: ``path`` is never half written."""
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)
