"""OKX's error answers: the codes, messages and HTTP statuses of reference §4 (DOCS ``#error-code-rest-api-public``).

Messages are the DOCS table's, without the trailing full stop where an observed body drops it
(``{"msg":"Invalid OK-ACCESS-KEY","code":"50111"}``, pyted/okx#1; ``"Timestamp request expired"``,
jane-cloud/Open-API-SDK-V5#31). ``{param0}`` placeholders are filled in by the caller.
"""

from __future__ import annotations

# code: (HTTP status, message), reference §4.
REST_ERRORS: dict[str, tuple[int, str]] = {
    "50011": (429, "Too Many Requests"),
    "50013": (429, "Systems are busy. Please try again later."),
    "50014": (400, "Parameter {param0} can not be empty."),
    "50030": (200, "You don't have permission to use this API endpoint"),
    "50035": (403, "This endpoint requires that APIKey must be bound to IP"),
    "50038": (200, "This feature is unavailable in demo trading"),
    "50100": (400, "API frozen, please contact customer service."),
    "50101": (401, "APIKey does not match current environment."),
    "50102": (401, "Timestamp request expired"),
    "50103": (401, 'Request header "OK-ACCESS-KEY" cannot be empty.'),
    "50104": (401, 'Request header "OK-ACCESS-PASSPHRASE" cannot be empty.'),
    "50105": (401, 'Request header "OK-ACCESS-PASSPHRASE" incorrect.'),
    "50106": (401, 'Request header "OK-ACCESS-SIGN" cannot be empty.'),
    "50107": (401, 'Request header "OK-ACCESS-TIMESTAMP" cannot be empty.'),
    "50110": (401, "Your IP {param0} is not included in your API key's IP whitelist."),
    "50111": (401, "Invalid OK-ACCESS-KEY"),
    "50112": (401, "Invalid OK-ACCESS-TIMESTAMP."),
    "50113": (401, "Invalid signature."),
    "50114": (401, "Invalid authorization."),
    "50119": (401, "API key doesn't exist"),
    "50120": (200, "This API key doesn't have permission to use this function"),
    "50121": (200, "You can't access our services through the IP address ({param0})"),
    "51000": (400, "Parameter {param0} error"),
    "51010": (200, "Request unsupported under current account mode"),
    "50051": (200, "Due to compliance restrictions in your country or region, you cannot use this feature."),
    "50060": (
        200,
        "For security and compliance purposes, please complete the identity verification process to continue "
        "using our services.",
    ),
    "58350": (200, "Insufficient balance."),
}
"""50014, 51000 and 58350 are not in the reference's table: they are OKX's "parameter empty", "parameter
error" and funding "insufficient balance" codes as its public error table words them (unconfirmed here).
50119 is HTTP 200 in the DOCS table and 401 as observed (freqtrade#9422): ``Faults.unknown_key_status``
picks one."""


class OkxError(Exception):
    """One refusal, answered as ``{"code": code, "msg": msg, "data": []}`` with ``status``."""

    def __init__(self, code: str, *params: str, status: int | None = None) -> None:
        default_status, template = REST_ERRORS[code]
        self.code = code
        self.msg = template.replace("{param0}", params[0]) if params else template
        self.status = default_status if status is None else status
        super().__init__(f"{code} {self.msg}")


# WebSocket codes (DOCS ``#error-code-websocket-public``, reference §4); OKX sends them as strings.
WS_MESSAGES: dict[str, str] = {
    "60004": "Invalid timestamp",
    "60005": "Invalid apiKey",
    "60006": "Timestamp request expired",
    "60007": "Invalid sign",
    "60009": "Login failed.",
    "60011": "Please log in",
    "60012": "Invalid request",
    "60014": "Requests too frequent",
    "60018": "Wrong URL or channel:{param0} doesn't exist. Please use the correct URL, channel and parameters "
    "referring to API document.",
    "60024": "Wrong passphrase",
    "60031": "The WebSocket endpoint does not allow multiple or repeated logins.",
    "60032": "API key doesn't exist.",
    "63999": "Login failed due to internal error. Please try again later.",
    "64008": "The connection will soon be closed for a service upgrade. Please reconnect.",
}


class WsError(Exception):
    """One WebSocket refusal, answered as ``{"event": "error", "code": code, "msg": msg, "connId": ...}``."""

    def __init__(self, code: str, *params: str, msg: str | None = None) -> None:
        template = WS_MESSAGES[code] if msg is None else msg
        self.code = code
        self.msg = template.replace("{param0}", params[0]) if params else template
        super().__init__(f"{code} {self.msg}")

    @classmethod
    def from_rest(cls, error: OkxError) -> WsError:
        """A refusal OKX answers on the socket with its REST code (50101 per amir-the-h/okex#51; 50110, 50120)."""
        return cls(error.code, msg=error.msg)
