"""Pages stay light on a phone's connection: all our CSS together, and all our JavaScript together, stay within
50 kB compressed (a page loads a share of them). The HTML budget, 100 kB for the heaviest person, is measured at
scale by `bench/page_cpu.py --max-kb 100`, on a database seeded with `seed_demo --scale 10000`."""

import gzip
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "static"
BUDGET = 50 * 1024


@pytest.mark.parametrize(("kind", "pattern"), [("CSS", "**/*.css"), ("JavaScript", "**/*.js")])
def test_all_of_our_css_and_all_of_our_javascript_fit_the_budget_compressed(kind, pattern):
    files = sorted(STATIC.glob(pattern))
    assert files, f"no {kind} found under {STATIC}"
    sizes = {path.relative_to(STATIC).as_posix(): len(gzip.compress(path.read_bytes(), 9)) for path in files}
    assert sum(sizes.values()) <= BUDGET, sizes
