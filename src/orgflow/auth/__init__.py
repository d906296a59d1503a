"""Sign-in: password hashes, browser sessions, API tokens, and finding who a request comes from."""
