"""The lottery is uniform and reproducible (issue #5's required test).

Uniformity is a chi-square goodness-of-fit test over many draws whose seeds
come from one fixed master seed, so the test is deterministic: it either
always passes or always fails. The critical values are those of p = 0.001;
the last tests show that the same statistic rejects draws that are biased
in the two ways a careless change would bias them (sorting the winners,
the off-by-one shuffle)."""

import datetime as dt
import hashlib
import hmac
import itertools
from collections import Counter
from collections.abc import Callable, Sequence

from antre.waitlist import lottery

# Chi-square critical values at p = 0.001 by degrees of freedom.
CRITICAL = {7: 24.322, 23: 49.728}
MASTER = "antre-fixed-master-seed"


def chi_square(observed: Counter, categories: Sequence[object], expected: float) -> float:
    return sum((observed[category] - expected) ** 2 / expected for category in categories)


def seeds(count: int) -> list[str]:
    return [f"{MASTER}:{index}" for index in range(count)]


def win_statistic(draw: Callable[[str, list[int], int], list[int]]) -> float:
    ids = [11, 12, 13, 14, 15, 16, 17, 18]
    rounds = 16_000
    wins: Counter = Counter()
    for seed in seeds(rounds):
        wins.update(draw(seed, ids, 3))
    return chi_square(wins, ids, rounds * 3 / len(ids))


def permutation_statistic(ranking: Callable[[str, list[int]], list[int]]) -> float:
    ids = [1, 2, 3, 4]
    rounds = 24_000
    orders = Counter(tuple(ranking(seed, ids)) for seed in seeds(rounds))
    permutations = list(itertools.permutations(ids))
    return chi_square(orders, permutations, rounds / len(permutations))


def test_every_request_is_equally_likely_to_win():
    assert win_statistic(lottery.draw) < CRITICAL[7]


def test_every_order_is_equally_likely():
    assert permutation_statistic(lottery.ranking) < CRITICAL[23]


def test_the_draw_is_reproducible_from_its_seed_and_request_ids():
    seed = lottery.new_seed()
    ids = list(range(100, 160))
    first = lottery.draw(seed, ids, 10)
    assert lottery.draw(seed, list(ids), 10) == first
    assert lottery.ranking(seed, ids)[:10] == first
    assert len(set(first)) == 10
    assert set(first) <= set(ids)
    assert sorted(lottery.ranking(seed, ids)) == ids
    # A different seed gives a different draw (1 in 10^13 to collide).
    assert lottery.draw(lottery.new_seed(), ids, 10) != first


def test_a_recorded_draw_is_pinned():
    # The algorithm is the contract of every recorded round: any change to it
    # (another hash, another message format) changes this result.
    assert lottery.ranking("0" * 64, [1, 2, 3, 4, 5, 6]) == [2, 1, 3, 5, 4, 6]
    assert lottery.ranking("ab" * 32, list(range(1, 11))) == PINNED_TEN


PINNED_TEN = [4, 1, 2, 10, 8, 3, 9, 5, 6, 7]


def test_deadlines_come_first_then_the_lottery():
    seed = "seed"
    ids = [1, 2, 3, 4, 5, 6]
    deadlines = {5: dt.date(2026, 6, 10), 2: dt.date(2026, 6, 8)}
    order = lottery.allocation_order(seed, ids, deadlines)
    assert order[:2] == [2, 5]
    assert order[2:] == [rid for rid in lottery.ranking(seed, ids) if rid not in deadlines]


def test_equal_deadlines_are_ordered_by_the_lottery_not_by_request_time():
    same = dt.date(2026, 6, 10)
    ids = [1, 2, 3, 4, 5, 6, 7, 8]
    firsts = Counter(
        lottery.allocation_order(seed, ids, {1: same, 2: same})[0] for seed in seeds(2000)
    )
    assert set(firsts) == {1, 2}
    assert 850 < firsts[1] < 1150


def sorted_draw(seed: str, ids: list[int], seats: int) -> list[int]:
    """A draw "made tidy" by sorting before cutting: the lowest ids always win."""
    return sorted(lottery.ranking(seed, ids))[:seats]


def off_by_one_ranking(seed: str, ids: list[int]) -> list[int]:
    """The classic broken shuffle: swap with any position, not one up to i."""
    order = list(ids)
    for position in range(len(order)):
        digest = hmac.new(seed.encode(), f"{position}".encode(), hashlib.sha256).digest()
        other = int.from_bytes(digest, "big") % len(order)
        order[position], order[other] = order[other], order[position]
    return order


def test_the_uniformity_test_rejects_a_draw_that_sorts():
    assert win_statistic(sorted_draw) > CRITICAL[7]


def test_the_uniformity_test_rejects_the_off_by_one_shuffle():
    assert permutation_statistic(off_by_one_ranking) > CRITICAL[23]
