"""Runs the operator's fat jar as a child process and reads its cost from /proc (CPU ticks, RSS) and jcmd (heap)."""

import glob
import os
import re
import signal
import subprocess
import time

from .cluster import REPO, process_cpu_seconds
from .log import say


def find_jar():
    """The runnable jar in operator/target (not the sources/javadoc/original ones)."""
    fat = os.path.join(REPO, "operator", "target", "jupyter-notebook-operator.jar")
    if os.path.exists(fat):
        return fat
    jars = [
        j
        for j in glob.glob(os.path.join(REPO, "operator", "target", "*.jar"))
        if not re.search(r"(sources|javadoc|tests|original-)", os.path.basename(j))
    ]
    if not jars:
        raise RuntimeError(
            "no operator jar in operator/target: build it with `mvn -B -q -pl operator -am package -DskipTests`"
        )
    return max(jars, key=os.path.getsize)  # the fat jar is the biggest


class OperatorProcess:
    """One operator replica. `env` adds to the environment (KUBECONFIG, watched namespaces, ...)."""

    def __init__(self, name, kubeconfig, log_dir, env=None, jvm_args=None, args=None, jar=None):
        self.name = name
        self.jar = jar or (None if os.environ.get("JNO_BENCH_OPERATOR_CMD") else find_jar())
        self.kubeconfig = kubeconfig
        self.log_path = os.path.join(log_dir, f"operator-{name}.log")
        self.env = dict(env or {})
        self.jvm_args = list(jvm_args or [])
        self.args = list(args or [])
        self.proc = None
        self.starts = 0

    def command(self):
        # JNO_BENCH_OPERATOR_CMD replaces the java command (to try the harness itself with a stand-in).
        if os.environ.get("JNO_BENCH_OPERATOR_CMD"):
            return os.environ["JNO_BENCH_OPERATOR_CMD"].split() + self.args
        return ["java", *self.jvm_args, "-jar", self.jar, *self.args]

    def start(self):
        env = dict(os.environ)
        env.update(self.env)
        env["KUBECONFIG"] = self.kubeconfig
        log = open(self.log_path, "ab")
        log.write(
            f"\n===== bench: start #{self.starts + 1} at {time.strftime('%H:%M:%S')}: "
            f"{' '.join(self.command())}\n".encode()
        )
        log.flush()
        self.proc = subprocess.Popen(
            self.command(), env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
        )
        log.close()
        self.starts += 1
        self.started_at = time.monotonic()
        return self.proc.pid

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def exit_code(self):
        return None if self.proc is None else self.proc.poll()

    def kill(self, sig=signal.SIGKILL):
        if self.alive():
            os.kill(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)

    def stop(self):
        """SIGTERM (graceful), SIGKILL after 20s."""
        if self.alive():
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    # ------------------------------------------------------------------------------------------------ cost

    def cpu_seconds(self):
        """User + system CPU time of the JVM so far."""
        return process_cpu_seconds(self.pid)

    def rss_mib(self):
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return None

    def heap(self, gc_first=False):
        """Java heap from `jcmd GC.heap_info`: {'used_mib', 'committed_mib'}; with gc_first, after a full GC (the
        live set)."""
        if gc_first:
            subprocess.run(["jcmd", str(self.pid), "GC.run"], capture_output=True, timeout=120)
        out = subprocess.run(
            ["jcmd", str(self.pid), "GC.heap_info"], capture_output=True, text=True, timeout=120
        ).stdout
        # G1: one "garbage-first heap total ..K, used ..K" line; Serial/Parallel: one line per generation.
        pairs = re.findall(
            r"^ (?:garbage-first heap|\S.*generation|PSYoungGen|ParOldGen)\s+total (\d+)K, used (\d+)K", out, re.M
        )
        if not pairs:
            say(f"could not parse jcmd GC.heap_info output: {out[:300]!r}")
            return {"used_mib": None, "committed_mib": None}
        return {
            "committed_mib": round(sum(int(t) for t, _ in pairs) / 1024, 1),
            "used_mib": round(sum(int(u) for _, u in pairs) / 1024, 1),
        }

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, "rb") as f:
                return b"".join(f.readlines()[-lines:]).decode(errors="replace")
        except OSError:
            return ""
