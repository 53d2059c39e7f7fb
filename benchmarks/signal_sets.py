"""The quality suite's generated signal sets: ordered readings with random shifts, warps,
gains and noise (see :mod:`quality_sets` for the halves they belong to)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from real_sets import table_set

from clustering.dataset import Dataset


def _warp(rng, t: np.ndarray, strength: float = 0.1) -> np.ndarray:
    """A smooth monotone time warp of t in 0..1."""
    a = rng.uniform(-strength, strength)
    return np.clip(t + a * np.sin(np.pi * t), 0, 1)


def waveforms(n: int = 1200, length: int = 64, seed: int = 303) -> Dataset:
    """Sine, square, sawtooth and triangle waves with random phase, amplitude, offset, noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, n)
    t = np.linspace(0, 1, length)
    rows = []
    for label in y:
        freq = rng.uniform(2.0, 3.0)
        phase = rng.uniform(0, 1)
        u = (_warp(rng, t) * freq + phase) % 1.0
        wave = [np.sin(2 * np.pi * u), np.sign(np.sin(2 * np.pi * u)), 2 * u - 1,
                2 * np.abs(2 * u - 1) - 1][label]
        rows.append(wave * rng.uniform(0.5, 2.0) + rng.normal(0, 0.5)
                    + rng.normal(0, 0.3, length))
    frame = pd.DataFrame(np.array(rows), columns=[f"t{j:02d}" for j in range(length)])
    return table_set("waveforms", frame, y)


