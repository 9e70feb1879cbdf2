"""Misbehaviour on demand, the same knobs on every simulated exchange; each exchange words the answers."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Faults(BaseModel):
    """The knobs. Counters (``*_next``) count down one per API request they spoil.

    An exchange subclasses this to say which codes ``answer_code`` may name (``ANSWER_CODES``), to
    give it a default, and to add knobs of its own.
    """

    model_config = ConfigDict(validate_assignment=True, extra="forbid")

    ANSWER_CODES: ClassVar[Mapping[str, str]] = {}

    latency_ms: int = Field(default=0, ge=0, description="added before every API request is answered")
    error_5xx_next: int = Field(default=0, ge=0, description="next N requests: error_5xx_status with an HTML body")
    error_5xx_rate: float = Field(default=0.0, ge=0.0, le=1.0, description="chance of a 5xx per request")
    error_5xx_status: int = Field(default=502, ge=500, le=599, description="the status the 5xx faults answer")
    rate_limit_next: int = Field(default=0, ge=0, description="next N requests: the exchange's 429")
    drop_next: int = Field(default=0, ge=0, description="next N requests: connection closed mid-response")
    malformed_next: int = Field(default=0, ge=0, description="next N requests: 200 with a body that is not JSON")
    answer_code_next: int = Field(default=0, ge=0, description="next N requests: the exchange's error answer_code")
    answer_code: str = Field(default="", description="the code answer_code_next answers (one ANSWER_CODES knows)")
    fault_path: str | None = Field(
        default=None, description="the faults spoil only requests to this path; None: any path"
    )
    clock_offset_ms: int = Field(default=0, description="the server clock runs this far ahead (or behind)")
    ws_ignore_pings: bool = Field(default=False, description="WebSocket: answer no text ping with pong")
    ws_refuse_login: bool = Field(default=False, description="WebSocket: refuse every login")
    ws_close_on_login_error: bool = Field(
        default=True, description="WebSocket: close after a refused login (False: stay open)"
    )
    ws_idle_timeout_ms: int = Field(
        default=120_000, gt=0, description="WebSocket: close a connection that sent nothing for this long"
    )

    @field_validator("answer_code")
    @classmethod
    def _known_code(cls, code: str) -> str:
        if code not in cls.ANSWER_CODES:
            raise ValueError(f"no message is known for code {code!r}: one of {', '.join(cls.ANSWER_CODES)}")
        return code


class Fault(StrEnum):
    DROP = "drop"
    ERROR_5XX = "error_5xx"
    RATE_LIMIT = "rate_limit"
    MALFORMED = "malformed"
    ANSWER_CODE = "answer_code"


COUNTED_FAULTS = (
    ("drop_next", Fault.DROP),
    ("error_5xx_next", Fault.ERROR_5XX),
    ("rate_limit_next", Fault.RATE_LIMIT),
    ("malformed_next", Fault.MALFORMED),
    ("answer_code_next", Fault.ANSWER_CODE),
)
