"""SQLite storage: the connection, numbered migrations and one repository module per aggregate.

Nothing here imports the bot's settings, handlers or transports.
"""
