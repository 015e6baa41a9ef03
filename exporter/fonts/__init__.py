"""DejaVu Sans, shipped so the PDF prints Latin, Greek and Cyrillic on any machine."""
