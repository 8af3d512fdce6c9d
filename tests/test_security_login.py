"""Admin login limits lock out the attacker, not the administrator, with or without a proxy."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

from sitecontent.settings.base import client_address_settings

from .conftest import PRODUCTION_ENV, run_django

ADMIN = ("boss", "right-password-1")
ATTACKER = "198.51.100.7"
ADMINISTRATOR = "203.0.113.5"
PROXY = "10.0.0.2"


@pytest.fixture
def boss(django_user_model):
    return django_user_model.objects.create_superuser(ADMIN[0], "boss@example.org", ADMIN[1])


def log_in(password, **meta):
    return Client().post(
        "/admin/login/?next=/admin/", {"username": ADMIN[0], "password": password}, **meta
    )


def signed_in(response):
    return response.status_code == 302 and response["Location"] == "/admin/"


def attack(**meta):
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        assert not signed_in(log_in("wrong", **meta))


def test_directly_exposed_a_spoofed_forwarded_for_is_ignored(db, boss):
    # The attacker claims to be the administrator's address: it is their own that counts.
    attack(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=ADMINISTRATOR)
    assert signed_in(log_in(ADMIN[1], REMOTE_ADDR=ADMINISTRATOR))
    # And a new header on every try does not get the attacker more guesses.
    attack(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="192.0.2.1")
    locked = log_in(ADMIN[1], REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert not signed_in(locked)


@pytest.fixture
def behind_one_proxy(settings):
    for name, value in client_address_settings(proxy_count=1).items():
        setattr(settings, name, value)


def via_proxy(client_address, spoofed=None):
    """What the proxy passes on: the client's own header, then the address it saw appended
    (like nginx's proxy_add_x_forwarded_for)."""
    forwarded = f"{spoofed}, {client_address}" if spoofed else client_address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}


def test_behind_a_proxy_an_attacker_does_not_lock_out_the_administrator(db, boss, behind_one_proxy):
    attack(**via_proxy(ATTACKER))
    assert signed_in(log_in(ADMIN[1], **via_proxy(ADMINISTRATOR)))


def test_behind_a_proxy_a_spoofed_address_does_not_change_who_is_locked(db, boss, behind_one_proxy):
    attack(**via_proxy(ATTACKER, spoofed=ADMINISTRATOR))
    assert signed_in(log_in(ADMIN[1], **via_proxy(ADMINISTRATOR)))
    # The attacker is locked out whatever address they claim next.
    assert not signed_in(log_in(ADMIN[1], **via_proxy(ATTACKER, spoofed="192.0.2.1")))


def test_without_the_proxy_setting_everyone_behind_the_proxy_shares_one_lock(db, boss):
    # Why the setting exists: the proxy's address is all that the site sees.
    attack(**via_proxy(ATTACKER))
    assert not signed_in(log_in(ADMIN[1], **via_proxy(ADMINISTRATOR)))


@pytest.mark.processes
def test_the_proxy_count_comes_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.AXES_IPWARE_PROXY_COUNT, s.AXES_IPWARE_META_PRECEDENCE_ORDER[0])"
    )
    behind = run_django(code, **PRODUCTION_ENV, DJANGO_TRUSTED_PROXY_COUNT="2")
    assert behind.stdout.split() == ["1", "HTTP_X_FORWARDED_FOR"], behind.stderr
    direct = run_django(code, **PRODUCTION_ENV)
    assert direct.stdout.split() == ["None", "REMOTE_ADDR"], direct.stderr


def test_behind_two_proxies_the_address_the_outer_one_saw_counts(db, boss, settings):
    for name, value in client_address_settings(proxy_count=2).items():
        setattr(settings, name, value)
    outer = "10.0.0.9"
    attack(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{ADMINISTRATOR}, {ATTACKER}, {outer}")
    forwarded = f"{ADMINISTRATOR}, {outer}"
    assert signed_in(log_in(ADMIN[1], REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded))


def test_behind_a_proxy_the_report_limit_counts_each_client(db, seeded, behind_one_proxy, settings):
    from platforms.models import Cell

    settings.CLAIM_REPORTS_PER_HOUR = 2
    cell = Cell.objects.filter(level="partial").first()
    data = {
        "cell": cell.pk,
        "website": "",
        "message": "Live engagement became full support in March; the note is out of date.",
    }

    def report(address, spoofed=None):
        return Client().post(f"/report/?cell={cell.pk}", data, **via_proxy(address, spoofed))

    assert [report(ATTACKER).status_code for _ in range(3)] == [302, 302, 429]
    assert report(ATTACKER, spoofed="192.0.2.44").status_code == 429
    assert report(ADMINISTRATOR).status_code == 302
