"""How Klyngebot is wired to its services: Rasa's endpoints and channel credentials, made from the
environment (and a .env file) so that nothing secret lives in the repository."""
