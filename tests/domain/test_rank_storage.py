"""The stored text rank keys sort exactly like the domain's rank key."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import given, strategies as st

from competition.domain.ranking import RankInput, rank_key, storage_keys

TIE_BREAKERS = [{"component": "C1"}, {"time_used": "asc"}, {"module": "M1"}]

scores = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False)
bibs = st.text(alphabet="AB-09", min_size=0, max_size=5) | st.integers(0, 300).map(str)


@st.composite
def rows(draw, index):
    return RankInput(
        id=index,
        status=draw(st.sampled_from(["active", "active", "active", "absent", "withdrawn"])),
        total_rounded=draw(st.sampled_from([Decimal("88.12"), Decimal("88.13"), Decimal("0.00")]) | scores),
        components_rounded=draw(st.sampled_from([{}, {"C1": Decimal("10.00")}, {"C1": Decimal("9.50")}])),
        modules_rounded=draw(st.sampled_from([{}, {"M1": Decimal("3.25")}])),
        time_used_seconds=draw(st.none() | st.integers(0, 10**6)),
        bib=draw(bibs),
    )


@st.composite
def boards(draw):
    size = draw(st.integers(1, 25))
    return [draw(rows(i + 1)) for i in range(size)]


@given(boards())
def test_order_key_sorts_like_rank_key(board):
    by_tuple = sorted(board, key=lambda r: rank_key(r, TIE_BREAKERS))
    by_text = sorted(board, key=lambda r: storage_keys(r, TIE_BREAKERS)[1])
    assert [r.id for r in by_text] == [r.id for r in by_tuple]


@given(boards())
def test_equal_perf_key_exactly_when_tied(board):
    for a in board:
        for b in board:
            if a.status != "active" or b.status != "active":
                continue
            tied = rank_key(a, TIE_BREAKERS)[1] == rank_key(b, TIE_BREAKERS)[1]
            assert (storage_keys(a, TIE_BREAKERS)[0] == storage_keys(b, TIE_BREAKERS)[0]) == tied


def test_keys_are_ascii_digits_hex_and_dots():
    row = RankInput(7, "active", Decimal("82.20"), {"C1": Decimal("1")}, {}, 30, "电工-12")
    perf, order = storage_keys(row, TIE_BREAKERS)
    assert set(order) <= set("0123456789abcdef.")
    assert order.startswith(perf)
