"""What one client may cost a running simulator: how much it may make the server hold, how long it may keep it waiting.

While a demo runs the simulator is reachable by anything on the box, so each of these is a bound a
careless or hostile client meets, chosen well above what an exchange's client ever sends.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServerLimits:
    """The bounds a :class:`~exchange_tui.simulator.SimulatorServer` enforces; tests shorten the timeouts.

    ``max_body_bytes``: the biggest body the exchanges' endpoints here take is a wallet transfer
    of about 150 bytes, and the largest control call (``/_sim/faults`` with every knob) a few hundred; 64 KiB
    leaves room for any client's padding.

    ``body_timeout_s``: the body must be complete this long after the headers (408 otherwise).

    ``max_head_bytes``: a signed request's line and headers are under 1 KiB; 16 KiB is
    h11's default, stated here so that the bound does not hang on it (400 past it).

    ``head_timeout_s``: a request's line and headers must be complete this long after the server
    began waiting for them, so a client that sends them a byte at a time (slowloris) is cut off.

    ``idle_timeout_s``: a kept-alive connection that starts no new request for this long is closed
    (uvicorn's ``timeout_keep_alive``, whose default it keeps).

    ``ws_max_message_bytes``: the largest WebSocket message read (1009 past it, down from uvicorn's
    16 MiB); a subscribe with the 1000 args a connection may hold (the most channels an exchange here lets a connection hold) is about
    70 KiB, a login under 1 KiB.
    """

    max_body_bytes: int = 64 * 1024
    body_timeout_s: float = 10.0
    max_head_bytes: int = 16 * 1024
    head_timeout_s: float = 10.0
    idle_timeout_s: float = 5.0
    ws_max_message_bytes: int = 128 * 1024
