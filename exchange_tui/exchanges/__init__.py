"""The exchanges: the contract, the shared mechanics, one folder per exchange, and the registry.

Two optional imports of httpx's are marked absent before any adapter imports httpx: the import
system treats a ``None`` entry in ``sys.modules`` as "cannot be imported", and both libraries then
go on without them.

- httpx imports its own command-line client when it can (``httpx._main``: click, rich and
  pygments, about 30 ms and Rich in every headless command). Nothing here ever runs it; httpx then
  defines its stand-in ``main``.
- httpcore imports trio, where it is installed, to run on trio as well as asyncio (about 30 ms).
  Every client here runs on asyncio.
"""

import sys

sys.modules.setdefault("httpx._main", None)
sys.modules.setdefault("trio", None)
