"""What runs inside Rasa: the plug-ins Rasa loads by the class paths that config.yml and deploy/rasa_config.py
name (the dialogue policy, the tracker store and the copies it keeps through an outage, the lock store), and Rasa's
own command line with the project's fixes (rasa_server.py). They subclass and patch Rasa's internals, so they are
written for one Rasa version, Rasa 3.6.21, the one constraints.txt pins (tests/integration/deploy/test_deploy.py holds the two
together); a new Rasa is taken only with these files read against its code and their tests run. A trained model
records the policy's class path: moving turn_policy.py means training again.

Their settings come from deploy/rasa_config.py, which writes Rasa's files from the environment; nothing that
starts or supervises processes imports them: those start Rasa, and Rasa loads these."""
