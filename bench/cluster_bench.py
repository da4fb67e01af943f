"""More than one machine: two web instances and three Celery workers, beat in two of them, on one database and Redis.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/rn_cluster REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/cluster_bench.py [--people 2000]

Each part is a process of its own, as it would be on a machine of its own: two
gunicorn instances on loopback ports (gunicorn.conf.py, production settings as
bench/http_bench.py serves them) and three `celery worker` processes, two of them
started with `--beat`, so two beats send the reminder dispatch side by side (as two
machines each started with beat would). They share this process's PostgreSQL
database and Redis, on a queue of their own, and send email to an SMTP sink here.

--people people (…@delivery.example.com, verified addresses, as delivery_bench.py
makes them) have a check-in reminder that fell due a minute ago. Meanwhile --clients
people use the site through both web instances in turn, as a proxy in front would
spread them (each with an address of its own in X-Forwarded-For): they sign in, open
the home, the check-in form, the network and a supporter, check in and rename a
supporter, and sign out every --rounds rounds. What one instance wrote, the other
must show at once: the check-in's words on the check-in form, the supporter's new
name on the network page, and a session signed in on one serves the next page on the
other. The web instances start first, then the workers; the load runs at least
--seconds and until every reminder email has reached the sink, and two more dispatch
intervals after that, so a second email would have time to arrive.

Prints the emails expected, made, lost and duplicated (counted by address at the
sink), the requests, 5xx and other unexpected answers, the consistency checks, the
most sessions the database held at once (pg_stat_activity, sampled from a session of
its own) and the wall time. Exits 1 if an email was lost or sent twice, a request got
a 5xx or an unexpected answer, or a check found one instance behind the other. Use a
database of its own: it migrates it and deletes and creates its people. soak_bench.py
runs the same processes (Cluster) for longer.
"""

import argparse
import datetime as dt
import http.client
import itertools
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    BENCH_PASSWORD,
    bench_password_hash,
    machine_facts,
    migrate,
    print_table,
    setup_django,
)
from bench.delivery_bench import ZONES, Sink, make_people, stop_worker  # noqa: E402
from bench.http_bench import APP_ROOT, database_url, free_port, server_env, worker_count  # noqa: E402
from bench.load import percentile  # noqa: E402

VISITORS = "cluster.example.com"  # the people using the site; the reminders' people are delivery_bench's


class CountingSink(Sink):
    """The SMTP sink, counting each address's emails: a lost email is an address at 0, a second one at 2."""

    def __init__(self):
        super().__init__()
        self.by_address = Counter()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.by_address.update(address.lower() for address in envelope.rcpt_tos)
        return await super().handle_DATA(server, session, envelope)

    def made(self, addresses):
        """(made, lost, duplicated) for one email expected at each address."""
        with self.lock:
            counts = [self.by_address[address] for address in addresses]
        return sum(counts), sum(1 for n in counts if n == 0), sum(n - 1 for n in counts if n > 1)


# The processes


@dataclass
class Process:
    role: str  # "web A", "worker 1 (beat)", …
    popen: subprocess.Popen
    log: Path
    port: int | None = None  # a web instance's


