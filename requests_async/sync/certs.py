"""`requests.certs` for drop-in code: `where()` names the CA bundle used by default (certifi's)."""

from certifi import where

__all__ = ["where"]
