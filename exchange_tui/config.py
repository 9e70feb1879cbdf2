"""The settings: the environment over the config file, built once at start and passed down.

``config.toml`` in the config folder (``exchange-tui locate`` names it; ``EXCHANGE_TUI_CONFIG``
points elsewhere) holds ``key = "value"`` lines. Each key stands for one environment variable,
which still wins when it is set, so a box can keep ``store = "vault"`` and its Vault address in
the file while a one-off command overrides them::

    store = "vault"
    vault_addr = "https://vault.example:8200"
    <exchange>_url = "https://api.exchange.example"

Every exchange's URL settings come from its spec (``<id>_url``, ``EXCHANGE_TUI_<ID>_URL``…).
Secrets (a master password, a Vault token or secret id, API keys) are refused: they belong in the
secret store or the environment, never in a file in plain text. An exchange URL, from the file or
the environment, must not send keys in clear (:mod:`exchange_tui.urls`). Nothing is written into
``os.environ``: the store and the exchanges read the :class:`Settings` they are given.
"""

from __future__ import annotations

import tomllib
from collections import ChainMap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from exchange_tui.exchanges.registry import EXCHANGES
from exchange_tui.store import Locations
from exchange_tui.urls import check_url, require_secure_url
from exchange_tui.validation import InvalidInput

CONFIG_ENV = "EXCHANGE_TUI_CONFIG"
FILE_NAME = "config.toml"

EXCHANGE_URLS: dict[str, tuple[str, bool]] = {
    setting.config_key(spec.id): (setting.env(spec.id), setting.rest)
    for spec in EXCHANGES.values()
    for setting in spec.urls
}
"""Config keys of the exchanges' URL settings: (environment variable, whether a REST base)."""

SETTINGS: dict[str, str] = {
    **{key: env for key, (env, _) in EXCHANGE_URLS.items()},
    "store": "EXCHANGE_TUI_STORE",
    "box_name": "EXCHANGE_TUI_BOX_NAME",
    "vault_addr": "VAULT_ADDR",
    "vault_cacert": "VAULT_CACERT",
    "vault_mount": "EXCHANGE_TUI_VAULT_MOUNT",
    "vault_prefix": "EXCHANGE_TUI_VAULT_PREFIX",
    "vault_approle_mount": "EXCHANGE_TUI_VAULT_APPROLE_MOUNT",
    "vault_role_id": "EXCHANGE_TUI_VAULT_ROLE_ID",
    "key_max_age_days": "EXCHANGE_TUI_KEY_MAX_AGE_DAYS",
}
NUMBERS = {"key_max_age_days"}
"""Settings the file may give as a bare whole number (``key_max_age_days = 200``)."""
KEY_MAX_AGE_DAYS = 90
"""How old a key may get, in days, before it is flagged for replacing, unless ``key_max_age_days`` says otherwise."""
SECRETS = {"master_password", "vault_token", "vault_secret_id", "api_key", "secret_key", "passphrase"}


KEYMAP = "keymap"
"""The ``[keymap]`` table: the app's binding ids to the keys that replace theirs (``add-exchange = "n"``)."""


class ConfigError(ValueError):
    """The config file cannot be used; the message says which line or key to fix."""


def config_path(environ: Mapping[str, str], locations: Locations | None = None) -> Path:
    override = environ.get(CONFIG_ENV)
    return Path(override) if override else (locations or Locations.from_env(environ)).config / FILE_NAME


def load_config(path: Path) -> dict[str, str]:
    """The file's settings as environment variables; an absent file is an empty config."""
    try:
        document = tomllib.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as problem:
        raise ConfigError(f"the config file {path} cannot be read: {problem}") from None
    found: dict[str, str] = {}
    for key, value in document.items():
        if key == KEYMAP:
            continue
        if key in SECRETS:
            raise ConfigError(
                f"the config file {path} holds {key!r}: secrets never go in a file; "
                "use the secret store or the environment"
            )
        if key not in SETTINGS:
            raise ConfigError(f"the config file {path} has an unknown key {key!r}; known: {', '.join(SETTINGS)}")
        if key in NUMBERS and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            kind = "a whole number" if key in NUMBERS else "a quoted string"
            raise ConfigError(f"the config file {path}: {key} must be {kind}")
        found[SETTINGS[key]] = value
    return found


