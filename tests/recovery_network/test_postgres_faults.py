"""PostgreSQL restarted, or the app's sessions to it cut (pg_terminate_backend), in the middle of the work.

Against a cluster of the test's own (tests/recovery_network/own_postgres.py), never the shared server, with a Redis
of its own: the app under gunicorn (gunicorn.conf.py, DEBUG off) and a real Celery worker and beat.

- A request whose database went away answers the "please try again" page (a 503 with Retry-After and the crisis
  lines), never a bare 500; the next request is served. A check-in cut at its commit leaves no trace, an edit cut
  there leaves the check-in as it was, and sending it again saves it once.
- Reminders dispatched and emailed while the worker's sessions are cut again and again, and the cluster restarted,
  reach the SMTP sink exactly once each.

The figures (faults injected, answers, deliveries) are printed: run with -s to see them.
"""

import concurrent.futures
import contextlib
import datetime as dt
import http.cookiejar
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode

import psycopg2
import pytest
from allauth.account.models import EmailAddress
from django.db import connections
from django.db.utils import load_backend
from django.utils import timezone

from milestones.models import CheckIn
from recovery_network.models import User
from recovery_network.notifications.dispatch import reconcile
from recovery_network.notifications.models import Delivery, Notification, Reminder
from supports.models import Supporter
from tests.factories import TEST_PASSWORD, UserFactory
from tests.milestones.factories import JourneyFactory
from tests.notifications.smtp_sink import Sink, free_port
from tests.notifications.test_worker import Worker, wait_for
from tests.recovery_network.own_postgres import OURS, OwnPostgres, binaries, run_as
from tests.recovery_network.test_cache_down import OwnRedis
from tests.supports.factories import SupporterFactory

pytestmark = [pytest.mark.services]

ROOT = Path(__file__).resolve().parents[2]
DB = "rn_faults"
CHECKIN = "/progress/checkin/"
PEOPLE_DUE = 200
LEASE_SECONDS = 15  # the worker's DELIVERY_LEASE_SECONDS: a claim left by a cut session is taken again after it


def _missing(what):
    """Skip, or fail where the services are required (REQUIRE_SERVICES, as tests/conftest.py)."""
    if os.environ.get("REQUIRE_SERVICES", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"REQUIRE_SERVICES is set but {what}", pytrace=False)
    pytest.skip(what)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if binaries() is None:
        _missing("there is no initdb in /usr/lib/postgresql/*/bin")
    try:
        run_as()
    except KeyError:
        _missing("we run as root and there is no postgres user to run a cluster as")
    cluster = OwnPostgres()
    try:
        cluster.init().start()
        cluster.create_database(DB)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": cluster.url(DB),
            "REDIS_URL": "",
            "CELERY_BROKER_URL": "",
            "VAR_DIR": str(tmp_path_factory.mktemp("migrate")),
        }
        migrate = [sys.executable, "manage.py", "migrate", "--verbosity", "0"]
        done = subprocess.run(migrate, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(scope="module")
def redis_url():
    if shutil.which("redis-server") is None:
        _missing("redis-server is not installed")
    server = OwnRedis().start()
    yield f"redis://127.0.0.1:{server.port}/0"
    server.stop()


@pytest.fixture
def orm(cluster, django_db_blocker):
    """This process's ORM on the cluster too, for the factories and the checks, in a session terminate() spares."""
    settings_dict = {
        **connections["default"].settings_dict,
        "NAME": DB,
        "HOST": "127.0.0.1",
        "PORT": cluster.port,
        "USER": "postgres",
        "PASSWORD": "",
        "OPTIONS": {"application_name": OURS},
    }
    ours = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "default")
    saved = connections["default"]
    connections["default"] = ours
    try:
        with django_db_blocker.unblock():
            yield ours
    finally:
        ours.close()
        connections["default"] = saved


