"""Infrastructure every layer above may use: where data lives (paths), bundled resources,
secrets in the OS keyring, logging, safe file writes and the settings file. Imports only core."""
