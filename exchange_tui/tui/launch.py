"""Building the app for a real run: the user's store, or the demo's simulator and throwaway store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from exchange_tui.tui.app import ExchangeApp

if TYPE_CHECKING:
    from exchange_tui.service import AccountService
    from exchange_tui.store import PasswordSource


def user_opener(*, allow_insecure: bool = False):
    """Opens the user's store: OS keyring, else the encrypted file and its master password, or the
    shared Vault when ``EXCHANGE_TUI_STORE=vault``. Plain-text URLs to other machines are refused
    (``InsecureUrl``) unless ``allow_insecure``."""

    def open_service(password_source: PasswordSource) -> AccountService:
        import os

        from exchange_tui.config import load_settings
        from exchange_tui.service import AccountService
        from exchange_tui.store import open_account_store

        settings = load_settings(os.environ, allow_insecure=allow_insecure)
        store = open_account_store(
            password_source=password_source, environ=settings.environ, allow_insecure=allow_insecure
        )
        return AccountService(store, settings=settings, allow_insecure=allow_insecure)

    return open_service


@contextmanager
def prepared_app(
    *,
    demo: bool = False,
    master_password_fd: int | None = None,
    allow_insecure: bool = False,
) -> Iterator[ExchangeApp]:
    """The app, ready to run; the demo's simulator and store are cleaned up when the block ends.

    ``master_password_fd``: ``--master-password-fd``, for the user's encrypted file (the demo has its own).
    ``allow_insecure``: ``--allow-insecure`` (the demo's simulator is on loopback: it needs none).
    """
    if not demo:
        opener = user_opener(allow_insecure=allow_insecure)
        yield ExchangeApp(opener=opener, master_password_fd=master_password_fd)
        return
    from exchange_tui.tui.demo import DemoSession

    session = DemoSession()
    try:
        yield ExchangeApp(opener=session.open_service, demo=session)
    finally:
        session.close()
