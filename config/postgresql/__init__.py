"""Django's PostgreSQL backend with faster reading of timestamps (see `base`)."""
