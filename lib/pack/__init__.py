"""The board pack: a meeting's performance report as PowerPoint (native charts) and PDF, from the app's figures."""
