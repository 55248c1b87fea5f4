"""Use cases and their helpers; each takes the request's Session.

Use cases that write commit their own transaction once and, decorated with
``uow.transactional``, roll back everything they did when they refuse; helpers that say "the
caller commits" (``users.revoke_tokens``, ``sessions.end_user_sessions``) run inside them.
"""