@contextmanager
def restarted(cluster, orm, down_for=1.0, mode="fast"):
    """pg_ctl stop (-m fast, or as `mode` says), the body while it is down, then start: a restart with time to ask
    it things."""
    cluster.stop(mode)
    try:
        yield
        time.sleep(down_for)
    finally:
        cluster.start()
        orm.close()  # our own session ended with the rest


class Cutter(threading.Thread):
    """Cuts every session the app has on the database, every `every` seconds, until stopped; counts them."""

    def __init__(self, cluster, every):
        super().__init__(daemon=True)
        self.cluster, self.every = cluster, every
        self.ended = 0
        self.halt = threading.Event()

    def run(self):
        while not self.halt.wait(self.every):
            with contextlib.suppress(psycopg2.Error):  # the cluster is restarting: nothing to cut
                self.ended += self.cluster.terminate(DB)

    def stop(self):
        self.halt.set()
        if self.is_alive():
            self.join(10)


# The web


class Web:
    """The app served by gunicorn with the project's gunicorn.conf.py: two sync workers, DEBUG off."""

    def __init__(self, tmp_path, database_url, redis_url):
        self.port = free_port()
        self.log = tmp_path / "gunicorn.log"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": f"http://127.0.0.1:{self.port}",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": redis_url,
            "CELERY_QUEUE": f"test-{uuid.uuid4().hex[:8]}",
            "VAR_DIR": str(tmp_path),
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": "2",
        }
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "recovery_network.wsgi:application"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        browser = Browser(self.port)
        assert wait_for(lambda: browser.answers("/accounts/login/") == 200, timeout=30), self.output()
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)

    def output(self):
        return self.log.read_text()[-4000:]


@dataclass
class Answer:
    status: int
    headers: object
    text: str


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 itself is the answer


class Browser:
    """A person's browser: keeps its cookies, sends the CSRF token, follows no redirect."""

    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirects)

    def get(self, path):
        return self._open(path)

    def post(self, path, form):
        token = next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")
        return self._open(path, urlencode({**form, "csrfmiddlewaretoken": token}, doseq=True).encode())

    def answers(self, path):
        """The status of a GET, or None when nothing answers."""
        try:
            return self.get(path).status
        except OSError:
            return None

    def sign_in(self, email):
        assert self.get("/accounts/login/").status == 200
        assert self.post("/accounts/login/", {"login": email, "password": TEST_PASSWORD}).status == 302

    def _open(self, path, data=None):
        try:
            with self.opener.open(self.base + path, data, timeout=30) as response:
                return Answer(response.status, response.headers, response.read().decode())
        except HTTPError as error:
            with error:
                return Answer(error.code, error.headers, error.read().decode())


@contextmanager
def supporter_locked(cluster, supporter):
    """Another session holds the supporter's row: a check-in linking to them waits at its commit, with all of it
    written (Django's foreign keys on PostgreSQL are checked at the commit)."""
    session = cluster.connect(DB, autocommit=False)
    try:
        with session.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {Supporter._meta.db_table} WHERE id = %s FOR UPDATE", [supporter.pk])
        yield
    finally:
        try:
            session.rollback()
            session.close()
        except psycopg2.Error:
            pass  # ended by a restart


def waiting_at_commit(cluster):
    """The pid of the app's session waiting for the lock."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        waiting = cluster.sessions(DB, waiting_on_a_lock=True)
        if waiting:
            [(pid, query)] = waiting
            assert query.strip().upper() == "COMMIT", query
            return pid
        time.sleep(0.02)
    raise AssertionError("no request came to wait for the lock")


def is_try_again_page(answer):
    return (
        answer.status == 503
        and answer.headers.get("Retry-After")
        and "Please try again" in answer.text
        and 'href="tel:988"' in answer.text  # the crisis lines
        and "Traceback" not in answer.text
    )


def check_in(owner):
    """(mood, linked supporter ids) of the owner's one check-in for today, or None; never more than one."""
    checkins = list(CheckIn.objects.filter(owner=owner, local_date=owner.local_today()))
    assert len(checkins) <= 1
    if not checkins:
        assert not CheckIn.helped_supporters.through.objects.filter(checkin__owner=owner).exists()
        return None
    return checkins[0].mood, sorted(checkins[0].helped_supporters.values_list("pk", flat=True))


