"""An open-loop HTTP load generator: requests start on a fixed schedule, whether or not earlier ones have answered.

    python bench/open_load.py --port 8000 --requests mix.json --rate 200 --seconds 10 --warmup 2

Closed-loop clients (wrk, bench/load.py) send their next request only when the last
one has answered, so when the server falls behind they slow down with it and the
queueing a real visitor would meet is never measured (coordinated omission). Here
request i starts at start + i / rate; its latency runs from that planned moment, so
a generator that falls behind its own schedule adds to the latency, never hides it.

--requests is a JSON list of request shapes, each {"label", "method", "path",
"cookie", "body", "expect", "weight"}; each request is one shape drawn at random by
weight (the same draw for the same --seed). One asyncio process with bare protocols
(no streams) so that it stays light beside the server on the same cores; one
connection per request, as bench/load.py. Prints a JSON line {"event": "measuring"}
when the measured part begins, then one JSON line with the results: requests,
errors, statuses, p50/p95/p99 in ms, the rate achieved, the generator's own CPU
seconds and how late it sent its latest request, and p95 and count per label.
"""

import argparse
import asyncio
import bisect
import contextlib
import itertools
import json
import os
import random
import resource
import sys
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import build_request, percentile  # noqa: E402


class Exchange(asyncio.Protocol):
    """One request on a fresh connection; the answer's status line is all it keeps."""

    def __init__(self, raw, answered):
        self.raw, self.answered, self.head = raw, answered, b""

    def connection_made(self, transport):
        transport.write(self.raw)

    def data_received(self, data):
        if len(self.head) < 16:
            self.head += data[:16]

    def connection_lost(self, exc):
        if not self.answered.done():
            self.answered.set_result(self.head)


def status_of(head):
    try:
        return int(head.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return 0


def load_shapes(path, args):
    shapes = json.loads(Path(path).read_text())
    for shape in shapes:
        request = SimpleNamespace(host_header=args.host_header, csrf=args.csrf, **shape)
        shape["raw"] = build_request(request)
    return shapes


async def run(args):
    loop = asyncio.get_running_loop()
    shapes = load_shapes(args.requests, args)
    cumulative = list(itertools.accumulate(shape["weight"] for shape in shapes))
    draw = random.Random(args.seed)
    total = int(round((args.warmup + args.seconds) * args.rate))
    measured_from = int(round(args.warmup * args.rate))
    records = []  # (shape index, status, latency in s), measured requests only
    in_flight = set()
    latest_lag = 0.0

    async def exchange(index, planned, measured):
        shape = shapes[index]
        answered = loop.create_future()
        try:
            transport, _ = await loop.create_connection(lambda: Exchange(shape["raw"], answered), args.host, args.port)
            try:
                head = await answered
            finally:
                transport.close()
            status = status_of(head)
        except OSError:
            status = 0
        if measured:
            records.append((index, status, loop.time() - planned))

    started = loop.time() + 0.05
    cpu_start = measuring_at = None
    for number in range(total):
        planned = started + number / args.rate
        wait = planned - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        if number == measured_from:
            measuring_at, cpu_start = planned, sum(os.times()[:2])
            print(json.dumps({"event": "measuring"}), flush=True)
        if number >= measured_from:
            latest_lag = max(latest_lag, loop.time() - planned)
        index = bisect.bisect_right(cumulative, draw.random() * cumulative[-1])
        task = loop.create_task(exchange(min(index, len(shapes) - 1), planned, number >= measured_from))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
    unanswered = 0
    if in_flight:
        _, pending = await asyncio.wait(set(in_flight), timeout=args.timeout)
        for task in pending:
            task.cancel()
        unanswered = len(pending)
    ended = loop.time()
    cpu_seconds = sum(os.times()[:2]) - (cpu_start or 0)

    latencies = sorted(latency for _, _, latency in records)
    statuses, errors, by_label = {}, unanswered, {}
    for index, status, latency in records:
        statuses[status] = statuses.get(status, 0) + 1
        if status != shapes[index]["expect"]:
            errors += 1
        by_label.setdefault(shapes[index]["label"], []).append(latency)
    if unanswered:
        statuses["unanswered"] = unanswered

    def ms(values, fraction):
        value = percentile(values, fraction)
        return None if value is None else value * 1000

    elapsed = ended - measuring_at if measuring_at is not None else 0.0
    return {
        "planned": total - measured_from,
        "requests": len(records),
        "errors": errors,
        "statuses": statuses,
        "rps": len(records) / elapsed if elapsed > 0 else 0.0,
        "elapsed": elapsed,
        "p50": ms(latencies, 0.50),
        "p95": ms(latencies, 0.95),
        "p99": ms(latencies, 0.99),
        "generator_cpu": cpu_seconds,
        "latest_ms": latest_lag * 1000,
        "labels": {label: [len(values), ms(sorted(values), 0.95)] for label, values in sorted(by_label.items())},
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--host-header", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--requests", required=True, help="JSON file of request shapes (see above)")
    parser.add_argument("--csrf", default="", help="CSRF token: the cookie of every request, and a POST's form field")
    parser.add_argument("--rate", type=float, required=True, help="requests started per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds at the same rate first")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the last answers")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    # At saturation thousands of connections may wait at once; each is a file descriptor.
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 65536 if hard == resource.RLIM_INFINITY else min(hard, 65536)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    print(json.dumps(asyncio.run(run(args))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
