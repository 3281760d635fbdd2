"""ComponentResources of the trading platform and the typed stack-config model."""
