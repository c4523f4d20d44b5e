"""An ImageItem whose picture Qt can scale on its fast path.

pyqtgraph wraps a uint8 gray frame as a Grayscale8 QImage (and RGB as RGB888, RGBA as
RGBA8888). Qt's raster engine scales only 32-bit images with its dedicated routines;
any other format goes through a generic fetch-and-convert per scanline on *every* paint:
a 512 x 512 Grayscale8 frame fitted to 768 x 768 costs ~1.9 ms to draw, the same frame
as RGB32 ~0.3 ms (measured here, offscreen). Converting once per rendered frame (~0.13 ms)
is repaid by the first paint, and each later paint (a pan, a zoom, a cursor) is cheap.
Larger pictures stay as they are: converting a 4096 x 4096 frame takes ~37 ms, more than
many paints of it save (a dragged window shows a strided, screen-sized preview instead).
Better still, a gray frame can be looked up straight into RGB32 pixels
(viewer.model.tables.pack_gray): a 2-D uint32 image is taken as those and wrapped as it is.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QImage

#: Formats Qt scales without converting: opaque pictures become RGB32, translucent ones
#: (overlay planes, tool previews) premultiplied ARGB32.
_FAST = {QImage.Format.Format_RGB32, QImage.Format.Format_ARGB32_Premultiplied}
#: Pictures of up to this many pixels are converted (~1 ms at 1024 x 1024).
CONVERT_PIXELS = 1 << 20


class FrameItem(pg.ImageItem):
    """pg.ImageItem that keeps its rendered picture in a 32-bit format."""

    def render(self) -> None:
        image = self.image  # type: ignore[has-type]  # untyped in pyqtgraph
        if image is not None and image.ndim == 2 and image.dtype == np.uint32 and image.size:
            # RGB32 pixels already (the rest of what ImageItem.render does is for levels
            # and tables these do not have); pyqtgraph keeps self.image, which the QImage uses
            if not image.flags.c_contiguous:
                image = self.image = np.ascontiguousarray(image)
            self.qimage = pg.functions.ndarray_to_qimage(image, QImage.Format.Format_RGB32)
            self._renderRequired = self._unrenderable = False
            return
        super().render()
        qimage: QImage | None = self.qimage
        if qimage is None or qimage.format() in _FAST or qimage.width() * qimage.height() > CONVERT_PIXELS:
            return
        target = QImage.Format.Format_ARGB32_Premultiplied if qimage.hasAlphaChannel() else QImage.Format.Format_RGB32
        self.qimage = qimage.convertToFormat(target)
