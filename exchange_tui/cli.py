"""The ``exchange-tui`` command: the full-screen app with no command, else the headless face of the
account service, for trading boxes.

Every account operation is here, scriptable, with ``--json``. Credentials are
read from the environment, one JSON object on stdin, or a no-echo prompt —
never from arguments, which land in ``ps`` and shell history. Errors are one
or two lines and an exit code, never a traceback:

0 done · 1 the exchange refused the key or a permission · 2 bad usage or input ·
3 exchange unreachable · 4 secret store unavailable · 70 internal error (a bug) · 130 interrupted
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import getpass
import json
import math
import os
import sys
from collections.abc import Awaitable, Callable
from contextlib import aclosing
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

from pydantic import SecretStr

from exchange_tui.exchanges.errors import ExchangeError, ExchangeUnavailable, RateLimited
from exchange_tui.exchanges.registry import EXCHANGES
from exchange_tui.hardening import forbid_core_dumps
from exchange_tui.models import ErrorInfo, KeyReport
from exchange_tui.reports import amount_json, balance_json, report_json, report_text
from exchange_tui.urls import InsecureUrl, check_url, require_secure_url
from exchange_tui.validation import PEM_MARKER, InvalidInput

if TYPE_CHECKING:
    from exchange_tui.exchanges.base import CredentialField, ExchangeSpec
    from exchange_tui.service import AccountService, BalanceSnapshot

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
EXIT_STORE = 4
EXIT_INTERNAL = 70
"""EX_SOFTWARE: a bug, an error no command expects."""
EXIT_INTERRUPTED = 130
INDEX_ONLY = {"accounts"}
"""Commands that read no secret: they open the secret store only if a crash left it work."""
MASTER_PASSWORD_TRIES = 3


class CliError(Exception):
    """A failure the command reports in one line, with its exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


# -- input ---------------------------------------------------------------------


def read_credentials(spec: ExchangeSpec) -> dict[str, SecretStr]:
    """The parts of a key the exchange has (by field name), from its environment variables, else
    JSON on stdin, else a no-echo prompt for each."""
    found = {field.name: os.environ.get(field.env) for field in spec.credentials}
    if all(found.values()):
        return {name: SecretStr(value) for name, value in found.items() if value}
    if any(found.values()):
        missing = ", ".join(field.env for field in spec.credentials if not found[field.name])
        raise CliError(f"set all of {spec.name}'s credential variables or none; missing: {missing}", EXIT_USAGE)
    if _on_a_terminal():
        return {field.name: _prompt(field) for field in spec.credentials}
    names = [field.name for field in spec.credentials]
    fields = ", ".join(f'"{name}"' for name in names)
    document = _stdin_json(fields, otherwise=f" (or set {', '.join(f.env for f in spec.credentials)})")
    if document is None or not all(isinstance(document.get(name), str) for name in names):
        raise CliError(f"stdin JSON needs the string fields {fields} for {spec.name}", EXIT_USAGE)
    return {name: SecretStr(document.pop(name)) for name in names}


def _prompt(field: CredentialField) -> SecretStr:
    """One part of a key from a no-echo prompt; a PEM private key pasted there arrives one line per
    read, so its lines are read on to its END line."""
    first = SecretStr(getpass.getpass(f"{field.label}: "))
    if not (field.pem and first.get_secret_value().strip().startswith(PEM_MARKER)):
        return first
    lines = [first]
    while not lines[-1].get_secret_value().strip().startswith("-----END"):
        lines.append(SecretStr(getpass.getpass("")))
    return SecretStr("\n".join(line.get_secret_value() for line in lines))


def _confirm(question: str, verb: str) -> bool:
    if not _on_a_terminal():
        raise CliError(f"not on a terminal, so nothing can be confirmed: add --yes to {verb}", EXIT_USAGE)
    return input(f"{question} [y/N] ").strip().lower() in {"y", "yes"}


def _on_a_terminal() -> bool:
    """Whether stdin is a terminal (it is ``None`` when the process started with descriptor 0 closed)."""
    return sys.stdin is not None and sys.stdin.isatty()


def _stdin_json(fields: str, otherwise: str = "") -> dict[str, Any] | None:
    """The JSON object on stdin; ``None`` if stdin is closed or empty. ``fields`` and ``otherwise`` word
    the refusal of anything else."""
    try:
        text = sys.stdin.read() if sys.stdin is not None else ""
    except UnicodeDecodeError:
        raise CliError("stdin is not UTF-8 text: send the JSON object in UTF-8", EXIT_USAGE) from None
    if not text.strip():
        return None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        document = None
    if not isinstance(document, dict):
        raise CliError(f"stdin is not one JSON object {{{fields}}}{otherwise}", EXIT_USAGE)
    return document


def _json_password(document: dict[str, Any], name: str) -> SecretStr | None:
    value = document.pop(name, None)
    if value is not None and not (isinstance(value, str) and value):
        raise CliError(f'stdin JSON: "{name}" must be a non-empty string', EXIT_USAGE)
    return None if value is None else SecretStr(value)


