"""A stand-in for the "midi" package that rnnrbm.py imports (see utils.py)."""
