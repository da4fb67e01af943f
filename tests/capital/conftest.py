# The reminder tests drive the dispatch as tests/notifications do: a fixed clock, and a fan-out that records.
from tests.notifications.conftest import dispatch, enqueued  # noqa: F401
