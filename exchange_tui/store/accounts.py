"""The accounts: the index and the secret store kept consistent, under per-account locks.

The rules, whatever fails and wherever a process is killed:

- an account is never listed without its secret: ``add`` writes the secret before the index
  entry, ``remove`` takes the entry out before deleting the secret;
- no secret outlives its account: before ``add`` writes a secret and as ``remove`` drops an
  entry, the index records the account id in its ``purge`` list; the id leaves the list when
  the operation completes;
- ``replace_credentials`` is one write of the whole secret document, so the key, secret and
  passphrase are always the old three or the new three; if the index cannot be updated
  afterwards the old document is written back. The swap is noted in the index before the write,
  so if the process dies in between, the next open finishes it (the store holds the new key,
  which the exchange accepted before the swap began) or drops it (the store holds the old one);
- the box's accounts live in one secret store: the first add pins it in the index, and later
  processes open that one or none (:func:`open_secret_store`'s ``pinned``);
- every open finishes what a crash interrupted (:meth:`AccountStore.recover`); what needs a
  person is reported by :meth:`AccountStore.reconcile` (``exchange-tui doctor``).

Verifying keys with the exchange is the account service's job; it holds :meth:`AccountStore.lock`
across verify-then-swap so that no other process rotates or removes the account meanwhile.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from exchange_tui.models import Credentials

from .errors import (
    AccountBusy,
    AccountExists,
    AccountNotFound,
    CorruptSecret,
    SecretMissing,
    SecretStoreError,
    SecretStoreUnavailable,
)
from .files import file_lock
from .index import (
    AccountIndex,
    AccountRecord,
    CheckSummary,
    IndexDocument,
    PendingRotation,
    check_label,
    key_fingerprint,
    now,
)
from .locations import Locations
from .secret_store import DEFAULT_TIMEOUT, PasswordSource, SecretStore, open_secret_store

DEFAULT_LOCK_TIMEOUT = 10.0


@dataclass
class Reconciliation:
    """What :meth:`AccountStore.reconcile` found (and, where it may, put right)."""

    missing_secrets: list[str] = field(default_factory=list)
    """Labels listed in the index whose secret is gone."""
    unreadable_secrets: list[str] = field(default_factory=list)
    """Labels whose stored secret is not a document we wrote."""
    stale_key_prefixes: list[str] = field(default_factory=list)
    """Labels whose index shows another key than the stored one (a rotate cut short)."""
    orphan_secrets: list[str] = field(default_factory=list)
    """Account ids with a secret but no index entry (only where the store can list)."""
    adopted: list[str] = field(default_factory=list)
    """Labels listed again for orphan secrets (a repair never deletes a key nobody asked to remove)."""
    purged: list[str] = field(default_factory=list)
    """Account ids whose leftover secret was deleted, finishing an interrupted add or remove."""
    finished_rotations: list[str] = field(default_factory=list)
    """Labels whose interrupted key swap was finished: the store held the new key."""
    dropped_rotations: list[str] = field(default_factory=list)
    """Labels whose interrupted key swap was dropped: the store still held the old key."""
    busy: list[str] = field(default_factory=list)
    """Account ids left for later because another process holds their lock."""
    can_list_secrets: bool = False
    repaired: bool = False

    @property
    def consistent(self) -> bool:
        return not (self.missing_secrets or self.unreadable_secrets or self.stale_key_prefixes or self.orphan_secrets)

    @property
    def settled(self) -> bool:
        """Nothing is left for a person to do: what a repair put right does not count."""
        stale = [] if self.repaired else self.stale_key_prefixes
        return not (self.missing_secrets or self.unreadable_secrets or stale or self._unsettled_orphans())

    def _unsettled_orphans(self) -> list[str]:
        """Orphans neither listed again nor finished off as an interrupted add."""
        return [
            account
            for account in self.orphan_secrets
            if account.partition(":")[2] not in self.adopted and account not in self.purged
        ]

    def recovered(self) -> list[str]:
        """One line per interrupted operation that was finished, for a person."""
        lines = [f"an interrupted add or remove of {account} was finished" for account in self.purged]
        lines += [f"the interrupted key swap of account {label!r} was finished" for label in self.finished_rotations]
        lines += [f"the interrupted key swap of account {label!r} was undone" for label in self.dropped_rotations]
        return lines

    def messages(self) -> list[str]:
        """One line per problem, for a person."""
        lines = [
            f"account {label!r}: secret missing: add the key again with exchange-tui rotate {label}"
            for label in self.missing_secrets
        ]
        lines += [f"the secret of account {label!r} is unreadable: replace its key" for label in self.unreadable_secrets]
        verb = "was corrected" if self.repaired else "differs from the stored key"
        lines += [f"the key prefix shown for account {label!r} {verb}" for label in self.stale_key_prefixes]
        lines += [
            f"a secret for {account} is not listed: doctor --repair puts it right" for account in self._unsettled_orphans()
        ]
        lines += [f"the unlisted secret of account {label!r} was listed again: check it" for label in self.adopted]
        return lines


class AccountStore:
    """Accounts for the service, the CLI and the TUI: add, read, replace, remove, record checks."""

    def __init__(
        self,
        secrets: SecretStore | None,
        locations: Locations | None = None,
        *,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        index_lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        open_secrets: Callable[[str | None], SecretStore] | None = None,
    ) -> None:
        """On ``secrets``; or, when it is ``None``, on the store ``open_secrets(pinned)`` gives when a
        secret is first needed (``pinned``: the index's ``secret_backend`` then)."""
        self.locations = (locations or Locations.from_env()).ensure()
        self.index = AccountIndex(self.locations, lock_timeout=index_lock_timeout)
        self.lock_timeout = lock_timeout
        self._locks = _AccountLocks(self.locations.locks)
        if secrets is None and open_secrets is None:
            raise ValueError("an AccountStore needs its secret store or a way to open it")
        self._open_secrets = open_secrets
        self._secrets = None if secrets is None else self._pinned(secrets)
        self._opening = threading.Lock()

    def _pinned(self, secrets: SecretStore) -> SecretStore:
        pinned = self.index.load().secret_backend
        if pinned not in (None, secrets.kind):
            raise SecretStoreUnavailable(
                f"this box's accounts are kept in the {pinned} store, not in the {secrets.description}"
            )
        return secrets

    @property
    def secrets(self) -> SecretStore:
        """The secret store, opened on first use when it was not given."""
        with self._opening:
            if self._secrets is None:
                assert self._open_secrets is not None
                self._secrets = self._pinned(self._open_secrets(self.index.load().secret_backend))
            return self._secrets

    @classmethod
    def open(
        cls,
        locations: Locations | None = None,
        *,
        password_source: PasswordSource | None = None,
        keyring_timeout: float = DEFAULT_TIMEOUT,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        lazy: bool = False,
    ) -> AccountStore:
        """The store for this process, on the secret backend :func:`open_secret_store` chooses.

        Open it once per process: the encrypted file derives its key when opened. Opening
        finishes what a crash interrupted (:meth:`recover`). ``lazy``: the secret store is opened
        when a secret is first needed (or a crash left work for it), so a command that reads only
        the index never waits on a keyring or asks for a master password.
        """
        locations = (locations or Locations.from_env()).ensure()

        def open_secrets(pinned: str | None) -> SecretStore:
            return open_secret_store(locations, password_source=password_source, timeout=keyring_timeout, pinned=pinned)

        store = cls(None, locations, lock_timeout=lock_timeout, open_secrets=open_secrets)
        if not lazy:
            _ = store.secrets
        document = store.index.load()
        if document.secret_backend is None and document.accounts:
            store._pin_found_secrets(document)
        store.recover()
        return store

    @property
    def kind(self) -> str:
        """The secret backend, for scripts: ``os-keyring`` or ``encrypted-file``."""
        return self.secrets.kind

    @property
    def description(self) -> str:
        """The secret backend in use and why, for people."""
        return self.secrets.description

    # reading ---------------------------------------------------------------------------

    def accounts(self) -> list[AccountRecord]:
        return list(self.index.load().accounts)

    def get(self, label: str) -> AccountRecord:
        record = self.index.load().find(label)
        if record is None:
            raise AccountNotFound(label)
        return record

    def version(self, label: str) -> int:
        """A number that changes whenever the account's key is replaced: here, when it was rotated
        (in microseconds since the epoch; 0 if never), so a running app notices a rotate made by
        another process on this box."""
        rotated = self.get(label).rotated
        return 0 if rotated is None else int(rotated.timestamp() * 1_000_000)

    def credentials(self, label: str) -> Credentials:
        record = self.get(label)
        credentials = self.secrets.read(record.account_id)
        if credentials is None:
            raise SecretMissing(record.label, self.secrets.description)
        return credentials

    # changing --------------------------------------------------------------------------

    @contextmanager
    def lock(self, label: str) -> Iterator[None]:
        """Hold the account's lock: other processes (and threads) wait, then get ``AccountBusy``.

        Re-entrant in one thread, so a caller may hold it around a whole flow that calls
        ``replace_credentials`` or ``remove``.
        """
        with self._locks.hold(check_label(label), self.lock_timeout):
            yield

    def add(
        self,
        exchange: str,
        label: str,
        credentials: Credentials,
        *,
        demo_trading: bool = False,
        base_url: str | None = None,
        site: str | None = None,
        testnet: bool = False,
    ) -> AccountRecord:
        """Store a new account: its secret first, then its index entry. ``AccountExists`` if taken."""
        record = AccountRecord.new(
            exchange, label, credentials, demo_trading=demo_trading, base_url=base_url, site=site, testnet=testnet
        )
        with self.lock(label):
            with self.index.edit() as document:
                self._refuse_while_moving(document, after_switch=True)
                taken = document.find(label)
                if taken is not None:
                    raise AccountExists(taken.label)
                document.mark_for_purge(record.account_id)
                document.secret_backend = self.secrets.kind
            try:
                self.secrets.write(record.account_id, credentials)
                with self.index.edit() as document:
                    self._refuse_while_moving(document, after_switch=True)
                    document.put(record)
                    document.unmark(record.account_id)
            except BaseException as exc:
                try:
                    self._purge(record.account_id, label)
                except Exception as undo:
                    exc.add_note(f"undoing the add failed too ({undo}); the next open of the store finishes it")
                raise
        return record

    def replace_credentials(self, label: str, credentials: Credentials) -> AccountRecord:
        """Swap the account's secret in one write and note when; the old one stays on any failure.

        The swap is noted in the index first, so a process killed after the write leaves
        something :meth:`recover` can finish, never the new key under the old key's prefix.
        """
        with self.lock(label):
            record = self.get(label)
            try:
                previous = self.secrets.read(record.account_id)
            except CorruptSecret:
                previous = None
            pending = PendingRotation(
                account_id=record.account_id,
                key_prefix=credentials.key_prefix,
                key_fingerprint=key_fingerprint(credentials),
                started=now(),
            )
            with self.index.edit() as document:
                self._refuse_while_moving(document, after_switch=False)
                document.start_rotation(pending)
            try:
                self.secrets.write(record.account_id, credentials)
                with self.index.edit() as document:
                    record = self._finish_rotation(document, label, pending)
            except BaseException as exc:
                self._undo_rotation(pending, previous, exc)
                raise
        return record

    def _undo_rotation(self, pending: PendingRotation, previous: Credentials | None, exc: BaseException) -> None:
        """Put the old key back and drop the noted swap. If the old key cannot be put back (or
        was unreadable), the note stays, so :meth:`recover` finishes the swap to the new key."""
        if previous is None:
            return
        try:
            self.secrets.write(pending.account_id, previous)
            with self.index.edit() as document:
                document.end_rotation(pending.account_id)
        except Exception as undo:
            exc.add_note(f"undoing the key swap failed ({undo}); the next open of the store finishes or drops it")

    @staticmethod
    def _finish_rotation(document: IndexDocument, label: str, pending: PendingRotation) -> AccountRecord:
        """Show the swapped key in ``document``: its prefix and when (the caller writes it)."""
        current = document.find(label)
        if current is None or current.account_id != pending.account_id:
            raise AccountNotFound(label)
        record = current.model_copy(update={"key_prefix": pending.key_prefix, "rotated": now()})
        document.put(record)
        document.end_rotation(pending.account_id)
        return record

    def remove(self, label: str) -> AccountRecord:
        """Take the account out of the index, then delete its secret. If the secret cannot be
        deleted the account is put back and the error raised, so nothing has changed."""
        with self.lock(label):
            with self.index.edit() as document:
                self._refuse_while_moving(document, after_switch=True)
                record = document.drop(label)
                if record is None:
                    raise AccountNotFound(label)
                document.mark_for_purge(record.account_id)
            try:
                self.secrets.delete(record.account_id)
                if self.secrets.read(record.account_id) is not None:
                    raise SecretStoreError(
                        f"the secret of {record.account_id} is still in the {self.secrets.description} "
                        "after deleting it: nothing was removed"
                    )
            except BaseException:
                with self.index.edit() as document:
                    document.put(record)
                    document.unmark(record.account_id)
                raise
            with self.index.edit() as document:
                document.unmark(record.account_id)
                if not document.accounts and not document.purge:
                    document.secret_backend = None
        return record

    def _refuse_while_moving(self, document: IndexDocument, *, after_switch: bool) -> None:
        """No change to an account while ``exchange-tui migrate`` copies the accounts to another store
        (the copy would miss it), nor in a store the box no longer points at. ``after_switch``: the
        change is allowed once every account is copied and the box points at the new store.
        """
        pinned = document.secret_backend
        if pinned not in (None, self.secrets.kind):
            raise SecretStoreUnavailable(
                f"this box's accounts have moved to the {pinned} store, not the {self.secrets.description}: "
                "start exchange-tui again"
            )
        moving = document.migration
        if moving is not None and not (after_switch and moving.switched):
            raise SecretStoreUnavailable(
                f"this box's accounts are being moved from the {moving.source} store to the {moving.destination} "
                "store: let exchange-tui migrate finish (or run exchange-tui doctor --repair), then try again"
            )

    def record_check(self, label: str, summary: CheckSummary) -> AccountRecord:
        """Remember the outcome of the latest check of the account's key."""
        with self.index.edit() as document:
            record = document.find(label)
            if record is None:
                raise AccountNotFound(label)
            record = record.model_copy(update={"last_check": summary})
            document.put(record)
        return record

    # consistency -----------------------------------------------------------------------

    def recover(self, report: Reconciliation | None = None) -> Reconciliation:
        """Finish what a crash interrupted: adds and removes (their leftover secrets are deleted)
        and key swaps (finished if the store holds the new key, else dropped). Cheap: it reads
        only the secrets of those accounts. Accounts another process is busy with are left to it."""
        report = report or Reconciliation()
        document = self.index.load()
        for pending in list(document.purge):
            self._finish_purge(pending, report)
        for rotation in list(document.rotations):
            self._recover_rotation(rotation, report)
        return report

    def reconcile(self, *, repair: bool = False) -> Reconciliation:
        """Compare the index with the secret store and report what does not match.

        Always finishes interrupted operations (:meth:`recover`). With ``repair``, also lists
        orphan secrets again as accounts and corrects stale key prefixes; a listed account whose
        secret is missing is only reported, never dropped. A repair deletes no key.
        """
        report = self.recover(Reconciliation(repaired=repair))
        document = self.index.load()
        for record in document.accounts:
            try:
                stored = self.secrets.read(record.account_id)
            except CorruptSecret:
                report.unreadable_secrets.append(record.label)
                continue
            if stored is None:
                report.missing_secrets.append(record.label)
            elif stored.key_prefix != record.key_prefix:
                report.stale_key_prefixes.append(record.label)
                if repair:
                    self._correct_prefix(record.label, stored)
        stored_ids = self.secrets.account_ids()
        report.can_list_secrets = stored_ids is not None
        if stored_ids is not None:
            listed = {record.account_id for record in document.accounts}
            report.orphan_secrets = sorted(stored_ids - listed - set(report.busy))
            if repair:
                for orphan in report.orphan_secrets:
                    self._adopt(orphan, report)
        return report

    def _adopt(self, account_id: str, report: Reconciliation) -> None:
        exchange, _, label = account_id.partition(":")

        def adopt() -> None:
            stored = self.secrets.read(account_id)
            if stored is None:
                return
            with self.index.edit() as document:
                if document.find(label) is None and account_id not in document.purge:
                    document.put(AccountRecord.new(exchange, label, stored, demo_trading=False, base_url=None))
                    report.adopted.append(label)

        try:
            self._unless_busy(account_id, report, adopt)
        except CorruptSecret:
            report.unreadable_secrets.append(label)

    def _recover_rotation(self, rotation: PendingRotation, report: Reconciliation) -> None:
        label = rotation.account_id.partition(":")[2]

        def recover() -> None:
            try:
                stored = self.secrets.read(rotation.account_id)
            except CorruptSecret:
                stored = None
            with self.index.edit() as document:
                listed = document.find(label)
                if stored is not None and listed is not None and key_fingerprint(stored) == rotation.key_fingerprint:
                    self._finish_rotation(document, label, rotation)
                    report.finished_rotations.append(listed.label)
                else:
                    document.end_rotation(rotation.account_id)
                    report.dropped_rotations.append(listed.label if listed else label)

        self._unless_busy(rotation.account_id, report, recover)

    def _pin_found_secrets(self, document: IndexDocument) -> None:
        """An index from before pinning: pin the store this process chose if it holds a listed
        account's secret (if none is there, the accounts are elsewhere and ``doctor`` says so)."""
        for record in document.accounts:
            try:
                found = self.secrets.read(record.account_id) is not None
            except CorruptSecret:
                found = True
            if found:
                with self.index.edit() as current:
                    current.secret_backend = current.secret_backend or self.secrets.kind
                return

    def _finish_purge(self, account_id: str, report: Reconciliation) -> None:
        label = account_id.partition(":")[2]

        def finish() -> None:
            listed = self.index.load().find(label)
            if listed is not None and listed.account_id == account_id:
                with self.index.edit() as document:
                    document.unmark(account_id)
            else:
                self._purge(account_id, label)
                report.purged.append(account_id)

        self._unless_busy(account_id, report, finish)

    def _unless_busy(self, account_id: str, report: Reconciliation, work: Callable[[], None]) -> None:
        """``work()`` under the account's lock, taken without waiting; if another process holds it
        (an add, rotate or remove in progress, not cut short), the account is left to it as busy."""
        try:
            with self._locks.hold(account_id.partition(":")[2], 0):
                work()
        except AccountBusy:
            report.busy.append(account_id)

    def _purge(self, account_id: str, label: str) -> None:
        """Make sure ``account_id`` is neither listed nor has a secret (the caller holds its lock).

        The id stays marked for purging until its secret is gone, so a failure here is finished
        by a later :meth:`recover`.
        """
        with self.index.edit() as document:
            listed = document.find(label)
            if listed is not None and listed.account_id == account_id:
                document.drop(label)
            document.mark_for_purge(account_id)
        self.secrets.delete(account_id)
        with self.index.edit() as document:
            document.unmark(account_id)

    def _correct_prefix(self, label: str, stored: Credentials) -> None:
        with self.lock(label), self.index.edit() as document:
            record = document.find(label)
            if record is not None:
                document.put(record.model_copy(update={"key_prefix": stored.key_prefix, "rotated": now()}))


class _AccountLocks:
    """One lock per account: a thread lock inside the process and an ``flock`` across processes."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._guard = threading.Lock()
        self._locks: dict[str, _AccountLock] = {}

    @contextmanager
    def hold(self, label: str, timeout: float) -> Iterator[None]:
        key = label.casefold()
        with self._guard:
            lock = self._locks.setdefault(key, _AccountLock(label, self._folder / f"{key}.lock"))
        with lock.hold(timeout):
            yield


class _AccountLock:
    def __init__(self, label: str, path: Path) -> None:
        self._label = label
        self._path = path
        self._thread_lock = threading.RLock()
        self._depth = 0

    @contextmanager
    def hold(self, timeout: float) -> Iterator[None]:
        deadline = time.monotonic() + timeout
        if not self._thread_lock.acquire(timeout=max(timeout, 0)):
            raise AccountBusy(self._label, self._path, timeout)
        try:
            with self._file_lock(deadline, timeout) if self._depth == 0 else nullcontext():
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
        finally:
            self._thread_lock.release()

    def _file_lock(self, deadline: float, timeout: float):
        remaining = max(0.0, deadline - time.monotonic())
        return file_lock(self._path, remaining, lambda: AccountBusy(self._label, self._path, timeout))
