"""A key report as a person reads it in a terminal, and as a script reads it in JSON.

Amounts stay exact: JSON carries them as decimal strings, the way exchanges do.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from exchange_tui.exchanges.registry import EXCHANGES
from exchange_tui.models import Balance, KeyReport


def amount_json(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def balance_json(balance: Balance) -> dict[str, Any]:
    return {
        "account": balance.account,
        "coin": balance.coin,
        "available": amount_json(balance.available),
        "frozen": amount_json(balance.frozen),
        "locked": amount_json(balance.locked),
        "usdt_value": amount_json(balance.usdt_value),
    }


def report_json(report: KeyReport, label: str | None = None) -> dict[str, Any]:
    """The report as the CLI prints it with ``--json``."""
    return {
        "label": label,
        "exchange": report.exchange,
        "status": "connected" if report.connected else "failed",
        "checked_at": report.checked_at.isoformat(),
        "demo_trading": report.demo_trading,
        "testnet": report.testnet,
        "site": report.site,
        "expires_at": report.expires_at.isoformat() if report.expires_at else None,
        "account_mode": report.account_mode.value if report.account_mode else None,
        "uid": report.uid,
        "permissions": report.permissions,
        "read_only": report.read_only,
        "can_withdraw": report.can_withdraw,
        "futures_access": report.futures_access,
        "ips": report.ips,
        "ip_restricted": report.ip_restricted,
        "warnings": report.warnings,
        "error": report.error.model_dump() if report.error else None,
        "balances": [balance_json(b) for b in report.balances],
        "other_accounts": [{"account": t.account, "usdt_value": amount_json(t.usdt_value)} for t in report.overview],
        "total_usdt": amount_json(report.total_usdt),
    }


def _money(value: Decimal | None, places: int = 2) -> str:
    return "—" if value is None else f"{value:,.{places}f}"


def report_text(report: KeyReport, label: str | None = None) -> str:
    """The report as a few plain lines, readable at 80 columns and without colour."""
    exchange = EXCHANGES[report.exchange].name if report.exchange in EXCHANGES else report.exchange
    name = exchange + (f" · {label}" if label else "")
    if not report.connected:
        error = report.error
        lines = [f"{name}: not connected"]
        if error:
            lines += [f"  {error.hint}", f"  ({exchange} {error.code}: {error.message})"]
        return "\n".join(lines)
    mode = ", demo trading" if report.demo_trading else ""
    account = f"{report.account_mode.value} account" if report.account_mode else "account"
    lines = [f"{name}: Connected (uid {report.uid or '?'}, {account}{mode})"]
    lines.append("  Permissions: " + (", ".join(report.permissions) or "unknown"))
    lines.append("  IP whitelist: " + (", ".join(report.ips) or "none"))
    lines += [f"  ! {w}" for w in report.warnings]
    if report.balances:
        lines.append(f"  {'account':<14}{'coin':<6}{'available':>18}{'frozen+locked':>18}{'USDT value':>16}")
        for b in report.balances:
            held = b.frozen + b.locked
            lines.append(
                f"  {b.account:<14}{b.coin:<6}{_money(b.available, 8):>18}{_money(held, 8):>18}{_money(b.usdt_value):>16}"
            )
    lines.append(f"  Trading balance: {_money(report.total_usdt)} USDT")
    return "\n".join(lines)
