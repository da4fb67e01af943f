#!/usr/bin/env python3
"""One entry point for a fresh machine that has only Python.

    python3 dev.py run     # virtualenv, requirements, migrations, demo data, then web + worker + beat
    python3 dev.py test    # the whole test suite (extra arguments go to pytest)

Ctrl-C stops the web server, the Celery worker and beat together.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("VENV_DIR") or ROOT / ".venv")
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
REQUIREMENTS = ROOT / "requirements-dev.txt"


def say(message):
    print(f"==> {message}", flush=True)


def requirements_digest():
    digest = hashlib.sha256()
    for name in ("requirements.txt", "requirements-dev.txt"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_virtualenv():
    """Create .venv and install requirements, skipping work already done."""
    if not PYTHON.exists():
        say(f"Creating a virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / ".requirements.sha256"
    digest = requirements_digest()
    if not stamp.exists() or stamp.read_text().strip() != digest:
        say("Installing requirements (first run only)")
        subprocess.run([PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
        subprocess.run([PYTHON, "-m", "pip", "install", "--quiet", "-r", REQUIREMENTS], check=True)
        stamp.write_text(digest)


def manage(*args):
    subprocess.run([PYTHON, ROOT / "manage.py", *args], check=True, cwd=ROOT)


def run():
    ensure_virtualenv()
    say("Applying database migrations")
    manage("migrate", "--noinput", "-v", "0")
    if os.environ.get("DEBUG", "1").lower() in ("1", "true", "yes", "on"):
        say("Loading demo data")
        manage("seed_demo")
    port = os.environ.get("PORT", "8000")
    say(f"Starting web on http://127.0.0.1:{port}, a Celery worker and beat. Ctrl-C stops them all.")
    env = {**os.environ, "PORT": port, "PYTHONUNBUFFERED": "1", "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    # honcho runs the three processes of Procfile.dev in the foreground and
    # stops them all when one exits or on Ctrl-C.
    command = [BIN / "honcho", "--app-root", ROOT, "-f", ROOT / "Procfile.dev", "start"]
    try:
        return subprocess.call(command, cwd=ROOT, env=env)
    except KeyboardInterrupt:
        return 0


def test(args):
    ensure_virtualenv()
    return subprocess.call([PYTHON, "-m", "pytest", *args], cwd=ROOT)


def main(argv):
    if not argv or argv[0] not in ("run", "test"):
        print(__doc__)
        return 2
    if argv[0] == "run":
        return run()
    return test(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
