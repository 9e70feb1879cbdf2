import sys

from exchange_tui.cli import main

sys.exit(main())
