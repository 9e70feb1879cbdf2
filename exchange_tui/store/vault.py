"""Accounts in OpenBao / HashiCorp Vault KV version 2, for traders whose bots run on many boxes.

One KV v2 secret per account, ``<mount>/data/<prefix><exchange>/<label>`` (the label in lower
case, as everywhere), holding the key, secret and passphrase in one document, so a rotate is one
write. Everything that is not secret (label, exchange, key prefix, demo flag, created, rotated,
rotated by, last check) is in that secret's custom metadata, so a new box lists every account
without a local index. Nothing of an account is written to this box's disk.

A rotate is a check-and-set: :meth:`VaultAccountStore.lock` reads the secret's version, the
service verifies the new key with the exchange, and :meth:`VaultAccountStore.replace_credentials`
writes with ``cas=<that version>``. If another box wrote in between, nothing is overwritten and
:class:`RotatedElsewhere` names the box and the time (the writing box's name is in the document
itself, so it is known the moment the write is).

An add is two requests: the secret's data, then its custom metadata. A process killed between
the two leaves a secret with data but none of our metadata: *half-written*. It is not an
account (``accounts`` skips it; ``get`` and the rest raise :class:`HalfWritten`); adding the
label again finishes it (a check-and-set write over the version found, then the metadata),
removing it deletes it, and :meth:`VaultAccountStore.reconcile` reports it as an orphan. (Two boxes
adding one label within the same few milliseconds can both succeed: the later key and details win,
consistent with each other.)

Every Vault failure becomes one typed error with one line to act on: unreachable, sealed, a token
expired or revoked, a policy that lacks a capability (naming the path and capability), or a mount
that is not KV version 2. With AppRole, an expired token is replaced by logging in again once.

Configuration, from the variables Vault users already set:

- ``VAULT_ADDR`` (or ``BAO_ADDR``), ``VAULT_CACERT`` (or ``BAO_CACERT``);
- ``VAULT_TOKEN`` (or ``BAO_TOKEN``), or AppRole: ``EXCHANGE_TUI_VAULT_ROLE_ID`` and
  ``EXCHANGE_TUI_VAULT_SECRET_ID`` (auth mount ``EXCHANGE_TUI_VAULT_APPROLE_MOUNT``, default ``approle``);
- ``EXCHANGE_TUI_VAULT_MOUNT`` (default ``secret``), ``EXCHANGE_TUI_VAULT_PREFIX`` (default ``exchange-tui/``);
- ``EXCHANGE_TUI_BOX_NAME``: how this box is named in "rotated by" (default: the host name).
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import hvac
import hvac.exceptions
import requests
from pydantic import SecretStr, ValidationError

from exchange_tui.models import Credentials, mask_key
from exchange_tui.urls import require_secure_url

from .accounts import Reconciliation
from .errors import (
    AccountExists,
    AccountNotFound,
    CorruptSecret,
    HalfWritten,
    RotatedElsewhere,
    SecretMissing,
    SecretStoreError,
    SecretStoreUnavailable,
    StoreError,
    VaultPermissionDenied,
    VaultSealed,
    VaultTokenInvalid,
    VaultUnavailable,
    VaultUnreachable,
    VaultWrongEngine,
)
from .index import AccountRecord, CheckSummary, check_exchange, check_label, now

KIND = "vault"
DEFAULT_MOUNT = "secret"
DEFAULT_PREFIX = "exchange-tui/"
DEFAULT_APPROLE_MOUNT = "approle"
DEFAULT_TIMEOUT = 5.0
WRITTEN_BY = "written_by"
APPROLE_REFUSED = (
    "Vault refused the AppRole login: check EXCHANGE_TUI_VAULT_ROLE_ID and EXCHANGE_TUI_VAULT_SECRET_ID "
    "(a secret id can expire or be used up)"
)

T = TypeVar("T")


def _first(environ: Mapping[str, str], *names: str) -> str | None:
    return next((environ[name] for name in names if environ.get(name)), None)


@dataclass(frozen=True)
class VaultSettings:
    """Where the accounts are and how this box logs in; never printed with its token or secret id."""

    address: str
    token: SecretStr | None = None
    cacert: str | None = None
    role_id: str | None = None
    secret_id: SecretStr | None = None
    approle_mount: str = DEFAULT_APPROLE_MOUNT
    mount: str = DEFAULT_MOUNT
    prefix: str = DEFAULT_PREFIX
    box_name: str = ""
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, allow_insecure: bool = False) -> VaultSettings:
        """The settings the environment gives; a plain ``http://`` address to another machine is
        refused (``InsecureUrl``) unless ``allow_insecure``: the token would cross the network in clear."""
        env = os.environ if environ is None else environ
        address = _first(env, "VAULT_ADDR", "BAO_ADDR")
        if not address:
            raise SecretStoreUnavailable("EXCHANGE_TUI_STORE=vault, but neither VAULT_ADDR nor BAO_ADDR is set")
        setting = "VAULT_ADDR" if env.get("VAULT_ADDR") else "BAO_ADDR"
        require_secure_url(address, setting, allow_insecure=allow_insecure)
        token = _first(env, "VAULT_TOKEN", "BAO_TOKEN")
        role_id = env.get("EXCHANGE_TUI_VAULT_ROLE_ID") or None
        secret_id = env.get("EXCHANGE_TUI_VAULT_SECRET_ID") or None
        if role_id is None and token is None:
            raise SecretStoreUnavailable(
                "EXCHANGE_TUI_STORE=vault, but no way to log in: set VAULT_TOKEN (or BAO_TOKEN), or "
                "EXCHANGE_TUI_VAULT_ROLE_ID and EXCHANGE_TUI_VAULT_SECRET_ID for AppRole"
            )
        prefix = env.get("EXCHANGE_TUI_VAULT_PREFIX", DEFAULT_PREFIX).strip("/")
        return cls(
            address=address.rstrip("/"),
            token=SecretStr(token) if token else None,
            cacert=_first(env, "VAULT_CACERT", "BAO_CACERT"),
            role_id=role_id,
            secret_id=SecretStr(secret_id) if secret_id else None,
            approle_mount=env.get("EXCHANGE_TUI_VAULT_APPROLE_MOUNT", DEFAULT_APPROLE_MOUNT).strip("/"),
            mount=env.get("EXCHANGE_TUI_VAULT_MOUNT", DEFAULT_MOUNT).strip("/") or DEFAULT_MOUNT,
            prefix=f"{prefix}/" if prefix else "",
            box_name=env.get("EXCHANGE_TUI_BOX_NAME") or socket.gethostname(),
        )

    @property
    def auth_method(self) -> str:
        if self.role_id:
            return f"approle (auth/{self.approle_mount}, role id {self.role_id[:8]}…)"
        return "token (VAULT_TOKEN)"

    @property
    def description(self) -> str:
        return f"OpenBao/Vault KV v2 at {self.address}, mount {self.mount}/, prefix {self.prefix!r}, {self.auth_method}"


@dataclass(frozen=True)
class _Secret:
    """One account's secret as Vault lists it: its path, metadata and current version."""

    path: str
    version: int
    facts: dict[str, str]
    deleted: bool


