"""A simulated key's ``repr`` (a log line, a crash report's locals in the demo) never shows its secret."""

import pytest

from exchange_tui.simulator import SIMULATED_EXCHANGES, new_state


@pytest.mark.parametrize("exchange", sorted(SIMULATED_EXCHANGES))
def test_no_account_repr_shows_its_secret_or_passphrase(exchange):
    for account in new_state(exchange).accounts:
        shown = repr(account)
        assert account.api_key in shown
        assert account.secret_key not in shown
        assert getattr(account, "passphrase", None) is None or account.passphrase not in shown
