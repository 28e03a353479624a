"""Modules generated from the Designer files in ui/ (see scripts/build_ui.py)."""
