"""Teacher accounts, sign-in tokens, pupils' access links and rate limits."""
