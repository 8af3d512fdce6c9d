class DocumentError(Exception):
    """A document that cannot be imported. str() is `file:line: message` (or `file: message`
    when no line applies); nothing is written when one is raised."""

    def __init__(self, name, line, message):
        self.name, self.line, self.message = str(name), line, message
        location = f"{self.name}:{line}" if line else self.name
        super().__init__(f"{location}: {message}")
