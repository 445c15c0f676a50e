"""Login (OIDC), sessions, the actor and subject of every request, and access decisions."""
