"""Every signed-in page runs the same number of queries for a small world and one ten times larger.

The worlds come from bench/common.py, the same builder the query bench uses, so
this test and `bench/queries_bench.py` cannot disagree about what "flat" means.
"""

import pytest

from bench.common import SIGNED_IN_PAGES, build_world, clients_for, count_queries

pytestmark = pytest.mark.django_db

# Enough for the busiest page (the owner's home); a page near it deserves a look.
CEILING = 40


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            small, large = build_world(1), build_world(10)
            yield (small, clients_for(small)), (large, clients_for(large))
            transaction.set_rollback(True)


@pytest.mark.parametrize("page", SIGNED_IN_PAGES, ids=[page.label for page in SIGNED_IN_PAGES])
def test_page_queries_do_not_grow_with_the_network_and_history(worlds, page):
    counts = [count_queries(clients[page.role], page.url(world)) for world, clients in worlds]
    assert counts[0] == counts[1], f"{page.label}: {counts[0]} queries small, {counts[1]} ten times larger"
    assert counts[0] <= CEILING