def _new_master_password(path: str) -> SecretStr:
    """The new master password, typed twice on the terminal; asked again when the two differ."""
    for _ in range(MASTER_PASSWORD_TRIES):
        new = SecretStr(getpass.getpass(f"New master password for {path} (it cannot be recovered): "))
        if not new.get_secret_value():
            print("The master password cannot be empty.", file=sys.stderr)
        elif SecretStr(getpass.getpass("The same password again: ")) == new:
            return new
        else:
            print("The two passwords differ: again.", file=sys.stderr)
    raise CliError("the new master password was not typed the same twice: nothing was changed", EXIT_USAGE)


# -- output --------------------------------------------------------------------


def _print_json(document: Any) -> None:
    print(json.dumps(document, indent=2, default=str))


def _record_json(record) -> dict[str, Any]:
    check = record.last_check
    return {
        "label": record.label,
        "exchange": record.exchange,
        "key_prefix": record.key_prefix,
        "demo_trading": record.demo_trading,
        "testnet": record.testnet,
        "site": record.site,
        "base_url": record.base_url,
        "created": record.created.isoformat(),
        "rotated": record.rotated.isoformat() if record.rotated else None,
        "rotated_by": record.rotated_by,
        "last_check": None
        if check is None
        else {
            "status": check.status.value,
            "checked_at": check.checked_at.isoformat(),
            "error_code": check.error_code,
            "total_usdt": amount_json(check.total_usdt),
        },
    }


def _report_exit(report: KeyReport) -> int:
    if report.connected:
        return EXIT_OK
    return _exchange_exit(report.error.kind if report.error else "")


def _exchange_exit(kind: str) -> int:
    """The exit code of an exchange error of ``kind``: unreachable or busy, try later (3), else refused (1).
    A script must not page a person to replace a good key that the exchange will not answer for now."""
    return EXIT_UNREACHABLE if kind in (ExchangeUnavailable.kind, RateLimited.kind) else EXIT_REFUSED


def _show_report(args: argparse.Namespace, report: KeyReport, label: str) -> int:
    if args.json:
        _print_json(report_json(report, label))
    else:
        print(report_text(report, label))
    return _report_exit(report)


# -- commands ------------------------------------------------------------------


def _store(args: argparse.Namespace):
    """The account store this box uses. The encrypted file's master password comes from
    ``--master-password-fd``, the file or the environment, else a prompt; ``--allow-insecure`` lets a
    plain-text Vault address on another machine through."""
    from exchange_tui.store import open_account_store

    return open_account_store(
        password_source=_password_source(args),
        environ=args.settings.environ,
        allow_insecure=args.allow_insecure,
        lazy=args.command in INDEX_ONLY,
    )


def _password_source(args: argparse.Namespace):
    """The master password's source for this run, one for every store it opens: each source is read once."""
    from exchange_tui.store import MasterPassword

    if getattr(args, "password_source", None) is None:
        args.password_source = MasterPassword(fd=args.master_password_fd)
    return args.password_source


def _service(args: argparse.Namespace):
    """The account service on :func:`_store`; the command's ``--url`` applies to the account it names.
    ``--allow-insecure`` lets an account's own plain-text URL to another machine through."""
    from exchange_tui.service import AccountService

    url, label = getattr(args, "url", None), getattr(args, "label", None)
    if url and not label:
        raise CliError("--url applies to the account it names: give the LABEL too", EXIT_USAGE)
    return AccountService(
        _store(args),
        settings=args.settings,
        url_overrides={label: url} if url and args.command != "add" else None,
        allow_insecure=args.allow_insecure,
    )


def _exchange_spec(name: str) -> ExchangeSpec:
    spec = EXCHANGES.get(name.lower())
    if spec is None:
        raise CliError(f"unknown exchange {name!r}: one of {', '.join(EXCHANGES)}", EXIT_USAGE)
    return spec


def _add_hint() -> str:
    return f"No accounts yet: exchange-tui add {'|'.join(EXCHANGES)} LABEL"


def _times_json(service: AccountService, record, now: datetime) -> dict[str, Any]:
    """The key's age against ``key_max_age_days``, and its expiry by its exchange's rule where known."""
    expires_at = record.last_check.expires_at if record.last_check else None
    return {
        "age_days": record.age_days(now),
        "key_max_age_days": service.key_max_age_days,
        "too_old": service.too_old(record, now),
        "expires_at": expires_at.isoformat() if expires_at else None,
    }


