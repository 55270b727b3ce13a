"""`python -m app` starts the server with the settings' host and port."""

import uvicorn

from app.settings import get_settings

if __name__ == "__main__":
    settings = get_settings()
    print(f"Gradplay is running: open http://{settings.host}:{settings.port}")
    uvicorn.run("app.main:create_app", factory=True, host=settings.host, port=settings.port)
