"""The workspace package the attach-mode tests reload."""
