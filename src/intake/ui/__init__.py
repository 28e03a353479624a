"""The desktop interface (PySide6). The only package that imports Qt.

``app.py`` wires the services and the windows; everything below it gets what it needs passed in.
"""
