"""``exchange-tui migrate``: every account moved from the store this box uses to another one (the
OS keyring, the encrypted file, or an OpenBao / Vault), so that a kill at any moment leaves every
account readable in at least one store, and a second run (or ``doctor --repair``) finishes the move.

The order, each step's state decidable from the index's note (:class:`PendingMigration`):

1. the move is noted in the index (source, destination, whether to delete the source's copies);
   from then on this box adds, rotates and removes no account until the switch (step 3);
2. each account is copied (its secret; for a Vault, its facts too), read back from the destination
   and compared part by part, and with ``check`` the destination's copy is checked with the
   exchange. An account the destination holds already with the same secret is done ("already
   there"); one it holds with another secret is a conflict and is not overwritten. A conflict, a
   missing secret or a refused check stops the move here: the copies this run made are taken out
   of the destination again, the note is dropped, and the box still uses the source, which still
   holds every key;
3. the switch, one write of the index: the pin moves to a local destination (and the accounts of a
   Vault source are listed), and the note says ``switched``. A Vault destination cannot be pinned
   in the index: the box's config points at it (``store = "vault"``), which is the user's to change;
4. with ``delete_source``, each account is deleted from the source, once the destination's copy has
   been read again and found the same;
5. the note is dropped.

Killed before 3, the source is pinned and complete, and a second run copies what is missing (an
error before 3 drops the note at once: the box goes on with the source). Killed after it, the
destination is pinned and complete, and a second run deletes what is left.
Nothing here imports Textual; Vault's client is imported only when a Vault is one side.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from exchange_tui.models import Credentials, KeyReport

from .accounts import AccountStore
from .errors import AccountNotFound, CorruptSecret, HalfWritten, SecretStoreError, SecretStoreUnavailable, StoreError
from .factory import VAULT, store_choice
from .files import file_lock
from .index import AccountIndex, AccountRecord, CheckSummary, IndexDocument, PendingMigration, now
from .locations import Locations
from .secret_store import (
    DEFAULT_TIMEOUT,
    ENCRYPTED_FILE,
    OS_KEYRING,
    PasswordSource,
    SecretStore,
    find_os_keyring,
    open_encrypted_file,
    open_secret_store,
)

if TYPE_CHECKING:
    from .vault import VaultAccountStore

STORES = (OS_KEYRING, ENCRYPTED_FILE, VAULT)
DESTINATIONS = {"keyring": OS_KEYRING, "file": ENCRYPTED_FILE, "vault": VAULT}
"""``migrate --to``'s names of the stores, and the store kinds they stand for."""
CHOSEN = "chosen by exchange-tui migrate"

COPIED = "copied"
ALREADY_THERE = "already there"
CHECKED = "checked"
DELETED = "deleted from source"
CONFLICT = "conflict"
MISSING = "missing in source"
CHECK_FAILED = "check failed"
KEPT = "kept in source"
NOT_MOVED = "not moved"
TO_COPY = "to copy"
TO_DELETE = "to delete from source"

Check = Callable[[AccountRecord, Credentials], tuple[KeyReport, CheckSummary]]
"""Checks one account's key with the exchange (the destination's copy of it): what the exchange said,
and the summary the account service keeps of it (with what the exchange's expiry rule makes of it)."""


class MigrationRefused(StoreError):
    """The move cannot start as asked: the destination is the source, or another move is unfinished."""


class _NotCopied(Exception):
    """The index lists an account not copied yet: the switch waits for its copy."""


@dataclass
class Moved:
    """One account in a move: how far it got, and what stopped it."""

    label: str
    exchange: str
    status: str
    already_there: bool = False
    problem: str | None = None
    report: KeyReport | None = None
    """What the exchange said of the destination's copy, when it was checked."""

    @property
    def blocking(self) -> bool:
        return self.status in (CONFLICT, MISSING, CHECK_FAILED)


@dataclass
class Migration:
    """What a move did (or, dry, would do)."""

    source: str
    destination: str
    source_description: str
    destination_description: str
    delete_source: bool
    dry_run: bool = False
    resumed: bool = False
    switched: bool = False
    accounts: list[Moved] = field(default_factory=list)

    @property
    def source_kept(self) -> bool:
        """The source still holds (or, dry, would hold) a copy of some account's key."""
        return not self.switched or not self.delete_source or any(moved.status != DELETED for moved in self.accounts)


