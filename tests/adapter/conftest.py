import pytest

from exchange_tui.exchanges.bitget.client import BitgetClient
from exchange_tui.models import Credentials


def credentials_of(simulator, label: str, **changes: str) -> Credentials:
    """A simulator account's credentials, with any part replaced (``passphrase="wrong"``)."""
    account = simulator.state.account(label)
    values = {"api_key": account.api_key, "secret_key": account.secret_key, "passphrase": account.passphrase}
    return Credentials(**(values | changes))


@pytest.fixture
def tampered(simulator):
    """The demo account's credentials with one part changed."""
    return lambda **changes: credentials_of(simulator, "demo", **changes)


@pytest.fixture
async def connect_to():
    """Makes clients for a simulator's accounts (fast backoff), ``connect_to(server, label)``, and closes them after the test."""
    clients: list[BitgetClient] = []

    def make(server, label: str = "demo", *, credentials: Credentials | None = None, **options) -> BitgetClient:
        options.setdefault("backoff_base", 0.001)
        client = BitgetClient(credentials or credentials_of(server, label), base_url=server.url, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
def connect(simulator, connect_to):
    """``connect_to`` for the test's default simulator: ``connect("demo-readonly")``."""
    return lambda label="demo", **options: connect_to(simulator, label, **options)
