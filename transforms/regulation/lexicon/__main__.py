"""``python -m transforms.regulation.lexicon``: compile the YAML files into ``compiled.json`` (see ``load``), then
the automata's tables into ``automata.pickle`` (see ``transforms.regulation.matcher.precompile``)."""

from transforms.regulation.lexicon import compile_documents

if __name__ == "__main__":
    print(f"wrote {compile_documents()}")
    # imported only now, so that the lexicon it loads is read from the file just written
    from transforms.regulation.matcher import precompile

    print(f"wrote {precompile()}")