def test_a_request_whose_database_went_away_says_try_again_and_saves_a_check_in_whole_or_not_at_all(
    cluster, redis_url, orm, tmp_path
):
    owner = UserFactory(quiet_hours_start=None, quiet_hours_end=None)
    JourneyFactory(owner=owner, started_on=owner.local_today())
    first, second = SupporterFactory.create_batch(2, owner=owner)
    figures = {"sessions cut": 0, "restarts": 0}
    answers = {}
    web = Web(tmp_path, cluster.url(DB), redis_url)
    pool = concurrent.futures.ThreadPoolExecutor(1)
    try:
        web.start()
        browser = Browser(web.port)
        browser.sign_in(owner.email)

        # Cut between requests: the next request gets a fresh session (CONN_HEALTH_CHECKS).
        for _ in range(3):
            assert browser.get(CHECKIN).status == 200
            cut = cluster.terminate(DB)
            assert cut >= 1
            figures["sessions cut"] += cut
            answers.setdefault("after a cut between requests", []).append(browser.get(CHECKIN).status)
        assert answers["after a cut between requests"] == [200, 200, 200], web.output()

        # Cut at the commit of a new check-in: the person is told to try again, and nothing of it was saved.
        new = {"sober": "yes", "mood": "4", "supporters": [first.pk]}
        with supporter_locked(cluster, first):
            pending = pool.submit(browser.post, CHECKIN, new)
            figures["sessions cut"] += cluster.terminate(DB, [waiting_at_commit(cluster)])
            cut_off = pending.result(timeout=30)
        answers["check-in cut at its commit"] = [cut_off.status]
        assert is_try_again_page(cut_off), (cut_off.status, cut_off.text[-2000:], web.output())
        assert check_in(owner) is None
        answers["check-in sent again"] = [browser.post(CHECKIN, new).status]
        assert answers["check-in sent again"] == [302]
        assert check_in(owner) == (4, [first.pk])

        # Restarted while an edit waits at its commit: the check-in stays as it was, and the edit sent again is saved.
        edit = {"sober": "yes", "mood": "2", "supporters": [second.pk]}
        with supporter_locked(cluster, second):
            pending = pool.submit(browser.post, CHECKIN, edit)
            waiting_at_commit(cluster)
            # Stopped as a crash stops it (-m immediate): a fast stop ends the sessions one by one, and when the
            # lock's holder happened to end first the waiting commit went through before its own end came (a 302,
            # once in a loaded CI run). An immediate stop ends them all without releasing a lock.
            with restarted(cluster, orm, mode="immediate"):
                figures["restarts"] += 1
                cut_off = pending.result(timeout=30)
                answers["while down"] = [browser.get(path).status for path in (CHECKIN, "/", "/progress/")]
        answers["edit cut by the restart"] = [cut_off.status]
        assert is_try_again_page(cut_off), (cut_off.status, cut_off.text[-2000:], web.output())
        assert answers["while down"] == [503, 503, 503]
        assert check_in(owner) == (4, [first.pk])
        answers["after the restart"] = [browser.get(CHECKIN).status, browser.post(CHECKIN, edit).status]
        assert answers["after the restart"] == [200, 302], web.output()
        assert check_in(owner) == (2, [second.pk])

        # Sessions cut every 50 ms while pages are read and the check-in sent, over and over.
        cutter = Cutter(cluster, every=0.05)
        cutter.start()
        storm = []
        try:
            for n in range(15):
                sent = ({"mood": "1", "supporters": [first.pk]}, {"mood": "5", "supporters": [second.pk]})[n % 2]
                storm += [browser.get(CHECKIN).status, browser.post(CHECKIN, {"sober": "yes", **sent}).status]
        finally:
            cutter.stop()
        figures["sessions cut"] += cutter.ended
        answers["under a cut every 50 ms"] = storm
        assert set(storm) <= {200, 302, 503}, web.output()
        answers["after the cuts"] = [browser.get(CHECKIN).status]
        assert answers["after the cuts"] == [200]
        assert check_in(owner) in [(1, [first.pk]), (5, [second.pk])]  # one check-in: one submit's, whole
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        web.stop()
    print(f"\nPostgreSQL faults, web: {figures['sessions cut']} sessions cut, {figures['restarts']} restart")
    for label, statuses in answers.items():
        print(f"  {label}: {dict(Counter(statuses))}")


