"""What `make run` and `make train` show (deploy/console.py): the known harmless noise goes, a real warning or error
stays, training's progress is one line per stage, and the chat's address comes once Rasa is up."""
import io
import subprocess
import sys

from deploy.console import Console, lines_of, show
from deploy.processes import ROOT

SITE = "/work/.venv/lib/python3.10/site-packages"
NOISE = f"""{SITE}/rasa/core/tracker_store.py:1044: MovedIn20Warning: Deprecated API features detected! These feature(s) are not compatible with SQLAlchemy 2.0.
  Base: DeclarativeMeta = declarative_base()
{SITE}/pkg_resources/__init__.py:3117: DeprecationWarning: Deprecated call to `pkg_resources.declare_namespace('ruamel')`.
Implementing implicit namespace packages (as specified in PEP 420) is preferred to `pkg_resources.declare_namespace`.
  declare_namespace(pkg)
2026-11-25 21:24:17.186010: I tensorflow/tsl/cuda/cudart_stub.cc:28] Could not find cuda drivers on your machine, GPU will not be used.
{SITE}/matplotlib/fontconfig_pattern.py:66: PyparsingDeprecationWarning: 'setParseAction' deprecated - use 'set_parse_action'
  ).setParseAction(self._family)
{SITE}/rasa/core/tracker_store.py:1166: SADeprecationWarning: Calling URL() directly is deprecated and will be disabled in a future release.  The public constructor for URL is now the URL.create() method.
  return sa.engine.url.URL(
\x1b[93m{SITE}/rasa/shared/utils/io.py:100: UserWarning: 'RulePolicy' is not included in the model's policy configuration. Default intents such as 'restart' and 'back' will not trigger actions 'action_restart' and 'action_back'.
  More info at https://rasa.com/docs/rasa/default-actions
\x1b[0m"""


def shown(text: str, **options) -> list[str]:
    said: list[str] = []
    show(lines_of(io.StringIO(text)), Console(said.append, **options))
    return said


def test_the_known_noise_goes_and_a_real_warning_stays():
    real = f"{SITE}/rasa/shared/utils/io.py:99: UserWarning: Action 'action_x' is not in the domain.\n  warnings.warn(x)\n"
    assert shown(NOISE) == []
    assert shown(NOISE + real + "ERROR rasa.core - something broke\n") == [
        f"{SITE}/rasa/shared/utils/io.py:99: UserWarning: Action 'action_x' is not in the domain.",
        "  warnings.warn(x)", "ERROR rasa.core - something broke"]


def test_training_shows_its_stages_and_a_line_per_tenth_of_the_epochs():
    bars = "".join(f"Epochs:  {n}%|█  | {n}/20 [00:0{n % 10}<00:10, 1.2it/s, t_loss=3.1]\r" for n in range(21))
    log = ("2026-11-25 21:40:22 INFO     rasa.cli.train  - Started validating domain and training data...\n"
           + "Processed rules:   0%|  | 0/35 [00:00<?, ?it/s, # trackers=1]\r" * 3 + "\n"
           "2026-11-25 21:40:39 INFO     rasa.engine.training.hooks  - Starting to train component 'DIETClassifier'.\n"
           + bars + "\n2026-11-25 21:41:39 INFO     rasa.engine.training.hooks  - Finished training component.\n")
    assert shown(log, progress=True) == ["    validating the domain and training data", "    training DIETClassifier",
                                         *[f"    DIETClassifier: epoch {n}/20" for n in range(2, 21, 2)]]


def test_the_chat_address_is_said_once_rasa_is_up():
    done = subprocess.run([sys.executable, "-m", "deploy.console", "http://127.0.0.1:5005/webhooks/webchat/chat/"],
                          cwd=ROOT, input=NOISE + "2026-11-25 INFO rasa.core.run - Rasa server is up and running.\n",
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.splitlines() == ["2026-11-25 INFO rasa.core.run - Rasa server is up and running.", "",
                                        "==> Klyngebot is ready. Open the chat at "
                                        "http://127.0.0.1:5005/webhooks/webchat/chat/  (Ctrl-C stops it)", ""]
