"""Operator analytics (metrics, questions, forecast), customer feedback and agent corrections, customer profiles."""
