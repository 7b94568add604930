"""Where the event loop is held: every callback the loop runs is timed, and those that hold it
longer than a threshold are kept with where their task was before and after (the code between
the two ran without letting the loop go). A diagnosis for the benches, never loaded by the bot.

``install(path)`` in a bot process (``BENCH_LOOPTRACE=<file>`` in ``bench.updates``): at exit
the histogram of the spans and the slow spans are written to ``path`` as JSON, which
``summary(path)`` turns into lines: how often the loop was held for 1, 5, 10, 20, 50 ms and
more, and the code locations that held it longest (count, total, worst).
"""

from __future__ import annotations

import asyncio
import atexit
import gc
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

BUCKETS = (0.001, 0.005, 0.010, 0.020, 0.050, 0.100)
ROOT = str(Path(__file__).resolve().parents[1])


def _frames(coro: Any) -> list[str]:
    """The chain of the project's frames a coroutine waits in, outermost first."""
    found: list[str] = []
    seen = 0
    while coro is not None and seen < 40:
        seen += 1
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is None:
            break
        name = frame.f_code.co_filename
        if name.startswith(ROOT) and "/.venv/" not in name:
            found.append(f"{name[len(ROOT) + 1 :]}:{frame.f_lineno} {frame.f_code.co_name}")
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
    return found


def _where(handle: asyncio.Handle) -> tuple[str, list[str]]:
    callback = getattr(handle, "_callback", None)
    task = getattr(callback, "__self__", None)
    if isinstance(task, asyncio.Task):
        return task.get_name().split("-")[0], _frames(task.get_coro())
    return getattr(callback, "__qualname__", repr(callback))[:80], []


def install(path: str, threshold: float = 0.001) -> None:
    histogram: Counter[str] = Counter()
    spans: list[tuple[float, float, str]] = []  # (when it ended, seconds, place)
    held = [0.0, 0]
    # Every callback of a chat's lane: (when it ended, seconds, chat id), to put a cost on
    # each update (see lane_costs).
    lanes: list[tuple[float, float, str]] = []
    original = asyncio.events.Handle._run

    def lane_of(handle: asyncio.Handle) -> str:
        task = getattr(getattr(handle, "_callback", None), "__self__", None)
        return task.get_name().split("-", 1)[1] if isinstance(task, asyncio.Task) else ""

    def timed(handle: asyncio.Handle) -> None:
        task_name, before = _where(handle)
        start = time.perf_counter()
        original(handle)
        took = time.perf_counter() - start
        held[0] += took
        held[1] += 1
        for bound in reversed(BUCKETS):
            if took >= bound:
                histogram[f">={bound * 1000:g} ms"] += 1
                break
        if task_name == "chat" and len(lanes) < 1_000_000:
            lanes.append((time.monotonic(), took, lane_of(handle)))
        if took >= threshold and len(spans) < 200_000:
            _, after = _where(handle)
            place = " | ".join((before[-2:] or [task_name]) + ["->"] + (after[-2:] or ["done"]))
            spans.append((time.monotonic(), took, place))

    asyncio.events.Handle._run = timed  # type: ignore[method-assign]
    collections: list[tuple[float, float, int]] = []  # (when it ended, seconds, generation)
    collecting = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collecting[0] = time.perf_counter()
        elif len(collections) < 200_000:
            took = time.perf_counter() - collecting[0]
            collections.append((time.monotonic(), took, info["generation"]))

    gc.callbacks.append(on_gc)

    def write() -> None:
        data = {
            "callbacks": held[1],
            "held_s": held[0],
            "histogram": histogram,
            "spans": spans,
            "gc": collections,
            "lanes": lanes,
            "frozen": gc.get_freeze_count(),
        }
        Path(path).write_text(json.dumps(data, ensure_ascii=False))

    atexit.register(write)


def summary(path: str, window: tuple[float, float] | None = None, top: int = 12) -> list[str]:
    """Lines about the spans that ended within ``window`` (monotonic seconds; all if None)."""
    data = json.loads(Path(path).read_text())
    spans = [s for s in data["spans"] if window is None or window[0] <= s[0] <= window[1]]
    lines = [
        f"loop callbacks {data['callbacks']:,} in the whole run, the loop held"
        f" {data['held_s']:.1f} s in all; spans: "
        + ", ".join(
            f">={b * 1000:g} ms {data['histogram'].get(f'>={b * 1000:g} ms', 0)}" for b in BUCKETS
        )
    ]
    if window is not None:
        counts = Counter(
            next((f">={b * 1000:g} ms" for b in reversed(BUCKETS) if s[1] >= b), "") for s in spans
        )
        lines.append(
            f"  of which in the window of {window[1] - window[0]:.1f} s: "
            + ", ".join(f">={b * 1000:g} ms {counts.get(f'>={b * 1000:g} ms', 0)}" for b in BUCKETS)
        )
    if data.get("frozen"):
        lines.append(f"  objects kept out of collections (gc.freeze): {data['frozen']:,}")
    for generation in (0, 1, 2):
        runs = [
            c[1]
            for c in data.get("gc", ())
            if c[2] == generation and (window is None or window[0] <= c[0] <= window[1])
        ]
        if runs:
            lines.append(
                f"  garbage collections of generation {generation}: {len(runs)}, worst"
                f" {max(runs) * 1000:.1f} ms, {sum(runs) * 1000:.0f} ms in all"
            )
    by_place: dict[str, list[float]] = defaultdict(list)
    for _, took, place in spans:
        if took >= 0.005:
            by_place[place].append(took)
    for place, took in sorted(by_place.items(), key=lambda kv: -sum(kv[1]))[:top]:
        lines.append(
            f"  {len(took):5d}x >=5 ms, total {sum(took) * 1000:6.0f} ms, worst"
            f" {max(took) * 1000:6.1f} ms: {place}"
        )
    return lines


def lane_costs(path: str, steps: list[tuple[float, float, str, int]], top: int = 12) -> list[str]:
    """The event loop's time spent in each chat's lane, put on the update of that chat pushed
    last before (``steps``: when pushed, latency, label, chat id): per kind of update, the
    mean and the largest, heaviest first."""
    data = json.loads(Path(path).read_text())
    pushed: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for index, (at, _, _, chat) in enumerate(steps):
        pushed[str(chat)].append((at, index))
    cost = [0.0] * len(steps)
    for end, took, chat in data.get("lanes", ()):
        before = [index for at, index in pushed.get(chat, ()) if at <= end]
        if before:
            cost[before[-1]] += took
    by_label: dict[str, list[float]] = defaultdict(list)
    for (_, _, label, _), spent in zip(steps, cost, strict=True):
        by_label[label].append(spent)
    lines = ["loop time in the chat's lane per update (mean / largest), heaviest first:"]
    ranked = sorted(by_label.items(), key=lambda kv: -sum(kv[1]) / len(kv[1]))
    for label, spent in ranked[:top]:
        lines.append(
            f"  {sum(spent) / len(spent) * 1000:5.1f} / {max(spent) * 1000:5.1f} ms"
            f"  ({len(spent)}x)  {label}"
        )
    return lines


if __name__ == "__main__":
    print("\n".join(summary(sys.argv[1], None, int(sys.argv[2]) if len(sys.argv) > 2 else 12)))
