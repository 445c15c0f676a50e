"""The append-only audit log of every read and change of personal data."""
