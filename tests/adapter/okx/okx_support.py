"""The reference's vector key (reference/okx-v5.md §8), for the OKX adapter's tests."""

from exchange_tui.models import Credentials

VECTOR_KEY = Credentials(
    api_key="0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    secret_key="0123456789ABCDEF0123456789ABCDEF",
    passphrase="Passphrase123!",
)
VECTOR_EPOCH_S = 1700000000
"""2023-11-14T22:13:20.000Z."""
OWS = "Ikt+m8H9a4a71m253i8fzxPPDMmTxHlL+yYR4ULQnlc="
"""The WebSocket login's signature at that instant (the vector OWS)."""
