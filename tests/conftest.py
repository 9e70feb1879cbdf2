"""Fixtures shared by every test folder: a running Bitget simulator on loopback, its demo accounts, and real
Secret Services (gnome-keyring on private D-Bus sessions).

A Secret Service here is ``gnome-keyring-daemon --components=secrets`` on a ``dbus-daemon`` of its
own, with its own HOME. We wait for it by watching the bus for the moment the daemon takes the
``org.freedesktop.secrets`` name, never by sleeping.
"""

import json
import os
import shutil
import signal
import subprocess
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr

from exchange_tui.simulator import SimulatorServer, ThreadedSimulator
from exchange_tui.simulator import bybit, okx
from exchange_tui.simulator.bitget import SimAccount, SimulatorState, demo_accounts
from exchange_tui.store import AccountStore, Locations, open_encrypted_file


@pytest.fixture
async def simulator() -> AsyncIterator[SimulatorServer]:
    """A real HTTP simulator in this test's event loop, with fresh state (built-in demo accounts)."""
    async with SimulatorServer(SimulatorState()) as server:
        yield server


@pytest.fixture
async def okx_simulator() -> AsyncIterator[SimulatorServer]:
    """A real HTTP OKX simulator in this test's event loop, with fresh state (its built-in demo keys)."""
    async with SimulatorServer(okx.SimulatorState()) as server:
        yield server


@pytest.fixture
async def bybit_simulator() -> AsyncIterator[SimulatorServer]:
    """A real HTTP Bybit simulator in this test's event loop, fresh state (its demo keys), every environment
    on a port of its own (``.urls``: url, demo_url, testnet_url)."""
    async with SimulatorServer(bybit.SimulatorState()) as server:
        yield server


@pytest.fixture(scope="module")
def bitget():
    """One simulator on its own thread for a module whose tests run ``exchange-tui`` as processes."""
    with ThreadedSimulator() as simulator:
        yield simulator


@pytest.fixture
def key_json(bitget):
    """One of ``bitget``'s keys as the JSON object the CLI reads on stdin, with any part changed."""

    def make(label: str = "demo", **changes: str) -> str:
        account = bitget.state.account(label)
        values = {"api_key": account.api_key, "secret_key": account.secret_key, "passphrase": account.passphrase}
        return json.dumps(values | changes)

    return make


@pytest.fixture(scope="session")
def encrypted_secrets(tmp_path_factory):
    """One encrypted-file secret store for the session: its Argon2 derivation runs once."""
    locations = Locations.from_env({"EXCHANGE_TUI_HOME": str(tmp_path_factory.mktemp("secrets"))})
    return open_encrypted_file(locations, lambda path, new: SecretStr("tests-master-password"), "tests")


@pytest.fixture
def store(encrypted_secrets, tmp_path):
    """An account store for one test: the shared encrypted file, a fresh index; emptied afterwards."""
    yield AccountStore(encrypted_secrets, Locations.from_env({"EXCHANGE_TUI_HOME": str(tmp_path / "home")}))
    for account in encrypted_secrets.account_ids():
        encrypted_secrets.delete(account)


@pytest.fixture(scope="session")
def sim_accounts() -> dict[str, SimAccount]:
    """The built-in demo accounts by label ("demo", "demo-readonly", "demo-unified"...), with credentials."""
    return {account.label: account for account in demo_accounts()}


SECRET_SERVICE_NAME = "org.freedesktop.secrets"
KEYRING_PASSWORD = "login-keyring-pw"
READY_TIMEOUT = 10.0

# The stock session.conf without its service folders: on our buses nothing is started on demand,
# so a bus has a Secret Service only if the test started one.
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


# real Secret Services ---------------------------------------------------------------------


def _require(*programs: str) -> None:
    missing = [program for program in programs if shutil.which(program) is None]
    if missing:
        message = f"{', '.join(missing)} not installed (apt-get install gnome-keyring dbus libsecret-tools)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@dataclass