def _times_notes(service: AccountService, record, now: datetime) -> list[str]:
    """The lines under an account's row: its expiry's countdown, and its age once past the limit."""
    notes = []
    rule = EXCHANGES[record.exchange].key_expiry if record.exchange in EXCHANGES else None
    expires_at = record.last_check.expires_at if record.last_check else None
    if rule is not None and expires_at is not None:
        notes.append(rule.when(expires_at, now))
    if service.too_old(record, now):  # shorter than the check's warning, to keep the table within 80 columns
        notes.append(
            f"key {record.age_days(now)} days old, past key_max_age_days={service.key_max_age_days}: "
            f"exchange-tui rotate {record.label}"
        )
    return [f"  ! {note}" for note in notes]


async def cmd_accounts(args: argparse.Namespace) -> int:
    async with _service(args) as service:
        records = await service.accounts()
    now = datetime.now(UTC)
    if args.json:
        _print_json({"accounts": [_record_json(r) | _times_json(service, r, now) for r in records]})
        return EXIT_OK
    if not records:
        print(_add_hint())
        return EXIT_OK
    print(f"{'LABEL':<14}{'EXCHANGE':<9}{'KEY':<10}{'STATUS':<10}{'AGE':<6}{'TOTAL USDT':>13}  LAST CHECK")
    for r in records:
        check = r.last_check
        status = check.status.value if check else "unchecked"
        age = f"{r.age_days(now)}d" + ("!" if service.too_old(r, now) else "")
        total = f"{check.total_usdt:,.2f}" if check and check.total_usdt is not None else "—"
        when = check.checked_at.strftime("%Y-%m-%d %H:%M") if check else "never"
        print(f"{r.label:<14}{r.exchange:<9}{r.key_prefix:<10}{status:<10}{age:<6}{total:>13}  {when}")
        for note in _times_notes(service, r, now):
            print(note)
    return EXIT_OK


async def cmd_add(args: argparse.Namespace) -> int:
    spec = _exchange_spec(args.exchange)
    parts = read_credentials(spec)
    async with _service(args) as service:
        connected = await service.add(
            spec.id,
            args.label,
            **parts,
            demo_trading=args.demo_trading,
            testnet=args.testnet,
            site=args.site,
            base_url=args.url,
        )
    return _show_report(args, connected.report, connected.record.label)


async def cmd_check(args: argparse.Namespace) -> int:
    async with _service(args) as service:
        connected = await service.check(args.label)
    return _show_report(args, connected.report, connected.record.label)


async def cmd_rotate(args: argparse.Namespace) -> int:
    async with _service(args) as service:
        record = await service.account(args.label)
        parts = read_credentials(service.exchange(record.exchange))
        connected = await service.rotate(record.label, **parts)
    return _show_report(args, connected.report, connected.record.label)


async def cmd_remove(args: argparse.Namespace) -> int:
    from exchange_tui.store import HalfWritten

    async with _service(args) as service:
        try:
            record = await service.account(args.label)
        except HalfWritten as cut_short:
            record = cut_short.record
        question = (
            f"Remove {record.exchange} account {record.label!r} (key {record.key_prefix})? "
            "Its key is deleted from the secret store (for every box, if they share a Vault); "
            "the key itself stays valid on the exchange."
        )
        if not args.yes and not _confirm(question, "remove"):
            print("Nothing removed.")
            return EXIT_OK
        removed = await service.remove(record.label)
    if args.json:
        _print_json({"removed": _record_json(removed)})
    else:
        name = EXCHANGES[removed.exchange].name if removed.exchange in EXCHANGES else removed.exchange
        print(f"Removed {removed.label}. Delete the key on {name} too if it is no longer used.")
    return EXIT_OK


def _snapshot_json(snapshot) -> dict[str, Any]:
    return {
        "label": snapshot.label,
        "at": snapshot.at.isoformat(),
        "source": snapshot.source.value,
        "balances": None if snapshot.balances is None else [balance_json(b) for b in snapshot.balances],
        "total_usdt": amount_json(snapshot.total_usdt),
        "error": snapshot.error.model_dump() if snapshot.error else None,
    }


async def cmd_balance(args: argparse.Namespace) -> int:
    """One account's balances, or every account's: one that cannot be read (its secret missing, its key
    refused) is a line of its own and the worst exit code, and the others are still shown."""
    if args.watch:
        return await _watch_balance(args)
    async with _service(args) as service:
        if args.label:
            readings = [_Reading(await service.balances(args.label))]
        else:
            readings = [await _read_balances(service, record.label) for record in await service.accounts()]
    read = [r.snapshot for r in readings if not r.problem]
    total = sum((s.total_usdt for s in read), Decimal(0))
    code = max((r.code for r in readings), default=EXIT_OK)
    if args.json:
        _print_json(
            {
                "accounts": [_snapshot_json(r.snapshot) for r in readings],
                "total_usdt": amount_json(total),
            }
        )
        return code
    if not readings:
        print(_add_hint())
    for r in readings:
        s = r.snapshot
        if r.problem:
            sys.stdout.flush()  # after the accounts before it, also when both streams go to one file
            print(f"exchange-tui: {s.label}: {r.problem}", file=sys.stderr)
            continue
        print(f"{s.label}: {s.total_usdt:,.2f} USDT")
        for b in s.balances:
            value = "—" if b.usdt_value is None else f"{b.usdt_value:,.2f}"
            print(f"  {b.account:<14}{b.coin:<6}{b.available:>20,.8f}{b.frozen + b.locked:>18,.8f}{value:>14}")
    if len(readings) > 1:
        unread = len(readings) - len(read)
        without = f" ({unread} {'account' if unread == 1 else 'accounts'} not read)" if unread else ""
        print(f"Total: {total:,.2f} USDT{without}")
    return code


