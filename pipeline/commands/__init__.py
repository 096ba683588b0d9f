"""The ``newsbeam`` commands, one module each; ``pipeline.cli`` dispatches to them."""