def people_due_now(count):
    """`count` people in recovery whose check-in reminder fell due a minute ago (as test_worker.person_due_now),
    made in bulk."""
    now = timezone.now()
    checkin_time = (now - dt.timedelta(minutes=1)).time()
    people = User.objects.bulk_create(
        UserFactory.build(
            time_zone="UTC", quiet_hours_start=None, quiet_hours_end=None, has_journey=True, checkin_time=checkin_time
        )
        for _ in range(count)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=person, email=person.email, verified=True, primary=True) for person in people
    )
    reconcile(now=now - dt.timedelta(minutes=2))  # their reminder rows, as beat's reconcile adds them
    assert Reminder.objects.due(now).filter(recipient__in=people).count() == count
    return people


def test_reminders_dispatched_through_cut_sessions_and_a_restart_are_each_emailed_once(
    cluster, redis_url, orm, tmp_path
):
    people = people_due_now(PEOPLE_DUE)
    deliveries = Delivery.objects.filter(recipient__in=people)
    smtp_sink = Sink().start()
    worker = Worker(
        tmp_path,
        smtp_sink.port,
        f"test-{uuid.uuid4().hex[:8]}",
        DATABASE_URL=cluster.url(DB),
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        DELIVERY_TASK_BATCH="10",
        DELIVERY_LEASE_SECONDS=str(LEASE_SECONDS),
    )

    def all_sent():
        # A delivery recorded as sent is never claimed again; one whose sending went unrecorded is sent again
        # once its claim lapses (a lease), and is then counted twice at the sink.
        return len(smtp_sink.messages) >= PEOPLE_DUE and deliveries.filter(status="sent").count() == PEOPLE_DUE

    cutter = Cutter(cluster, every=0.1)
    started = time.monotonic()
    try:
        worker.start()
        cutter.start()
        # Sessions cut every tenth of a second throughout, and a restart once a quarter is out.
        assert wait_for(lambda: len(smtp_sink.messages) >= PEOPLE_DUE // 4, timeout=60), worker.output()
        with restarted(cluster, orm):
            sent_before_restart = len(smtp_sink.messages)
        assert wait_for(all_sent, timeout=150), worker.output()
        delivered_in = time.monotonic() - started
        cutter.stop()
        time.sleep(2)  # two more dispatches: nothing more may arrive
    finally:
        cutter.stop()
        worker.stop()
        smtp_sink.stop()
    made = Counter(message["To"] for message in smtp_sink.messages)
    duplicated = sum(count - 1 for count in made.values() if count > 1)
    log = worker.log.read_text()
    print(
        f"\nPostgreSQL faults, dispatch: {cutter.ended} sessions cut, 1 restart (after {sent_before_restart} emails);"
        f" deliveries expected {PEOPLE_DUE}, made {len(smtp_sink.messages)}, duplicated {duplicated},"
        f" lost {PEOPLE_DUE - len(made)}; all out in {delivered_in:.1f} s;"
        f" tries {dict(sorted(Counter(deliveries.values_list('attempts', flat=True)).items()))};"
        f" sends recorded on a fresh session {log.count('Could not record delivery')},"
        f" chunks run again {log.count('Retry in')}"
    )
    assert sent_before_restart < PEOPLE_DUE and cutter.ended > 0
    assert made == Counter(person.email for person in people), worker.output()
    assert deliveries.filter(status="sent").count() == PEOPLE_DUE
    assert Notification.objects.filter(recipient__in=people).count() == PEOPLE_DUE
