"""Censor repair (placeholder until the repair issue lands: changes nothing)."""

from __future__ import annotations

from ..model import Repaired


def repair(text: str) -> Repaired:
    """Return the text unchanged with no steps (censor repair is not implemented yet)."""
    return Repaired(text, ())
