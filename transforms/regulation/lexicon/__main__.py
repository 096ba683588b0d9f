"""``python -m transforms.regulation.lexicon``: compile the YAML files into ``compiled.json`` (see ``load``)."""

from transforms.regulation.lexicon import compile_documents

if __name__ == "__main__":
    print(f"wrote {compile_documents()}")
