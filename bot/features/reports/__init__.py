"""Reports and tips: pure logic (no database, no chat), shared by handlers, storage and tests."""
