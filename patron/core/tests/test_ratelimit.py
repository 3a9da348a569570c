from patron.core.ratelimit import RateDecision, hit

MINUTE_START = 1_800_000_000.0  # a multiple of 60


def test_requests_within_the_limit_are_allowed():
    # when
    decisions = [hit("ip:1", limit=3, window_seconds=60, now=MINUTE_START + i) for i in range(3)]

    # then
    assert decisions == [
        RateDecision(True, 1, 3, 60),
        RateDecision(True, 2, 3, 59),
        RateDecision(True, 3, 3, 58),
    ]


def test_request_over_the_limit_is_refused_until_the_window_ends():
    # given
    for _ in range(3):
        hit("ip:1", limit=3, window_seconds=60, now=MINUTE_START)

    # when
    over = hit("ip:1", limit=3, window_seconds=60, now=MINUTE_START + 40.5)
    next_window = hit("ip:1", limit=3, window_seconds=60, now=MINUTE_START + 60)

    # then
    assert over == RateDecision(False, 4, 3, 20)
    assert next_window == RateDecision(True, 1, 3, 60)


def test_retry_after_is_at_least_one_second():
    # when
    decision = hit("ip:1", limit=1, window_seconds=60, now=MINUTE_START + 59.9)

    # then
    assert decision.retry_after == 1


def test_keys_are_counted_separately():
    # given
    hit("ip:1", limit=1, window_seconds=60, now=MINUTE_START)

    # when
    same = hit("ip:1", limit=1, window_seconds=60, now=MINUTE_START + 1)
    other = hit("ip:2", limit=1, window_seconds=60, now=MINUTE_START + 1)

    # then
    assert same.allowed is False
    assert other.allowed is True
