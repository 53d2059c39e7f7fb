"""Load test: concurrent browser sessions on a 50,000-point project while a heavy job runs.

1. Builds a store with one 50k-point project (16-D blob embeddings, k-means 20) and its
   explanations, then starts ``streamlit run app.py`` on it.
2. Starts one heavy background job (DEC training on the same 50k points) through the job
   runner, as a user clicking Run would.
3. Opens SESSIONS browser contexts (Playwright, headless Chromium) that each, in a loop,
   change the map colouring, lasso points, and every few steps go to Review and move their
   selection into a new named cluster (labelling), then return to Explore, pausing 1-3 s
   before each action as a person looking at the screen would.
   Two latencies are recorded for every action:
   * end to end: from the input event to the ``script_finished`` message for that rerun,
     read from the page's own websocket;
   * server side: from the rerun request arriving at the server to its ``script_finished``
     leaving it, measured by a timing proxy (``ws_proxy.py``) between browsers and server.
   The browsers run in the SCHED_IDLE CPU class (see :func:`idle_chromium`): ten
   software-rendering browsers share this machine with the server under test, where users'
   browsers would run on their own machines; the server, the proxy and the job (nice 10)
   get the CPU first.
4. Connects and disconnects CYCLES times (open the page, wait for its first run to finish,
   close) and samples the server's resident memory every 10 cycles.

    python benchmarks/load_test.py [--sessions 10] [--actions 20] [--cycles 200]

Writes ``benchmarks/results/load.json`` and prints it. Needs Debian's chromium.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from ports import free_port, wait_for_port  # noqa: E402

FINISHED = {"FINISHED_SUCCESSFULLY", "FINISHED_FRAGMENT_RUN_SUCCESSFULLY"}
THINK_S = (1.0, 3.0)
"""Pause before each action (uniform, seconds): sessions act like people, not in lockstep."""
ARRIVAL_S = 3.0
"""Session i opens the app i * ARRIVAL_S seconds after the first."""
SMALL = 4096
"""Websocket frames longer than this are page elements, not parsed."""
DRIVER_NICE = 5
"""This script and Playwright's driver run at this nice level: below the server and the
proxy (0), above the job (10); the browsers are in the idle class below all of them."""
RELEASE_S = 150.0
"""Streamlit keeps a disconnected session 120 s for a reconnect and frees it at a later
sweep. Cycling starts this long after the load sessions closed, and memory samples count
from this long into cycling, when the number of kept cycling sessions has stopped rising
(the ten load sessions were freed 130-200 s after they closed in our runs, always before
the samples that count; ``memory`` keeps every sample)."""


def rss_mib(pid: int) -> float:
    """Resident memory of a process, MiB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def prepare(home: Path) -> dict:
    """The 50k project, its run and its explanations (computed before the clock starts)."""
    from app_50k import make_project

    from workspace.explanations import ensure_explanations
    from workspace.store import Store

    cli_s = make_project(home)
    store = Store(home)
    run = store.runs()[0]
    start = time.monotonic()
    ensure_explanations(Path(run["path"]), store)
    return {"cli_run_s": round(cli_s, 1), "explain_s": round(time.monotonic() - start, 1),
            "run_key": run["key"], "project_id": run["project_id"], "data": str(home /
                                                                              "blobs50k.npy")}


def start_server(home: Path) -> tuple[subprocess.Popen, subprocess.Popen, str, Path]:
    """The app server, and the timing proxy the browsers connect through."""
    port, proxy_port = free_port(), free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py",
                             "--server.port", str(port), "--server.headless", "true",
                             "--server.fileWatcherType", "none"],
                            cwd=ROOT, env={**os.environ, "CLUSTERLAB_HOME": str(home)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port)
    timings = home / "proxy.jsonl"
    proxy = subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "ws_proxy.py"),
                              str(proxy_port), str(port), str(timings)], cwd=ROOT)
    wait_for_port(proxy_port)
    return proc, proxy, f"http://127.0.0.1:{proxy_port}", timings


def _parse(message_type, payload):
    """A Streamlit protobuf message from a binary websocket frame (None for anything else)."""
    if isinstance(payload, str):
        return None
    msg = message_type()
    try:
        msg.ParseFromString(payload)
    except Exception:  # noqa: BLE001 - not this message type
        return None
    return msg


class Session:
    """One browser context whose page records every finished rerun from its websocket."""

    def __init__(self, page) -> None:
        self.page = page
        self.finished: list[float] = []
        self.conflicts = 0
        page.on("websocket", self._watch)

    def _watch(self, ws) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        def frame(payload) -> None:
            if len(payload) > SMALL:  # elements; script_finished is a few bytes
                return
            msg = _parse(ForwardMsg, payload)
            if msg is not None and msg.WhichOneof("type") == "script_finished" and \
                    ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished) in FINISHED:
                self.finished.append(time.monotonic())

        ws.on("framereceived", frame)

    async def timed(self, action, timeout: float = 120.0) -> float:
        """Seconds from the input event to the next finished rerun seen by the page."""
        start = time.monotonic()
        await action()
        deadline = start + timeout
        while time.monotonic() < deadline:
            done = [t for t in self.finished if t > start]
            if done:
                return done[0] - start
            await asyncio.sleep(0.01)
        raise TimeoutError("no rerun finished")


