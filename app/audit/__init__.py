"""The append-only audit log of every staff write."""
