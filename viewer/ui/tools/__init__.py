"""Interactive editing tools, one file each; they turn gestures into edit operations."""
