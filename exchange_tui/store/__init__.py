"""Where accounts are kept: secrets in the OS keyring (or an encrypted file), the rest in an index.

Plain Python, no Textual.
"""

from .locations import Locations

__all__ = ["Locations"]
