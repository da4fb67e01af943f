#!/usr/bin/env python3
"""One entry point for a fresh machine that has only Python.

    python3 dev.py run     # virtualenv, requirements, migrations, demo data, then web + worker + beat
    python3 dev.py test    # the whole test suite (extra arguments go to pytest)
    python3 dev.py sprite  # static/icons/sprite.svg from node_modules/lucide-static (`npm install` first)
    python3 dev.py messages  # collect marked strings into locale/es/…/django.po (needs GNU gettext), compile

Ctrl-C stops the web server, the Celery worker and beat together.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import venv
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("VENV_DIR") or ROOT / ".venv")
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
REQUIREMENTS = ROOT / "requirements-dev.txt"

# The icons our templates use ({% icon "house" %}), by their names in lucide. Add one here, run
# `python3 dev.py sprite` and commit static/icons/: the app serves the sprite and never reads node_modules.
ICONS = [
    "house",
    "users",
    "calendar-check",
    "trending-up",
    "heart-handshake",
    "bell",
    "settings",
    "log-out",
    "life-buoy",
    "phone",
    "message-circle",
    "circle-check",
    "clock",
    "triangle-alert",
    "info",
    "chevron-right",
    "briefcase",
    "book-open",
]
LUCIDE = ROOT / "node_modules" / "lucide-static"
SPRITE_DIR = ROOT / "static" / "icons"
SVG = "http://www.w3.org/2000/svg"
# Lucide draws with strokes set on its <svg>; a <use> can't pass them in, so each <symbol> keeps them.
STROKE = ("fill", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin")


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
    port = os.environ.get("PORT") or "8000"
    if not port.isdigit():
        print(f"PORT must be a port number, like PORT=8001; it is {port!r}.", file=sys.stderr)
        return 2
    ensure_virtualenv()
    manage("compile_catalogues", "-v", "0")
    say("Applying database migrations")
    manage("migrate", "--noinput", "-v", "0")
    if os.environ.get("DEBUG", "1").lower() in ("1", "true", "yes", "on"):
        say("Loading demo data")
        manage("seed_demo")
    say(f"Starting web on http://127.0.0.1:{port}, a Celery worker and beat. Ctrl-C stops them all.")
    env = {**os.environ, "PORT": port, "PYTHONUNBUFFERED": "1", "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    # Links in emails and texts open this server. Said outright: honcho gives each process a PORT of its own (the
    # worker's is 100 more), and the worker is what sends them.
    env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
    # honcho runs the three processes of Procfile.dev in the foreground and
    # stops them all when one exits or on Ctrl-C.
    command = [BIN / "honcho", "--app-root", ROOT, "-f", ROOT / "Procfile.dev", "start"]
    try:
        return subprocess.call(command, cwd=ROOT, env=env)
    except KeyboardInterrupt:
        return 0


def test(args):
    ensure_virtualenv()
    manage("compile_catalogues", "-v", "0")  # the Spanish pages read the compiled catalogue
    return subprocess.call([PYTHON, "-m", "pytest", *args], cwd=ROOT)


def icon_symbol(name):
    """One lucide icon as a <symbol id="name">, its shapes unchanged."""
    icon = ET.parse(LUCIDE / "icons" / f"{name}.svg").getroot()  # noqa: S314 (the pinned npm package, not input)
    symbol = ET.Element("symbol", {"id": name, "viewBox": icon.attrib["viewBox"]})
    symbol.attrib.update((key, icon.attrib[key]) for key in STROKE)
    for shape in icon.iter():  # the file's own namespace and indentation; the sprite's <svg> declares it once
        shape.tag = shape.tag.removeprefix(f"{{{SVG}}}")
        shape.text, shape.tail = (shape.text or "").strip() or None, None
    symbol.extend(icon)
    return ET.tostring(symbol, encoding="unicode")


def sprite():
    """static/icons/sprite.svg (one <symbol> per name in ICONS) and lucide's LICENSE beside it."""
    if not LUCIDE.is_dir():
        print("node_modules/lucide-static is missing: run `npm install` first.", file=sys.stderr)
        return 1
    version = json.loads((LUCIDE / "package.json").read_text())["version"]
    symbols = "\n".join(icon_symbol(name) for name in ICONS)
    SPRITE_DIR.mkdir(exist_ok=True)
    (SPRITE_DIR / "sprite.svg").write_text(
        f'<svg xmlns="{SVG}">\n<!-- lucide-static {version}, ISC License (LICENSE beside this file). '
        f"Made by `python3 dev.py sprite`; edit ICONS in dev.py, not this file. -->\n{symbols}\n</svg>\n"
    )
    shutil.copyfile(LUCIDE / "LICENSE", SPRITE_DIR / "LICENSE")
    say(f"Wrote {len(ICONS)} icons from lucide-static {version} to static/icons/sprite.svg")
    return 0


# What makemessages reads: our code and templates, not the virtualenv, node_modules or the tests.
MESSAGES_IGNORE = [".venv/*", "node_modules/*", "tests/*", "staticfiles/*", "bench/*", "docs/*", "var/*"]


def messages():
    """Collect every marked string into the Spanish catalogue (keeping its translations) and compile it."""
    ensure_virtualenv()
    if not shutil.which("xgettext"):
        print("makemessages needs GNU gettext (apt-get install gettext).", file=sys.stderr)
        return 1
    ignore = [arg for pattern in MESSAGES_IGNORE for arg in ("-i", pattern)]
    manage("makemessages", "-l", "es", "--no-obsolete", "--add-location", "file", *ignore)
    # msgmerge wraps at 79 columns; the catalogue is kept as Babel writes it at 120, so a diff shows only changes.
    rewrap = (
        "import sys; from babel.messages.pofile import read_po, write_po\n"
        "for name in sys.argv[1:]:\n"
        "    catalog = read_po(open(name, 'rb'))\n"
        "    write_po(open(name, 'wb'), catalog, width=120)"
    )
    subprocess.run([PYTHON, "-c", rewrap, *map(str, ROOT.glob("locale/*/LC_MESSAGES/django.po"))], check=True)
    manage("compile_catalogues")
    return 0


def main(argv):
    command = argv[0] if argv else None
    if command == "run":
        return run()
    if command == "test":
        return test(argv[1:])
    if command == "sprite":
        return sprite()
    if command == "messages":
        return messages()
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
