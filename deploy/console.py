"""What `make run` and `make train` show: Rasa's and its libraries' output with the noise known to be harmless left
out, so that a real warning or error stands out, and training's progress as one line per stage.

Known noise: deprecation warnings that Rasa 3.6's pinned dependencies raise about each other (SQLAlchemy 2.0,
pkg_resources, pyparsing, Click, jax), TensorFlow's start-up notes about CPU instructions and missing GPUs, the
progress bars of steps that take no time, and training's warning that RulePolicy is missing (deploy/rasa/turn_policy.py
does its work, /restart included). Anything else is passed on as it comes. `python -m deploy.console`
filters standard input to standard output (scripts/run pipes the servers through it)."""
from __future__ import annotations

import re
import signal
import sys
from typing import Callable, Iterable, Iterator, Optional, TextIO

# A warning line names the file and line it was raised at; its next line (indented) is that source line.
_WARNING = re.compile(r"^\S+\.py:\d+: (\w+Warning): (.*)$")
KNOWN_WARNINGS = re.compile(
    r"MovedIn20Warning|pkg_resources|declare_namespace|Implementing implicit namespace packages|"
    r"xla_computation|PyparsingDeprecationWarning|deprecated - use '|split_arg_string|load_module\(\)|"
    r"non-integer arguments to randrange|Slot auto-fill has been removed|distutils Version classes|"
    r"np\.bool8|The default value of `n_init`|datetime\.datetime\.utcnow|Calling URL\(\) directly is deprecated|"
    r"'RulePolicy' is not included in the model's policy configuration")
KNOWN_LINES = re.compile(
    r"^\S* ?[\d:. -]*\s*[IW] tensorflow/|oneDNN custom operations|Could not find cuda drivers|TF-TRT Warning|"
    r"cpu_feature_guard|To enable the following instructions|rebuild TensorFlow with the appropriate|"
    r"Executor start aborting|\[\[\{\{node Placeholder|^Processed (rules|trackers|actions|story blocks)|"
    r"^\s*$|^Implementing implicit namespace packages")
_EPOCHS = re.compile(r"Epochs:\s+\d+%.*?\|\s*(\d+)/(\d+) \[")
_COMPONENT = re.compile(r"Starting to train component '(\w+)'")
READY = "Rasa server is up and running"
COLOUR_RESET = "\x1b[0m"


class Console:
    """Turns a child's output into what a person should see; `say` receives each line to show."""

    def __init__(self, say: Callable[[str], None], on_ready: Optional[Callable[[], None]] = None,
                 progress: bool = False):
        self.say, self.on_ready, self.progress = say, on_ready, progress
        self._skip_source = False
        self._component: Optional[str] = None
        self._epoch_shown = -1

    def feed(self, line: str) -> None:
        line = line.rstrip("\n")
        if self._skip_source:  # the rest of a known warning: its source line, its indented continuation
            if line.startswith((" ", "\t")) or KNOWN_LINES.search(line):
                return
            self._skip_source = False
            line = line.removeprefix(COLOUR_RESET)  # Rasa colours its warnings and resets on the next line
        warning = _WARNING.match(line)
        if warning and KNOWN_WARNINGS.search(line):
            self._skip_source = True
            return
        if KNOWN_LINES.search(line):
            return
        epochs = _EPOCHS.search(line)
        if epochs:
            self._epoch(int(epochs.group(1)), int(epochs.group(2)))
            return
        component = _COMPONENT.search(line)
        if component and self.progress:
            self._component = component.group(1)
            self.say(f"    training {self._component}")
            return
        if self.progress and "Started validating domain and training data" in line:
            self.say("    validating the domain and training data")
            return
        if self.progress and " INFO " in line:
            return  # training's own INFO lines: the stages above say where it is
        self.say(line)
        if READY in line and self.on_ready is not None:
            self.on_ready()

    def _epoch(self, done: int, total: int) -> None:
        """One line per tenth of the epochs: enough to see it move, few enough to read."""
        step = max(total // 10, 1)
        if done and done != self._epoch_shown and (done % step == 0 or done == total):
            self._epoch_shown = done
            self.say(f"    {self._component or 'training'}: epoch {done}/{total}")


def lines_of(stream: TextIO) -> Iterator[str]:
    """A stream's lines, a progress bar's carriage returns counting as line ends too."""
    buffer = ""
    for chunk in iter(lambda: stream.read(1), ""):
        if chunk in "\r\n":
            if buffer:
                yield buffer
            buffer = ""
        else:
            buffer += chunk
    if buffer:
        yield buffer


def show(lines: Iterable[str], console: Console) -> None:
    for line in lines:
        console.feed(line)


if __name__ == "__main__":
    # Ctrl-C stops the servers; this filter goes on until they have said their last and closed the pipe.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    chat = sys.argv[1] if len(sys.argv) > 1 else None

    def ready() -> None:
        if chat:
            print(f"\n==> Klyngebot is ready. Open the chat at {chat}  (Ctrl-C stops it)\n", flush=True)

    show(lines_of(sys.stdin), Console(lambda text: print(text, flush=True), ready))