class VaultAccountStore:
    """The accounts of every box sharing one Vault: the same methods as :class:`AccountStore`."""

    kind = KIND
    locations = None
    """Nothing of an account is written to the box's disk."""

    def __init__(self, client: hvac.Client, settings: VaultSettings) -> None:
        self.client = client
        self.settings = settings
        self.description = settings.description
        self._guard = threading.Lock()
        self._locks: dict[str, threading.RLock] = {}
        self._held: dict[str, int] = {}
        self._exchanges: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"<VaultAccountStore {self.description}>"

    @classmethod
    def open(cls, settings: VaultSettings | None = None) -> VaultAccountStore:
        """Log in (AppRole when configured) and make sure the mount is KV version 2."""
        settings = settings or VaultSettings.from_env()
        client = hvac.Client(
            url=settings.address,
            token=settings.token.get_secret_value() if settings.token else None,
            verify=settings.cacert or True,
            timeout=settings.timeout,
        )
        store = cls(client, settings)
        if settings.role_id:
            store._log_in()
        store._check_mount()
        return store

    # reading ---------------------------------------------------------------------------

    def accounts(self) -> list[AccountRecord]:
        records = []
        for exchange in self._list(self.settings.prefix):
            for name in self._list(f"{self.settings.prefix}{exchange}"):
                found = self._metadata(f"{self.settings.prefix}{exchange}{name}")
                record = None if found is None else _record(found.facts)
                if record is not None:
                    records.append(record)
        return sorted(records, key=lambda record: record.key)

    def get(self, label: str) -> AccountRecord:
        return self._require(label)[1]

    def version(self, label: str) -> int:
        """The KV version of the account's secret: it changes with every replaced key."""
        return self._require(label)[0].version

    def credentials(self, label: str) -> Credentials:
        secret, record = self._require(label)
        document = self._read_data(secret.path, capability="read")
        if document is None:
            raise SecretMissing(record.label, "Vault")
        return _credentials(document[0], record.label)

    # changing --------------------------------------------------------------------------

    @contextmanager
    def lock(self, label: str) -> Iterator[None]:
        """Note the secret's version now; a ``replace_credentials`` inside writes only over that version.

        Other threads of this process wait; other boxes are kept out by the check-and-set, not
        by waiting. Re-entrant in one thread.
        """
        key = check_label(label).casefold()
        with self._guard:
            lock = self._locks.setdefault(key, threading.RLock())
        with lock:
            outer = key not in self._held
            if outer:
                found = self._find(label)
                self._held[key] = 0 if found is None else found.version
            try:
                yield
            finally:
                if outer:
                    del self._held[key]

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
        """Store a new account: a write that fails if the secret exists, then its facts.

        A half-written secret of the label (an add cut short) is finished: written over the
        version found, so a box that wrote it meanwhile is not overwritten.
        """
        record = AccountRecord.new(
            exchange, label, credentials, demo_trading=demo_trading, base_url=base_url, site=site, testnet=testnet
        )
        return self.add_record(record, credentials)

    def add_record(self, record: AccountRecord, credentials: Credentials) -> AccountRecord:
        """:meth:`add` with every fact of ``record`` as it is (its created and rotated times, its last
        check), for an account moved here from another store."""
        label = record.label
        path = self._path(record.exchange, label)
        with self.lock(label):
            found = self._find(label)
            if found is not None and (_record(found.facts) is not None or found.path != path):
                raise AccountExists(label)
            self._write(path, credentials, cas=0 if found is None else found.version, taken=lambda: AccountExists(label))
            try:
                self._patch_facts(path, _facts(record))
            except BaseException as exc:
                try:
                    self._delete(path)
                except StoreError as undo:
                    exc.add_note(f"undoing the add failed too ({undo}); adding it again finishes it, removing it deletes it")
                raise
        self._exchanges[record.key] = record.exchange
        return record

    def replace_credentials(self, label: str, credentials: Credentials) -> AccountRecord:
        """Write the new key over the version read when the lock was taken; ``RotatedElsewhere`` if it moved."""
        key = check_label(label).casefold()
        with self.lock(label):
            secret, record = self._require(label)
            expected = self._held[key]
            written = self._write(
                secret.path, credentials, cas=expected, taken=lambda: self._rotated_elsewhere(record.label, secret.path)
            )
            self._held[key] = written
            record = record.model_copy(
                update={"key_prefix": credentials.key_prefix, "rotated": now(), "rotated_by": self.settings.box_name}
            )
            try:
                self._patch_facts(secret.path, _facts(record))
            except BaseException as exc:
                exc.add_note(f"the new key is stored (version {written}); only its facts are not updated")
                raise
        return record

    def remove(self, label: str) -> AccountRecord:
        """Delete the account's secret with every version and its metadata; a half-written one too."""
        with self.lock(label):
            found = self._find(label)
            if found is None:
                raise AccountNotFound(label)
            record = _record(found.facts) or self._half_written(found, label).record
            self._delete(found.path)
        self._exchanges.pop(record.key, None)
        return record

    def record_check(self, label: str, summary: CheckSummary) -> AccountRecord:
        secret, record = self._require(label)
        record = record.model_copy(update={"last_check": summary})
        self._patch_facts(secret.path, {"last_check": summary.model_dump_json()})
        return record

    def reconcile(self, *, repair: bool = False) -> Reconciliation:
        """Half-written secrets (an add cut short) are orphans; with ``repair`` they are deleted, which
        finishes that add as a local store's next open does (``purged``)."""
        report = Reconciliation(repaired=repair, can_list_secrets=True)
        for exchange in self._list(self.settings.prefix):
            for name in self._list(f"{self.settings.prefix}{exchange}"):
                path = f"{self.settings.prefix}{exchange}{name}"
                found = self._metadata(path)
                if found is None:
                    continue
                record = _record(found.facts)
                if record is None:
                    account = f"{exchange.rstrip('/')}:{name}"
                    report.orphan_secrets.append(account)
                    if repair:
                        self._delete(path)
                        report.purged.append(account)
                elif found.deleted:
                    report.missing_secrets.append(record.label)
        return report

    # Vault -----------------------------------------------------------------------------

    def _path(self, exchange: str, label: str) -> str:
        return f"{self.settings.prefix}{check_exchange(exchange)}/{check_label(label).lower()}"

    def _api(self, kind: str, path: str) -> str:
        return f"{self.settings.mount}/{kind}/{path}"

    def _require(self, label: str) -> tuple[_Secret, AccountRecord]:
        found = self._find(label)
        if found is None:
            raise AccountNotFound(label)
        record = _record(found.facts)
        if record is None:
            raise self._half_written(found, label)
        return found, record

    def _half_written(self, secret: _Secret, label: str) -> HalfWritten:
        """A secret without our facts, named by what its path and data tell: exchange, key prefix, time."""
        latest = self._read_data(secret.path, capability="read")
        document, about = latest if latest is not None else ({}, {})
        key_prefix = mask_key(str(document.get("api_key", "")))
        document.clear()
        record = AccountRecord(
            label=check_label(label),
            exchange=secret.path.removeprefix(self.settings.prefix).partition("/")[0],
            key_prefix=key_prefix,
            created=_timestamp(about.get("created_time")) or now(),
        )
        return HalfWritten(record)

    def _find(self, label: str) -> _Secret | None:
        """The account's secret under whichever exchange holds the label (labels are unique across them)."""
        key = check_label(label).casefold()
        known = self._exchanges.get(key)
        if known is not None:
            found = self._metadata(self._path(known, label))
            if found is not None:
                return found
        for exchange in self._list(self.settings.prefix):
            found = self._metadata(f"{self.settings.prefix}{exchange}{key}")
            if found is not None:
                self._exchanges[key] = exchange.rstrip("/")
                return found
        return None

    def _list(self, folder: str) -> list[str]:
        """The names under ``folder`` (sub-folders end in ``/``); empty if there is nothing."""
        api = self._api("metadata", folder)
        try:
            listed = self._call("list", api, lambda: self.client.secrets.kv.v2.list_secrets(folder, mount_point=self.settings.mount))
        except hvac.exceptions.InvalidPath:
            return []
        return sorted(listed["data"]["keys"])

    def _metadata(self, path: str) -> _Secret | None:
        api = self._api("metadata", path)
        try:
            answer = self._call(
                "read", api, lambda: self.client.secrets.kv.v2.read_secret_metadata(path, mount_point=self.settings.mount)
            )
        except hvac.exceptions.InvalidPath:
            return None
        data = answer["data"]
        version = int(data["current_version"])
        about = data.get("versions", {}).get(str(version), {})
        deleted = version == 0 or bool(about.get("deletion_time")) or bool(about.get("destroyed"))
        return _Secret(path, version, dict(data.get("custom_metadata") or {}), deleted)

    def _read_data(self, path: str, *, capability: str, version: int | None = None) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """``(document, version metadata)`` of the secret's latest (or given) version; ``None`` if gone."""
        api = self._api("data", path)
        try:
            answer = self._call(
                capability,
                api,
                lambda: self.client.secrets.kv.v2.read_secret_version(
                    path, version=version, mount_point=self.settings.mount, raise_on_deleted_version=True
                ),
            )
        except hvac.exceptions.InvalidPath:
            return None
        return answer["data"]["data"] or {}, answer["data"]["metadata"] or {}

    def _write(self, path: str, credentials: Credentials, *, cas: int, taken: Callable[[], StoreError]) -> int:
        """One write of the whole document if the secret is still at version ``cas``; the new version."""
        api = self._api("data", path)
        document: dict[str, str] = credentials.document()
        document[WRITTEN_BY] = self.settings.box_name
        try:
            answer = self._call(
                "create" if cas == 0 else "update",
                api,
                lambda: self.client.secrets.kv.v2.create_or_update_secret(
                    path, secret=document, cas=cas, mount_point=self.settings.mount
                ),
            )
        except hvac.exceptions.InvalidRequest as exc:
            if "check-and-set" in str(exc):
                raise taken() from None
            raise SecretStoreError(f"writing {api} in Vault failed: {_one_line(exc)}") from None
        finally:
            document.clear()
        return int(answer["data"]["version"])

    def _patch_facts(self, path: str, facts: dict[str, str]) -> None:
        """Merge ``facts`` into the secret's custom metadata (keys not named stay as they are)."""
        api = self._api("metadata", path)
        self._call(
            "patch",
            api,
            lambda: self.client.adapter.request(
                "PATCH",
                f"/v1/{api}",
                json={"custom_metadata": facts},
                headers={"Content-Type": "application/merge-patch+json"},
            ),
        )

    def _delete(self, path: str) -> None:
        api = self._api("metadata", path)
        self._call(
            "delete",
            api,
            lambda: self.client.secrets.kv.v2.delete_metadata_and_all_versions(path, mount_point=self.settings.mount),
        )

    def _rotated_elsewhere(self, label: str, path: str) -> RotatedElsewhere:
        latest = self._read_data(path, capability="read")
        if latest is None:
            return RotatedElsewhere(label, by="another box", at=None, version=0)
        document, about = latest
        by = str(document.get(WRITTEN_BY) or "another box")
        document.clear()
        created = about.get("created_time")
        return RotatedElsewhere(label, by=by, at=_timestamp(created), version=int(about.get("version", 0)))

    def _log_in(self) -> None:
        settings = self.settings
        assert settings.role_id is not None
        secret_id = settings.secret_id.get_secret_value() if settings.secret_id else None
        try:
            self._call(
                "update",
                f"auth/{settings.approle_mount}/login",
                lambda: self.client.auth.approle.login(settings.role_id, secret_id, mount_point=settings.approle_mount),
                relogin=False,
            )
        except (hvac.exceptions.InvalidRequest, hvac.exceptions.InvalidPath):
            raise VaultTokenInvalid(APPROLE_REFUSED) from None

    def _check_mount(self) -> None:
        mount = self.settings.mount
        try:
            answer = self._call("read", f"sys/internal/ui/mounts/{mount}", lambda: self.client.adapter.get(f"/v1/sys/internal/ui/mounts/{mount}"))
        except VaultPermissionDenied:
            raise VaultWrongEngine(
                f"Vault has no KV mount {mount}/ this token may use: check EXCHANGE_TUI_VAULT_MOUNT, "
                f"or give the token a policy on {mount}/data/{self.settings.prefix}*"
            ) from None
        data = answer["data"]
        engine = data.get("type")
        version = (data.get("options") or {}).get("version")
        if engine not in ("kv", "generic"):
            raise VaultWrongEngine(f"the Vault mount {mount}/ is a {engine} engine, not KV version 2: check EXCHANGE_TUI_VAULT_MOUNT")
        if version != "2":
            raise VaultWrongEngine(
                f"the Vault mount {mount}/ is KV version 1 and exchange-tui needs version 2 (versions and check-and-set): "
                f"`bao kv enable-versioning {mount}/`, or point EXCHANGE_TUI_VAULT_MOUNT at a kv-v2 mount"
            )

    def _call(self, capability: str, api: str, operation: Callable[[], T], *, relogin: bool = True) -> T:
        """Run one Vault request; every failure but a missing path or a refused write becomes a typed error."""
        address = self.settings.address
        try:
            return operation()
        except (hvac.exceptions.InvalidPath, hvac.exceptions.InvalidRequest):
            raise
        except hvac.exceptions.VaultDown:
            raise VaultSealed(f"Vault at {address} is sealed (or in standby): unseal it, then try again") from None
        except hvac.exceptions.Forbidden:
            if relogin and self.settings.role_id:
                self._log_in()
                return self._call(capability, api, operation, relogin=False)
            raise self._refused(capability, api) from None
        except requests.exceptions.SSLError as exc:
            raise VaultUnreachable(
                f"cannot reach Vault at {address}: TLS failed ({_reason(exc)}); set VAULT_CACERT to its CA certificate"
            ) from None
        except requests.exceptions.RequestException as exc:
            raise VaultUnreachable(f"cannot reach Vault at {address} ({_reason(exc)}): is it running? check VAULT_ADDR") from None
        except hvac.exceptions.VaultError as exc:
            raise SecretStoreError(f"Vault refused to {capability} {api}: {_one_line(exc)}") from None

    def _refused(self, capability: str, api: str) -> VaultUnavailable:
        """A 403: a token that is no longer valid, or a policy without ``capability`` on ``api``."""
        if self.settings.role_id and api.startswith(f"auth/{self.settings.approle_mount}/"):
            return VaultTokenInvalid(APPROLE_REFUSED)
        try:
            self.client.auth.token.lookup_self()
        except hvac.exceptions.Forbidden:
            how = "log in again" if self.settings.role_id else "set a fresh VAULT_TOKEN (bao login, or ask for a new token)"
            return VaultTokenInvalid(f"the Vault token is expired or revoked: {how}")
        except (hvac.exceptions.VaultError, requests.exceptions.RequestException):
            pass
        return VaultPermissionDenied(
            f"the Vault token's policies do not allow {capability!r} on {api}: "
            f'add a policy with path "{self._policy_path(api)}" {{ capabilities = ["{capability}"] }}',
            path=api,
            capability=capability,
        )

    def _policy_path(self, api: str) -> str:
        for kind in ("data", "metadata"):
            if api.startswith(f"{self.settings.mount}/{kind}/"):
                return f"{self.settings.mount}/{kind}/{self.settings.prefix}*"
        return api


