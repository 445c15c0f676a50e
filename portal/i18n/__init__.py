"""Languages: locale choice (cookie > Accept-Language > Swedish), text direction, formatting."""
