"""The benchmark's CPU accounting (``bench/http.py``): what the workers (the children of
gunicorn's master), PostgreSQL and the client spend, read from ``/proc``. Linux only."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

if not os.path.isdir("/proc/self/task"):
    pytest.skip("reads /proc (Linux)", allow_module_level=True)

from bench.http import Cpu, Result, _processes

# A child that names itself awkwardly (a parenthesis and a space, as /proc/PID/stat shows it
# between parentheses), burns about half a second of CPU, then waits to be told to end.
BURN = """
import sys, time
with open('/proc/self/comm', 'w') as comm:
    comm.write('w) (x')
end = time.process_time() + 0.5
while time.process_time() < end:
    pass
print('done', flush=True)
sys.stdin.readline()
"""


def test_a_childs_cpu_counts_as_the_workers_and_its_odd_name_is_read() -> None:
    before = Cpu.now(os.getpid())
    with subprocess.Popen([sys.executable, "-c", BURN], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None and child.stdin is not None
        try:
            assert child.stdout.readline().strip() == "done"
            found = [p for p in _processes() if p[0] == child.pid]
            assert found and found[0][1] == os.getpid() and found[0][2] == "w) (x"
            spent = Cpu.now(os.getpid()) - before
            assert 0.4 <= spent.workers <= 2.0, spent
            assert spent.moment > 0
            # Another parent's children are not this one's workers.
            assert Cpu.now(child.pid).workers == 0.0
        finally:
            child.stdin.write("\n")
            child.stdin.flush()


def test_the_clients_own_cpu_is_counted() -> None:
    # os.times counts in clock ticks (10 ms here): allow two of them.
    before = Cpu.now(os.getpid())
    end = time.process_time() + 0.3
    while time.process_time() < end:
        pass
    assert (Cpu.now(os.getpid()) - before).client >= 0.3 - 2 / os.sysconf("SC_CLK_TCK")


def test_rounds_add_up_and_costs_are_per_answered_request() -> None:
    total = Result()
    for _ in range(2):
        total.add(Result(latencies=[0.01] * 50, seconds=1.0,
                         cpu=Cpu(workers=0.5, postgres=0.1, client=0.05, moment=1.0)))
    assert len(total.latencies) == 100 and total.seconds == 2.0
    cost = total.cpu_ms()
    assert cost["workers"] == pytest.approx(10.0)     # 1 s over 100 answers
    assert cost["postgres"] == pytest.approx(2.0)
    assert cost["client"] == pytest.approx(1.0)
    assert cost["machine"] == pytest.approx(1000 * (os.cpu_count() or 1) * 2.0 / 100)
