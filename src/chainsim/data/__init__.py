"""Data layer: the IO table container, IO maths, readers, writers and the bundled datasets."""
