"""Set-up step (`make models`): the sample media, taken from Debian packages and checked by sha256.

    python -m vision.samples [--out DIR]

- dog.jpg (768x576; a bicycle, a dog and a truck) from `darknet`: the detector's reference photo.
- vtest.avi (768x576, 795 frames at 10 fps; pedestrians, a parked van, a car) from `opencv-doc`: the
  sample street feed for `make run` and the tests.

Each package is fetched with `apt-get download` (apt checks it against the signed package lists; no
install, no root needed), the file and the package's copyright notice are unpacked into a temporary
folder and copied to var/samples/ (default). licenses/sample-media.txt records the licences. Files
already there with the right sha256 are kept. Needs the apt package lists (`apt-get update`).
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from vision.manifest import ROOT

DEFAULT_OUT = ROOT / "var" / "samples"
APT_LISTS = Path("/var/lib/apt/lists")


@dataclass(frozen=True)
class Sample:
    """A media file inside a Debian package, with the sha256 it must have."""

    name: str
    package: str
    path: str  # inside the package's file system, without the leading slash
    sha256: str

    @property
    def copyright(self) -> str:
        """The package's machine-readable copyright file (its licence statement)."""
        return f"usr/share/doc/{self.package}/copyright"


SAMPLES = (
    Sample(
        "dog.jpg",
        "darknet",  # 0.0.0+git20180914.61c9d02e-2+b4: GPL-3.0+ or MIT or WTFPL, (c) 2018 Joseph Redmon
        "usr/share/darknet/data/dog.jpg",
        "5a9522051c3cec2bbd2f6323fccba32e8fbf3ddcc2b3e2fd46b04c720bc6f866",
    ),
    Sample(
        "vtest.avi",
        "opencv-doc",  # 4.6.0+dfsg-12: Apache-2.0 AND BSD-3-Clause, (c) Intel, Willow Garage, OpenCV Foundation
        "usr/share/doc/opencv-doc/examples/data/vtest.avi",
        "45cddc9490be69345cbdab64ca583be65987e864ca408038e648db99e10516cf",
    ),
)


class SampleError(RuntimeError):
    """A sample could not be fetched or verified; the message says what to do."""


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def is_present(sample: Sample, out: Path) -> bool:
    """The sample and its copyright notice are in out, and the sample has its sha256."""
    target = out / sample.name
    notice = out / f"{sample.name}.copyright"
    return target.is_file() and notice.is_file() and sha256_file(target) == sample.sha256


def check_apt() -> None:
    """apt-get download needs the package lists; a fresh machine has none until `apt-get update`."""
    if shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
        raise SampleError("apt-get and dpkg-deb are needed to fetch the sample media (a Debian system)")
    if not any(APT_LISTS.glob("*_Packages*")):
        raise SampleError(f"the apt package lists in {APT_LISTS} are empty: run apt-get update (as root) first")


def download(package: str, workdir: Path) -> Path:
    """The package's .deb, fetched by apt (signature-checked against the package lists) into workdir."""
    result = subprocess.run(
        ["apt-get", "download", "-q", package], cwd=workdir, capture_output=True, text=True, check=False
    )
    debs = sorted(workdir.glob(f"{package}_*.deb"))
    if result.returncode != 0 or not debs:
        stale = "Unable to locate" in result.stderr or "404" in result.stderr  # lists missing or out of date
        hint = " (run apt-get update first)" if stale else ""
        raise SampleError(f"apt-get download {package} failed{hint}: {result.stderr.strip()[-600:]}")
    return debs[0]


def extract(deb: Path, members: list[str], dest: Path) -> None:
    """Unpack only these files of the .deb into dest. Streams the package's data archive rather than
    `dpkg-deb -x`, which would write all of opencv-doc (270 MB) to get one 8 MB clip."""
    wanted = {f"./{m}" for m in members}
    with subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
            for info in tar:
                if info.name in wanted and info.isfile():
                    target = dest / info.name[2:]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    source = tar.extractfile(info)
                    assert source is not None
                    target.write_bytes(source.read())
                    wanted.discard(info.name)
            proc.stdout.read()  # drain, so dpkg-deb never dies of a broken pipe
    if proc.returncode != 0:
        raise SampleError(f"dpkg-deb could not read {deb.name}")
    if wanted:
        raise SampleError(f"{deb.name} has no {', '.join(sorted(wanted))}")


def package_version(deb: Path) -> str:
    """The Version field of a .deb."""
    result = subprocess.run(["dpkg-deb", "-f", str(deb), "Version"], capture_output=True, text=True, check=True)
    return result.stdout.strip()


def fetch(sample: Sample, out: Path) -> str:
    """Download, unpack, verify and copy one sample (and its copyright notice) to out; returns the version."""
    with tempfile.TemporaryDirectory(prefix="gridcase-samples-") as tmp:
        work = Path(tmp)
        deb = download(sample.package, work)
        version = package_version(deb)
        extract(deb, [sample.path, sample.copyright], work / "root")
        got = work / "root" / sample.path
        digest = sha256_file(got)
        if digest != sample.sha256:
            raise SampleError(f"{sample.name} from {deb.name} has sha256 {digest}, expected {sample.sha256}")
        out.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(work / "root" / sample.copyright, out / f"{sample.name}.copyright")
        partial = out / f"{sample.name}.partial"
        shutil.copyfile(got, partial)
        partial.replace(out / sample.name)  # the final name appears only once the file is whole
    return version


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; 0 when every sample is in place, 1 with a message otherwise."""
    parser = argparse.ArgumentParser(prog="python -m vision.samples", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the media go (default var/samples)")
    args = parser.parse_args(argv)
    try:
        for sample in SAMPLES:
            if is_present(sample, args.out):
                print(f"[samples] {sample.name} verified in {args.out}", flush=True)
                continue
            check_apt()
            print(f"[samples] apt-get download {sample.package} …", flush=True)
            version = fetch(sample, args.out)
            print(f"[samples] {sample.name} from {sample.package} {version}: sha256 verified", flush=True)
    except (SampleError, OSError, subprocess.SubprocessError, tarfile.TarError) as exc:
        print(f"samples: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