# the two sides ------------------------------------------------------------------------------


class _Local:
    """One of this box's secret stores: the secrets; the facts are in the index."""

    def __init__(self, secrets: SecretStore | None, kind: str, description: str) -> None:
        self.secrets = secrets
        self.kind = kind
        self.description = description

    def records(self, index: AccountIndex) -> list[AccountRecord]:
        return index.load().accounts

    def read(self, record: AccountRecord) -> Credentials | None:
        return None if self.secrets is None else self.secrets.read(record.account_id)

    def taken(self, record: AccountRecord, document: IndexDocument) -> str | None:
        listed = document.find(record.label)
        if listed is not None and listed.account_id != record.account_id:
            return f"this box lists {listed.label!r} as a {listed.exchange} account"
        return None

    def write(self, record: AccountRecord, credentials: Credentials) -> None:
        assert self.secrets is not None
        self.secrets.write(record.account_id, credentials)

    def record_check(self, record: AccountRecord) -> None:
        """Nothing now: the record goes into the index at the switch."""

    def delete(self, record: AccountRecord) -> None:
        assert self.secrets is not None
        self.secrets.delete(record.account_id)


class _Vault:
    """A Vault: every account's secret with its facts."""

    def __init__(self, store: VaultAccountStore) -> None:
        self.store = store
        self.kind = VAULT
        self.description = store.description

    def records(self, index: AccountIndex) -> list[AccountRecord]:
        return self.store.accounts()

    def read(self, record: AccountRecord) -> Credentials | None:
        try:
            found = self.store.get(record.label)
        except (AccountNotFound, HalfWritten):
            return None  # a half-written one (an add cut short) is finished by the copy
        if found.exchange != record.exchange:
            return None
        return self.store.credentials(found.label)

    def taken(self, record: AccountRecord, document: IndexDocument) -> str | None:
        try:
            found = self.store.get(record.label)
        except (AccountNotFound, HalfWritten):
            return None
        if found.exchange != record.exchange:
            return f"the Vault holds {found.label!r} as a {found.exchange} account"
        return None

    def write(self, record: AccountRecord, credentials: Credentials) -> None:
        self.store.add_record(record, credentials)

    def record_check(self, record: AccountRecord) -> None:
        assert record.last_check is not None
        self.store.record_check(record.label, record.last_check)

    def delete(self, record: AccountRecord) -> None:
        self.store.remove(record.label)


# the account store of a copy, for the service's check ------------------------------------


class CopiedAccount:
    """One account's copy in the destination, as the account service sees a store: the check reads
    the key from here, so it is the destination's copy that the exchange is asked about. It has what
    :meth:`AccountService.check <exchange_tui.service.AccountService.check>` uses of a store."""

    def __init__(self, record: AccountRecord, credentials: Credentials) -> None:
        self.record = record
        self._credentials = credentials

    def get(self, label: str) -> AccountRecord:
        if label.casefold() != self.record.key:
            raise AccountNotFound(label)
        return self.record

    def credentials(self, label: str) -> Credentials:
        self.get(label)
        return self._credentials

    def record_check(self, label: str, summary: CheckSummary) -> AccountRecord:
        self.record = self.get(label).model_copy(update={"last_check": summary})
        return self.record


# the move --------------------------------------------------------------------------------


def unfinished(locations: Locations) -> PendingMigration | None:
    """The move an earlier ``migrate`` noted and did not finish, if any."""
    return AccountIndex(locations).load().migration


def describe(pending: PendingMigration) -> str:
    """One line for ``doctor``: what an interrupted move left, and what finishes it."""
    where = (
        "after the switch, while deleting the source's copies"
        if pending.switched
        else "while copying (the box still uses the source, which holds every key)"
    )
    return (
        f"a move of the accounts from the {pending.source} store to the {pending.destination} store was cut short "
        f"{where}: exchange-tui doctor --repair finishes it"
    )


