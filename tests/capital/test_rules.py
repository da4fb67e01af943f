import pytest

from recovery_network.capital.models import reasons_to_look


@pytest.mark.parametrize(
    ("total", "change", "reasons"),
    [
        (None, None, []),
        (47, None, []),
        (46, None, ["below 47"]),
        (52, -4, []),
        (52, -5, ["fell by 5"]),
        (40, -9, ["below 47", "fell by 9"]),
        (60, 10, []),
    ],
)
def test_a_total_below_47_or_a_fall_of_five_asks_for_a_look(total, change, reasons):
    assert reasons_to_look(total, change) == reasons
