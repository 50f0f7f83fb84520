"""The Teams app: its manifest (manifest.json), icons, and the command that builds the package to upload."""
