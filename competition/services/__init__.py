"""Transactions that use the domain core. Services change the session and flush; they never commit.

The caller owns the unit of work: the API's `transactional` decorator or a command-line command
commits once, so that a change, its audit entry and its idempotency record land together.
"""
