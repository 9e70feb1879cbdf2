import pytest
from pydantic import SecretStr

from exchange_tui.config import Settings
from exchange_tui.service import AccountService


@pytest.fixture
async def service(store, simulator):
    service = AccountService(store, settings=Settings.pointing({"bitget": simulator.url}))
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
