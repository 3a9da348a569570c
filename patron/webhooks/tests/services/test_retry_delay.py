"""The wait before each retry: doubling from a minute up to six hours, with ±20% jitter."""

import random

import pytest

from patron.webhooks import services

BACKOFF = [
    (1, 60),
    (2, 120),
    (3, 240),
    (4, 480),
    (5, 960),
    (6, 1920),
    (7, 3840),
    (8, 7680),
    (9, 15360),
    (10, 21600),
    (11, 21600),
    (40, 21600),
]


@pytest.mark.parametrize(
    ("attempt", "base_seconds"),
    BACKOFF,
    ids=[f"attempt_{attempt}_case" for attempt, _base in BACKOFF],
)
def test_the_wait_doubles_per_attempt_up_to_six_hours_with_20_percent_jitter(attempt, base_seconds):
    # given
    rng, same_seed = random.Random(attempt), random.Random(attempt)

    # when
    delay = services.retry_delay(attempt, rng)

    # then
    assert delay == base_seconds * same_seed.uniform(0.8, 1.2)
    assert base_seconds * 0.8 <= delay <= base_seconds * 1.2


def test_the_jitter_spreads_the_waits_over_the_whole_band():
    # given
    rng = random.Random(2026)

    # when
    delays = [services.retry_delay(1, rng) for _ in range(500)]

    # then
    assert 48 <= min(delays) < 50
    assert 70 < max(delays) <= 72
    assert len(set(delays)) == 500