class SecretService:
    """A private D-Bus session, and the gnome-keyring daemon on it if one was started."""

    address: str
    home: Path
    bus: subprocess.Popen
    daemon: subprocess.Popen | None = None

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DBUS_SESSION_BUS_ADDRESS": self.address,
            "HOME": str(self.home),
            "XDG_DATA_HOME": str(self.home / "share"),
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "XDG_RUNTIME_DIR": str(self.home / "run"),
        }

    def start_keyring(self, unlock_password: str | None = KEYRING_PASSWORD) -> None:
        """Start gnome-keyring (unlocked with a login keyring, or without one) and wait until it serves."""
        from jeepney import MatchRule, message_bus
        from jeepney.io.blocking import open_dbus_connection

        (self.home / "run").mkdir(mode=0o700, exist_ok=True)
        args = ["gnome-keyring-daemon", "--foreground", "--components=secrets"]
        if unlock_password is not None:
            args.append("--unlock")
        rule = MatchRule(
            type="signal",
            sender=message_bus.bus_name,
            interface=message_bus.interface,
            member="NameOwnerChanged",
            path=message_bus.object_path,
        )
        rule.add_arg_condition(0, SECRET_SERVICE_NAME)
        with closing(open_dbus_connection(self.address)) as connection:
            connection.send_and_get_reply(message_bus.AddMatch(rule))
            with connection.filter(rule) as queue:
                self.daemon = subprocess.Popen(
                    args, env=self.env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
                self.daemon.stdin.write((unlock_password or "").encode())
                self.daemon.stdin.close()
                connection.recv_until_filtered(queue, timeout=READY_TIMEOUT)

    def lookup(self, user: str) -> str:
        """What libsecret's own client finds for ``user``, to prove the entry is really in gnome-keyring."""
        result = subprocess.run(
            ["secret-tool", "lookup", "service", "exchange-tui", "username", user],
            env=self.env,
            capture_output=True,
            text=True,
        )
        return result.stdout

    def lock_default_collection(self) -> None:
        import secretstorage
        from jeepney.io.blocking import open_dbus_connection

        with closing(open_dbus_connection(self.address)) as connection:
            secretstorage.get_default_collection(connection).lock()

    def stop(self) -> None:
        for process in (self.daemon, self.bus):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait()


def start_bus(home: Path) -> SecretService:
    _require("dbus-daemon", "gnome-keyring-daemon", "secret-tool")
    home.mkdir(parents=True, exist_ok=True)
    config = home / "bus.conf"
    config.write_text(BUS_CONFIG)
    bus = subprocess.Popen(
        ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    address = bus.stdout.readline().strip()
    if not address:
        bus.kill()
        pytest.fail("dbus-daemon printed no address")
    return SecretService(address=address, home=home, bus=bus)


@pytest.fixture(scope="session")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecretService]:
    """One unlocked gnome-keyring for the whole session, with a login keyring."""
    service = start_bus(tmp_path_factory.mktemp("secret-service"))
    try:
        service.start_keyring()
        yield service
    finally:
        service.stop()


@pytest.fixture
def on_secret_service(secret_service: SecretService, monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretService]:
    """This test talks to the session's Secret Service; what it stores there is deleted afterwards."""
    import secretstorage
    from jeepney.io.blocking import open_dbus_connection

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", secret_service.address)
    yield secret_service
    with closing(open_dbus_connection(secret_service.address)) as connection:
        for item in secretstorage.get_default_collection(connection).search_items({"service": "exchange-tui"}):
            item.delete()


@pytest.fixture
def private_bus(tmp_path: Path) -> Iterator[Callable[[], SecretService]]:
    """Starts extra D-Bus sessions for one test (a locked, a fresh or a frozen Secret Service)."""
    started: list[SecretService] = []

    def start() -> SecretService:
        service = start_bus(tmp_path / f"bus-{len(started)}")
        started.append(service)
        return service

    yield start
    for service in started:
        service.stop()
