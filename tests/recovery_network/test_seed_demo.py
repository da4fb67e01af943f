import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from recovery_network import demo
from recovery_network.models import User

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_creates_the_documented_accounts_ready_to_sign_in(settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    for person in demo.DEMO_PEOPLE:
        user = User.objects.get(email=person.email)
        assert user.check_password(demo.DEMO_PASSWORD)
        assert EmailAddress.objects.get(user=user).verified
    response = client.post("/accounts/login/", {"login": "alex@example.com", "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302
    assert response.url == "/"


def test_seed_demo_is_idempotent_and_scales(settings):
    settings.DEBUG = True
    call_command("seed_demo", scale=25)
    counts = (User.objects.count(), EmailAddress.objects.count())
    call_command("seed_demo", scale=25)
    assert (User.objects.count(), EmailAddress.objects.count()) == counts == (28, 28)
    call_command("seed_demo", scale=30)
    assert User.objects.filter(email__endswith=demo.SCALE_DOMAIN).count() == 30
    zones = set(User.objects.filter(email__endswith=demo.SCALE_DOMAIN).values_list("time_zone", flat=True))
    assert len(zones) > 3  # varied people, not 30 copies


def test_readme_prints_the_demo_passwords():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert demo.DEMO_PASSWORD in readme
    for person in demo.DEMO_PEOPLE:
        assert person.email in readme
