from exchange_tui.cli import script

script()