def load_keymap(path: Path, known: set[str]) -> dict[str, str]:
    """The file's ``[keymap]`` table (empty if there is none), every id one of ``known``."""
    try:
        table = tomllib.loads(path.read_text()).get(KEYMAP, {})
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as problem:
        raise ConfigError(f"the config file {path} cannot be read: {problem}") from None
    if not isinstance(table, dict) or not all(isinstance(keys, str) and keys for keys in table.values()):
        raise ConfigError(f'the config file {path}: [keymap] holds binding-id = "keys" lines, e.g. add-exchange = "n"')
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"[keymap] in {path} names no binding {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return dict(table)


class _Layered(Mapping[str, str]):
    """The environment first, then the config file's settings: read through, never copied (the
    environment may hold secrets, taken out of it once read), and shown as nothing in a ``repr``."""

    def __init__(self, environ: Mapping[str, str], found: Mapping[str, str]) -> None:
        self._maps = ChainMap(environ, found)

    def __getitem__(self, key: str) -> str:
        return self._maps[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._maps)

    def __len__(self) -> int:
        return len(self._maps)

    def __repr__(self) -> str:
        return "<the environment over the config file>"


@dataclass(frozen=True)
class Settings:
    """The settings of one run: the environment, with the config file's settings where it has none."""

    environ: Mapping[str, str]
    config_file: Path
    key_max_age_days: int = KEY_MAX_AGE_DAYS
    """Keys older than this many days are flagged for replacing."""

    @classmethod
    def pointing(cls, urls: Mapping[str, str | Mapping[str, str]]) -> Settings:
        """Settings with nothing but these exchanges' URLs (by exchange id): its REST base, or its URL
        settings by name (``{"url": …, "futures_url": …}``), as the demo points at its simulators."""
        environ = {}
        for exchange, given in urls.items():
            named = {"url": given} if isinstance(given, str) else given
            for setting in EXCHANGES[exchange].urls:
                if setting.name in named:
                    environ[setting.env(exchange)] = named[setting.name]
        return cls(environ, Path(FILE_NAME))

    def urls(self, exchange: str) -> dict[str, str]:
        """The exchange's URL settings that are set, by their spec names (``url``, ``ws_url``…)."""
        return {
            setting.name: self.environ[setting.env(exchange)]
            for setting in EXCHANGES[exchange].urls
            if self.environ.get(setting.env(exchange))
        }


def load_settings(environ: Mapping[str, str], *, allow_insecure: bool = False) -> Settings:
    """The settings: ``environ`` over the config file (which may not exist). Read before the store or
    an exchange is opened, never before the app's first paint: the store's imports are not cheap. An
    exchange URL in use that would send keys in clear is refused (``InsecureUrl``, naming the variable
    or the file's key) unless ``allow_insecure``."""
    path = config_path(environ)
    found = load_config(path)
    for key, (variable, rest) in EXCHANGE_URLS.items():
        if variable in environ:
            url, setting = environ[variable], variable
        elif variable in found:
            url, setting = found[variable], f"{key} in {path}"
        else:
            continue
        if rest:
            try:
                check_url(url)
            except InvalidInput as bad:
                raise ConfigError(f"{setting}: {bad.message}") from None
        require_secure_url(url, setting, allow_insecure=allow_insecure)
    return Settings(_Layered(environ, found), path, _key_max_age_days(environ, found, path))


def _key_max_age_days(environ: Mapping[str, str], found: Mapping[str, str], path: Path) -> int:
    variable = SETTINGS["key_max_age_days"]
    if variable in environ:
        text, setting = environ[variable], variable
    elif variable in found:
        text, setting = found[variable], f"key_max_age_days in {path}"
    else:
        return KEY_MAX_AGE_DAYS
    days = int(text) if text.strip().isascii() and text.strip().isdigit() else 0
    if days < 1:
        raise ConfigError(f"{setting}: expected a positive whole number of days, not {text!r}")
    return days
