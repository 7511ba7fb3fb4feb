"""The grammar points beyond verbs, one module each, built on ``data/points.json`` and the
nouns of ``data/lexicon.json``; the registry (``registry.py``) names them."""
