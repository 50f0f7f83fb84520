"""How Klyngebot is run. Three kinds of thing, a folder each:

- deploy/rasa/: what runs inside Rasa, its plug-ins and its command line with the project's fixes, tied to the
  Rasa version constraints.txt pins;
- deploy/ itself: what writes Rasa's endpoints and channel credentials from the environment (and a .env file,
  so that nothing secret lives in the repository: rasa_config.py), trains the model, and starts and supervises
  the processes (local.py for `make run` and the tests, serve.py with proxy.py and nginx/ for production,
  processes.py, action_server.py, console.py);
- deploy/apps/: what builds the app packages installed in Slack and Teams."""
