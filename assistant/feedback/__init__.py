"""What customers and agents say about the answers: thumbs, CSAT, and agents' corrected answers."""
