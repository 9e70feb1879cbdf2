"""The config file: lasting defaults for the settings the environment gives, and never a secret.

``config.toml`` in the config folder (``exchange-tui locate`` names it; ``EXCHANGE_TUI_CONFIG``
points elsewhere) holds ``key = "value"`` lines. Each key stands for one environment variable,
which still wins when it is set, so a box can keep ``store = "vault"`` and its Vault address in
the file while a one-off command overrides them::

    store = "vault"
    vault_addr = "https://vault.example:8200"
    bitget_url = "https://api.bitget.com"

Secrets (a master password, a Vault token or secret id, API keys) are refused: they belong in the
secret store or the environment, never in a file in plain text. An exchange URL, from the file or
the environment, must not send keys in clear (:mod:`exchange_tui.urls`).
"""

from __future__ import annotations

import tomllib
from collections.abc import MutableMapping
from pathlib import Path

from exchange_tui.store import Locations
from exchange_tui.urls import check_url, require_secure_url
from exchange_tui.validation import InvalidInput

CONFIG_ENV = "EXCHANGE_TUI_CONFIG"
FILE_NAME = "config.toml"

SETTINGS: dict[str, str] = {
    "bitget_url": "EXCHANGE_TUI_BITGET_URL",
    "bitget_ws_url": "EXCHANGE_TUI_BITGET_WS_URL",
    "bitget_demo_ws_url": "EXCHANGE_TUI_BITGET_DEMO_WS_URL",
    "store": "EXCHANGE_TUI_STORE",
    "box_name": "EXCHANGE_TUI_BOX_NAME",
    "vault_addr": "VAULT_ADDR",
    "vault_cacert": "VAULT_CACERT",
    "vault_mount": "EXCHANGE_TUI_VAULT_MOUNT",
    "vault_prefix": "EXCHANGE_TUI_VAULT_PREFIX",
    "vault_approle_mount": "EXCHANGE_TUI_VAULT_APPROLE_MOUNT",
    "vault_role_id": "EXCHANGE_TUI_VAULT_ROLE_ID",
}
EXCHANGE_URLS = ("bitget_url", "bitget_ws_url", "bitget_demo_ws_url")
REST_URLS = ("bitget_url",)
"""The settings that name where the exchange is: plain ``http://`` or ``ws://`` only to this machine."""
SECRETS = {"master_password", "vault_token", "vault_secret_id", "api_key", "secret_key", "passphrase"}


KEYMAP = "keymap"
"""The ``[keymap]`` table: the app's binding ids to the keys that replace theirs (``add-exchange = "n"``)."""


class ConfigError(ValueError):
    """The config file cannot be used; the message says which line or key to fix."""


def config_path(environ: MutableMapping[str, str], locations: Locations | None = None) -> Path:
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
        if not isinstance(value, str):
            raise ConfigError(f"the config file {path}: {key} must be a quoted string")
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


def apply_config(environ: MutableMapping[str, str], *, allow_insecure: bool = False) -> Path:
    """Give every setting of the config file to ``environ``, unless it has that variable already.

    The file's path (which may not exist). Called before the store or the exchange is opened,
    never before the app's first paint: the store's imports are not cheap. An exchange URL in use
    that would send keys in clear is refused (``InsecureUrl``, naming the variable or the file's
    key) unless ``allow_insecure``.
    """
    path = config_path(environ)
    found = load_config(path)
    for key in EXCHANGE_URLS:
        variable = SETTINGS[key]
        if variable in environ:
            url, setting = environ[variable], variable
        elif variable in found:
            url, setting = found[variable], f"{key} in {path}"
        else:
            continue
        if key in REST_URLS:
            try:
                check_url(url)
            except InvalidInput as bad:
                raise ConfigError(f"{setting}: {bad.message}") from None
        require_secure_url(url, setting, allow_insecure=allow_insecure)
    for variable, value in found.items():
        environ.setdefault(variable, value)
    return path
