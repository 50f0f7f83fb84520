"""`make bench`: every benchmark, printed, and written to docs/benchmarks.md with the machine, its load and the date.
`python -m bench dialogue long` runs only the sections named, prints them and writes nothing."""
import datetime as dt
import os
import platform
import sys
from pathlib import Path

from bench import dialogue, engine, length, long, nlu, scale, sme, training, understanding

SECTIONS = {
    "engine": ("Engine", engine),
    "sme": ("SME rules", sme),
    "nlu": ("NLU (held-out set)", nlu),
    "understanding": ("Understanding people, by who wrote the conversations", understanding),
    "dialogue": ("Dialogue over REST, beside the `rasa init` bot", dialogue),
    "long": ("A long conversation", long),
    "length": ("Time per message against its length", length),
    "scale": ("One address, several processes (nginx, make serve)", scale),
    "training": ("Training", training),
}

chosen = sys.argv[1:] or list(SECTIONS)
unknown = [name for name in chosen if name not in SECTIONS]
if unknown:
    print(f"error: no benchmark {', '.join(unknown)}; there are {', '.join(SECTIONS)}", file=sys.stderr)
    sys.exit(2)
header = (f"# Klyngebot benchmarks\n\n{dt.datetime.now():%Y-%m-%d %H:%M}, {platform.node()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {platform.machine()}, load average {os.getloadavg()[0]:.1f} at the "
          f"start\n")
print(header)
lines = []
for name in chosen:
    section, module = SECTIONS[name]
    print(f"## {section}", flush=True)
    results = module.run()
    for line in results:
        print(line, flush=True)
    lines += [f"## {section}", "", *[f"- {line}" for line in results], ""]
lines.append(f"Load average {os.getloadavg()[0]:.1f} at the end.")
if chosen == list(SECTIONS):
    Path("docs").mkdir(exist_ok=True)
    Path("docs/benchmarks.md").write_text(header + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
