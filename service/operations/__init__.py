"""Use cases. They flush when they need database-generated values but never commit: views own the transaction."""
