"""Information items: what the portal keeps of fetched data, cleaned and minimised (DESIGN §4)."""
