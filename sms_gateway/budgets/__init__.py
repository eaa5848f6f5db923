"""Spend per country and overall, per day and month, against the caps operators set."""
