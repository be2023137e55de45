from __future__ import annotations


class BackupError(Exception):
    """A backup, restore or export could not be done; the message says why, for the operator."""
