"""The ``result`` of each Bybit endpoint and push, with Bybit's field names and every number as a decimal string
(reference §3, §7)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, localcontext

from exchange_tui.simulator.core.numbers import plain
from exchange_tui.simulator.bybit.accounts import SimAccount
from exchange_tui.simulator.bybit.market import USD_PER_USDT
from exchange_tui.simulator.bybit.state import SimulatorState

_PLACES = Decimal("1e-8")
_DAY_MS = 86_400_000
PRODUCTS = (
    "ContractTrade", "Spot", "Wallet", "Options", "Derivatives", "CopyTrading", "BlockTrade", "Exchange", "NFT",
    "Affiliate", "Earn", "FiatP2P", "FiatConvertBroker", "FiatGlobalPay", "FiatBitPay", "BitCard", "ByXPost",
)
"""The ``permissions`` keys of the DOCS-KEY example, in its order; a key lists the codes it holds (§3)."""
NEVER_EXPIRES = "1970-01-01T00:00:00Z"
NO_DEADLINE = -2
"""``deadlineDay`` of a key that does not expire: the DOCS-KEY example's IP-bound key shows -2 (§3)."""


def derived(value: Decimal) -> str:
    """A computed figure: at most 8 decimals, no trailing zeros, never an exponent."""
    with localcontext() as context:
        context.prec = 60
        return plain(value.quantize(_PLACES).normalize())


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def query_api(state: SimulatorState, account: SimAccount) -> dict[str, object]:
    """``/v5/user/query-api`` (DOCS-KEY, §3), the fields in the example's order. An unbound key shows ``["*"]``
    and its expiry (``expiredAt``, whole ``deadlineDay`` left); a bound one 1970 and -2."""
    lifetime = account.lifetime_days
    if lifetime is None:
        expired_at, deadline_day = NEVER_EXPIRES, NO_DEADLINE
    else:
        expires_ms = state.started_ms + lifetime * _DAY_MS
        expired_at, deadline_day = _iso(expires_ms), max(0, (expires_ms - state.now_ms()) // _DAY_MS)
    return {
        "id": str(int(account.uid) * 7 % 10_000_000),
        "note": account.note or account.label,
        "apiKey": account.api_key,
        "readOnly": 1 if account.read_only else 0,
        "secret": "",
        "permissions": {product: list(account.permissions.get(product, ())) for product in PRODUCTS},
        "ips": [ip.removesuffix("/32").removesuffix("/128") for ip in account.ips] or ["*"],
        "type": 1,
        "deadlineDay": deadline_day,
        "expiredAt": expired_at,
        "createdAt": _iso(state.started_ms - account.created_days_ago * _DAY_MS),
        "unified": 0,
        "uta": 0 if account.unified_margin_status == 1 else 1,
        "userID": int(account.uid),
        "inviterID": 0,
        "vipLevel": account.vip_level,
        "mktMakerLevel": "0",
        "affiliateID": 0,
        "rsaPublicKey": account.rsa_public_key or "",
        "isMaster": account.is_master,
        "parentUid": account.parent_uid,
        "kycLevel": account.kyc_level,
        "kycRegion": account.kyc_region,
        "userIDInt64": "0",
        "inviterIDInt64": "0",
        "affiliateIDInt64": "0",
    }


def account_info(state: SimulatorState, account: SimAccount) -> dict[str, object]:
    """``/v5/account/info`` (§3, the zh-TW example)."""
    return {
        "marginMode": "REGULAR_MARGIN",
        "updatedTime": str(state.started_ms),
        "unifiedMarginStatus": account.unified_margin_status,
        "dcpStatus": "OFF",
        "timeWindow": 10,
        "smpGroup": 0,
        "isMasterTrader": False,
        "spotHedgingStatus": "OFF",
    }


def unified_wallet(state: SimulatorState, account: SimAccount, coins: set[str] | None) -> dict[str, object]:
    """One ``list[]`` entry of ``/v5/account/wallet-balance`` and the ``wallet`` push's ``data[]``: "If not passed,
    it returns non-zero asset info" (DOCS-WB), those of ``coins`` when given. USD figures at each coin's USDT
    price times ``USD_PER_USDT``; deprecated fields (``availableToWithdraw``, ``availableToBorrow``) are ""."""
    rows = []
    total = available = Decimal(0)
    for entry in state.wallets(account.uid).unified.values():
        if (coins is None and not entry.wallet_balance) or (coins is not None and entry.coin not in coins):
            continue
        usd_price = state.usdt_price(entry.coin) * USD_PER_USDT
        usd_value = entry.wallet_balance * usd_price
        total += usd_value
        available += (entry.wallet_balance - entry.locked) * usd_price
        rows.append(
            {
                "coin": entry.coin,
                "equity": plain(entry.wallet_balance),
                "usdValue": derived(usd_value),
                "walletBalance": plain(entry.wallet_balance),
                "availableToWithdraw": "",
                "availableToBorrow": "",
                "borrowAmount": "0",
                "accruedInterest": "0",
                "totalOrderIM": "0",
                "totalPositionIM": "0",
                "totalPositionMM": "0",
                "unrealisedPnl": "0",
                "cumRealisedPnl": "0",
                "bonus": "0",
                "collateralSwitch": True,
                "marginCollateral": True,
                "locked": plain(entry.locked),
                "spotHedgingQty": "0",
                "spotBorrow": "0",
            }
        )
    return {
        "accountIMRate": "0",
        "accountMMRate": "0",
        "totalEquity": derived(total),
        "totalWalletBalance": derived(total),
        "totalMarginBalance": derived(total),
        "totalAvailableBalance": derived(available),
        "totalPerpUPL": "0",
        "totalInitialMargin": "0",
        "totalMaintenanceMargin": "0",
        "coin": rows,
        "accountLTV": "0",
        "accountType": "UNIFIED",
    }


def fund_balance(state: SimulatorState, account: SimAccount, coins: set[str] | None) -> dict[str, object]:
    """``/v5/asset/transfer/query-account-coins-balance?accountType=FUND`` (DOCS-ALLBAL, §3): the coins held, or
    those of ``coins`` (zero too, as a queried coin is answered)."""
    held = state.wallets(account.uid).fund
    wanted = sorted(coins) if coins is not None else [c for c, b in held.items() if b.wallet_balance]
    balance = []
    for coin in wanted:
        amount = held[coin].wallet_balance if coin in held else Decimal(0)
        balance.append({"coin": coin, "transferBalance": plain(amount), "walletBalance": plain(amount), "bonus": ""})
    return {"memberId": account.uid, "accountType": "FUND", "balance": balance}


def asset_overview(state: SimulatorState, account: SimAccount) -> dict[str, object]:
    """``/v5/asset/asset-overview`` in USD (its default ``valuationCurrency``): ``totalEquity`` and one entry per
    account type (§3). The reference names the types, not each entry's fields: ``accountType`` and
    ``equity`` here are assumed."""
    wallets = state.wallets(account.uid)
    unified = sum((b.wallet_balance * state.usdt_price(b.coin) for b in wallets.unified.values()), Decimal(0))
    fund = sum((b.wallet_balance * state.usdt_price(b.coin) for b in wallets.fund.values()), Decimal(0))
    return {
        "valuationCurrency": "USD",
        "totalEquity": derived((unified + fund) * USD_PER_USDT),
        "list": [
            {"accountType": "FundingAccount", "equity": derived(fund * USD_PER_USDT)},
            {"accountType": "UnifiedTradingAccount", "equity": derived(unified * USD_PER_USDT)},
        ],
    }
