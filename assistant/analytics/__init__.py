"""What the service learns from its own records: metrics, hot questions and knowledge gaps, the volume forecast,
customer profiles. Definitions are pure functions over plain records (`records.py`) so they can be checked by hand."""
