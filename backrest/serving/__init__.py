"""Serving backrest with waitress, and stopping it without losing a request (``egg:backrest#waitress``)."""
