"""The expression language, the DAG and the autograd engine: pure Python + torch, no web."""
