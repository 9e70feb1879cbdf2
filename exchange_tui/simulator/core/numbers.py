"""Exact amounts: ``Decimal`` inside, plain decimal strings (never floats, never exponents) on the wire."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import PlainSerializer


def plain(value: Decimal) -> str:
    """``Decimal("1E+2")`` -> ``"100"``; the scale a value was given with is kept."""
    return format(value, "f")


Amount = Annotated[Decimal, PlainSerializer(plain, return_type=str)]