def cbf(n: int = 900, length: int = 128, seed: int = 404) -> Dataset:
    """Cylinder-bell-funnel (Saito 1994): a plateau, a rising or a falling ramp, in noise."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(3), n // 3)
    t = np.arange(length)
    rows = []
    for label in y:
        a = rng.integers(16, 32)
        b = a + rng.integers(32, 96)
        inside = ((t >= a) & (t <= b)).astype(float)
        shape = [inside, inside * (t - a) / max(b - a, 1), inside * (b - t) / max(b - a, 1)]
        rows.append((6 + rng.normal()) * shape[label] + rng.normal(0, 1, length))
    frame = pd.DataFrame(np.array(rows), columns=[f"s{j:03d}" for j in range(length)])
    return table_set("cbf", frame, y)


def control_charts(n: int = 600, length: int = 60, seed: int = 808) -> Dataset:
    """Synthetic control charts (Alcock & Manolopoulos 1999): normal, cyclic, rising or falling
    trend, upward or downward shift, around a mean of 30 in noise."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(6), n // 6)
    t = np.arange(length, dtype=float)
    rows = []
    for label in y:
        base = 30 + rng.uniform(-2, 2, length)
        start = rng.integers(length // 3, 2 * length // 3)
        step = (t >= start) * rng.uniform(7.5, 20)
        slope = rng.uniform(0.2, 0.5) * t
        cycle = rng.uniform(10, 15) * np.sin(2 * np.pi * t / rng.uniform(10, 15))
        rows.append(base + [0 * t, cycle, slope, -slope, step, -step][label])
    frame = pd.DataFrame(np.array(rows), columns=[f"c{j:02d}" for j in range(length)])
    return table_set("control-charts", frame, y)


def vibrations(n: int = 1000, length: int = 96, seed: int = 1203) -> Dataset:
    """Vibration readings of a rotating machine in five states, at random speed, phase, gain
    and offset, in strong noise: a clean turn, imbalance (a stronger turn and a weak second
    harmonic), misalignment (a dominant second harmonic), a bearing fault (decaying knocks
    at a rate of their own) and looseness (a clipped turn: many harmonics)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 5, n)
    t = np.arange(length, dtype=float)
    rows = []
    for label in y:
        w = 2 * np.pi / rng.uniform(11, 17)
        ph = rng.uniform(0, 2 * np.pi)
        turn = np.sin(w * t + ph)
        if label == 1:
            sig = 1.6 * turn + 0.4 * np.sin(2 * w * t + 2 * ph)
        elif label == 2:
            sig = 0.5 * turn + 1.0 * np.sin(2 * w * t + rng.uniform(0, 2 * np.pi))
        elif label == 3:
            gap = rng.uniform(6, 9)
            since = (t - rng.uniform(0, gap)) % gap
            sig = 0.6 * turn + 1.8 * np.exp(-since / 1.2) * np.sin(2.4 * since)
        elif label == 4:
            sig = np.clip(1.5 * turn, -0.6, 0.6) * 1.6
        else:
            sig = turn
        gain = rng.uniform(0.6, 1.6)
        rows.append(gain * sig + rng.normal(0, 2) + rng.normal(0, 0.7, length))
    frame = pd.DataFrame(np.array(rows), columns=[f"v{j:02d}" for j in range(length)])
    return table_set("vibrations", frame, y)


def daily_loads(n: int = 800, length: int = 48, seed: int = 1301) -> Dataset:
    """Household electricity over a day, half-hourly and aligned to the clock, of five kinds:
    morning and evening peaks (commuters), a daytime plateau (home office), night heating,
    an evening peak only, and midday and early-evening cooking; each day with its own level,
    gain, peak times (sd 30 minutes), noise and three appliance spikes at random times."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 5, n)
    t = np.arange(length) * 24 / length

    def bump(centre, width):
        gap = np.abs(t - centre)
        gap = np.minimum(gap, 24 - gap)  # the day wraps around midnight
        return np.exp(-0.5 * (gap / width) ** 2)

    rows = []
    for label in y:
        j = lambda: rng.normal(0, 0.5)  # noqa: E731
        if label == 0:
            sig = bump(7.5 + j(), 1.0) + 1.2 * bump(19 + j(), 1.5)
        elif label == 1:
            on, off = 9 + j(), 17 + j()
            sig = 0.9 / (1 + np.exp(-(t - on) * 3)) / (1 + np.exp((t - off) * 3))
        elif label == 2:
            sig = 1.2 * bump(2.5 + j(), 2.0)
        elif label == 3:
            sig = 1.5 * bump(20.5 + j(), 1.2)
        else:
            sig = bump(12.5 + j(), 1.0) + bump(18 + j(), 1.0)
        gain = rng.uniform(0.5, 2.0)
        spikes = np.zeros(length)
        spikes[rng.integers(0, length, 3)] = rng.uniform(0.5, 1.5, 3)
        rows.append(rng.uniform(0.1, 1.0) + gain * (sig + spikes
                                                     + rng.normal(0, 0.15, length)))
    frame = pd.DataFrame(np.array(rows), columns=[f"h{j:02d}" for j in range(length)])
    return table_set("daily-loads", frame, y)


def seasonal_loads(n: int = 1000, length: int = 24, seed: int = 1303) -> Dataset:
    """A town's hourly electricity demand on winter and summer days: the same daily shape
    (a night trough, a morning rise, a midday plateau, an evening peak) whose times and
    heights differ a little with the season (lighting peaks an hour and a half earlier in
    winter and higher; summer afternoons carry cooling), each day with its own level, gain,
    timing (sd 40 minutes) and noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    t = np.arange(length, dtype=float)

    def bump(centre, width):
        return np.exp(-0.5 * ((t - centre) / width) ** 2)

    rows = []
    for label in y:
        j = lambda: rng.normal(0, 0.67)  # noqa: E731
        rise = 1 / (1 + np.exp(-(t - (7 + j())) * 1.5))
        if label == 0:  # winter
            sig = rise * (0.8 + 0.1 * bump(12 + j(), 3)) + 0.55 * bump(18 + j(), 1.5)
        else:  # summer
            sig = rise * (0.8 + 0.25 * bump(15 + j(), 3)) + 0.4 * bump(19.5 + j(), 1.5)
        sig = sig * (1 - 0.5 * bump(23.5, 1.5))
        rows.append(rng.uniform(0.5, 1.5) + rng.uniform(0.6, 1.4) * sig
                    + rng.normal(0, 0.05, length))
    frame = pd.DataFrame(np.array(rows), columns=[f"h{j:02d}" for j in range(length)])
    return table_set("seasonal-loads", frame, y)


def spectra(n: int = 600, length: int = 120, seed: int = 1302) -> Dataset:
    """Absorbance spectra of four kinds of sample, aligned by wavelength: six bands at fixed
    places whose heights differ by kind (each sample's own by up to 30 %), under a sloped
    baseline, an offset and a multiplicative scatter of its own, and noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, n)
    x = np.linspace(0, 1, length)
    places = np.array([0.15, 0.3, 0.45, 0.6, 0.75, 0.9])
    widths = rng.uniform(0.03, 0.06, 6)
    heights = rng.uniform(0.2, 1.0, (4, 6))
    rows = []
    for label in y:
        h = heights[label] * rng.uniform(0.7, 1.3, 6)
        at = places + rng.normal(0, 0.003, 6)
        bands = (h[:, None] * np.exp(-0.5 * ((x[None] - at[:, None]) / widths[:, None]) ** 2)
                 ).sum(axis=0)
        baseline = rng.uniform(0, 2) + rng.uniform(-0.5, 0.5) * x
        rows.append(rng.uniform(0.6, 1.6) * (bands + baseline) + rng.normal(0, 0.02, length))
    frame = pd.DataFrame(np.array(rows), columns=[f"w{j:03d}" for j in range(length)])
    return table_set("spectra", frame, y)


def heartbeats(n: int = 1000, length: int = 100, seed: int = 1404) -> Dataset:
    """One heartbeat per row, of five kinds: normal (P wave, narrow QRS, upright T), a
    ventricular beat (no P, a wide QRS, an inverted T), ST elevation (the segment between S
    and T raised), an inverted T, and flutter (a sawtooth in place of the P wave); each beat
    at its own place in the window (up to 8 readings either way), width, gain, baseline and
    wander, in noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 5, n)
    t = np.arange(length, dtype=float)

    def wave(centre, width, height):
        return height * np.exp(-0.5 * ((t - centre) / width) ** 2)

    rows = []
    for label in y:
        c = 40 + rng.uniform(-8, 8)  # the R peak
        s = rng.uniform(0.85, 1.15)  # the beat's own width
        wide = 3.0 if label == 1 else 1.0
        qrs = (wave(c - 3 * s * wide, 1.2 * s * wide, -0.15)
               + wave(c, 1.5 * s * wide, 1.0 if label != 1 else 1.3)
               + wave(c + 3 * s * wide, 1.2 * s * wide, -0.25))
        p = 0.0 if label in (1, 4) else wave(c - 16 * s, 3 * s, 0.15)
        tw = wave(c + 24 * s, 6 * s, -0.3 if label in (1, 3) else 0.3)
        sig = p + qrs + tw
        if label == 2:  # ST elevation
            sig = sig + 0.25 / (1 + np.exp(-(t - c - 5 * s))) / (1 + np.exp(t - c - 22 * s))
        if label == 4:  # flutter waves before the QRS
            saw = 0.12 * (((t / rng.uniform(7, 9)) + rng.uniform(0, 1)) % 1.0 - 0.5)
            sig = sig + saw * (t < c - 5 * s)
        wander = rng.uniform(-0.2, 0.2) * np.sin(2 * np.pi * t / length + rng.uniform(0, 6.3))
        rows.append(rng.uniform(0.6, 1.5) * sig + rng.normal(0, 0.3) + wander
                    + rng.normal(0, 0.04, length))
    frame = pd.DataFrame(np.array(rows), columns=[f"e{j:03d}" for j in range(length)])
    return table_set("heartbeats", frame, y)
