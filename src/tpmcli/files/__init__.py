"""Files of a repository that may be hostile: safe reading, atomic writing, locations."""
