"""Build the labelled chaff training corpus (content / consent / navigation)."""
