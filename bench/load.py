"""A small closed-loop HTTP load generator: C clients, each sending its next request when the last one answered.

    python bench/load.py --port 8000 --path / --cookie 'sessionid=…' --concurrency 16 --seconds 20

One asyncio process (run it as a process of its own, beside the server), one
connection per request (`Connection: close`, as gunicorn's sync workers want).
Prints one JSON line: requests, errors, throughput and latency percentiles in ms.
Every request carries the CSRF cookie from --csrf; a POST also sends --body with the CSRF field.
"""

import argparse
import asyncio
import json
import sys
import time


def percentile(sorted_values, fraction):
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


async def one_request(host, port, raw):
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(raw)
        await writer.drain()
        head = await reader.readline()
        await reader.read()  # to the end: the server closes after the response
        return int(head.split()[1])
    finally:
        writer.close()


def build_request(args, path=None, cookie=None, body=None):
    path = args.path if path is None else path
    cookie = args.cookie if cookie is None else cookie
    form = args.body if body is None else body
    headers = [
        f"{args.method} {path} HTTP/1.1",
        f"Host: {args.host_header}",
        "Connection: close",
        # As the TLS-terminating proxy in front would: the app runs HTTPS-only in production.
        "X-Forwarded-Proto: https",
        "User-Agent: recovery-network-bench",
        # As every browser does: pages kept whole in the page cache go out compressed.
        "Accept-Encoding: gzip, deflate, br",
    ]
    cookies = [cookie] if cookie else []
    if args.csrf:
        # Every request, as a browser sends it back: without it each page mints a new secret and sets the cookie.
        cookies.append(f"csrftoken={args.csrf}")
    body = b""
    if args.method == "POST":
        body = (form + ("&" if form else "") + f"csrfmiddlewaretoken={args.csrf}").encode()
        headers += [
            f"Origin: https://{args.host_header}",
            f"Referer: https://{args.host_header}{path}",
            "Content-Type: application/x-www-form-urlencoded",
            f"Content-Length: {len(body)}",
        ]
    if cookies:
        headers.append("Cookie: " + "; ".join(cookies))
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + body


def build_requests(args):
    """One request, or with --variants one for each line (path, cookie, body: several people's writes)."""
    if not args.variants:
        return [build_request(args)]
    with open(args.variants) as lines:
        return [build_request(args, *line.rstrip("\n").split("\t")) for line in lines if line.strip()]


async def run(args):
    requests = build_requests(args)
    latencies, statuses, errors = [], {}, 0
    deadline = time.perf_counter() + args.warmup + args.seconds
    measure_from = time.perf_counter() + args.warmup

    async def client(number):
        nonlocal errors
        while True:
            raw = requests[number % len(requests)]
            number += args.concurrency
            started = time.perf_counter()
            if started >= deadline:
                return
            try:
                status = await one_request(args.host, args.port, raw)
            except OSError:
                status = 0
            ended = time.perf_counter()
            if started < measure_from:
                continue
            latencies.append(ended - started)
            statuses[status] = statuses.get(status, 0) + 1
            if status != args.expect:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(client(number) for number in range(args.concurrency)))
    elapsed = time.perf_counter() - max(started, measure_from)
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "statuses": statuses,
        "rps": len(latencies) / elapsed if elapsed > 0 else 0.0,
        "p50": percentile(latencies, 0.50) * 1000 if latencies else None,
        "p95": percentile(latencies, 0.95) * 1000 if latencies else None,
        "p99": percentile(latencies, 0.99) * 1000 if latencies else None,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--host-header", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/")
    parser.add_argument("--method", default="GET", choices=["GET", "POST"])
    parser.add_argument("--body", default="", help="urlencoded form body for POST")
    parser.add_argument("--csrf", default="", help="CSRF token: the cookie of every request, and a POST's form field")
    parser.add_argument("--cookie", default="", help="e.g. sessionid=…")
    parser.add_argument("--variants", default="", help="a file of path<TAB>cookie<TAB>body lines, taken in turn")
    parser.add_argument("--expect", type=int, default=200, help="the status every answer should have")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(run(args))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
