"""Safer Leeds Executive dashboard: the importable package (data layer, maths, figures, command line)."""