class _Reading(NamedTuple):
    """One account's balances, or (``problem``, ``code``) why they could not be read."""

    snapshot: BalanceSnapshot
    code: int = EXIT_OK
    problem: str = ""


async def _read_balances(service: AccountService, label: str) -> _Reading:
    """The account's balances; an error a command can meet is kept as the account's problem, a bug is raised."""
    from exchange_tui.service import BalanceSnapshot
    from exchange_tui.store import StoreError

    try:
        return _Reading(await service.balances(label))
    except Exception as error:
        known = _known_error(error)
        if known is None:
            raise
        problem, code = known
        if isinstance(error, ExchangeError):
            info = error.info()
        else:
            kind = "secret_store" if isinstance(error, StoreError) else "invalid_input"
            info = ErrorInfo(kind=kind, code=type(error).__name__, message=problem, hint=problem)
        return _Reading(BalanceSnapshot(label, None, None, error=info), code, problem)


async def _watch_balance(args: argparse.Namespace) -> int:
    """One line per change until interrupted; exit 3 once the exchange has been unreachable for ``--timeout``,
    4 once the store has failed for as long (or at once when it refuses this box: a Vault token revoked)."""
    if not args.label:
        raise CliError("--watch needs the account's LABEL", EXIT_USAGE)
    loop = asyncio.get_running_loop()
    healthy = False
    problem = "no answer"
    async with (
        _service(args) as service,
        aclosing(service.watch(args.label, poll_interval=args.interval, store_timeout=args.timeout)) as snapshots,
    ):
        # From here: the time it took to open the store (an Argon2 derivation, a keyring) is not the
        # exchange's, and on a busy box it can take longer than a short --timeout.
        trouble_since = loop.time()
        while True:
            # A live stream that is up sends nothing while balances stay the same: only time spent
            # without an answer (from the start, or since the first failed reading) counts.
            remaining = None if healthy else max(trouble_since + args.timeout - loop.time(), 0)
            try:
                snapshot = await asyncio.wait_for(anext(snapshots), remaining)
            except TimeoutError:
                raise CliError(
                    f"the exchange has been unreachable for {args.timeout:g} s ({problem}): giving up",
                    EXIT_UNREACHABLE,
                ) from None
            except StopAsyncIteration:
                raise CliError(f"account {args.label!r} was removed: nothing left to watch", EXIT_USAGE) from None
            if snapshot.error is None:
                healthy = True
            else:
                if healthy:
                    trouble_since = loop.time()
                healthy = False
                problem = snapshot.error.hint
            if args.json:
                print(json.dumps(_snapshot_json(snapshot)), flush=True)
            elif snapshot.error is None:
                when = snapshot.at.astimezone().strftime("%H:%M:%S")
                print(f"{when} {snapshot.label} {snapshot.total_usdt:,.2f} USDT ({snapshot.source.value})", flush=True)
            else:
                print(f"{snapshot.label}: {snapshot.error.hint}", flush=True)


async def cmd_locate(args: argparse.Namespace) -> int:
    from exchange_tui.store import Locations, describe_account_store

    locations = Locations.from_env(args.settings.environ)
    config_file = args.settings.config_file
    found = {
        "config": str(locations.config),
        "config_file": str(config_file) + ("" if config_file.exists() else " (none)"),
        "data": str(locations.data),
        "state": str(locations.state),
        **await asyncio.to_thread(
            describe_account_store, locations, environ=args.settings.environ, allow_insecure=args.allow_insecure
        ),
    }
    if args.json:
        _print_json(found)
    else:
        width = max(map(len, found))
        for name, value in found.items():
            print(f"{name.replace('_', ' '):<{width}}  {value}")
    return EXIT_OK


async def cmd_doctor(args: argparse.Namespace) -> int:
    """The store in use, the index against it, our files' modes; exit 4 while a problem remains."""
    from exchange_tui.store import checkup

    moves = await asyncio.to_thread(_finish_move, args)
    store = await asyncio.to_thread(_store, args)
    found = await asyncio.to_thread(checkup, store, repair=args.repair)
    found.finished, found.unfinished = moves
    if args.json:
        _print_json(found.as_json())
    else:
        print(f"secret store  {found.backend_detail}")
        if store.locations is not None:
            print(f"index         {store.locations.index_file}")
        print(f"accounts      {found.accounts}")
        for line in found.recovered():
            print(f"finished      {line}")
        for line in found.problems():
            print(f"found         {line}")
        if found.healthy:
            print("All is well.")
        elif not args.repair:
            print("Run exchange-tui doctor --repair to fix what can be fixed without losing a key.")
    return EXIT_OK if found.healthy else EXIT_STORE


