"""Binance's error answers: ``{"code": -2015, "msg": "..."}`` with the HTTP status of reference §4.

Codes and messages are ERR's (reference §4); the statuses are the observed ones where the reference
has one (-2015 401, -2008 400, -1022 400, -1003 429/418) and assumed where it says "not observed"
(-2014 and -1002 401 like -2015; -1021, -1102, -1125 400 like -1022).
"""

from __future__ import annotations

# code: (HTTP status, message); {0} is filled in by the caller.
REST_ERRORS: dict[int, tuple[int, str]] = {
    -1000: (400, "An unknown error occurred while processing the request."),
    -1002: (401, "You are not authorized to execute this request."),
    -1003: (429, "Too much request weight used; current limit is {0} request weight per 1 MINUTE. "
                 "Please use WebSocket Streams for live updates to avoid polling the API."),
    -1021: (400, "Timestamp for this request is outside of the recvWindow."),
    -1022: (400, "Signature for this request is not valid."),
    -1100: (400, "Illegal characters found in parameter '{0}'; legal range is '{1}'."),
    -1102: (400, "Mandatory parameter '{0}' was not sent, was empty/null, or malformed."),
    -1121: (400, "Invalid symbol."),
    -1125: (400, "This listenKey does not exist."),
    -1131: (400, "recvWindow must be less than 60000"),
    -2008: (400, "Invalid Api-Key ID."),
    -2014: (401, "API-key format invalid."),
    -2015: (401, "Invalid API-key, IP, or permissions for action."),
    -5002: (400, "You don't have sufficient balance."),
}
AHEAD_MSG = "Timestamp for this request was 1000ms ahead of the server's time."
BANNED_MSG = "Way too much request weight used; IP banned until {0}. Please use WebSocket Streams for live updates to avoid bans."
"""-1021's second message (ERR), and -1003's when the IP is banned (418)."""


class BinanceError(Exception):
    """One refusal, answered as ``{"code": code, "msg": msg}`` with ``status``; ``retry_after_s`` adds Retry-After."""

    def __init__(
        self, code: int, *params: object, msg: str | None = None, status: int | None = None,
        retry_after_s: int | None = None,
    ) -> None:
        default_status, template = REST_ERRORS[code]
        self.code = code
        self.msg = (template if msg is None else msg).format(*params)
        self.status = default_status if status is None else status
        self.retry_after_s = retry_after_s
        super().__init__(f"{code} {self.msg}")

    def body(self) -> dict[str, object]:
        return {"code": self.code, "msg": self.msg}
