"""Reports (tin báo): /report and /track, triage by the handlers, lists, routing settings,
escalation, and mediation (hòa giải).

``service.py`` holds the use cases (submit, change status, reopen, escalate); ``model.py``
the categories, statuses and codes; ``texts.py`` the cards; ``screens*.py`` the chat.
"""
