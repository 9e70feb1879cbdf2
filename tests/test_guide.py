"""The checklist's logic on its own: what a key report says of each of the guide's steps."""

from datetime import UTC, datetime

from exchange_tui.models import AccountMode, KeyReport
from exchange_tui.exchanges.bitget.guide import GUIDE
from exchange_tui.guide import Mark, evaluate


def report(**fields) -> KeyReport:
    return KeyReport(exchange="bitget", connected=True, checked_at=datetime.now(UTC), read_only=False, **fields)


def marks(checked: KeyReport, *steps: int) -> list[tuple[Mark, str]]:
    results = {r.step.number: r for r in evaluate(GUIDE, checked)}
    return [(results[n].mark, results[n].note) for n in steps]


def test_a_unified_key_is_judged_by_its_unified_permissions():
    full = report(account_mode=AccountMode.UNIFIED, permissions=["UTA management (read-write)", "UTA trading (read-write)"])
    assert [m for m, _ in marks(full, 6, 7)] == [Mark.DONE, Mark.DONE]
    trade_only = report(account_mode=AccountMode.UNIFIED, permissions=["UTA trading (read-write)"])
    six, seven = marks(trade_only, 6, 7)
    assert six == (Mark.WARNING, "no UTA management (read): add it on Bitget to see the balances")
    assert seven[0] is Mark.DONE
    no_trading = report(account_mode=AccountMode.UNIFIED, permissions=["UTA management (read-write)"])
    (seven,) = marks(no_trading, 7)
    assert seven[0] is Mark.WARNING and "UTA trading" in seven[1] and "Orders" not in seven[1]


def test_a_classic_key_still_needs_futures_orders_and_holdings():
    classic = report(account_mode=AccountMode.CLASSIC, permissions=["spot trade (read-write)"])
    (seven,) = marks(classic, 7)
    assert seven[0] is Mark.WARNING and "Futures-Holdings" in seven[1]


def test_a_key_bound_to_ips_the_exchange_does_not_list_is_bound():
    (bound,) = marks(report(ip_restricted=True), 10)
    assert bound == (Mark.DONE, "bound to trusted IPs (Bitget does not show which)")
    (unbound,) = marks(report(ip_restricted=False), 10)
    assert unbound[0] is Mark.WARNING
