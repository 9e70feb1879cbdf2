"""The exchange contract: what every exchange declares, and what its adapter does.

An exchange is one folder under ``exchanges/``: its ``spec.py`` declares an
:class:`ExchangeSpec` (name, credential fields, URL settings, sites and
environments, key-format rule, guide, demo keys, factories), and
:mod:`exchange_tui.exchanges.registry` lists the specs. Everything else (the
service, the CLI, the TUI, the settings) asks the registry and never names an
exchange. A spec module imports nothing heavy: its factories import the client
when called, so a command loads only the adapter of the account it touches.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from exchange_tui.models import Balance, BalanceReading, Credentials, KeyFacts, KeyReport

if TYPE_CHECKING:
    from exchange_tui.guide import Guide


class ExchangeClient(Protocol):
    """One key's connection to one exchange."""

    demo_trading: bool

    async def check_key(self) -> KeyReport: ...

    async def balances(self) -> tuple[list[Balance], Decimal]: ...

    def live_balances(self, poll_interval: float) -> AsyncIterator[BalanceReading]:
        """Balances as they change: pushed where the exchange can, polled where not (each reading says which)."""
        ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class CredentialField:
    """One part of a key, as a person enters it."""

    name: str
    """``api_key``, ``secret_key`` or ``passphrase``: the field of :class:`Credentials`."""
    label: str
    """What the form and the prompt call it: "API key", "Secret key", "Passphrase"."""
    env: str
    """The environment variable the CLI reads it from (``OKX_API_KEY``…)."""
    help: str = ""
    """A line under the field: where the exchange shows it."""
    pem: bool = False
    """The secret may be a PEM private key (several lines, pasted whole)."""


@dataclass(frozen=True)
class UrlSetting:
    """One place an exchange can be pointed elsewhere (a proxy, the simulator): a REST or WebSocket base.

    Its environment variable is ``EXCHANGE_TUI_<ID>_<NAME>`` and its config key ``<id>_<name>``
    (``name="url"`` gives ``EXCHANGE_TUI_OKX_URL`` and ``okx_url``).
    """

    name: str
    description: str
    rest: bool = True

    def env(self, exchange: str) -> str:
        return f"EXCHANGE_TUI_{exchange.upper()}_{self.name.upper()}"

    def config_key(self, exchange: str) -> str:
        return f"{exchange}_{self.name}"


@dataclass(frozen=True)
class Site:
    """A site (region) of an exchange with its own hosts, where keys of its accounts work and nowhere else."""

    id: str
    name: str
    rest_url: str


class Environment(StrEnum):
    LIVE = "live"
    DEMO = "demo"
    """The exchange's demo trading (paper money), with keys made for it."""
    TESTNET = "testnet"
    """The exchange's test network: hosts and keys of its own."""


@dataclass(frozen=True)
class DemoKey:
    """One of the simulator's demo keys, as the key form fills it in (F7)."""

    label: str
    account: str
    """The simulator account whose key this is."""
    description: str
    demo_trading: bool = False
    wrong: str | None = None
    """A credential field filled in wrong (one character changed), to show a refusal."""


@dataclass(frozen=True)
class Connection:
    """Where one key connects: its environment, its site, and the URLs set for it (else the site's)."""

    demo_trading: bool = False
    site: str | None = None
    urls: Mapping[str, str] = field(default_factory=dict)
    """:class:`UrlSetting` names to URLs: the account's or the command's ``--url`` as ``url``, then the settings."""
    testnet: bool = False


Connect = Callable[[Credentials, Connection], ExchangeClient]


@dataclass(frozen=True)
class KeyUse:
    """What this box knows of a key's life, beside what the exchange said of it."""

    set_at: datetime
    """When the key was stored here: added, or last replaced."""
    last_used: datetime | None = None
    """The last successful check or balance read this box recorded."""


@dataclass(frozen=True)
class KeyExpiry:
    """An exchange's rule for keys that stop working (or lose a permission) by themselves."""

    rule: str
    """The rule in one line, for the README and the check's warning."""
    event: str
    """What happens at the instant, of one key: "the exchange deletes this key"."""
    advice: str
    """How to keep the key: "bind this box's IP to it"."""
    at: Callable[[KeyFacts, KeyUse], datetime | None]
    """The instant, from the last check's facts and the key's use here; ``None`` where the rule does not apply."""

    def when(self, at: datetime, now: datetime) -> str:
        """What happens, and when: "the exchange deletes this key on 2026-12-14 08:30 UTC (in 13 days)"."""
        return f"{self.event} on {at:%Y-%m-%d %H:%M} UTC ({countdown(at, now)})"

    def warning(self, at: datetime, now: datetime) -> str:
        """The check's one line about it."""
        return f"{self.when(at, now)}: {self.rule}; {self.advice}"


def countdown(at: datetime, now: datetime) -> str:
    """How far off an instant is, in whole days: "in 9 days", "within a day", "3 days ago"."""
    days = (at - now).days
    if days >= 1:
        return f"in {days} day{'' if days == 1 else 's'}"
    if at >= now:
        return "within a day"
    past = (now - at).days
    return "less than a day ago" if past == 0 else f"{past} day{'' if past == 1 else 's'} ago"


@dataclass(frozen=True)
class ExchangeSpec:
    """Everything the rest of the app knows about one exchange."""

    id: str
    name: str
    credentials: tuple[CredentialField, ...]
    urls: tuple[UrlSetting, ...]
    sites: tuple[Site, ...]
    """The first is the default."""
    environments: tuple[Environment, ...]
    check_format: Callable[[Credentials], list[str]]
    """Warnings about a key that does not look like this exchange's; raises ``InvalidInput`` for one that cannot work."""
    guide: Guide
    demo_keys: tuple[DemoKey, ...]
    """The first connects: the demo adds it, F7 offers them all."""
    connect: Connect
    simulator: Callable[[], object]
    """The exchange's simulator package (under :mod:`exchange_tui.simulator`), imported only when called."""
    key_expiry: KeyExpiry | None = None
    """The exchange's rule for keys that expire by themselves (``None`` where it has none)."""

    @property
    def has_passphrase(self) -> bool:
        return any(field.name == "passphrase" for field in self.credentials)

    def site(self, site_id: str | None) -> Site:
        if site_id is None:
            return self.sites[0]
        for site in self.sites:
            if site.id == site_id:
                return site
        raise KeyError(site_id)
