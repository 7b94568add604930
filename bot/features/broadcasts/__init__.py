"""Broadcasts: awareness messages from the commune police, sent now or on a schedule (dates,
weekdays, lunar days), the built-in library of messages, and residents' subscriptions.

``service.py`` runs what is due (the fan-out through the outbox); ``rules.py`` computes when a
schedule runs next; ``screens*.py`` are the chat screens.
"""
