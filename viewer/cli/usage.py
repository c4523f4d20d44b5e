"""The error a command-line mistake raises (exit status 2)."""


class UsageError(Exception):
    """A command-line mistake: exit status 2."""
