"""``python -m exchange_tui.tui``: the same as ``exchange-tui``, so the app has the same options either way."""

from exchange_tui.cli import script

script()
