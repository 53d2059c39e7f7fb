"""How many of a training loop's planned steps fit in a time budget, decided once, early.

A loop that costs the same on every machine in steps costs very different seconds: the
fine-tuning ``auto`` runs on images is most of its time budget on this project's 2-core CPU
and would be far over it on a machine half as fast, or on one running two jobs at once.
:class:`StepBudget` times a few steps after a warm-up and, only where the planned steps at
that pace would take longer than the budget, cuts them to what fits. Where they fit (the
usual case) nothing changes, so the same seed gives the same result.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator

__all__ = ["StepBudget"]

log = logging.getLogger(__name__)


class StepBudget:
    """Counts a loop's steps and cuts them once, early, to fit ``seconds``.

    Parameters
    ----------
    planned : int
        Steps the loop takes when they fit.
    seconds : float or None
        Budget for all the steps; None: never cut.
    least : int
        Never cut below this many steps.
    grain : int
        A cut keeps a multiple of this many steps (so that small changes of pace give the
        same count).
    warmup : int
        Steps not timed (the first ones allocate and fill caches).
    measured : int
        Steps timed after the warm-up to measure the pace.
    recheck : int
        Steps after the warm-up at which the pace is measured again, over all of them, and
        the steps cut further if they no longer fit (never lengthened): a machine whose
        other work picks up, or a loop whose later steps run slower than its first ones.
    clock : callable
        Seconds, monotonic.

    Examples
    --------
    >>> budget = StepBudget(150, 100, least=30, clock=lambda: 2.0 * budget.done)  # 2 s a step
    >>> sum(1 for _ in budget.batches(range(150)))
    30
    >>> budget.summary()["cut"], budget.summary()["seconds_a_step"]
    (True, 2.0)
    >>> pace = lambda step: 1.0 if step <= 7 else 3.0  # three times slower after 7 steps
    >>> clock = lambda: sum(pace(s) for s in range(1, slow.done + 1))
    >>> slow = StepBudget(150, 200, least=30, clock=clock)
    >>> sum(1 for _ in slow.batches(range(150))), slow.summary()["seconds_a_step"]
    (60, 2.667)
    """

    def __init__(self, planned: int, seconds: float | None, *, least: int, grain: int = 30,
                 warmup: int = 2, measured: int = 5, recheck: int = 30,
                 clock: Callable[[], float] = time.perf_counter):
        self.planned = self.steps = int(planned)
        self.seconds, self.least, self.grain = seconds, int(least), int(grain)
        self.warmup, self.measured, self.clock = int(warmup), int(measured), clock
        self.recheck = max(int(recheck), self.measured)
        self.done = 0  # steps of the loop so far (a resumed loop sets it from its epoch)
        self.pace: float | None = None
        self._taken = 0  # steps taken in this process (the pace is measured on them)
        self._start: float | None = None

    @property
    def exhausted(self) -> bool:
        """Whether the loop has taken every step it may."""
        return self.done >= self.steps

    @property
    def cut(self) -> bool:
        """Whether the steps were cut to fit the budget."""
        return self.steps < self.planned

    def batches(self, index_batches: Iterable) -> Iterator:
        """Pass ``index_batches`` through, one per step, until the steps are spent."""
        for idx in index_batches:
            if self.exhausted:
                return
            yield idx  # the consumer takes its step before asking for the next batch
            self.done += 1
            self._taken += 1
            self._time()

    def _time(self) -> None:
        if self.seconds is None:
            return
        if self._taken == self.warmup:
            self._start = self.clock()
        elif self._start is not None and self._taken - self.warmup in (self.measured,
                                                                        self.recheck):
            timed = self._taken - self.warmup
            self.pace = (self.clock() - self._start) / timed
            # the warm-up steps count at the measured pace, as the steps still to come do
            if self.pace * self.steps > self.seconds:
                fit = int(self.seconds / self.pace) // self.grain * self.grain
                self.steps = min(self.steps, max(self.least, fit))
                log.info("%d of %d steps fit in %.0f s at %.2f s a step", self.steps,
                         self.planned, self.seconds, self.pace)

    def summary(self) -> dict:
        """Planned and allowed steps, the pace measured and whether the loop was cut."""
        return {"planned": self.planned, "steps": self.steps, "budget_s": self.seconds,
                "seconds_a_step": None if self.pace is None else round(self.pace, 3),
                "cut": self.cut}