async def lasso(page, frac: float, rng: random.Random) -> None:
    canvas = page.locator(".clm-stage canvas").first
    # at 1024 x 720 the map starts near the bottom of the window: a user scrolls to it first
    # (a drag past the window's edge selects nothing, and no rerun follows)
    await canvas.scroll_into_view_if_needed()
    box = await canvas.bounding_box()
    cx = box["x"] + box["width"] * rng.uniform(0.45, 0.55)
    cy = box["y"] + box["height"] * rng.uniform(0.45, 0.55)
    rx, ry = box["width"] * frac, box["height"] * frac
    await page.mouse.move(cx - rx, cy - ry)
    await page.mouse.down()
    for fx, fy in ((1, -1), (1, 1), (-1, 1), (-1, -1)):
        await page.mouse.move(cx + fx * rx, cy + fy * ry, steps=4)


async def one_session(browser, url: str, index: int, actions: int, results: dict) -> None:
    rng = random.Random(index)
    await asyncio.sleep(ARRIVAL_S * index)  # users arrive one after another
    context = await browser.new_context(viewport={"width": 1024, "height": 720})
    page = await context.new_page()
    # ten pages drawing 50k points on the CPU left over to idle-class browsers
    page.set_default_timeout(600_000)
    s = Session(page)
    try:
        await page.goto(url)
        await page.wait_for_selector(".clm-root[data-ready='1']")
        await page.get_by_text("Your name (for the audit trail)").wait_for()
    except Exception as exc:  # noqa: BLE001 - a session that never opened is reported
        results.setdefault("failed", []).append(f"session {index} did not open: {exc!s:.80}")
        await context.close()
        return
    times = results.setdefault("latency", {})
    for step in range(actions):
        kind = ("colour", "lasso", "label")[step % 3]
        await asyncio.sleep(rng.uniform(*THINK_S))  # a user looks before the next click
        try:
            took = await _action(page, s, kind, step, index, rng, times)
        except Exception as exc:  # noqa: BLE001 - a failed action is counted, not fatal
            results.setdefault("failed", []).append(f"session {index} {kind}: {exc!s:.80}")
            try:  # start over from the page, as the user would; give up if even that fails
                await page.goto(url)
                await page.wait_for_selector(".clm-root[data-ready='1']")
            except Exception as again:  # noqa: BLE001 - the session ends, the run goes on
                results["failed"].append(f"session {index} did not reopen: {again!s:.80}")
                break
            continue
        if took is not None:
            times.setdefault(kind, []).append(took)
            print(f"session {index} step {step} {kind}: {took:.2f} s", flush=True)
    results["conflicts"] = results.get("conflicts", 0) + s.conflicts
    await context.close()


async def _action(page, s: Session, kind: str, step: int, index: int, rng, times):
    """One user action; returns its latency (None when there was nothing to label)."""
    if kind == "colour":
        box = page.locator("[data-testid=stSelectbox]").filter(has_text="Colour by")
        await box.locator("input").first.click()
        await page.keyboard.type(("confidence", "ambiguity", "cluster")[step % 3])
        return await s.timed(lambda: page.keyboard.press("Enter"))
    if kind == "lasso":
        await lasso(page, rng.uniform(0.12, 0.2), rng)
        return await s.timed(lambda: page.mouse.up())
    nav = times.setdefault("navigate", [])
    nav.append(await s.timed(lambda: page.get_by_role("link", name="Review").first.click()))
    await page.get_by_role("heading", name="Review").first.wait_for()
    took = None
    field = page.get_by_label("Name of the new cluster")
    if await field.count():
        await field.fill(f"s{index}-{step}")
        took = await s.timed(lambda: page.get_by_role("button", name="Move selection").click())
        if await page.get_by_text("was not saved").count():
            s.conflicts += 1
    nav.append(await s.timed(lambda: page.get_by_role("link", name="Explore").first.click()))
    await page.wait_for_selector(".clm-root[data-ready='1']")
    return took


async def cycles(browser, url: str, n: int, server_pid: int) -> list[dict]:
    begin = time.monotonic()
    samples = [{"cycle": 0, "t_s": 0.0, "rss_mib": round(rss_mib(server_pid), 1)}]
    for i in range(1, n + 1):
        context = await browser.new_context(viewport={"width": 1024, "height": 720})
        page = await context.new_page()
        page.set_default_timeout(180_000)
        s = Session(page)
        start = time.monotonic()
        await page.goto(url)
        while not s.finished and time.monotonic() - start < 180:
            await asyncio.sleep(0.02)
        await context.close()
        if i % 10 == 0:
            samples.append({"cycle": i, "t_s": round(time.monotonic() - begin, 1),
                            "rss_mib": round(rss_mib(server_pid), 1)})
            print(f"cycle {i}: server RSS {samples[-1]['rss_mib']} MiB", flush=True)
    return samples


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def idle_chromium(folder: Path) -> str:
    """A chromium launcher that runs the browsers in the SCHED_IDLE class: the ten
    software-rendering browsers share this machine with the server under test, and
    would otherwise take its CPU (Chromium raises its GPU process to nice -8); users'
    browsers run on their own machines. (Playwright's driver stays in the normal class:
    starved, it delays every page event past the test's timeouts.)"""
    launcher = folder / "chromium-idle"
    launcher.write_text(f'#!/bin/sh\nexec chrt --idle 0 {shutil.which("chromium")} "$@"\n')
    launcher.chmod(0o755)
    return str(launcher)


