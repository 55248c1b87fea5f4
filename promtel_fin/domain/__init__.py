"""Pure-Python rules of the PROMTEL/FOCIR scheme: no Flask, no SQLAlchemy, no marshmallow."""
