"""The one clock: every "now" of the service (stored times, freezes, windows, token lifetimes) is
`now()`, timezone-aware UTC. Tests that need another moment pass it explicitly (`now=`) or patch
this function."""
from __future__ import annotations

from datetime import datetime, timezone


def now() -> datetime:
    return datetime.now(timezone.utc)
