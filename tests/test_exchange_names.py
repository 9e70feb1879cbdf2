"""Outside an exchange's own folders, no module names an exchange: the rest of the app asks the registry.

An exchange may be named in ``exchanges/<id>/``, in the simulator's ``simulator/<id>/``, on its
line in the registry and in the simulator's list of exchanges, and nowhere else in the package.
"""

import re
from pathlib import Path

import pytest

from exchange_tui.exchanges.registry import EXCHANGES

PACKAGE = Path(__file__).resolve().parent.parent / "exchange_tui"
LISTS = ("exchanges/registry.py", "simulator/core/exchanges.py")
"""The registry and the simulator's list: the only modules that name every exchange."""


def _named_outside(exchange: str, package: Path = PACKAGE) -> list[str]:
    own = (package / "exchanges" / exchange, package / "simulator" / exchange)
    lists = {package / name for name in LISTS}
    pattern = re.compile(rf"\b{re.escape(exchange)}\b", re.IGNORECASE)
    found = []
    for path in sorted(package.rglob("*")):
        if path.suffix not in {".py", ".tcss", ".json", ".toml"} or path in lists:
            continue
        if any(path.is_relative_to(folder) for folder in own):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                found.append(f"{path.relative_to(package)}:{number}: {line.strip()}")
    return found


@pytest.mark.parametrize("exchange", sorted(EXCHANGES))
def test_no_module_outside_its_folders_names_the_exchange(exchange):
    assert _named_outside(exchange) == []


def test_the_check_sees_a_name_where_it_does_not_belong(tmp_path):
    exchange = next(iter(EXCHANGES))
    for place in ("tui/screen.py", f"exchanges/{exchange}/spec.py", f"simulator/{exchange}/app.py", *LISTS):
        (tmp_path / place).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / place).write_text(f'NAME = "{exchange.upper()}"\n')
    assert _named_outside(exchange, tmp_path) == [f'tui/screen.py:1: NAME = "{exchange.upper()}"']
