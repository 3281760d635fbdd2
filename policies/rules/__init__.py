"""Rules grouped by service; each module ends with the list of rules it contributes."""
