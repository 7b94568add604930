"""Admin: linking groups, granting and revoking roles, and the residential areas."""
