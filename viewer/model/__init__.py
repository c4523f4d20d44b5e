"""Qt-free dataset model: documents, the display pipeline and codec discovery."""
