"""exchange-tui: connect exchange API keys, verify them, keep them in the keyring, watch balances."""

__version__ = "0.1.0"
