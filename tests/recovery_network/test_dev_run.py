"""`python3 dev.py run`: what it hands the three processes."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_dev():
    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_links_sent_by_the_worker_open_the_web_server(monkeypatch):
    """honcho sets PORT per process (the worker's is the web's + 100): SITE_URL must be set from the web's."""
    dev = load_dev()
    seen = {}
    monkeypatch.setenv("PORT", "8765")
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.setattr(dev, "ensure_virtualenv", lambda: None)
    monkeypatch.setattr(dev, "manage", lambda *args: None)
    monkeypatch.setattr(dev.subprocess, "call", lambda command, cwd, env: seen.update(env) or 0)
    assert dev.run() == 0
    assert seen["SITE_URL"] == "http://127.0.0.1:8765"
