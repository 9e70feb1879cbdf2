"""The account flows, once, for the CLI and the TUI: add, check, rotate, remove, list, balances.

A screen or a command collects input and shows results; it never signs a request
or touches the keyring. Every flow that stores a key verifies it first: a refused
key stores nothing, and a replacement is swapped in only once the exchange has
accepted it, so the old key stays in place on any failure.

The store is synchronous (keyring, files, locks): its calls run on one dedicated
thread, so the event loop never blocks on D-Bus or a lock, and a lock taken for
a flow is released by the thread that took it.

A key can be replaced elsewhere (another process, or another box sharing a Vault).
:meth:`AccountService.watch_rotations` notices: it reads the key's version in the
store every :data:`ROTATION_CHECK_INTERVAL` seconds, and at once when the exchange
refuses the key in use (:meth:`AccountService.key_refused`); balances switch to the
new key on their own. A store that is down (Vault unreachable or sealed) is waited out for a
while, the key in use still working; a store that refuses this box (a token expired or revoked,
an AppRole login refused, a policy, a mount) ends the watch at once.

Keys age and expire: every check records what the exchange's expiry rule
(:attr:`ExchangeSpec.key_expiry`) needs and the instant it gives, and warns once of it and once of a
key past ``key_max_age_days``; a balance read is noted as the key's last use, at most every
:data:`USE_NOTED_EVERY`, for rules that count days unused.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import aclosing, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from pydantic import SecretStr

from exchange_tui.config import KEY_MAX_AGE_DAYS
from exchange_tui.exchanges.base import Connection, ExchangeClient, ExchangeSpec, KeyUse
from exchange_tui.exchanges.errors import AuthenticationFailed
from exchange_tui.exchanges.registry import EXCHANGES
from exchange_tui.models import Balance, BalanceSource, Credentials, ErrorInfo, KeyReport
from exchange_tui.store import (
    ENCRYPTED_FILE,
    AccountNotFound,
    AccountRecord,
    Accounts,
    CheckSummary,
    SecretStoreUnavailable,
    StoreError,
    VaultSealed,
    VaultUnreachable,
)
from exchange_tui.urls import require_secure_url
from exchange_tui.validation import InvalidInput, check_credentials, check_label

if TYPE_CHECKING:
    from exchange_tui.config import Settings

T = TypeVar("T")

ROTATION_CHECK_INTERVAL = 1.5
"""Seconds between two reads of an account's key version while its rotations are watched."""
STORE_TIMEOUT = 60.0
"""Seconds a watch goes on with the key in use while the store fails before it gives up."""
STORE_DOWN = (VaultUnreachable, VaultSealed)
"""Unavailable stores a watch waits out (as it does any other store error); other unavailability ends it at once."""
USE_NOTED_EVERY = timedelta(hours=1)
"""How often a balance read is noted as the key's last use (an expiry rule counting days unused needs no finer)."""

log = logging.getLogger(__name__)


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
    """An account's balances at one moment, and where they came from.

    ``balances`` is ``None`` when that reading failed (``error`` says why): keep the last
    good figures on show, marked stale.
    """

    label: str
    balances: list[Balance] | None
    total_usdt: Decimal | None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))
    source: BalanceSource = BalanceSource.POLLING
    error: ErrorInfo | None = None
    key_version: int | None = None
    """The store's version of the key that read these balances."""


@dataclass(frozen=True)
class KeyInUse:
    """An account's key as the store holds it, with its version there (Vault: the KV version)."""

    record: AccountRecord
    version: int
    credentials: Credentials

    @property
    def label(self) -> str:
        return self.record.label


