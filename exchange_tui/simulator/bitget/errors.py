"""Bitget's error answers: the codes and exact messages of its REST and WebSocket error code tables.

The account-state, transient and clock codes of reference §9 carry the reference's description
where Bitget's exact wording is not confirmed (the fault knob ``answer_code`` serves them).
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "40000": "Bitget does not serve the Mainland China region",
    "40001": "ACCESS_KEY cannot be empty",
    "40002": "ACCESS_SIGN cannot be empty",
    "40005": "Invalid ACCESS_TIMESTAMP",
    "40007": "Invalid Content_Type",
    "40008": "Request timestamp expired",
    "40009": "sign signature error",
    "40011": "ACCESS_PASSPHRASE cannot be empty",
    "40012": "apikey/password is incorrect",
    "40013": "User status is abnormal",
    "40015": "System is abnormal, please try again later",
    "40016": "The user must bind the phone or Google",
    "40017": "Parameter verification failed",
    "40018": "Invalid IP",
    "40021": "User withdrawals are disabled",
    "40022": "The business of this account has been restricted",
    "40023": "The business of this account has been restricted",
    "40024": "Account has been frozen",
    "40025": "The business of this account has been restricted",
    "40026": "User is disabled",
    "40031": "The account has been cancelled",
    "40036": "passphrase is error",
    "40037": "Apikey does not exist",
    "40038": "The current ip is not in the apikey ip whitelist",
    "40048": "The ApiKey must be the parent account",  # reference §9, as the reference words them
    "40061": "Sub-account not allowed",
    "40068": "Sub-account access is disabled",
    "40078": "Request is outside the receive window",
    "40084": "You are in Classic Account mode, and the Unified Account API is not supported at this time",
    "40085": "You are in Unified Account mode, and the Classic Account API is not supported at this time",
    "40099": "exchange environment is incorrect",
    "40100": "Hong Kong IPs must verify identity",
    "40104": "Bitget does not serve this country or region",
    "40199": "Traders may not call the API",
    "40200": "Server upgrade, please try again later",
    "40731": "This product does not support copy trading",
    "40752": "This business has been disabled for the account",
    "40753": "This business has been disabled for the account",
    "40911": "Request timestamp expired",
    "40404": "Request URL NOT FOUND",
    "43012": "Insufficient balance",
    "50012": "The account has been suspended",
    "50013": "The account has been deleted",
    "429": "Too Many Requests",
    "22030": "Demo trading mode cannot use this",
}


class BitgetError(Exception):
    """One refusal, answered as ``{"code": code, "msg": msg, "data": null}`` with ``status``."""

    def __init__(self, code: str, msg: str | None = None, *, status: int = 400) -> None:
        self.code = code
        self.msg = MESSAGES[code] if msg is None else msg
        self.status = status
        super().__init__(f"{code} {self.msg}")

    @classmethod
    def missing_permission(cls, words: str) -> BitgetError:
        """40014, naming the permission in plain words, e.g. "spot read"."""
        return cls("40014", f"Incorrect permissions, need {words} permissions")

    @classmethod
    def empty_parameter(cls, name: str) -> BitgetError:
        return cls("40019", f"Parameter {name} cannot be empty")

    @classmethod
    def bad_parameter(cls, name: str) -> BitgetError:
        return cls("40020", f"Parameter {name} error")

    @classmethod
    def no_such_value(cls, value: str) -> BitgetError:
        return cls("40034", f"Parameter {value} does not exist")

    @classmethod
    def too_many_requests(cls) -> BitgetError:
        return cls("429", status=429)

    @classmethod
    def not_found(cls) -> BitgetError:
        return cls("40404", status=404)


# WebSocket codes are JSON numbers; the messages are the ones seen live where known (reference §5).
WS_MESSAGES: dict[int, str] = {
    30001: "Channel does not exist",
    30002: "Illegal request",
    30003: "Invalid op",
    30004: "User needs to log in",
    30005: "Login failed",
    30006: "request too many",
    30007: "request over limit,connection close",
    30011: "Invalid ACCESS_KEY",
    30012: "Invalid ACCESS_PASSPHRASE",
    30013: "Invalid ACCESS_TIMESTAMP",
    30014: "Request timestamp expired",
    30015: "Invalid sign",
    30016: "Param error",
}


class WsError(Exception):
    """One WebSocket refusal, answered as ``{"event": "error", "code": code, "msg": msg}``."""

    def __init__(self, code: int, msg: str | None = None) -> None:
        self.code = code
        self.msg = WS_MESSAGES[code] if msg is None else msg
        super().__init__(f"{code} {self.msg}")

    @classmethod
    def from_rest(cls, error: BitgetError) -> WsError:
        """A refusal Bitget documents no WebSocket code for, answered with the REST code (40014, 40018, 40085)."""
        return cls(int(error.code), error.msg)