class Cluster:
    """Web instances and Celery workers, each a process of its own (its own process group), on this process's
    database and Redis, on a queue of their own, sending email to the SMTP sink at `sink_port`.

    `settings` are more environment variables for all of them (REMINDER_DISPATCH_INTERVAL_SECONDS, …).
    """

    def __init__(self, sink_port, *, webs=2, workers=3, beats=2, web_workers=0, concurrency=2, **settings):
        env, self.debug = server_env()  # production settings (static files collected), this database
        self.env = {
            **env,
            "CELERY_QUEUE": f"bench-cluster-{secrets.token_hex(4)}",
            # Behind one proxy: each bench person's own address, in X-Forwarded-For, keys the sign-in limits.
            "TRUSTED_PROXY_COUNT": "1",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(sink_port),
            "EMAIL_USE_TLS": "0",
            "EMAIL_USE_SSL": "0",
            **settings,
        }
        self.counts = (webs, workers, beats)
        self.web_workers, self.concurrency = web_workers, concurrency
        self.folder = Path(tempfile.mkdtemp(prefix="rn-cluster-"))
        self.webs, self.workers = [], []

    @property
    def processes(self):
        return [*self.webs, *self.workers]

    @property
    def ports(self):
        return [web.port for web in self.webs]

    def _spawn(self, role, command, **env):
        folder = self.folder / re.sub(r"\W+", "-", role).strip("-")
        folder.mkdir()
        log = folder / "output.log"
        popen = subprocess.Popen(
            command,
            cwd=APP_ROOT,
            env={**self.env, "VAR_DIR": str(folder), **env},  # beat's schedule file is in VAR_DIR: one each
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopping it stops its children too
        )
        return Process(role, popen, log)

    def start_webs(self):
        for letter in "ABCDEFGH"[: self.counts[0]]:
            port = free_port()
            command = [str(Path(sys.executable).parent / "gunicorn"), "recovery_network.wsgi"]
            command += ["-c", str(APP_ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}"]
            if self.web_workers:
                command += ["--workers", str(self.web_workers)]
            web = self._spawn(f"web {letter}", command)
            web.port = port
            self.webs.append(web)
        for web in self.webs:
            self._wait(web, lambda web=web: healthy(web.port))

    def start_workers(self):
        _, workers, beats = self.counts
        for number in range(1, workers + 1):
            beat = number <= beats
            command = [sys.executable, "-m", "celery", "-A", "recovery_network", "worker", "-n", f"cluster{number}@%h"]
            command += ["--concurrency", str(self.concurrency), "--loglevel", "INFO"]
            command += ["--without-gossip", "--without-mingle", "--without-heartbeat"] + (["--beat"] if beat else [])
            self.workers.append(self._spawn(f"worker {number}" + (" (beat)" if beat else ""), command))
        for worker in self.workers:
            self._wait(worker, lambda worker=worker: "ready." in worker.log.read_text())

    def _wait(self, process, ready, seconds=90):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if process.popen.poll() is not None:
                break
            if ready():
                return
            time.sleep(0.2)
        raise RuntimeError(f"{process.role} did not start:\n" + process.log.read_text()[-3000:])

    def stop(self):
        for process in reversed(self.processes):
            stop_worker(process.popen)  # SIGTERM to the group, then SIGKILL after 30 s
        shutil.rmtree(self.env["STATIC_ROOT"], ignore_errors=True)
        shutil.rmtree(self.folder, ignore_errors=True)
        from recovery_network.celery import app

        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(self.env["CELERY_QUEUE"])

    def logs(self):
        """{role: what the process printed}, to read before stop() removes it."""
        return {process.role: process.log.read_text() for process in self.processes}


def healthy(port):
    """/healthz answers 200: the instance reaches PostgreSQL and Redis (what a load balancer asks)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


class DatabaseSessions(threading.Thread):
    """The database's client sessions (pg_stat_activity), counted every `every` seconds from a session of its own
    (not counted): the most seen, overall and since the last `take()`."""

    def __init__(self, settings_dict, every=0.25):
        super().__init__(daemon=True)
        self.url, self.every = database_url(settings_dict), every
        self.most = self.recent = 0
        self.halt = threading.Event()

    def run(self):
        import psycopg2

        session = psycopg2.connect(self.url, application_name="rn-bench-sessions")
        session.autocommit = True
        try:
            with session.cursor() as cursor:
                while not self.halt.wait(self.every):
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
                    )
                    count = cursor.fetchone()[0]
                    self.most, self.recent = max(self.most, count), max(self.recent, count)
        finally:
            session.close()

    def take(self):
        recent, self.recent = self.recent, 0
        return recent

    def stop(self):
        self.halt.set()
        if self.is_alive():
            self.join(10)


# The people


def due_at(people, moments):
    """Make each person's check-in reminder fall at their moment (UTC, to the minute), in a zone of ZONES where it is
    not the last hour of the day: a reminder is worth sending until the end of its local day, and one falling just
    before midnight would be missed by a dispatch just after."""
    for index, (person, moment) in enumerate(zip(people, moments, strict=True)):
        for zone in ZONES[index % len(ZONES) :] + ZONES[: index % len(ZONES)]:
            local = moment.astimezone(zoneinfo.ZoneInfo(zone))
            if local.hour < 23:
                person.time_zone, person.checkin_time = zone, local.time()
                break
    from recovery_network.models import User

    User.objects.bulk_update(people, ["time_zone", "checkin_time"], batch_size=5000)


def due_people(count, moments):
    """`count` people with a verified address whose check-in reminders fall at `moments`, their reminder rows
    made as beat's reconcile makes them. Their addresses, lowercased."""
    from recovery_network.notifications import dispatch as reminders

    first = min(moments)
    people = make_people(count, first)
    due_at(people, moments)
    reminders.reconcile(now=first - dt.timedelta(minutes=1))
    return [person.email.lower() for person in people]


@dataclass
class Visitor:
    email: str
    supporter_id: int
    address: str  # what the proxy puts in X-Forwarded-For


def visitors(count):
    """People in recovery who use the site: a journey, three supporters, the bench password, a verified address;
    their own check-in reminder half a day away."""
    from allauth.account.models import EmailAddress
    from django.utils import timezone

    from milestones.models import Journey
    from recovery_network.models import User
    from recovery_network.notifications.models import Delivery, Notification, Reminder
    from supports.models import Supporter

    old = User.objects.filter(email__endswith=f"@{VISITORS}")
    for model in (Notification, Delivery, Reminder):
        model.objects.filter(recipient__in=old).delete()
    old.delete()
    later = timezone.now() + dt.timedelta(hours=12)
    people = []
    for number in range(count):
        zone = ZONES[number % len(ZONES)]
        person = User.objects.create(
            email=f"v{number:04d}@{VISITORS}",
            display_name=f"Visitor {number}",
            time_zone=zone,
            checkin_time=later.astimezone(zoneinfo.ZoneInfo(zone)).time(),
            password=bench_password_hash(),
        )
        EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
        today = person.local_today()
        Journey.objects.create(owner=person, kind=Journey.Kind.choices[0][0], first_started_on=today, started_on=today)
        supporters = Supporter.objects.bulk_create(
            Supporter(owner=person, name=f"Pat {n}", relationship="friend", closeness=1 + n, influence="supportive")
            for n in range(3)
        )
        people.append(Visitor(person.email, supporters[0].pk, f"10.77.{number // 250}.{number % 250 + 1}"))
    return people


# The load


class Browser:
    """A person's browser behind the proxy: keeps its cookies, sends the CSRF token back, follows no redirect."""

    def __init__(self, address):
        self.address = address
        self.cookies = {}

    def send(self, port, method, path, form=None):
        """(status, text); status 0 when nothing answered."""
        headers = {
            "Host": "127.0.0.1",
            "Connection": "close",  # one request per connection, as gunicorn's sync workers want
            "X-Forwarded-Proto": "https",  # as the TLS-terminating proxy sets it
            "X-Forwarded-For": self.address,
            "User-Agent": "recovery-network-bench",
        }
        body = None
        if method == "POST":
            body = urlencode({**(form or {}), "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
            headers["Origin"] = "https://127.0.0.1"
            headers["Referer"] = f"https://127.0.0.1{path}"
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                self._keep(header)
            return response.status, text
        except OSError:
            return 0, ""
        finally:
            connection.close()

    def _keep(self, header):
        for name, morsel in SimpleCookie(header).items():
            if morsel.value == "" or morsel["max-age"] == "0":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.coded_value


class Load:
    """`visitors` using the site through the web instances in turn, each a thread, until stop(); tallied."""

    def __init__(self, people, ports, rounds):
        from django.urls import reverse

        self.people, self.ports, self.rounds = people, ports, rounds
        self.turn = itertools.count()
        self.paths = {
            "sign in": reverse("account_login"),
            "sign out": reverse("account_logout"),
            "home": reverse("home"),
            "check-in": reverse("milestones:checkin"),
            "network": reverse("supports:index"),
        }
        self.supporter_paths = {
            person.email: (
                reverse("supports:supporter_detail", args=[person.supporter_id]),
                reverse("supports:supporter_edit", args=[person.supporter_id]),
            )
            for person in people
        }
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)  # label: [seconds]
        self.statuses = Counter()
        self.unexpected = Counter()  # (label, status)
        self.checks = Counter()  # (check, consistent?)
        self.halt = threading.Event()
        self.threads = [threading.Thread(target=self.visit, args=(person,), daemon=True) for person in people]

    def start(self):
        for thread in self.threads:
            thread.start()
        return self

    def stop(self):
        self.halt.set()
        for thread in self.threads:
            thread.join(90)

    def next_port(self):
        return self.ports[next(self.turn) % len(self.ports)]

    def ask(self, browser, label, method, path, expect, form=None, port=None):
        started = time.perf_counter()
        status, text = browser.send(port or self.next_port(), method, path, form)
        with self.lock:
            self.latencies[label].append(time.perf_counter() - started)
            self.statuses[status] += 1
            if status != expect:
                self.unexpected[(label, status)] += 1
        return status, text

    def check(self, name, consistent):
        with self.lock:
            self.checks[(name, consistent)] += 1

    def visit(self, person):
        browser, tokens, count = Browser(person.address), itertools.count(), len(self.ports)
        while not self.halt.is_set():
            browser.cookies.clear()
            signed_on = next(self.turn) % count
            self.ask(browser, "sign-in form", "GET", self.paths["sign in"], 200, port=self.ports[signed_on])
            form = {"login": person.email, "password": BENCH_PASSWORD}
            status, _ = self.ask(
                browser, "sign in (POST)", "POST", self.paths["sign in"], 302, form, port=self.ports[signed_on]
            )
            if status != 302:
                self.halt.wait(1)
                continue
            status, _ = self.ask(
                browser, "home", "GET", self.paths["home"], 200, port=self.ports[(signed_on + 1) % count]
            )
            self.check("a session signed in on one instance serves the other", status == 200)
            for number in range(self.rounds):
                if self.halt.is_set():
                    break
                one, other = self.ports[number % count], self.ports[(number + 1) % count]
                self.one_round(browser, person, one, other, tokens)
            self.ask(browser, "sign out (POST)", "POST", self.paths["sign out"], 302)

    def one_round(self, browser, person, one, other, tokens):
        """Pages through whichever instance is next; a check-in written through `one` read through `other`, and a
        supporter renamed through `other` looked for through `one`."""
        detail, edit = self.supporter_paths[person.email]
        for label, path in (("home", self.paths["home"]), ("check-in form", self.paths["check-in"])):
            self.ask(browser, label, "GET", path, 200)
        self.ask(browser, "network", "GET", self.paths["network"], 200)
        self.ask(browser, "supporter", "GET", detail, 200)

        words = f"cluster-{uuid.uuid4().hex[:6]}-{next(tokens)}"
        checkin = {"sober": "yes", "mood": "4", "craving": "2", "gratitude": words}
        if self.ask(browser, "check-in (POST)", "POST", self.paths["check-in"], 302, checkin, port=one)[0] == 302:
            status, text = self.ask(browser, "check-in form", "GET", self.paths["check-in"], 200, port=other)
            self.check("a check-in made on one instance shows on the other", status == 200 and words in text)
        name = f"Pat {words}"
        renamed = {"name": name, "relationship": "friend", "closeness": "1", "influence": "supportive"}
        if self.ask(browser, "supporter edit (POST)", "POST", edit, 302, renamed, port=other)[0] == 302:
            status, text = self.ask(browser, "network", "GET", self.paths["network"], 200, port=one)
            self.check("a supporter renamed on one instance shows on the other", status == 200 and name in text)

    def requests(self):
        return sum(self.statuses.values())

    def server_errors(self):
        return sum(count for status, count in self.statuses.items() if status >= 500)


# The dispatches, from the workers' logs

SENT = re.compile(r"dispatch_reminders\[[^\]]+\] succeeded in [\d.]+s: \{'sent': (\d+)")
BEAT_SENDS = "Sending due task dispatch-reminders"


def dispatches(logs):
    """{role: (dispatch tasks its beat sent, dispatch tasks it ran, of them those that sent something, sent)}."""
    found = {}
    for role, text in logs.items():
        if role.startswith("worker"):
            sent = [int(n) for n in SENT.findall(text)]
            found[role] = (text.count(BEAT_SENDS), len(sent), sum(1 for n in sent if n), sum(sent))
    return found


def wait_for(condition, timeout, interval=0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=300, help="people whose check-in reminder is due")
    parser.add_argument("--clients", type=int, default=8, help="people using the site at once, each without pause")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of pages each client makes per sign-in")
    parser.add_argument("--seconds", type=float, default=30.0, help="least seconds of load")
    parser.add_argument("--web-workers", type=int, default=0, help="gunicorn workers an instance (gunicorn.conf.py)")
    parser.add_argument("--concurrency", type=int, default=2, help="processes a Celery worker")
    parser.add_argument(
        "--dispatch-every",
        type=int,
        default=10,
        help="seconds between each beat's dispatches (production: 60; shorter, so both beats tick within the run)",
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=100,
        help="due reminders a dispatch transaction takes (production: 2000; smaller, so racing dispatchers share)",
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for every email")
    args = parser.parse_args(argv)
    began = time.monotonic()

    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from recovery_network.notifications.models import Delivery, Notification

    if connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL.startswith("redis"):
        print("cluster_bench needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL)")
        return 2
    migrate()
    machine = machine_facts()
    due_moment = (timezone.now() - dt.timedelta(minutes=1)).replace(second=0, microsecond=0)
    expected = due_people(args.people, [due_moment] * args.people)
    people = visitors(args.clients)
    settings_dict = dict(connection.settings_dict)
    connection.close()  # the bench's own session is not one the cluster needs

    sink = CountingSink().start()
    cluster = Cluster(
        sink.port,
        web_workers=args.web_workers,
        concurrency=args.concurrency,
        REMINDER_DISPATCH_INTERVAL_SECONDS=str(args.dispatch_every),
        REMINDER_DISPATCH_BATCH=str(args.batch),
    )
    sessions = DatabaseSessions(settings_dict)
    sessions.start()
    load, per_web = None, "?"
    try:
        cluster.start_webs()
        per_web = worker_count(cluster.webs[0].popen.pid)
        load = Load(people, cluster.ports, args.rounds).start()
        load_began = time.monotonic()
        cluster.start_workers()
        workers_began = time.monotonic()
        all_in = wait_for(lambda: sink.made(expected)[1] == 0, args.timeout)
        emails_in = time.monotonic() - workers_began
        # Both beats dispatch twice more: a second email would have time to arrive.
        time.sleep(max(2 * args.dispatch_every, args.seconds - (time.monotonic() - load_began)))
        load.stop()
        load_seconds = time.monotonic() - load_began
    finally:
        if load is not None:
            load.stop()  # again, if the run ended early: the threads end
        logs = cluster.logs() if cluster.processes else {}
        cluster.stop()
        sink.stop()
        sessions.stop()
    made, lost, duplicated = sink.made(expected)
    other_emails = sum(sink.by_address.values()) - made
    deliveries = Counter(Delivery.objects.filter(recipient__email__in=expected).values_list("status", flat=True))
    notes = Notification.objects.filter(recipient__email__in=expected).count()
    wall = time.monotonic() - began

    print(machine)
    webs, workers, beats = cluster.counts
    print(
        f"{webs} web instances (gunicorn, {per_web} workers each, DEBUG "
        f"{'on' if cluster.debug else 'off'}), {workers} Celery workers of {args.concurrency} processes, beat in "
        f"{beats} of them (dispatch every {args.dispatch_every} s, {args.batch} reminders a transaction); "
        f"{args.clients} people using the site without pause through the instances in turn, {load_seconds:.0f} s"
    )
    print_table(
        ["request", "answers", "p50 ms", "p95 ms", "unexpected"],
        [
            (
                label,
                len(values),
                f"{percentile(sorted(values), 0.5) * 1000:.1f}",
                f"{percentile(sorted(values), 0.95) * 1000:.1f}",
                sum(n for (which, _), n in load.unexpected.items() if which == label),
            )
            for label, values in sorted(load.latencies.items())
        ],
    )
    print()
    consistent = sum(n for (_, ok), n in load.checks.items() if ok)
    checks = sum(load.checks.values())
    sent_by_dispatch = sum(found[3] for found in dispatches(logs).values())
    rows = [
        ("reminder emails expected", len(expected)),
        ("made (at the sink)", made),
        ("lost", lost),
        ("duplicated", duplicated),
        ("other emails at the sink", other_emails),
        ("deliveries of those reminders, by status", dict(deliveries)),
        ("their in-app notifications", notes),
        ("deliveries written by all dispatches", sent_by_dispatch),
        ("seconds, workers started to the last email", f"{emails_in:.1f}" if all_in else "not all arrived"),
        ("requests", load.requests()),
        ("5xx", load.server_errors()),
        ("other unexpected answers", sum(load.unexpected.values()) - load.server_errors()),
        ("consistency checks, consistent", f"{consistent} of {checks}"),
        ("most database sessions at once", sessions.most),
        ("wall time, s", f"{wall:.0f}"),
    ]
    for name in sorted({name for name, _ in load.checks}):
        rows.append((name, f"{load.checks[(name, True)]} of {load.checks[(name, True)] + load.checks[(name, False)]}"))
    for role, (beat_sent, ran, worked, sent) in dispatches(logs).items():
        rows.append((f"{role}: dispatches its beat sent / ran here / found work / delivered", f"{beat_sent} / "
                     f"{ran} / {worked} / {sent}"))  # fmt: skip
    print_table(["measure", "value"], rows)
    problems = []
    if lost or duplicated or made != len(expected):
        problems.append(f"emails: {lost} lost, {duplicated} duplicated")
    if deliveries.total() != len(expected) or notes != len(expected):
        problems.append(f"{deliveries.total()} deliveries and {notes} notifications for {len(expected)} reminders")
    if sum(load.unexpected.values()):
        problems.append(f"unexpected answers: {dict(load.unexpected)}")
    if consistent != checks or not checks:
        problems.append(f"{checks - consistent} of {checks} consistency checks failed")
    if problems:
        print("MISSED: " + "; ".join(problems))
        for role, text in logs.items():
            if "Traceback" in text:
                print(f"--- {role} ends:\n{text[-3000:]}")
        return 1
    print("every reminder emailed exactly once, every answer as expected, every instance consistent with the other")
    return 0


if __name__ == "__main__":
    # Served as production runs: DEBUG off, with a throw-away key (the bench makes its own sessions).
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    sys.exit(main())
