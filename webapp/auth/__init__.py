"""Accounts: sign-in, roles, invitations, password resets, user administration, audit log."""
