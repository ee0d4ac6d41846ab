"""Qualification cuts and drawing lots (events.md, Qualification and drawing lots).

Drawing lots is a uniformly random permutation from a recorded seed, computed the same way on every
platform and database so that anyone can recompute a draw from its audit entry:

``sha256-ctr-fisher-yates-v1``: a byte stream of SHA-256(seed as UTF-8 ‖ 0x00 ‖ counter as 8 bytes
big-endian) blocks for counter = 0, 1, 2, ...; each random number takes the next 8 bytes as a
big-endian integer x and, for a range of size m, accepts x when x < 2**64 - (2**64 mod m) (otherwise
draws again) and answers x mod m (no bias); the permutation is Fisher-Yates from the last position
down: for i = n-1 .. 1, swap positions i and j = random(i + 1). The values permuted are the existing
bibs (or stations) listed in the competitors' id order.
Pure: plain data in, plain data out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import TypeVar

__all__ = ["ALGORITHM", "bib_labels", "cut_rank", "permute", "permutation", "SEED_MAX_LENGTH"]

ALGORITHM = "sha256-ctr-fisher-yates-v1"
SEED_MAX_LENGTH = 64
_SPAN = 2**64
T = TypeVar("T")


def _blocks(seed: str) -> Iterator[int]:
    counter = 0
    while True:
        digest = hashlib.sha256(seed.encode("utf-8") + b"\x00" + counter.to_bytes(8, "big")).digest()
        for offset in range(0, len(digest), 8):
            yield int.from_bytes(digest[offset:offset + 8], "big")
        counter += 1


def permutation(seed: str, n: int) -> list[int]:
    """The permutation of range(n) the seed draws: position i takes the item at index result[i]."""
    order = list(range(n))
    stream = _blocks(seed)
    for i in range(n - 1, 0, -1):
        size = i + 1
        limit = _SPAN - _SPAN % size
        x = next(stream)
        while x >= limit:
            x = next(stream)
        j = x % size
        order[i], order[j] = order[j], order[i]
    return order


def permute(seed: str, values: Sequence[T]) -> list[T]:
    """``values`` drawn into a new order: the i-th competitor gets the returned list's i-th value."""
    return [values[index] for index in permutation(seed, len(values))]


def cut_rank(ranked_count: int, *, top: int | None = None, top_percent: Decimal | None = None) -> int:
    """The last rank that qualifies: ``top`` places, or floor(N x p / 100). Everyone ranked at or
    above it qualifies, so a tie at the cut qualifies whole."""
    if (top is None) == (top_percent is None):
        raise ValueError("exactly one of top and top_percent")
    if top is not None:
        return top
    assert top_percent is not None
    return int((ranked_count * top_percent) // 100)


def bib_labels(count: int) -> list[str]:
    """Bibs 1..k zero-padded to the width of k: 9 → "1".."9", 12 → "01".."12"."""
    width = len(str(count))
    return [str(number).zfill(width) for number in range(1, count + 1)]
