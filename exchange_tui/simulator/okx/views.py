"""The ``data`` of each OKX endpoint and push, with OKX's field names and every number as a decimal string
(reference §3, §7)."""

from __future__ import annotations

from decimal import Decimal, localcontext

from exchange_tui.simulator.core.numbers import plain
from exchange_tui.simulator.okx.accounts import SimAccount
from exchange_tui.simulator.okx.market import USD_PER_USDT
from exchange_tui.simulator.okx.state import SimulatorState

_PLACES = Decimal("1e-12")


def derived(value: Decimal) -> str:
    """A computed figure: at most 12 decimals, no trailing zeros, never an exponent."""
    with localcontext() as context:
        context.prec = 60
        return plain(value.quantize(_PLACES).normalize())


def account_config(account: SimAccount) -> dict[str, object]:
    """``/api/v5/account/config`` (reference §3), the fields in the DOCS example's order."""
    return {
        "acctLv": account.acct_lv,
        "acctStpMode": "cancel_maker",
        "autoLoan": False,
        "ctIsoMode": "automatic",
        "enableSpotBorrow": False,
        "greeksType": "PA",
        "ip": ",".join(ip.removesuffix("/32").removesuffix("/128") for ip in account.ips),
        "type": account.type,
        "kycLv": account.kyc_lv,
        "label": account.label,
        "level": account.level,
        "levelTmp": "",
        "liquidationGear": "-1",
        "mainUid": account.main_account_uid,
        "mgnIsoMode": "automatic",
        "opAuth": "1",
        "perm": ",".join(account.perm),
        "posMode": account.pos_mode,
        "roleType": "0",
        "spotBorrowAutoRepay": False,
        "spotOffsetType": "",
        "spotRoleType": "0",
        "spotTraderInsts": [],
        "traderInsts": [],
        "uid": account.uid,
    }


def trading_balance(state: SimulatorState, account: SimAccount, ccys: set[str] | None) -> dict[str, object]:
    """``/api/v5/account/balance`` ``data[0]`` and the ``account`` channel's: only non-zero currencies (§3),
    those of ``ccys`` when given; USD figures at each currency's USDT price times ``USD_PER_USDT``."""
    details = []
    total_usd = Decimal(0)
    for entry in state.wallets(account.uid).trading.values():
        if not (entry.cash_bal or entry.frozen_bal) or (ccys is not None and entry.ccy not in ccys):
            continue
        usd_price = state.usdt_price(entry.ccy) * USD_PER_USDT
        eq_usd = entry.cash_bal * usd_price
        total_usd += eq_usd
        available = plain(entry.cash_bal - entry.frozen_bal)
        details.append(
            {
                "availBal": available,
                "availEq": available,
                "cashBal": plain(entry.cash_bal),
                "ccy": entry.ccy,
                "coinUsdPrice": derived(usd_price),
                "disEq": derived(eq_usd),
                "eq": plain(entry.cash_bal),
                "eqUsd": derived(eq_usd),
                "frozenBal": plain(entry.frozen_bal),
                "ordFrozen": plain(entry.frozen_bal),
                "uTime": str(entry.u_time if entry.u_time is not None else state.started_ms),
                "upl": "0",
            }
        )
    margin = account.acct_lv in ("3", "4")
    return {
        "adjEq": derived(total_usd) if margin else "",
        "details": details,
        "imr": "0" if margin else "",
        "isoEq": "0",
        "mgnRatio": "",
        "mmr": "0" if margin else "",
        "notionalUsd": "0" if margin else "",
        "ordFroz": "0" if margin else "",
        "totalEq": derived(total_usd),
        "uTime": str(state.now_ms()),
        "upl": "0",
    }


def funding_balances(state: SimulatorState, account: SimAccount, ccys: set[str] | None) -> list[dict[str, str]]:
    """``/api/v5/asset/balances``: "Only asset information of a currency with a balance greater than 0" (§3)."""
    return [
        {"availBal": plain(b.bal - b.frozen_bal), "bal": plain(b.bal), "ccy": b.ccy, "frozenBal": plain(b.frozen_bal)}
        for b in state.wallets(account.uid).funding.values()
        if b.bal and (ccys is None or b.ccy in ccys)
    ]


def asset_valuation(state: SimulatorState, account: SimAccount, unit_usdt: Decimal) -> dict[str, object]:
    """``/api/v5/asset/asset-valuation``: every account valued in one unit (``unit_usdt``: its USDT price)."""
    wallets = state.wallets(account.uid)
    trading = sum((b.cash_bal * state.usdt_price(b.ccy) for b in wallets.trading.values()), Decimal(0))
    funding = sum((b.bal * state.usdt_price(b.ccy) for b in wallets.funding.values()), Decimal(0))
    return {
        "details": {
            "classic": "0",
            "earn": "0",
            "funding": derived(funding / unit_usdt),
            "trading": derived(trading / unit_usdt),
        },
        "totalBal": derived((trading + funding) / unit_usdt),
        "ts": str(state.now_ms()),
    }
