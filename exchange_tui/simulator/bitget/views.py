"""The ``data`` of each endpoint, with Bitget's field names and every number as a decimal string."""

from __future__ import annotations

from decimal import Decimal, localcontext

from exchange_tui.simulator.bitget.accounts import DEMO_COIN_PRODUCT_TYPES, FuturesAccount, SimAccount
from exchange_tui.simulator.bitget.market import USD_PER_USDT
from exchange_tui.simulator.bitget.state import SimulatorState
from exchange_tui.simulator.core.numbers import plain

_DERIVED_PLACES = Decimal("1e-12")


def derived(value: Decimal) -> Decimal:
    """A computed figure as Bitget shows one: at most 12 decimals, no trailing zeros."""
    with localcontext() as context:
        context.prec = 60
        return value.quantize(_DERIVED_PLACES).normalize()


def spot_account_info(account: SimAccount) -> dict[str, object]:
    return {
        "userId": account.uid,
        "inviterId": account.inviter_id,
        "ips": ",".join(account.ips),
        "authorities": list(account.authorities),
        "parentId": account.parent_id if account.parent_id is not None else int(account.uid),
        "traderType": account.trader_type,
        "channelCode": account.channel_code,
        "channel": account.channel,
        "regisTime": account.regis_time,
    }


def spot_assets(state: SimulatorState, account: SimAccount, coin: str | None, every_coin: bool) -> list[dict[str, str]]:
    """``coin`` wins over ``every_coin``; otherwise zero balances are left out unless ``every_coin``."""
    if coin is not None:
        balances = [b for b in account.spot if b.coin == coin.upper()]
    else:
        balances = [b for b in account.spot if every_coin or not b.is_zero]
    return [
        {
            "coin": b.coin,
            "available": plain(b.available),
            "frozen": plain(b.frozen),
            "locked": plain(b.locked),
            "limitAvailable": plain(b.limit_available),
            "uTime": str(b.u_time if b.u_time is not None else state.started_ms),
        }
        for b in balances
    ]


def _usdt_equity(state: SimulatorState, entry: FuturesAccount) -> Decimal:
    if entry.usdt_equity is not None:
        return entry.usdt_equity
    return derived(entry.equity * state.usdt_price(entry.margin_coin))


def _futures_figures(state: SimulatorState, entry: FuturesAccount) -> FuturesAccount:
    """The entry with every figure the file left out derived from its amounts and the price table."""
    price = state.usdt_price(entry.margin_coin)
    btc_price = state.usdt_price("BTC")
    usdt_equity = _usdt_equity(state, entry)

    def given_or(value: Decimal | None, default: Decimal) -> Decimal:
        return value if value is not None else default

    return entry.model_copy(
        update={
            "crossed_max_available": given_or(entry.crossed_max_available, entry.available),
            "isolated_max_available": given_or(entry.isolated_max_available, entry.available),
            "max_transfer_out": given_or(entry.max_transfer_out, entry.available),
            "account_equity": entry.equity,
            "usdt_equity": usdt_equity,
            "btc_equity": given_or(entry.btc_equity, derived(usdt_equity / btc_price) if btc_price else Decimal(0)),
            "union_total_margin": given_or(entry.union_total_margin, usdt_equity),
            "union_available": given_or(entry.union_available, derived(entry.available * price)),
        }
    )


def futures_accounts(state: SimulatorState, account: SimAccount, product_type: str) -> list[dict[str, object]]:
    return [
        _futures_figures(state, entry).model_dump(mode="json", by_alias=True)
        for entry in account.futures.get(product_type, ())
    ]


def _filled(value: Decimal | None) -> Decimal:
    assert value is not None, "_futures_figures derives every figure"
    return value


def futures_account_channel(state: SimulatorState, account: SimAccount, product_type: str) -> list[dict[str, str]]:
    """The futures ``account`` WebSocket channel's ``data``: its own, shorter field set (reference §5)."""
    entries = [_futures_figures(state, entry) for entry in account.futures.get(product_type, ())]
    return [
        {
            "marginCoin": e.margin_coin,
            "frozen": plain(e.locked),
            "available": plain(e.available),
            "maxOpenPosAvailable": plain(_filled(e.crossed_max_available)),
            "maxTransferOut": plain(_filled(e.max_transfer_out)),
            "equity": plain(e.equity),
            "usdtEquity": plain(_filled(e.usdt_equity)),
            "crossedRiskRate": plain(e.crossed_risk_rate),
            "unrealizedPL": e.unrealized_pl or "0",
        }
        for e in entries
    ]


