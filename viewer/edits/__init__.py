"""Qt-free pixel edits: pure functions on (frames, rows, columns[, samples]) arrays."""
