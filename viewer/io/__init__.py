"""Qt-free input/output: committing edits to Pixel Data, saving, image export."""
