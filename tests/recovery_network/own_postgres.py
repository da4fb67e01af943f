"""A PostgreSQL cluster of the test's own: initdb into a temporary folder, trust auth, a free port on 127.0.0.1.

A fault test may stop, restart and cut the sessions of this one; the shared server is never touched. As root
(initdb refuses to run as root) the cluster runs as the `postgres` user. `destroy()` stops it and removes its files.
"""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg2

from tests.notifications.smtp_sink import free_port

# The application_name of the test's own sessions: terminate() never cuts them.
OURS = "rn-fault-test"


def binaries():
    """The folder of initdb and pg_ctl (the newest installed), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda path: int(Path(path).parts[-3]))
    return Path(found[-1]).parent if found else None


def run_as():
    """The user the cluster runs as: `postgres` when we are root, else ourselves (None). KeyError if there is none."""
    return pwd.getpwnam("postgres").pw_name if os.geteuid() == 0 else None


class OwnPostgres:
    def __init__(self):
        self.bin = binaries()
        self.user = run_as()
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="rn-pg-"))
        self.data = self.folder / "data"
        self.running = False

    def _run(self, program, *args):
        subprocess.run(
            [str(self.bin / program), *args], user=self.user, check=True, capture_output=True, text=True, timeout=60
        )

    def init(self):
        if self.user:
            account = pwd.getpwnam(self.user)
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        return self

    def start(self):
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "postgres.log"), "-o", options, "-w", "start")
        self.running = True
        return self

    def stop(self, mode="fast"):
        """`fast` ends every session (rolling back what they had open), as a restart does."""
        self.running = False
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self):
        try:
            if self.running:
                self.stop("immediate")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, name):
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def connect(self, name="postgres", autocommit=True):
        connection = psycopg2.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=name, application_name=OURS, connect_timeout=5
        )
        connection.autocommit = autocommit
        return connection

    def create_database(self, name):
        connection = self.connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()

    def query(self, sql, params=()):
        """The rows of one statement, run in a session of our own."""
        connection = self.connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        finally:
            connection.close()

    def sessions(self, name, waiting_on_a_lock=False):
        """[(pid, query)] of the app's sessions on database `name` (never ours)."""
        return self.query(
            "SELECT pid, query FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'"
            " AND application_name <> %s AND (NOT %s OR wait_event_type = 'Lock')",
            [name, OURS, waiting_on_a_lock],
        )

    def terminate(self, name, pids=None):
        """pg_terminate_backend the app's sessions on database `name` (or those of `pids`); how many it ended."""
        return self.query(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s"
            " AND backend_type = 'client backend' AND application_name <> %s AND (%s OR pid = ANY(%s::int[]))",
            [name, OURS, pids is None, list(pids or [])],
        )[0][0]

    def log(self):
        path = self.folder / "postgres.log"
        return path.read_text()[-3000:] if path.exists() else ""
