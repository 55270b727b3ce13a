"""`python -m app` starts the server with the settings' host, port and connection limits."""

from app.server import serve
from app.settings import get_settings

if __name__ == "__main__":
    settings = get_settings()
    print(f"Gradplay is running: open http://{settings.host}:{settings.port}")
    serve(settings)
