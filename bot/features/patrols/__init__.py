"""Patrols (tuần tra): pure logic shared by the handlers and, later, the statistics feature.

Nothing here talks to Telegram; :mod:`bot.features.patrols.figures` reads SQLite only through the
repository :mod:`bot.storage.patrols`.
"""
