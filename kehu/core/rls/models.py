"""No models. The module exists because Django sends post_migrate only to apps that have
one, and apps.py installs the policies on post_migrate."""