async def cmd_passwd(args: argparse.Namespace) -> int:
    """Change the encrypted file's master password, or (``--reset``) start a new file when it is forgotten."""
    from exchange_tui.store import Locations
    from exchange_tui.store.locations import display_path
    from exchange_tui.store.passwd import NoMasterPassword, encrypted_file_in_use

    locations = Locations.from_env(args.settings.environ).ensure()
    try:
        path = await asyncio.to_thread(encrypted_file_in_use, locations, args.settings.environ)
    except NoMasterPassword as none:
        raise CliError(str(none), EXIT_USAGE) from None
    shown = display_path(path)
    if args.reset:
        return _reset_master_password(args, locations, shown)
    from exchange_tui.store import MasterPassword, WrongMasterPassword
    from exchange_tui.store.master_password import HOW_TO_GIVE
    from exchange_tui.store.passwd import change_master_password

    given = MasterPassword(fd=args.master_password_fd).given()
    if _on_a_terminal():
        old = given or SecretStr(getpass.getpass(f"Current master password for {shown}: "))
        new = _new_master_password(shown)
    else:
        document = _stdin_json('"old", "new"')
        if document is None and given is None:
            raise CliError(
                f"no master password for the encrypted file {shown} and no terminal to ask on: {HOW_TO_GIVE} "
                '(for passwd, or send {"old": ..., "new": ...} on stdin)',
                EXIT_STORE,
            )
        if document is None:
            raise CliError('no terminal to ask for the new master password on: send {"new": ...} on stdin', EXIT_USAGE)
        old, new = _json_password(document, "old") or given, _json_password(document, "new")
        if old is None or new is None:
            raise CliError('stdin JSON needs "new", and "old" unless a master password source gives it', EXIT_USAGE)
    if new == old:
        raise CliError("the new master password is the old one: nothing was changed", EXIT_USAGE)
    try:
        entries = await asyncio.to_thread(change_master_password, locations, old, new)
    except WrongMasterPassword as wrong:
        raise CliError(f"{wrong}; nothing was changed", EXIT_STORE) from None
    if args.json:
        _print_json({"changed": True, "entries": entries})
    else:
        print(
            f"The master password of {shown} was changed: {entries} {'entry' if entries == 1 else 'entries'} "
            "re-encrypted and read back. Give the new one to whatever starts exchange-tui unattended."
        )
    return EXIT_OK


def _reset_master_password(args: argparse.Namespace, locations, shown: str) -> int:
    """Say what is lost, confirm, keep the old file aside and start an empty one with a new password."""
    from exchange_tui.store.passwd import reset_master_password, what_a_reset_loses

    loss = what_a_reset_loses(locations)
    lost = loss.lines()
    said = sys.stderr if args.json else sys.stdout  # --json keeps stdout for the JSON
    print(f"A reset starts a new, empty {shown} with a new master password. The secrets in the old one are lost", file=said)
    print("unless its password is remembered later: " + ("; ".join(lost) if lost else "it holds none") + ".", file=said)
    print("The accounts stay listed, each to be given its key again with exchange-tui rotate LABEL.", file=said)
    if not args.yes and not _confirm("Start a new file?", "reset"):
        print("Nothing changed.", file=said)
        return EXIT_OK
    if _on_a_terminal():
        new = _new_master_password(shown)
    else:
        document = _stdin_json('"new"')
        new = None if document is None else _json_password(document, "new")
        if new is None:
            raise CliError('no terminal to ask for the new master password on: send {"new": ...} on stdin', EXIT_USAGE)
    kept = reset_master_password(locations, new)
    labels = [record.label for record in loss.accounts]
    if args.json:
        _print_json({"reset": True, "kept": str(kept), "secrets_missing": labels, "unlisted_secrets": loss.unlisted})
        return EXIT_OK
    print(f"A new {shown} opens with the new master password.")
    print(f"The old file is kept as {kept} (mode 0600): if its password comes back to you, its keys can still be read.")
    for label in labels:
        print(f"secret missing: {label}: add the key again with exchange-tui rotate {label}")
    return EXIT_OK


VAULT_SETTING = 'store = "vault"'
MIGRATE_TO = ("keyring", "file", "vault")
"""``migrate --to``'s names (the store kinds they stand for are ``store.migrate.DESTINATIONS``', which
the parser does not import: 15 ms of every command)."""


async def cmd_migrate(args: argparse.Namespace) -> int:
    """Every account copied to another store, read back and compared (and with ``--check``, checked with
    the exchange there), the box switched to it, and with ``--delete-source`` the source's copies deleted."""
    loop = asyncio.get_running_loop()

    def check(record, credentials) -> tuple[KeyReport, Any]:
        return asyncio.run_coroutine_threadsafe(_check_copy(args, record, credentials), loop).result()

    moved = await asyncio.to_thread(_migrate, args, check if args.check else None)
    if args.json:
        _print_json(_migration_json(moved, args))
    else:
        _print_migration(moved, args)
    return _migration_exit(moved)


