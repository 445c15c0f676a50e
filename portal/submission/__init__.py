"""Sending an application: the check before signing, the signatures, the frozen exchange document and the
hand-over to the delivery outbox. Drafts and the household stay in ``portal/application``."""
