import pytest

from tests.factories import UserFactory

from .world import fill


@pytest.fixture
def pair(db):
    """Two people, each with a row in every section, each the other's everything (world.fill)."""
    ada = UserFactory(email="ada@example.org", display_name="Ada", time_zone="America/Chicago")
    ben = UserFactory(email="ben@example.org", display_name="Ben", time_zone="Europe/Madrid")
    fill(ada, ben)
    fill(ben, ada)
    return ada, ben
