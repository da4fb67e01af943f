"""Emails from templates: a subject, a plain-text body and an HTML body rendered from one context.

Every reminder email is discreet. The subject line is the same for every kind
("A note from Recovery Network"), and the first lines of both bodies — what a
phone shows as the preview on a lock screen — say only that a note is waiting.
The details come after, where only someone who opens the email reads them.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import select_template
from django.urls import reverse
from django.utils.translation import gettext as _

from .preferences import absolute, unsubscribe_url


def message_id(delivery):
    """Stable per delivery: a send repeated after a crash carries the same Message-ID."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "localhost"
    return f"<delivery-{delivery.pk}-{delivery.kind}@{domain}>"


def reminder_subject():
    """The one subject line of every reminder email: "A note from <site>" in the active language, unless the site
    set a subject of its own (settings.REMINDER_EMAIL_SUBJECT from the environment), which is used as it is."""
    own, default = settings.REMINDER_EMAIL_SUBJECT, f"A note from {settings.SITE_NAME}"
    if own != default:
        return own
    return _("A note from %(site_name)s") % {"site_name": settings.SITE_NAME}


def reminder_email(delivery, kind, message):
    recipient = delivery.recipient
    unsubscribe = unsubscribe_url(recipient, kind.key)
    context = {
        "recipient": recipient,
        "kind": kind,
        "message": message,
        "url": absolute(message.url),
        "action_url": absolute(message.action_url),
        "unsubscribe_url": unsubscribe,
        "preferences_url": absolute(reverse("notifications:preferences")),
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
    }
    # A kind may bring its own body templates; otherwise the shared one is used.
    text_template = select_template([f"emails/kinds/{kind.key}.txt", "emails/reminder.txt"])
    html_template = select_template([f"emails/kinds/{kind.key}.html", "emails/reminder.html"])
    email = EmailMultiAlternatives(
        subject=reminder_subject(),
        body=text_template.render(context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={
            "Message-ID": message_id(delivery),
            # RFC 8058 one-click unsubscribe: mail providers POST to the link.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    email.attach_alternative(html_template.render(context), "text/html")
    return email
