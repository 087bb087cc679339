"""A small disk for fault tests: a tmpfs of a few hundred KB that the bot runs on, and the test fills.

The tmpfs is mounted in a private user and mount namespace held open by a `sleep` process (`unshare
--user --map-root-user --mount`, no privileges needed where unprivileged user namespaces are allowed);
the bot runs inside it through `nsenter`, and the test reaches the same files through /proc/<holder>/root.
Writes past the size fail with ENOSPC, as on a real full disk. Network namespaces are not touched: the
bot still reaches the loopback servers.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path

_PROBE_DIR = Path("/tmp/gwatch-small-disk-probe")


def available() -> bool:
    """Whether this machine lets us mount a tmpfs in a user namespace."""
    if not (shutil.which("unshare") and shutil.which("nsenter")):
        return False
    _PROBE_DIR.mkdir(exist_ok=True)
    probe = subprocess.run(
        [
            "unshare",
            "--user",
            "--map-root-user",
            "--mount",
            "sh",
            "-c",
            f"mount -t tmpfs -o size=64k tmpfs {_PROBE_DIR}",
        ],
        capture_output=True,
    )
    return probe.returncode == 0


class SmallDisk:
    def __init__(self, mount_point: Path, size_kb: int = 256) -> None:
        self.path = mount_point  # where the bot sees the disk
        mount_point.mkdir(parents=True, exist_ok=True)
        script = f"mount -t tmpfs -o size={size_kb}k tmpfs {mount_point} && echo ready && exec sleep 3600"
        self.holder = subprocess.Popen(
            ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.holder.stdout is not None and self.holder.stdout.readline().strip() == "ready"

    def outside(self, relative: str = "") -> Path:
        """The same file as the test process sees it."""
        return Path(f"/proc/{self.holder.pid}/root") / str(self.path).lstrip("/") / relative

    def command(self, argv: list[str]) -> list[str]:
        """`argv` run inside the namespace that sees the disk."""
        return ["nsenter", f"--target={self.holder.pid}", "--user", "--mount", "--preserve-credentials", *argv]

    def fill(self) -> None:
        """Take every free byte."""
        with contextlib.suppress(OSError), self.outside("filler").open("ab") as fh:
            while True:
                fh.write(b"\0" * 4096)
                fh.flush()
                os.fsync(fh.fileno())

    def free(self) -> None:
        self.outside("filler").unlink(missing_ok=True)

    def close(self) -> None:
        self.holder.kill()
        self.holder.wait(10)
        if self.holder.stdout is not None:
            self.holder.stdout.close()

    def __enter__(self) -> SmallDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