def _migrate(args: argparse.Namespace, check):
    from exchange_tui.store.migrate import DESTINATIONS, MigrationRefused

    try:
        return _move(args, DESTINATIONS[args.to], dry_run=args.dry_run, delete_source=args.delete_source, check=check)
    except MigrationRefused as refused:
        raise CliError(str(refused), EXIT_USAGE) from None


def _move(args: argparse.Namespace, destination: str, **options):
    """``store.migrate.migrate`` to ``destination`` on this run's settings and master password."""
    from exchange_tui.store import Locations
    from exchange_tui.store.migrate import migrate

    return migrate(
        destination,
        locations=Locations.from_env(args.settings.environ),
        password_source=_password_source(args),
        environ=args.settings.environ,
        allow_insecure=args.allow_insecure,
        **options,
    )


async def _check_copy(args: argparse.Namespace, record, credentials) -> tuple[KeyReport, Any]:
    """The exchange's word on the destination's copy of the key, and the summary the account service
    made of it (as every check records one)."""
    from exchange_tui.service import AccountService
    from exchange_tui.store.migrate import CopiedAccount

    copy = CopiedAccount(record, credentials)
    async with AccountService(copy, settings=args.settings, allow_insecure=args.allow_insecure) as service:
        connected = await service.check(record.label)
    return connected.report, connected.record.last_check


def _migration_exit(moved) -> int:
    """1 for a conflict or a refused key, 3 if the exchange could not be reached, 4 for a missing secret."""
    from exchange_tui.store.migrate import CONFLICT, MISSING

    codes = [EXIT_OK]
    for account in moved.accounts:
        if account.status == CONFLICT:
            codes.append(EXIT_REFUSED)
        elif account.status == MISSING:
            codes.append(EXIT_STORE)
        elif account.report is not None and not account.report.connected:
            codes.append(_report_exit(account.report))
    return max(codes)


def _switch_lines(moved, args: argparse.Namespace) -> list[str]:
    """What the user changes to point the box at a Vault, or away from one."""
    if not moved.switched or moved.dry_run:
        return []
    config_file = args.settings.config_file
    if moved.destination == "vault":
        return [
            f"To use them on this box, add this line to {config_file}:",
            VAULT_SETTING,
            "or set EXCHANGE_TUI_STORE=vault in its environment.",
        ]
    if moved.source == "vault" and args.settings.environ.get("EXCHANGE_TUI_STORE"):
        return [
            f"To use them on this box, take {VAULT_SETTING} out of {config_file} "
            "and EXCHANGE_TUI_STORE out of its environment."
        ]
    return []


def _migration_json(moved, args: argparse.Namespace) -> dict[str, Any]:
    return {
        "from": moved.source,
        "to": moved.destination,
        "dry_run": moved.dry_run,
        "resumed": moved.resumed,
        "switched": moved.switched,
        "accounts": [
            {
                "label": account.label,
                "exchange": account.exchange,
                "status": account.status,
                "already_there": account.already_there,
                "problem": account.problem,
            }
            for account in moved.accounts
        ],
        "source_kept": moved.source_kept,
        "next": _switch_lines(moved, args),
    }


def _print_migration(moved, args: argparse.Namespace) -> None:
    if not moved.accounts and moved.source == "none":
        print("No accounts to move.")
        return
    print(f"from  {moved.source_description}")
    print(f"to    {moved.destination_description}")
    for account in moved.accounts:
        problem = f": {account.problem}" if account.problem else ""
        there = " (it was there already)" if account.already_there and account.status != "already there" else ""
        print(f"  {account.label:<16}{account.exchange:<9}{account.status}{there}{problem}")
    if moved.dry_run:
        print("Dry run: nothing was changed.")
    elif not moved.switched:
        print(f"Nothing was switched: this box still uses the {moved.source} store, which keeps every key.")
    else:
        print(f"Every account is in the {moved.destination} store, read back and compared.")
        if moved.source_kept:
            print(f"The {moved.source} store keeps its copies.")
    for line in _switch_lines(moved, args):
        print(line)


