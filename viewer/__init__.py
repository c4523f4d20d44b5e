"""dicom-viewer: a DICOM image viewer and pixel editor that saves self-consistent DICOM."""

__version__ = "0.1.0"
