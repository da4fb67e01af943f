"""Publishing without waiting on a broker that is away (recovery_network/broker.py)."""

import pytest

from recovery_network import broker


def test_a_failed_publish_is_logged_and_the_broker_is_not_tried_again_for_a_few_seconds(monkeypatch, caplog):
    now = [1000.0]
    monkeypatch.setattr(broker.time, "monotonic", lambda: now[0])
    tries = []

    def down():
        tries.append("down")
        raise ConnectionError("refused")

    assert broker.publish(down, "3 alert messages") is False
    assert "Could not queue 3 alert messages" in caplog.text
    # Within RETRY_AFTER nothing is tried: a hung broker would hold each try for its socket timeout.
    assert broker.publish(lambda: pytest.fail("the broker was tried again"), "a deadline") is False
    now[0] += broker.RETRY_AFTER + 0.1
    assert broker.publish(lambda: tries.append("up"), "a deadline") is True
    assert tries == ["down", "up"]


def test_a_publish_that_works_leaves_nothing_behind():
    sent = []
    assert broker.publish(lambda: sent.append(1), "1 deliveries") is True
    assert broker.publish(lambda: sent.append(2), "1 deliveries") is True
    assert sent == [1, 2] and broker._down_until == 0.0
