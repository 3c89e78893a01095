"""The Community Safety Partnership dashboard: the importable package (data layer, maths, figures, command line)."""
