"""Text over the image: the four corners (patient, study, frame, window and zoom), the
orientation markers on the four edges (viewer.model.orientation), which follow flips and
turns, and a scale bar in mm. Everything has a dark backing so it reads on any image;
each group (GROUPS) can be hidden on its own."""

from __future__ import annotations

from typing import Any

from viewer.model.orientation import edge_labels_of, shown_geometry
from viewer.ui.annotation_layer import AnnotatedGraphicsView, AnnotationLayer, ScaleBar, Sprite, TextBlock

#: (text colour, pixel size, bold) of the corner texts and of the orientation markers.
STYLE = ("#f0f0f0", 11, False)
EDGE_STYLE = ("#ffe680", 13, True)
MARGIN = 6
#: Annotation groups a person can hide one by one (View > Annotations), with their names.
GROUPS = {
    "patient": "Patient and Study",
    "image": "Frame, Slice and Frame Time",
    "window": "Window and Zoom",
    "orientation": "Orientation Markers",
    "scale": "Scale Bar",
}


def _lines(*values: object) -> str:
    return "\n".join(str(v) for v in values if v is not None and str(v))


def format_date(value: object) -> str:
    """A DA value as YYYY-MM-DD (as it is when it is not 8 digits)."""
    text = str(value or "")
    return f"{text[:4]}-{text[4:6]}-{text[6:8]}" if len(text) == 8 and text.isdigit() else text


def _time(value: object) -> str:
    text = str(value or "")
    return f"{text[:2]}:{text[2:4]}" if len(text) >= 4 and text[:4].isdigit() else text


def _frame_time(ds: Any, frames: int) -> str:
    """(0018,1063) Frame Time of a multi-frame image, in ms."""
    try:
        value = float(ds.get("FrameTime"))
    except (TypeError, ValueError):
        return ""
    return f"Frame time {value:g} ms" if frames > 1 and value > 0 else ""


def _slice(frame: Any) -> str:
    """Slice location and thickness in mm, where the file says them."""
    parts = []
    for keyword, label in (("SliceLocation", "Loc"), ("SliceThickness", "Thick")):
        try:
            parts.append(f"{label} {float(frame.get(keyword)):.1f} mm")
        except (TypeError, ValueError):
            pass
    return "  ".join(parts)


