"""Information items: what the portal keeps of fetched data, cleaned and minimised (docs/design.md §4)."""
