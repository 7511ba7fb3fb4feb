"""The inference worker: turns an exercise request into exercises on a GPU (vLLM) or CPU (transformers)."""
