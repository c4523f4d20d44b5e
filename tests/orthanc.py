"""A real Orthanc for tests, listening only inside its own network namespace.

Orthanc 1.10 cannot bind to loopback only, so it runs in a private network namespace
(``unshare -n``, ``lo`` up) as the unprivileged user ``nobody``, with its own
configuration and storage in a temporary folder. Inside that namespace every port is
free and nothing is reachable from outside it. A test thread joins the namespace with
setns(2) (:func:`inside`), so threads it starts (pynetdicom's, a GUI's workers) are in it
too; it leaves again afterwards. Stopped with SIGKILL (SIGTERM takes seconds).
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ORTHANC = shutil.which("Orthanc") or "/usr/sbin/Orthanc"
DICOMWEB_PLUGIN = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so"
AET, DICOM_PORT, HTTP_PORT = "ORTHANC", 4242, 8042
CLONE_NEWNET = 0x40000000
START_TIMEOUT_S = 20.0


@dataclass
class Orthanc:
    process: subprocess.Popen[bytes]
    folder: Path

    @property
    def dimse(self) -> str:
        return f"{AET}@127.0.0.1:{DICOM_PORT}"

    @property
    def web(self) -> str:
        return f"http://127.0.0.1:{HTTP_PORT}/dicom-web"

    @property
    def rest(self) -> str:
        return f"http://127.0.0.1:{HTTP_PORT}"

    @property
    def namespace(self) -> str:
        return f"/proc/{self.process.pid}/ns/net"

    def log(self) -> str:
        return (self.folder / "orthanc.log").read_text(errors="replace")[-4000:]


def why_not_available() -> str:
    """'' when Orthanc can run here, else why not (a test skips, or fails under CI)."""
    if not Path(ORTHANC).exists():
        return "Orthanc is not installed (Debian packages orthanc, orthanc-dicomweb)"
    if not Path(DICOMWEB_PLUGIN).exists():
        return "the Orthanc DICOMweb plug-in is not installed (Debian package orthanc-dicomweb)"
    if os.geteuid() != 0:
        return "joining Orthanc's private network namespace needs root"
    return ""


def start() -> Orthanc:
    folder = Path(tempfile.mkdtemp(prefix="orthanc-test-"))
    storage = folder / "storage"
    storage.mkdir()
    folder.chmod(0o755)
    shutil.chown(storage, "nobody")
    config = {
        "Name": "dicom-viewer tests",
        "StorageDirectory": str(storage),
        "IndexDirectory": str(storage),
        "DicomAet": AET,
        "DicomPort": DICOM_PORT,
        "HttpPort": HTTP_PORT,
        "RemoteAccessAllowed": False,
        "AuthenticationEnabled": False,
        "DicomCheckCalledAet": True,
        "DicomScpTimeout": 5,  # a peer gone silent (an aborted test) holds a DICOM thread 5 s, not 30
        "DicomThreadsCount": 8,
        "DicomAlwaysAllowEcho": True,
        "DicomAlwaysAllowStore": True,
        "DicomAlwaysAllowFind": True,
        "DicomAlwaysAllowGet": True,
        "DicomAlwaysAllowMove": True,
        "DicomModalities": {"viewer": ["DICOMVIEWER", "127.0.0.1", 11112]},
        "Plugins": [DICOMWEB_PLUGIN],
        "DicomWeb": {"Enable": True, "Root": "/dicom-web/"},
    }
    (folder / "orthanc.json").write_text(json.dumps(config))
    log = open(folder / "orthanc.log", "wb")  # noqa: SIM115 (kept open by the child)
    command = (
        "ip link set lo up && exec setpriv --reuid=nobody --regid=nogroup --clear-groups "
        f"{ORTHANC} {folder / 'orthanc.json'}"
    )
    process = subprocess.Popen(["unshare", "--net", "sh", "-c", command], stdout=log, stderr=log)
    log.close()
    orthanc = Orthanc(process, folder)
    deadline = time.monotonic() + START_TIMEOUT_S
    while os.stat(orthanc.namespace).st_ino == os.stat("/proc/thread-self/ns/net").st_ino:
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"unshare did not make a network namespace:\n{orthanc.log()}")
        time.sleep(0.01)  # the child has not called unshare(2) yet
    with inside(orthanc):
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"Orthanc exited with {process.returncode}:\n{orthanc.log()}")
            try:
                with urllib.request.urlopen(orthanc.rest + "/system", timeout=1):
                    pass
                answers_echo(orthanc)  # the DICOM server too, not only HTTP
                break
            except (OSError, RuntimeError):
                if time.monotonic() > deadline:
                    stop(orthanc)
                    raise RuntimeError(f"Orthanc did not start within {START_TIMEOUT_S:g} s") from None
                time.sleep(0.1)
    return orthanc


def answers_echo(orthanc: Orthanc) -> None:
    """A C-ECHO to Orthanc's DICOM port succeeds (RuntimeError if not); inside its namespace."""
    from viewer.io import pacs

    try:
        pacs.echo(pacs.parse_node(orthanc.dimse))
    except Exception as exc:
        raise RuntimeError(f"Orthanc's DICOM port does not answer: {exc}") from None


def stop(orthanc: Orthanc) -> None:
    orthanc.process.kill()
    orthanc.process.wait(timeout=10)
    shutil.rmtree(orthanc.folder, ignore_errors=True)


@contextmanager
def inside(orthanc: Orthanc) -> Iterator[None]:
    """Run the calling thread (and threads it starts) in Orthanc's network namespace."""
    libc = ctypes.CDLL(None, use_errno=True)
    with open("/proc/thread-self/ns/net") as home, open(orthanc.namespace) as theirs:
        if libc.setns(theirs.fileno(), CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns into Orthanc's network namespace failed")
        try:
            yield
        finally:
            if libc.setns(home.fileno(), CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns back to the test's network namespace failed")


def clear(orthanc: Orthanc) -> None:
    """Delete every study (tests share one server per worker)."""
    with urllib.request.urlopen(orthanc.rest + "/studies", timeout=5) as answer:
        for study in json.load(answer):
            request = urllib.request.Request(f"{orthanc.rest}/studies/{study}", method="DELETE")
            urllib.request.urlopen(request, timeout=5).close()
