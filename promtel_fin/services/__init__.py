"""Use cases: each takes a Session and the acting user, and owns its transaction."""
