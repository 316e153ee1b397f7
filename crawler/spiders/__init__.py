"""One spider per UN source. Spiders only parse and yield `CaptureItem`s; the pipeline stores them."""
