"""``python -m exchange_tui.tui [--demo] [--url URL]``: the app without the CLI around it."""

import argparse
import sys

from exchange_tui.tui import run

parser = argparse.ArgumentParser(prog="python -m exchange_tui.tui", description="exchange-tui's full-screen app")
parser.add_argument("--demo", action="store_true", help="the built-in Bitget simulator and a throwaway store")
parser.add_argument("--url", help="the exchange's base URL (e.g. a simulator's)")
arguments = parser.parse_args()
sys.exit(run(demo=arguments.demo, base_url=arguments.url))
