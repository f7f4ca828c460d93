"""Signed outgoing webhooks (Standard Webhooks): endpoints per event, an outbox of deliveries
written in the transaction of the change they report, sent by the job queue after commit."""
