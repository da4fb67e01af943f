"""Export, import and erasure of one person's whole history, at growing sizes: time, queries and file size.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/rn_perf .venv/bin/python bench/privacy_bench.py

Builds worlds with bench/common.py (size 60 is ten years of daily check-ins with a network of 480 people) inside
a transaction that is rolled back, then times, for the owner: the export's zip (what the Celery task builds,
with the number of SQL queries, which must not grow with the history), the import of that zip into a new account
(manage.py import_person), and the erasure of the original account (manage.py erase_person).
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import build_world, machine_facts, migrate, print_table, setup_django  # noqa: E402


class Rollback(Exception):
    pass


def measure(size):
    from django.db import connection, transaction

    from recovery_network.privacy import erasure, exporting, importing
    from recovery_network.privacy.catalogue import SECTIONS

    result = {}
    try:
        with transaction.atomic():
            world = build_world(size)
            owner = world.owner
            result["rows"] = sum(section.rows(owner).count() for section in SECTIONS)
            queries = []
            with connection.execute_wrapper(lambda execute, *args: queries.append(1) or execute(*args)):
                started = time.perf_counter()
                content = exporting.write_zip(owner)
                result["export_s"] = time.perf_counter() - started
            result["export_queries"] = len(queries)
            result["zip_kb"] = len(content) / 1024
            started = time.perf_counter()
            _, counts = importing.import_person(content, f"imported-{owner.pk}@bench.example.com")
            result["import_s"] = time.perf_counter() - started
            result["imported"] = sum(counts.values())
            started = time.perf_counter()
            erased = erasure.erase(owner)
            result["erase_s"] = time.perf_counter() - started
            result["erased"] = sum(erased.values())
            raise Rollback
    except Rollback:
        pass
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,60", help="World sizes (bench/common.py build_world).")
    args = parser.parse_args(argv)
    setup_django()
    migrate()
    print(machine_facts())
    rows = []
    for size in [int(value) for value in args.sizes.split(",")]:
        found = measure(size)
        rows.append(
            [
                size,
                found["rows"],
                f"{found['export_s']:.2f}",
                found["export_queries"],
                f"{found['zip_kb']:.0f}",
                found["imported"],
                f"{found['import_s']:.2f}",
                found["erased"],
                f"{found['erase_s']:.2f}",
            ]
        )
    print_table(
        [
            "size",
            "rows exported",
            "export s",
            "queries",
            "zip KB",
            "rows imported",
            "import s",
            "rows erased",
            "erase s",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
