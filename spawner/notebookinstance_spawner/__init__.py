"""A JupyterHub spawner that asks the jupyter-notebook-operator for each user's server.

Configure JupyterHub with ``c.JupyterHub.spawner_class = "notebookinstance"`` (or the full class path
``notebookinstance_spawner.NotebookInstanceSpawner``). See docs/spawner.md.
"""

from .spawner import NotebookInstanceSpawner, SpawnError

__all__ = ["NotebookInstanceSpawner", "SpawnError"]
__version__ = "0.1.0"
