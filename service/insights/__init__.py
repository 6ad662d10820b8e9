"""Insights: what the answers say, compiled into themes (issue 13)."""
