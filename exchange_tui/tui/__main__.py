"""``python -m exchange_tui.tui``: the same as ``exchange-tui``, so the app has the same options either way."""

import sys

from exchange_tui.cli import main

sys.exit(main())
