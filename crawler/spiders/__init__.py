"""One spider per UN source. Spiders only parse and yield `CaptureItem`s; a pipeline stores them."""