class Annotations:
    """The labels over one image view's graphics widget."""

    def __init__(self, parent: AnnotatedGraphicsView) -> None:
        self.parent = parent
        self.layer = AnnotationLayer(parent)
        # top-left, top-right, bottom-left, bottom-right; left, right, top, bottom
        self.corners = [TextBlock(self.layer, STYLE) for _ in range(4)]
        self.edges = [TextBlock(self.layer, EDGE_STYLE) for _ in range(4)]
        self.scale_bar = ScaleBar(self.layer)
        self.visible = True
        self.hidden_groups: set[str] = set()
        group_of = ["patient", "patient", "image", "window"] + ["orientation"] * 4
        self._groups: dict[int, str] = {id(w): g for w, g in zip(self.corners + self.edges, group_of, strict=True)}
        self._groups[id(self.scale_bar)] = "scale"
        self._key: tuple[Any, ...] | None = None  # what the texts were made from, but the window
        self._study_source: tuple[Any, ...] | None = None  # what the top corners were made from
        self._study: tuple[str, str] = ("", "")
        self._frame_source: tuple[Any, ...] | None = None  # what _frame_texts were made from
        self._frame_texts: tuple[str, tuple[str, str, str, str], Any] = ("", ("", "", "", ""), None)

    def set_visible(self, visible: bool) -> None:
        self.visible = visible
        self._show_all()

    def set_group_visible(self, group: str, visible: bool) -> None:
        """Show or hide one group of GROUPS (while annotations as a whole are shown)."""
        if group not in GROUPS:
            raise ValueError(f"no annotation group {group!r}")
        (self.hidden_groups.discard if visible else self.hidden_groups.add)(group)
        self._show_all()

    def _show(self, widget: Sprite, text: str) -> None:
        widget.setVisible(self.visible and bool(text) and self._groups[id(widget)] not in self.hidden_groups)

    def _show_all(self) -> None:
        for label in self.corners + self.edges:
            self._show(label, label.text())
        self._show(self.scale_bar, self.scale_bar.text)

    def update(self, view: Any, zoom: float) -> None:
        """Refresh the texts from the document view's state. Only the window's text when
        nothing else changed (a W/L drag repaints on every mouse move)."""
        edits = view.document.edits
        size = (self.parent.width(), self.parent.height())
        key = (id(view.document), view.frame, round(zoom, 4), id(edits), getattr(edits, "generation", 0), size)
        if key == self._key:
            self._set(self.corners[3], self._window_text(view, zoom))
            return
        self._key = key
        self._update_all(view, zoom)

    @staticmethod
    def _window_text(view: Any, zoom: float) -> str:
        window = view.effective_window()
        return ("" if view.is_color else f"WC {window.center:g}  WW {window.width:g}\n") + f"Zoom {zoom:.2f}"

    def _set(self, label: TextBlock, text: str, place: bool = True) -> bool:
        """Show `text` on `label`; False (and nothing redrawn) when it shows it already."""
        if label.text() == text:
            return False
        size = (label.width(), label.height())
        label.setText(text)
        label.adjustSize()
        self._show(label, text)
        if place and (label.width(), label.height()) != size:  # places follow sizes only
            self.place()
        return True

    def _study_texts(self, view: Any) -> tuple[str, str]:
        """The top corners (patient; study and series): the same for every frame."""
        ds = view.document.dataset
        return (
            _lines(
                ds.get("PatientName", ""),
                " ".join(
                    str(v) for v in (ds.get("PatientID", ""), ds.get("PatientSex", ""), ds.get("PatientAge", "")) if v
                ),
                " ".join(v for v in (format_date(ds.get("StudyDate")), _time(ds.get("StudyTime"))) if v),
            ),
            _lines(
                ds.get("StudyDescription", ""),
                ds.get("SeriesDescription", ""),
                " ".join(
                    f"{k} {ds.get(a)}" for k, a in (("Se", "SeriesNumber"), ("Im", "InstanceNumber")) if ds.get(a)
                ),
            ),
        )

    def _update_all(self, view: Any, zoom: float) -> None:
        """Every text; only those that changed are laid out and redrawn (scrubbing frames
        changes the frame's corner and little else)."""
        ds, edits = view.document.dataset, view.document.edits
        source = (ds, edits, getattr(edits, "generation", 0))  # the objects held: ids are not reused
        held = self._study_source
        if held is None or held[0] is not ds or held[1] is not edits or held[2] != source[2]:
            self._study_source, self._study = source, self._study_texts(view)
        frame, generation = view.frame_attributes(), getattr(edits, "generation", 0)
        held = self._frame_source  # frames that share their attributes (no functional groups) share these
        if held is None or held[0] is not frame or held[1] is not edits or held[2] != generation:
            self._frame_source = (frame, edits, generation)
            geometry = shown_geometry(view.document, view.frame)  # markers and scale bar use it
            self._frame_texts = (_slice(frame), edge_labels_of(geometry) or ("", "", "", ""), geometry)
        slice_text, markers, geometry = self._frame_texts
        texts = [
            *self._study,
            _lines(
                f"Frame {view.frame + 1} / {view.frame_count}",
                slice_text,
                _frame_time(ds, view.frame_count),
                "LOSSY COMPRESSED" if view.document.is_lossy else "",
            ),
            self._window_text(view, zoom),
        ]
        column_mm = None if geometry is None else geometry.column_spacing
        self.scale_bar.set_scale(None if column_mm is None else column_mm / zoom, self.parent.width())
        self._show(self.scale_bar, self.scale_bar.text)
        changed = [
            self._set(label, text, False)
            for label, text in zip(self.corners + self.edges, texts + list(markers), strict=True)
        ]
        if any(changed):
            self.place()

    def edge_texts(self) -> tuple[str, str, str, str]:
        left, right, top, bottom = (label.text() for label in self.edges)
        return left, right, top, bottom

    def place(self) -> None:
        w, h, m = self.parent.width(), self.parent.height(), MARGIN
        tl, tr, bl, br = self.corners
        tl.move(m, m)
        tr.move(w - tr.width() - m, m)
        bl.move(m, h - bl.height() - m)
        br.move(w - br.width() - m, h - br.height() - m)
        left, right, top, bottom = self.edges
        left.move(m, (h - left.height()) // 2)
        right.move(w - right.width() - m, (h - right.height()) // 2)
        top.move((w - top.width()) // 2, m)
        bottom.move((w - bottom.width()) // 2, h - bottom.height() - m)
        bar = self.scale_bar
        bar.move((w - bar.width()) // 2, h - bottom.height() - bar.height() - 2 * m)
