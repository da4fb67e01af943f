"""The page a reach-out reminder links to: "I reached out", one tap, without signing in."""

from django.contrib import messages
from django.core import signing
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext

from recovery_network.notifications.delivery import mark_read
from recovery_network.notifications.dispatch import refresh_subjects
from recovery_network.notifications.models import Delivery, Notification

from .models import Channel, Supporter
from .notification_kinds import ReachOut, read_reached_out_token
from .services import log_contact


def _invalid_link(request, status, expired=False):
    return render(request, "notifications/link_invalid.html", {"expired": expired}, status=status)


def reached_out(request, token):
    """The one-tap "I reached out" from a reach-out nudge: logs a contact once, without signing in.

    GET shows the button (an email scanner following the link must not log a
    contact); POST logs it. The link is signed, names one delivery and one
    supporter, expires, and works once.
    """
    try:
        delivery_id, supporter_id = read_reached_out_token(token)
    except signing.SignatureExpired:
        return _invalid_link(request, 410, expired=True)
    except signing.BadSignature:
        return _invalid_link(request, 404)
    delivery = Delivery.objects.filter(pk=delivery_id, kind=ReachOut.key, subject_id=supporter_id).first()
    supporter = (
        Supporter.objects.active()
        .select_related("owner")
        .filter(pk=supporter_id, owner_id=delivery.recipient_id)
        .first()
        if delivery
        else None
    )
    signed_in_as_someone_else = request.user.is_authenticated and delivery and request.user.pk != delivery.recipient_id
    if supporter is None or signed_in_as_someone_else:
        return _invalid_link(request, 404)

    channel = request.POST.get("channel") or supporter.preferred_channel or Channel.PHONE
    if channel not in Channel.values:
        channel = Channel.PHONE
    if request.method == "POST":
        now = timezone.now()
        with transaction.atomic():
            first_time = Delivery.objects.filter(pk=delivery.pk, acted_at__isnull=True).update(acted_at=now)
            if first_time:
                # A note of the person's own, which they may edit: in their language, whoever's browser opened the link.
                with translation.override(supporter.owner.language):
                    note = gettext("Logged from a reminder.")
                log_contact(supporter, happened_at=now, channel=channel, note=note)
                notification = Notification.objects.filter(delivery=delivery).first()
                if notification:
                    mark_read(notification.recipient, [notification.pk], now)
        refresh_subjects(ReachOut.key, [supporter.pk])
        if request.user.is_authenticated:
            messages.success(
                request, gettext("Logged: you reached out to %(name)s. Well done.") % {"name": supporter.name}
            )
            return redirect("notifications:index")
        return redirect(request.path)
    context = {
        "supporter": supporter,
        "done": delivery.acted_at is not None,
        "channel": channel,
        "channels": Channel.choices,
    }
    return render(request, "notifications/reached_out.html", context)