# the stored facts --------------------------------------------------------------------


def _facts(record: AccountRecord) -> dict[str, str]:
    """The account's non-secret facts as Vault's custom metadata (string to string)."""
    facts = {
        "label": record.label,
        "exchange": record.exchange,
        "key_prefix": record.key_prefix,
        "demo_trading": "true" if record.demo_trading else "false",
        "created": record.created.isoformat(),
    }
    if record.base_url:
        facts["base_url"] = record.base_url
    if record.site:
        facts["site"] = record.site
    if record.testnet:
        facts["testnet"] = "true"
    if record.rotated:
        facts["rotated"] = record.rotated.isoformat()
    if record.rotated_by:
        facts["rotated_by"] = record.rotated_by
    if record.last_check:
        facts["last_check"] = record.last_check.model_dump_json()
    return facts


def _record(facts: dict[str, str]) -> AccountRecord | None:
    """The account the facts describe; ``None`` if they are not ours (an add cut short, or edited)."""
    try:
        return AccountRecord(
            label=facts["label"],
            exchange=facts["exchange"],
            key_prefix=facts["key_prefix"],
            demo_trading=facts.get("demo_trading") == "true",
            base_url=facts.get("base_url"),
            site=facts.get("site"),
            testnet=facts.get("testnet") == "true",
            created=facts["created"],
            rotated=facts.get("rotated"),
            rotated_by=facts.get("rotated_by"),
            last_check=CheckSummary.model_validate_json(facts["last_check"]) if facts.get("last_check") else None,
        )
    except (KeyError, ValueError, ValidationError):
        return None


def _credentials(document: dict[str, Any], label: str) -> Credentials:
    try:
        return Credentials.from_document(document)
    except (KeyError, TypeError, ValidationError):
        raise CorruptSecret(f"the secret stored in Vault for {label!r} is not readable: replace the key or remove the account") from None
    finally:
        document.clear()


def _timestamp(text: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return None


def _reason(exc: BaseException) -> str:
    """Why a request failed, in a few words (requests' messages nest the whole URL and socket error)."""
    text = str(exc)
    for marker in ("Connection refused", "timed out", "Name or service not known", "Connection reset", "certificate verify failed"):
        if marker in text:
            return marker.lower()
    return type(exc).__name__


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__

