"""The account flows, once, for the CLI and the TUI: add, check, rotate, remove, list, balances.

A screen or a command collects input and shows results; it never signs a request
or touches the keyring. Every flow that stores a key verifies it first: a refused
key stores nothing, and a replacement is swapped in only once the exchange has
accepted it, so the old key stays in place on any failure.

The store is synchronous (keyring, files, locks): its calls run on one dedicated
thread, so the event loop never blocks on D-Bus or a lock, and a lock taken for
a flow is released by the thread that took it.
"""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import TypeVar

from pydantic import SecretStr

from exchange_tui.exchanges.base import EXCHANGES, Exchange, ExchangeClient
from exchange_tui.models import Balance, Credentials, KeyReport
from exchange_tui.store import AccountRecord, AccountStore, CheckSummary
from exchange_tui.validation import InvalidInput, check_credentials, check_label

T = TypeVar("T")


class KeyRefused(Exception):
    """The exchange did not accept the key (or could not be reached): nothing was stored or swapped."""

    def __init__(self, report: KeyReport) -> None:
        error = report.error
        super().__init__(error.hint if error else "the key was not accepted")
        self.report = report


@dataclass(frozen=True)
class Connected:
    """A flow's outcome: the account as stored and what the exchange said of its key."""

    record: AccountRecord
    report: KeyReport


@dataclass(frozen=True)
class BalanceSnapshot:
    label: str
    balances: list[Balance]
    total_usdt: Decimal
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


class AccountService:
    """The flows over one :class:`AccountStore`.

    ``base_url`` overrides every account's exchange URL for this service (a
    command's ``--url``); otherwise an account's own override, then the
    environment, then the exchange's default.
    """

    def __init__(
        self,
        store: AccountStore,
        *,
        base_url: str | None = None,
        exchanges: Mapping[str, Exchange] = EXCHANGES,
    ) -> None:
        self.store = store
        self.base_url = base_url
        self.exchanges = exchanges
        self._store_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="exchange-tui-store")
        self._flows: dict[str, asyncio.Lock] = {}
        self._clients: dict[str, ExchangeClient] = {}

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
        self._store_thread.shutdown(wait=True)

    async def _stored(self, call: Callable[..., T], *args: object) -> T:
        """Run one store call on the store's own thread."""
        return await asyncio.get_running_loop().run_in_executor(self._store_thread, call, *args)

    def _exchange(self, exchange: str) -> Exchange:
        if exchange not in self.exchanges:
            known = ", ".join(sorted(self.exchanges))
            raise InvalidInput("exchange", f"Unknown exchange {exchange!r}: exchange-tui works with {known}")
        return self.exchanges[exchange]

    def _connect(self, exchange: str, credentials: Credentials, demo_trading: bool, base_url: str | None) -> ExchangeClient:
        return self._exchange(exchange).connect(credentials, demo_trading, self.base_url or base_url)

    async def _verify(
        self, exchange: str, credentials: Credentials, demo_trading: bool, base_url: str | None, warnings: list[str]
    ) -> KeyReport:
        async with aclosing(self._connect(exchange, credentials, demo_trading, base_url)) as client:
            report = await client.check_key()
        report.warnings[:0] = warnings
        if not report.connected:
            raise KeyRefused(report)
        return report

    def _flow_lock(self, label: str) -> asyncio.Lock:
        return self._flows.setdefault(label.casefold(), asyncio.Lock())

    # -- reading ---------------------------------------------------------

    async def accounts(self) -> list[AccountRecord]:
        return await self._stored(self.store.accounts)

    async def account(self, label: str) -> AccountRecord:
        return await self._stored(self.store.get, label)

    # -- flows -----------------------------------------------------------

    async def add(
        self,
        exchange: str,
        label: str,
        api_key: SecretStr,
        secret_key: SecretStr,
        passphrase: SecretStr,
        *,
        demo_trading: bool = False,
        base_url: str | None = None,
    ) -> Connected:
        """Verify a new key with the exchange, then store it. A refused key stores nothing."""
        label = check_label(label)
        self._exchange(exchange)
        checked = check_credentials(exchange, api_key, secret_key, passphrase)
        async with self._flow_lock(label):
            if any(r.key == label.casefold() for r in await self.accounts()):
                raise InvalidInput("label", f"An account named {label!r} exists already: pick another label")
            report = await self._verify(exchange, checked.credentials, demo_trading, base_url, checked.warnings)
            await self._stored(
                lambda: self.store.add(
                    exchange, label, checked.credentials, demo_trading=report.demo_trading, base_url=base_url
                )
            )
            record = await self._stored(self.store.record_check, label, CheckSummary.from_report(report))
        return Connected(record, report)

    async def check(self, label: str) -> Connected:
        """Check a stored key again and remember the outcome (connected or not: never raises for it)."""
        record = await self.account(label)
        credentials = await self._stored(self.store.credentials, record.label)
        async with aclosing(self._connect(record.exchange, credentials, record.demo_trading, record.base_url)) as client:
            report = await client.check_key()
        record = await self._stored(self.store.record_check, record.label, CheckSummary.from_report(report))
        return Connected(record, report)

    async def rotate(self, label: str, api_key: SecretStr, secret_key: SecretStr, passphrase: SecretStr) -> Connected:
        """Replace an account's key: the new one is verified first and swapped in only if accepted.

        The account is locked for the whole flow, across processes too, so two
        rotations of one account cannot interleave.
        """
        async with self._flow_lock(label):
            record = await self.account(label)
            checked = check_credentials(record.exchange, api_key, secret_key, passphrase)
            held = self.store.lock(record.label)
            await self._stored(held.__enter__)
            try:
                report = await self._verify(
                    record.exchange, checked.credentials, record.demo_trading, record.base_url, checked.warnings
                )
                await self._stored(self.store.replace_credentials, record.label, checked.credentials)
                record = await self._stored(self.store.record_check, record.label, CheckSummary.from_report(report))
            finally:
                await self._stored(held.__exit__, None, None, None)
            await self._forget_client(record.label)
        return Connected(record, report)

    async def remove(self, label: str) -> AccountRecord:
        async with self._flow_lock(label):
            record = await self._stored(self.store.remove, label)
            await self._forget_client(record.label)
        return record

    async def balances(self, label: str) -> BalanceSnapshot:
        """The account's trading balances now, over a connection kept for the next refresh."""
        record = await self.account(label)
        client = self._clients.get(record.key)
        if client is None:
            credentials = await self._stored(self.store.credentials, record.label)
            client = self._clients[record.key] = self._connect(
                record.exchange, credentials, record.demo_trading, record.base_url
            )
        balances, total = await client.balances()
        return BalanceSnapshot(record.label, balances, total)

    async def _forget_client(self, label: str) -> None:
        client = self._clients.pop(label.casefold(), None)
        if client is not None:
            await client.aclose()
