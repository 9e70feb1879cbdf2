"""Which account store this process uses: the box's own (OS keyring or encrypted file, plus the
index) or a shared OpenBao / Vault, chosen with ``EXCHANGE_TUI_STORE``.

There is no config file yet, so the environment decides: unset, ``local`` or ``keyring`` mean the
box's own store; ``vault`` (or ``openbao``) the shared one, configured as :mod:`.vault` describes.
Vault's client is imported only when it is chosen.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Protocol

from exchange_tui.models import Credentials

from .accounts import AccountStore, Reconciliation
from .errors import SecretStoreUnavailable
from .index import AccountIndex, AccountRecord, CheckSummary
from .locations import Locations
from .secret_store import DEFAULT_TIMEOUT, PasswordSource, describe_secret_backend

STORE_ENV = "EXCHANGE_TUI_STORE"
LOCAL = "local"
VAULT = "vault"
_CHOICES = {"": LOCAL, "local": LOCAL, "keyring": LOCAL, "vault": VAULT, "openbao": VAULT}


class Accounts(Protocol):
    """What the account service needs of a store; :class:`AccountStore` and ``VaultAccountStore`` have it."""

    kind: str
    description: str
    locations: Locations | None
    """Where the store keeps files on this box (index, encrypted file, locks); ``None`` for one that keeps none."""

    def accounts(self) -> list[AccountRecord]: ...
    def get(self, label: str) -> AccountRecord: ...
    def version(self, label: str) -> int: ...
    def credentials(self, label: str) -> Credentials: ...
    def lock(self, label: str) -> AbstractContextManager[None]: ...
    def add(
        self,
        exchange: str,
        label: str,
        credentials: Credentials,
        *,
        demo_trading: bool = ...,
        base_url: str | None = ...,
        site: str | None = ...,
        testnet: bool = ...,
    ) -> AccountRecord: ...
    def replace_credentials(self, label: str, credentials: Credentials) -> AccountRecord: ...
    def remove(self, label: str) -> AccountRecord: ...
    def record_check(self, label: str, summary: CheckSummary) -> AccountRecord: ...
    def reconcile(self, *, repair: bool = ...) -> Reconciliation: ...


def store_choice(environ: Mapping[str, str] | None = None) -> str:
    """``local`` or ``vault``, from ``EXCHANGE_TUI_STORE``."""
    value = (os.environ if environ is None else environ).get(STORE_ENV, "")
    choice = _CHOICES.get(value.strip().lower())
    if choice is None:
        raise SecretStoreUnavailable(f"{STORE_ENV}={value!r} is not a store: use 'vault', or 'local' (the default)")
    return choice


def open_account_store(
    locations: Locations | None = None,
    *,
    password_source: PasswordSource | None = None,
    environ: Mapping[str, str] | None = None,
    allow_insecure: bool = False,
    lazy: bool = False,
) -> Accounts:
    """The account store for this process. Open it once per process.

    ``allow_insecure``: a Vault at a plain ``http://`` address on another machine is accepted.
    ``lazy``: the box's own secret store is opened when a secret is first needed (:meth:`AccountStore.open`).
    """
    if store_choice(environ) == VAULT:
        from .vault import VaultAccountStore, VaultSettings

        return VaultAccountStore.open(VaultSettings.from_env(environ, allow_insecure=allow_insecure))
    return AccountStore.open(locations, password_source=password_source, lazy=lazy)


def describe_account_store(
    locations: Locations | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    allow_insecure: bool = False,
) -> dict[str, str]:
    """What ``exchange-tui locate`` prints about the store, without logging in or asking for a password.

    Never the token or the AppRole secret id. A Vault keeps no index on the box, so none is named.
    """
    if store_choice(environ) == VAULT:
        from .vault import KIND, VaultSettings

        settings = VaultSettings.from_env(environ, allow_insecure=allow_insecure)
        return {
            "secret_backend": KIND,
            "secret_backend_detail": settings.description,
            "vault_address": settings.address,
            "vault_mount": settings.mount,
            "vault_prefix": settings.prefix,
            "vault_auth": settings.auth_method,
        }
    locations = locations or Locations.from_env(environ)
    pinned = AccountIndex(locations).pinned_backend()
    kind, description = describe_secret_backend(locations, timeout, pinned=pinned)
    return {"index": str(locations.index_file), "secret_backend": kind, "secret_backend_detail": description}
