import platform
import datetime as dt
import os

from bench import engine

print(f"# Klyngebot benchmarks, {dt.datetime.now():%Y-%m-%d %H:%M}, {platform.node()}, "
      f"{os.cpu_count()} cores, Python {platform.python_version()}")
for line in engine.run():
    print(line)
