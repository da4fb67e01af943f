"""Racing answers on PostgreSQL: one invitation link, pressed at once on two phones, makes one grant."""

import threading

import pytest
from django.db import connection

from recovery_network.care import sharing
from recovery_network.care.models import AccessEvent, Grant, Invitation
from tests.factories import UserFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def in_threads(count, work):
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except sharing.InvitationProblem as problem:
            results[index] = problem.code
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


def test_accepting_the_same_invitation_at_once_makes_one_grant():
    owner = UserFactory(email="owner@example.org")
    invitee = UserFactory(email="mum@example.org")
    invitation = sharing.invite(owner, invitee.email)
    results = in_threads(4, lambda index: sharing.accept_invitation(invitation, invitee))
    assert sum(isinstance(result, Grant) for result in results) == 1
    assert results.count("used") == 3
    assert Grant.objects.filter(owner=owner, viewer=invitee).count() == 1
    assert AccessEvent.objects.filter(owner=owner, action="invitation_accepted").count() == 1


def test_accept_racing_withdraw_ends_one_way_only():
    owner = UserFactory(email="owner@example.org")
    invitee = UserFactory(email="mum@example.org")
    invitation = sharing.invite(owner, invitee.email)
    in_threads(
        2,
        lambda index: (
            sharing.accept_invitation(invitation, invitee) if index == 0 else sharing.withdraw_invitation(invitation)
        ),
    )
    invitation = Invitation.objects.get(pk=invitation.pk)
    accepted = Grant.objects.filter(viewer=invitee).exists()
    assert accepted == (invitation.accepted_at is not None)
    assert (invitation.accepted_at is None) != (invitation.withdrawn_at is None)