def migrate(
    destination: str,
    *,
    locations: Locations | None = None,
    password_source: PasswordSource,
    environ: Mapping[str, str],
    allow_insecure: bool = False,
    dry_run: bool = False,
    delete_source: bool = False,
    check: Check | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Migration:
    """Move every account to ``destination`` (``os-keyring``, ``encrypted-file`` or ``vault``), or
    finish the move an earlier run left. See the module's docstring for the order.

    Raises ``MigrationRefused`` when the destination is the source or another move is unfinished.
    """
    if destination not in STORES:
        raise MigrationRefused(f"no store {destination!r}: one of {', '.join(STORES)}")
    locations = (locations or Locations.from_env(environ)).ensure()
    mover = _Mover(destination, locations, password_source, environ, allow_insecure, timeout)
    alone = file_lock(
        locations.state / "migrate.lock", 0, lambda: MigrationRefused("another exchange-tui migrate is running on this box")
    )
    with nullcontext() if dry_run else alone:
        return mover.run(dry_run=dry_run, delete_source=delete_source, check=check)


class _Mover:
    def __init__(
        self,
        destination: str,
        locations: Locations,
        password_source: PasswordSource,
        environ: Mapping[str, str],
        allow_insecure: bool,
        timeout: float,
    ) -> None:
        self.wanted = destination
        self.locations = locations
        self.index = AccountIndex(locations)
        self.password_source = password_source
        self.environ = environ
        self.allow_insecure = allow_insecure
        self.timeout = timeout

    def run(self, *, dry_run: bool, delete_source: bool, check: Check | None) -> Migration:
        document = self.index.load()
        pending = document.migration
        if pending is not None and pending.destination != self.wanted:
            raise MigrationRefused(
                f"a move from the {pending.source} store to the {pending.destination} store is unfinished: "
                "finish it first (exchange-tui doctor --repair)"
            )
        source_kind = pending.source if pending is not None else self._source_kind(document)
        if source_kind is None:
            return Migration("none", self.wanted, "no store: this box has no accounts", "", delete_source, dry_run)
        if source_kind == self.wanted:
            raise MigrationRefused(f"this box's accounts are in the {source_kind} store already: nothing to move")
        try:
            return self._move(document, source_kind, dry_run=dry_run, delete_source=delete_source, check=check)
        except BaseException as exc:
            if not dry_run:
                self._call_off(exc)
            raise

    def _move(
        self, document: IndexDocument, source_kind: str, *, dry_run: bool, delete_source: bool, check: Check | None
    ) -> Migration:
        pending = document.migration
        source = self._open(source_kind, dry_run=False)
        target = self._open(self.wanted, dry_run=dry_run)
        if VAULT in (source.kind, target.kind):
            self._refuse_a_second_local_store(document)
        delete = delete_source or (pending is not None and pending.delete_source)
        moving = Migration(
            source.kind, target.kind, source.description, target.description, delete, dry_run, resumed=pending is not None
        )
        local = self._local_store(source, target, switched=pending is not None and pending.switched, dry_run=dry_run)
        if local is not None:
            local.recover()
            started = PendingMigration(source=source.kind, destination=target.kind, delete_source=delete, started=now())
            pending = self._note(pending, started)
        step = _Step(self.index, local, source, target, moving, check)
        if pending is None or not pending.switched:
            if not self._copy_and_switch(step, keep_note=delete):
                return moving
            step.local = self._local_store(source, target, switched=True, dry_run=dry_run)
        moving.switched = True
        if delete:
            step.delete_all()
            if not dry_run:
                self._drop_note()
        return moving

    def _call_off(self, exc: BaseException) -> None:
        """A move that failed before its switch is called off: the source is pinned and holds every key,
        so the note goes and the box goes on as before. One that failed after it keeps its note."""
        try:
            with self.index.edit() as current:
                if current.migration is not None and not current.migration.switched:
                    current.migration = None
        except Exception as undo:
            exc.add_note(f"dropping the move's note failed too ({undo}); exchange-tui doctor --repair finishes it")

    def _note(self, pending: PendingMigration | None, new: PendingMigration) -> PendingMigration:
        """Note the move before the first copy (or that an unfinished one is now to delete the source too)."""
        with self.index.edit() as current:
            if current.migration != pending:
                raise MigrationRefused("another exchange-tui migrate changed the move meanwhile: run it again")
            if pending is None:
                current.migration = new
            elif new.delete_source and not pending.delete_source:
                current.migration = pending.model_copy(update={"delete_source": True})
            return current.migration

    def _copy_and_switch(self, step: _Step, *, keep_note: bool) -> bool:
        """Copy until every account is in the destination, then switch; ``False`` if one cannot be
        copied (its copies are taken out again and nothing is switched), and when dry."""
        dry = step.moving.dry_run
        try:
            while step.copy_all():
                if dry:
                    return False
                if step.switch(keep_note=keep_note):
                    return True
        except BaseException as exc:
            if not dry:
                try:
                    step.undo_copies()  # as after a conflict: the destination as it was, before the note goes
                except Exception as undo:
                    exc.add_note(f"taking this run's copies out of the destination failed too ({undo})")
            raise
        if not dry:
            step.undo_copies()
            self._drop_note()
        return False

    def _source_kind(self, document: IndexDocument) -> str | None:
        if store_choice(self.environ) == VAULT:
            return VAULT
        if document.secret_backend is not None:
            return document.secret_backend
        if not document.accounts:
            return None
        return open_secret_store(
            self.locations, password_source=self.password_source, timeout=self.timeout
        ).kind  # an index from before pinning: its accounts are where this process would look

    def _open(self, kind: str, *, dry_run: bool) -> _Local | _Vault:
        if kind == VAULT:
            from .vault import VaultAccountStore, VaultSettings

            settings = VaultSettings.from_env(self.environ, allow_insecure=self.allow_insecure)
            return _Vault(VaultAccountStore.open(settings))
        if kind == OS_KEYRING:
            found = find_os_keyring(self.timeout)
            if found.store is None:
                raise SecretStoreUnavailable(f"no OS keyring to use ({found.reason})")
            return _Local(found.store, OS_KEYRING, found.store.description)
        if kind == ENCRYPTED_FILE:
            path = self.locations.secrets_file
            if dry_run and not path.exists():
                return _Local(None, ENCRYPTED_FILE, f"encrypted file {path} (not created yet)")
            secrets = open_encrypted_file(self.locations, self.password_source, CHOSEN)
            return _Local(secrets, ENCRYPTED_FILE, secrets.description)
        raise SecretStoreUnavailable(f"the index names a store {kind!r} this version does not know")

    def _refuse_a_second_local_store(self, document: IndexDocument) -> None:
        """A Vault moving to this box lands in the store the box's own accounts are in, or none is pinned."""
        if store_choice(self.environ) != VAULT or not document.accounts:
            return
        if document.secret_backend not in (None, self.wanted):
            there = next(name for name, kind in DESTINATIONS.items() if kind == document.secret_backend)
            raise MigrationRefused(
                f"this box keeps {len(document.accounts)} accounts of its own in the {document.secret_backend} store: "
                f"move the Vault's accounts there (migrate --to {there})"
            )

    def _local_store(self, source, target, *, switched: bool, dry_run: bool) -> AccountStore | None:
        """The account store of the local side the index pins now: its locks keep this box's other
        processes out of an account while it moves, and it removes a moved account from this box."""
        if dry_run:
            return None
        if isinstance(source, _Local) and isinstance(target, _Local):
            side = target if switched else source
        else:
            side = source if isinstance(source, _Local) else target
        assert side.secrets is not None
        return AccountStore(side.secrets, self.locations)

    def _drop_note(self) -> None:
        with self.index.edit() as current:
            current.migration = None


class _Step:
    """The copies, the switch and the deletes of one move."""

    def __init__(self, index, local: AccountStore | None, source, target, moving: Migration, check: Check | None) -> None:
        self.index = index
        self.local = local
        self.source = source
        self.target = target
        self.moving = moving
        self.check = check
        self.copied: dict[str, AccountRecord] = {}
        self.by_id: dict[str, Moved] = {}

    @contextmanager
    def _held(self, label: str) -> Iterator[None]:
        with self.local.lock(label) if self.local is not None else nullcontext():
            yield

    def _note(self, record: AccountRecord, status: str, **details) -> Moved:
        moved = self.by_id.get(record.account_id)
        if moved is None:
            moved = Moved(record.label, record.exchange, status, **details)
            self.by_id[record.account_id] = moved
            self.moving.accounts.append(moved)
        else:
            moved.status = status
            for name, value in details.items():
                setattr(moved, name, value)
        return moved

    def copy_all(self) -> bool:
        """Copy every account the source lists that is not copied yet; ``False`` if one cannot be."""
        for record in self.source.records(self.index):
            if record.account_id not in self.by_id:
                self._copy(record)
        return not any(moved.blocking for moved in self.moving.accounts)

    def _copy(self, record: AccountRecord) -> None:
        with self._held(record.label):
            try:
                credentials = self.source.read(record)
            except CorruptSecret:
                credentials = None
            if credentials is None:
                if all(listed.account_id != record.account_id for listed in self.source.records(self.index)):
                    return  # removed meanwhile: nothing to move
                problem = f"its secret is not in the {self.source.description}: see exchange-tui doctor"
                self._note(record, MISSING, problem=problem)
                return
            taken = self.target.taken(record, self.index.load())
            there = None if taken else self._read_target(record)
            if taken or (there is not None and there != credentials):
                problem = taken or f"the {self.target.description} holds another key for it: not overwritten"
                self._note(record, CONFLICT, problem=problem)
                return
            if there is not None:
                self._note(record, ALREADY_THERE, already_there=True)
            elif self.moving.dry_run:
                self._note(record, TO_COPY)
                return
            else:
                self.target.write(record, credentials)
                there = self._read_target(record)
                if there != credentials:
                    raise SecretStoreError(
                        f"the copy of {record.label!r} in the {self.target.description} reads back otherwise: "
                        "nothing was switched"
                    )
                self._note(record, COPIED)
            if self.moving.dry_run:
                return
            self.copied[record.account_id] = record
            if self.check is not None:
                self._check(record, there)

    def _read_target(self, record: AccountRecord) -> Credentials | None:
        try:
            return self.target.read(record)
        except CorruptSecret:
            return None

    def _check(self, record: AccountRecord, copy: Credentials) -> None:
        assert self.check is not None
        report, summary = self.check(record, copy)
        record = record.model_copy(update={"last_check": summary})
        self.copied[record.account_id] = record
        self.target.record_check(record)
        if report.connected:
            self._note(record, CHECKED, report=report)
        else:
            self._note(record, CHECK_FAILED, report=report, problem=report.error.hint if report.error else None)

    def undo_copies(self) -> None:
        """The move stopped before the switch: take the copies this run made out of the destination, which
        is then as it was (the source holds every key), so a key replaced before the next run is no conflict."""
        for account_id, record in self.copied.items():
            moved = self.by_id[account_id]
            if moved.already_there:
                continue
            with self._held(record.label):
                held, there = self.source.read(record), self._read_target(record)
                if there is not None and there == held:
                    self.target.delete(record)
            if moved.status in (COPIED, CHECKED):
                moved.status = NOT_MOVED

    def switch(self, *, keep_note: bool) -> bool:
        """One write of the index: the pin to a local destination (the Vault's accounts listed), the note
        ``switched`` while the source's copies are still to delete, else dropped. ``False``, and nothing
        written, if this box lists an account not copied yet (an add that began before the move)."""
        try:
            with self.index.edit() as document:
                self._switch(document, keep_note=keep_note)
        except _NotCopied:
            return False
        return True

    def _switch(self, document: IndexDocument, *, keep_note: bool) -> None:
        assert document.migration is not None
        if isinstance(self.source, _Local) and any(record.account_id not in self.copied for record in document.accounts):
            raise _NotCopied
        if isinstance(self.target, _Local):
            for record in self.copied.values():
                listed = document.find(record.label)
                if isinstance(self.source, _Vault):
                    document.put(record)
                elif listed is not None and record.last_check is not None:
                    document.put(listed.model_copy(update={"last_check": record.last_check}))
            document.secret_backend = self.target.kind
        document.migration = document.migration.model_copy(update={"switched": True}) if keep_note else None

    def delete_all(self) -> None:
        """Delete each account from the source, once the destination's copy reads the same."""
        for record in self.source.records(self.index):
            if self.moving.dry_run:
                self._note(record, TO_DELETE)
                continue
            with self._held(record.label):
                self._delete(record)

    def _delete(self, record: AccountRecord) -> None:
        try:
            held = self.source.read(record)
        except CorruptSecret:
            held = None
        there = self._read_target(record)
        if there is None or (held is not None and held != there):
            self._note(record, KEPT, problem=f"the {self.target.description} does not hold this key: the source keeps it")
            return
        if isinstance(self.target, _Vault):
            assert self.local is not None
            self.local.remove(record.label)  # the account leaves this box's index too
        elif held is not None:
            self.source.delete(record)
        self._note(record, DELETED)
