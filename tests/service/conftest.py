import pytest
from pydantic import SecretStr

from exchange_tui.service import AccountService
from exchange_tui.store import AccountStore, Locations, open_encrypted_file


@pytest.fixture(scope="module")
def module_secrets(tmp_path_factory):
    """One encrypted-file secret store per module: its Argon2 derivation runs once."""
    locations = Locations.from_env({"EXCHANGE_TUI_HOME": str(tmp_path_factory.mktemp("secrets"))})
    return open_encrypted_file(locations, lambda path, new: SecretStr("service-tests-master"), "tests")


@pytest.fixture
def store(module_secrets, tmp_path):
    yield AccountStore(module_secrets, Locations.from_env({"EXCHANGE_TUI_HOME": str(tmp_path / "home")}))
    for account in module_secrets.account_ids():
        module_secrets.delete(account)


@pytest.fixture
async def service(store, simulator):
    service = AccountService(store, base_url=simulator.url)
    yield service
    await service.aclose()


@pytest.fixture
def keys(simulator):
    """A simulator account's credentials as the three SecretStr parts a form or the CLI hands over."""

    def parts(label: str = "demo", **changes: str) -> tuple[SecretStr, SecretStr, SecretStr]:
        account = simulator.state.account(label)
        values = {"api_key": account.api_key, "secret_key": account.secret_key, "passphrase": account.passphrase}
        values |= changes
        return SecretStr(values["api_key"]), SecretStr(values["secret_key"]), SecretStr(values["passphrase"])

    return parts
