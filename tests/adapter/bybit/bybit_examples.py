"""The reference's own JSON examples (reference/bybit-v5.md), copied exactly, parsed once."""

import json

# §2.3 (sieblyio/bybit-api#232)
CLOCK_REFUSAL = json.loads(
    r'''  {"retCode":10002,"retMsg":"invalid request, please check your server timestamp or recv_window param. req_timestamp[1677853520948],server_timestamp[1677853421570],recv_window[5000]","result":{},"retExtInfo":{},"time":1677853421570}
  '''
)

# §3 GET /v5/market/time
SERVER_TIME = json.loads(
    r'''{"retCode":0,"retMsg":"OK","result":{"timeSecond":"1688639403","timeNano":"1688639403423213947"},"retExtInfo":{},"time":1688639403423}'''
)

# §3 GET /v5/user/query-api (DOCS-KEY)
KEY_INFO = json.loads(
    r'''{
    "retCode": 0,
    "retMsg": "",
    "result": {
        "id": "2208369",
        "note": "testnet",
        "apiKey": "XXXXXXXX",
        "readOnly": 1,
        "secret": "",
        "permissions": {
            "ContractTrade": ["Order", "Position"],
            "Spot": ["SpotTrade"],
            "Wallet": ["AccountTransfer", "SubMemberTransfer"],
            "Options": [],
            "Derivatives": ["DerivativesTrade"],
            "CopyTrading": [],
            "BlockTrade": [],
            "Exchange": ["ExchangeHistory"],
            "NFT": [],
            "Affiliate": [],
            "Earn": ["Earn"],
            "FiatP2P": ["FiatP2POrder", "Advertising"],
            "FiatConvertBroker": ["FiatConvertBrokerOrder"],
            "FiatGlobalPay": [],
            "FiatBitPay": ["FaitPayOrder"],
            "BitCard": ["BitCard"],
            "ByXPost": ["ByXPost"]
        },
        "ips": ["18.181.170.164", "13.212.45.47", "13.212.45.48"],
        "type": 1,
        "deadlineDay": -2,
        "expiredAt": "1970-01-01T00:00:00Z",
        "createdAt": "2025-10-13T03:20:45Z",
        "unified": 0,
        "uta": 1,
        "userID": 1448939,
        "inviterID": 0,
        "vipLevel": "PRO-1",
        "mktMakerLevel": "0",
        "affiliateID": 0,
        "rsaPublicKey": "",
        "isMaster": true,
        "parentUid": "0",
        "kycLevel": "LEVEL_1",
        "kycRegion": "MYS",
        "userIDInt64": "0",
        "inviterIDInt64": "0",
        "affiliateIDInt64": "0"
    },
    "retExtInfo": {},
    "time": 1776149990532
}'''
)

# §3 GET /v5/account/info
ACCOUNT_INFO = json.loads(
    r'''{"retCode":0,"retMsg":"OK","result":{"marginMode":"REGULAR_MARGIN","updatedTime":"1697078946000","unifiedMarginStatus":4,"dcpStatus":"OFF","timeWindow":10,"smpGroup":0,"isMasterTrader":false,"spotHedgingStatus":"OFF"}}'''
)

# §3 GET /v5/account/wallet-balance (DOCS-WB)
WALLET_BALANCE = json.loads(
    r'''{
    "retCode": 0,
    "retMsg": "OK",
    "result": {
        "list": [
            {
                "totalEquity": "3.31216591",
                "accountIMRate": "0",
                "totalMarginBalance": "3.00326056",
                "totalInitialMargin": "0",
                "accountType": "UNIFIED",
                "totalAvailableBalance": "3.00326056",
                "accountMMRate": "0",
                "totalPerpUPL": "0",
                "totalWalletBalance": "3.00326056",
                "accountLTV": "0",
                "totalMaintenanceMargin": "0",
                "coin": [
                    {
                        "availableToBorrow": "3",
                        "bonus": "0",
                        "accruedInterest": "0",
                        "availableToWithdraw": "0",
                        "totalOrderIM": "0",
                        "equity": "0",
                        "totalPositionMM": "0",
                        "usdValue": "0",
                        "spotHedgingQty": "0.01592413",
                        "unrealisedPnl": "0",
                        "collateralSwitch": true,
                        "borrowAmount": "0.0",
                        "totalPositionIM": "0",
                        "walletBalance": "0",
                        "cumRealisedPnl": "0",
                        "locked": "0",
                        "marginCollateral": true,
                        "coin": "BTC",
                        "spotBorrow": "0"
                    }
                ]
            }
        ]
    },
    "retExtInfo": {},
    "time": 1690872862481
}'''
)

# §3 GET /v5/asset/transfer/query-account-coins-balance
FUNDING_BALANCES = json.loads(
    r'''{"retCode":0,"retMsg":"success","result":{"memberId":"XXXX","accountType":"FUND","balance":[{"coin":"USDC","transferBalance":"0","walletBalance":"0","bonus":""}]},"retExtInfo":{},"time":1675866354913}'''
)

# §3 GET /v5/market/tickers
TICKERS = json.loads(
    r'''{"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[{"symbol":"BTCUSDT","bid1Price":"20517.96","bid1Size":"2","ask1Price":"20527.77","ask1Size":"1.862172","lastPrice":"20533.13","prevPrice24h":"20393.48","price24hPcnt":"0.0068","highPrice24h":"21128.12","lowPrice24h":"20318.89","turnover24h":"243765620.65899866","volume24h":"11801.27771","usdIndexPrice":"20784.12009279"}]},"retExtInfo":{},"time":1673859087947}'''
)

# §7 the wallet topic
SUBSCRIBE = json.loads(
    r'''{"op": "subscribe", "args": ["wallet"]}'''
)

# §7 a wallet push (DOCS-WALLETWS)
WALLET_PUSH = json.loads(
    r'''{
    "id": "592324d2bce751-ad38-48eb-8f42-4671d1fb4d4e",
    "topic": "wallet",
    "creationTime": 1700034722104,
    "data": [
        {
            "accountIMRate": "0", "accountMMRate": "0",
            "totalEquity": "10262.91335023", "totalWalletBalance": "9684.46297164",
            "totalMarginBalance": "9684.46297164", "totalAvailableBalance": "9556.6056555",
            "totalPerpUPL": "0", "totalInitialMargin": "0", "totalMaintenanceMargin": "0",
            "coin": [
                {"coin": "BTC", "equity": "0.00102964", "usdValue": "36.70759517", "walletBalance": "0.00102964",
                 "availableToWithdraw": "0.00102964", "availableToBorrow": "", "borrowAmount": "0", "accruedInterest": "0",
                 "totalOrderIM": "", "totalPositionIM": "", "totalPositionMM": "", "unrealisedPnl": "0",
                 "cumRealisedPnl": "-0.00000973", "bonus": "0", "collateralSwitch": true, "marginCollateral": true,
                 "locked": "0", "spotHedgingQty": "0.01592413", "spotBorrow": "0"}
            ],
            "accountLTV": "0",
            "accountType": "UNIFIED"
        }
    ]
}'''
)
