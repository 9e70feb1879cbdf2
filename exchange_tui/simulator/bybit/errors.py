"""Bybit's error answers: ``retCode``, ``retMsg`` and HTTP status (reference §4, DOCS-ERR).

Most refusals arrive with HTTP 200 and the ``retCode`` in the envelope (§4: PYBIT checks the status,
then handles 10002/10006 as ``retCode``); 10003 has also been seen with HTTP 401 (sieblyio/bybit-api#337),
which ``Faults.unknown_key_status`` picks. Messages are the DOCS table's; where a live text is quoted
(10002, 10003, 10004) the live one is used, since that is what a client meets.
"""

from __future__ import annotations

# retCode: message (reference §4).
REST_ERRORS: dict[int, str] = {
    10001: "Request parameter error",
    10002: "invalid request, please check your server timestamp or recv_window param. "
    "req_timestamp[{param0}],server_timestamp[{param1}],recv_window[{param2}]",
    10003: "API key is invalid.",
    10004: "Error sign, please check your signature generation algorithm.",
    10005: "Permission denied, please check your API key permissions.",
    10006: "Too many visits. Exceeded the API Rate Limit.",
    10010: "Unmatched IP, please check your API key's bound IP addresses.",
    10016: "Server error.",
    10028: "The API can only be accessed by unified account users.",
    33004: "(Derivatives) Your api key has expired",
}


class BybitError(Exception):
    """One refusal, answered as ``{"retCode": code, "retMsg": msg, "result": {}, "retExtInfo": {}, "time": ms}``."""

    def __init__(self, code: int, *params: object, msg: str | None = None, status: int = 200) -> None:
        template = REST_ERRORS[code] if msg is None else msg
        for index, param in enumerate(params):
            template = template.replace(f"{{param{index}}}", str(param))
        self.code = code
        self.msg = template
        self.status = status
        super().__init__(f"{code} {self.msg}")


WS_PARAMS_ERROR = "Params Error"
"""The WS auth failure of §7: an ``expires`` already past, or malformed args."""
WS_NOT_AUTHORIZED = "Request not authorized"
"""An auth refused by ``faults.ws_refuse_login`` (nautilus_trader#2101, §4)."""
