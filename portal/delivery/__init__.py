"""Delivery: the outbox written with each submission, and the worker that takes each
application to its inbox's channel, exactly once in effect."""
