"""``exchange-tui`` killed with SIGKILL, as ``kill -9`` kills it, the moment its first write to Vault returns.

    PYTHONPATH=tests/vault python -m cut_short add bitget LABEL    (the key on stdin, as for exchange-tui)

The real command runs; only its first data write to Vault is followed by the signal, so an add dies
between the account's key landing and its details (the custom metadata) being written, and Vault
holds exactly what a crash at that moment leaves. A test hook: the product has none.
"""

import os
import signal
import sys

from exchange_tui.cli import main
from exchange_tui.store.vault import VaultAccountStore

write = VaultAccountStore._write


def write_then_die(self, *args, **kwargs):
    write(self, *args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)


VaultAccountStore._write = write_then_die
sys.exit(main())
