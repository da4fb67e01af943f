"""How a person is named where others read about them: the access log, a caseload's roster."""


def actor_label(actor):
    """ "Name (email)" of who did something, or the service itself when no person did."""
    if actor is None:
        return "Recovery Network"
    return f"{actor.name} ({actor.email})"