def _finish_move(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """For ``doctor``: a move to another store an interrupted ``migrate`` left, finished with ``--repair``;
    (what was finished, what is left)."""
    from exchange_tui.store import Locations
    from exchange_tui.store.migrate import describe, unfinished

    pending = unfinished(Locations.from_env(args.settings.environ))
    if pending is None:
        return [], []
    if not args.repair:
        return [], [describe(pending)]
    moved = _move(args, pending.destination, delete_source=pending.delete_source)
    if moved.switched:
        return [f"the interrupted move of the accounts to the {pending.destination} store was finished"], []
    left = "; ".join(f"account {a.label!r}: {a.status}: {a.problem}" for a in moved.accounts if a.blocking)
    return [], [
        f"the interrupted move to the {pending.destination} store cannot be finished, "
        f"the box stays on the {pending.source} store: {left}"
    ]


# -- parsing -------------------------------------------------------------------


def _url_argument(text: str) -> str:
    """``--url``, checked for its syntax: argparse names the option and exits 2 when it is wrong."""
    try:
        return check_url(text)
    except InvalidInput as problem:
        raise argparse.ArgumentTypeError(problem.message) from None


def _seconds_argument(text: str) -> float:
    """A period in seconds: a finite number above 0 (``nan``, ``inf``, 0 and negatives are refused)."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, not {text!r}")
    return seconds


def _descriptor(text: str) -> int:
    """``--master-password-fd``'s value: a file descriptor's number."""
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"not a file descriptor: {text!r}")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    variables = "; ".join(f"{spec.name}: {', '.join(f.env for f in spec.credentials)}" for spec in EXCHANGES.values())
    parser = argparse.ArgumentParser(
        prog="exchange-tui",
        description="Connect exchange API keys, check them against the exchange and watch balances. "
        f"Credentials come from the exchange's variables ({variables}), one JSON object on stdin "
        '{"api_key", "secret_key", "passphrase" where the exchange has one}, or a prompt; never from arguments.',
        epilog="exit codes: 0 done, 1 refused by the exchange, 2 bad usage or input, "
        "3 exchange unreachable, 4 secret store unavailable, 70 internal error (a bug: please report it), "
        "130 interrupted",
    )
    parser.add_argument(
        "--demo", action="store_true", help="open the app on the built-in simulators with a throwaway store"
    )
    parser.add_argument(
        "--master-password-fd",
        type=_descriptor,
        metavar="N",
        help="read the encrypted file's master password from file descriptor N, to its end "
        "(else EXCHANGE_TUI_MASTER_PASSWORD_FILE, EXCHANGE_TUI_MASTER_PASSWORD or a prompt)",
    )
    parser.add_argument(
        "--allow-insecure",
        action="store_true",
        help="accept http:// and ws:// URLs to other machines than this one, which send API keys and tokens in clear",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, handler: Callable[[argparse.Namespace], Awaitable[int]], help: str, url: bool = True):
        sub = commands.add_parser(name, help=help, description=help)
        sub.add_argument("--json", action="store_true", help="print JSON")
        if url:
            sub.add_argument(
                "--url",
                type=_url_argument,
                help="the REST base URL for the account this command names (else EXCHANGE_TUI_<EXCHANGE>_URL)",
            )
        sub.set_defaults(handler=handler)
        return sub

    command("accounts", cmd_accounts, "list the accounts", url=False)
    add = command("add", cmd_add, "verify a new key with the exchange, then store it")
    add.add_argument("exchange", metavar="EXCHANGE", help=" or ".join(EXCHANGES))
    add.add_argument("label", metavar="LABEL", help="a short name: letters, digits, - and _")
    add.add_argument("--demo-trading", action="store_true", help="the key is a demo-trading key")
    add.add_argument("--testnet", action="store_true", help="the key is of the exchange's testnet, where it has one")
    sites = sorted({site.id for spec in EXCHANGES.values() for site in spec.sites[1:]})
    add.add_argument(
        "--site", metavar="SITE", help=f"the exchange's site the key belongs to, where it has several ({', '.join(sites)})"
    )
    command("check", cmd_check, "check a stored key against the exchange").add_argument("label", metavar="LABEL")
    command("rotate", cmd_rotate, "replace an account's key: the new key is verified before the swap").add_argument(
        "label", metavar="LABEL"
    )
    remove = command("remove", cmd_remove, "forget an account and delete its key from the secret store", url=False)
    remove.add_argument("label", metavar="LABEL")
    remove.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    balance = command("balance", cmd_balance, "balances of one account, or of all")
    balance.add_argument("label", metavar="LABEL", nargs="?")
    balance.add_argument(
        "--watch", action="store_true", help="stream changes until interrupted (one JSON object a line with --json)"
    )
    balance.add_argument(
        "--timeout",
        type=_seconds_argument,
        default=60.0,
        metavar="S",
        help="with --watch: exit 3 after S seconds unreachable",
    )
    balance.add_argument(
        "--interval",
        type=_seconds_argument,
        default=5.0,
        metavar="S",
        help="with --watch: REST polling period while live is down",
    )
    command("locate", cmd_locate, "print the config, data and state folders and the secret backend in use", url=False)
    doctor = command(
        "doctor", cmd_doctor, "check the accounts against the secret store and the files' modes", url=False
    )
    doctor.add_argument("--repair", action="store_true", help="fix what can be fixed without losing a key")
    passwd = command(
        "passwd",
        cmd_passwd,
        "change the encrypted file's master password: every entry is re-encrypted and read back before the swap",
        url=False,
    )
    passwd.add_argument(
        "--reset",
        action="store_true",
        help="the password is forgotten: keep the old file aside and start an empty one (the accounts' keys must be added again)",
    )
    passwd.add_argument("--yes", action="store_true", help="with --reset: do not ask for confirmation")
    migrate = command(
        "migrate",
        cmd_migrate,
        "move every account to another secret store: copied, read back and compared before the switch",
        url=False,
    )
    migrate.add_argument("--to", required=True, choices=MIGRATE_TO, help="the store to move the accounts to")
    migrate.add_argument("--dry-run", action="store_true", help="list what would move; change nothing")
    migrate.add_argument("--check", action="store_true", help="check each copied key with the exchange before the switch")
    migrate.add_argument(
        "--delete-source", action="store_true", help="after the switch, delete each key from the store it came from"
    )
    commands.add_parser(
        "simulator", add_help=False, help="serve an exchange's simulator on loopback (exchange-tui simulator --help)"
    )
    return parser


def _error_exit(error: BaseException) -> tuple[str, int]:
    """The one line and exit code of a failure: the README's code for every error a command can
    meet; any other error is a bug, named by its type only, as its message could hold a secret."""
    known = _known_error(error)
    if known is not None:
        return known
    if isinstance(error, KeyboardInterrupt):
        return "interrupted", EXIT_INTERRUPTED
    return f"internal error ({type(error).__name__}) — please report it", EXIT_INTERNAL


def _known_error(error: BaseException) -> tuple[str, int] | None:
    """The one line and exit code of an error a command can meet, or ``None`` for a bug."""
    from exchange_tui.store import (
        AccountBusy,
        AccountExists,
        AccountNotFound,
        RotatedElsewhere,
        SecretStoreUnavailable,
        StoreError,
    )

    if isinstance(error, CliError):
        return str(error), error.code
    if isinstance(error, InvalidInput):
        return error.message, EXIT_USAGE
    if isinstance(error, ExchangeError):
        return str(error), _exchange_exit(error.kind)
    if isinstance(error, SecretStoreUnavailable):
        return f"secret store unavailable: {error}", EXIT_STORE
    if isinstance(error, AccountNotFound | AccountExists):
        return f"{error}", EXIT_USAGE
    if isinstance(error, AccountBusy | RotatedElsewhere):
        return f"{error}", EXIT_REFUSED
    if isinstance(error, StoreError):
        return f"{error}", EXIT_STORE
    return None


def main(argv: list[str] | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else argv
    if args_list[:1] == ["simulator"]:
        from exchange_tui.simulator.__main__ import main as simulator_main

        return simulator_main(args_list[1:])
    parser = _parser()
    args = parser.parse_args(args_list)
    try:
        if getattr(args, "url", None):
            require_secure_url(args.url, "--url", allow_insecure=args.allow_insecure)
    except InsecureUrl as refused:
        print(f"exchange-tui: {refused}", file=sys.stderr)
        return EXIT_USAGE
    handler = getattr(args, "handler", None)
    if handler is None:
        from exchange_tui.tui import run

        return run(demo=args.demo, master_password_fd=args.master_password_fd, allow_insecure=args.allow_insecure)
    forbid_core_dumps()
    from exchange_tui.config import ConfigError, load_settings

    try:
        args.settings = load_settings(os.environ, allow_insecure=args.allow_insecure)
    except (ConfigError, InsecureUrl) as problem:
        print(f"exchange-tui: {problem}", file=sys.stderr)
        return EXIT_USAGE
    code = EXIT_OK
    try:
        code = _run(handler, args)
        sys.stdout.flush()
    except BrokenPipeError:
        # Whoever read our output has gone (`exchange-tui check main | head -1`): not an error. As the
        # Python docs' "Note on SIGPIPE" advises, stdout becomes devnull so the flush at exit cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return code


def script() -> NoReturn:
    """The ``exchange-tui`` command (and ``python -m exchange_tui``): :func:`main`, then the exit.

    The interpreter's collections at exit walk every object the imports made (pydantic's schemas,
    typing's machinery), a tenth of a command's run, for memory the process is about to give back:
    frozen objects are left out of them. Everything of ours that needs closing is closed by then.
    (A caller of :func:`main` in a process that goes on is not frozen.)
    """
    code = main()
    gc.freeze()
    sys.exit(code)


def _run(handler: Callable[[argparse.Namespace], Awaitable[int]], args: argparse.Namespace) -> int:
    try:
        return asyncio.run(handler(args))
    except (SystemExit, BrokenPipeError):
        raise
    except BaseException as error:  # every failure ends as one line and an exit code, never a traceback
        from exchange_tui.service import KeyRefused

        if isinstance(error, KeyRefused):
            return _show_report(args, error.report, args.label)
        message, code = _error_exit(error)
        print(f"exchange-tui: {message}", file=sys.stderr)
        return code
