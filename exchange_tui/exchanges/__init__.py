"""The exchanges: the contract, the shared mechanics, one folder per exchange, and the registry.

httpx imports its own command-line client when it can (``httpx._main``: click, rich and pygments,
about 30 ms and Rich in every headless command). Nothing here ever runs it, so its module is marked
absent before any adapter imports httpx: the import system treats a ``None`` entry in
``sys.modules`` as "cannot be imported", and httpx then defines its stand-in ``main``.
"""

import sys

sys.modules.setdefault("httpx._main", None)
