"""Personal-data scrubbing of documents (tickets by default) before anything is embedded or stored."""
