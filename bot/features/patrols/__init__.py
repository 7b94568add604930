"""Patrols (tuần tra): live patrols, patrols copied from the notebook, weekly rosters,
corrections, patrol figures and exports, and house watch (/trongnha) for residents away.

``service.py`` holds the use cases; ``backfill.py``, ``kinds.py``, ``observing.py``,
``roster.py`` and ``figures.py`` the rules; ``screens*.py`` the chat.
"""
