"""The links that are keys, for supporters who may have no account: a request to be there, an alert to answer,
and "stop alerts". Each is signed and names one row and that row's current nonce, so asking again, stopping or
being taken off the list makes every older link void; the request and the alert's links also expire.

A stop link names the address it was sent to instead of the nonce: it must keep working from any old email.
"""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare

from recovery_network import params

from .models import Alert, AlertContact

REQUEST_SALT = "reach.request"
ANSWER_SALT = "reach.answer"
STOP_SALT = "reach.stop"


def absolute(path):
    return settings.SITE_URL + path


def request_path(contact):
    token = signing.dumps([contact.pk, contact.nonce], salt=REQUEST_SALT, compress=True)
    return reverse("reach:request", args=[token])


def answer_path(alert, contact):
    token = signing.dumps([alert.pk, contact.pk, contact.nonce], salt=ANSWER_SALT, compress=True)
    return reverse("reach:answer", args=[token])


def stop_path(contact):
    token = signing.dumps([contact.pk, contact.email.lower()], salt=STOP_SALT, compress=True)
    return reverse("reach:stop", args=[token])


def people_path():
    return reverse("reach:people")


def alert_path(alert):
    return reverse("reach:alert", args=[alert.pk])


class Expired(Exception):
    """A genuine link past its time: the page says so, rather than "not found"."""


def _load(token, salt, max_age):
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise Expired from exc
    except (signing.BadSignature, ValueError, TypeError):
        return None


def _contact(pk, nonce):
    pk = params.object_id(pk)
    contact = AlertContact.objects.select_related("owner", "supporter", "user").filter(pk=pk).first() if pk else None
    if contact is None or not constant_time_compare(contact.nonce, str(nonce)):
        return None
    return contact


def contact_from_request(token):
    """The contact a request link names, None for a forged or superseded one; raises Expired when too old."""
    value = _load(token, REQUEST_SALT, dt.timedelta(days=settings.ALERT_REQUEST_MAX_AGE_DAYS))
    if not isinstance(value, list) or len(value) != 2:
        return None
    return _contact(*value)


def alert_from_answer(token):
    """(alert, contact) an alert's link names, or None; raises Expired when too old."""
    value = _load(token, ANSWER_SALT, dt.timedelta(hours=settings.ALERT_LINK_MAX_AGE_HOURS))
    if not isinstance(value, list) or len(value) != 3:
        return None
    contact = _contact(value[1], value[2])
    alert_id = params.object_id(value[0])
    if contact is None or not alert_id:
        return None
    alert = Alert.objects.select_related("owner").filter(pk=alert_id, owner_id=contact.owner_id).first()
    return (alert, contact) if alert else None


def contact_from_stop(token):
    value = _load(token, STOP_SALT, None)
    if not isinstance(value, list) or len(value) != 2:
        return None
    pk = params.object_id(value[0])
    contact = AlertContact.objects.select_related("owner", "supporter").filter(pk=pk).first() if pk else None
    if contact is None or not constant_time_compare(contact.email.lower(), str(value[1])):
        return None
    return contact
