"""OKX's answers exactly as reference/okx-v5.md quotes them (its §3 and §7 JSON examples), for parsing tests."""

import json

# §3 GET /api/v5/public/time
SERVER_TIME = json.loads(
    """
{"code":"0","msg":"","data":[{"ts":"1597026383085"}]}
"""
)

# §3 GET /api/v5/account/config
ACCOUNT_CONFIG = json.loads(
    """
{
    "code": "0",
    "data": [
        {
            "acctLv": "2",
            "acctStpMode": "cancel_maker",
            "autoLoan": false,
            "ctIsoMode": "automatic",
            "enableSpotBorrow": false,
            "greeksType": "PA",
            "ip": "",
            "type": "0",
            "kycLv": "3",
            "label": "v5 test",
            "level": "Lv1",
            "levelTmp": "",
            "liquidationGear": "-1",
            "mainUid": "44705892343619584",
            "mgnIsoMode": "automatic",
            "opAuth": "1",
            "perm": "read_only,withdraw,trade",
            "posMode": "long_short_mode",
            "roleType": "0",
            "spotBorrowAutoRepay": false,
            "spotOffsetType": "",
            "spotRoleType": "0",
            "spotTraderInsts": [],
            "traderInsts": [],
            "uid": "44705892343619584"
        }
    ],
    "msg": ""
}
"""
)

# §3 GET /api/v5/account/balance
TRADING_BALANCE = json.loads(
    """
{
    "code": "0",
    "data": [
        {
            "adjEq": "55415.624719833286",
            "details": [
                {
                    "availBal": "4834.317093622894",
                    "availEq": "4834.3170936228935",
                    "cashBal": "4850.435693622894",
                    "ccy": "USDT",
                    "disEq": "4991.542013297616",
                    "eq": "4992.890093622894",
                    "eqUsd": "4991.542013297616",
                    "frozenBal": "158.573",
                    "ordFrozen": "0",
                    "uTime": "1705449605015",
                    "upl": "-7.545600000000006"
                }
            ],
            "imr": "8.57068529",
            "isoEq": "0",
            "mgnRatio": "143682.59776662575",
            "mmr": "0.3428274116",
            "notionalUsd": "85.7068529",
            "ordFroz": "0",
            "totalEq": "55837.43556134779",
            "uTime": "1705474164160",
            "upl": "-7.543562688000006"
        }
    ],
    "msg": ""
}
"""
)

# §3 GET /api/v5/asset/balances
FUNDING_BALANCES = json.loads(
    """
{"code":"0","msg":"","data":[{"availBal":"37.11827078","bal":"37.11827078","ccy":"ETH","frozenBal":"0"}]}
"""
)

# §3 GET /api/v5/market/tickers?instType=SPOT
TICKERS = json.loads(
    """
{"code":"0","msg":"","data":[{"instType":"SPOT","instId":"BTC-USDT","last":"51230","lastSz":"0.18531491","askPx":"51229.4","askSz":"2.1683067","bidPx":"51229.3","bidSz":"0.28249897","open24h":"51635.7","high24h":"52080","low24h":"50936","volCcy24h":"539658490.410419122","vol24h":"10476.2229261","ts":"1708669508505","sodUtc0":"51290.1","sodUtc8":"51602.4"}]}
"""
)

# §7 the account channel's push
ACCOUNT_PUSH = json.loads(
    """
{
  "arg": {"channel": "account", "uid": "44*********584"},
  "eventType": "snapshot",
  "curPage": 1,
  "lastPage": true,
  "data": [{
    "adjEq": "55444.12216906034",
    "details": [{"availBal": "4734.371190691436", "availEq": "4734.371190691435", "cashBal": "4750.426970691436",
                 "ccy": "USDT", "coinUsdPrice": "0.99927", "eq": "4892.951170691435", "eqUsd": "4889.379316336831",
                 "frozenBal": "158.57998", "uTime": "1705564213903", "upl": "-7.475800000000003"}],
    "totalEq": "55868.06403501676",
    "uTime": "1705564223311"
  }]
}
"""
)
