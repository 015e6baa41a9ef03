"""Built-in pathway files, shipped inside the package as `exporter.builtin_pathways`."""
