"""Errors a user can cause. Commands print them and exit 1; nothing here is a bug."""

from __future__ import annotations


class UserError(Exception):
    """A mistake in input (a policy, a site, a flag) that the user can fix.

    The message must say what is wrong, where, and how to fix it.
    """
