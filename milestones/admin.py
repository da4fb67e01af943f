"""Nothing here is in the admin, on purpose.

Journeys, check-ins, setbacks, goals, encouragement and calendar feeds are a person's
recovery itself. Staff have no operational need for any of it, and a person shares it
only through `recovery_network.care.sharing`, which logs every look. The module stays so that
adding an admin here is a visible decision.
"""
