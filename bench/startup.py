"""Time to first paint: the demo app (``exchange-tui --demo``) against a bare Textual app, same run.

Each round starts both in fresh processes (headless, 80x24); a process reports when Textual
tells the app its first frame is on screen (the ``Ready`` event), then exits. Prints medians, peak RSS of both, and last ``ratio=X.XX``
(demo / bare; goal <= 1.3).

    python bench/startup.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

BARE = """
from textual.app import App
from textual.widgets import DataTable, Footer, Header

class Bare(App):
    def compose(self):
        yield Header()
        yield DataTable()
        yield Footer()

    def on_ready(self):
        print("painted", flush=True)
        self.exit()

Bare().run(headless=True, size=(80, 24))
"""

DEMO = """
from exchange_tui.tui.app import ExchangeApp
from exchange_tui.tui.launch import prepared_app

start_background_work = ExchangeApp.on_ready

def on_ready(self):
    print("painted", flush=True)
    start_background_work(self)
    self.exit()

ExchangeApp.on_ready = on_ready
with prepared_app(demo=True) as app:
    app.run(headless=True, size=(80, 24))
"""


def first_paint(code: str) -> tuple[float, int]:
    """Seconds from spawn to the child's first frame, and the child's peak RSS in KiB."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    line = child.stdout.readline()
    elapsed = time.perf_counter() - start
    assert line.strip() == "painted", f"the app did not paint: {line!r}"
    child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    first_paint(BARE)
    first_paint(DEMO)
    bare, demo = [], []
    for _ in range(rounds):
        bare.append(first_paint(BARE))
        demo.append(first_paint(DEMO))
    bare_time = statistics.median(t for t, _ in bare)
    demo_time = statistics.median(t for t, _ in demo)
    print(f"rounds={rounds}")
    print(f"bare textual app (Header, DataTable, Footer): first paint {bare_time * 1000:.0f} ms, "
          f"peak RSS {max(r for _, r in bare) / 1024:.1f} MiB")
    print(f"exchange-tui --demo: first paint {demo_time * 1000:.0f} ms, peak RSS {max(r for _, r in demo) / 1024:.1f} MiB")
    print(f"ratio={demo_time / bare_time:.2f}")


if __name__ == "__main__":
    main()
