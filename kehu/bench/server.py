"""The server under test, started exactly as `kehu serve` starts (gunicorn plus the job
consumer), on 127.0.0.1, with the memory of its whole process tree sampled while it runs."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from kehu.bench.dataset import BenchError, kehu_command

LOOPBACK = "127.0.0.1"
PORTS = range(8301, 8400)
ERROR_MARKS = ("Traceback", " ERROR ", "[ERROR]", "[CRITICAL]")
ACCESS_STATUS = re.compile(r'"[A-Z]+ [^"]*" (\d{3}) ')


def free_port(preferred: int | None = None) -> int:
    for port in ([preferred] if preferred else []) + list(PORTS):
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((LOOPBACK, port))
            except OSError:
                continue
            return port
    raise BenchError("no free port in 8301-8399 on 127.0.0.1")


def process_tree(root: int) -> dict[int, str]:
    """{pid: short command line} of `root` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = {}, [root]
    while todo:
        pid = todo.pop()
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        tree[pid] = _role(cmdline)
        todo.extend(children.get(pid, []))
    return tree


def _role(cmdline: str) -> str:
    if "gunicorn" in cmdline:
        return "gunicorn"
    if "run_huey" in cmdline:
        return "jobs"
    if " serve" in cmdline:
        return "serve"
    return cmdline[:60]


def rss_kib(pid: int) -> tuple[int, int]:
    """(resident, anonymous) memory of a process in KiB. Resident includes file pages mapped
    in (SQLite's mmap of the database), which the kernel shares and can drop; anonymous is
    the memory the process itself allocated."""
    rss = anon = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("RssAnon:"):
                anon = int(line.split()[1])
    except OSError:
        pass
    return rss, anon


class MemorySampler(threading.Thread):
    """Samples the summed RSS of the process tree every `interval` seconds."""

    def __init__(self, root: int, interval: float = 0.25):
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.stopped = threading.Event()
        self.peak_total_kib = 0
        self.peak_anon_kib = 0
        self.peak_by_pid: dict[int, tuple[str, int]] = {}
        self.samples = 0
        self.last_total_kib = 0

    def sample(self) -> int:
        total = total_anon = 0
        for pid, role in process_tree(self.root).items():
            rss, anon = rss_kib(pid)
            total += rss
            total_anon += anon
            if rss > self.peak_by_pid.get(pid, ("", 0))[1]:
                self.peak_by_pid[pid] = (role, rss)
        self.samples += 1
        self.last_total_kib = total
        self.peak_total_kib = max(self.peak_total_kib, total)
        self.peak_anon_kib = max(self.peak_anon_kib, total_anon)
        return total

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            self.sample()

    def summary(self) -> dict[str, Any]:
        processes = sorted(({"pid": pid, "role": role, "peak_rss_mib": round(kib / 1024, 1)}
                            for pid, (role, kib) in self.peak_by_pid.items()),
                           key=lambda p: p["pid"])
        return {"peak_rss_mib": round(self.peak_total_kib / 1024, 1),
                "peak_anon_mib": round(self.peak_anon_kib / 1024, 1),
                "samples": self.samples, "processes": processes}


class Server:
    def __init__(self, *, env: dict[str, str], port: int, log_path: Path):
        self.env, self.port, self.log_path = env, port, log_path
        self.process: subprocess.Popen | None = None
        self.sampler: MemorySampler | None = None
        self.idle_rss_mib: float | None = None
        self.command = kehu_command("serve", "--host", LOOPBACK, "--port", str(port))

    def start(self, timeout: float = 90) -> None:
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and command
            self.command, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"kehu serve exited with {self.process.returncode}:\n"
                                 + self.log_tail())
            if self._healthy():
                break
            time.sleep(0.2)
        else:
            self.stop()
            raise BenchError(f"kehu serve was not healthy within {timeout:.0f} s:\n"
                             + self.log_tail())
        self.sampler = MemorySampler(self.process.pid)
        time.sleep(1)  # let every worker boot before the idle sample
        self.idle_rss_mib = round(self.sampler.sample() / 1024, 1)
        self.sampler.start()

    def _healthy(self) -> bool:
        conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=2)
        try:
            conn.request("GET", "/healthz")
            return conn.getresponse().status == 200
        except OSError:
            return False
        finally:
            conn.close()

    def stop(self) -> int | None:
        if self.sampler is not None:
            self.sampler.stopped.set()
            self.sampler.join(5)
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # `kehu serve` stops its children
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()
        return self.process.returncode

    def log_tail(self, lines: int = 25) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def log_errors(self) -> dict[str, Any]:
        """5xx answers in the access log and tracebacks/errors the server printed."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        statuses = [int(m.group(1)) for m in ACCESS_STATUS.finditer(text)]
        error_lines = [line for line in text.splitlines()
                       if any(mark in line for mark in ERROR_MARKS)]
        return {"requests_logged": len(statuses),
                "status_5xx": sum(1 for s in statuses if s >= 500),
                "error_lines": len(error_lines), "error_samples": error_lines[:5]}

    def memory(self) -> dict[str, Any]:
        summary = self.sampler.summary() if self.sampler else {}
        return {"idle_rss_mib": self.idle_rss_mib, **summary}