def all_account_balance(state: SimulatorState, account: SimAccount) -> list[dict[str, str]]:
    """The assets overview in USDT. Demo-coin futures (``S*-FUTURES``) have no real value and are left out."""
    spot = sum((b.total * state.usdt_price(b.coin) for b in account.spot), Decimal(0))
    futures = sum(
        (
            _usdt_equity(state, entry)
            for product_type, entries in account.futures.items()
            if product_type not in DEMO_COIN_PRODUCT_TYPES
            for entry in entries
        ),
        Decimal(0),
    )
    totals = {
        "spot": derived(spot),
        "futures": derived(futures),
        "funding": account.overview.funding,
        "earn": account.overview.earn,
        "bots": account.overview.bots,
        "margin": account.overview.margin,
    }
    return [{"accountType": kind, "usdtBalance": plain(value)} for kind, value in totals.items()]


def unified_assets(state: SimulatorState, account: SimAccount) -> dict[str, object]:
    """Bitget's UTA "Get Account Assets" page (reference §9): only non-zero coins; ``usdValue``,
    ``accountEquity`` and ``effEquity`` in USD, ``usdtEquity`` in USDT."""
    assert account.unified is not None
    held = [a for a in account.unified.assets if a.balance or a.debt or a.locked]
    in_usdt = {a.coin: a.equity * state.usdt_price(a.coin) for a in held}
    values = {coin: derived(value * USD_PER_USDT) for coin, value in in_usdt.items()}
    usdt_equity = sum(in_usdt.values(), Decimal(0))
    equity = derived(sum(values.values(), Decimal(0)))
    btc_price = state.usdt_price("BTC")
    zero = "0"
    return {
        "accountEquity": plain(equity),
        "usdtEquity": plain(derived(usdt_equity)),
        "btcEquity": plain(derived(usdt_equity / btc_price) if btc_price else Decimal(0)),
        "unrealisedPnl": zero,
        "usdtUnrealisedPnl": zero,
        "btcUnrealizedPnl": zero,
        "effEquity": plain(equity),
        "mmr": zero,
        "imr": zero,
        "mgnRatio": zero,
        "positionMgnRatio": zero,
        "assets": [
            {
                "coin": a.coin,
                "equity": plain(a.equity),
                "usdValue": plain(values[a.coin]),
                "balance": plain(a.balance),
                "available": plain(a.available),
                "debt": plain(a.debt),
                "locked": plain(a.locked),
            }
            for a in held
        ],
    }


def uta_account_channel(
    state: SimulatorState, account: SimAccount, coin: str | None, *, only_coin: bool
) -> dict[str, object]:
    """One ``data`` item of the v3 ``account`` topic (Bitget's UTA "Account Channel" page, reference §9):
    the account's figures in USD and ``coin[]``: every coin held (the changed ``coin`` included even at
    zero), or with ``only_coin`` the changed coin alone; without a ``coin`` (a first snapshot) every one."""
    assert account.unified is not None
    every = coin is None or not only_coin
    assets = [a for a in account.unified.assets if a.coin == coin or (every and (a.balance or a.debt or a.locked))]
    rest = unified_assets(state, account)
    usd = {a.coin: plain(derived(a.equity * state.usdt_price(a.coin) * USD_PER_USDT)) for a in assets}
    figures = ("effEquity", "mmr", "imr", "mgnRatio", "positionMgnRatio")
    return {
        "totalEquity": rest["accountEquity"],
        "unrealisedPnL": "0",
        **{name: rest[name] for name in figures},
        "coin": [
            {
                "coin": a.coin,
                "balance": plain(a.balance),
                "available": plain(a.available),
                "locked": plain(a.locked),
                "equity": plain(a.equity),
                "usdValue": usd[a.coin],
                "debts": plain(a.debt),
                "borrow": "0",
            }
            for a in assets
        ],
    }


def unified_account_info(account: SimAccount) -> dict[str, object]:
    """Bitget's UTA "Get Account Info" page (reference §9): ``parentId`` is empty unless a sub-account."""
    assert account.unified is not None
    return {
        account.unified.uid_field: account.uid,
        "inviterId": account.inviter_id,
        "parentId": "" if account.parent_id is None else str(account.parent_id),
        "channelCode": account.channel_code,
        "channel": account.channel,
        "ips": ",".join(account.ips),
        "permType": account.unified.perm_type,
        "permissions": list(account.unified.permissions),
        "regisTime": account.regis_time,
    }


def funding_assets(account: SimAccount, coin: str | None) -> list[dict[str, str]]:
    """Bitget's UTA "Get Account Funding Assets" page (reference §9): only coins with assets, or ``coin``."""
    assert account.unified is not None
    held = [f for f in account.unified.funding if (f.coin == coin.upper() if coin else f.balance)]
    return [
        {"coin": f.coin, "available": plain(f.available), "frozen": plain(f.frozen), "balance": plain(f.balance)}
        for f in held
    ]


def unified_settings(account: SimAccount) -> dict[str, str]:
    assert account.unified is not None
    return {
        "accountMode": "unified",
        "accountLevel": account.unified.account_level,
        "assetMode": account.unified.asset_mode,
        "holdMode": account.unified.hold_mode,
    }
