"""The web pages: customer chat widget, agent console, operator dashboard (static files over the JSON API)."""
