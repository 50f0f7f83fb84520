"""`make bench`: every benchmark, printed, and written to docs/benchmarks.md with the machine and date."""
import datetime as dt
import os
import platform
from pathlib import Path

from bench import dialogue, engine, nlu, scale, sme, training

header = (f"# Klyngebot benchmarks\n\n{dt.datetime.now():%Y-%m-%d %H:%M}, {platform.node()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {platform.machine()}\n")
print(header)
lines = []
for section, module in (("Engine", engine), ("SME rules", sme), ("NLU (held-out set)", nlu), ("Dialogue over REST", dialogue),
                        ("One address, several processes (nginx, make serve)", scale), ("Training", training)):
    print(f"## {section}")
    results = module.run()
    for line in results:
        print(line)
    lines += [f"## {section}", "", *[f"- {line}" for line in results], ""]
Path("docs").mkdir(exist_ok=True)
Path("docs/benchmarks.md").write_text(header + "\n" + "\n".join(lines), encoding="utf-8")
