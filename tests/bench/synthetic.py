"""Generate large test files: 512x512 16-bit phantoms, uncompressed and compressed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, MRImageStorage, generate_uid

from tests.hostile import HTJ2K_LOSSLESS, set_htj2k_pixels

ROWS = COLUMNS = 512


def phantom_frames(count: int, rows: int = ROWS, columns: int = COLUMNS, seed: int = 0) -> np.ndarray:
    """Smooth anatomy-like 12-bit frames with mild noise (compresses like real MR)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:rows, 0:columns].astype(np.float32)
    cy, cx = rows / 2, columns / 2
    radius = np.hypot(yy - cy, xx - cx)
    base = np.where(radius < rows * 0.42, 1200 + 600 * np.cos(radius / 25.0), 40).astype(np.float32)
    out = np.empty((count, rows, columns), dtype=np.uint16)
    for i in range(count):
        shift = 200 * np.sin(i / 7.0 + xx / 60.0) * (radius < rows * 0.3)
        noise = rng.normal(0, 12, size=(rows, columns)).astype(np.float32)
        out[i] = np.clip(base + shift + noise, 0, 4095).astype(np.uint16)
    return out


def make_dataset(frames: np.ndarray) -> Dataset:
    """A minimal valid multi-frame MR dataset around `frames` (frames, rows, columns)."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = MRImageStorage
    ds.SOPClassUID = MRImageStorage
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.Modality = "MR"
    ds.PatientName, ds.PatientID = "Bench^Phantom", "BENCH"
    ds.Rows, ds.Columns = frames.shape[1], frames.shape[2]
    ds.NumberOfFrames = str(frames.shape[0])
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.PixelSpacing = ["0.5", "0.5"]
    ds.ImagePositionPatient = ["0", "0", "0"]
    ds.ImageOrientationPatient = ["1", "0", "0", "0", "1", "0"]
    ds.WindowCenter, ds.WindowWidth = "1200", "2400"
    ds.PixelData = frames.astype("<u2").tobytes()
    ds["PixelData"].VR = "OW"
    return ds


def ct_slice(frame: np.ndarray, series: str, frame_of_reference: str, spacing: str, z: str, instance: int) -> Dataset:
    """One axial CT slice of a series (`frame`: rows x columns): pixels `spacing` mm apart,
    its first pixel at x = y = -(half the field), z = `z` mm."""
    ds = make_dataset(frame[np.newaxis])
    del ds.NumberOfFrames
    ds.Modality, ds.SOPClassUID = "CT", "1.2.840.10008.5.1.4.1.1.2"
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.SeriesInstanceUID, ds.FrameOfReferenceUID = series, frame_of_reference
    ds.PixelSpacing = [spacing, spacing]
    corner = f"{-float(spacing) * frame.shape[1] / 2:g}"
    ds.ImagePositionPatient = [corner, corner, z]
    ds.InstanceNumber = instance
    return ds


def write_uncompressed(path: Path, count: int) -> Path:
    """Write a `count`-frame file, generating pixels in chunks to keep memory low."""
    if path.exists():
        return path
    one = phantom_frames(min(count, 50))
    frames = np.concatenate([one] * (count // len(one)) + [one[: count % len(one)]])
    make_dataset(frames).save_as(path, enforce_file_format=True)
    return path


def write_compressed(path: Path, count: int, syntax: str) -> Path:
    """Write a compressed copy (RLE, JPEG-LS, JPEG 2000 or HTJ2K lossless) of a phantom."""
    if path.exists():
        return path
    frames = phantom_frames(count)
    ds = make_dataset(frames)
    if syntax == HTJ2K_LOSSLESS:
        set_htj2k_pixels(ds, frames)
    else:
        plugin = "pylibjpeg" if syntax == "1.2.840.10008.1.2.5" else ""
        ds.compress(syntax, frames, encoding_plugin=plugin, generate_instance_uid=False)
    ds.save_as(path, enforce_file_format=True)
    return path


#: Prelude of benchmark child processes: read /proc/self/status fields in bytes.
CHILD_PRELUDE = r"""
import json, os, sys, time
def status(key):
    with open(f"/proc/{os.getpid()}/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) * 1024
"""
