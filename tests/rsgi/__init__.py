"""The service under granian's RSGI interface (app/rsgi.py)."""
