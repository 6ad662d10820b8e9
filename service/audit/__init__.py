"""The audit trail: who did or read what, per tenant and for the platform; append-only."""
