"""Readers for critmin's landing files: pure functions from files to typed polars frames."""
