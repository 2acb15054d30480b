"""Registrations: forum set-up, delegations, open registration, waitlist, check-in, exports."""
