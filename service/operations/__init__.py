"""Use cases. They flush when they need database-generated values but never commit.

Views (and CLI commands) own the transaction: one request, one commit.
"""
