"""The bodies of each Binance endpoint and push, with Binance's field names, amounts as 8-decimal strings
(reference §3, §7)."""

from __future__ import annotations

from decimal import Decimal

from exchange_tui.simulator.binance.accounts import SimAccount
from exchange_tui.simulator.binance.state import SimulatorState

_EIGHT = Decimal("1e-8")
WALLET_NAMES = (
    "Spot", "Funding", "Cross Margin", "Isolated Margin", "USDⓈ-M Futures", "COIN-M Futures", "Earn", "Options",
    "Trading Bots", "Copy Trading",
)
"""``/sapi/v1/asset/wallet/balance``'s wallets, in the example's order (reference §3)."""


def eight(value: Decimal) -> str:
    """Binance's amounts: eight decimals, never an exponent."""
    return format(value.quantize(_EIGHT), "f")


def api_restrictions(account: SimAccount) -> dict[str, object]:
    """``/sapi/v1/account/apiRestrictions`` (reference §3), with ``tradingAuthorityExpirationTime`` when set."""
    body: dict[str, object] = {"ipRestrict": account.ip_restrict, "createTime": account.create_time}
    if account.trading_authority_expiration_time is not None:
        body["tradingAuthorityExpirationTime"] = account.trading_authority_expiration_time
    return body | {
        "enableReading": account.enable_reading,
        "enableWithdrawals": account.enable_withdrawals,
        "enableInternalTransfer": account.enable_internal_transfer,
        "enableMargin": account.enable_margin,
        "enableFutures": account.enable_futures,
        "permitsUniversalTransfer": account.permits_universal_transfer,
        "enableVanillaOptions": False,
        "enableFixApiTrade": False,
        "enableFixReadOnly": False,
        "enableSpotAndMarginTrading": account.enable_spot_and_margin_trading,
        "enablePortfolioMarginTrading": False,
    }


def spot_account(state: SimulatorState, account: SimAccount, omit_zero: bool) -> dict[str, object]:
    """``/api/v3/account`` (reference §3): ``canTrade``/``canWithdraw`` are the account's flags, not the key's."""
    balances = [
        {"asset": h.asset, "free": eight(h.free), "locked": eight(h.locked)}
        for h in state.wallets(account.uid).spot.values()
        if not omit_zero or h.free or h.locked
    ]
    return {
        "makerCommission": 10, "takerCommission": 10, "buyerCommission": 0, "sellerCommission": 0,
        "commissionRates": {"maker": "0.00100000", "taker": "0.00100000", "buyer": "0.00000000", "seller": "0.00000000"},
        "canTrade": account.can_trade, "canWithdraw": account.can_withdraw, "canDeposit": account.can_deposit,
        "brokered": False, "requireSelfTradePrevention": False, "preventSor": False,
        "updateTime": state.now_ms(), "accountType": "SPOT", "balances": balances, "permissions": ["SPOT"],
        "uid": account.uid,
    }


def funding_assets(
    state: SimulatorState, account: SimAccount, asset: str | None, btc_valuation: bool
) -> list[dict[str, str]]:
    """``get-funding-asset``: the non-zero funding assets (or ``asset`` alone), valued in BTC when asked."""
    btc_usdt = state.usdt_price("BTC")
    rows = []
    for h in state.wallets(account.uid).funding.values():
        if not (h.free or h.locked) or (asset is not None and h.asset != asset):
            continue
        value = (h.free + h.locked) * state.usdt_price(h.asset) / btc_usdt if btc_valuation else Decimal(0)
        rows.append({"asset": h.asset, "free": eight(h.free), "locked": eight(h.locked), "freeze": "0",
                     "withdrawing": "0", "btcValuation": eight(value)})
    return rows


def wallet_balances(state: SimulatorState, account: SimAccount, unit_usdt: Decimal) -> list[dict[str, object]]:
    """``/sapi/v1/asset/wallet/balance``: every wallet valued in one unit (``unit_usdt``: its USDT price)."""
    wallets = state.wallets(account.uid)
    spot = sum(((h.free + h.locked) * state.usdt_price(h.asset) for h in wallets.spot.values()), Decimal(0))
    funding = sum(((h.free + h.locked) * state.usdt_price(h.asset) for h in wallets.funding.values()), Decimal(0))
    futures = sum((h.balance * state.usdt_price(h.asset) for h in wallets.futures.values()), Decimal(0))
    values = {"Spot": spot, "Funding": funding, "USDⓈ-M Futures": futures}
    return [
        {"activate": name != "Options", "balance": eight(values.get(name, Decimal(0)) / unit_usdt), "walletName": name}
        for name in WALLET_NAMES
    ]


def futures_balances(state: SimulatorState, account: SimAccount) -> list[dict[str, object]]:
    """``/fapi/v2/balance`` and ``/fapi/v3/balance`` (reference §3): no positions, so every figure is the wallet's."""
    now_ms = state.now_ms()
    return [
        {"accountAlias": "SgsR", "asset": h.asset, "balance": eight(h.balance), "crossWalletBalance": eight(h.balance),
         "crossUnPnl": "0.00000000", "availableBalance": eight(h.balance), "maxWithdrawAmount": eight(h.balance),
         "marginAvailable": True, "updateTime": now_ms}
        for h in state.wallets(account.uid).futures.values()
    ]


def futures_account(state: SimulatorState, account: SimAccount) -> dict[str, object]:
    """``/fapi/v2/account`` and ``/fapi/v3/account``, what ccxt's ``fetch_balance`` reads for USDⓈ-M (its
    fields are FUT-DOCS', not in the reference)."""
    now_ms = state.now_ms()
    holdings = state.wallets(account.uid).futures.values()
    total = sum((h.balance * state.usdt_price(h.asset) for h in holdings), Decimal(0))
    assets = [
        {"asset": h.asset, "walletBalance": eight(h.balance), "unrealizedProfit": "0.00000000",
         "marginBalance": eight(h.balance), "maintMargin": "0.00000000", "initialMargin": "0.00000000",
         "positionInitialMargin": "0.00000000", "openOrderInitialMargin": "0.00000000",
         "crossWalletBalance": eight(h.balance), "crossUnPnl": "0.00000000", "availableBalance": eight(h.balance),
         "maxWithdrawAmount": eight(h.balance), "updateTime": now_ms}
        for h in holdings
    ]
    return {
        "totalInitialMargin": "0.00000000", "totalMaintMargin": "0.00000000", "totalWalletBalance": eight(total),
        "totalUnrealizedProfit": "0.00000000", "totalMarginBalance": eight(total),
        "totalCrossWalletBalance": eight(total), "availableBalance": eight(total), "maxWithdrawAmount": eight(total),
        "assets": assets, "positions": [],
    }
