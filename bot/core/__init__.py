"""The chat-neutral core: events in, replies out, one command registry, permissions."""
