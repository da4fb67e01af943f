import factory

from recovery_network.reach.models import AlertContact
from tests.supports.factories import SupporterFactory


class AlertContactFactory(factory.django.DjangoModelFactory):
    """A supporter who has agreed to be alerted (accepted), by email, at night too."""

    class Meta:
        model = AlertContact

    supporter = factory.SubFactory(SupporterFactory, owner=factory.SelfAttribute("..owner"))
    status = AlertContact.Status.ACCEPTED
    email = factory.LazyAttribute(lambda contact: contact.supporter.email or f"{contact.supporter.pk}@example.net")
    time_zone = "America/Chicago"
    night_alerts = True
    position = factory.Sequence(lambda n: n + 1)


def accepted(owner, count, **kwargs):
    return [AlertContactFactory(owner=owner, **kwargs) for _ in range(count)]


def unsigned(link):
    """A signed link without the second it was signed and the signature over it: two links made for the same
    alert and contact a second apart differ only there."""
    return link.rsplit(":", 2)[0]