class AccountService:
    """The flows over one account store (:func:`exchange_tui.store.open_account_store`).

    An account's exchange URL is, first, ``url_overrides``' for its label (a command's ``--url``),
    then the account's own, then ``settings``' for its exchange (the environment, the config file),
    then its site's. An account's own URL that would send its key in clear is refused unless
    ``allow_insecure`` (the others are checked where they are given: the command line, the config).
    """

    def __init__(
        self,
        store: Accounts,
        *,
        settings: Settings | None = None,
        url_overrides: Mapping[str, str] | None = None,
        exchanges: Mapping[str, ExchangeSpec] = EXCHANGES,
        allow_insecure: bool = False,
    ) -> None:
        self.store = store
        self.settings = settings
        self.url_overrides = {label.casefold(): url for label, url in (url_overrides or {}).items()}
        self.exchanges = exchanges
        self.allow_insecure = allow_insecure
        self._store_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="exchange-tui-store")
        self._flows: dict[str, asyncio.Lock] = {}
        self._clients: dict[str, ExchangeClient] = {}
        self._client_versions: dict[str, int] = {}
        self._retired: list[ExchangeClient] = []
        self._wakers: dict[str, set[asyncio.Event]] = {}
        self._use_noted: dict[str, datetime] = {}

    async def __aenter__(self) -> AccountService:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for client in [*self._clients.values(), *self._retired]:
            await client.aclose()
        self._clients.clear()
        self._retired.clear()
        self._store_thread.shutdown(wait=True)

    async def _stored(self, call: Callable[..., T], *args: object) -> T:
        """Run one store call on the store's own thread."""
        return await asyncio.get_running_loop().run_in_executor(self._store_thread, call, *args)

    def exchange(self, exchange: str) -> ExchangeSpec:
        if exchange not in self.exchanges:
            known = ", ".join(self.exchanges)
            raise InvalidInput("exchange", f"Unknown exchange {exchange!r}: exchange-tui works with {known}")
        return self.exchanges[exchange]

    def _site(self, spec: ExchangeSpec, site: str | None) -> str | None:
        if site is None:
            return None
        try:
            return spec.site(site).id
        except KeyError:
            known = ", ".join(s.id for s in spec.sites)
            raise InvalidInput("site", f"{spec.name} has no site {site!r}: one of {known}") from None

    def _connect(self, record: AccountRecord, credentials: Credentials) -> ExchangeClient:
        spec = self.exchange(record.exchange)
        urls = dict(self.settings.urls(spec.id)) if self.settings else {}
        override = self.url_overrides.get(record.key)
        if record.base_url and not override:
            require_secure_url(record.base_url, "the account's own URL (add --url)", allow_insecure=self.allow_insecure)
        if override or record.base_url:
            urls["url"] = override or record.base_url
        return spec.connect(credentials, Connection(record.demo_trading, record.site, urls, record.testnet))

    async def _verify(self, record: AccountRecord, credentials: Credentials, warnings: list[str]) -> KeyReport:
        async with aclosing(self._connect(record, credentials)) as client:
            report = await client.check_key()
        report.warnings[:0] = warnings
        if not report.connected:
            raise KeyRefused(report)
        return report

    def _flow_lock(self, label: str) -> asyncio.Lock:
        return self._flows.setdefault(label.casefold(), asyncio.Lock())

    # -- keys over time ----------------------------------------------------

    @property
    def key_max_age_days(self) -> int:
        return self.settings.key_max_age_days if self.settings else KEY_MAX_AGE_DAYS

    def too_old(self, record: AccountRecord, at: datetime) -> bool:
        """Whether the account's key is past ``key_max_age_days`` at ``at``."""
        return record.age_days(at) > self.key_max_age_days

    def age_warning(self, record: AccountRecord, at: datetime) -> str:
        return (
            f"key is {record.age_days(at)} days old, past key_max_age_days={self.key_max_age_days}: "
            f"rotate it (exchange-tui rotate {record.label})"
        )

    def _with_expiry(self, record: AccountRecord, summary: CheckSummary) -> CheckSummary:
        """``summary`` with the key's expiry by its exchange's rule (none where it has none)."""
        spec = self.exchanges.get(record.exchange)
        rule = spec.key_expiry if spec else None
        expires_at = None
        if rule is not None and summary.key is not None:
            expires_at = rule.at(summary.key, KeyUse(record.key_set_at, summary.last_used))
        return summary.model_copy(update={"expires_at": expires_at})

    def _summary(self, record: AccountRecord, report: KeyReport) -> CheckSummary:
        """The check's summary for the index, with the key's expiry; the report gets the expiry as its
        ``expires_at`` and one warning line about it, and one about the key's age once past the limit."""
        summary = self._with_expiry(record, CheckSummary.from_report(report, record.last_check))
        if report.connected and summary.expires_at is not None:
            report.expires_at = summary.expires_at
            report.warnings.append(self.exchanges[record.exchange].key_expiry.warning(summary.expires_at, report.checked_at))
        if self.too_old(record, report.checked_at):
            report.warnings.append(self.age_warning(record, report.checked_at))
        return summary

    async def _note_use(self, label: str, at: datetime) -> None:
        """Note a successful balance read as the key's last use, at most every :data:`USE_NOTED_EVERY`;
        a store that cannot take it is logged, the balances still shown."""
        key = label.casefold()
        noted = self._use_noted.get(key)
        if noted is not None and at - noted < USE_NOTED_EVERY:
            return
        self._use_noted[key] = at

        def note() -> None:
            record = self.store.get(label)
            check = record.last_check
            if check is None or check.key is None or (check.last_used and at - check.last_used < USE_NOTED_EVERY):
                return
            self.store.record_check(record.label, self._with_expiry(record, check.model_copy(update={"last_used": at})))

        try:
            await self._stored(note)
        except StoreError as error:
            log.warning("noting the use of %s's key failed: %s", label, error)

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
        passphrase: SecretStr | None = None,
        *,
        demo_trading: bool = False,
        testnet: bool = False,
        site: str | None = None,
        base_url: str | None = None,
    ) -> Connected:
        """Verify a new key with the exchange, then store it. A refused key stores nothing."""
        label = check_label(label)
        spec = self.exchange(exchange)
        site = self._site(spec, site)
        checked = check_credentials(spec, api_key, secret_key, passphrase)
        candidate = AccountRecord.new(
            spec.id, label, checked.credentials, demo_trading=demo_trading, base_url=base_url, site=site, testnet=testnet
        )
        async with self._flow_lock(label):
            if any(r.key == label.casefold() for r in await self.accounts()):
                raise InvalidInput("label", f"An account named {label!r} exists already: pick another label")
            report = await self._verify(candidate, checked.credentials, checked.warnings)
            added = await self._stored(
                lambda: self.store.add(
                    spec.id,
                    label,
                    checked.credentials,
                    demo_trading=report.demo_trading,
                    testnet=report.testnet,
                    base_url=base_url,
                    site=report.site or site,
                )
            )
            record = await self._stored(self.store.record_check, label, self._summary(added, report))
        return Connected(record, report)

    async def check(self, label: str) -> Connected:
        """Check a stored key again and remember the outcome (connected or not: never raises for it)."""
        record = await self.account(label)
        credentials = await self._stored(self.store.credentials, record.label)
        async with aclosing(self._connect(record, credentials)) as client:
            report = await client.check_key()
        record = await self._stored(self.store.record_check, record.label, self._summary(record, report))
        return Connected(record, report)

    async def rotate(
        self, label: str, api_key: SecretStr, secret_key: SecretStr, passphrase: SecretStr | None = None
    ) -> Connected:
        """Replace an account's key: the new one is verified first and swapped in only if accepted.

        The account is locked for the whole flow, across processes too, so two
        rotations of one account cannot interleave.
        """
        async with self._flow_lock(label):
            record = await self.account(label)
            before = record.last_check.uid if record.last_check else None
            spec = self.exchange(record.exchange)
            checked = check_credentials(spec, api_key, secret_key, passphrase)
            held = self.store.lock(record.label)
            await self._stored(held.__enter__)
            try:
                report = await self._verify(record, checked.credentials, checked.warnings)
                rotated = await self._stored(self.store.replace_credentials, record.label, checked.credentials)
                record = await self._stored(self.store.record_check, record.label, self._summary(rotated, report))
            finally:
                await self._stored(held.__exit__, None, None, None)
            self._retire_client(record.label)
        if before and report.uid and report.uid != before:
            report.warnings.insert(
                0,
                f"The new key belongs to another {spec.name} account (uid {report.uid}) than the "
                f"key it replaced (uid {before}): bots on {record.label} now trade that account",
            )
        return Connected(record, report)

    @property
    def has_master_password(self) -> bool:
        """Whether the store is the encrypted file, whose master password :meth:`change_master_password` changes."""
        return self.store.kind == ENCRYPTED_FILE

    async def change_master_password(self, old: SecretStr, new: SecretStr) -> int:
        """Re-encrypt the store's file with ``new`` (``old`` must be its password); the number of entries.
        The store goes on working with ``new``."""
        from exchange_tui.store.passwd import change_open_store_password

        return await self._stored(change_open_store_password, self.store, old, new)

    async def remove(self, label: str) -> AccountRecord:
        async with self._flow_lock(label):
            record = await self._stored(self.store.remove, label)
            self._retire_client(record.label)
        return record

    async def balances(self, label: str) -> BalanceSnapshot:
        """The account's trading balances now, over a connection kept for the next refresh.

        If the exchange refuses the key as gone (unknown, disabled, its passphrase no longer
        matching) and the store holds a newer one, the request is made once more with the new key.
        """
        record = await self.account(label)
        client, version = await self._client(record)
        try:
            balances, total = await client.balances()
        except AuthenticationFailed as error:
            if not error.key_gone:
                raise
            self.key_refused(record.label)
            if await self._stored(self.store.version, record.label) == version:
                raise
            self._retire_client(record.label)
            client, version = await self._client(record)
            balances, total = await client.balances()
        snapshot = BalanceSnapshot(record.label, balances, total, key_version=version)
        await self._note_use(record.label, snapshot.at)
        return snapshot

    # -- keys replaced elsewhere -----------------------------------------

    async def current_key(self, label: str) -> KeyInUse:
        """The account's key as the store holds it now (for a stream to log in with)."""

        def read() -> KeyInUse:
            record = self.store.get(label)
            version = self.store.version(record.label)
            return KeyInUse(record, version, self.store.credentials(record.label))

        return await self._stored(read)

    async def watch_rotations(
        self,
        label: str,
        *,
        since: int | None = None,
        interval: float = ROTATION_CHECK_INTERVAL,
        store_timeout: float = STORE_TIMEOUT,
    ) -> AsyncIterator[KeyInUse]:
        """Each new key of the account, as soon as it is noticed, for as long as the caller iterates.

        ``since`` is the version the caller's key has (:attr:`KeyInUse.version`); by default the
        one stored now. The version is read every ``interval`` seconds, and at once after
        :meth:`key_refused`. A store that refuses this box (:class:`SecretStoreUnavailable`: a
        Vault token expired or revoked, an AppRole login refused, a policy, a mount) raises at once.
        Any other failure (Vault unreachable or sealed, a busy lock) is logged once and read again
        at each tick, and raised once it has lasted ``store_timeout`` seconds. The iteration ends
        when the account is removed. The balances of this service switch to the new key by themselves.
        """
        key = label.casefold()
        wake = asyncio.Event()
        self._wakers.setdefault(key, set()).add(wake)
        failing_since: float | None = None
        try:
            try:
                seen = since if since is not None else await self._stored(self.store.version, label)
            except AccountNotFound:
                return
            while True:
                with suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), interval)
                wake.clear()
                try:
                    version = await self._stored(self.store.version, label)
                    current = None if version == seen else await self.current_key(label)
                except AccountNotFound:
                    return
                except StoreError as error:
                    failing_since = _still_failing(error, label, failing_since, store_timeout)
                    continue
                failing_since = None
                if current is None:
                    continue
                seen = current.version
                if self._client_versions.get(key, seen) != seen:
                    self._retire_client(label)
                yield current
        finally:
            self._wakers[key].discard(wake)

    def key_refused(self, label: str) -> None:
        """The exchange refused the account's key as gone (on REST or on the WebSocket login):
        the watchers of ``label`` read its version now rather than at their next tick."""
        for wake in self._wakers.get(label.casefold(), ()):
            wake.set()

    async def _client(self, record: AccountRecord) -> tuple[ExchangeClient, int]:
        """The account's kept client and the store's version of its key (a rotation noticed meanwhile
        retires the client, not the version the reading was made with)."""
        client = self._clients.get(record.key)
        if client is None:
            key = await self.current_key(record.label)
            client = self._clients[record.key] = self._connect(key.record, key.credentials)
            self._client_versions[record.key] = key.version
        return client, self._client_versions[record.key]

    async def watch(
        self, label: str, *, poll_interval: float = 5.0, store_timeout: float = STORE_TIMEOUT
    ) -> AsyncIterator[BalanceSnapshot]:
        """The account's balances as they change: pushed live where the exchange can, polled where not.

        Runs until the caller stops iterating (or the account is removed); a failed reading is
        yielded with its error, never raised. When the key is replaced (here, in another process,
        or on another box sharing a Vault) the watch reconnects with the new key by itself. A store
        error that ends :meth:`watch_rotations` (``store_timeout``) is raised.
        """
        key = await self.current_key(label)
        async with aclosing(self.watch_rotations(label, since=key.version, store_timeout=store_timeout)) as rotations:
            next_key = asyncio.ensure_future(anext(rotations))
            try:
                while key is not None:
                    record = key.record
                    client = self._connect(record, key.credentials)
                    async with aclosing(client), aclosing(client.live_balances(poll_interval)) as readings:
                        next_reading = asyncio.ensure_future(anext(readings))
                        try:
                            while True:
                                await asyncio.wait({next_reading, next_key}, return_when=asyncio.FIRST_COMPLETED)
                                if next_key.done():
                                    key = None if isinstance(next_key.exception(), StopAsyncIteration) else next_key.result()
                                    next_key = asyncio.ensure_future(anext(rotations))
                                    break
                                reading = next_reading.result()
                                next_reading = asyncio.ensure_future(anext(readings))
                                if reading.error is None:
                                    await self._note_use(record.label, reading.at)
                                elif reading.error.key_gone:
                                    self.key_refused(record.label)
                                yield BalanceSnapshot(
                                    record.label,
                                    reading.balances,
                                    reading.total_usdt,
                                    reading.at,
                                    reading.source,
                                    reading.error,
                                    key.version,
                                )
                        finally:
                            await _cancelled(next_reading)
            finally:
                await _cancelled(next_key)

    def _retire_client(self, label: str) -> None:
        """The next request opens a new client; the old one may still be in use by a request in
        flight, so it is closed with the service, not now."""
        self._client_versions.pop(label.casefold(), None)
        client = self._clients.pop(label.casefold(), None)
        if client is not None:
            self._retired.append(client)


def _still_failing(error: StoreError, label: str, since: float | None, timeout: float) -> float:
    """When the store began failing to say whether the account has a new key; raises ``error`` if
    it refuses this box, or has failed for ``timeout`` seconds."""
    if isinstance(error, SecretStoreUnavailable) and not isinstance(error, STORE_DOWN):
        raise error
    at = asyncio.get_running_loop().time()
    if since is None:
        log.warning("looking for a new key of %s failed (trying again for %g s with the key in use): %s", label, timeout, error)
        return at
    if at - since >= timeout:
        raise error
    return since


async def _cancelled(pending: asyncio.Future) -> None:
    """Cancel a pending ``anext()`` and let it finish, so its generator can be closed."""
    pending.cancel()
    await asyncio.gather(pending, return_exceptions=True)
