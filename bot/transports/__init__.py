"""Transports carry events in and replies out: Telegram, and a console chat for local use."""
