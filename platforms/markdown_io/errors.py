class DocumentError(Exception):
    """A document that cannot be imported. str() is `file:line: message` (or `file: message`
    when no line applies); nothing is written when one is raised."""

    def __init__(self, name, line, message):
        super().__init__(f"{name}:{line}: {message}" if line else f"{name}: {message}")
