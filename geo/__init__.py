"""Panj: the Tajikistan-Afghanistan frontier, its layers and the events one article reports on it."""
