"""Exercise generation: the dispatcher, the worker client and the offline generator."""
