"""Keeping nothing longer than needed (to be written)."""


def apply(now=None):
    return {}
