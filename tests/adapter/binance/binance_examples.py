"""The reference's own JSON answers (reference/binance.md §3, §7), copied exactly, and its vector key (§8)."""

from exchange_tui.models import Credentials

VECTOR_API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
VECTOR_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
VECTOR_KEY = Credentials(api_key=VECTOR_API_KEY, secret_key=VECTOR_SECRET)
VECTOR_MS = 1700000000000

ED25519_PEM = """-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f
-----END PRIVATE KEY-----
"""
ED25519_PUBLIC_PEM = """-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAA6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=
-----END PUBLIC KEY-----
"""

API_RESTRICTIONS = {
  "ipRestrict": False,
  "createTime": 1698645219000,
  "enableReading": True,
  "enableWithdrawals": False,
  "enableInternalTransfer": False,
  "enableMargin": False,
  "enableFutures": False,
  "permitsUniversalTransfer": False,
  "enableVanillaOptions": False,
  "enableFixApiTrade": False,
  "enableFixReadOnly": True,
  "enableSpotAndMarginTrading": False,
  "enablePortfolioMarginTrading": True
}

OLD_API_RESTRICTIONS = {
    "ipRestrict": False, "createTime": 1640988000000, "tradingAuthorityExpirationTime": 1646085600000,
    "enableSpotAndMarginTrading": True, "enableFutures": False, "enableMargin": False, "enableReading": True,
    "enableWithdrawals": False, "enableInternalTransfer": False, "permitsUniversalTransfer": False, "enableVanillaOptions": False,
}
"""The older form, with the expiry field (ccxt/php-binance-api#467's example)."""

ACCOUNT = {
    "makerCommission": 15, "takerCommission": 15, "buyerCommission": 0, "sellerCommission": 0,
    "commissionRates": {"maker": "0.00150000", "taker": "0.00150000", "buyer": "0.00000000", "seller": "0.00000000"},
    "canTrade": True, "canWithdraw": True, "canDeposit": True, "brokered": False,
    "requireSelfTradePrevention": False, "preventSor": False, "updateTime": 123456789,
    "accountType": "SPOT",
    "balances": [
        {"asset": "BTC", "free": "4723846.89208129", "locked": "0.00000000"},
        {"asset": "LTC", "free": "4763368.68006011", "locked": "0.00000000"}
    ],
    "permissions": ["SPOT"],
    "uid": 354937868
}

FUTURES_BALANCE = [
  {
    "accountAlias": "SgsR",
    "asset": "USDT",
    "balance": "122607.35137903",
    "crossWalletBalance": "23.72469206",
    "crossUnPnl": "0.00000000",
    "availableBalance": "23.72469206",
    "maxWithdrawAmount": "23.72469206",
    "marginAvailable": True,
    "updateTime": 1617939110373
  }
]

FUNDING = [{"asset":"USDT","free":"1","locked":"0","freeze":"0","withdrawing":"0","btcValuation":"0.00000091"}]

PRICES = [{"symbol":"LTCBTC","price":"4.00000200"},{"symbol":"ETHBTC","price":"0.07946600"}]

SPOT_PUSH = {"subscriptionId":0,"event":{"e":"outboundAccountPosition","E":1564034571105,"u":1564034571073,
  "B":[{"a":"ETH","f":"10000.000000","l":"0.000000"}]}}

FUTURES_PUSH = {"e":"ACCOUNT_UPDATE","E":1564745798939,"T":1564745798938,
   "a":{"m":"ORDER",
        "B":[{"a":"USDT","wb":"122624.12345678","cw":"100.12345678","bc":"50.12345678"},
             {"a":"BUSD","wb":"1.00000000","cw":"0.00000000","bc":"-49.12345678"}],
        "P":[{"s":"BTCUSDT","pa":"0","ep":"0.00000","bep":"0","cr":"200","up":"0","mt":"isolated","iw":"0.00000000","ps":"BOTH"}]}}

SUBSCRIBED = {"id":"d3df8a22-98ea-4fe0-9f4e-0fcea5d418b7","status":200,"result":{"subscriptionId":0}}
WS_REFUSAL = {"id": None, "status": 401, "error": {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."}}
