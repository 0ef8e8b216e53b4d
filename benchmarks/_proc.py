"""Run the ``xiangtan-nlp`` command in a fresh process and measure it: wall time, CPU time, and
peak memory (Linux /proc), for the hostile-input and memory benchmarks.

Peak memory is read two ways. ``VmHWM`` of the command's own process, written by the process
itself at exit: a fresh interpreter's own peak (``ru_maxrss`` of a child would carry over the
parent's peak through fork and exec). And the peak of the *sum* of resident memory over the
process and its worker processes, sampled every 50 ms: workers are separate processes whose
memory the first figure does not see.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# the command, in a process that writes its own VmHWM (MiB) to $XT_BENCH_HWM when it exits
_RUN = (
    "import atexit, os, re\n"
    "def _hwm():\n"
    "    kb = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1])\n"
    "    open(os.environ['XT_BENCH_HWM'], 'w').write(str(kb / 1024))\n"
    "atexit.register(_hwm)\n"
    "import sys\n"
    "from xiangtan_nlp.cli import main\n"
    "main(sys.argv[1:])\n"
)


@dataclass
class Run:
    """What one command run cost."""

    status: int
    seconds: float
    cpu_self: float  # CPU seconds of the command's own process (user + system)
    cpu_children: float  # CPU seconds of its workers
    hwm_mib: float  # the command process's own peak (VmHWM)
    tree_mib: float  # peak of resident memory summed over the process and its workers (sampled)
    stderr: str


def _descendants(pid: int) -> list[int]:
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                kids = [int(x) for x in f.read().split()]
        except OSError:
            continue
        out.extend(kids)
        stack.extend(kids)
    return out


def _rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cpu(pid: int) -> tuple[float, float]:
    """(own, reaped children's) CPU seconds of a live process, from /proc/PID/stat."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, 0.0
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick


def run_cli(args: list[str]) -> Run:
    """Run ``xiangtan-nlp ARGS`` in a fresh interpreter and measure it."""
    with tempfile.TemporaryDirectory() as tmp:
        hwm_file = Path(tmp) / "hwm"
        env = {**os.environ, "XT_BENCH_HWM": str(hwm_file)}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", _RUN, *args], stderr=subprocess.PIPE, env=env, text=True)
        tree = 0.0
        cpu = (0.0, 0.0)
        import threading

        err: list[str] = []
        reader = threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        while proc.poll() is None:
            pids = [proc.pid, *_descendants(proc.pid)]
            tree = max(tree, sum(_rss_mib(p) for p in pids))
            cpu = _cpu(proc.pid) if proc.poll() is None else cpu  # the last reading before it exits
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        reader.join()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        total = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        hwm = float(hwm_file.read_text()) if hwm_file.exists() else float("nan")
    own = cpu[0]
    return Run(proc.returncode, seconds, own, max(total - own, 0.0), hwm, tree, err[0] if err else "")


def load_average() -> str:
    """The machine's load (1, 5, 15 minutes) and cores: wall-clock figures mean little on a busy machine."""
    la = os.getloadavg()
    return f"load average {la[0]:.1f} {la[1]:.1f} {la[2]:.1f} on {os.cpu_count()} cores"