async def drive(url: str, server_pid: int, args) -> dict:
    from playwright.async_api import async_playwright

    results: dict = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=idle_chromium(args.home), args=[
            "--no-sandbox", "--disable-background-networking", "--disable-sync",
            "--disable-component-update", "--disable-gpu"])
        rss_before = rss_mib(server_pid)
        start = time.monotonic()
        await asyncio.gather(*(one_session(browser, url, i, args.actions, results)
                               for i in range(args.sessions)))
        results["load_window"] = (start, time.monotonic())
        results["load_wall_s"] = round(time.monotonic() - start, 1)
        results["server_rss_mib_during_load"] = [round(rss_before, 1),
                                                 round(rss_mib(server_pid), 1)]
        await asyncio.sleep(RELEASE_S)  # the load sessions are freed before cycling
        results["server_rss_mib_before_cycling"] = round(rss_mib(server_pid), 1)
        results["memory"] = await cycles(browser, url, args.cycles, server_pid)
        await browser.close()
    return results


def server_side(timings: Path, window: tuple[float, float]) -> list[float]:
    """Rerun latencies the proxy measured while the sessions were acting."""
    lines = [json.loads(line) for line in timings.read_text().splitlines() if line]
    return [e["latency_s"] for e in lines if window[0] <= e["t"] <= window[1]]


def summarise(raw: dict, args, timings: Path) -> dict:
    lat = raw.pop("latency")
    every = [t for kind in lat.values() for t in kind]
    server = server_side(timings, raw.pop("load_window"))
    out = {"sessions": args.sessions, "actions_per_session": args.actions,
           "reruns_measured": len(every),
           "p50_s": round(statistics.median(every), 3), "p95_s": round(percentile(every, 0.95),
                                                                         3),
           "max_s": round(max(every), 3),
           "server_side": {"n": len(server), "p50_s": round(statistics.median(server), 3),
                           "p95_s": round(percentile(server, 0.95), 3)},
           "by_action": {k: {"n": len(v), "p50_s": round(statistics.median(v), 3),
                             "p95_s": round(percentile(v, 0.95), 3)} for k, v in lat.items()},
           **raw}
    mem = [m["rss_mib"] for m in out["memory"]]
    # kept (disconnected) cycling sessions, and memory, rise for RELEASE_S, then hold
    warm = [m["rss_mib"] for m in out["memory"] if m["t_s"] >= RELEASE_S] or mem[-3:]
    mean = statistics.mean(warm)
    out["memory_after_warmup_mib"] = {"mean": round(mean, 1), "min": min(warm),
                                      "max": max(warm)}
    out["memory_max_deviation_from_mean"] = round(max(abs(v - mean) for v in warm) / mean, 3)
    out["memory_first_last_mib"] = [mem[0], mem[-1]]
    out["targets"] = {"p95_under_1_5_s": out["p95_s"] < 1.5,
                      "server_side_p95_under_1_5_s": out["server_side"]["p95_s"] < 1.5,
                      "memory_flat_within_10pct": out["memory_max_deviation_from_mean"] <= 0.10}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--actions", type=int, default=21)
    parser.add_argument("--cycles", type=int, default=200)
    args = parser.parse_args()

    from clustering.pipeline import RunConfig
    from workspace import jobs
    from workspace.store import Store

    home = Path(tempfile.mkdtemp(prefix="clload-"))
    args.home = home
    setup = prepare(home)
    print("prepared:", setup, flush=True)
    server, proxy, url, timings = start_server(home)
    store = Store(home)
    job, _ = jobs.submit_run(store, RunConfig(data=setup["data"], method="dec", clusters=20,
                                              epochs=2000), setup["project_id"])
    os.nice(DRIVER_NICE)
    try:
        raw = asyncio.run(drive(url, server.pid, args))
        heavy = jobs.get(store, job["id"])
        raw["heavy_job"] = {"method": "dec", "state_at_end": heavy["state"],
                            "progress_at_end": round(heavy["fraction"], 3),
                            "stage": heavy["stage"]}
    finally:
        jobs.cancel(store, job["id"])
        for proc in (proxy, server):
            proc.terminate()
            proc.wait(timeout=30)
    figures = {**summarise(raw, args, timings), "setup": setup, "cores": os.cpu_count()}
    out = ROOT / "benchmarks" / "results" / "load.json"
    out.write_text(json.dumps(figures, indent=1))
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
