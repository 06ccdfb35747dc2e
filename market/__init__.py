"""Tianguis Solidario: a marketplace for Mexico's social and solidarity economy."""
